// Tenant isolation in the database itself: every tenant table (and every month
// partition of messages) has FORCE ROW LEVEL SECURITY with a policy on the
// transaction's tenant, and the plugin's role cannot bypass it.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "pg_test_support.hpp"

using namespace storage_test;
namespace json = boost::json;

namespace {

const std::vector<std::string> kTenantTables = {"messages",     "message_seqs", "conversations",
                                                "read_cursors", "kv",           "blobs",
                                                "log_entries",  "tenant_leases"};

// Stores one of everything for the tenant of s.
void store_everything(Storage& s, const std::string& text) {
  Message m;
  m.text = text;
  m.ts_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  ok_result(s.append(m));
  ok_result(s.put_conversation(R"({"id":"c1","status":"open"})"));
  ok_result(s.set_read("c1", "dana", 1));
  ok_result(s.kv_put("agents", "dana", R"({"name":"Dana"})"));
  ok_result(s.blob_put("att_1", "bytes"));
  ok_result(s.log_append("audit", "agent.created", "root", "{}"));
}

int64_t count(pqxx::transaction_base& tx, const std::string& table) {
  return tx.exec1("SELECT count(*) FROM " + table)[0].as<int64_t>();
}

}  // namespace

TEST_CASE("without the tenant setting a session sees no row of any tenant and writes none",
          "[postgres]") {
  TempDir dir_a, dir_b;
  Storage a(dir_a.str());
  Storage b(dir_b.str());
  store_everything(a, "secret of A");
  store_everything(b, "secret of B");

  auto app = connect_as_app();
  {
    pqxx::work tx(*app);
    for (const auto& table : kTenantTables) {
      INFO(table);
      CHECK(count(tx, table) == 0);
    }
    // A month partition read directly has the same policy as its parent.
    const std::string month_partition =
        tx.exec1(
              "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
              "WHERE i.inhparent = 'messages'::regclass ORDER BY c.relname DESC LIMIT 1")[0]
            .as<std::string>();
    CHECK(count(tx, month_partition) == 0);
  }
  {
    pqxx::work tx(*app);
    CHECK_THROWS(tx.exec_params(
        "INSERT INTO kv (tenant_id, ns, key, value) VALUES ($1, 'agents', 'mallory', '1')",
        tenant_of(dir_a)));
  }

  SECTION("with tenant A set, only A's rows, and B's rows cannot be changed") {
    pqxx::work tx(*app);
    tx.exec_params("SELECT set_config('switchboard.tenant_id', $1, true)", tenant_of(dir_a));
    for (const auto& table : kTenantTables) {
      INFO(table);
      CHECK(count(tx, table) == 1);
    }
    CHECK(tx.exec1("SELECT text FROM messages")[0].as<std::string>() == "secret of A");
    CHECK(tx.exec("UPDATE kv SET value = '\"taken\"'").affected_rows() == 1);
    CHECK(tx.exec_params("DELETE FROM messages WHERE tenant_id = $1", tenant_of(dir_b))
              .affected_rows() == 0);
    CHECK_THROWS(tx.exec_params(
        "INSERT INTO kv (tenant_id, ns, key, value) VALUES ($1, 'agents', 'mallory', '1')",
        tenant_of(dir_b)));
  }
  SECTION("the superuser sees that both tenants' rows are there") {
    auto root = connect_as_superuser();
    pqxx::work tx(*root);
    CHECK(tx.exec_params1("SELECT count(*) FROM messages WHERE tenant_id IN ($1, $2)",
                          tenant_of(dir_a), tenant_of(dir_b))[0]
              .as<int64_t>() == 2);
  }
}

TEST_CASE(
    "every tenant table forces row-level security, and the plugin refuses a role that "
    "would bypass it",
    "[postgres]") {
  TempDir dir;
  { Storage s(dir.str()); }
  auto root = connect_as_superuser();
  pqxx::work tx(*root);
  // Every table with a tenant_id column, month partitions included.
  const pqxx::result tables = tx.exec(
      "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
      "  (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) "
      "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' "
      "WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace");
  CHECK(tables.size() >= kTenantTables.size() + 4);  // and the months created ahead
  for (const pqxx::row& t : tables) {
    INFO(t[0].as<std::string>());
    CHECK(t[1].as<bool>());
    CHECK(t[2].as<bool>());
    CHECK(t[3].as<int>() == 1);
  }
  const pqxx::row role =
      tx.exec1("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'switchboard'");
  CHECK_FALSE(role[0].as<bool>());
  CHECK_FALSE(role[1].as<bool>());

  TempDir other;
  CHECK_THAT(Storage::open_error(other.str(), {{"connection", postgres().connection("postgres")}}),
             Catch::Contains("superuser"));
}

TEST_CASE("set_read keeps the highest position per participant (PostgreSQL rows)", "[postgres]") {
  TempDir dir;
  {
    Storage s(dir.str());
    for (uint64_t seq : {5, 3, 7, 6}) REQUIRE(Storage::wait(s.set_read("c1", "dana", seq)).ok());
    REQUIRE(Storage::wait(s.set_read("c1", "v1", 2)).ok());
    REQUIRE(Storage::wait(s.set_read("c2", "dana", 1)).ok());
  }
  CHECK(tenant_sql(dir.str(),
                   "SELECT conversation_id || '/' || participant_id || '=' || seq FROM "
                   "read_cursors ORDER BY 1") == "c1/dana=7\nc1/v1=2\nc2/dana=1\n");
}

TEST_CASE("config: connection is required, and bad values are refused naming the key",
          "[postgres]") {
  TempDir dir;
  CHECK_THAT(Storage::open_error(dir.str(), {{"connection", ""}}), Catch::Contains("connection"));
  CHECK_THAT(Storage::open_error(dir.str(), {{"max_batch_messages", "0"}}),
             Catch::Contains("max_batch_messages"));
  CHECK_THAT(Storage::open_error(dir.str(), {{"lease_ms", "soon"}}), Catch::Contains("lease_ms"));
  CHECK_THAT(Storage::open_error(dir.str(), {{"connection", "host=/nonexistent port=1"}}),
             !Catch::Equals(""));
}
