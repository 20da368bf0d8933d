// A node of a cluster ([cluster], docs/cluster.md), against a private redis-server
// (and PostgreSQL) the test starts: `switchboard check-config` checks the section
// against the cluster-bus plugin it names, that the bus reaches Redis and that each
// tenant's database answers; running nodes list each other through the bus and
// drop a dead one within its TTL.
#include <catch2/catch.hpp>
#include <thread>

#include "harness/standard_tenants.hpp"
#include "support/polling.hpp"
#include "support/postgres_server.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;

namespace {

struct Node {
  sb::test::TempDir dir{"sb-cluster-config"};

  // check-config on a server config of the given text; exit code and output.
  sb::test::ProcessResult check(const std::string& config_text) const {
    const auto config = dir.path() / "switchboard.toml";
    sb::test::write_file_atomically(config, config_text);
    return sb::test::run_process(
        {SWITCHBOARD_BINARY, "check-config", "--config", config.string(), "--tenants-dir",
         dir.subdir("tenants").string(), "--data-dir", dir.subdir("data").string(), "--plugin-dir",
         SWITCHBOARD_PLUGIN_DIR},
        "", std::chrono::seconds(30));
  }
};

std::string node_config(const std::string& address, const std::string& extra = "") {
  return "[storage]\n"
         "default_plugin = \"storage-postgres\"\n"
         "\n"
         "[cluster]\n"
         "node_id = \"node-a\"\n"
         "\n"
         "[cluster.bus]\n"
         "address = \"" +
         address +
         "\"\n"
         "connect_timeout_ms = 500\n" +
         extra;
}

}  // namespace

TEST_CASE("check-config on a cluster node: the bus must reach Redis", "[cluster][config]") {
  sb::test::RedisServer redis;
  Node node;

  const auto good = node.check(node_config(redis.address()));
  INFO(good.out << good.err);
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.out, Catch::Contains("cluster bus cluster-redis answers (node node-a)"));

  redis.stop();
  const auto down = node.check(node_config(redis.address()));
  INFO(down.out << down.err);
  CHECK(down.exit_code == 1);
  CHECK_THAT(down.out, Catch::Contains("cluster: the cluster bus (cluster-redis) did not reach "
                                       "its server within 5 s"));
}

TEST_CASE("check-config on a cluster node: each tenant's database must answer",
          "[cluster][config]") {
  sb::test::RedisServer redis;
  sb::test::PostgresServer postgres;
  Node node;
  auto acme = sb::it::acme_tenant();
  acme.extra_toml += "\n[plugins.storage-postgres]\nconnection = \"" + postgres.connection() +
                     " connect_timeout=2\"\n";
  const auto tenant_file = node.dir.subdir("tenants") / "acme.toml";
  sb::test::write_file_atomically(tenant_file, sb::it::render_tenant_toml(acme));

  // A fresh database: it answers, and no node has created the schema yet.
  const auto fresh = node.check(node_config(redis.address()));
  INFO(fresh.out << fresh.err);
  CHECK(fresh.exit_code == 0);
  CHECK_THAT(fresh.out, Catch::Contains("acme.toml: storage: its database answers but holds no "
                                        "schema yet"));
  CHECK_THAT(fresh.out, Catch::Contains("each tenant's storage answers"));
  // Nothing was taken or written: no lease, no schema.
  CHECK(postgres.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'tenant_leases'") == "0\n");

  postgres.stop();
  const auto down = node.check(node_config(redis.address()));
  INFO(down.out << down.err);
  CHECK(down.exit_code == 1);
  CHECK_THAT(down.out, Catch::Contains("acme.toml: storage: storage-postgres: "));
  CHECK_THAT(down.out, Catch::Contains("1 error(s)"));
}

TEST_CASE("check-config on a cluster node names each mistake of [cluster]", "[cluster][config]") {
  Node node;
  SECTION("tenants must be kept in PostgreSQL") {
    const auto r = node.check("[cluster]\nnode_id = \"node-a\"\n");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out + r.err, Catch::Contains("default_plugin = \"storage-postgres\""));
  }
  SECTION("node_id is required") {
    const auto r = node.check("[storage]\ndefault_plugin = \"storage-postgres\"\n[cluster]\n");
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out + r.err, Catch::Contains("cluster.node_id: is required"));
  }
  SECTION("a key the plugin does not declare, with the file's line") {
    const auto r = node.check(node_config("127.0.0.1:1", "adress = \"x\"\n"));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("switchboard.toml:10:") &&
                          Catch::Contains("cluster.bus.adress: unknown key 'adress'") &&
                          Catch::Contains("address"));
  }
  SECTION("a value of the wrong type") {
    const auto r = node.check(node_config("127.0.0.1:1", "block_ms = \"long\"\n"));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("cluster.bus.block_ms: must be an integer"));
  }
  SECTION("a plugin of another kind") {
    const auto other = node.check(
        "[storage]\ndefault_plugin = \"storage-postgres\"\n[cluster]\nnode_id = \"a\"\nplugin = "
        "\"storage-sqlite\"\n");
    CHECK(other.exit_code == 1);
    CHECK_THAT(other.out, Catch::Contains("is a storage plugin, not a cluster-bus plugin"));
  }
}

