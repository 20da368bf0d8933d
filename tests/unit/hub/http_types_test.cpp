// Credentials as requests carry them: the bearer token and the console's cookie.
#include "hub/http_types.hpp"

#include <catch2/catch.hpp>

using sb::hub::cookie_value;
using sb::hub::HttpRequest;

TEST_CASE("one cookie is found among the others the browser sends") {
  HttpRequest request;
  request.cookie = "theme=dark; sb_session=abc.def;lang=zh; sb_session_old=x";
  CHECK(cookie_value(request, "sb_session") == "abc.def");
  CHECK(cookie_value(request, "lang") == "zh");
  CHECK(cookie_value(request, "theme") == "dark");
  CHECK(cookie_value(request, "sb") == "");
  CHECK(cookie_value(request, "missing") == "");
  request.cookie = "";
  CHECK(cookie_value(request, "sb_session") == "");
  request.cookie = "sb_session=";
  CHECK(cookie_value(request, "sb_session") == "");
}

TEST_CASE("the bearer token: any case of the scheme, else the token query parameter") {
  HttpRequest request;
  request.authorization = "bEaReR abc.def";
  CHECK(sb::hub::bearer_token(request) == "abc.def");
  // Bytes past ASCII in the scheme are compared as unsigned (std::tolower of a
  // negative char is undefined): no match, and the query's token is used instead.
  request.authorization =
      "B\xc3\xa9"
      "arer abc.def";
  request.query["token"] = "from.query";
  CHECK(sb::hub::bearer_token(request) == "from.query");
  request.authorization = "Bearer ";
  CHECK(sb::hub::bearer_token(request) == "from.query");
}

TEST_CASE("the request target: decoded path and query, invalid targets refused") {
  HttpRequest request;
  REQUIRE(sb::hub::parse_target("/v1/tenants/demo/search?q=%E9%80%80%E6%AC%BE&limit=5&limit=7",
                                request));
  CHECK(request.path == "/v1/tenants/demo/search");
  CHECK(request.query.at("q") == "\xe9\x80\x80\xe6\xac\xbe");
  CHECK(request.query.at("limit") == "7");
  HttpRequest bad;
  CHECK_FALSE(sb::hub::parse_target("http://elsewhere/x", bad));
  CHECK_FALSE(sb::hub::parse_target("/a b", bad));
  CHECK_FALSE(sb::hub::parse_target("/x?%zz", bad));
}

// Bytes that are not UTF-8 reached the storage plugin inside its JSON arguments, which
// it refused: a plugin failure, and five opened the tenant's storage circuit breaker.
TEST_CASE("a request target whose decoded path or query is not UTF-8 is refused") {
  HttpRequest request;
  CHECK_FALSE(sb::hub::parse_target("/v1/tenants/demo/conversations/%E0%A4/messages", request));
  CHECK_FALSE(sb::hub::parse_target("/v1/tenants/demo/search?q=%E0%A4", request));
  CHECK_FALSE(sb::hub::parse_target("/v1/tenants/demo/search?q%FF=1", request));
  CHECK_FALSE(sb::hub::parse_target("/x?q=%C0%AF", request));        // overlong '/'
  CHECK_FALSE(sb::hub::parse_target("/x?q=%ED%A0%80", request));     // a surrogate
  CHECK_FALSE(sb::hub::parse_target("/x?q=%F4%90%80%80", request));  // past U+10FFFF
  CHECK_FALSE(sb::hub::parse_target("/x?q=%80", request));
  HttpRequest good;
  REQUIRE(sb::hub::parse_target("/x/%F0%9F%98%80?q=%E9%80%80%C3%A9%00", good));
  CHECK(good.path == "/x/\xf0\x9f\x98\x80");
  CHECK(good.query.at("q") == std::string("\xe9\x80\x80\xc3\xa9\0", 6));
}
