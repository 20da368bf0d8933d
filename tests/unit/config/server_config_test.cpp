#include "config/server_config.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using sb::ConfigErrors;
using sb::config::load_server_config;
using sb::config::ServerConfig;

namespace {

// A config file in a fresh temporary directory, removed afterwards.
struct TempConfig {
  fs::path dir;
  fs::path file;
  explicit TempConfig(const std::string& text) {
    dir = fs::temp_directory_path() / ("sb-config-test-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    file = dir / "switchboard.toml";
    std::ofstream(file) << text;
  }
  ~TempConfig() { fs::remove_all(dir); }
};

const sb::ConfigError* error_for(const ConfigErrors& errors, const std::string& key) {
  for (const auto& error : errors)
    if (error.key == key) return &error;
  return nullptr;
}

std::string all(const ConfigErrors& errors) {
  std::string out;
  for (const auto& error : errors) out += error.to_string() + "\n";
  return out;
}

}  // namespace

TEST_CASE("the shipped conf/switchboard.toml is valid and matches the built-in defaults") {
  ConfigErrors errors;
  auto config =
      load_server_config(fs::path(SWITCHBOARD_SOURCE_DIR) / "conf/switchboard.toml", errors);
  INFO(all(errors));
  REQUIRE(config);
  ServerConfig defaults;
  CHECK(config->listen_host == defaults.listen_host);
  CHECK(config->listen_port == defaults.listen_port);
  CHECK(config->io_threads == defaults.io_threads);
  CHECK(config->data_dir == defaults.data_dir);
  CHECK(config->plugin_dir == defaults.plugin_dir);
  CHECK(config->tenants_dir == defaults.tenants_dir);
  CHECK(config->tenant_reload_interval_ms == defaults.tenant_reload_interval_ms);
  CHECK(config->default_storage_plugin == defaults.default_storage_plugin);
  CHECK(config->max_connections == defaults.max_connections);
  CHECK(config->handshake_timeout_ms == defaults.handshake_timeout_ms);
  CHECK(config->max_connections_per_address == defaults.max_connections_per_address);
  CHECK(config->unlimited_addresses == defaults.unlimited_addresses);
  CHECK(config->max_header_bytes == defaults.max_header_bytes);
  CHECK(config->transfer_idle_timeout_ms == defaults.transfer_idle_timeout_ms);
  CHECK(config->min_transfer_bytes_per_second == defaults.min_transfer_bytes_per_second);
  CHECK(config->hello_timeout_ms == defaults.hello_timeout_ms);
  CHECK(config->websocket_ping_ms == defaults.websocket_ping_ms);
  CHECK(config->trusted_proxies == defaults.trusted_proxies);
  CHECK(config->send_queue_max_bytes == defaults.send_queue_max_bytes);
  CHECK(config->plugin_call_timeout_ms == defaults.plugin_call_timeout_ms);
  CHECK(config->breaker_failures == defaults.breaker_failures);
  CHECK(config->breaker_cooldown_ms == defaults.breaker_cooldown_ms);
  CHECK(config->log_level == defaults.log_level);
  CHECK(config->tls_cert_file.empty());  // TLS is off until an operator names a certificate
  CHECK(config->tls_min_version == defaults.tls_min_version);
  CHECK(config->tls_hsts_max_age_s == defaults.tls_hsts_max_age_s);
  CHECK(config->tls_plain_http_from == defaults.tls_plain_http_from);
}

TEST_CASE("an empty file gives the defaults") {
  TempConfig file("");
  ConfigErrors errors;
  auto config = load_server_config(file.file, errors);
  REQUIRE(config);
  CHECK(errors.empty());
  CHECK(config->listen_port == 8080);
  CHECK(config->max_connections == 18000);
}

TEST_CASE("every value is read") {
  TempConfig file(R"([server]
listen = "[::1]:0"
io_threads = 3
data_dir = "/srv/sb"
plugin_dir = "/usr/lib/switchboard/plugins"
tenants_dir = "/etc/switchboard/tenants"
tenant_reload_interval_ms = 250
trusted_proxies = ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]
[storage]
default_plugin = "storage-postgres"
[limits]
max_connections = 500
handshake_timeout_ms = 2000
max_connections_per_address = 0
unlimited_addresses = ["192.0.2.0/24"]
max_header_bytes = 8192
transfer_idle_timeout_ms = 5000
min_transfer_bytes_per_second = 0
hello_timeout_ms = 7000
websocket_ping_ms = 4000
send_queue_max_bytes = 65536
[plugins]
call_timeout_ms = 100
breaker_failures = 2
breaker_cooldown_ms = 300
[log]
level = "debug"
[tls]
cert_file = "/etc/ssl/chat.pem"
key_file = "/etc/ssl/private/chat.key"
min_version = "1.3"
plain_http_from = ["127.0.0.1", "10.1.2.3"]
hsts_max_age_s = 0
)");
  ConfigErrors errors;
  auto config = load_server_config(file.file, errors);
  INFO(all(errors));
  REQUIRE(config);
  CHECK(config->listen_host == "::1");
  CHECK(config->listen_port == 0);
  CHECK(config->io_threads == 3);
  CHECK(config->data_dir == "/srv/sb");
  CHECK(config->plugin_dir == "/usr/lib/switchboard/plugins");
  CHECK(config->tenants_dir == "/etc/switchboard/tenants");
  CHECK(config->tenant_reload_interval_ms == 250);
  CHECK(config->default_storage_plugin == "storage-postgres");
  CHECK(config->max_connections == 500);
  CHECK(config->handshake_timeout_ms == 2000);
  CHECK(config->max_connections_per_address == 0);
  CHECK(config->unlimited_addresses == std::vector<std::string>{"192.0.2.0/24"});
  CHECK(config->max_header_bytes == 8192);
  CHECK(config->transfer_idle_timeout_ms == 5000);
  CHECK(config->min_transfer_bytes_per_second == 0);
  CHECK(config->hello_timeout_ms == 7000);
  CHECK(config->websocket_ping_ms == 4000);
  CHECK(config->trusted_proxies == std::vector<std::string>{"127.0.0.1", "10.0.0.0/8", "fd00::/8"});
  CHECK(config->send_queue_max_bytes == 65536);
  CHECK(config->plugin_call_timeout_ms == 100);
  CHECK(config->breaker_failures == 2);
  CHECK(config->breaker_cooldown_ms == 300);
  CHECK(config->log_level == "debug");
  CHECK(config->tls_cert_file == "/etc/ssl/chat.pem");
  CHECK(config->tls_key_file == "/etc/ssl/private/chat.key");
  CHECK(config->tls_min_version == "1.3");
  CHECK(config->tls_plain_http_from == std::vector<std::string>{"127.0.0.1", "10.1.2.3"});
  CHECK(config->tls_hsts_max_age_s == 0);
}

