// Reader: answers a tenant's reads on its own thread and connection. Each read is
// one read-only transaction scoped to the tenant (enter_tenant), so row-level
// security guards every read path, and it sees every write that completed before
// it was issued. A connection found broken is replaced once per read.
#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <thread>
#include <vector>

#include "bounded_queue.hpp"
#include "pg_config.hpp"
#include "pg_operations.hpp"
#include "session.hpp"

namespace switchboard::postgres {

class Reader {
 public:
  Reader(HostRef host, const PgConfig& config, std::string tenant_id);
  // Answers everything still queued, then stops the thread.
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Never blocks. False when max_pending_messages reads are already waiting.
  bool submit(ReadOp&& read) { return queue_.push(std::move(read)); }

 private:
  struct Answer {
    bool ok = true;
    std::string body;  // the result JSON, or why it failed
  };

  void run();
  Answer answer(const ReadOp& read);
  std::string answer(pqxx::transaction_base& tx, const switchboard::sqlite::LoadMessages& q);
  std::string answer(pqxx::transaction_base& tx, const switchboard::sqlite::ListConversations& q);
  std::string answer(pqxx::transaction_base& tx, const switchboard::sqlite::KvGet& q);
  std::string answer(pqxx::transaction_base& tx, const switchboard::sqlite::KvList& q);
  std::string answer(pqxx::transaction_base& tx, const switchboard::sqlite::GetBlob& q);
  std::string answer(pqxx::transaction_base& tx, const switchboard::sqlite::BlobMeta& q);
  std::string answer(pqxx::transaction_base& tx, const switchboard::sqlite::BlobUsage& q);
  std::string answer(pqxx::transaction_base& tx, const switchboard::sqlite::Search& q);
  std::string answer(pqxx::transaction_base& tx, const switchboard::sqlite::ListLog& q);
  std::string answer(pqxx::transaction_base& tx, const switchboard::sqlite::LoadReads& q);

  HostRef host_;
  std::string tenant_id_;
  // A read-only instance may start before the tenant's owner has created the schema
  // (a fresh database): its small-document reads then answer "nothing stored yet".
  bool before_schema_is_empty_ = false;
  Session session_;
  switchboard::sqlite::BoundedQueue<ReadOp> queue_;
  std::thread thread_;
};

}  // namespace switchboard::postgres
