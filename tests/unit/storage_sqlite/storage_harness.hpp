// Drives a storage plugin the way the host does: dlopen the built .so, hand it a
// fake sb_host_api, and wait for the completions it sends back.
//
// One harness, two backends: built with SB_STORAGE_BACKEND_POSTGRES it drives
// storage-postgres against a private PostgreSQL this process starts
// (support/postgres_server.hpp), else storage-sqlite. Storage(data_dir) is one
// tenant either way: for PostgreSQL the tenant id is the directory's name, so two
// instances on one directory are one tenant (a reopen, a reload) and two
// directories two tenants in the same database. Tests of what only one backend has
// (SQLite's file, PostgreSQL's policies) carry the tag [sqlite] or [postgres].
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "switchboard/sb_plugin.h"

#ifdef SB_STORAGE_BACKEND_POSTGRES
#include "support/postgres_server.hpp"
#endif

namespace storage_test {

// storage-sqlite: SQL that takes a file of the latest schema version back to the
// search index of version 9 (the trigram index with positions, detail = full, every
// message indexed). Run it on a file whose writer stopped cleanly.
#define SB_SQLITE_BACK_TO_VERSION_9                                                        \
  "DROP TABLE messages_fts; CREATE VIRTUAL TABLE messages_fts USING fts5(text, content = " \
  "'messages', content_rowid = 'rowid', tokenize = 'trigram'); INSERT INTO messages_fts "  \
  "(messages_fts) VALUES ('rebuild'); UPDATE search_mark SET indexed_upto = (SELECT "      \
  "coalesce(max(rowid), 0) FROM messages); "
inline constexpr const char* kSqliteBackToVersion9 =
    SB_SQLITE_BACK_TO_VERSION_9 "PRAGMA user_version = 9;";

// storage-sqlite: SQL that takes a file of the latest schema version back to the
// search index of versions 4-7 (every message indexed, triggers without
// search_mark), for tests that make a file of an older version. Run it on a file
// whose writer stopped cleanly (every message indexed).
inline constexpr const char* kSqliteBackToSearchOfVersion7 = SB_SQLITE_BACK_TO_VERSION_9
    "DROP TABLE search_mark; DROP TRIGGER messages_fts_delete; DROP TRIGGER "
    "messages_fts_update; CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, "
    "old.text); END; CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages "
    "BEGIN INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', "
    "old.rowid, old.text); INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, "
    "new.text); END; ";

// What host->complete received for one op (or, for a call that failed at once,
// the call's own status and error).
struct Completion {
  int32_t status = -1;
  std::string result;
  std::string error;
  bool ok() const { return status == SB_OK; }
};

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

struct Message {
  std::string conversation_id = "c1";
  uint64_t seq = 1;
  std::string message_id;  // default: "<conversation>-<seq>"
  std::string role = "visitor";
  std::string sender_id = "v1";
  std::string sender_name = "Vera";
  std::string client_msg_id;
  std::string text = "hello";
  int64_t ts_ms = 1700000000000;
  uint32_t flags = 0;
  std::string attachments_json;  // ABI 1.2
};

// The result of a hook call: SB_PENDING with an op to wait for, or an immediate status.
struct Call {
  int32_t status = -1;
  sb_op* op = nullptr;
  std::string error;
};

// One plugin instance (one tenant) on a directory.
class Storage {
 public:
  using Config = std::map<std::string, std::string>;

  // Creates the instance; throws std::runtime_error with its error when instance_new fails.
  explicit Storage(const std::string& data_dir, Config config = {});
  ~Storage();  // instance_free
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  // instance_new's error text, or "" when it succeeded (the instance is freed again).
  static std::string open_error(const std::string& data_dir, Config config = {});
  // instance_new's sb_error.retry_after_ms when it refused (0: it gave none, or it
  // succeeded).
  static int64_t open_retry_after_ms(const std::string& data_dir, Config config = {});
  // What the constructor throws when instance_new refuses.
  struct Refused : std::runtime_error {
    Refused(const std::string& what, int64_t retry_after)
        : std::runtime_error(what), retry_after_ms(retry_after) {}
    int64_t retry_after_ms;
  };

  // Hook calls; each returns at once.
  Call append(const Message& m);
  Call load(const std::string& conversation_id, uint64_t after_seq, uint64_t before_seq,
            uint32_t limit);
  Call put_conversation(const std::string& json);
  Call list_conversations(const std::string& filter_json);
  Call set_read(const std::string& conversation_id, const std::string& participant_id,
                uint64_t seq);
  // ABI 1.10: the read positions of conversations, query_json as sb_plugin.h says.
  Call load_reads(const std::string& query_json);
  Call kv_put(const std::string& ns, const std::string& key, const std::string& value_json);
  Call kv_get(const std::string& ns, const std::string& key);
  Call kv_list(const std::string& ns);
  // ABI 1.2 files.
  Call blob_put(const std::string& id, const std::string& data, const std::string& meta_json = "{}",
                uint64_t max_total_bytes = 0);
  Call blob_get(const std::string& id);
  Call blob_meta(const std::string& id);
  Call blob_delete(const std::string& id);
  Call blob_usage();
  // ABI 1.3 search.
  Call search(const std::string& query_json);
  // ABI 1.4 logs.
  Call log_append(const std::string& log, const std::string& kind, const std::string& actor,
                  const std::string& data_json, int64_t ts_ms = 1700000000000);
  Call log_list(const std::string& query_json);
  // ABI 1.5 data protection.
  Call delete_conversation(const std::string& conversation_id);
  Call log_prune(const std::string& log, int64_t before_ts_ms);
  Call backup(const std::string& dir);
  // ABI 1.7: the epoch of the tenant's lease the instance holds; nullopt when the
  // plugin has no lease_epoch or answers that it holds none.
  std::optional<int64_t> lease_epoch();
  // ABI 1.9: gives the tenant's lease up. SB_NOT_SUPPORTED when the plugin has no
  // release_lease (or holds no lease).
  Call release_lease();

  // Waits for the op of a call (or returns its immediate status).
  static Completion wait(const Call& call,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Lines the instance logged so far that start with prefix (e.g. "commit:").
  std::vector<std::string> log_lines(const std::string& prefix) const;

  // The host's side of the instance (its sb_host_ctx): config and log lines.
  struct Context;

 private:
  std::unique_ptr<Context> ctx_;
  sb_instance* instance_ = nullptr;
};

// Whether this build drives storage-postgres.
bool backend_is_postgres();

// Moves the wall clock the plugins read through the host (wall_clock_ms) by this
// much from now on: a test of what a plugin does when a month turns.
void set_wall_clock_offset(std::chrono::milliseconds offset);

// storage-postgres only: runs SQL through psql as the plugin's role, in a session
// of the tenant of data_dir (SET switchboard.tenant_id first), and returns what it
// printed (unaligned, tuples only). For tests that look behind the plugin's back.
std::string tenant_sql(const std::string& data_dir, const std::string& sql);

#ifdef SB_STORAGE_BACKEND_POSTGRES
// The private PostgreSQL of this test process, started on first use.
sb::test::PostgresServer& postgres();
#endif

// How many ops were completed more than once, over the whole test run (must be 0).
size_t double_completions();

}  // namespace storage_test
