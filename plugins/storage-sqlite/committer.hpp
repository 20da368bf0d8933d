// Committer: a tenant database's one write connection and the work done on it:
// batches of writes committed in one transaction each, the search index kept up
// in slices, the WAL checkpointed at its cap, the durable logs' marks stored.
//
// Not thread-safe, and it needs no lock: one thread uses it at a time. That is
// the thread that constructs it, then the writer thread (writer.hpp); with
// durable_log on, the applier thread from the moment it starts until it stops
// (applier.hpp), and the writer thread again to close the log.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "checkpointer.hpp"
#include "host_ref.hpp"
#include "operations.hpp"
#include "sqlite_handle.hpp"
#include "storage_config.hpp"

namespace switchboard::sqlite {

class Committer {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens (creating) the file in WAL mode with synchronous=FULL, migrates it, and
  // starts the checkpointer. Throws std::runtime_error when any of that fails.
  Committer(HostRef host, const std::string& path, const StorageConfig& config);
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // A durable log's applied mark: the last batch of the log file `name` that is
  // in the database.
  struct LogMark {
    std::string name;
    int64_t batch = 0;
  };

  // Runs one transaction (synchronous=FULL: SB_OK may follow); errors[i] is why
  // batch[i] failed, or "", and results[i] the result JSON of a write that has one
  // (blob_put). With log_mark, the mark is stored in the same transaction and the
  // DEBUG line says "apply:" instead of "commit:". True when the transaction
  // committed (some ops may still have failed alone).
  bool commit_batch(std::span<const WriteOp> batch, std::vector<std::string>& errors,
                    std::vector<std::string>& results, const LogMark* log_mark = nullptr);
  // commit_batch over ops kept elsewhere (the applier's logged batches), with the
  // mark, without an fsync of its own (synchronous=NORMAL): for writes a durable
  // log already holds. A crash may lose the transaction, mark and all. When the
  // connection cannot be switched, every error is why.
  bool commit_logged(std::span<const WriteOp* const> ops, std::vector<std::string>& errors,
                     std::vector<std::string>& results, const LogMark& log_mark);
  // The files of a committed (or failed) batch: deleted blobs' files go once their
  // rows are gone for good; a failed put's file goes with it.
  static void settle_files(const std::vector<WriteOp>& batch,
                           const std::vector<std::string>& errors);

  // The mark of the log file `name`, 0 when it has none.
  int64_t log_mark(const std::string& name);
  // Stores the mark in a transaction of its own whose COMMIT fsyncs the WAL, and
  // with it every earlier transaction in it. False, with error, when that failed.
  bool store_log_mark_durably(const LogMark& mark, std::string& error);
  // Forgets the mark of a log file that is gone.
  void drop_log_mark(const std::string& name);

  // Messages are indexed for search in bulk, at most kIndexDelay after their append
  // or once kIndexBatch wait, whichever comes first; index_due says whether that
  // time has come, index_at when it will (nothing when none waits).
  bool index_due(Clock::time_point now) const {
    return unindexed_ >= kIndexBatch || (unindexed_ > 0 && now >= unindexed_since_ + kIndexDelay);
  }
  std::optional<Clock::time_point> index_at() const;
  // Indexes the next appended messages not in the search index yet (the rows above
  // the search mark, schema.cpp version 9), at most kIndexSlice of them, and moves
  // the mark past them, in one transaction of its own. Returns how many it indexed.
  size_t index_slice();
  bool any_unindexed() const { return unindexed_ > 0; }

  // Whether the WAL passed kCheckpointCap times checkpoint_pages at the last
  // commit: then checkpoint_at_cap() between two transactions (checkpointer.hpp).
  bool checkpoint_due() const { return checkpoint_here_; }
  void checkpoint_at_cap();

 private:
  struct Statements {
    explicit Statements(Connection& db);
    Statement insert_message;
    Statement count_unindexed;
    Statement slice_end;
    Statement index_unindexed;
    Statement advance_mark;
    Statement merge_index;
    Statement put_conversation;
    Statement delete_tags;
    Statement insert_tag;
    Statement set_read;
    Statement kv_put;
    Statement kv_delete;
    Statement blob_total;
    Statement insert_blob;
    Statement delete_blob;
    Statement last_log_seq;
    Statement insert_log;
    Statement delete_messages;
    Statement delete_read_cursors;
    Statement delete_conversation;
    Statement keep_log_counter;
    Statement prune_log;
    Statement read_log_mark;
    Statement set_log_mark;
    Statement drop_log_mark;
  };

  // commit_batch's transaction, over ops kept elsewhere.
  bool commit_ops(std::span<const WriteOp* const> ops, std::vector<std::string>& errors,
                  std::vector<std::string>& results, const LogMark* log_mark);
  // SQLite's WAL hook, after each commit of this connection, with the WAL's length
  // in frames: asks the checkpointer for a pass every checkpoint_pages new frames,
  // and past kCheckpointCap times that has the thread using this connection
  // checkpoint (checkpointer.hpp).
  static int on_wal_commit(void* committer, sqlite3* db, const char* schema, int frames);
  static constexpr int kCheckpointCap = 4;
  // Indexing in bulk costs a fraction of one index segment per commit. The work
  // goes in slices between the message commits (after a crash, a backlog of any
  // size is indexed slice by slice), each followed by a bounded merge of the
  // index's segments: a write that arrives meanwhile waits for one slice, a few
  // milliseconds at most. tests/bench/RESULTS.md, "Search indexing off the ack
  // path", has the figures.
  static constexpr std::chrono::milliseconds kIndexDelay{250};
  static constexpr size_t kIndexBatch = 256;
  static constexpr size_t kIndexSlice = 256;
  static constexpr int kMergePages = 64;

  // Applies one write inside the open transaction; returns why it failed, or "".
  // A failed statement undoes only its own changes (SQLite's ABORT conflict
  // resolution), so a duplicate (conversation_id, seq) fails that message alone.
  std::string apply(const AppendMessage& m, std::string& result);
  std::string apply(const PutConversation& c, std::string& result);
  std::string apply(const SetRead& r, std::string& result);
  std::string apply(const KvPut& kv, std::string& result);
  std::string apply(const PutBlob& b, std::string& result);
  std::string apply(const DeleteBlob& b, std::string& result);
  std::string apply(const AppendLog& e, std::string& result);
  std::string apply(const DeleteConversation& d, std::string& result);
  std::string apply(const PruneLog& p, std::string& result);
  // The sizes of every stored blob, in the open transaction; -1 on error.
  int64_t blob_total_bytes();

  HostRef host_;
  int checkpoint_pages_;
  Connection db_;
  std::optional<Statements> statements_;  // prepared once the schema exists
  int frames_at_request_ = 0;             // the WAL's length when the checkpointer was last asked
  bool checkpoint_here_ = false;          // the WAL passed the cap at the last commit
  std::optional<Checkpointer> checkpointer_;
  size_t unindexed_ = 0;               // appended and committed, not in the search index yet
  Clock::time_point unindexed_since_;  // when the oldest of them came
};

}  // namespace switchboard::sqlite
