// One problem found in a configuration file, located precisely enough for a user
// to open the file and fix it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sb {

struct ConfigError {
  std::string file;   // path as given to the loader
  uint32_t line = 0;  // 1-based; 0 when unknown (e.g. file unreadable)
  uint32_t column = 0;
  std::string key;  // dotted key path, e.g. "limits.max_message_bytes"; may be empty
  std::string message;

  // "tenants/demo.toml:12:3: limits.max_message_bytes: must be between 1 and 1048576"
  std::string to_string() const;
};

using ConfigErrors = std::vector<ConfigError>;

}  // namespace sb
