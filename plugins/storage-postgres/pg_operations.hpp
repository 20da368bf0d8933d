// The operations the hooks hand to the writer and reader threads. They are
// storage-sqlite's (one parser for both backends), except that a file's bytes go
// to the database with its record instead of to a file of their own.
#pragma once

#include <string>
#include <variant>

#include "operations.hpp"  // storage-sqlite's, found on its include path

namespace switchboard::postgres {

using switchboard::sqlite::AppendLog;
using switchboard::sqlite::AppendMessage;
using switchboard::sqlite::DeleteBlob;
using switchboard::sqlite::DeleteConversation;
using switchboard::sqlite::KvPut;
using switchboard::sqlite::PruneLog;
using switchboard::sqlite::PutConversation;
using switchboard::sqlite::ReadOp;
using switchboard::sqlite::SetRead;

// blob_put: the record (its `file` unused) and the bytes, stored in one row.
struct StoreBlob {
  switchboard::sqlite::PutBlob record;
  std::string data;
};

// release_lease (ABI 1.9): applied after every write queued before it; the writer
// writes nothing after it.
struct ReleaseLease {};

struct WriteOp {
  std::variant<AppendMessage, PutConversation, SetRead, KvPut, StoreBlob, DeleteBlob, AppendLog,
               DeleteConversation, PruneLog, ReleaseLease>
      command;
  sb_op* op = nullptr;
};

}  // namespace switchboard::postgres
