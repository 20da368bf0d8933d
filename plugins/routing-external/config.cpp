#include "config.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace routing_external {

namespace json = boost::json;

namespace {

[[noreturn]] void bad(std::string_view key, const std::string& why) {
  throw std::invalid_argument("routing-external: " + std::string(key) + " " + why);
}

const json::value* find(const json::object& table, std::string_view key) {
  const auto it = table.find(key);
  return it == table.end() ? nullptr : &it->value();
}

std::string read_url(const json::object& table) {
  const json::value* value = find(table, "url");
  if (!value)
    bad("url",
        "is required: the endpoint that names the agent, e.g. \"https://desk.example/route\"");
  if (!value->is_string()) bad("url", "must be a string");
  std::string url(value->get_string());
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    bad("url", "must start with http:// or https://");
  return url;
}

uint32_t read_timeout(const json::object& table) {
  constexpr int64_t kDefault = 2000, kMax = 60000;
  const json::value* value = find(table, "timeout_ms");
  if (!value) return kDefault;
  const auto* number = value->if_int64();
  if (!number || *number < 1 || *number > kMax)
    bad("timeout_ms", "must be an integer from 1 to " + std::to_string(kMax));
  return static_cast<uint32_t>(*number);
}

// Also refuses what is too long for a name: keys are long, variable names short.
bool is_env_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || (name.front() >= '0' && name.front() <= '9'))
    return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// The key from the named variable; empty when no variable is named.
std::string read_api_key(const json::object& table, const EnvLookup& env) {
  const json::value* value = find(table, "api_key_env");
  if (!value) return {};
  if (!value->is_string()) bad("api_key_env", "must be a string");
  const std::string name(value->get_string());
  if (!is_env_name(name)) {
    // Likely the key itself pasted here: never echo it back into a log.
    bad("api_key_env",
        "must be the NAME of an environment variable that holds the key (letters, digits, "
        "'_'), e.g. \"DESK_ROUTER_KEY\"; never the key itself");
  }
  const std::optional<std::string> key = env(name);
  if (!key || key->empty())
    bad("api_key_env", "names the environment variable " + name +
                           ", which is not set (or empty) in the server's environment");
  if (key->find_first_of("\r\n") != std::string::npos)
    bad("api_key_env", "names a variable whose value spans several lines");
  return *key;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void read_headers(const json::object& table, Config& config) {
  const json::value* value = find(table, "headers");
  if (!value) return;
  if (!value->is_object()) bad("headers", "must be a table of header names and text values");
  for (const auto& [name, header_value] : value->get_object()) {
    const std::string key = "headers." + std::string(name);
    if (name.empty() || name.find_first_of(" :\r\n") != json::string_view::npos)
      bad(key, "is not a valid header name");
    if (!header_value.is_string()) bad(key, "must be a string");
    const json::string_view text = header_value.get_string();
    if (text.find_first_of("\r\n") != json::string_view::npos) bad(key, "must be one line");
    const std::string lowered = lower(name);
    if (lowered == "authorization")
      bad(key, "is not allowed: put the key in an environment variable and name it in api_key_env");
    if (lowered == "content-type" || lowered == "content-length" || lowered == "host")
      bad(key, "is set by the plugin and the HTTP client");
    config.headers.emplace_back(std::string(name), std::string(text));
  }
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

Config read_config(std::string_view config_json, const EnvLookup& env) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(config_json.empty() ? "{}" : config_json, ec);
  if (ec || !parsed.is_object())
    throw std::invalid_argument("routing-external: config is not a table");
  const json::object& table = parsed.get_object();

  Config config;
  config.url = read_url(table);
  config.timeout_ms = read_timeout(table);
  read_headers(table, config);
  config.headers.emplace_back("Content-Type", "application/json");
  if (std::string key = read_api_key(table, env); !key.empty())
    config.headers.emplace_back("Authorization", "Bearer " + key);
  return config;
}

}  // namespace routing_external
