#include "pg_config.hpp"

#include <unistd.h>

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace switchboard::postgres {

const sb_config_key kConfigKeys[] = {
    {sizeof(sb_config_key), SB_CONFIG_STRING, "connection"},
    {sizeof(sb_config_key), SB_CONFIG_STRING, "node_id"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "lease_ms"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "partitions_ahead_months"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "max_batch_messages"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "max_pending_messages"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "statement_timeout_ms"},
    {sizeof(sb_config_key), SB_CONFIG_BOOLEAN, "read_only"},
};
const size_t kConfigKeyCount = sizeof(kConfigKeys) / sizeof(kConfigKeys[0]);

namespace {

bool lookup(const HostRef& host, const char* key, std::string_view& out) {
  sb_str value{nullptr, 0};
  if (!host.api->config_get || !host.api->config_get(host.ctx, key, &value)) return false;
  out = sb::view(value);
  return true;
}

int64_t read_integer(const HostRef& host, const char* key, int64_t fallback, int64_t min,
                     int64_t max) {
  std::string_view text;
  if (!lookup(host, key, text)) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw std::invalid_argument("storage-postgres: " + std::string(key) +
                                " must be an integer from " + std::to_string(min) + " to " +
                                std::to_string(max) + ", not '" + std::string(text) + "'");
  }
  return value;
}

std::string host_name() {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "node";
  return name;
}

}  // namespace

PgConfig read_config(const HostRef& host) {
  PgConfig config;
  std::string_view text;
  if (!lookup(host, "connection", text) || text.empty()) {
    throw std::invalid_argument(
        "storage-postgres: connection is required: a libpq connection string such as "
        "\"host=/run/postgresql dbname=switchboard user=switchboard\"");
  }
  config.connection = std::string(text);
  if (lookup(host, "node_id", text)) {
    if (text.empty() || text.size() > 128)
      throw std::invalid_argument("storage-postgres: node_id must be 1..128 bytes");
    config.node_id = std::string(text);
  } else {
    config.node_id = host_name();
  }
  config.lease_ms = read_integer(host, "lease_ms", config.lease_ms, 1000, 3600000);
  config.partitions_ahead_months =
      read_integer(host, "partitions_ahead_months", config.partitions_ahead_months, 0, 120);
  config.max_batch_messages = static_cast<size_t>(read_integer(
      host, "max_batch_messages", static_cast<int64_t>(config.max_batch_messages), 1, 100000));
  config.max_pending_messages = static_cast<size_t>(
      read_integer(host, "max_pending_messages", static_cast<int64_t>(config.max_pending_messages),
                   1, 100000000));
  config.statement_timeout_ms =
      read_integer(host, "statement_timeout_ms", config.statement_timeout_ms, 100, 3600000);
  if (lookup(host, "read_only", text)) {
    if (text != "true" && text != "false")
      throw std::invalid_argument("storage-postgres: read_only must be true or false");
    config.read_only = text == "true";
  }
  return config;
}

}  // namespace switchboard::postgres
