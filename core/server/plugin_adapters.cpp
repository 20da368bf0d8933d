#include "server/plugin_adapters.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "switchboard/sb_plugin.h"

namespace sb::server {

namespace {
// The plugin's answer as the engine takes it. Held inline by the host's callback
// (which has room for a StoreCallback): the store adapter adds no allocation to a
// storage call.
struct ToStoreResult {
  engine::StoreCallback done;
  void operator()(plugin_host::CallResult r) {
    done(engine::StoreResult{r.status, std::move(r.result), std::move(r.error), r.refused});
  }
};
static_assert(plugin_host::Callback::kept_inline<ToStoreResult>);

plugin_host::Callback to_store_callback(engine::StoreCallback done) {
  return ToStoreResult{std::move(done)};
}

// The pipeline reads a timeout as any other failure.
plugin_host::BotCallback to_stage_callback(bots::StageCallback done) {
  return [done = std::move(done)](plugin_host::BotResult r) {
    int32_t status = SB_ERROR;
    if (r.status == plugin_host::BotStatus::ok) status = SB_OK;
    if (r.status == plugin_host::BotStatus::defer) status = SB_DEFER;
    done(bots::StageResult{status, std::move(r.body), std::move(r.error), r.refused});
  };
}
}  // namespace

PluginStore::PluginStore(std::shared_ptr<plugin_host::Instance> instance,
                         boost::asio::any_io_executor strand)
    : strand_(std::move(strand)),
      client_(std::make_shared<plugin_host::StorageClient>(std::move(instance))) {}

plugin_host::Callback PluginStore::callback(engine::StoreCallback done) {
  if (!lease_lost_) return to_store_callback(std::move(done));
  return [self = shared_from_this(), done = std::move(done)](plugin_host::CallResult r) {
    // storage-postgres's fenced write (lease.cpp): another node owns the tenant now.
    if (r.status != SB_OK && r.error.find("lost the tenant's lease") != std::string::npos &&
        !self->lease_lost_reported_.exchange(true))
      self->lease_lost_();
    done(engine::StoreResult{r.status, std::move(r.result), std::move(r.error), r.refused});
  };
}

std::shared_ptr<plugin_host::Instance> PluginStore::hold() {
  std::lock_guard lock(mutex_);
  // Nothing to take out: already held, or storage was lost (calls fail at once).
  if (held_ || !client_) return nullptr;
  held_ = true;
  auto instance = client_->instance();
  client_.reset();
  return instance;
}

void PluginStore::resume(std::shared_ptr<plugin_host::Instance> instance) {
  auto client =
      instance ? std::make_shared<plugin_host::StorageClient>(std::move(instance)) : nullptr;
  // On the strand: the engine's calls come from there, so none of them can slip in
  // between the waiting ones.
  boost::asio::post(strand_, [self = shared_from_this(), client = std::move(client)]() mutable {
    std::vector<std::function<void()>> waiting;
    {
      std::lock_guard lock(self->mutex_);
      self->client_ = std::move(client);
      self->held_ = false;
      waiting.swap(self->waiting_);
    }
    for (auto& call : waiting) call();
  });
}

std::optional<int64_t> PluginStore::lease_epoch() const {
  Client client;
  {
    std::lock_guard lock(mutex_);
    client = client_;
  }
  return client ? client->lease_epoch() : std::nullopt;
}

size_t PluginStore::waiting_calls() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

template <class MakeRetry>
PluginStore::Client PluginStore::client_or_wait(MakeRetry&& retry, engine::StoreCallback& done) {
  {
    std::lock_guard lock(mutex_);
    if (client_) return client_;
    if (held_) {
      waiting_.emplace_back(retry());
      return nullptr;
    }
  }
  boost::asio::post(strand_, [done = std::move(done)] {
    done(engine::StoreResult{
        SB_ERROR, {}, "storage unavailable: the storage plugin could not be opened again"});
  });
  return nullptr;
}

void PluginStore::append_message(const engine::StoredMessage& m, engine::StoreCallback done) {
  // The retry owns a copy; the direct call borrows (MessageRecord is views).
  auto client = client_or_wait(
      [&] { return [this, m, done]() mutable { append_message(m, std::move(done)); }; }, done);
  if (!client) return;
  const plugin_host::MessageRecord record{
      m.conversation_id, m.message_id, m.seq,   m.sender_role, m.sender_id,       m.sender_name,
      m.client_msg_id,   m.text,       m.ts_ms, m.flags,       m.attachments_json};
  client->append_message(record, strand_, callback(std::move(done)));
}

void PluginStore::load_messages(const std::string& conversation_id, uint64_t after_seq,
                                uint64_t before_seq, uint32_t limit, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] {
        return [this, conversation_id, after_seq, before_seq, limit, done]() mutable {
          load_messages(conversation_id, after_seq, before_seq, limit, std::move(done));
        };
      },
      done);
  if (!client) return;
  client->load_messages(conversation_id, after_seq, before_seq, limit, strand_,
                        callback(std::move(done)));
}

