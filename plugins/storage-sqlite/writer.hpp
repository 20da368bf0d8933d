// Writer: the one thread that writes a tenant's database, with group commit.
//
// Hooks push writes into a bounded queue and return at once. The thread takes
// everything queued (up to max_batch_messages) into one transaction, commits it
// (one WAL fsync, synchronous=FULL; committer.hpp), and only then completes each
// op: SB_OK means durable. Writes that arrive while a commit runs wait for the next
// one, so under load the number of fsyncs stays far below the number of writes.
// Between batches it checkpoints at the WAL's cap and indexes for search.
//
// With durable_log on (off by default), a batch of writes that need no answer from
// the database goes to the writer's durable log instead and completes from there;
// the database connection then belongs to a second thread, the applier, and the
// writer thread only appends and syncs (applier.hpp has the details).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "applier.hpp"
#include "bounded_queue.hpp"
#include "committer.hpp"
#include "host_ref.hpp"
#include "operations.hpp"
#include "storage_config.hpp"

namespace switchboard::sqlite {

class Writer {
 public:
  // Opens (creating) the file in WAL mode, migrates it, applies the durable logs
  // earlier writers left, and starts the thread (and the applier's, with
  // durable_log on). Throws std::runtime_error when any of that fails.
  Writer(HostRef host, const std::string& path, const StorageConfig& config);
  // Commits and completes everything still queued, then stops the thread.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Never blocks. False when max_pending_messages writes are already waiting.
  bool submit(WriteOp&& write) { return queue_.push(std::move(write)); }

 private:
  void run();

  HostRef host_;
  size_t max_batch_;
  std::chrono::microseconds commit_delay_;
  // The write connection: this thread's, or with durable_log on the applier's
  // until it stops.
  Committer db_;
  std::unique_ptr<Applier> applier_;  // null: durable_log off
  BoundedQueue<WriteOp> queue_;
  std::thread thread_;
};

}  // namespace switchboard::sqlite
