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