void PluginStore::put_conversation(std::string conversation_json, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] {
        return [this, conversation_json, done]() mutable {
          put_conversation(std::move(conversation_json), std::move(done));
        };
      },
      done);
  if (!client) return;
  client->put_conversation(conversation_json, strand_, callback(std::move(done)));
}

void PluginStore::list_conversations(std::string filter_json, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] {
        return [this, filter_json, done]() mutable {
          list_conversations(std::move(filter_json), std::move(done));
        };
      },
      done);
  if (!client) return;
  client->list_conversations(filter_json, strand_, callback(std::move(done)));
}

void PluginStore::set_read(const std::string& conversation_id, const std::string& participant_id,
                           uint64_t seq, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] {
        return [this, conversation_id, participant_id, seq, done]() mutable {
          set_read(conversation_id, participant_id, seq, std::move(done));
        };
      },
      done);
  if (!client) return;
  client->set_read(conversation_id, participant_id, seq, strand_, callback(std::move(done)));
}

void PluginStore::load_reads(std::vector<std::string> conversation_ids,
                             engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] {
        return [this, conversation_ids, done]() mutable {
          load_reads(std::move(conversation_ids), std::move(done));
        };
      },
      done);
  if (!client) return;
  const std::string query = boost::json::serialize(boost::json::object{
      {"conversation_ids", boost::json::array(conversation_ids.begin(), conversation_ids.end())}});
  client->load_reads(query, strand_, callback(std::move(done)));
}

void PluginStore::kv_put(const std::string& ns, const std::string& key, std::string value_json,
                         engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] {
        return [this, ns, key, value_json, done]() mutable {
          kv_put(ns, key, std::move(value_json), std::move(done));
        };
      },
      done);
  if (!client) return;
  client->kv_put(ns, key, value_json, strand_, callback(std::move(done)));
}

void PluginStore::kv_list(const std::string& ns, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] { return [this, ns, done]() mutable { kv_list(ns, std::move(done)); }; }, done);
  if (!client) return;
  client->kv_list(ns, strand_, callback(std::move(done)));
}

void PluginStore::kv_get(const std::string& ns, const std::string& key,
                         engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] { return [this, ns, key, done]() mutable { kv_get(ns, key, std::move(done)); }; }, done);
  if (!client) return;
  client->kv_get(ns, key, strand_, callback(std::move(done)));
}

void PluginStore::blob_put(const engine::BlobPut& blob, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] { return [this, blob, done]() mutable { blob_put(blob, std::move(done)); }; }, done);
  if (!client) return;
  // Borrowed for the call only: the plugin copies the bytes before it returns.
  const plugin_host::BlobRecord record{
      blob.id, blob.meta_json, blob.data ? std::string_view(*blob.data) : "", blob.max_total_bytes};
  client->blob_put(record, strand_, callback(std::move(done)));
}

void PluginStore::blob_get(const std::string& id, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] { return [this, id, done]() mutable { blob_get(id, std::move(done)); }; }, done);
  if (!client) return;
  client->blob_get(id, strand_, callback(std::move(done)));
}

void PluginStore::blob_meta(const std::string& id, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] { return [this, id, done]() mutable { blob_meta(id, std::move(done)); }; }, done);
  if (!client) return;
  client->blob_meta(id, strand_, callback(std::move(done)));
}

void PluginStore::blob_delete(const std::string& id, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] { return [this, id, done]() mutable { blob_delete(id, std::move(done)); }; }, done);
  if (!client) return;
  client->blob_delete(id, strand_, callback(std::move(done)));
}

void PluginStore::search(std::string query_json, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] {
        return
            [this, query_json, done]() mutable { search(std::move(query_json), std::move(done)); };
      },
      done);
  if (!client) return;
  client->search(query_json, strand_, callback(std::move(done)));
}

void PluginStore::log_append(const engine::LogEntry& e, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] { return [this, e, done]() mutable { log_append(e, std::move(done)); }; }, done);
  if (!client) return;
  const plugin_host::LogRecord record{e.log, e.kind, e.actor, e.data_json, e.ts_ms};
  client->log_append(record, strand_, callback(std::move(done)));
}

