#pragma once
// Reading an auto-reply plugin's [plugins.NAME] table, as the host hands it over
// (sb_instance_args.config_json: the table as a JSON object, key types already
// checked against the plugin's declared keys). What the host cannot check, ranges
// and required keys, is checked here; a bad value throws std::invalid_argument
// naming the key ("threshold: must be between 0 and 1 (is 1.5)"), which instance_new
// turns into its error.
#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::autoreply {

class StageConfig {
 public:
  explicit StageConfig(std::string_view config_json);

  double number(std::string_view key, double fallback, double min, double max) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) const;
  bool boolean(std::string_view key, bool fallback) const;
  // "" when absent.
  std::string string(std::string_view key) const;
  // Each element non-blank. `required`: present with at least one element.
  std::vector<std::string> strings(std::string_view key, bool required) const;
  bool has(std::string_view key) const { return object_.contains(key); }

 private:
  boost::json::object object_;
};

// A file named in the config: relative names are relative to the directory of the
// tenant's TOML file (sb_instance_args.config_dir), as the ABI says.
std::filesystem::path resolve_file(const std::filesystem::path& config_dir, std::string_view name);

}  // namespace switchboard::autoreply
