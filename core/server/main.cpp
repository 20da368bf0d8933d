// switchboard: the server, and helper commands for its configuration and keys.
//
//   switchboard [--config F] [--listen HOST:PORT] [--data-dir D] [--plugin-dir D] [--tenants-dir D]
//               [--web-dir D]
//   switchboard check-config [same options]
//   switchboard hash-password
//   switchboard backup DIR [same options]         (asks the running server)
//   switchboard restore DIR [same options]        (offline, into a fresh data dir)
//   switchboard rotate-key [--keep-days N] [same options]
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "auth/password.hpp"
#include "auth/password_helpers.hpp"
#include "auth/token_signer.hpp"
#include "common/clock.hpp"
#include "config/listen_address.hpp"
#include "config/server_config.hpp"
#include "control/control_socket.hpp"
#include "hub/tls_context.hpp"
#include "plugin_host/plugin_host.hpp"
#include "server/cluster_setup.hpp"
#include "server/operations.hpp"
#include "server/server.hpp"
#include "tenants/tenant_directory.hpp"

// An AddressSanitizer build (build-fuzz, build-asan) checks for leaks before the
// _Exit below, which skips the exit handler that would otherwise run LeakSanitizer.
#if defined(__SANITIZE_ADDRESS__)
#define SB_LEAK_CHECK_AT_STOP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_LEAK_CHECK_AT_STOP 1
#endif
#endif
#ifdef SB_LEAK_CHECK_AT_STOP
#include <sanitizer/lsan_interface.h>
#endif

