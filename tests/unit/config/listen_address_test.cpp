#include "config/listen_address.hpp"

#include <catch2/catch.hpp>

using sb::config::parse_listen;

TEST_CASE("listen accepts IPv4, localhost and bracketed IPv6") {
  std::string host;
  uint16_t port = 1;
  REQUIRE(parse_listen("127.0.0.1:8080", host, port));
  CHECK(host == "127.0.0.1");
  CHECK(port == 8080);
  REQUIRE(parse_listen("localhost:9000", host, port));
  CHECK(host == "localhost");
  CHECK(port == 9000);
  REQUIRE(parse_listen("[::1]:443", host, port));
  CHECK(host == "::1");
  CHECK(port == 443);
  REQUIRE(parse_listen("0.0.0.0:65535", host, port));
  CHECK(port == 65535);
}

TEST_CASE("listen port 0 means any free port") {
  std::string host;
  uint16_t port = 1;
  REQUIRE(parse_listen("127.0.0.1:0", host, port));
  CHECK(port == 0);
}

TEST_CASE("listen rejects malformed addresses and leaves outputs alone") {
  for (const char* text :
       {"", "127.0.0.1", "127.0.0.1:", ":8080", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x",
        "256.0.0.1:80", "example.com:80", "::1:80", "[::1]80", "[nonsense]:80", "127.0.0.1:+80",
        "127.0.0.1: 80"}) {
    std::string host = "unchanged";
    uint16_t port = 7;
    INFO(text);
    CHECK_FALSE(parse_listen(text, host, port));
    CHECK(host == "unchanged");
    CHECK(port == 7);
  }
}
