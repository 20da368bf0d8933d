// Writer: the one thread that writes a tenant's rows, with group commit.
//
// Hooks push writes into a bounded queue and return at once. The thread takes
// everything queued (up to max_batch_messages) into one transaction: the tenant's
// lease is checked first (lease.hpp), the batch's messages go in with one
// multi-row INSERT (an array per column, unnested), every other write in order under
// its own savepoint. Each op is
// completed only after COMMIT returned (synchronous_commit on: the WAL is flushed),
// so SB_OK means durable. Writes that arrive during a commit wait for the next one.
//
// A release (ABI 1.9) is applied after every write queued before it and ends the
// lease in its own transaction, only while it is still this node's and epoch;
// every write after it fails and the lease is never renewed again.
//
// A broken connection before COMMIT was sent leaves nothing stored: the batch is
// tried once more on a new connection (a database restart costs no error when it
// is back in time), else every op fails with "storage unavailable". A connection
// lost during COMMIT fails the batch as "outcome unknown", never as success.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bounded_queue.hpp"
#include "lease.hpp"
#include "pg_config.hpp"
#include "pg_operations.hpp"
#include "session.hpp"

namespace switchboard::postgres {

class Writer {
 public:
  // Connects, takes the tenant's lease and creates the month partitions from the
  // current month to partitions_ahead_months ahead. Throws when any of it fails
  // (the message names the node holding the lease when that is why).
  Writer(HostRef host, const PgConfig& config, std::string tenant_id);
  // Commits and completes everything still queued, then stops the thread.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Never blocks. False when max_pending_messages writes are already waiting.
  bool submit(WriteOp&& write) { return queue_.push(std::move(write)); }

  const Lease& lease() const { return lease_; }

 private:
  void run();
  void commit_batch(std::vector<WriteOp>& batch, std::vector<std::string>& errors,
                    std::vector<std::string>& results);
  // One attempt at the transaction. Throws pqxx errors and LeaseLost.
  void run_transaction(std::vector<WriteOp>& batch, std::vector<std::string>& errors,
                       std::vector<std::string>& results);
  void store_messages(pqxx::transaction_base& tx, std::vector<WriteOp>& batch,
                      std::vector<std::string>& errors);
  // Applies one write under the open savepoint; returns why it failed, or "".
  std::string apply(pqxx::transaction_base& tx, const PutConversation& c, std::string& result);
  std::string apply(pqxx::transaction_base& tx, const SetRead& r, std::string& result);
  std::string apply(pqxx::transaction_base& tx, const KvPut& kv, std::string& result);
  std::string apply(pqxx::transaction_base& tx, const StoreBlob& b, std::string& result);
  std::string apply(pqxx::transaction_base& tx, const DeleteBlob& b, std::string& result);
  std::string apply(pqxx::transaction_base& tx, const AppendLog& e, std::string& result);
  std::string apply(pqxx::transaction_base& tx, const DeleteConversation& d, std::string& result);
  std::string apply(pqxx::transaction_base& tx, const PruneLog& p, std::string& result);
  std::string apply(pqxx::transaction_base&, const AppendMessage&, std::string&) { return {}; }
  // Never reached: run() takes a release out of the batch (release_now).
  std::string apply(pqxx::transaction_base&, const ReleaseLease&, std::string&) { return {}; }
  // The partitions the batch's messages need, created when missing. A message of a
  // month the operator detached fails alone (errors[i]).
  void ensure_partitions(const std::vector<WriteOp>& batch, std::vector<std::string>& errors);
  // Renews the lease when no write did for a third of lease_ms.
  void renew_lease();
  // release_lease (ABI 1.9): ends this writer's lease and completes op; nothing is
  // written after it.
  void release_now(sb_op* op);
  // Once per month of the clock (and after a failed try, at the next batch or
  // renewal): the current month and partitions_ahead_months after it exist, so a
  // node running for months still has its partitions made ahead, never in the
  // first write of a new month.
  void keep_partitions_ahead();

  HostRef host_;
  const PgConfig& config_;
  std::string tenant_id_;
  Session session_;
  Lease lease_;
  std::set<int64_t> months_ready_;
  std::set<int64_t> months_detached_;
  int64_t ahead_from_month_ = -1;  // the month keep_partitions_ahead last completed for
  std::chrono::steady_clock::time_point lease_renewed_;
  bool lease_lost_logged_ = false;
  bool released_ = false;  // the lease was given up (release_now): nothing is written
  switchboard::sqlite::BoundedQueue<WriteOp> queue_;
  std::thread thread_;
};

}  // namespace switchboard::postgres
