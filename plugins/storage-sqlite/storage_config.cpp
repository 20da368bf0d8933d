#include "storage_config.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>
#include <string_view>

namespace switchboard::sqlite {

const sb_config_key kConfigKeys[] = {
    {sizeof(sb_config_key), SB_CONFIG_STRING, "file"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "max_batch_messages"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "commit_delay_us"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "cache_mib"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "checkpoint_pages"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "max_pending_messages"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "busy_timeout_ms"},
    {sizeof(sb_config_key), SB_CONFIG_BOOLEAN, "durable_log"},
    {sizeof(sb_config_key), SB_CONFIG_INTEGER, "durable_log_apply_ms"},
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
    throw std::invalid_argument("storage-sqlite: " + std::string(key) +
                                " must be an integer from " + std::to_string(min) + " to " +
                                std::to_string(max) + ", not '" + std::string(text) + "'");
  }
  return value;
}

}  // namespace

StorageConfig read_config(const HostRef& host) {
  StorageConfig config;
  if (std::string_view file; lookup(host, "file", file)) {
    if (file.empty() || file == "." || file == ".." || file.find('/') != std::string_view::npos ||
        file.find('\0') != std::string_view::npos) {
      throw std::invalid_argument(
          "storage-sqlite: file must be a plain file name inside the tenant's data "
          "directory (no '/' or '..'), not '" +
          std::string(file) + "'");
    }
    config.file = std::string(file);
  }
  config.max_batch_messages = static_cast<size_t>(read_integer(
      host, "max_batch_messages", static_cast<int64_t>(config.max_batch_messages), 1, 1000000));
  config.commit_delay_us =
      static_cast<int>(read_integer(host, "commit_delay_us", config.commit_delay_us, 0, 100000));
  config.cache_mib = static_cast<int>(read_integer(host, "cache_mib", config.cache_mib, 1, 65536));
  config.checkpoint_pages = static_cast<int>(
      read_integer(host, "checkpoint_pages", config.checkpoint_pages, 100, 1000000));
  config.max_pending_messages = static_cast<size_t>(
      read_integer(host, "max_pending_messages", static_cast<int64_t>(config.max_pending_messages),
                   1, 100000000));
  config.busy_timeout_ms = static_cast<int>(read_integer(
      host, "busy_timeout_ms", config.busy_timeout_ms, 0, std::numeric_limits<int>::max()));
  if (std::string_view on; lookup(host, "durable_log", on)) {
    if (on != "true" && on != "false")
      throw std::invalid_argument("storage-sqlite: durable_log must be true or false, not '" +
                                  std::string(on) + "'");
    config.durable_log = on == "true";
  }
  config.durable_log_apply_ms = static_cast<int>(
      read_integer(host, "durable_log_apply_ms", config.durable_log_apply_ms, 1, 60000));
  return config;
}

}  // namespace switchboard::sqlite
