#include "script_folding.hpp"

#include <opencc/opencc.h>

#include <stdexcept>

namespace switchboard::faq {
namespace {

bool has_non_ascii(std::string_view text) {
  for (unsigned char c : text)
    if (c >= 0x80) return true;
  return false;
}

}  // namespace

ScriptFolding::ScriptFolding(const std::string& config) : converter_(opencc_open(config.c_str())) {
  if (converter_ == reinterpret_cast<void*>(-1))
    throw std::runtime_error("OpenCC cannot open " + config + ": " + opencc_error() +
                             " (Debian: apt-get install opencc libopencc1.1)");
}

ScriptFolding::~ScriptFolding() {
  opencc_close(static_cast<opencc_t>(converter_));
}

std::string ScriptFolding::fold(std::string_view text) const {
  if (!has_non_ascii(text)) return std::string(text);  // nothing OpenCC would change
  std::lock_guard lock(mutex_);
  char* converted =
      opencc_convert_utf8(static_cast<opencc_t>(converter_), text.data(), text.size());
  if (!converted) return std::string(text);
  std::string out(converted);
  opencc_convert_utf8_free(converted);
  return out;
}

}  // namespace switchboard::faq
