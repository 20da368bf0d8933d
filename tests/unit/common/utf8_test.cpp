#include "common/utf8.hpp"

#include <catch2/catch.hpp>

TEST_CASE("UTF-8 is told from other bytes, and mended with U+FFFD") {
  CHECK(sb::is_utf8(""));
  CHECK(sb::is_utf8("plain ascii"));
  CHECK(sb::is_utf8("\xe9\x80\x80\xc3\xa9\xf0\x9f\x98\x80"));  // 退 é 😀
  CHECK(sb::is_utf8(std::string("nul\0inside", 11)));
  CHECK_FALSE(sb::is_utf8("\x80"));              // a stray continuation byte
  CHECK_FALSE(sb::is_utf8("\xe0\xa4"));          // cut short
  CHECK_FALSE(sb::is_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(sb::is_utf8("\xe0\x80\xaf"));      // overlong '/'
  CHECK_FALSE(sb::is_utf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(sb::is_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(sb::is_utf8("\xff"));
  CHECK(sb::valid_utf8("a\xff"
                       "b") ==
        "a\xef\xbf\xbd"
        "b");
  CHECK(sb::valid_utf8("\xe0\xa4") == "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(sb::valid_utf8("\xe9\x80\x80") == "\xe9\x80\x80");
  CHECK(sb::is_utf8(sb::valid_utf8("\xf0\x9f\x98")));
}
