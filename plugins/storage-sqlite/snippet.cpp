#include "snippet.hpp"

namespace switchboard::sqlite {

size_t code_points(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

namespace {

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Byte offset of needle in text, ASCII case-insensitive; npos when absent.
size_t find_folded(std::string_view text, std::string_view needle) {
  if (needle.empty() || needle.size() > text.size()) return std::string_view::npos;
  for (size_t i = 0; i + needle.size() <= text.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && ascii_lower(text[i + j]) == ascii_lower(needle[j])) ++j;
    if (j == needle.size()) return i;
  }
  return std::string_view::npos;
}

// Moves a byte offset back/forward over n code points, staying on a boundary.
size_t back_code_points(std::string_view text, size_t at, size_t n) {
  while (at > 0 && n > 0) {
    --at;
    while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
    --n;
  }
  return at;
}
size_t forward_code_points(std::string_view text, size_t at, size_t n) {
  while (at < text.size() && n > 0) {
    ++at;
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
    --n;
  }
  return at;
}

constexpr size_t kSnippetBefore = 30;   // code points kept before the match
constexpr size_t kSnippetLength = 100;  // code points in all

}  // namespace

// The message text around the first match of q: the whole text when it is short,
// else about kSnippetLength characters with "…" where it was cut.
std::string snippet(std::string_view text, std::string_view q) {
  if (code_points(text) <= kSnippetLength) return std::string(text);
  size_t match = find_folded(text, q);
  if (match == std::string_view::npos) match = 0;
  const size_t start = back_code_points(text, match, kSnippetBefore);
  const size_t end = forward_code_points(text, start, kSnippetLength);
  std::string out;
  if (start > 0) out += "\u2026";
  out.append(text.substr(start, end - start));
  if (end < text.size()) out += "\u2026";
  return out;
}

}  // namespace switchboard::sqlite
