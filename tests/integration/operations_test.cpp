// What an operator's probes and Prometheus see.
#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"
#include "support/polling.hpp"
#include "support/process.hpp"

using namespace sb::it;

namespace {

// Sum of the samples of one metric (exact name, no suffix) carrying this label.
double sum_samples(const std::string& metrics, const std::string& name, const std::string& label) {
  std::istringstream lines(metrics);
  std::string line;
  double sum = 0;
  while (std::getline(lines, line)) {
    if (line.rfind(name, 0) != 0 || line.size() <= name.size()) continue;
    const char next = line[name.size()];
    if (next != '{' && next != ' ') continue;
    if (line.find(label) == std::string::npos) continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

}  // namespace

TEST_CASE("healthz, readyz and metrics report a working server", "[ops]") {
  Deployment deployment({acme_tenant()});
  const auto port = deployment.port();
  CHECK(sb::test::http_get(port, "/healthz").status == 200);
  CHECK(sb::test::http_get(port, "/readyz").status == 200);

  auto agent = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto conversation_id = str(visitor.send_message("one"), "conversation_id");
  agent.ws.next_of_type("conversation.assigned");
  visitor.send_message("two");
  agent.send_message(conversation_id, "three");

  auto metrics = sb::test::http_get(port, "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.headers["content-type"].rfind("text/plain", 0) == 0);
  const auto& text = metrics.body;
  INFO(text);
  const std::string acme = "tenant=\"acme\"";
  CHECK(sum_samples(text, "switchboard_connections", acme) >= 2);
  CHECK(sum_samples(text, "switchboard_messages_total", acme) >= 3);
  CHECK(sum_samples(text, "switchboard_acks_total", acme) >= 3);
  CHECK(text.find("# TYPE switchboard_messages_total counter") != std::string::npos);
  // Some latency histogram with buckets, labelled by tenant.
  bool histogram = false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("switchboard_", 0) == 0 && line.find("_bucket{") != std::string::npos &&
        line.find("le=\"") != std::string::npos && line.find(acme) != std::string::npos)
      histogram = true;
  CHECK(histogram);
  CHECK(text.find("# TYPE") != std::string::npos);
  CHECK(text.find(" histogram") != std::string::npos);
}

TEST_CASE("SIGTERM stops the server cleanly", "[ops]") {
  Deployment deployment({acme_tenant()});
  auto visitor = deployment.connect_visitor("acme");
  visitor.send_message("bye");
  CHECK(deployment.server().stop() == 0);
}

TEST_CASE("check-config names the file, line and key of every mistake", "[ops][config]") {
  DeploymentOptions options;
  options.start = false;
  Deployment deployment({acme_tenant()}, options);
  const std::vector<std::string> check = {
      SWITCHBOARD_BINARY, "check-config",
      "--config",         std::string(SWITCHBOARD_SOURCE_DIR) + "/conf/switchboard.toml",
      "--tenants-dir",    deployment.tenants_dir().string(),
      "--plugin-dir",     SWITCHBOARD_PLUGIN_DIR};
  auto good = sb::test::run_process(check);
  INFO("check-config on good tenants: " << good.out << good.err);
  CHECK(good.exit_code == 0);

  // A typo in a key on line 7 and a wrong type on line 8.
  deployment.write_tenant_text("acme",
                               "name = \"Acme\"\n"
                               "\n"
                               "[limits]\n"
                               "max_connections = 10\n"
                               "messages_per_second = 10\n"
                               "connection_messages_per_second = 5\n"
                               "max_mesage_bytes = 4096\n"
                               "max_message_bytes = \"big\"\n");
  auto bad = sb::test::run_process(check);
  const std::string output = bad.out + bad.err;
  INFO("check-config on a broken tenant: " << output);
  CHECK(bad.exit_code != 0);
  CHECK(output.find("acme.toml:7:") != std::string::npos);
  CHECK(output.find("max_mesage_bytes") != std::string::npos);
  CHECK(output.find("acme.toml:8:") != std::string::npos);
}

TEST_CASE("rotate-key on a running server signs no one out, unless told to keep nothing",
          "[ops][keys]") {
  Deployment deployment({acme_tenant()});
  auto& server = deployment.server();
  const auto port = deployment.port();
  const std::string agents = "/v1/tenants/acme/agents";
  auto admin_status = [&](const std::string& token) {
    return sb::test::http_get(port, agents, sb::test::bearer(token)).status;
  };
  auto rotate = [&](const std::string& keep_days) {
    const auto& o = server.options();
    const auto made = sb::test::run_process(
        {SWITCHBOARD_BINARY, "rotate-key", "--keep-days", keep_days, "--config", o.config.string(),
         "--data-dir", o.data_dir.string(), "--tenants-dir", o.tenants_dir.string(), "--plugin-dir",
         o.plugin_dir.string()});
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
  };
  auto reloads = [&] { return sb::test::count_of(server.log(), "signing key reloaded"); };
  auto wait_for_reloads = [&](size_t count) {
    sb::test::eventually([&] { return reloads() >= count; }, std::chrono::seconds(30));
    return reloads();
  };

  const std::string before = deployment.login("acme", "root");
  CHECK(admin_status(before) == 200);
  // The key this server made for its fresh data dir is not news to it: two polls of
  // the files (tenant_reload_interval_ms = 1000) reload nothing.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  CHECK(reloads() == 0);

  // A new key, the old one kept: the running server takes it up; nobody is signed out.
  rotate("1");
  CHECK(wait_for_reloads(1) == 1);
  CHECK(admin_status(before) == 200);
  const std::string after = deployment.login("acme", "root");
  CHECK(after != before);
  CHECK(admin_status(after) == 200);

  // The remedy for a leaked key: every token signed before is refused at once.
  rotate("0");
  CHECK(wait_for_reloads(2) == 2);
  CHECK(admin_status(before) == 401);
  CHECK(admin_status(after) == 401);
  CHECK(admin_status(deployment.login("acme", "root")) == 200);
}

// A mistyped --data-dir made a new key pair in a new directory and reported a
// rotation, while the server's own key, perhaps leaked, went on signing. (A new
// cluster's first key is made in an existing, empty data dir: tests/cluster.)
TEST_CASE("rotate-key refuses a data dir that does not exist", "[ops][keys]") {
  sb::test::TempDir dir("switchboard-rotate");
  const auto data_dir = dir.path() / "no-such-data-dir";
  sb::test::write_file_atomically(dir.path() / "switchboard.toml", "[server]\n");
  const auto made = sb::test::run_process({SWITCHBOARD_BINARY, "rotate-key", "--config",
                                           (dir.path() / "switchboard.toml").string(), "--data-dir",
                                           data_dir.string(), "--plugin-dir", dir.path().string(),
                                           "--tenants-dir", dir.path().string()});
  INFO(made.out << made.err);
  CHECK(made.exit_code == 1);
  CHECK_THAT(made.err, Catch::Contains("is not a directory"));
  CHECK_FALSE(std::filesystem::exists(data_dir / "secret.key"));
}

TEST_CASE("a second server on the same data dir refuses to start, the first keeps serving",
          "[ops][data-dir]") {
  Deployment deployment({acme_tenant()});
  auto& server = deployment.server();
  const auto& o = server.options();
  const std::vector<std::string> second{
      SWITCHBOARD_BINARY,    "--config",      o.config.string(),      "--data-dir",
      o.data_dir.string(),   "--tenants-dir", o.tenants_dir.string(), "--plugin-dir",
      o.plugin_dir.string(), "--listen",      "127.0.0.1:0"};
  // Without the lock it would serve (and the deadline would kill it): exit 1, at once.
  const auto refused = sb::test::run_process(second, {}, std::chrono::seconds(30));
  INFO(refused.out << refused.err);
  CHECK_FALSE(refused.timed_out);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("is in use by another switchboard (pid " + std::to_string(server.pid()) +
                         ")") != std::string::npos);
  CHECK(refused.out.find("listening on") == std::string::npos);

  // The first still has its control socket: a backup reaches it, not the refused one.
  const auto backup_dir = deployment.root() / "backup";
  const auto backup =
      sb::test::run_process({SWITCHBOARD_BINARY, "backup", backup_dir.string(), "--config",
                             o.config.string(), "--data-dir", o.data_dir.string()},
                            {}, std::chrono::seconds(60));
  INFO(backup.out << backup.err);
  CHECK(backup.exit_code == 0);
  CHECK(sb::test::count_of(server.log(), "asked for over the control socket") == 1);
  CHECK_FALSE(std::filesystem::exists(backup_dir / "switchboard.lock"));
  CHECK(sb::test::http_get(deployment.port(), "/readyz").status == 200);

  // Stopped, or killed without a chance to clean up, it leaves no lock behind.
  CHECK(server.stop() == 0);
  server.start();
  CHECK(sb::test::http_get(server.port(), "/readyz").status == 200);
  server.kill_hard();
  server.start();
  CHECK(sb::test::http_get(server.port(), "/readyz").status == 200);
}