using sb::test::eventually;

TEST_CASE("nodes of a cluster see each other, and a killed node drops out within its TTL",
          "[cluster]") {
  sb::test::RedisServer redis;
  sb::test::TempDir dir("sb-cluster-nodes");
  auto node = [&](const std::string& id) {
    const auto config = dir.subdir(id) / "switchboard.toml";
    // No tenant: membership needs neither PostgreSQL nor a tenant file.
    sb::test::write_file_atomically(config,
                                    "[storage]\n"
                                    "default_plugin = \"storage-postgres\"\n"
                                    "[cluster]\n"
                                    "node_id = \"" +
                                        id +
                                        "\"\n"
                                        "heartbeat_ms = 200\n"
                                        "[cluster.bus]\n"
                                        "address = \"" +
                                        redis.address() + "\"\n");
    sb::test::ServerOptions options;
    options.binary = SWITCHBOARD_BINARY;
    options.config = config;
    options.data_dir = dir.subdir(id + "/data");
    options.plugin_dir = SWITCHBOARD_PLUGIN_DIR;
    options.tenants_dir = dir.subdir(id + "/tenants");
    options.log_dir = dir.subdir(id + "/log");
    return std::make_unique<sb::test::ServerProcess>(options);
  };
  auto a = node("node-a");
  auto b = node("node-b");
  a->start();
  b->start();
  const auto both = "cluster: live nodes now node-a, node-b";
  REQUIRE(eventually([&] { return a->log().find(both) != std::string::npos; }, 5s));
  REQUIRE(eventually([&] { return b->log().find(both) != std::string::npos; }, 5s));

  b->kill_hard();
  // TTL: three heartbeats of 200 ms; a second of slack for the next listing.
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(eventually(
      [&] { return a->log().find("cluster: live nodes now node-a\n") != std::string::npos; }, 5s));
  CHECK(std::chrono::steady_clock::now() - started < 2s);

  SECTION("a node that stops cleanly leaves at once") {
    b->start();
    // b's own listing of both comes after its start-up finished.
    REQUIRE(eventually([&] { return b->log().find(both) != std::string::npos; }, 5s));
    REQUIRE(eventually(
        [&] {
          const auto log = a->log();
          return log.rfind(both) > log.find("cluster: live nodes now node-a\n");
        },
        5s));
    INFO(b->log());
    CHECK(b->stop() == 0);
    CHECK(redis.cli({"ZRANGE", "sb:x:nodes", "0", "-1"}) == "node-a\n");
  }
}
