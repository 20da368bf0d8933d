#include "config/server_config.hpp"

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>

#include "common/address_ranges.hpp"
#include "config/table_reader.hpp"
#include "config/toml_json.hpp"

namespace sb::config {

namespace {

using Presence = TableReader::Presence;

constexpr int64_t kMaxIoThreads = 1024;
constexpr int64_t kHourMs = 3'600'000;
// An HSTS max-age past two years is refused as a likely mistake (browsers cap it lower).
constexpr int64_t kMaxHstsSeconds = 2 * 31'536'000;
constexpr std::array kLogLevels{"trace", "debug", "info", "warn", "error"};

// A path key: a non-empty string.
void read_path(TableReader& table, std::string_view key, std::filesystem::path& out) {
  std::string text;
  if (!table.string(key, text)) return;
  if (text.empty()) {
    table.sink().add(table.where(key), table.key_path(key), "must not be empty");
    return;
  }
  out = text;
}

// A list of IP addresses and CIDR ranges; every entry that is neither is reported.
void read_address_ranges(TableReader& table, std::string_view key, std::vector<std::string>& out) {
  std::vector<std::string> entries;
  if (!table.string_array(key, entries)) return;
  AddressRanges check;
  bool all_valid = true;
  for (const auto& entry : entries) {
    if (check.add(entry)) continue;
    all_valid = false;
    table.sink().add(table.where(key), table.key_path(key),
                     "'" + entry +
                         "' is not an IP address or a CIDR range (10.0.0.1, 10.0.0.0/8, "
                         "fd00::/8)");
  }
  if (all_valid) out = std::move(entries);
}

void read_server(TableReader& server, ServerConfig& config) {
  std::string listen;
  if (server.string("listen", listen) &&
      !parse_listen(listen, config.listen_host, config.listen_port)) {
    server.sink().add(
        server.toml_table().get("listen")->source(), server.key_path("listen"),
        "'" + listen + "' is not HOST:PORT (an IPv4 address, localhost, or [IPv6]; port 0-65535)");
  }
  server.integer("io_threads", config.io_threads, 0, kMaxIoThreads);
  read_path(server, "data_dir", config.data_dir);
  read_path(server, "plugin_dir", config.plugin_dir);
  read_path(server, "tenants_dir", config.tenants_dir);
  read_path(server, "web_dir", config.web_dir);
  server.integer("tenant_reload_interval_ms", config.tenant_reload_interval_ms, 10, kHourMs);
  server.integer("retention_interval_ms", config.retention_interval_ms, 100, 24 * kHourMs);
  read_address_ranges(server, "trusted_proxies", config.trusted_proxies);
  server.reject_unknown();
}

void read_storage(TableReader& storage, ServerConfig& config) {
  std::string plugin;
  if (storage.string("default_plugin", plugin)) {
    if (plugin.empty())
      storage.sink().add(storage.where("default_plugin"), storage.key_path("default_plugin"),
                         "must not be empty");
    else
      config.default_storage_plugin = plugin;
  }
  storage.reject_unknown();
}

void read_limits(TableReader& limits, ServerConfig& config) {
  limits.integer("max_connections", config.max_connections, 1, 10'000'000);
  limits.integer("max_connections_per_address", config.max_connections_per_address, 0, 10'000'000);
  read_address_ranges(limits, "unlimited_addresses", config.unlimited_addresses);
  limits.integer("handshake_timeout_ms", config.handshake_timeout_ms, 100, kHourMs);
  limits.integer("max_header_bytes", config.max_header_bytes, 1024, 1 << 20);
  limits.integer("transfer_idle_timeout_ms", config.transfer_idle_timeout_ms, 100, kHourMs);
  limits.integer("min_transfer_bytes_per_second", config.min_transfer_bytes_per_second, 0, 1 << 30);
  limits.integer("hello_timeout_ms", config.hello_timeout_ms, 100, kHourMs);
  limits.integer("websocket_ping_ms", config.websocket_ping_ms, 100, kHourMs);
  limits.integer("send_queue_max_bytes", config.send_queue_max_bytes, 1024, int64_t{1} << 32);
  limits.reject_unknown();
}

void read_plugins(TableReader& plugins, ServerConfig& config) {
  plugins.integer("call_timeout_ms", config.plugin_call_timeout_ms, 1, kHourMs);
  plugins.integer("breaker_failures", config.breaker_failures, 1, 1'000'000);
  plugins.integer("breaker_cooldown_ms", config.breaker_cooldown_ms, 0, kHourMs);
  plugins.reject_unknown();
}

void read_tls(TableReader& tls, ServerConfig& config) {
  read_path(tls, "cert_file", config.tls_cert_file);
  read_path(tls, "key_file", config.tls_key_file);
  std::string version;
  if (tls.string("min_version", version)) {
    if (version != "1.2" && version != "1.3")
      tls.sink().add(tls.where("min_version"), tls.key_path("min_version"),
                     "'" + version + "' is not one of 1.2, 1.3");
    else
      config.tls_min_version = version;
  }
  read_address_ranges(tls, "plain_http_from", config.tls_plain_http_from);
  tls.integer("hsts_max_age_s", config.tls_hsts_max_age_s, 0, kMaxHstsSeconds);
  // One without the other is a half-done setup, not a choice.
  const bool cert = !config.tls_cert_file.empty();
  const bool key = !config.tls_key_file.empty();
  if (cert != key) {
    const std::string_view given = cert ? "cert_file" : "key_file";
    tls.sink().add(tls.where(given), tls.key_path(given),
                   cert ? "needs key_file too (the certificate's private key)"
                        : "needs cert_file too (the certificate for this key)");
  }
  tls.reject_unknown();
}

// A node's name: what the cluster bus and storage-postgres's leases know it by.
bool valid_node_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

void read_cluster(TableReader& cluster, ServerConfig& config) {
  ClusterConfig out;
  out.line = cluster.toml_table().source().begin.line;
  std::string plugin;
  if (cluster.string("plugin", plugin)) {
    if (plugin.empty())
      cluster.sink().add(cluster.where("plugin"), cluster.key_path("plugin"), "must not be empty");
    else
      out.plugin = plugin;
  }
  if (cluster.string("node_id", out.node_id, Presence::required) && !valid_node_id(out.node_id))
    cluster.sink().add(cluster.where("node_id"), cluster.key_path("node_id"),
                       "must be 1..128 bytes of letters, digits, '-', '_' and '.'");
  cluster.integer("heartbeat_ms", out.heartbeat_ms, 100, 60'000);
  cluster.integer("lease_ms", out.lease_ms, 1000, 600'000);
  cluster.integer("command_timeout_ms", out.command_timeout_ms, 100, 600'000);
  if (cluster.string("rest_url", out.rest_url)) {
    const std::string_view url = out.rest_url;
    const size_t scheme = url.starts_with("http://") ? 7 : url.starts_with("https://") ? 8 : 0;
    if (scheme == 0 || url.size() == scheme || url.find('/', scheme) != std::string_view::npos)
      cluster.sink().add(cluster.where("rest_url"), cluster.key_path("rest_url"),
                         "must be http://host:port or https://host:port, without a path");
  }
  if (const toml::table* bus = cluster.table("bus")) {
    for (auto&& [key, value] : *bus) {
      ClusterConfig::Key k;
      k.name = std::string(key.str());
      k.type = value.type();
      k.text = toml_to_text(value);
      k.line = value.source().begin.line;
      k.column = value.source().begin.column;
      out.bus_keys.push_back(std::move(k));
    }
    out.bus_json = boost::json::serialize(toml_to_json(*bus));
  }
  cluster.reject_unknown();
  // What a cluster keeps must be where every node reads it (and a lease fences it).
  if (config.default_storage_plugin != "storage-postgres")
    cluster.sink().add(cluster.where(""), "cluster",
                       "a node of a cluster keeps tenants in PostgreSQL: set [storage] "
                       "default_plugin = \"storage-postgres\" (it is \"" +
                           config.default_storage_plugin + "\")");
  config.cluster = std::move(out);
}

void read_log(TableReader& log, ServerConfig& config) {
  std::string level;
  if (log.string("level", level)) {
    if (std::find(kLogLevels.begin(), kLogLevels.end(), level) == kLogLevels.end())
      log.sink().add(log.where("level"), log.key_path("level"),
                     "'" + level + "' is not one of trace, debug, info, warn, error");
    else
      config.log_level = level;
  }
  log.reject_unknown();
}

}  // namespace

std::optional<ServerConfig> load_server_config(const std::filesystem::path& file,
                                               ConfigErrors& errors) {
  ErrorSink sink(file.string(), errors);
  auto text = read_file_text(file, sink);
  if (!text) return std::nullopt;
  auto root = parse_toml(*text, sink);
  if (!root) return std::nullopt;

  ServerConfig config;
  TableReader top(*root, "", sink);
  // Each section is optional; a missing one keeps its defaults.
  auto section = [&](std::string_view name, void (*read)(TableReader&, ServerConfig&)) {
    if (const toml::table* table = top.table(name)) {
      TableReader reader(*table, std::string(name), sink);
      read(reader, config);
    }
  };
  section("server", read_server);
  section("storage", read_storage);
  section("limits", read_limits);
  section("plugins", read_plugins);
  section("tls", read_tls);
  section("log", read_log);
  section("cluster", read_cluster);  // after [storage], which it checks
  top.reject_unknown();

  sink.sort_by_position();
  if (sink.count()) return std::nullopt;
  return config;
}

}  // namespace sb::config
