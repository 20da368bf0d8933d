// Applier: the durable log's side of a writer (durable_log on), and the recovery
// of the logs left behind by earlier writers (durable_log on or off).
//
// The writer thread hands a batch of writes that need no answer from the
// database to log_batch(), which appends it to this writer's log (durable_log.hpp:
// one writev, one fdatasync) and queues it for the applier thread; its ops then
// complete. The applier thread applies queued batches to SQLite in large
// transactions without an fsync of their own (every durable_log_apply_ms, at once
// when a read waits for them or a transaction's worth waits), and between them
// indexes for search and checkpoints. Any other write goes through
// commit_after_logged(): the applier first applies everything logged before it,
// then commits it, while the writer thread waits, so completions keep the order of
// the queue.
//
// Threads: the constructor, log_batch, commit_after_logged, loggable and stop run
// on the writer thread (the constructor on the one that builds the writer). The
// Committer is the applier thread's from the constructor until stop() has joined
// it, then the writer thread's again. The two meet only under apply_mutex_ (the
// queue of logged batches, a handed-over batch) and log_mutex_ (the log file).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "committer.hpp"
#include "durable_log.hpp"
#include "host_ref.hpp"
#include "operations.hpp"
#include "sqlite_handle.hpp"
#include "storage_config.hpp"

namespace switchboard::sqlite {

class Applier {
 public:
  // Applies and removes the log files of writers that are gone (a crash, or a
  // stop that could not finish) beside database, on the calling thread, with db.
  static void recover_orphaned_logs(HostRef host, Committer& db, const std::string& database);

  // Opens the writer thread's read connection, creates this writer's log file
  // beside path and starts the applier thread, which owns db from then on.
  // Throws std::runtime_error when the file or the connection cannot be opened.
  Applier(HostRef host, const std::string& path, const StorageConfig& config, Committer& db);
  // stop(), if it has not run.
  ~Applier();
  Applier(const Applier&) = delete;
  Applier& operator=(const Applier&) = delete;

  // Whether the batch goes to the log: every op in it is loggable, and the log
  // takes records (a record whose fdatasync failed ends that).
  bool loggable(const std::vector<WriteOp>& batch);
  // Appends the batch as one record; errors[i] is why batch[i] failed, or "".
  // Accepted ops move to the applier's queue (their sb_op stays in batch for the
  // completion).
  void log_batch(std::vector<WriteOp>& batch, std::vector<std::string>& errors);
  // Has the applier commit a batch that is not logged, after everything logged
  // before it, and waits for it; errors and results as in Committer::commit_batch.
  void commit_after_logged(const std::vector<WriteOp>& batch, std::vector<std::string>& errors,
                           std::vector<std::string>& results);
  // Stops the applier thread once everything logged is applied (or the database
  // fails); then, on the calling thread, which has db again, applies what is left,
  // makes it durable and removes the log file and its mark.
  void stop();

 private:
  using Clock = std::chrono::steady_clock;
  using LogMark = Committer::LogMark;

  // The records of log past its mark, in one transaction with the new mark, made
  // durable. False (and the file kept) when that failed.
  static bool replay(HostRef host, Committer& db, DurableLog& log);

  // ---- writer thread ----
  // A record whose fdatasync (or cut) failed: its writes are committed through the
  // applier with the record's number as the applied mark.
  void commit_unsure_record(std::vector<WriteOp>& batch, std::vector<std::string>& errors,
                            const std::string& why);
  // commit_after_logged; with log_mark, the applier stores it with the batch (and
  // counts it applied).
  void commit_through_applier(const std::vector<WriteOp>& batch, std::vector<std::string>& errors,
                              std::vector<std::string>& results, const LogMark* log_mark);
  // Whether m's (conversation_id, seq) is stored or logged already; earlier are the
  // ops of the batch before m (those with no error are being logged with it).
  // On the writer thread's own read connection.
  bool is_duplicate(const AppendMessage& m, std::span<const WriteOp> earlier,
                    const std::vector<std::string>& errors);
  // stop(), once the applier thread is joined: everything applied (the applier's
  // functions below, on this thread now), the file and its mark removed.
  void close_log();

  // ---- applier thread ----
  // The loop: applies, commits handed-over batches, indexes, checkpoints; ends once
  // stopped with nothing left to apply.
  void run();
  // Wakes the applier (a reader waits for the log's writes).
  void wake();
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

  HostRef host_;
  std::string path_;
  Committer& db_;
  std::unique_ptr<DurableLog> log_;  // null once closed
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
  // Looked up by the message's string_view, without a std::string per look-up.
  struct SeqKeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  std::unordered_map<std::string, int64_t, SeqKeyHash, std::equal_to<>> highest_seq_;
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
    Clock::time_point logged_at;
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
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;

  // Applier thread only.
  uint64_t applied_batch_ = 0;          // the last batch applied to SQLite
  Clock::time_point apply_retry_at_{};  // after a failed apply
  bool reader_waits_ = false;           // a read asked for the log to be applied
  // The log is emptied once everything in it is applied and it has grown this big.
  static constexpr uint64_t kLogTruncateBytes = 64u << 20;
  // Most writes one apply transaction carries; this many waiting are applied at once.
  static constexpr size_t kApplyMaxOps = 65536;
  // Past this many unapplied writes the writer waits for the applier.
  static constexpr size_t kMaxUnappliedOps = 4 * kApplyMaxOps;
};

}  // namespace switchboard::sqlite
