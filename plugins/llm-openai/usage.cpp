#include "usage.hpp"

namespace switchboard::llm_openai {

namespace {

bool is_wide_script(uint32_t cp) {
  return (cp >= 0x2E80 && cp <= 0x9FFF) ||  // CJK radicals, kana, CJK ideographs
         (cp >= 0xAC00 && cp <= 0xD7AF) ||  // Hangul syllables
         (cp >= 0xF900 && cp <= 0xFAFF) ||  // CJK compatibility ideographs
         (cp >= 0xFF00 && cp <= 0xFFEF) ||  // full-width forms
         (cp >= 0x20000 && cp <= 0x3FFFF);  // CJK extensions B and later
}

}  // namespace

uint64_t estimate_tokens(std::string_view utf8) {
  uint64_t wide = 0;
  uint64_t other_bytes = 0;
  for (size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    uint32_t cp = length == 1   ? lead
                  : length == 2 ? lead & 0x1F
                  : length == 3 ? lead & 0x0F
                                : lead & 0x07;
    for (size_t k = 1; k < length && i + k < utf8.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    if (is_wide_script(cp))
      ++wide;
    else
      other_bytes += length;
    i += length;
  }
  return wide + (other_bytes + 3) / 4;
}

}  // namespace switchboard::llm_openai
