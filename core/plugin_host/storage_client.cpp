#include "plugin_host/storage_client.hpp"

#include <boost/asio/post.hpp>
#include <cstddef>
#include <stdexcept>

#include "switchboard/sb_plugin_cpp.hpp"

namespace sb::plugin_host {

StorageClient::StorageClient(std::shared_ptr<Instance> instance)
    : instance_(std::move(instance)), api_(instance_ ? instance_->storage_api() : nullptr) {
  // Start-up wiring error, not a message-path one.
  if (!api_) throw std::invalid_argument("StorageClient needs an instance of a storage plugin");
}

void StorageClient::append_message(const MessageRecord& m, Executor executor, Callback cb) {
  sb_message message{};
  message.struct_size = sizeof(sb_message);
  message.flags = m.flags;
  message.conversation_id = str(m.conversation_id);
  message.message_id = str(m.message_id);
  message.seq = m.seq;
  message.sender_role = str(m.sender_role);
  message.sender_id = str(m.sender_id);
  message.sender_name = str(m.sender_name);
  message.client_msg_id = str(m.client_msg_id);
  message.text = str(m.text);
  message.ts_ms = m.ts_ms;
  message.attachments_json = str(m.attachments_json);
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->append_message(inst, &message, op, err);
      },
      std::move(executor), std::move(cb));
}

void StorageClient::load_messages(std::string_view conversation_id, uint64_t after_seq,
                                  uint64_t before_seq, uint32_t limit, Executor executor,
                                  Callback cb) {
  sb_message_query query{};
  query.struct_size = sizeof(sb_message_query);
  query.limit = limit;
  query.conversation_id = str(conversation_id);
  query.after_seq = after_seq;
  query.before_seq = before_seq;
  instance_->call_async([&](sb_instance* inst, sb_op* op,
                            sb_error* err) { return api_->load_messages(inst, &query, op, err); },
                        std::move(executor), std::move(cb));
}

void StorageClient::put_conversation(std::string_view conversation_json, Executor executor,
                                     Callback cb) {
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->put_conversation(inst, str(conversation_json), op, err);
      },
      std::move(executor), std::move(cb));
}

void StorageClient::list_conversations(std::string_view filter_json, Executor executor,
                                       Callback cb) {
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->list_conversations(inst, str(filter_json), op, err);
      },
      std::move(executor), std::move(cb));
}

void StorageClient::set_read(std::string_view conversation_id, std::string_view participant_id,
                             uint64_t seq, Executor executor, Callback cb) {
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->set_read(inst, str(conversation_id), str(participant_id), seq, op, err);
      },
      std::move(executor), std::move(cb));
}

void StorageClient::kv_put(std::string_view ns, std::string_view key, std::string_view value_json,
                           Executor executor, Callback cb) {
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->kv_put(inst, str(ns), str(key), str(value_json), op, err);
      },
      std::move(executor), std::move(cb));
}

void StorageClient::kv_get(std::string_view ns, std::string_view key, Executor executor,
                           Callback cb) {
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->kv_get(inst, str(ns), str(key), op, err);
      },
      std::move(executor), std::move(cb));
}

void StorageClient::kv_list(std::string_view ns, Executor executor, Callback cb) {
  instance_->call_async([&](sb_instance* inst, sb_op* op,
                            sb_error* err) { return api_->kv_list(inst, str(ns), op, err); },
                        std::move(executor), std::move(cb));
}

namespace {
// The plugin's table reaches blob_usage (every 1.2 blob function) and has them all.
bool table_has_blobs(const sb_storage_api* api) {
  return api->struct_size >= offsetof(sb_storage_api, blob_usage) + sizeof(void*) &&
         api->blob_put && api->blob_get && api->blob_meta && api->blob_delete && api->blob_usage;
}
}  // namespace

bool StorageClient::has_blobs() const {
  return table_has_blobs(api_);
}