TEST_CASE("[tls]: a certificate without its key, an unknown version, a bad address are named") {
  TempConfig file(R"([tls]
cert_file = "/etc/ssl/chat.pem"
min_version = "1.1"
plain_http_from = ["localhost"]
hsts_max_age_s = -1
ciphers = "ALL"
)");
  ConfigErrors errors;
  auto config = load_server_config(file.file, errors);
  CHECK_FALSE(config);
  INFO(all(errors));
  REQUIRE(error_for(errors, "tls.cert_file"));
  CHECK(error_for(errors, "tls.cert_file")->message.find("key_file") != std::string::npos);
  REQUIRE(error_for(errors, "tls.min_version"));
  CHECK(error_for(errors, "tls.min_version")->message.find("'1.1'") != std::string::npos);
  CHECK(error_for(errors, "tls.plain_http_from"));
  CHECK(error_for(errors, "tls.hsts_max_age_s"));
  CHECK(error_for(errors, "tls.ciphers"));
}

TEST_CASE("all problems are reported at once, each with line, column and key") {
  TempConfig file(R"([server]
listen = "127.0.0.1:99999"
io_threads = "four"
lisen = "x"
[limits]
max_connections = 0
send_queue_max_bytes = 1.5
[log]
level = "verbose"
[metrics]
enabled = true
)");
  ConfigErrors errors;
  auto config = load_server_config(file.file, errors);
  INFO(all(errors));
  CHECK_FALSE(config);
  REQUIRE(errors.size() == 7);

  auto* listen = error_for(errors, "server.listen");
  REQUIRE(listen);
  CHECK(listen->line == 2);
  CHECK(listen->column > 0);
  CHECK(listen->file == file.file.string());
  CHECK_THAT(listen->message, Catch::Contains("127.0.0.1:99999"));

  auto* threads = error_for(errors, "server.io_threads");
  REQUIRE(threads);
  CHECK(threads->line == 3);
  CHECK_THAT(threads->message, Catch::Contains("integer") && Catch::Contains("string"));

  auto* typo = error_for(errors, "server.lisen");
  REQUIRE(typo);
  CHECK(typo->line == 4);
  CHECK(typo->column == 1);
  CHECK_THAT(typo->message, Catch::Contains("did you mean 'listen'"));

  auto* range = error_for(errors, "limits.max_connections");
  REQUIRE(range);
  CHECK(range->line == 6);
  CHECK_THAT(range->message, Catch::Contains("between 1 and"));

  auto* type = error_for(errors, "limits.send_queue_max_bytes");
  REQUIRE(type);
  CHECK(type->line == 7);
  CHECK_THAT(type->message, Catch::Contains("float"));

  auto* level = error_for(errors, "log.level");
  REQUIRE(level);
  CHECK(level->line == 9);

  auto* table = error_for(errors, "metrics");
  REQUIRE(table);
  CHECK(table->line == 10);
  CHECK_THAT(table->message, Catch::Contains("unknown table"));
}

TEST_CASE("a trusted proxy that is not an address or a range is named") {
  TempConfig file(R"([server]
trusted_proxies = ["10.0.0.1", "proxy.internal", "10.0.0.0/33"]
)");
  ConfigErrors errors;
  CHECK_FALSE(load_server_config(file.file, errors));
  INFO(all(errors));
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].key == "server.trusted_proxies");
  CHECK(errors[0].line == 2);
  CHECK_THAT(errors[0].message, Catch::Contains("'proxy.internal'"));
  CHECK_THAT(errors[1].message, Catch::Contains("'10.0.0.0/33'"));
}

