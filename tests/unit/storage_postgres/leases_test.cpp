// Fencing: a tenant's lease (tenant_leases: owner node, epoch, expiry) decides
// which node may write for it, and PostgreSQL itself refuses the writes of a node
// that lost it.
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "pg_test_support.hpp"

using namespace storage_test;
namespace json = boost::json;

namespace {

// As if the owner had stopped renewing (frozen, cut off) for longer than the lease.
void expire_lease(const TempDir& dir) {
  postgres().psql(
      "UPDATE tenant_leases SET expires_at = now() - interval '1 second' WHERE "
      "tenant_id = '" +
      tenant_of(dir) + "'");
}

Message message(const std::string& conversation, uint64_t seq, const std::string& text) {
  Message m;
  m.conversation_id = conversation;
  m.seq = seq;
  m.text = text;
  return m;
}

}  // namespace

TEST_CASE(
    "a live lease keeps other nodes out, after it expired the new owner writes and the old "
    "one is refused",
    "[postgres]") {
  TempDir dir;
  // A long lease: node-a renews it only every 20 s, so nothing renews it here.
  Storage node_a(dir.str(), {{"node_id", "node-a"}, {"lease_ms", "60000"}});
  ok_result(node_a.append(message("c1", 1, "from a")));
  CHECK(tenant_sql(dir.str(), "SELECT owner_node || ' ' || epoch FROM tenant_leases") ==
        "node-a 1\n");

  const std::string refused = Storage::open_error(dir.str(), {{"node_id", "node-b"}});
  CHECK_THAT(refused, Catch::Contains("node-a"));
  // And what is left of it, for people reading the log...
  CHECK_THAT(refused,
             Catch::Matches(".*held by node 'node-a' \\(epoch 1\\) for another [0-9]+ ms.*"));
  // ...and for the host (ABI 1.8 sb_error.retry_after_ms): a cluster node tries again
  // just as the lease ends (core/cluster/take_retries.hpp).
  const int64_t left_ms = Storage::open_retry_after_ms(dir.str(), {{"node_id", "node-b"}});
  CHECK(left_ms > 50000);
  CHECK(left_ms <= 60000);

  expire_lease(dir);
  Storage node_b(dir.str(), {{"node_id", "node-b"}, {"lease_ms", "60000"}});
  CHECK(tenant_sql(dir.str(), "SELECT owner_node || ' ' || epoch FROM tenant_leases") ==
        "node-b 2\n");
  // Each instance says the epoch it holds (ABI 1.7): what the owner node tags its
  // relayed frames with, so other nodes tell node-b from node-a.
  CHECK(node_b.lease_epoch() == std::optional<int64_t>(2));
  CHECK(node_a.lease_epoch() == std::optional<int64_t>(1));

  // node-a wakes up and writes as if nothing happened: refused, nothing stored.
  const Completion stale = Storage::wait(node_a.append(message("c1", 2, "stale from a")));
  CHECK(stale.status == SB_ERROR);
  CHECK_THAT(stale.error, Catch::Contains("lease"));
  CHECK(Storage::wait(node_a.kv_put("agents", "x", "1")).status == SB_ERROR);

  ok_result(node_b.append(message("c1", 2, "from b")));
  const auto page = json::parse(ok_result(node_b.load("c1", 0, 0, 10))).at("messages").as_array();
  REQUIRE(page.size() == 2);
  CHECK(page[0].at("text") == "from a");
  CHECK(page[1].at("text") == "from b");
  CHECK(ok_result(node_b.kv_get("agents", "x")).empty());
}

TEST_CASE("the same node keeps its epoch across a restart and a reload", "[postgres]") {
  TempDir dir;
  { Storage first(dir.str(), {{"node_id", "node-x"}}); }
  Storage again(dir.str(), {{"node_id", "node-x"}});
  Storage reloaded(dir.str(), {{"node_id", "node-x"}});
  CHECK(tenant_sql(dir.str(), "SELECT owner_node || ' ' || epoch FROM tenant_leases") ==
        "node-x 1\n");
  ok_result(again.append(message("c1", 1, "old instance")));
  ok_result(reloaded.append(message("c1", 2, "new instance")));
}

