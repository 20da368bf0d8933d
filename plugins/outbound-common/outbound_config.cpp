#include "outbound_config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace switchboard::outbound {

namespace json = boost::json;

namespace {

[[noreturn]] void bad(std::string_view plugin, std::string_view key, const std::string& why) {
  throw std::invalid_argument(std::string(plugin) + ": " + std::string(key) + " " + why);
}

// Also refuses what is too long for a name: keys are long, variable names short.
bool is_env_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || (name.front() >= '0' && name.front() <= '9'))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

std::string read_api_key(const json::object& table, const EnvLookup& env, std::string_view plugin,
                         std::string_view example_variable) {
  const json::value* value = table.if_contains("api_key_env");
  if (!value) return {};
  if (!value->is_string()) bad(plugin, "api_key_env", "must be a string");
  const std::string name(value->get_string());
  if (!is_env_name(name)) {
    // Likely the key itself pasted here: never echo it back into a log.
    bad(plugin, "api_key_env",
        "must be the NAME of an environment variable that holds the key (letters, digits, "
        "'_'), e.g. \"" +
            std::string(example_variable) + "\"; never the key itself");
  }
  const std::optional<std::string> key = env(name);
  if (!key || key->empty())
    bad(plugin, "api_key_env",
        "names the environment variable " + name +
            ", which is not set (or empty) in the server's environment");
  if (key->find_first_of("\r\n") != std::string::npos)
    bad(plugin, "api_key_env", "names a variable whose value spans several lines");
  return *key;
}

Headers read_headers(const json::object& table, std::string_view plugin,
                     std::initializer_list<std::string_view> plugin_sets) {
  Headers headers;
  const json::value* value = table.if_contains("headers");
  if (!value) return headers;
  if (!value->is_object())
    bad(plugin, "headers", "must be a table of header names and text values");
  for (const auto& [name, header_value] : value->get_object()) {
    const std::string key = "headers." + std::string(name);
    if (name.empty() || name.find_first_of(" :\r\n") != json::string_view::npos)
      bad(plugin, key, "is not a valid header name");
    if (!header_value.is_string()) bad(plugin, key, "must be a string");
    const json::string_view text = header_value.get_string();
    if (text.find_first_of("\r\n") != json::string_view::npos) bad(plugin, key, "must be one line");
    const std::string lowered = lower(name);
    if (lowered == "authorization")
      bad(plugin, key,
          "is not allowed: put the key in an environment variable and name it in api_key_env");
    const bool plugin_sets_it =
        std::find(plugin_sets.begin(), plugin_sets.end(), lowered) != plugin_sets.end();
    if (plugin_sets_it || lowered == "content-type" || lowered == "content-length" ||
        lowered == "host")
      bad(plugin, key, "is set by the plugin and the HTTP client");
    headers.emplace_back(std::string(name), std::string(text));
  }
  return headers;
}

}  // namespace switchboard::outbound
