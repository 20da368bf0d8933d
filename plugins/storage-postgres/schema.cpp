#include "schema.hpp"

#include <chrono>
#include <cstdio>
#include <pqxx/transaction>
#include <stdexcept>

namespace switchboard::postgres {

namespace {

// One lock for every schema change: migrations and new partitions never race.
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(7305524891275160081)";

// The isolation every tenant table gets: rows of other tenants are neither seen
// nor written, also by the tables' owner (FORCE), and without the setting a
// session sees nothing (current_setting(..., true) is NULL then).
std::string tenant_policy(const std::string& table) {
  return "ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY;\n" + "ALTER TABLE " + table +
         " FORCE ROW LEVEL SECURITY;\n" + "CREATE POLICY tenant_only ON " + table +
         " USING (tenant_id = current_setting('switchboard.tenant_id', true))"
         " WITH CHECK (tenant_id = current_setting('switchboard.tenant_id', true));\n";
}

// A tenant_id column filled from the transaction's tenant.
constexpr const char* kTenantColumn =
    "tenant_id text NOT NULL DEFAULT current_setting('switchboard.tenant_id')";

struct Migration {
  const char* description;
  std::string sql;
};

// Append new steps at the end; never edit a step that has shipped.
//
// No foreign keys between the tables on purpose (as in storage-sqlite): the ABI does
// not order put_conversation before append_message or set_read.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps = {
      {"tables, row-level security, partitioned messages",
       std::string() +
           // message_seqs keeps (conversation, seq) unique across every month
           // partition (a unique index of a partitioned table must contain the
           // partition key) and answers "last_seq" from one index.
           "CREATE SEQUENCE messages_id_seq;\n"
           "CREATE TABLE messages (\n  " +
           kTenantColumn +
           ",\n"
           "  id bigint NOT NULL DEFAULT nextval('messages_id_seq'),\n"
           "  conversation_id text NOT NULL,\n"
           "  seq bigint NOT NULL CHECK (seq > 0),\n"
           "  message_id text NOT NULL,\n"
           "  sender_role text NOT NULL,\n"
           "  sender_id text NOT NULL,\n"
           "  sender_name text NOT NULL,\n"
           "  client_msg_id text NOT NULL,\n"
           "  text text NOT NULL,\n"
           "  ts_ms bigint NOT NULL,\n"
           "  flags bigint NOT NULL DEFAULT 0,\n"
           "  attachments text NOT NULL DEFAULT ''\n"
           ") PARTITION BY RANGE (ts_ms);\n"
           "CREATE INDEX messages_by_conversation ON messages (tenant_id, conversation_id, seq);\n"
           "CREATE INDEX messages_by_id ON messages (tenant_id, id);\n" +
           tenant_policy("messages") + "CREATE TABLE message_seqs (\n  " + kTenantColumn +
           ",\n"
           "  conversation_id text NOT NULL,\n"
           "  seq bigint NOT NULL,\n"
           "  PRIMARY KEY (tenant_id, conversation_id, seq)\n"
           ");\n" +
           tenant_policy("message_seqs") +
           "CREATE SEQUENCE conversations_put_order;\n"
           "CREATE TABLE conversations (\n  " +
           kTenantColumn +
           ",\n"
           "  id text NOT NULL,\n"
           "  status text NOT NULL,\n"
           "  visitor_id text,\n"
           "  assignee text,\n"
           "  group_name text,\n"
           "  created_ms bigint,\n"
           "  updated_ms bigint NOT NULL,\n"
           "  put_order bigint NOT NULL DEFAULT nextval('conversations_put_order'),\n"
           "  tags text[] NOT NULL DEFAULT '{}',\n"
           "  doc text NOT NULL,\n"
           "  PRIMARY KEY (tenant_id, id)\n"
           ");\n"
           "CREATE INDEX conversations_by_updated ON conversations (tenant_id, updated_ms);\n"
           "CREATE INDEX conversations_by_status ON conversations (tenant_id, status, "
           "updated_ms);\n"
           "CREATE INDEX conversations_by_visitor ON conversations (tenant_id, visitor_id, "
           "updated_ms);\n"
           "CREATE INDEX conversations_by_assignee ON conversations (tenant_id, assignee, "
           "updated_ms);\n"
           "CREATE INDEX conversations_by_group ON conversations (tenant_id, group_name, "
           "updated_ms);\n"
           "CREATE INDEX conversations_by_created ON conversations (tenant_id, created_ms);\n"
           "CREATE INDEX conversations_by_tag ON conversations USING gin (tags);\n" +
           tenant_policy("conversations") + "CREATE TABLE read_cursors (\n  " + kTenantColumn +
           ",\n"
           "  conversation_id text NOT NULL,\n"
           "  participant_id text NOT NULL,\n"
           "  seq bigint NOT NULL,\n"
           "  PRIMARY KEY (tenant_id, conversation_id, participant_id)\n"
           ");\n" +
           tenant_policy("read_cursors") + "CREATE TABLE kv (\n  " + kTenantColumn +
           ",\n"
           "  ns text NOT NULL,\n"
           "  key text NOT NULL,\n"
           "  value text NOT NULL,\n"
           "  PRIMARY KEY (tenant_id, ns, key)\n"
           ");\n" +
           tenant_policy("kv") + "CREATE TABLE blobs (\n  " + kTenantColumn +
           ",\n"
           "  id text NOT NULL,\n"
           "  size bigint NOT NULL,\n"
           "  meta text NOT NULL,\n"
           "  created_ms bigint NOT NULL,\n"
           "  data bytea NOT NULL,\n"
           "  PRIMARY KEY (tenant_id, id)\n"
           ");\n" +
           tenant_policy("blobs") + "CREATE TABLE log_entries (\n  " + kTenantColumn +
           ",\n"
           "  log text NOT NULL,\n"
           "  seq bigint NOT NULL,\n"
           "  ts_ms bigint NOT NULL,\n"
           "  kind text NOT NULL,\n"
           "  actor text NOT NULL,\n"
           "  data text NOT NULL,\n"
           "  PRIMARY KEY (tenant_id, log, seq)\n"
           ");\n"
           "CREATE INDEX log_entries_by_kind ON log_entries (tenant_id, log, kind, seq);\n"
           "CREATE INDEX log_entries_by_actor ON log_entries (tenant_id, log, actor, seq);\n" +
           tenant_policy("log_entries") +
           // The fencing token of each tenant (lease.hpp): whoever holds the
           // current epoch may write; every write transaction checks it.
           "CREATE TABLE tenant_leases (\n"
           "  tenant_id text PRIMARY KEY DEFAULT current_setting('switchboard.tenant_id'),\n"
           "  owner_node text NOT NULL,\n"
           "  epoch bigint NOT NULL CHECK (epoch > 0),\n"
           "  expires_at timestamptz NOT NULL\n"
           ");\n" +
           tenant_policy("tenant_leases")},
      // Search (ABI 1.3) finds a substring in any language: a trigram index serves
      // ILIKE '%q%' for queries of three characters or more.
      {"trigram index for search",
       "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
       "CREATE INDEX messages_text_trgm ON messages USING gin (text gin_trgm_ops);\n"},
      // ABI 1.5 log_prune: each log's last number outlives its entries.
      {"log counters", std::string("CREATE TABLE log_counters (\n  ") + kTenantColumn +
                           ",\n"
                           "  log text NOT NULL,\n"
                           "  last_seq bigint NOT NULL,\n"
                           "  PRIMARY KEY (tenant_id, log)\n"
                           ");\n" +
                           tenant_policy("log_counters")},
  };
  return steps;
}

