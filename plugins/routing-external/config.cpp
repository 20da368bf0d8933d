#include "config.hpp"

#include <boost/json.hpp>
#include <stdexcept>

namespace switchboard::routing_external {

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

}  // namespace

Config read_config(std::string_view config_json, const EnvLookup& env) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(config_json.empty() ? "{}" : config_json, ec);
  if (ec || !parsed.is_object())
    throw std::invalid_argument("routing-external: config is not a table");
  const json::object& table = parsed.get_object();

  Config config;
  config.url = read_url(table);
  config.timeout_ms = read_timeout(table);
  config.headers = switchboard::outbound::read_headers(table, "routing-external");
  config.headers.emplace_back("Content-Type", "application/json");
  if (std::string key =
          switchboard::outbound::read_api_key(table, env, "routing-external", "DESK_ROUTER_KEY");
      !key.empty())
    config.headers.emplace_back("Authorization", "Bearer " + key);
  return config;
}

}  // namespace switchboard::routing_external
