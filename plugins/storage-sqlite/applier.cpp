#include "applier.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace switchboard::sqlite {

Applier::Applier(HostRef host, const std::string& path, const StorageConfig& config, Committer& db)
    : host_(host), path_(path), db_(db), apply_delay_(config.durable_log_apply_ms) {
  lookup_db_.emplace(path, /*create=*/false);
  configure_connection(*lookup_db_, config.busy_timeout_ms);
  lookup_highest_seq_.emplace(*lookup_db_,
                              "SELECT max(seq) FROM messages WHERE conversation_id = ?1");
  lookup_message_.emplace(*lookup_db_,
                          "SELECT 1 FROM messages WHERE conversation_id = ?1 AND seq = ?2");
  log_ = DurableLog::create(path);
  progress_ = std::make_shared<ApplyProgress>([this] { wake(); });
  register_progress(path_, progress_);
  // From here on the database connection is the applier's until it stops.
  thread_ = std::thread([this] { run(); });
}

Applier::~Applier() {
  stop();
}

void Applier::stop() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(apply_mutex_);
      stopping_ = true;
    }
    apply_changed_.notify_all();
    thread_.join();
  }
  // The connection is this thread's again.
  close_log();
}

// ---- the writer thread ----

bool Applier::is_duplicate(const AppendMessage& m, std::span<const WriteOp> earlier,
                           const std::vector<std::string>& errors) {
  auto highest = highest_seq_.find(m.conversation_id());
  if (highest == highest_seq_.end()) {
    // First seen since the cache was last emptied, which happens only with nothing
    // unapplied: the database knows its highest seq.
    Statement& max_seq = *lookup_highest_seq_;
    ResetOnExit reset(max_seq);
    max_seq.bind(1, m.conversation_id());
    const int64_t stored = max_seq.step() == SQLITE_ROW ? max_seq.column_int(0) : 0;
    highest = highest_seq_.emplace(m.conversation_id(), stored).first;
  }
  // The engine numbers a conversation's messages upwards: the common case.
  if (m.seq > highest->second) {
    highest->second = m.seq;
    return false;
  }
  // At or below the highest: look for it among this batch's accepted ops, the
  // logged writes not applied yet, and the database. In that order: a logged
  // batch leaves the applier's queue only after its transaction committed, so
  // what is no longer in the queue is in the database.
  const auto same = [&](const WriteOp& op) {
    const auto* other = std::get_if<AppendMessage>(&op.command);
    return other && other->seq == m.seq && other->conversation_id() == m.conversation_id();
  };
  for (size_t i = 0; i < earlier.size(); ++i)
    if (errors[i].empty() && same(earlier[i])) return true;
  {
    std::lock_guard lock(apply_mutex_);
    for (const auto& logged : unapplied_)
      for (const WriteOp& op : logged->ops)
        if (same(op)) return true;
  }
  Statement& exists = *lookup_message_;
  ResetOnExit reset(exists);
  exists.bind(1, m.conversation_id());
  exists.bind(2, m.seq);
  return exists.step() == SQLITE_ROW;
}

bool Applier::loggable(const std::vector<WriteOp>& batch) {
  if (!log_) return false;
  {
    std::lock_guard lock(log_mutex_);
    if (log_->broken()) return false;
  }
  for (const auto& op : batch)
    if (!is_loggable(op)) return false;
  return true;
}

