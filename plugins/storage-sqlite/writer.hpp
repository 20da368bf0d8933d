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
// writev, one fdatasync) and completes from there; the writer applies logged
// batches to SQLite later, between batches, in large transactions without an
// fsync of their own. Any other write (files, logs, deletes) first has everything
// logged applied, then commits as above.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
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
    Statement message_exists;
    Statement highest_seq;
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

  // ---- the durable log ----
  // Applies and removes the log files of writers that are gone (a crash, or a
  // stop that could not finish), whether or not this writer logs itself.
  void recover_orphaned_logs();
  // The records of log past its mark, in one transaction with the new mark, made
  // durable. False (and the file kept) when that failed.
  bool replay(DurableLog& log);
  // Whether the batch goes to the log (every op in it is loggable).
  bool loggable(const std::vector<WriteOp>& batch) const;
  // Appends the batch as one record; errors as in commit_batch. Accepted ops move
  // to the unapplied queue (their sb_op stays in batch for the completion).
  void log_batch(std::vector<WriteOp>& batch, std::vector<std::string>& errors);
  // Applies whole logged batches from the front, about max_ops writes, in one
  // transaction (synchronous=NORMAL: the log holds them durably). False when the
  // transaction failed (the batches stay queued, tried again a second later).
  bool apply_logged(size_t max_ops);
  // Whether logged batches should be applied now: a reader waits, a slice's worth
  // is waiting, or the oldest has waited durable_log_apply_ms.
  bool apply_due();
  // Everything logged is applied, or false.
  bool apply_all_logged();
  // Makes every applied batch durable in SQLite (a transaction with an fsync that
  // stores the mark again): the log may lose them then.
  bool make_applied_durable();
  // Ends the log at a stop: everything applied, the file and its mark removed.
  void close_log();
  // Whether m's (conversation_id, seq) is stored or logged already; earlier are the
  // ops of the batch before m (those with no error are being logged with it).
  bool is_duplicate(const AppendMessage& m, std::span<const WriteOp> earlier,
                    const std::vector<std::string>& errors);

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

  std::unique_ptr<DurableLog> log_;  // null: durable_log off, or broken and given up
  std::chrono::milliseconds apply_delay_;
  std::shared_ptr<ApplyProgress> progress_;
  uint64_t next_batch_ = 1;
  uint64_t applied_batch_ = 0;  // the last batch applied to SQLite
  std::string log_payload_;     // reused for each record
  struct LoggedBatch {
    uint64_t batch = 0;
    size_t ops = 0;
    std::chrono::steady_clock::time_point logged_at;
  };
  std::deque<LoggedBatch> unapplied_batches_;
  std::deque<WriteOp> unapplied_;  // their ops, in order, without sb_op
  // The highest seq stored or logged per conversation: an append above it is no
  // duplicate, so only one at or below it is looked up. Emptied past
  // kMaxCachedConversations once nothing is unapplied.
  std::unordered_map<std::string, int64_t> highest_seq_;
  static constexpr size_t kMaxCachedConversations = 100000;
  std::chrono::steady_clock::time_point apply_retry_at_{};  // after a failed apply
  bool reader_waits_ = false;  // a read asked for the log to be applied
  bool syncing_ = false;       // applying while a record's fdatasync runs
  // The log is emptied once everything in it is applied and it has grown this big.
  static constexpr uint64_t kLogTruncateBytes = 64u << 20;
  static constexpr size_t kApplySlice = 4096;
  // While a record syncs: about what a fast disk's fdatasync lasts.
  static constexpr size_t kApplySliceWhileSyncing = 512;
};

}  // namespace switchboard::sqlite
