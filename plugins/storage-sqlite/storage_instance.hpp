// StorageInstance: one tenant's database (one file in the tenant's data_dir) with
// its writer and reader threads, and its files (chat attachments) under
// <data_dir>/attachments with a thread that writes them. The hooks in plugin.cpp
// check and copy their arguments, then hand them here; nothing in here blocks a
// caller.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "backup.hpp"
#include "blob_files.hpp"
#include "bounded_queue.hpp"
#include "host_ref.hpp"
#include "operations.hpp"
#include "reader.hpp"
#include "storage_config.hpp"
#include "writer.hpp"

namespace switchboard::sqlite {

// A blob_put on its way: the bytes go to disk on the file thread, then its row to
// the writer.
struct BlobWrite {
  PutBlob put;
  std::string data;
  sb_op* op = nullptr;
};

class StorageInstance {
 public:
  // Reads the config, opens and migrates the file, sweeps leftover files of an
  // interrupted upload, starts the threads. Throws std::exception with a message
  // fit for the operator when any of it fails.
  StorageInstance(HostRef host, std::string_view data_dir);
  // Every queued write is committed and completed, every queued read answered,
  // before the threads stop and the connections close.
  ~StorageInstance();

  // SB_PENDING, or SB_ERROR with err set when the queue is full.
  int32_t write(WriteOp&& op, sb_error* err);
  int32_t read(ReadOp&& op, sb_error* err);
  int32_t write_blob(BlobWrite&& blob, sb_error* err);

  const HostRef& host() const { return host_; }
  const BlobFiles& files() const { return files_; }
  // ABI 1.5 backup: see backup.hpp.
  int32_t backup(std::string dir, sb_op* op, sb_error* err) {
    return backups_.start(std::move(dir), op, err);
  }

  // Leftover files younger than this are left alone by the sweep at start (they may
  // be an upload in flight in the instance this one replaces on a reload).
  static constexpr std::chrono::seconds kSweepMinAge{600};

 private:
  void sweep_files();
  void run_blob_writes();

  HostRef host_;
  StorageConfig config_;
  std::string path_;
  BlobFiles files_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<Reader> reader_;
  BoundedQueue<BlobWrite> blob_queue_;
  std::thread blob_thread_;
  Backups backups_;  // last: a backup under way ends before anything else goes
};

}  // namespace switchboard::sqlite
