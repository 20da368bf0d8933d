// Origins as the widget's allowed list and the console's same-origin check see them.
#include "common/origin.hpp"

#include <catch2/catch.hpp>

using sb::normalize_origin;
using sb::origin_allowed;
using sb::same_origin_as_host;

TEST_CASE("origins are normalized: lower case, no default port") {
  CHECK(normalize_origin("https://Shop.Example.com") == "https://shop.example.com");
  CHECK(normalize_origin("https://shop.example.com:443") == "https://shop.example.com");
  CHECK(normalize_origin("http://shop.example.com:80") == "http://shop.example.com");
  CHECK(normalize_origin("http://shop.example.com:443") == "http://shop.example.com:443");
  CHECK(normalize_origin("http://127.0.0.1:8080") == "http://127.0.0.1:8080");
  CHECK(normalize_origin("http://[::1]:8080") == "http://[::1]:8080");
}

TEST_CASE("what is not an origin is refused") {
  for (const char* text :
       {"", "null", "shop.example.com", "ftp://shop.example.com", "https://", "https://shop/x",
        "https://shop.example.com/", "https://shop.example.com?x", "https://a b.example",
        "https://shop.example.com:", "https://shop.example.com:123456", "https://user@shop",
        "https://[::1", "file:///etc/passwd"}) {
    INFO(text);
    CHECK_FALSE(normalize_origin(text));
  }
}

TEST_CASE("an allowed list admits its origins only, no list admits all") {
  const std::vector<std::string> shop = {"https://shop.example.com", "http://localhost:3000"};
  CHECK(origin_allowed(shop, "https://shop.example.com"));
  CHECK(origin_allowed(shop, "https://SHOP.example.com:443"));
  CHECK(origin_allowed(shop, "http://localhost:3000"));
  CHECK(origin_allowed(shop, ""));  // no Origin header: not a browser
  CHECK_FALSE(origin_allowed(shop, "https://evil.example"));
  CHECK_FALSE(origin_allowed(shop, "https://shop.example.com.evil.example"));
  CHECK_FALSE(origin_allowed(shop, "http://shop.example.com"));
  CHECK_FALSE(origin_allowed(shop, "http://localhost:3001"));
  CHECK_FALSE(origin_allowed(shop, "null"));
  CHECK(origin_allowed({}, "https://anyone.example"));
  CHECK(origin_allowed({}, "null"));
}

TEST_CASE("the server's own origin is the one naming its Host") {
  CHECK(same_origin_as_host("http://127.0.0.1:8080", "127.0.0.1:8080"));
  CHECK(same_origin_as_host("https://chat.example.com", "chat.example.com"));
  CHECK(same_origin_as_host("https://chat.example.com", "Chat.Example.com:443"));
  CHECK(same_origin_as_host("https://chat.example.com:8443", "chat.example.com:8443"));
  CHECK_FALSE(same_origin_as_host("http://127.0.0.1:8081", "127.0.0.1:8080"));
  CHECK_FALSE(same_origin_as_host("https://evil.example", "chat.example.com"));
  CHECK_FALSE(same_origin_as_host("null", "chat.example.com"));
  CHECK_FALSE(same_origin_as_host("", "chat.example.com"));
  CHECK_FALSE(same_origin_as_host("https://chat.example.com", ""));
}

TEST_CASE("the widget may be used from the tenant's websites and from its own frame") {
  const std::vector<std::string> shop = {"https://shop.example.com"};
  CHECK(sb::widget_origin_allowed(shop, "https://shop.example.com", "chat.example.com"));
  CHECK(sb::widget_origin_allowed(shop, "https://chat.example.com", "chat.example.com"));
  CHECK_FALSE(sb::widget_origin_allowed(shop, "https://evil.example", "chat.example.com"));
  CHECK_FALSE(sb::widget_origin_allowed(shop, "https://chat.example.com", "evil.example"));
  CHECK(sb::widget_origin_allowed({}, "https://evil.example", "chat.example.com"));
}
