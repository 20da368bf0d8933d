// Checkpointer: copies the WAL's pages into the database file on a thread and
// connection of its own, so that no commit, and no acknowledgement waiting for
// one, waits for a checkpoint.
//
// SQLite's automatic checkpoint runs inside the COMMIT that passes
// wal_autocheckpoint pages: that batch's completions, and every write queued behind
// it, waited for a thousand random page writes and an fsync of the database file.
// The writer now only counts (Committer::on_wal_commit) and asks this thread. A
// PASSIVE checkpoint never blocks the writer; the WAL starts again from its
// beginning when the writer opens a transaction after a checkpoint that copied
// everything, so under a steady load the writer itself finishes the job at
// kCapFactor times the threshold (by then only the frames since the last pass
// here are left to copy).
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "host_ref.hpp"
#include "sqlite_handle.hpp"

namespace switchboard::sqlite {

class Checkpointer {
 public:
  // Opens its own connection to the file (which must exist, in WAL mode) and starts
  // the thread. Throws std::runtime_error when the file cannot be opened.
  Checkpointer(HostRef host, const std::string& path, int busy_timeout_ms);
  // Stops the thread (a checkpoint under way ends first) and closes the connection.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Never blocks: the next checkpoint runs as soon as the thread is free.
  void request();

 private:
  void run();
  void checkpoint();

  HostRef host_;
  Connection db_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace switchboard::sqlite
