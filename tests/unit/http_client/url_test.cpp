// URL parsing for outbound requests: what is accepted and what is refused, clearly.
#include "http_client/url.hpp"

#include <catch2/catch.hpp>

using sb::http_client::parse_url;

TEST_CASE("url: schemes, default and explicit ports, targets") {
  std::string error;
  auto a = parse_url("https://api.openai.com/v1/chat/completions?x=1#frag", error);
  REQUIRE(a);
  CHECK(a->tls);
  CHECK(a->host == "api.openai.com");
  CHECK(a->port == 443);
  CHECK(a->target == "/v1/chat/completions?x=1");

  auto b = parse_url("http://127.0.0.1:8080", error);
  REQUIRE(b);
  CHECK_FALSE(b->tls);
  CHECK(b->port == 8080);
  CHECK(b->target == "/");

  auto c = parse_url("http://[::1]:9000/route", error);
  REQUIRE(c);
  CHECK(c->host == "::1");
  CHECK(c->port == 9000);
}

TEST_CASE("url: malformed URLs are refused with a reason") {
  std::string error;
  CHECK_FALSE(parse_url("ftp://x/", error));
  CHECK_THAT(error, Catch::Contains("only http:// and https://"));
  CHECK_FALSE(parse_url("http://:80/", error));
  CHECK(error == "url: no host");
  CHECK_FALSE(parse_url("http://x:99999/", error));
  CHECK(error == "url: bad port");
  CHECK_FALSE(parse_url("http://x:/", error));
  CHECK(error == "url: bad port");
  CHECK_FALSE(parse_url("http://user:pw@x/", error));
  CHECK_THAT(error, Catch::Contains("user info"));
  CHECK_FALSE(parse_url("http://x/a b", error));
  CHECK_THAT(error, Catch::Contains("spaces"));
}
