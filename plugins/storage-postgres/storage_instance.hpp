// StorageInstance: one tenant's storage in a shared PostgreSQL database, with its
// writer and reader threads (each on its own connection). The hooks in plugin.cpp
// check and copy their arguments, then hand them here; nothing in here blocks a
// caller.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "pg_config.hpp"
#include "pg_operations.hpp"
#include "reader.hpp"
#include "writer.hpp"

namespace switchboard::postgres {

class StorageInstance {
 public:
  // Reads the config, connects, migrates the schema, takes the tenant's lease and
  // starts the threads. Throws std::exception with a message fit for the operator
  // when any of it fails (database unreachable, role not fit, lease held elsewhere).
  StorageInstance(HostRef host, std::string_view tenant_id);
  // Every queued write is committed and completed, every queued read answered,
  // before the threads stop and the connections close.
  ~StorageInstance();

  // SB_PENDING, or SB_ERROR with err set when the queue is full.
  int32_t write(WriteOp&& op, sb_error* err);
  int32_t read(ReadOp&& op, sb_error* err);

  const HostRef& host() const { return host_; }
  // The epoch of the lease the writer took (0: read-only, no lease). Fixed for the
  // instance's life: a lost lease makes every write fail, it never changes it.
  int64_t lease_epoch() const { return writer_ ? writer_->lease().epoch : 0; }

 private:
  HostRef host_;
  PgConfig config_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<Reader> reader_;
};

}  // namespace switchboard::postgres