// Milliseconds since the epoch at the start of a month number.
int64_t month_start_ms(int64_t month) {
  using namespace std::chrono;
  const year_month_day first{year{static_cast<int>(month / 12)},
                             std::chrono::month{static_cast<unsigned>(month % 12 + 1)}, day{1}};
  return duration_cast<milliseconds>(sys_days{first}.time_since_epoch()).count();
}

}  // namespace

int latest_schema_version() {
  return static_cast<int>(migrations().size());
}

void migrate(pqxx::connection& db) {
  pqxx::work tx(db);
  tx.exec(kSchemaLock);
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
      "  version int PRIMARY KEY,\n"
      "  description text NOT NULL,\n"
      "  applied_at timestamptz NOT NULL DEFAULT now()\n"
      ")");
  const int current =
      tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
  const int latest = latest_schema_version();
  if (current > latest) {
    throw std::runtime_error("storage-postgres: the database is at schema version " +
                             std::to_string(current) + ", newer than this plugin knows (" +
                             std::to_string(latest) + "); upgrade Switchboard on this node");
  }
  for (int version = current + 1; version <= latest; ++version) {
    const Migration& step = migrations()[static_cast<size_t>(version - 1)];
    tx.exec(step.sql);
    tx.exec_params("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)", version,
                   step.description);
  }
  tx.commit();
}

int64_t month_of(int64_t ts_ms) {
  using namespace std::chrono;
  const year_month_day date{floor<days>(sys_time<milliseconds>{milliseconds{ts_ms}})};
  return static_cast<int64_t>(static_cast<int>(date.year())) * 12 +
         static_cast<unsigned>(date.month()) - 1;
}

std::string partition_name(int64_t month) {
  char name[64];
  std::snprintf(name, sizeof name, "messages_%04lld_%02lld", static_cast<long long>(month / 12),
                static_cast<long long>(month % 12 + 1));
  return name;
}

bool ensure_partition(pqxx::connection& db, int64_t month) {
  const std::string name = partition_name(month);
  pqxx::work tx(db);
  tx.exec(kSchemaLock);
  // A table of that name that is no partition any more (detached by the operator)
  // stays detached: messages of that month then fail rather than reattach it.
  if (!tx.exec_params1("SELECT to_regclass($1) IS NULL", name)[0].as<bool>()) {
    return tx
        .exec_params1(
            "SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = $1::regclass "
            "AND inhparent = 'messages'::regclass)",
            name)[0]
        .as<bool>();
  }
  tx.exec("CREATE TABLE " + name + " PARTITION OF messages FOR VALUES FROM (" +
          std::to_string(month_start_ms(month)) + ") TO (" +
          std::to_string(month_start_ms(month + 1)) + ");\n" + tenant_policy(name));
  tx.commit();
  return true;
}

}  // namespace switchboard::postgres
