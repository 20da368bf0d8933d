#include "provider_config.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace llm_openai {

namespace json = boost::json;

namespace {

[[noreturn]] void bad(std::string_view key, const std::string& why) {
  throw std::invalid_argument("llm-openai: " + std::string(key) + " " + why);
}

const json::value* find(const json::object& table, std::string_view key) {
  const auto it = table.find(key);
  return it == table.end() ? nullptr : &it->value();
}

std::string required_string(const json::object& table, std::string_view key) {
  const json::value* value = find(table, key);
  if (!value) bad(key, "is required");
  if (!value->is_string() || value->get_string().empty()) bad(key, "must be a non-empty string");
  return std::string(value->get_string());
}

int64_t integer(const json::object& table, std::string_view key, int64_t fallback, int64_t min,
                int64_t max) {
  const json::value* value = find(table, key);
  if (!value) return fallback;
  const auto* number = value->if_int64();
  if (!number || *number < min || *number > max)
    bad(key, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return *number;
}

// Also refuses what is too long for a name: API keys are long, variable names short.
bool is_env_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || (name.front() >= '0' && name.front() <= '9'))
    return false;
  for (char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string read_base_url(const json::object& table) {
  std::string url = required_string(table, "base_url");
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    bad("base_url", "must start with http:// or https://, like \"https://api.openai.com/v1\"");
  while (url.ends_with('/')) url.pop_back();
  // A pasted endpoint instead of the base is a common slip; say so instead of
  // posting to .../chat/completions/chat/completions.
  if (url.ends_with("/chat/completions"))
    bad("base_url", "is the API's base (e.g. \".../v1\"), without \"/chat/completions\"");
  return url;
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
        "'_'), e.g. \"OPENAI_API_KEY\"; never the key itself");
  }
  std::optional<std::string> key = env(name);
  if (!key || key->empty())
    bad("api_key_env", "names the environment variable " + name +
                           ", which is not set (or empty) in the server's environment");
  return *key;
}

json::object read_headers(const json::object& table) {
  json::object headers;
  const json::value* value = find(table, "headers");
  if (!value) return headers;
  if (!value->is_object()) bad("headers", "must be a table of header names and text values");
  for (const auto& [name, header_value] : value->get_object()) {
    const std::string key = "headers." + std::string(name);
    if (name.empty() || name.find_first_of(" :\r\n") != json::string_view::npos)
      bad(key, "is not a valid header name");
    if (!header_value.is_string()) bad(key, "must be a string");
    const json::string_view text = header_value.get_string();
    if (text.find_first_of("\r\n") != json::string_view::npos) bad(key, "must be one line");
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "authorization")
      bad(key, "is not allowed: put the key in an environment variable and name it in api_key_env");
    if (lower == "content-type" || lower == "content-length" || lower == "host")
      bad(key, "is set by the plugin and the HTTP client");
    headers[name] = text;
  }
  return headers;
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

ProviderConfig read_config(std::string_view config_json, const EnvLookup& env) {
  boost::system::error_code ec;
  json::value parsed = json::parse(config_json, ec);
  if (ec || !parsed.is_object()) throw std::invalid_argument("llm-openai: config is not a table");
  const json::object& table = parsed.get_object();

  ProviderConfig config;
  config.chat_url = read_base_url(table) + "/chat/completions";
  config.model = required_string(table, "model");
  if (const json::value* stream = find(table, "stream")) {
    if (!stream->is_bool()) bad("stream", "must be true or false");
    config.stream = stream->get_bool();
  }
  if (const json::value* temperature = find(table, "temperature")) {
    if (!temperature->is_number()) bad("temperature", "must be a number");
    const double t = temperature->to_number<double>();
    if (!(t >= 0.0 && t <= 2.0)) bad("temperature", "must be from 0 to 2");
    config.temperature = t;
  }
  config.max_tokens = static_cast<uint32_t>(integer(table, "max_tokens", 0, 0, 1000000));
  config.timeout_ms =
      static_cast<uint32_t>(integer(table, "timeout_ms", config.timeout_ms, 1, 600000));

  json::object headers = read_headers(table);
  headers["Content-Type"] = "application/json";
  headers["Accept"] = config.stream ? "text/event-stream" : "application/json";
  if (std::string key = read_api_key(table, env); !key.empty()) {
    if (key.find_first_of("\r\n") != std::string::npos)
      bad("api_key_env", "names a variable whose value spans several lines");
    headers["Authorization"] = "Bearer " + key;
  }
  for (const auto& [name, value] : headers)
    config.headers.emplace_back(std::string(name), std::string(value.get_string()));
  return config;
}

}  // namespace llm_openai
