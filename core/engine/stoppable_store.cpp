#include "engine/stoppable_store.hpp"

namespace sb::engine {

StoppableStore::StoppableStore(std::shared_ptr<Store> store) : store_(std::move(store)) {}

StoreCallback StoppableStore::unless_stopped(StoreCallback done) const {
  return Guarded<StoreCallback>{stopped_, std::move(done)};
}

void StoppableStore::append_message(const StoredMessage& message, StoreCallback done) {
  if (!stopped()) store_->append_message(message, unless_stopped(std::move(done)));
}

void StoppableStore::load_messages(const std::string& conversation_id, uint64_t after_seq,
                                   uint64_t before_seq, uint32_t limit, StoreCallback done) {
  if (!stopped())
    store_->load_messages(conversation_id, after_seq, before_seq, limit,
                          unless_stopped(std::move(done)));
}

void StoppableStore::put_conversation(std::string conversation_json, StoreCallback done) {
  if (!stopped())
    store_->put_conversation(std::move(conversation_json), unless_stopped(std::move(done)));
}

void StoppableStore::list_conversations(std::string filter_json, StoreCallback done) {
  if (!stopped())
    store_->list_conversations(std::move(filter_json), unless_stopped(std::move(done)));
}

void StoppableStore::set_read(const std::string& conversation_id, const std::string& participant_id,
                              uint64_t seq, StoreCallback done) {
  if (!stopped())
    store_->set_read(conversation_id, participant_id, seq, unless_stopped(std::move(done)));
}

void StoppableStore::load_reads(std::vector<std::string> conversation_ids, StoreCallback done) {
  if (!stopped()) store_->load_reads(std::move(conversation_ids), unless_stopped(std::move(done)));
}

void StoppableStore::kv_put(const std::string& ns, const std::string& key, std::string value_json,
                            StoreCallback done) {
  if (!stopped()) store_->kv_put(ns, key, std::move(value_json), unless_stopped(std::move(done)));
}

void StoppableStore::kv_list(const std::string& ns, StoreCallback done) {
  if (!stopped()) store_->kv_list(ns, unless_stopped(std::move(done)));
}

void StoppableStore::kv_get(const std::string& ns, const std::string& key, StoreCallback done) {
  if (!stopped()) store_->kv_get(ns, key, unless_stopped(std::move(done)));
}

void StoppableStore::blob_put(const BlobPut& blob, StoreCallback done) {
  if (!stopped()) store_->blob_put(blob, unless_stopped(std::move(done)));
}

void StoppableStore::blob_get(const std::string& id, StoreCallback done) {
  if (!stopped()) store_->blob_get(id, unless_stopped(std::move(done)));
}

void StoppableStore::blob_meta(const std::string& id, StoreCallback done) {
  if (!stopped()) store_->blob_meta(id, unless_stopped(std::move(done)));
}

void StoppableStore::blob_delete(const std::string& id, StoreCallback done) {
  if (!stopped()) store_->blob_delete(id, unless_stopped(std::move(done)));
}

void StoppableStore::search(std::string query_json, StoreCallback done) {
  if (!stopped()) store_->search(std::move(query_json), unless_stopped(std::move(done)));
}

void StoppableStore::log_append(const LogEntry& entry, StoreCallback done) {
  if (!stopped()) store_->log_append(entry, unless_stopped(std::move(done)));
}

void StoppableStore::log_list(std::string query_json, StoreCallback done) {
  if (!stopped()) store_->log_list(std::move(query_json), unless_stopped(std::move(done)));
}

void StoppableStore::delete_conversation(const std::string& conversation_id, StoreCallback done) {
  if (!stopped()) store_->delete_conversation(conversation_id, unless_stopped(std::move(done)));
}

void StoppableStore::log_prune(const std::string& log, int64_t before_ts_ms, StoreCallback done) {
  if (!stopped()) store_->log_prune(log, before_ts_ms, unless_stopped(std::move(done)));
}

void StoppableStore::backup(const std::string& dir, StoreCallback done) {
  if (!stopped()) store_->backup(dir, unless_stopped(std::move(done)));
}

}  // namespace sb::engine
