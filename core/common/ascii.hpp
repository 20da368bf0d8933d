// Case-insensitive comparison of ASCII text (HTTP header names, "https" in
// X-Forwarded-Proto), reading only the bytes of the two views.
//
// Not boost::beast::iequals: the Boost 1.74 that Debian 12 ships reads one byte past
// the end of its first argument once two characters differ in case only (found by
// the http_target fuzz harness: "Https" at the end of a request's buffer).
#pragma once

#include <cstddef>
#include <string_view>

namespace sb {

constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

}  // namespace sb
