#include "common/utf8.hpp"

#include <boost/locale/utf.hpp>

namespace sb {

namespace {

// The length of the well-formed sequence at `at`, or 0 when there is none. Boost.Locale's
// decoder refuses stray continuation bytes, overlong forms, surrogates and code points
// past U+10FFFF.
size_t sequence_at(std::string_view text, size_t at) {
  using traits = boost::locale::utf::utf_traits<char>;
  const char* const begin = text.data() + at;
  const char* next = begin;
  const auto c = traits::decode(next, text.data() + text.size());
  if (c == boost::locale::utf::illegal || c == boost::locale::utf::incomplete) return 0;
  return static_cast<size_t>(next - begin);
}

}  // namespace

bool is_utf8(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const size_t n = sequence_at(text, at);
    if (n == 0) return false;
    at += n;
  }
  return true;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const size_t n = sequence_at(text, at);
    if (n == 0) {
      out += "\xef\xbf\xbd";
      ++at;
    } else {
      out.append(text.substr(at, n));
      at += n;
    }
  }
  return out;
}

}  // namespace sb
