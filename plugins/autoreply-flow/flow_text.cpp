#include "flow_text.hpp"

#include <cstdint>

namespace switchboard::flow {
namespace {

bool is_ascii_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_name_char(unsigned char c) {
  return is_ascii_alnum(c) || c == '_';
}

// Decodes the UTF-8 sequence at text[i]; returns its length (1 for invalid bytes,
// which are passed through as they are).
std::size_t decode(std::string_view text, std::size_t i, std::uint32_t& code_point) {
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t length = c < 0x80           ? 1
                       : (c >> 5) == 0x6  ? 2
                       : (c >> 4) == 0xE  ? 3
                       : (c >> 3) == 0x1E ? 4
                                          : 0;
  if (length == 0 || i + length > text.size()) {
    code_point = 0xFFFD;
    return 1;
  }
  code_point = length == 1 ? c : length == 2 ? (c & 0x1F) : length == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) {
      code_point = 0xFFFD;
      return 1;
    }
    code_point = (code_point << 6) | (next & 0x3F);
  }
  return length;
}

bool is_cjk_ideograph(std::uint32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F);
}

}  // namespace

std::string normalize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    const std::size_t length = decode(text, i, cp);
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII
    if (cp == 0x3000) cp = ' ';                      // ideographic space
    if (cp < 0x80) {
      const auto c = static_cast<unsigned char>(cp);
      if (is_space(c)) {
        pending_space = !out.empty();
      } else {
        if (pending_space) out += ' ';
        pending_space = false;
        out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      }
    } else {
      if (pending_space) out += ' ';
      pending_space = false;
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

std::string normalize_answer(std::string_view text) {
  std::string out = normalize(text);
  for (bool trimmed = true; trimmed && !out.empty();) {
    trimmed = false;
    for (std::string_view mark : {".", "!", "?", "\xE3\x80\x82" /* 。 */}) {
      if (out.ends_with(mark)) {
        out.resize(out.size() - mark.size());
        trimmed = true;
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
  }
  return out;
}

bool contains_keyword(std::string_view text, std::string_view keyword) {
  if (keyword.empty()) return false;
  const bool check_start = is_ascii_alnum(static_cast<unsigned char>(keyword.front()));
  const bool check_end = is_ascii_alnum(static_cast<unsigned char>(keyword.back()));
  for (std::size_t at = text.find(keyword); at != std::string_view::npos;
       at = text.find(keyword, at + 1)) {
    const std::size_t end = at + keyword.size();
    const bool starts_word = !check_start || at == 0 || !is_ascii_alnum(text[at - 1]);
    const bool ends_word = !check_end || end == text.size() || !is_ascii_alnum(text[end]);
    if (starts_word && ends_word) return true;
  }
  return false;
}

std::string primary_language(std::string_view tag) {
  std::string out;
  for (char c : tag) {
    if (c == '-' || c == '_') break;
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

std::string guess_language(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    i += decode(text, i, cp);
    if (is_cjk_ideograph(cp)) return "zh";
  }
  return "";
}

const std::string& localize(const LocalizedText& text, std::string_view language,
                            std::string_view default_language) {
  static const std::string kEmpty;
  if (auto it = text.find(language); it != text.end()) return it->second;
  if (auto it = text.find(default_language); it != text.end()) return it->second;
  return text.empty() ? kEmpty : text.begin()->second;
}

std::string interpolate(std::string_view templ, const Params& params) {
  std::string out;
  out.reserve(templ.size());
  for (std::size_t i = 0; i < templ.size(); ++i) {
    const char c = templ[i];
    if ((c == '{' || c == '}') && i + 1 < templ.size() && templ[i + 1] == c) {
      out += c;
      ++i;
    } else if (c == '{') {
      const std::size_t close = templ.find('}', i);
      if (close == std::string_view::npos) {
        out.append(templ.substr(i));
        break;
      }
      if (auto it = params.find(templ.substr(i + 1, close - i - 1)); it != params.end())
        out += it->second;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

Placeholders placeholders(std::string_view templ) {
  Placeholders result;
  for (std::size_t i = 0; i < templ.size(); ++i) {
    const char c = templ[i];
    if ((c == '{' || c == '}') && i + 1 < templ.size() && templ[i + 1] == c) {
      ++i;
    } else if (c == '}') {
      result.error = "a '}' without '{' (write '}}' for a literal brace)";
      result.code = "stray_brace";
      return result;
    } else if (c == '{') {
      const std::size_t close = templ.find('}', i);
      if (close == std::string_view::npos) {
        result.error = "a '{' without '}' (write '{{' for a literal brace)";
        result.code = "unclosed_brace";
        return result;
      }
      const std::string_view name = templ.substr(i + 1, close - i - 1);
      bool valid = !name.empty();
      for (char n : name) valid = valid && is_name_char(static_cast<unsigned char>(n));
      if (!valid) {
        result.error = "'{" + std::string(name) + "}' is not a parameter name ([A-Za-z0-9_]+)";
        result.code = "bad_param_name";
        result.bad_name = std::string(name);
        return result;
      }
      result.names.emplace_back(name);
      i = close;
    }
  }
  return result;
}

}  // namespace switchboard::flow
