// The config of cluster-redis: the server's [cluster] table (see README.md).
#include <charconv>
#include <stdexcept>
#include <string_view>

#include "bus.hpp"

namespace switchboard::redis {

const sb_config_key kConfigKeys[] = {
    {sizeof(sb_config_key), SB_CONFIG_STRING, "address"},
    {sizeof(sb_config_key), SB_CONFIG_STRING, "password"},
    {sizeof(sb_config_key), SB_CONFIG_STRING, "node_id"},
    {sizeof(sb_config_key), SB_CONFIG_STRING, "key_prefix"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "connect_timeout_ms"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "command_timeout_ms"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "reconnect_max_ms"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "block_ms"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "heartbeat_ms"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "stream_max_len"},
};
const size_t kConfigKeyCount = sizeof(kConfigKeys) / sizeof(kConfigKeys[0]);

namespace {

bool lookup(const sb::Host& host, const char* key, std::string_view& out) {
  sb_str value{nullptr, 0};
  if (!host.api->config_get || !host.api->config_get(host.ctx, key, &value)) return false;
  out = sb::view(value);
  return true;
}

int64_t read_integer(const sb::Host& host, const char* key, int64_t fallback, int64_t min,
                     int64_t max) {
  std::string_view text;
  if (!lookup(host, key, text)) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw std::invalid_argument("cluster-redis: " + std::string(key) + " must be an integer from " +
                                std::to_string(min) + " to " + std::to_string(max) + ", not '" +
                                std::string(text) + "'");
  }
  return value;
}

bool plain_name(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (const char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return false;
  return true;
}

}  // namespace

BusConfig read_config(const sb::Host& host) {
  BusConfig config;
  std::string_view text;
  if (lookup(host, "address", text)) {
    // host:port; an IPv6 address in brackets: [::1]:6379.
    const size_t colon = text.rfind(':');
    int port = 0;
    std::string_view host_part = colon == std::string_view::npos ? text : text.substr(0, colon);
    const std::string_view port_part =
        colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
    auto [end, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), port);
    if (host_part.size() > 2 && host_part.front() == '[' && host_part.back() == ']')
      host_part = host_part.substr(1, host_part.size() - 2);
    if (host_part.empty() || ec != std::errc() || end != port_part.data() + port_part.size() ||
        port < 1 || port > 65535) {
      throw std::invalid_argument(
          "cluster-redis: address must be host:port (e.g. "
          "\"127.0.0.1:6379\"), not '" +
          std::string(text) + "'");
    }
    config.host = std::string(host_part);
    config.port = port;
  }
  if (lookup(host, "password", text)) config.password = std::string(text);
  if (!lookup(host, "node_id", text) || !plain_name(text))
    throw std::invalid_argument(
        "cluster-redis: node_id is required: this node's name, 1..128 bytes of [A-Za-z0-9_.-], "
        "unique in the cluster");
  config.node_id = std::string(text);
  if (lookup(host, "key_prefix", text)) {
    if (text.size() > 64 || (!text.empty() && !valid_name(text)))
      throw std::invalid_argument(
          "cluster-redis: key_prefix must be at most 64 bytes of printable ASCII without spaces");
    config.key_prefix = std::string(text);
  }
  using std::chrono::milliseconds;
  config.connect_timeout = milliseconds(read_integer(host, "connect_timeout_ms", 2000, 100, 60000));
  config.command_timeout = milliseconds(read_integer(host, "command_timeout_ms", 2000, 100, 60000));
  config.reconnect_max = milliseconds(read_integer(host, "reconnect_max_ms", 2000, 100, 60000));
  config.block = milliseconds(read_integer(host, "block_ms", 1000, 10, 60000));
  config.heartbeat = milliseconds(read_integer(host, "heartbeat_ms", 1000, 100, 60000));
  config.stream_max_len = read_integer(host, "stream_max_len", 100000, 100, 100000000);
  return config;
}

}  // namespace switchboard::redis