void Applier::log_batch(std::vector<WriteOp>& batch, std::vector<std::string>& errors) {
  const auto started = std::chrono::steady_clock::now();
  if (highest_seq_.size() > kMaxCachedConversations) {
    // With nothing unapplied the database alone knows every highest seq again.
    std::lock_guard lock(apply_mutex_);
    if (unapplied_.empty()) highest_seq_.clear();
  }
  errors.assign(batch.size(), std::string());
  log_payload_.clear();
  size_t logged = 0;
  size_t messages = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (const auto* m = std::get_if<AppendMessage>(&batch[i].command)) {
      ++messages;
      // A duplicate (conversation_id, seq) fails alone, as SQLite's primary key
      // fails it in a transaction.
      if (is_duplicate(*m, std::span<const WriteOp>(batch.data(), i), errors)) {
        errors[i] = "storage: conversation " + std::string(m->conversation_id()) +
                    " already has a message with seq " + std::to_string(m->seq);
        continue;
      }
    }
    encode_op(batch[i], log_payload_);
    ++logged;
  }
  std::string why;
  bool record_may_survive = false;
  if (logged > 0) {
    std::lock_guard lock(log_mutex_);
    why = log_->append(next_batch_, log_payload_);
    if (why.empty()) last_logged_batch_ = next_batch_;
    record_may_survive = !why.empty() && log_->broken();
  }
  if (record_may_survive) {
    commit_unsure_record(batch, errors, why);
    return;
  }
  auto accepted = std::make_unique<LoggedBatch>();
  accepted->batch = next_batch_;
  accepted->logged_at = started;
  accepted->ops.reserve(logged);
  size_t failed = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!errors[i].empty()) {
      ++failed;
      continue;
    }
    if (!why.empty()) {
      errors[i] = "storage: cannot write the durable log: " + why;
      ++failed;
      continue;
    }
    // The sb_op stays in batch[i] for the completion.
    accepted->ops.push_back(WriteOp{std::move(batch[i].command), nullptr});
  }
  if (logged > 0 && why.empty()) {
    ++next_batch_;
    bool wake = false;
    {
      std::unique_lock lock(apply_mutex_);
      // Memory stays bounded when the database cannot keep up (or is locked): the
      // writer holds back, and writes queue (and are refused past
      // max_pending_messages) as without the log.
      apply_changed_.wait(lock, [&] { return unapplied_ops_ < kMaxUnappliedOps; });
      // The first one sets the applier's clock; a full transaction's worth is due.
      wake = unapplied_.empty() || unapplied_ops_ + logged >= kApplyMaxOps;
      unapplied_ops_ += logged;
      unapplied_.push_back(std::move(accepted));
    }
    if (wake) apply_changed_.notify_all();
    progress_->add_logged(logged);
  } else if (!why.empty()) {
    host_.log(SB_LOG_ERROR,
              "storage: cannot write the durable log: " + why +
                  (log_->broken() ? "; writes are committed to SQLite directly now" : ""));
  }
  // As a transaction's line: this record was the batch's one fsync.
  char line[160];
  std::snprintf(
      line, sizeof line, "commit: %zu writes (%zu messages, %zu failed) in %.2f ms (log)",
      batch.size(), messages, failed,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
          .count());
  host_.log(SB_LOG_DEBUG, line);
}

// The record may be on disk or not, so neither "failed" nor "logged" is true yet.
// Committed to SQLite with the record's number as the applied mark, the writes
// are stored, and a replay after a crash skips the record whether it survived or
// not. Only if that commit fails too do they fail, and then the record, if it
// survived, may still be applied at the next open (the database could not take
// the mark).
void Applier::commit_unsure_record(std::vector<WriteOp>& batch, std::vector<std::string>& errors,
                                   const std::string& why) {
  host_.log(SB_LOG_ERROR, "storage: cannot write the durable log: " + why +
                              "; its last batch and every write after it are committed to "
                              "SQLite directly");
  std::vector<WriteOp> accepted;
  std::vector<size_t> positions;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!errors[i].empty()) continue;
    accepted.push_back(WriteOp{batch[i].command, nullptr});
    positions.push_back(i);
  }
  const LogMark mark{log_->name(), static_cast<int64_t>(next_batch_++)};
  std::vector<std::string> accepted_errors;
  std::vector<std::string> results;
  commit_through_applier(accepted, accepted_errors, results, &mark);
  for (size_t k = 0; k < positions.size(); ++k) errors[positions[k]] = accepted_errors[k];
}

void Applier::commit_after_logged(const std::vector<WriteOp>& batch,
                                  std::vector<std::string>& errors,
                                  std::vector<std::string>& results) {
  commit_through_applier(batch, errors, results, nullptr);
}

void Applier::commit_through_applier(const std::vector<WriteOp>& batch,
                                     std::vector<std::string>& errors,
                                     std::vector<std::string>& results, const LogMark* log_mark) {
  HandedBatch handed{&batch, &errors, &results, log_mark};
  {
    std::unique_lock lock(apply_mutex_);
    handed_ = &handed;
    apply_changed_.notify_all();
    apply_changed_.wait(lock, [&] { return handed.done; });
    handed_ = nullptr;
  }
  // The cache of highest seqs follows what was committed: a deleted conversation's
  // numbers are free again, a message appended here raises its conversation's.
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!errors[i].empty()) continue;
    if (const auto* d = std::get_if<DeleteConversation>(&batch[i].command)) {
      highest_seq_.erase(d->id);
    } else if (const auto* m = std::get_if<AppendMessage>(&batch[i].command)) {
      if (auto it = highest_seq_.find(m->conversation_id()); it != highest_seq_.end())
        it->second = std::max(it->second, m->seq);
    }
  }
}

// ---- the applier thread ----

