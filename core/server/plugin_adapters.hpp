// The engine's Store and Router, and the bot pipeline's stages, implemented by
// plugin instances through the plugin host. Every answer is delivered on the
// tenant engine's strand.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "bots/stages.hpp"
#include "engine/ports.hpp"
#include "plugin_host/bot_clients.hpp"
#include "plugin_host/routing_client.hpp"
#include "plugin_host/storage_client.hpp"

namespace sb::server {

// The tenant's storage instance as the engine's Store. Everyone holding the store
// (engine, agents, REST) keeps it across a storage handover: only the instance
// behind it changes.
//
// Handover to a new build of the plugin (server/plugin_watch.cpp drives it):
// hold() takes the running instance out; calls made from then on wait here, in the
// order they were made, with owned copies of their arguments. The caller lets the
// old instance finish what it has in flight and close (Instance::after_free), opens
// the new one, and resume() gives it the waiting calls on the tenant's strand,
// before any later call of the strand's. So nothing is lost, duplicated or
// reordered, and the storage file is never open in two instances at once.
class PluginStore final : public engine::Store, public std::enable_shared_from_this<PluginStore> {
 public:
  PluginStore(std::shared_ptr<plugin_host::Instance> instance, boost::asio::any_io_executor strand);

  // Takes the instance out, and calls wait until resume(). nullptr (and nothing
  // held) when a handover already holds it or storage was lost.
  std::shared_ptr<plugin_host::Instance> hold();
  // Sends the waiting calls, and all later ones, to `instance`; nullptr answers them
  // (and all later ones) with "storage unavailable".
  void resume(std::shared_ptr<plugin_host::Instance> instance);
  // How many calls wait now (for the handover's log line).
  size_t waiting_calls() const;

  void append_message(const engine::StoredMessage& message, engine::StoreCallback done) override;
  void load_messages(const std::string& conversation_id, uint64_t after_seq, uint64_t before_seq,
                     uint32_t limit, engine::StoreCallback done) override;
  void put_conversation(std::string conversation_json, engine::StoreCallback done) override;
  void list_conversations(std::string filter_json, engine::StoreCallback done) override;
  void set_read(const std::string& conversation_id, const std::string& participant_id, uint64_t seq,
                engine::StoreCallback done) override;
  void load_reads(std::vector<std::string> conversation_ids, engine::StoreCallback done) override;
  void kv_put(const std::string& ns, const std::string& key, std::string value_json,
              engine::StoreCallback done) override;
  void kv_list(const std::string& ns, engine::StoreCallback done) override;
  void kv_get(const std::string& ns, const std::string& key, engine::StoreCallback done) override;
  void blob_put(const engine::BlobPut& blob, engine::StoreCallback done) override;
  void blob_get(const std::string& id, engine::StoreCallback done) override;
  void blob_meta(const std::string& id, engine::StoreCallback done) override;
  void blob_delete(const std::string& id, engine::StoreCallback done) override;
  void search(std::string query_json, engine::StoreCallback done) override;
  void log_append(const engine::LogEntry& entry, engine::StoreCallback done) override;
  void log_list(std::string query_json, engine::StoreCallback done) override;
  void delete_conversation(const std::string& conversation_id, engine::StoreCallback done) override;
  void log_prune(const std::string& log, int64_t before_ts_ms, engine::StoreCallback done) override;
  // Waits up to kBackupTimeout: a large tenant's copy takes long.
  void backup(const std::string& dir, engine::StoreCallback done) override;
  static constexpr std::chrono::hours kBackupTimeout{2};

  // Cluster mode: called (once, from a storage thread) when a write failed because
  // another node took the tenant's lease; the node must drop the tenant at once.
  void watch_lease(std::function<void()> lost) { lease_lost_ = std::move(lost); }
  // Cluster mode: the epoch of the tenant's lease the storage holds (nullopt: none,
  // or the plugin cannot say).
  std::optional<int64_t> lease_epoch() const;

 private:
  // The plugin's answer as the engine takes it, watched for a lost lease.
  plugin_host::Callback callback(engine::StoreCallback done);
  std::function<void()> lease_lost_;  // set before the store is used
  std::atomic<bool> lease_lost_reported_{false};

  using Client = std::shared_ptr<plugin_host::StorageClient>;
  // The client to call now. nullptr while held: then retry() (an owned copy of the
  // call) was queued; or when storage is gone: then done was answered.
  template <class MakeRetry>
  Client client_or_wait(MakeRetry&& retry, engine::StoreCallback& done);

  boost::asio::any_io_executor strand_;
  mutable std::mutex mutex_;  // guards the three below; never held across a plugin call
  Client client_;
  bool held_ = false;
  std::vector<std::function<void()>> waiting_;
};

class PluginRouter final : public engine::Router {
 public:
  PluginRouter(std::shared_ptr<plugin_host::Instance> instance,
               boost::asio::any_io_executor strand);

  const std::string& name() const override;
  engine::RouteDecision route(const engine::RouteInput& input,
                              std::function<void(std::optional<std::string>)> on_pending) override;

 private:
  plugin_host::RoutingClient client_;
  boost::asio::any_io_executor strand_;
};

// An auto-reply plugin instance as a stage of the tenant's bot pipeline. The call
// is bound by the request's deadline (the tenant's stage_timeout_ms), not by the
// host's generic call timeout.
class PluginAutoreplyStage final : public bots::AutoreplyStage {
 public:
  PluginAutoreplyStage(std::shared_ptr<plugin_host::Instance> instance,
                       boost::asio::any_io_executor strand);
  void reply(const bots::AutoreplyRequest& request, bots::StageCallback done) override;

 private:
  plugin_host::AutoreplyClient client_;
  boost::asio::any_io_executor strand_;
};

// An LLM plugin instance as a stage of the tenant's bot pipeline, deadline-bound
// the same way.
class PluginLlmStage final : public bots::LlmStage {
 public:
  PluginLlmStage(std::shared_ptr<plugin_host::Instance> instance,
                 boost::asio::any_io_executor strand);
  void chat(const bots::LlmRequest& request, bots::StageCallback done) override;

 private:
  plugin_host::LlmClient client_;
  boost::asio::any_io_executor strand_;
};

}  // namespace sb::server