void PluginStore::log_list(std::string query_json, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] {
        return [this, query_json, done]() mutable {
          log_list(std::move(query_json), std::move(done));
        };
      },
      done);
  if (!client) return;
  client->log_list(query_json, strand_, callback(std::move(done)));
}

void PluginStore::delete_conversation(const std::string& conversation_id,
                                      engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] {
        return [this, conversation_id, done]() mutable {
          delete_conversation(conversation_id, std::move(done));
        };
      },
      done);
  if (!client) return;
  client->delete_conversation(conversation_id, strand_, callback(std::move(done)));
}

void PluginStore::log_prune(const std::string& log, int64_t before_ts_ms,
                            engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] {
        return [this, log, before_ts_ms, done]() mutable {
          log_prune(log, before_ts_ms, std::move(done));
        };
      },
      done);
  if (!client) return;
  client->log_prune(log, before_ts_ms, strand_, callback(std::move(done)));
}

void PluginStore::backup(const std::string& dir, engine::StoreCallback done) {
  auto client = client_or_wait(
      [&] { return [this, dir, done]() mutable { backup(dir, std::move(done)); }; }, done);
  if (!client) return;
  client->backup(dir, kBackupTimeout, strand_, callback(std::move(done)));
}

PluginRouter::PluginRouter(std::shared_ptr<plugin_host::Instance> instance,
                           boost::asio::any_io_executor strand)
    : client_(std::move(instance)), strand_(std::move(strand)) {}

const std::string& PluginRouter::name() const {
  return client_.instance()->plugin_name();
}

engine::RouteDecision PluginRouter::route(
    const engine::RouteInput& input, std::function<void(std::optional<std::string>)> on_pending) {
  std::vector<plugin_host::AgentCandidate> candidates;
  candidates.reserve(input.candidates->size());
  for (const auto& c : *input.candidates) {
    candidates.push_back(plugin_host::AgentCandidate{
        c.agent_id, c.name, c.open_conversations, c.max_concurrent, c.last_assigned_ms,
        c.online_since_ms, c.groups_json, c.skills_json});
  }
  plugin_host::RouteQuery query;
  query.conversation_id = input.conversation_id;
  query.visitor_id = input.visitor_id;
  query.group = input.group;
  query.attributes_json = input.attributes_json;
  query.candidates = &candidates;

  auto outcome = client_.route(query, strand_,
                               [on_pending = std::move(on_pending)](plugin_host::CallResult r) {
                                 if (r.status == SB_OK && !r.result.empty())
                                   return on_pending(std::move(r.result));
                                 on_pending(std::nullopt);
                               });
  switch (outcome.status) {
    case SB_OK:
      return {engine::RouteDecision::Kind::chosen, outcome.index};
    case SB_PENDING:
      return {engine::RouteDecision::Kind::pending, 0};
    case SB_DEFER:
      return {engine::RouteDecision::Kind::deferred, 0};
    case SB_OFFER:
      return {engine::RouteDecision::Kind::offer, 0};
    default:
      spdlog::warn("tenant {}: routing plugin {} {}: {}", client_.instance()->tenant_id(), name(),
                   outcome.refused ? "refused the request" : "failed", outcome.error);
      return {engine::RouteDecision::Kind::deferred, 0};
  }
}

PluginAutoreplyStage::PluginAutoreplyStage(std::shared_ptr<plugin_host::Instance> instance,
                                           boost::asio::any_io_executor strand)
    : client_(std::move(instance)), strand_(std::move(strand)) {}

void PluginAutoreplyStage::reply(const bots::AutoreplyRequest& r, bots::StageCallback done) {
  const plugin_host::AutoreplyQuery query{r.conversation_id, r.visitor_id,      r.text,
                                          r.language,        r.attributes_json, r.state_json,
                                          r.context_json};
  client_.reply(query, r.deadline_ms, strand_, to_stage_callback(std::move(done)));
}

PluginLlmStage::PluginLlmStage(std::shared_ptr<plugin_host::Instance> instance,
                               boost::asio::any_io_executor strand)
    : client_(std::move(instance)), strand_(std::move(strand)) {}

void PluginLlmStage::chat(const bots::LlmRequest& r, bots::StageCallback done) {
  const plugin_host::LlmQuery query{r.conversation_id, r.messages_json, r.max_tokens};
  client_.chat(query, r.deadline_ms, strand_, to_stage_callback(std::move(done)));
}

}  // namespace sb::server
