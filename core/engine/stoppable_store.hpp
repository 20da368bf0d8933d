// The engine's view of its tenant's storage, which the engine closes as it stops
// (TenantEngine::stop): from then on no call reaches the storage, and no answer to
// a call made before reaches the engine (it is dropped, so none of the engine's
// handlers runs on a stopped engine). Until then every call and answer passes as is.
#pragma once

#include <atomic>
#include <memory>

#include "engine/ports.hpp"

namespace sb::engine {

class StoppableStore final : public Store {
  // done, unless the engine stopped before the answer came.
  template <class Done>
  struct Guarded {
    std::shared_ptr<const std::atomic<bool>> stopped;
    Done done;
    void operator()(StoreResult result) {
      if (!stopped->load(std::memory_order_acquire)) done(std::move(result));
    }
  };

 public:
  explicit StoppableStore(std::shared_ptr<Store> store);

  // Any thread; answers already on their way are dropped where they arrive.
  void stop() { stopped_->store(true, std::memory_order_release); }
  bool stopped() const { return stopped_->load(std::memory_order_acquire); }

  void append_message(const StoredMessage& message, StoreCallback done) override;
  // append_message for the message path: on_stored is the caller's own callable,
  // not yet a StoreCallback, so it and the stop check become one StoreCallback, kept
  // inline when they fit (the override above wraps a StoreCallback in another, which
  // allocates). A message's write then allocates nothing on its way to the store.
  template <class OnStored>
  void append_message_then(const StoredMessage& message, OnStored on_stored) {
    if (!stopped())
      store_->append_message(message, Guarded<OnStored>{stopped_, std::move(on_stored)});
  }
  // The answer append_message_then gives the store: on_stored's when it fits.
  template <class OnStored>
  static constexpr bool kept_inline = StoreCallback::kept_inline<Guarded<OnStored>>;

  void load_messages(const std::string& conversation_id, uint64_t after_seq, uint64_t before_seq,
                     uint32_t limit, StoreCallback done) override;
  void put_conversation(std::string conversation_json, StoreCallback done) override;
  void list_conversations(std::string filter_json, StoreCallback done) override;
  void set_read(const std::string& conversation_id, const std::string& participant_id, uint64_t seq,
                StoreCallback done) override;
  void load_reads(std::vector<std::string> conversation_ids, StoreCallback done) override;
  void kv_put(const std::string& ns, const std::string& key, std::string value_json,
              StoreCallback done) override;
  void kv_list(const std::string& ns, StoreCallback done) override;
  void kv_get(const std::string& ns, const std::string& key, StoreCallback done) override;
  void blob_put(const BlobPut& blob, StoreCallback done) override;
  void blob_get(const std::string& id, StoreCallback done) override;
  void blob_meta(const std::string& id, StoreCallback done) override;
  void blob_delete(const std::string& id, StoreCallback done) override;
  void search(std::string query_json, StoreCallback done) override;
  void log_append(const LogEntry& entry, StoreCallback done) override;
  void log_list(std::string query_json, StoreCallback done) override;
  void delete_conversation(const std::string& conversation_id, StoreCallback done) override;
  void log_prune(const std::string& log, int64_t before_ts_ms, StoreCallback done) override;
  void backup(const std::string& dir, StoreCallback done) override;

 private:
  StoreCallback unless_stopped(StoreCallback done) const;

  std::shared_ptr<Store> store_;
  // Shared with the answers in flight, which may outlive this object.
  std::shared_ptr<std::atomic<bool>> stopped_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace sb::engine
