#include "provider_config.hpp"

#include <boost/json.hpp>
#include <stdexcept>

namespace switchboard::llm_openai {

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

}  // namespace

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

  config.headers = switchboard::outbound::read_headers(table, "llm-openai", {"accept"});
  config.headers.emplace_back("Content-Type", "application/json");
  config.headers.emplace_back("Accept", config.stream ? "text/event-stream" : "application/json");
  if (std::string key =
          switchboard::outbound::read_api_key(table, env, "llm-openai", "OPENAI_API_KEY");
      !key.empty())
    config.headers.emplace_back("Authorization", "Bearer " + key);
  return config;
}

}  // namespace switchboard::llm_openai