namespace {

struct Overrides {
  std::string config = "conf/switchboard.toml";
  std::string listen, data_dir, plugin_dir, tenants_dir, web_dir;
};

void add_common_options(CLI::App& app, Overrides& o) {
  app.add_option("--config", o.config, "Server configuration file")->capture_default_str();
  app.add_option("--listen", o.listen, "Address to listen on, HOST:PORT (port 0 = any free port)");
  app.add_option("--data-dir", o.data_dir,
                 "Where the install secret, tenants' storage and the private copies the loaded "
                 "plugins run from live");
  app.add_option("--plugin-dir", o.plugin_dir,
                 "Where plugins (*.so) are loaded from; watched while running (new, replaced and "
                 "removed plugins apply without a restart)");
  app.add_option("--tenants-dir", o.tenants_dir, "Where tenant files (*.toml) are read from");
  app.add_option("--web-dir", o.web_dir,
                 "Where the built web UIs (widget, console, admin, demo page) are served from");
}

// The config file, then the command line on top. Prints every error; nullopt if any.
std::optional<sb::config::ServerConfig> load_config(const Overrides& o) {
  sb::ConfigErrors errors;
  auto config = sb::config::load_server_config(o.config, errors);
  if (config && !o.listen.empty() &&
      !sb::config::parse_listen(o.listen, config->listen_host, config->listen_port))
    errors.push_back({"--listen", 0, 0, "", "expected HOST:PORT, e.g. 127.0.0.1:8080"});
  for (const auto& e : errors) std::cerr << e.to_string() << "\n";
  if (!config || !errors.empty()) return std::nullopt;
  if (!o.data_dir.empty()) config->data_dir = o.data_dir;
  if (!o.plugin_dir.empty()) config->plugin_dir = o.plugin_dir;
  if (!o.tenants_dir.empty()) config->tenants_dir = o.tenants_dir;
  if (!o.web_dir.empty()) config->web_dir = o.web_dir;
  return config;
}

int check_config(const Overrides& o) {
  auto config = load_config(o);
  if (!config) return 1;
  if (!config->tls_cert_file.empty()) {
    try {
      sb::hub::TlsContext tls(
          {config->tls_cert_file, config->tls_key_file, config->tls_min_version});
      std::cout << "TLS certificate: " << tls.description() << "\n";
    } catch (const std::exception& e) {
      std::cout << o.config << ": [tls]: " << e.what() << "\n1 error(s)\n";
      return 1;
    }
  }
  sb::plugin_host::HostOptions options;
  sb::plugin_host::PluginHost plugins(config->plugin_dir, options);
  plugins.scan();
  std::map<std::string, sb::tenants::PluginSchema, std::less<>> schemas;
  for (const auto& info : plugins.plugins())
    if (const auto* s = plugins.schema(info.name))
      schemas.emplace(info.name, sb::tenants::PluginSchema{s->name, s->kind, s->keys});
  sb::tenants::TenantDirectory directory(
      config->tenants_dir,
      [&](std::string_view name) -> const sb::tenants::PluginSchema* {
        auto it = schemas.find(name);
        return it == schemas.end() ? nullptr : &it->second;
      },
      config->default_storage_plugin);
  auto changes = directory.refresh();
  if (config->cluster) {
    const auto cluster_errors =
        sb::server::check_cluster_section(*config->cluster, plugins, o.config);
    changes.errors.insert(changes.errors.end(), cluster_errors.begin(), cluster_errors.end());
  }
  for (const auto& e : changes.errors) std::cout << e.to_string() << "\n";
  if (!changes.errors.empty()) {
    std::cout << changes.errors.size() << " error(s)\n";
    return 1;
  }
  // Served, but not quite as written: said, not counted as errors.
  for (const auto& tenant : changes.changed)
    if (const std::string note = sb::tenants::config_note(*tenant); !note.empty())
      std::cout << tenant->file.string() << ": note: " << note << "\n";
  std::string cluster_note;
  if (config->cluster) {
    // A node of a cluster: its bus and each tenant's database must answer.
    const std::string why = sb::server::probe_cluster_bus(
        plugins, *config->cluster, config->data_dir, std::chrono::seconds(5));
    if (!why.empty()) {
      std::cout << o.config << ": cluster: " << why << "\n1 error(s)\n";
      return 1;
    }
    size_t storage_errors = 0;
    for (const auto& tenant : changes.changed) {
      std::string note;
      const std::string failed = sb::server::probe_tenant_storage(
          plugins, *config->cluster, *tenant, config->data_dir, std::chrono::seconds(10), note);
      if (!failed.empty()) {
        std::cout << tenant->file.string() << ": storage: " << failed << "\n";
        ++storage_errors;
      } else if (!note.empty()) {
        std::cout << tenant->file.string() << ": storage: " << note << "\n";
      }
    }
    if (storage_errors > 0) {
      std::cout << storage_errors << " error(s)\n";
      return 1;
    }
    cluster_note = ", cluster bus " + config->cluster->plugin + " answers (node " +
                   config->cluster->node_id + "), each tenant's storage answers";
  }
  std::cout << "OK: " << o.config << ", " << changes.changed.size() << " tenant(s), "
            << schemas.size() << " plugin(s)" << cluster_note << "\n";
  return 0;
}

int hash_password() {
  const bool interactive = isatty(STDIN_FILENO);
  termios saved{};
  if (interactive) {
    std::cerr << "Password: " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (interactive) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (password.empty()) {
    std::cerr << "hash-password: empty password\n";
    return 1;
  }
  std::cout << sb::auth::hash_password(password) << "\n";
  return 0;
}

// Asks the server running on the config's data dir for a backup, and waits.
int backup(const Overrides& o, const std::string& dir) {
  auto config = load_config(o);
  if (!config) return 1;
  std::error_code ec;
  const auto target = std::filesystem::absolute(dir, ec);
  boost::json::object request{{"command", "backup"}, {"dir", target.string()}};
  std::string error;
  auto answer =
      sb::control::ControlSocket::ask(config->data_dir / sb::control::kSocketName, request, error);
  if (!answer) {
    std::cerr << "backup: " << error << "\n";
    return 1;
  }
  std::cout << boost::json::serialize(*answer) << "\n";
  const auto* ok = answer->if_contains("ok");
  if (ok && ok->is_bool() && ok->get_bool()) return 0;
  const auto* why = answer->if_contains("error");
  std::cerr << "backup failed: " << (why && why->is_string() ? why->get_string().c_str() : "?")
            << "\n";
  return 1;
}

int restore(const Overrides& o, const std::string& dir) {
  auto config = load_config(o);
  if (!config) return 1;
  std::string summary;
  const std::string error = sb::server::restore_install(
      dir, config->data_dir, o.tenants_dir.empty() ? std::filesystem::path() : config->tenants_dir,
      summary);
  if (!error.empty()) {
    std::cerr << "restore: " << error << "\n";
    return 1;
  }
  std::cout << summary << "\n";
  return 0;
}

// A new signing key in the data dir; tokens of the old one keep working for
// keep_days (each until its own expiry), so nobody is signed out at once. Running
// servers on this data dir pick it up within their tenant reload interval.
int rotate_key(const Overrides& o, int64_t keep_days) {
  auto config = load_config(o);
  if (!config) return 1;
  // Rotating in a data dir that does not exist (a mistyped --data-dir, the wrong
  // --config) made one there and said "new signing key": the operator took the leaked
  // key for replaced while the server went on signing with it. An existing dir without
  // a key is a new node's, where the first key of a cluster is made (README).
  if (std::error_code ec; !std::filesystem::is_directory(config->data_dir, ec)) {
    std::cerr << "rotate-key: " << config->data_dir.string()
              << " is not a directory: check --data-dir and --config (for a new node, "
                 "create its data dir first)\n";
    return 1;
  }
  try {
    sb::auth::TokenSigner::rotate(config->data_dir, keep_days * 24 * 3600,
                                  sb::wall_clock_ms() / 1000);
  } catch (const std::exception& e) {
    std::cerr << "rotate-key: " << e.what() << "\n";
    return 1;
  }
  std::cout << "new signing key in " << (config->data_dir / "secret.key").string()
            << "; tokens of the old one are accepted for " << keep_days << " more days\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Switchboard: self-hosted, multi-tenant live chat server"};
  app.set_version_flag("--version", "switchboard " SWITCHBOARD_VERSION);
  Overrides overrides;
  add_common_options(app, overrides);
  auto* check = app.add_subcommand(
      "check-config", "Validate the server config and every tenant file; exit 1 on errors");
  add_common_options(*check, overrides);
  auto* hash = app.add_subcommand(
      "hash-password", "Read a password from stdin, print its argon2id hash for a tenant file");
  std::string backup_dir;
  auto* backup_cmd = app.add_subcommand(
      "backup", "Ask the running server for a consistent copy of its data into DIR (online)");
  backup_cmd->add_option("DIR", backup_dir, "An absolute or relative path, absent or empty")
      ->required();
  add_common_options(*backup_cmd, overrides);
  auto* restore_cmd = app.add_subcommand(
      "restore", "Restore a backup into a fresh --data-dir (and --tenants-dir); server stopped");
  restore_cmd->add_option("DIR", backup_dir, "A directory `switchboard backup` wrote")->required();
  add_common_options(*restore_cmd, overrides);
  auto* rotate = app.add_subcommand(
      "rotate-key", "Make a new token signing key; the old one is still accepted for --keep-days");
  add_common_options(*rotate, overrides);
  int64_t keep_days = 30;
  rotate
      ->add_option("--keep-days", keep_days,
                   "Days the old key's tokens keep working (0: sign everyone out now)")
      ->capture_default_str()
      ->check(CLI::Range(0, 366));
  // Started by the server itself (auth/password_helpers.hpp), so not in --help.
  auto* password_helper = app.add_subcommand("password-helper")->group("");
  CLI11_PARSE(app, argc, argv);
  if (*password_helper) return sb::auth::run_password_helper();

  // Logs go to stderr; stdout carries only what scripts read.
  spdlog::set_default_logger(spdlog::stderr_color_mt("switchboard"));
  if (*hash) return hash_password();
  if (*backup_cmd) return backup(overrides, backup_dir);
  if (*restore_cmd) return restore(overrides, backup_dir);
  if (*rotate) return rotate_key(overrides, keep_days);
  if (*check) {
    spdlog::set_level(spdlog::level::warn);
    return check_config(overrides);
  }

  auto config = load_config(overrides);
  if (!config) return 1;
  // Even if the binary is replaced on disk (an upgrade), this names the one running.
  config->password_helper = "/proc/self/exe";
  spdlog::set_level(spdlog::level::from_str(config->log_level));
  int code = 0;
  {
    sb::server::Server server(*config);
    code = server.run();
    spdlog::shutdown();
    std::cout.flush();
    // Everything acknowledged is already durable, and the tenants' storage
    // instances were closed by the server's stop (Server::close_tenants). Tearing
    // down thousands of sessions and unloading plugins at exit buys nothing and
    // risks ordering trouble between loops and plugin threads, so the process ends
    // here.
#ifdef SB_LEAK_CHECK_AT_STOP
    // The server and what it holds are still reachable from here, so what
    // LeakSanitizer finds is memory nothing points to any more: a leak. It reports
    // and ends the process (exit status 23) when it finds one; the tests' harness
    // fails the test whose server it was (tests/support/server_process.hpp).
    __lsan_do_leak_check();
#endif
    std::_Exit(code);
  }
}
