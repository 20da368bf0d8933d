#include "common/ascii.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string_view>

using sb::ascii_iequals;

TEST_CASE("ASCII text compares without regard to case, and only byte for byte") {
  CHECK(ascii_iequals("https", "https"));
  CHECK(ascii_iequals("Https", "https"));
  CHECK(ascii_iequals("CACHE-control", "Cache-Control"));
  CHECK_FALSE(ascii_iequals("http", "https"));
  CHECK_FALSE(ascii_iequals("httpS ", "https"));
  CHECK_FALSE(ascii_iequals("h\xc3\xa9", "H\xc3\x89"));  // only ASCII folds
  CHECK(ascii_iequals("", ""));
  static_assert(ascii_iequals("Keep-Alive", "keep-alive"));
}

TEST_CASE("a view at the very end of a buffer is read no further than its end") {
  // Under AddressSanitizer, a read past the 5 bytes fails this test (Beast's iequals
  // did: its last step fetches the next byte before it checks the count).
  auto buffer = std::make_unique<char[]>(5);
  std::copy_n("Https", 5, buffer.get());
  CHECK(ascii_iequals(std::string_view(buffer.get(), 5), "https"));
  CHECK_FALSE(ascii_iequals(std::string_view(buffer.get(), 5), "httpx"));
}