TEST_CASE("the writer renews its lease while the tenant is idle", "[postgres]") {
  TempDir dir;
  Storage s(dir.str(), {{"node_id", "node-r"}, {"lease_ms", "1500"}});
  const auto remaining_ms = [&] {
    return std::stoll(tenant_sql(
        dir.str(),
        "SELECT round(extract(epoch FROM expires_at - now()) * 1000)::bigint FROM tenant_leases"));
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  // Past the first expiry with no write: renewed on time, so still held.
  CHECK(remaining_ms() > 0);
  CHECK_THAT(Storage::open_error(dir.str(), {{"node_id", "node-s"}}), Catch::Contains("node-r"));
}

TEST_CASE(
    "a read-only instance (a cluster node that does not own the tenant) reads beside the "
    "owner, takes no lease and writes nothing",
    "[postgres]") {
  TempDir dir;
  Storage owner(dir.str(), {{"node_id", "node-a"}, {"lease_ms", "60000"}});
  ok_result(owner.append(message("c1", 1, "from a")));

  // Opens although node-a's lease is live, and leaves the lease as it was.
  Storage reader(dir.str(), {{"node_id", "node-b"}, {"read_only", "true"}});
  CHECK(tenant_sql(dir.str(), "SELECT owner_node || ' ' || epoch FROM tenant_leases") ==
        "node-a 1\n");
  CHECK(reader.lease_epoch() == std::nullopt);
  CHECK(owner.lease_epoch() == std::optional<int64_t>(1));
  const auto page = json::parse(ok_result(reader.load("c1", 0, 0, 10))).at("messages").as_array();
  REQUIRE(page.size() == 1);
  CHECK(page[0].at("text").as_string() == "from a");

  // Its writes fail at once, naming why; nothing reaches the table.
  const Completion refused = Storage::wait(reader.append(message("c1", 2, "from b")));
  CHECK(refused.status == SB_ERROR);
  CHECK_THAT(refused.error, Catch::Contains("unavailable") && Catch::Contains("read-only"));
  CHECK(tenant_sql(dir.str(), "SELECT count(*) FROM messages") == "1\n");
  // The owner writes on, its lease untouched.
  ok_result(owner.append(message("c1", 2, "again from a")));
}

TEST_CASE(
    "a read-only instance on a database its owner has not set up yet reads no small documents, "
    "and says so for what it cannot answer",
    "[postgres]") {
  TempDir dir;
  // A database of its own, empty: no node has created the schema in it yet.
  const std::string database = "fresh_" + std::to_string(::getpid());
  postgres().psql("CREATE DATABASE " + database + " OWNER switchboard");
  {
    Storage reader(dir.str(), {{"node_id", "node-b"},
                               {"read_only", "true"},
                               {"connection", postgres().connection("switchboard", database)}});
    // Agents, sign-outs, counters: none stored yet, which is the truth.
    CHECK(json::parse(ok_result(reader.kv_list("agents"))).at("items").as_array().empty());
    CHECK(ok_result(reader.kv_get("tokens", "today")).empty());
    // A conversation's history is not asked before there is one; it fails as before.
    const Completion history = Storage::wait(reader.load("c1", 0, 0, 10));
    CHECK(history.status == SB_ERROR);
  }
  postgres().psql("DROP DATABASE " + database);
}

TEST_CASE(
    "a node that gives its lease up lets the next one take the tenant at once, after its "
    "queued writes, and writes nothing more",
    "[postgres][release]") {
  TempDir dir;
  // Renewed every 500 ms if it were still held: the wait below spans one renewal.
  Storage node_a(dir.str(), {{"node_id", "node-a"}, {"lease_ms", "1500"}});
  // Queued before the release, not waited for: committed before the lease goes.
  const Call queued = node_a.append(message("c1", 1, "last from a"));
  const Completion released = Storage::wait(node_a.release_lease());
  CHECK(released.status == SB_OK);
  CHECK(json::parse(released.result).at("released") == true);
  CHECK(Storage::wait(queued).status == SB_OK);

  // Nothing renews it again, nothing is written after it.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  const Completion after = Storage::wait(node_a.append(message("c1", 2, "after the release")));
  CHECK(after.status == SB_ERROR);
  CHECK_THAT(after.error, Catch::Contains("gave the tenant's lease up"));

  // The next node takes it now (a new epoch), long before the 1.5 s lease would have
  // run out had it been renewed.
  Storage node_b(dir.str(), {{"node_id", "node-b"}, {"lease_ms", "60000"}});
  CHECK(tenant_sql(dir.str(), "SELECT owner_node || ' ' || epoch FROM tenant_leases") ==
        "node-b 2\n");
  const auto page = json::parse(ok_result(node_b.load("c1", 0, 0, 10))).at("messages").as_array();
  REQUIRE(page.size() == 1);
  CHECK(page[0].at("text") == "last from a");
}

TEST_CASE("giving a lease up never ends another node's newer lease", "[postgres][release]") {
  TempDir dir;
  Storage node_a(dir.str(), {{"node_id", "node-a"}, {"lease_ms", "60000"}});
  expire_lease(dir);
  Storage node_b(dir.str(), {{"node_id", "node-b"}, {"lease_ms", "60000"}});
  REQUIRE(tenant_sql(dir.str(), "SELECT owner_node || ' ' || epoch FROM tenant_leases") ==
          "node-b 2\n");

  // node-a, unaware it lost the tenant, gives "its" lease up: node-b's stays whole.
  const Completion released = Storage::wait(node_a.release_lease());
  CHECK(released.status == SB_OK);
  CHECK(json::parse(released.result).at("released") == false);
  CHECK(tenant_sql(dir.str(),
                   "SELECT owner_node || ' ' || epoch || ' ' || (expires_at > now() + interval "
                   "'50 seconds') FROM tenant_leases") == "node-b 2 true\n");
  CHECK_THAT(Storage::open_error(dir.str(), {{"node_id", "node-c"}}), Catch::Contains("node-b"));
  ok_result(node_b.append(message("c1", 1, "from b")));

  // A read-only instance holds no lease: nothing to give up.
  Storage reader(dir.str(), {{"node_id", "node-c"}, {"read_only", "true"}});
  CHECK(Storage::wait(reader.release_lease()).status == SB_NOT_SUPPORTED);
  CHECK(tenant_sql(dir.str(), "SELECT owner_node || ' ' || epoch FROM tenant_leases") ==
        "node-b 2\n");
}
