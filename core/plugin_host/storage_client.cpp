#include "plugin_host/storage_client.hpp"

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

}  // namespace sb::plugin_host
