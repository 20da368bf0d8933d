#include "common/config_error.hpp"

namespace sb {

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line) {
    out += ':' + std::to_string(line);
    if (column) out += ':' + std::to_string(column);
  }
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += message;
  return out;
}

}  // namespace sb
