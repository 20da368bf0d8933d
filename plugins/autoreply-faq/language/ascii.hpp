#pragma once
// A small helper the analyzer's files share (text_analyzer.cpp, text_analyzer_owners.cpp,
// chinese_acts.cpp): whether a word or text is plain ASCII (English, digits) rather than
// Chinese or another script.
#include <algorithm>
#include <string_view>

namespace switchboard::faq::detail {

inline bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace switchboard::faq::detail
