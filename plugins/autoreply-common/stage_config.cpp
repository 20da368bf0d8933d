#include "stage_config.hpp"

#include <boost/json/parse.hpp>
#include <stdexcept>

#include "toml_list_reader.hpp"

namespace switchboard::autoreply {
namespace {

[[noreturn]] void bad(std::string_view key, const std::string& reason) {
  throw std::invalid_argument(std::string(key) + ": " + reason);
}

std::string shown(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

StageConfig::StageConfig(std::string_view config_json) {
  boost::system::error_code ec;
  auto value = boost::json::parse(config_json.empty() ? "{}" : config_json, ec);
  if (ec || !value.is_object()) throw std::invalid_argument("the config is not a JSON object");
  object_ = std::move(value.as_object());
}

double StageConfig::number(std::string_view key, double fallback, double min, double max) const {
  const auto* value = object_.if_contains(key);
  if (!value) return fallback;
  if (!value->is_number()) bad(key, "must be a number");
  const double number = value->to_number<double>();
  if (number < min || number > max) {
    bad(key,
        "must be between " + shown(min) + " and " + shown(max) + " (is " + shown(number) + ")");
  }
  return number;
}

std::int64_t StageConfig::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                  std::int64_t max) const {
  const auto* value = object_.if_contains(key);
  if (!value) return fallback;
  if (!value->is_int64()) bad(key, "must be an integer");
  const auto number = value->as_int64();
  if (number < min || number > max) {
    bad(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + " (is " +
                 std::to_string(number) + ")");
  }
  return number;
}

bool StageConfig::boolean(std::string_view key, bool fallback) const {
  const auto* value = object_.if_contains(key);
  if (!value) return fallback;
  if (!value->is_bool()) bad(key, "must be true or false");
  return value->as_bool();
}

std::string StageConfig::string(std::string_view key) const {
  const auto* value = object_.if_contains(key);
  if (!value) return {};
  if (!value->is_string()) bad(key, "must be a string");
  return std::string(value->as_string());
}

std::vector<std::string> StageConfig::strings(std::string_view key, bool required) const {
  std::vector<std::string> out;
  const auto* value = object_.if_contains(key);
  if (!value) {
    if (required) bad(key, "missing");
    return out;
  }
  if (!value->is_array()) bad(key, "must be an array of strings");
  const auto& array = value->as_array();
  if (required && array.empty()) bad(key, "must not be empty");
  for (std::size_t i = 0; i < array.size(); ++i) {
    const auto element_key = std::string(key) + "[" + std::to_string(i) + "]";
    if (!array[i].is_string()) bad(element_key, "must be a string");
    if (is_blank(array[i].as_string())) bad(element_key, "must not be empty");
    out.emplace_back(array[i].as_string());
  }
  return out;
}

std::filesystem::path resolve_file(const std::filesystem::path& config_dir, std::string_view name) {
  const std::filesystem::path path(name);
  return path.is_absolute() || config_dir.empty() ? path : config_dir / path;
}

}  // namespace switchboard::autoreply
