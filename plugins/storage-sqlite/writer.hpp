// Writer: the one thread that writes a tenant's database, with group commit.
//
// Hooks push writes into a bounded queue and return at once. The thread takes
// everything queued (up to max_batch_messages) into one transaction, commits it
// (one WAL fsync, synchronous=FULL), and only then completes each op: SB_OK means
// durable. Writes that arrive while a commit runs wait for the next one, so under
// load the number of fsyncs stays far below the number of writes.
//
// With durable_log on (off by default), a batch of writes that need no answer from
// the database goes to the writer's durable log instead (durable_log.hpp: one
// writev, one fdatasync) and completes from there. The database connection then
// belongs to a second thread, the applier, which applies logged batches to SQLite
// in large transactions without an fsync of their own (every
// durable_log_apply_ms), indexes and checkpoints; the writer thread only appends
// and syncs. Any other write (files, logs, deletes) is handed to the applier,
// which first applies everything logged before it, then commits it as above; the
// writer waits for it, so completions keep the order of the queue.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bounded_queue.hpp"
#include "checkpointer.hpp"
#include "durable_log.hpp"
#include "host_ref.hpp"
#include "operations.hpp"
#include "sqlite_handle.hpp"
#include "storage_config.hpp"

namespace switchboard::sqlite {

class Writer {
 public:
  // Opens (creating) the file in WAL mode, migrates it, and starts the thread.
  // Throws std::runtime_error when any of that fails.
  Writer(HostRef host, const std::string& path, const StorageConfig& config);
  // Commits and completes everything still queued, then stops the thread.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Never blocks. False when max_pending_messages writes are already waiting.
  bool submit(WriteOp&& write) { return queue_.push(std::move(write)); }

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

  void run();
  // SQLite's WAL hook, after each commit of this connection, with the WAL's length
  // in frames: asks the checkpointer for a pass every checkpoint_pages new frames,
  // and past kCheckpointCap times that has run() checkpoint here (checkpointer.hpp).
  static int on_wal_commit(void* writer, sqlite3* db, const char* schema, int frames);
  void checkpoint_at_cap();
  static constexpr int kCheckpointCap = 4;
  // Indexes the next appended messages not in the search index yet (the rows above
  // the search mark, schema.cpp version 9), at most kIndexSlice of them, and moves
  // the mark past them, in one transaction of its own. Returns how many it indexed.
  size_t index_slice();
  // Messages are indexed for search in bulk, at most this long after their append
  // or once this many wait, whichever comes first: one index segment per batch
  // costs a fraction of one per commit. The work goes in slices between the
  // message commits (after a crash, a backlog of any size is indexed slice by
  // slice), each followed by a bounded merge of the index's segments: a write that
  // arrives meanwhile waits for one slice, a few milliseconds at most.
  // tests/bench/RESULTS.md, "Search indexing off the ack path", has the figures.
  static constexpr std::chrono::milliseconds kIndexDelay{250};
  static constexpr size_t kIndexBatch = 256;
  static constexpr size_t kIndexSlice = 256;
  static constexpr int kMergePages = 64;
  // Runs one transaction; errors[i] is why batch[i] failed, or "", and results[i]
  // the result JSON of a write that has one (blob_put).
  // With log_mark, the mark (log name, batch) is stored in the same transaction and
  // the DEBUG line says "apply:" instead of "commit:".
  struct LogMark {
    std::string name;
    int64_t batch = 0;
  };
  // True when the transaction committed (some ops may still have failed alone).
  bool commit_batch(std::span<const WriteOp> batch, std::vector<std::string>& errors,
                    std::vector<std::string>& results, const LogMark* log_mark = nullptr);
  // The same over ops kept elsewhere (the applier's logged batches).
  bool commit_ops(std::span<const WriteOp* const> ops, std::vector<std::string>& errors,
                  std::vector<std::string>& results, const LogMark* log_mark);

  // ---- the durable log ----
  // Applies and removes the log files of writers that are gone (a crash, or a
  // stop that could not finish), whether or not this writer logs itself.
  void recover_orphaned_logs();
  // The records of log past its mark, in one transaction with the new mark, made
  // durable. False (and the file kept) when that failed.
  bool replay(DurableLog& log);
  // Whether the batch goes to the log (every op in it is loggable).
  bool loggable(const std::vector<WriteOp>& batch);
  // Writer thread. Appends the batch as one record; errors as in commit_batch.
  // Accepted ops move to the applier's queue (their sb_op stays in batch for the
  // completion).
  void log_batch(std::vector<WriteOp>& batch, std::vector<std::string>& errors);
  // Writer thread. A record whose fdatasync (or cut) failed: its writes are
  // committed through the applier with the record's number as the applied mark.
  void commit_unsure_record(std::vector<WriteOp>& batch, std::vector<std::string>& errors,
                            const std::string& why);
  // Writer thread. Has the applier commit a batch that is not logged, after
  // everything logged before it, and waits for it; errors and results as in
  // commit_batch.
  // With log_mark, the applier stores it with the batch (and counts it applied).
  void commit_through_applier(const std::vector<WriteOp>& batch, std::vector<std::string>& errors,
                              std::vector<std::string>& results, const LogMark* log_mark = nullptr);
  // Whether m's (conversation_id, seq) is stored or logged already; earlier are the
  // ops of the batch before m (those with no error are being logged with it).
  // Writer thread, on its own read connection.
  bool is_duplicate(const AppendMessage& m, std::span<const WriteOp> earlier,
                    const std::vector<std::string>& errors);