void Applier::wake() {
  {
    std::lock_guard lock(apply_mutex_);
    woken_ = true;
  }
  apply_changed_.notify_all();
}

void Applier::run() {
  pthread_setname_np(pthread_self(), "sqlite-applier");
  std::unique_lock lock(apply_mutex_);
  for (;;) {
    woken_ = false;
    if (progress_->take_wanted()) reader_waits_ = true;
    if (unapplied_.empty()) reader_waits_ = false;
    const auto now = Clock::now();
    if (handed_ && !handed_->done) {
      // The writer waits: what was logged before its batch goes first, whether or
      // not an apply failed a moment ago.
      HandedBatch& handed = *handed_;  // set until done
      lock.unlock();
      const bool applied = apply_all_logged();
      if (applied) {
        if (db_.commit_batch(*handed.ops, *handed.errors, *handed.results, handed.log_mark) &&
            handed.log_mark)
          applied_batch_ = static_cast<uint64_t>(handed.log_mark->batch);
      } else {
        handed.errors->assign(handed.ops->size(),
                              "storage: cannot apply the durable log's writes first (see the log)");
        handed.results->assign(handed.ops->size(), std::string());
      }
      Committer::settle_files(*handed.ops, *handed.errors);
      lock.lock();
      handed.done = true;
      apply_changed_.notify_all();
      continue;
    }
    if (!unapplied_.empty()) {
      const bool due = stopping_ || reader_waits_ || unapplied_ops_ >= kApplyMaxOps ||
                       now >= unapplied_.front()->logged_at + apply_delay_;
      if (due && (stopping_ || now >= apply_retry_at_)) {
        lock.unlock();
        const bool applied = apply_logged(kApplyMaxOps);
        lock.lock();
        // A stop with the database failing leaves the rest to the log and the next open.
        if (!applied && stopping_) break;
        continue;
      }
    } else if (stopping_) {
      break;
    }
    // Between applies: a checkpoint at the cap, then the search index, a slice at a
    // time (a reader or the writer may be waiting for the next apply).
    if (db_.checkpoint_due()) {
      lock.unlock();
      db_.checkpoint_at_cap();
      lock.lock();
      continue;
    }
    if (db_.index_due(now)) {
      lock.unlock();
      db_.index_slice();
      lock.lock();
      continue;
    }
    std::optional<Clock::time_point> wake_at;
    if (!unapplied_.empty())
      wake_at = std::max(unapplied_.front()->logged_at + apply_delay_, apply_retry_at_);
    if (const auto index_at = db_.index_at())
      wake_at = wake_at ? std::min(*wake_at, *index_at) : *index_at;
    const bool was_empty = unapplied_.empty();
    const auto woken = [&] {
      return woken_ || stopping_ || (handed_ && !handed_->done) || unapplied_ops_ >= kApplyMaxOps ||
             (was_empty && !unapplied_.empty());
    };
    if (wake_at) {
      apply_changed_.wait_until(lock, *wake_at, woken);
    } else {
      apply_changed_.wait(lock, woken);
    }
  }
}

bool Applier::apply_logged(size_t max_ops) {
  std::vector<const WriteOp*> ops;
  size_t batches = 0;
  uint64_t last_batch = 0;
  {
    // Entries stay put while this thread applies them (only the writer adds, at
    // the back), so their ops are read without the lock.
    std::lock_guard lock(apply_mutex_);
    for (const auto& logged : unapplied_) {
      if (batches > 0 && ops.size() + logged->ops.size() > max_ops) break;
      for (const WriteOp& op : logged->ops) ops.push_back(&op);
      last_batch = logged->batch;
      ++batches;
    }
  }
  if (batches == 0) return true;
  const LogMark mark{log_->name(), static_cast<int64_t>(last_batch)};

  // No fsync of its own: the log holds these writes durably. A crash may lose this
  // transaction, mark and all, and the next open applies the batches again.
  std::vector<std::string> errors;
  std::vector<std::string> results;
  if (!db_.commit_logged(ops, errors, results, mark)) {
    apply_retry_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    host_.log(SB_LOG_WARN, "storage: cannot apply the durable log to the database, will retry: " +
                               (errors.empty() ? std::string() : errors.front()));
    return false;
  }
  for (const auto& why : errors) {
    // Refused on its own after it was acknowledged: checked before logging, so
    // this means the database changed behind the writer's back.
    if (!why.empty())
      host_.log(SB_LOG_ERROR, "storage: an acknowledged write could not be applied: " + why);
  }
  {
    std::lock_guard lock(apply_mutex_);
    unapplied_.erase(unapplied_.begin(), unapplied_.begin() + static_cast<ptrdiff_t>(batches));
    unapplied_ops_ -= ops.size();
  }
  apply_changed_.notify_all();  // a writer held back by kMaxUnappliedOps
  applied_batch_ = last_batch;
  progress_->add_applied(ops.size());
  truncate_log_when_applied();
  return true;
}

