// StorageInstance: one tenant's database (one file in the tenant's data_dir) with
// its writer and reader threads. The hooks in plugin.cpp check and copy their
// arguments, then hand them here; nothing in here blocks a caller.
#pragma once

#include <memory>
#include <string>

#include "host_ref.hpp"
#include "operations.hpp"
#include "reader.hpp"
#include "storage_config.hpp"
#include "writer.hpp"

namespace sb_sqlite {

class StorageInstance {
 public:
  // Reads the config, opens and migrates the file, starts the threads. Throws
  // std::exception with a message fit for the operator when any of it fails.
  StorageInstance(HostRef host, std::string_view data_dir);
  // Every queued write is committed and completed, every queued read answered,
  // before the threads stop and the connections close.
  ~StorageInstance();

  // SB_PENDING, or SB_ERROR with err set when the queue is full.
  int32_t write(WriteOp&& op, sb_error* err);
  int32_t read(ReadOp&& op, sb_error* err);

  const HostRef& host() const { return host_; }

 private:
  HostRef host_;
  StorageConfig config_;
  std::string path_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<Reader> reader_;
};

}  // namespace sb_sqlite