void StorageClient::blob_call(const AsyncInvoke& invoke, Executor executor, Callback cb) {
  // Answered here, never counted against the plugin: not keeping files is allowed.
  if (!has_blobs()) {
    CallResult refused{SB_NOT_SUPPORTED,
                       {},
                       "the storage plugin " + instance_->plugin_name() +
                           " keeps no files (it lacks the ABI 1.2 blob functions)"};
    return boost::asio::post(
        executor,
        [cb = std::move(cb), refused = std::move(refused)]() mutable { cb(std::move(refused)); });
  }
  instance_->call_async(invoke, std::move(executor), std::move(cb));
}

void StorageClient::blob_put(const BlobRecord& b, Executor executor, Callback cb) {
  sb_blob_put blob{};
  blob.struct_size = sizeof(sb_blob_put);
  blob.blob_id = str(b.id);
  blob.meta_json = str(b.meta_json);
  blob.data = str(b.data);
  blob.max_total_bytes = b.max_total_bytes;
  blob_call([&](sb_instance* inst, sb_op* op,
                sb_error* err) { return api_->blob_put(inst, &blob, op, err); },
            std::move(executor), std::move(cb));
}

void StorageClient::blob_get(std::string_view id, Executor executor, Callback cb) {
  blob_call([&](sb_instance* inst, sb_op* op,
                sb_error* err) { return api_->blob_get(inst, str(id), op, err); },
            std::move(executor), std::move(cb));
}

void StorageClient::blob_meta(std::string_view id, Executor executor, Callback cb) {
  blob_call([&](sb_instance* inst, sb_op* op,
                sb_error* err) { return api_->blob_meta(inst, str(id), op, err); },
            std::move(executor), std::move(cb));
}

void StorageClient::blob_delete(std::string_view id, Executor executor, Callback cb) {
  blob_call([&](sb_instance* inst, sb_op* op,
                sb_error* err) { return api_->blob_delete(inst, str(id), op, err); },
            std::move(executor), std::move(cb));
}

bool StorageClient::has_search() const {
  return api_->struct_size >= offsetof(sb_storage_api, search) + sizeof(void*) && api_->search;
}

void StorageClient::search(std::string_view query_json, Executor executor, Callback cb) {
  // Answered here, never counted against the plugin: not searching is allowed.
  if (!has_search())
    return refuse("the storage plugin " + instance_->plugin_name() +
                      " cannot search (it lacks the ABI 1.3 search function)",
                  std::move(executor), std::move(cb));
  instance_->call_async([&](sb_instance* inst, sb_op* op,
                            sb_error* err) { return api_->search(inst, str(query_json), op, err); },
                        std::move(executor), std::move(cb));
}

void StorageClient::refuse(std::string why, Executor executor, Callback cb) {
  CallResult refused{SB_NOT_SUPPORTED, {}, std::move(why)};
  boost::asio::post(executor, [cb = std::move(cb), refused = std::move(refused)]() mutable {
    cb(std::move(refused));
  });
}

bool StorageClient::has_logs() const {
  return api_->struct_size >= offsetof(sb_storage_api, log_list) + sizeof(void*) &&
         api_->log_append && api_->log_list;
}

void StorageClient::log_append(const LogRecord& e, Executor executor, Callback cb) {
  if (!has_logs())
    return refuse("the storage plugin " + instance_->plugin_name() +
                      " keeps no logs (it lacks the ABI 1.4 log functions)",
                  std::move(executor), std::move(cb));
  sb_log_entry entry{};
  entry.struct_size = sizeof(sb_log_entry);
  entry.log = str(e.log);
  entry.kind = str(e.kind);
  entry.actor = str(e.actor);
  entry.data_json = str(e.data_json);
  entry.ts_ms = e.ts_ms;
  instance_->call_async([&](sb_instance* inst, sb_op* op,
                            sb_error* err) { return api_->log_append(inst, &entry, op, err); },
                        std::move(executor), std::move(cb));
}

void StorageClient::log_list(std::string_view query_json, Executor executor, Callback cb) {
  if (!has_logs())
    return refuse("the storage plugin " + instance_->plugin_name() +
                      " keeps no logs (it lacks the ABI 1.4 log functions)",
                  std::move(executor), std::move(cb));
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->log_list(inst, str(query_json), op, err);
      },
      std::move(executor), std::move(cb));
}