TEST_CASE("a section of the wrong type is reported") {
  TempConfig file("server = 5\n");
  ConfigErrors errors;
  CHECK_FALSE(load_server_config(file.file, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].key == "server");
  CHECK(errors[0].line == 1);
}

TEST_CASE("a syntax error names its position") {
  TempConfig file("[server]\nlisten = \"127.0.0.1:8080\"\nio_threads = = 2\n");
  ConfigErrors errors;
  CHECK_FALSE(load_server_config(file.file, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 3);
  CHECK(errors[0].file == file.file.string());
}

TEST_CASE("a missing file is an error, not defaults") {
  ConfigErrors errors;
  CHECK_FALSE(load_server_config("/nonexistent/switchboard.toml", errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 0);
  CHECK_THAT(errors[0].to_string(), Catch::Contains("/nonexistent/switchboard.toml"));
}

TEST_CASE("the cluster table: a node's name, heartbeat and its bus plugin's keys as written") {
  TempConfig file(
      "[storage]\n"
      "default_plugin = \"storage-postgres\"\n"
      "[cluster]\n"
      "node_id = \"node-a\"\n"
      "heartbeat_ms = 500\n"
      "[cluster.bus]\n"
      "address = \"10.0.0.5:6379\"\n"
      "block_ms = 250\n");
  ConfigErrors errors;
  auto config = load_server_config(file.file, errors);
  INFO(all(errors));
  REQUIRE(config);
  REQUIRE(config->cluster);
  CHECK(config->cluster->plugin == "cluster-redis");
  CHECK(config->cluster->node_id == "node-a");
  CHECK(config->cluster->heartbeat_ms == 500);
  // Not set: a 3 s lease (the 5 s failover promise) and a 5 s command timeout.
  CHECK(config->cluster->lease_ms == 3000);
  CHECK(config->cluster->command_timeout_ms == 5000);
  // Not set: other nodes reach this one at its listen address.
  CHECK(config->cluster->rest_url.empty());
  REQUIRE(config->cluster->bus_keys.size() == 2);
  CHECK(config->cluster->bus_keys[0].name == "address");
  CHECK(config->cluster->bus_keys[0].text == "10.0.0.5:6379");
  CHECK(config->cluster->bus_keys[0].line == 7);
  CHECK(config->cluster->bus_keys[1].text == "250");
  CHECK(config->cluster->bus_json == R"({"address":"10.0.0.5:6379","block_ms":250})");

  SECTION("without the table a server is one node") {
    TempConfig single("[storage]\ndefault_plugin = \"storage-postgres\"\n");
    CHECK_FALSE(load_server_config(single.file, errors)->cluster);
  }
}

TEST_CASE("the cluster table: where other nodes send this node's REST requests") {
  for (const char* url : {"http://10.0.0.5:8080", "https://node-a.internal:8443"}) {
    TempConfig file(std::string("[storage]\ndefault_plugin = \"storage-postgres\"\n"
                                "[cluster]\nnode_id = \"node-a\"\nrest_url = \"") +
                    url + "\"\n");
    ConfigErrors errors;
    auto config = load_server_config(file.file, errors);
    INFO(all(errors));
    REQUIRE(config);
    CHECK(config->cluster->rest_url == url);
  }
  for (const char* url : {"10.0.0.5:8080", "http://", "ftp://node-a", "http://node-a/"}) {
    TempConfig file(std::string("[storage]\ndefault_plugin = \"storage-postgres\"\n"
                                "[cluster]\nnode_id = \"node-a\"\nrest_url = \"") +
                    url + "\"\n");
    ConfigErrors errors;
    INFO(url);
    CHECK_FALSE(load_server_config(file.file, errors));
    CHECK(error_for(errors, "cluster.rest_url"));
  }
}

TEST_CASE("the cluster table: mistakes are named") {
  ConfigErrors errors;
  TempConfig file(
      "[cluster]\n"
      "node_id = \"node a\"\n"
      "heartbeat_ms = 5\n"
      "lease_ms = 10\n"
      "command_timeout_ms = \"soon\"\n"
      "rest_url = \"node-a:8080/api\"\n"
      "colour = \"red\"\n");
  CHECK_FALSE(load_server_config(file.file, errors));
  INFO(all(errors));
  CHECK(error_for(errors, "cluster.node_id"));
  CHECK(error_for(errors, "cluster.heartbeat_ms"));
  CHECK(error_for(errors, "cluster.lease_ms"));
  CHECK(error_for(errors, "cluster.command_timeout_ms"));
  CHECK(error_for(errors, "cluster.rest_url"));
  CHECK(error_for(errors, "cluster.colour"));
  REQUIRE(error_for(errors, "cluster"));
  CHECK_THAT(error_for(errors, "cluster")->message, Catch::Contains("storage-postgres"));
}
