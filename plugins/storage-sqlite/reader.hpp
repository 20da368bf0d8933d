// Reader: answers a tenant's reads on its own thread and connection. WAL lets it
// read while the writer commits; each read runs as one statement on a fresh
// snapshot, so it sees every write that completed before the read was issued.
// With the durable log, a write completes once logged: the reader first waits for
// the writers of the file to apply what they had acknowledged (they do it at once
// when asked), so that still holds.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "bounded_queue.hpp"
#include "host_ref.hpp"
#include "operations.hpp"
#include "sqlite_handle.hpp"
#include "storage_config.hpp"

namespace switchboard::sqlite {

class Reader {
 public:
  // Opens the (already migrated) file read-only in intent. Throws on failure.
  Reader(HostRef host, const std::string& path, const StorageConfig& config);
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
  Answer answer(const LoadMessages& q);
  Answer answer(const ListConversations& q);
  Answer answer(const KvGet& q);
  Answer answer(const KvList& q);
  Answer answer(const GetBlob& q);
  Answer answer(const BlobMeta& q);
  Answer answer(const BlobUsage& q);
  Answer answer(const Search& q);
  Answer answer(const ListLog& q);
  Answer answer(const LoadReads& q);
  Answer failed(std::string_view what);

  HostRef host_;
  std::string path_;
  std::chrono::milliseconds apply_wait_;  // most a read waits for logged writes
  Connection db_;
  Statement messages_from_start_;
  Statement messages_below_;
  Statement kv_get_;
  Statement kv_list_;
  Statement blob_meta_;
  Statement blob_usage_;
  Statement reads_;
  BoundedQueue<ReadOp> queue_;
  std::thread thread_;
};

}  // namespace switchboard::sqlite