bool Applier::apply_all_logged() {
  for (;;) {
    {
      std::lock_guard lock(apply_mutex_);
      if (unapplied_.empty()) return true;
    }
    if (!apply_logged(kApplyMaxOps)) return false;
  }
}

void Applier::truncate_log_when_applied() {
  // The writer appends under this lock and numbers the record before it lets go:
  // a record not applied yet is always seen here.
  std::lock_guard lock(log_mutex_);
  if (log_->size() < kLogTruncateBytes || last_logged_batch_ != applied_batch_) return;
  if (!make_applied_durable()) return;
  const std::string why = log_->truncate();
  if (!why.empty()) host_.log(SB_LOG_ERROR, "storage: " + why);
}

bool Applier::make_applied_durable() {
  if (applied_batch_ == 0) return true;
  std::string error;
  if (db_.store_log_mark_durably(LogMark{log_->name(), static_cast<int64_t>(applied_batch_)},
                                 error))
    return true;
  host_.log(SB_LOG_WARN, "storage: cannot make the applied log durable: " + error);
  return false;
}

// After the applier stopped: the connection is the writer thread's again.
void Applier::close_log() {
  if (!log_) return;
  bool ok = apply_all_logged() && make_applied_durable();
  if (ok) {
    const std::string why = log_->remove();
    if (!why.empty()) {
      host_.log(SB_LOG_WARN, "storage: " + why);
      ok = false;
    }
  }
  if (ok) {
    // After the file: a mark without its file is harmless, a file without its
    // mark would be applied again.
    db_.drop_log_mark(log_->name());
  } else {
    host_.log(SB_LOG_ERROR, "storage: " + log_->path() +
                                " keeps writes not applied to the database; the next open "
                                "applies them");
  }
  progress_->close();
  unregister_progress(path_, progress_.get());
  log_.reset();
}

// ---- at open: the logs of writers that are gone ----

void Applier::recover_orphaned_logs(HostRef host, Committer& db, const std::string& database) {
  for (const std::string& path : DurableLog::list(database)) {
    std::unique_ptr<DurableLog> log = DurableLog::adopt(path);
    if (!log) continue;  // a live writer's (a reload), or gone meanwhile
    if (!replay(host, db, *log)) continue;
    const std::string why = log->remove();
    if (!why.empty()) {
      host.log(SB_LOG_WARN, "storage: " + why);
      continue;
    }
    db.drop_log_mark(log->name());
  }
}

bool Applier::replay(HostRef host, Committer& db, DurableLog& log) {
  uint64_t dropped = 0;
  std::string error;
  const std::vector<LogRecord> records = log.recover(dropped, error);
  if (!error.empty()) {
    host.log(SB_LOG_ERROR, "storage: cannot read the durable log: " + error);
    return false;
  }
  const int64_t applied = db.log_mark(log.name());
  std::vector<WriteOp> ops;
  LogMark mark{log.name(), applied};
  size_t records_applied = 0;
  for (const LogRecord& record : records) {
    if (static_cast<int64_t>(record.batch) <= applied) continue;
    if (!decode_ops(record.payload, ops)) {
      host.log(SB_LOG_ERROR, "storage: " + log.path() + ": batch " + std::to_string(record.batch) +
                                 " does not parse; the file is kept");
      return false;
    }
    mark.batch = static_cast<int64_t>(record.batch);
    ++records_applied;
  }
  if (!ops.empty()) {
    // synchronous=FULL (the connection's setting): durable before the file goes.
    std::vector<std::string> errors;
    std::vector<std::string> results;
    if (!db.commit_batch(ops, errors, results, &mark)) {
      host.log(SB_LOG_ERROR, "storage: cannot apply " + log.path() + ": " + errors.front());
      return false;
    }
    for (const auto& why : errors)
      if (!why.empty()) host.log(SB_LOG_WARN, "storage: a logged write failed to apply: " + why);
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "durable log: %zu writes of %zu batches applied from %s, %llu bytes of a torn "
                "tail dropped",
                ops.size(), records_applied, log.name().c_str(),
                static_cast<unsigned long long>(dropped));
  host.log(SB_LOG_INFO, line);
  return true;
}

}  // namespace switchboard::sqlite