  // The applier thread's loop: applies, commits handed-over batches, indexes,
  // checkpoints; ends once stopped with nothing left to apply.
  void run_applier();
  // Wakes the applier (a reader waits for the log's writes).
  void wake_applier();
  // Applies whole logged batches from the front, at most max_ops writes (at least
  // one batch), in one transaction (synchronous=NORMAL: the log holds them
  // durably). False when the transaction failed (the batches stay queued).
  bool apply_logged(size_t max_ops);
  // Everything logged is applied, or false.
  bool apply_all_logged();
  // Once the log is big and everything in it is applied: makes that durable in
  // SQLite and empties the file.
  void truncate_log_when_applied();
  // Makes every applied batch durable in SQLite (a transaction with an fsync that
  // stores the mark again): the log may lose them then.
  bool make_applied_durable();
  // Ends the log at a stop: everything applied, the file and its mark removed.
  void close_log();

  // The files of a committed (or failed) batch: deleted blobs' files go once their
  // rows are gone for good; a failed put's file goes with it.
  static void settle_files(const std::vector<WriteOp>& batch,
                           const std::vector<std::string>& errors);
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
  std::string path_;
  size_t max_batch_;
  std::chrono::microseconds commit_delay_;
  int checkpoint_pages_;
  Connection db_;
  std::optional<Statements> statements_;  // prepared once the schema exists
  int frames_at_request_ = 0;             // the WAL's length when the checkpointer was last asked
  bool checkpoint_here_ = false;          // the WAL passed the cap at the last commit
  std::optional<Checkpointer> checkpointer_;
  BoundedQueue<WriteOp> queue_;
  std::thread thread_;
  size_t unindexed_ = 0;  // appended and committed, not in the search index yet
  std::chrono::steady_clock::time_point unindexed_since_;  // when the oldest of them came

  std::unique_ptr<DurableLog> log_;  // null: durable_log off
  std::chrono::milliseconds apply_delay_;
  std::shared_ptr<ApplyProgress> progress_;
  std::string log_payload_;  // reused for each record
  uint64_t next_batch_ = 1;  // writer thread
  // The writer's appends against the applier's truncation of the log.
  std::mutex log_mutex_;
  uint64_t last_logged_batch_ = 0;  // under log_mutex_
  // The highest seq stored or logged per conversation: an append above it is no
  // duplicate, so only one at or below it is looked up. Writer thread; emptied past
  // kMaxCachedConversations once nothing is unapplied.
  std::unordered_map<std::string, int64_t> highest_seq_;
  static constexpr size_t kMaxCachedConversations = 100000;
  // The writer thread's read connection for those look-ups (the applier's
  // transactions never block it: WAL).
  std::optional<Connection> lookup_db_;
  std::optional<Statement> lookup_highest_seq_;
  std::optional<Statement> lookup_message_;

  // Between the writer and the applier, under apply_mutex_.
  struct LoggedBatch {
    uint64_t batch = 0;
    std::vector<WriteOp> ops;  // without sb_op
    std::chrono::steady_clock::time_point logged_at;
  };
  struct HandedBatch {
    const std::vector<WriteOp>* ops = nullptr;
    std::vector<std::string>* errors = nullptr;
    std::vector<std::string>* results = nullptr;
    const LogMark* log_mark = nullptr;
    bool done = false;
  };
  std::mutex apply_mutex_;
  std::condition_variable apply_changed_;
  // Logged, not applied yet, in order; an entry leaves once its transaction committed.
  std::deque<std::unique_ptr<LoggedBatch>> unapplied_;
  size_t unapplied_ops_ = 0;
  HandedBatch* handed_ = nullptr;  // the writer waits for it
  bool applier_woken_ = false;
  bool applier_stopping_ = false;
  std::thread applier_;

  // Applier thread only.
  uint64_t applied_batch_ = 0;                              // the last batch applied to SQLite
  std::chrono::steady_clock::time_point apply_retry_at_{};  // after a failed apply
  bool reader_waits_ = false;  // a read asked for the log to be applied
  // The log is emptied once everything in it is applied and it has grown this big.
  static constexpr uint64_t kLogTruncateBytes = 64u << 20;
  // Most writes one apply transaction carries; this many waiting are applied at once.
  static constexpr size_t kApplyMaxOps = 65536;
  // Past this many unapplied writes the writer waits for the applier.
  static constexpr size_t kMaxUnappliedOps = 4 * kApplyMaxOps;
};

}  // namespace switchboard::sqlite
