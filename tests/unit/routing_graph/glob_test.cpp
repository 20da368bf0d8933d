#include "routing_graph/glob.hpp"

#include <catch2/catch.hpp>

using namespace sb::routing_graph;

TEST_CASE("globs match page URLs as a shell would") {
  CHECK(glob_matches("https://shop.example/*", "https://shop.example/a/b?c=1"));
  CHECK(glob_matches("*/checkout*", "https://shop.example/checkout/step-2"));
  CHECK_FALSE(glob_matches("*/checkout", "https://shop.example/checkout/step-2"));
  CHECK(glob_matches("https://shop.example/p?", "https://shop.example/p1"));
  CHECK_FALSE(glob_matches("https://shop.example/p?", "https://shop.example/p12"));
  CHECK(glob_matches("*/item-[0-9]*", "https://x/item-7"));
  CHECK_FALSE(glob_matches("*/item-[!0-9]*", "https://x/item-7"));
  CHECK(glob_matches("*/item-[!0-9]*", "https://x/item-a"));
  CHECK(glob_matches("a\\*b", "a*b"));
  CHECK_FALSE(glob_matches("a\\*b", "axb"));
  CHECK(glob_matches("*", ""));
  CHECK_FALSE(glob_matches("?", ""));
  CHECK(glob_matches("*a*a*a*", "banana and a"));
  CHECK_FALSE(glob_matches("*.example", "https://shop.EXAMPLE"));
  CHECK(glob_matches("https://例子.cn/*", "https://例子.cn/页面"));
}

TEST_CASE("bad globs are refused with a reason") {
  std::string why;
  CHECK(is_valid_glob("https://x/[a-z]*", why));
  CHECK(is_valid_glob("[]]", why));  // ']' first in a set is a member
  CHECK_FALSE(is_valid_glob("https://x/[a-z", why));
  CHECK(why.find("never closed") != std::string::npos);
  CHECK_FALSE(is_valid_glob("abc\\", why));
  CHECK(why.find("lone") != std::string::npos);
}
