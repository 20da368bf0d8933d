// The operations the hooks hand to the writer and reader threads. They are
// storage-sqlite's (one parser for both backends), except that a file's bytes go
// to the database with its record instead of to a file of their own.
#pragma once

#include <string>
#include <variant>

#include "operations.hpp"  // storage-sqlite's, found on its include path

namespace sb_postgres {

using sb_sqlite::AppendLog;
using sb_sqlite::AppendMessage;
using sb_sqlite::DeleteBlob;
using sb_sqlite::KvPut;
using sb_sqlite::PutConversation;
using sb_sqlite::ReadOp;
using sb_sqlite::SetRead;

// blob_put: the record (its `file` unused) and the bytes, stored in one row.
struct StoreBlob {
  sb_sqlite::PutBlob record;
  std::string data;
};

struct WriteOp {
  std::variant<AppendMessage, PutConversation, SetRead, KvPut, StoreBlob, DeleteBlob, AppendLog>
      command;
  sb_op* op = nullptr;
};

}  // namespace sb_postgres
