// Typed calls into a storage plugin instance. Each call is guarded (see
// Instance::call_async): cb runs exactly once on executor with the plugin's result
// JSON (sb_plugin.h lists it per call), a timeout, or an error. Strings are only
// borrowed for the duration of the call.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "plugin_host/instance.hpp"
#include "plugin_host/plugin_info.hpp"

namespace sb::plugin_host {

// The core's side of sb_message: views borrowed for the append_message call only
// (the plugin copies what it keeps), so handing a message to storage copies nothing.
struct MessageRecord {
  std::string_view conversation_id;
  std::string_view message_id;
  uint64_t seq = 0;
  std::string_view sender_role;  // "visitor" | "agent" | "bot" | "system"
  std::string_view sender_id;
  std::string_view sender_name;
  std::string_view client_msg_id;
  std::string_view text;
  int64_t ts_ms = 0;
  uint32_t flags = 0;                 // sb_message_flags
  std::string_view attachments_json;  // 1.2: "" or [{"id","name",...}...]
};

// One file for blob_put (ABI 1.2), borrowed for the call only.
struct BlobRecord {
  std::string_view id;
  std::string_view meta_json;
  std::string_view data;
  uint64_t max_total_bytes = 0;  // 0 = no limit
};

// One entry of an append-only log (ABI 1.4), borrowed for the log_append call only.
struct LogRecord {
  std::string_view log;
  std::string_view kind;
  std::string_view actor;
  std::string_view data_json;
  int64_t ts_ms = 0;
};

class StorageClient {
 public:
  // instance must be a storage plugin's (Instance::storage_api() != nullptr).
  explicit StorageClient(std::shared_ptr<Instance> instance);

  using Executor = boost::asio::any_io_executor;

  void append_message(const MessageRecord& message, Executor executor, Callback cb);
  void load_messages(std::string_view conversation_id, uint64_t after_seq, uint64_t before_seq,
                     uint32_t limit, Executor executor, Callback cb);
  void put_conversation(std::string_view conversation_json, Executor executor, Callback cb);
  void list_conversations(std::string_view filter_json, Executor executor, Callback cb);
  void set_read(std::string_view conversation_id, std::string_view participant_id, uint64_t seq,
                Executor executor, Callback cb);
  void kv_put(std::string_view ns, std::string_view key, std::string_view value_json,
              Executor executor, Callback cb);
  void kv_get(std::string_view ns, std::string_view key, Executor executor, Callback cb);
  void kv_list(std::string_view ns, Executor executor, Callback cb);

  // Files (ABI 1.2, optional): false when the plugin has none, and then the blob
  // calls answer SB_NOT_SUPPORTED.
  bool has_blobs() const;
  void blob_put(const BlobRecord& blob, Executor executor, Callback cb);
  void blob_get(std::string_view id, Executor executor, Callback cb);
  void blob_meta(std::string_view id, Executor executor, Callback cb);
  void blob_delete(std::string_view id, Executor executor, Callback cb);
  void blob_usage(Executor executor, Callback cb);

  // Full-text search (ABI 1.3, optional): false when the plugin has none, and then
  // search answers SB_NOT_SUPPORTED. query_json as in sb_plugin.h.
  bool has_search() const;
  void search(std::string_view query_json, Executor executor, Callback cb);

  // Append-only logs (ABI 1.4, optional): false when the plugin has none, and then
  // log_append and log_list answer SB_NOT_SUPPORTED. query_json as in sb_plugin.h.
  bool has_logs() const;
  void log_append(const LogRecord& entry, Executor executor, Callback cb);
  void log_list(std::string_view query_json, Executor executor, Callback cb);

  // Data protection (ABI 1.5, optional, each on its own): without one the call
  // answers SB_NOT_SUPPORTED. backup waits up to backup_timeout (a copy of a large
  // tenant takes long), not the usual call timeout.
  bool has_delete_conversation() const;
  void delete_conversation(std::string_view conversation_id, Executor executor, Callback cb);
  void log_prune(std::string_view log, int64_t before_ts_ms, Executor executor, Callback cb);
  void backup(std::string_view dir, std::chrono::milliseconds backup_timeout, Executor executor,
              Callback cb);

  // The epoch of the tenant's lease the instance holds (ABI 1.7, optional; storage
  // shared by a cluster's nodes): nullopt when it holds none or cannot say. At once.
  std::optional<int64_t> lease_epoch() const;
  // Gives the tenant's lease up once the writes queued before are done (ABI 1.9,
  // optional): {"released":true|false} as in sb_plugin.h; SB_NOT_SUPPORTED when the
  // plugin has no release_lease or holds no lease. Later writes of the instance fail.
  void release_lease(Executor executor, Callback cb);

  // The read positions set_read recorded (ABI 1.10, optional): query_json and the
  // result as in sb_plugin.h. SB_NOT_SUPPORTED when the plugin has no load_reads
  // (it is older than 1.10): then there are none to give back.
  bool has_load_reads() const;
  void load_reads(std::string_view query_json, Executor executor, Callback cb);

  const std::shared_ptr<Instance>& instance() const { return instance_; }

 private:
  void blob_call(const AsyncInvoke& invoke, Executor executor, Callback cb);
  // Answers SB_NOT_SUPPORTED on executor, never counted against the plugin.
  void refuse(std::string why, Executor executor, Callback cb);

  std::shared_ptr<Instance> instance_;
  const sb_storage_api* api_;
};

}  // namespace sb::plugin_host
