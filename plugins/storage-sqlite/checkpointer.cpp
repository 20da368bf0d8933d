#include "checkpointer.hpp"

#include <pthread.h>

#include <chrono>
#include <cstdio>

namespace switchboard::sqlite {

Checkpointer::Checkpointer(HostRef host, const std::string& path, int busy_timeout_ms)
    : host_(host), db_(path, /*create=*/false) {
  configure_connection(db_, busy_timeout_ms);
  // A checkpoint fsyncs the WAL before it copies and the database file after, so
  // the WAL may start again only once the file holds its pages for good.
  db_.exec_or_throw("PRAGMA synchronous = FULL");
  // This connection never writes; it must never checkpoint on its own either.
  db_.exec_or_throw("PRAGMA wal_autocheckpoint = 0");
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::request() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  wake_.notify_one();
}

void Checkpointer::run() {
  pthread_setname_np(pthread_self(), "sqlite-ckpt");
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    checkpoint();
    lock.lock();
  }
}

void Checkpointer::checkpoint() {
  const auto started = std::chrono::steady_clock::now();
  int wal_frames = 0;
  int copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                           &wal_frames, &copied);
  // BUSY: another checkpoint (the writer's, at the cap, or a reloading instance's)
  // holds the lock; it does the same work.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    host_.log(SB_LOG_WARN,
              "storage: checkpoint failed (the WAL grows until one succeeds): " + db_.last_error());
    return;
  }
  char line[128];
  std::snprintf(
      line, sizeof line, "checkpoint: %d of %d WAL frames in the database file after %.2f ms",
      copied, wal_frames,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
          .count());
  host_.log(SB_LOG_DEBUG, line);
}

}  // namespace switchboard::sqlite
