#include "writer.hpp"

#include <pthread.h>

#include <chrono>
#include <optional>

namespace switchboard::sqlite {

Writer::Writer(HostRef host, const std::string& path, const StorageConfig& config)
    : host_(host),
      max_batch_(config.max_batch_messages),
      commit_delay_(config.commit_delay_us),
      db_(host, path, config),
      queue_(config.max_pending_messages) {
  // Before this writer's own log, and also with durable_log off: writes an earlier
  // writer acknowledged from its log are in no other place.
  Applier::recover_orphaned_logs(host_, db_, path);
  if (config.durable_log) applier_ = std::make_unique<Applier>(host_, path, config, db_);
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

void Writer::run() {
  // Named, like the plugin's other threads, so that `top -H`, `perf sched
  // timehist` and tests/bench/offcpu.py tell them apart from the server's loops.
  pthread_setname_np(pthread_self(), "sqlite-writer");
  std::vector<WriteOp> batch;
  batch.reserve(max_batch_);
  std::vector<std::string> errors;
  std::vector<std::string> results;
  size_t previous_batch = 0;
  for (;;) {
    // Idle with messages not indexed yet: wake when they are due (with the log on,
    // the applier indexes).
    const auto index_at = applier_ ? std::nullopt : db_.index_at();
    const bool open = index_at ? queue_.pop_batch_until(batch, max_batch_, *index_at)
                               : queue_.pop_batch(batch, max_batch_);
    if (!open) break;
    if (!batch.empty()) {
      // Writes keep coming (the last transaction carried more than one): let more
      // join this one. A lone write, the common case on a quiet tenant, never waits.
      if (commit_delay_.count() > 0 && previous_batch > 1 && batch.size() < max_batch_)
        queue_.top_up_until(batch, max_batch_, std::chrono::steady_clock::now() + commit_delay_);
      previous_batch = batch.size();
      if (applier_ && applier_->loggable(batch)) {
        results.assign(batch.size(), std::string());
        applier_->log_batch(batch, errors);
      } else if (applier_) {
        applier_->commit_after_logged(batch, errors, results);
      } else {
        db_.commit_batch(batch, errors, results);
        Committer::settle_files(batch, errors);
      }
      // Room is freed before the completions go out: whoever sees an op complete
      // can issue the next write without meeting "storage overloaded" because of it.
      queue_.finished(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        if (errors[i].empty()) {
          host_.complete_ok(batch[i].op, results[i]);
        } else {
          host_.complete_error(batch[i].op, errors[i]);
        }
      }
    }
    if (applier_) continue;
    // After the completions: neither a checkpoint nor indexing delays an
    // acknowledgement it could have followed.
    if (db_.checkpoint_due()) db_.checkpoint_at_cap();
    if (db_.index_due(std::chrono::steady_clock::now())) db_.index_slice();
  }
  // The applier applies what is logged and stops; the connection is this thread's
  // again.
  if (applier_) applier_->stop();
  // A clean stop leaves nothing to index.
  while (db_.any_unindexed() && db_.index_slice() > 0) {
  }
}

}  // namespace switchboard::sqlite
