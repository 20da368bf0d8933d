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
