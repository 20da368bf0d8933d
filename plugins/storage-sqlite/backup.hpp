// Backup (ABI 1.5): a consistent copy of one tenant's database and files, taken
// while the instance keeps serving.
//
// The database is copied with SQLite's online backup API in one step, on a
// connection of its own: the step reads inside one read transaction, so the copy
// is exactly the file as of one commit, and in WAL mode the writer goes on
// committing meanwhile. The files are copied after it, for the rows the copy
// holds (a file is durable before its row commits, so each is there). A file
// deleted between the snapshot and its copy loses its row in the copy too, as if
// the delete had come first.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "host_ref.hpp"
#include "switchboard/sb_plugin.h"

namespace switchboard::sqlite {

class BlobFiles;

class Backups {
 public:
  // database: the instance's file; files: its BlobFiles (outlives this object).
  Backups(HostRef host, std::string database, const BlobFiles& files);
  // Waits for a backup under way to finish (instance_free).
  ~Backups();
  Backups(const Backups&) = delete;
  Backups& operator=(const Backups&) = delete;

  // Starts copying into dir (absolute, existing, empty) on a thread of its own and
  // completes op when done. SB_PENDING, or SB_ERROR with err set (a bad dir, or a
  // backup of this instance already under way).
  int32_t start(std::string dir, sb_op* op, sb_error* err);

 private:
  // The copy itself; "" on success with result set, else why it failed.
  std::string copy(const std::filesystem::path& dir, std::string& result);

  HostRef host_;
  std::string database_;
  const BlobFiles& files_;
  std::mutex mutex_;
  std::thread thread_;  // the backup under way, or a finished one not joined yet
  bool running_ = false;
};

}  // namespace switchboard::sqlite