bool StorageClient::has_delete_conversation() const {
  return api_->struct_size >= offsetof(sb_storage_api, delete_conversation) + sizeof(void*) &&
         api_->delete_conversation;
}

void StorageClient::delete_conversation(std::string_view conversation_id, Executor executor,
                                        Callback cb) {
  if (!has_delete_conversation())
    return refuse("the storage plugin " + instance_->plugin_name() +
                      " cannot delete conversations (it lacks the ABI 1.5 delete_conversation)",
                  std::move(executor), std::move(cb));
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->delete_conversation(inst, str(conversation_id), op, err);
      },
      std::move(executor), std::move(cb));
}

void StorageClient::log_prune(std::string_view log, int64_t before_ts_ms, Executor executor,
                              Callback cb) {
  if (api_->struct_size < offsetof(sb_storage_api, log_prune) + sizeof(void*) || !api_->log_prune)
    return refuse("the storage plugin " + instance_->plugin_name() +
                      " cannot prune logs (it lacks the ABI 1.5 log_prune)",
                  std::move(executor), std::move(cb));
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->log_prune(inst, str(log), before_ts_ms, op, err);
      },
      std::move(executor), std::move(cb));
}

void StorageClient::backup(std::string_view dir, std::chrono::milliseconds backup_timeout,
                           Executor executor, Callback cb) {
  if (api_->struct_size < offsetof(sb_storage_api, backup) + sizeof(void*) || !api_->backup)
    return refuse("the storage plugin " + instance_->plugin_name() +
                      " cannot back up online (it lacks the ABI 1.5 backup); back it up with "
                      "its own tools",
                  std::move(executor), std::move(cb));
  instance_->call_async([&](sb_instance* inst, sb_op* op,
                            sb_error* err) { return api_->backup(inst, str(dir), op, err); },
                        std::move(executor), std::move(cb), backup_timeout);
}

std::optional<int64_t> StorageClient::lease_epoch() const {
  if (api_->struct_size < offsetof(sb_storage_api, lease_epoch) + sizeof(void*) ||
      !api_->lease_epoch)
    return std::nullopt;
  int64_t epoch = 0;
  std::string error;
  const int32_t status = instance_->call_sync(
      [&](sb_instance* inst, sb_error* err) { return api_->lease_epoch(inst, &epoch, err); },
      error);
  if (status != SB_OK || epoch < 1) return std::nullopt;
  return epoch;
}

void StorageClient::release_lease(Executor executor, Callback cb) {
  if (api_->struct_size < offsetof(sb_storage_api, release_lease) + sizeof(void*) ||
      !api_->release_lease)
    return refuse("the storage plugin " + instance_->plugin_name() +
                      " cannot give its lease up (it lacks the ABI 1.9 release_lease); the "
                      "lease expires by itself",
                  std::move(executor), std::move(cb));
  instance_->call_async([&](sb_instance* inst, sb_op* op,
                            sb_error* err) { return api_->release_lease(inst, op, err); },
                        std::move(executor), std::move(cb));
}

bool StorageClient::has_load_reads() const {
  return api_->struct_size >= offsetof(sb_storage_api, load_reads) + sizeof(void*) &&
         api_->load_reads;
}

void StorageClient::load_reads(std::string_view query_json, Executor executor, Callback cb) {
  // Answered here, never counted against the plugin: an older plugin is allowed.
  if (!has_load_reads())
    return refuse("the storage plugin " + instance_->plugin_name() +
                      " gives no read positions back (it lacks the ABI 1.10 load_reads)",
                  std::move(executor), std::move(cb));
  instance_->call_async(
      [&](sb_instance* inst, sb_op* op, sb_error* err) {
        return api_->load_reads(inst, str(query_json), op, err);
      },
      std::move(executor), std::move(cb));
}

void StorageClient::blob_usage(Executor executor, Callback cb) {
  blob_call(
      [&](sb_instance* inst, sb_op* op, sb_error* err) { return api_->blob_usage(inst, op, err); },
      std::move(executor), std::move(cb));
}

}  // namespace sb::plugin_host
