// The server's own configuration, conf/switchboard.toml. The file's comments are the
// user-facing documentation of each key; this struct holds the values after
// validation, with the same defaults the shipped file shows.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/config_error.hpp"
#include "config/listen_address.hpp"

namespace sb::config {

// [cluster]: present only on a node of a deployment of several nodes
// (docs/cluster.md). Absent, the server is one node and loads no cluster plugin.
struct ClusterConfig {
  std::string plugin = "cluster-redis";  // a cluster-bus plugin
  std::string node_id;                   // this node's name, unique in the cluster
  // How often the node renews its entry in the live nodes (which expires after
  // three of these).
  uint32_t heartbeat_ms = 1000;
  // How long a tenant's lease in PostgreSQL lasts without renewal (its owner renews
  // it every third of that): a dead owner's tenants move after at most this. A
  // tenant file's own [plugins.storage-postgres] lease_ms wins.
  uint32_t lease_ms = 3000;
  // A command relayed to the tenant's owner and not answered within this is
  // answered `unavailable` (the client resends it).
  uint32_t command_timeout_ms = 5000;
  // Where the other nodes send REST requests about the tenants this node owns
  // ("http://host:port" or "https://name:port", no path). Empty: the listen address
  // and the bound port, over https when the server has a certificate.
  std::string rest_url;
  // [cluster.bus]: the plugin's own keys, as written. They are checked against the
  // keys the plugin declares once it is loaded (server/cluster_setup.hpp).
  struct Key {
    std::string name;
    toml::node_type type = toml::node_type::none;
    std::string text;  // what host->config_get returns for it
    uint32_t line = 0;
    uint32_t column = 0;
  };
  std::vector<Key> bus_keys;
  std::string bus_json = "{}";  // the [cluster.bus] table as a JSON object
  uint32_t line = 0;            // of the [cluster] table, for messages
};

struct ServerConfig {
  // [server]
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  unsigned io_threads = 0;  // 0 = hardware_concurrency
  std::filesystem::path data_dir = "var";
  std::filesystem::path plugin_dir = "build/plugins";
  std::filesystem::path tenants_dir = "tenants";
  // The built browser UIs (widget, console, admin, demo page), served at
  // /widget.js, /widget/, /console/, /admin/, /demo/ and /assets/.
  std::filesystem::path web_dir = "build/web";
  uint32_t tenant_reload_interval_ms = 1000;
  // How often the retention job deletes what tenants keep only for a while
  // ([retention] in a tenant file).
  uint32_t retention_interval_ms = 3'600'000;
  // Reverse proxies (addresses or CIDR ranges, as written) whose X-Forwarded-For and
  // X-Forwarded-Proto are believed; none by default.
  std::vector<std::string> trusted_proxies;
  // Not read from the file: the executable whose `password-helper` subcommand checks
  // passwords in processes of their own (auth/password_helpers.hpp). main() names
  // the server's own binary; empty (a server built into a test): the check threads
  // hash themselves.
  std::string password_helper;
  // [storage]
  std::string default_storage_plugin = "storage-sqlite";
  // [limits]
  uint32_t max_connections = 18000;
  uint32_t max_connections_per_address = 1000;  // 0 = no limit
  // Addresses and CIDR ranges, as written, that limit does not count.
  std::vector<std::string> unlimited_addresses = {"127.0.0.0/8", "::1"};
  uint32_t handshake_timeout_ms = 10000;
  uint32_t max_header_bytes = 16384;
  uint32_t transfer_idle_timeout_ms = 30000;
  uint32_t min_transfer_bytes_per_second = 500;  // 0 = no minimum
  uint32_t hello_timeout_ms = 30000;
  uint32_t websocket_ping_ms = 30000;
  std::size_t send_queue_max_bytes = 1 << 20;
  // [plugins]
  uint32_t plugin_call_timeout_ms = 5000;
  uint32_t breaker_failures = 5;
  uint32_t breaker_cooldown_ms = 10000;
  // [tls]: on when tls_cert_file is set (then tls_key_file must be too).
  std::filesystem::path tls_cert_file;
  std::filesystem::path tls_key_file;
  std::string tls_min_version = "1.2";  // "1.2" or "1.3"
  // Addresses and CIDR ranges, as written, that may still use plain HTTP on the port.
  std::vector<std::string> tls_plain_http_from = {"127.0.0.0/8", "::1"};
  // Strict-Transport-Security's max-age on answers over TLS; 0 sends none.
  uint32_t tls_hsts_max_age_s = 31536000;  // one year
  // [log]
  std::string log_level = "info";  // trace, debug, info, warn, error
  // [cluster]
  std::optional<ClusterConfig> cluster;
};

// Parses and validates the file. Every problem (syntax, unknown key or table, wrong
// type, value out of range) is appended to errors with file, line, column and dotted
// key; nullopt when there was any. Absent keys keep the defaults above.
std::optional<ServerConfig> load_server_config(const std::filesystem::path& file,
                                               ConfigErrors& errors);

}  // namespace sb::config
