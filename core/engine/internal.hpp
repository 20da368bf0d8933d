// Helpers shared by the engine's source files; not part of its interface.
#pragma once

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "engine/tenant_engine.hpp"
#include "records/conversation_record.hpp"

namespace sb::engine {

template <class Fn>
void TenantEngine::on_strand(Fn&& fn) {
  boost::asio::post(strand_, [self = shared_from_this(), fn = std::forward<Fn>(fn)]() mutable {
    if (!self->stopped_) fn();
  });
}

template <class Stopped, class Fn>
void TenantEngine::on_strand_or(Stopped&& stopped, Fn&& fn) {
  boost::asio::post(strand_, [self = shared_from_this(), stopped = std::forward<Stopped>(stopped),
                              fn = std::forward<Fn>(fn)]() mutable {
    if (self->stopped_) return stopped();
    fn();
  });
}

// What a stopped engine tells someone who asked it (on_strand_or): the REST
// questions are refused as unavailable (503), the rest get an empty or failed
// answer. Each takes a copy of done, made before done is moved into the question.
inline constexpr std::string_view kStoppedMessage = "the tenant is no longer served here";
inline std::function<void()> refusal(std::function<void(Answer)> done) {
  return [done = std::move(done)] {
    done(Answer::refused(metrics::ErrorCode::unavailable, std::string(kStoppedMessage)));
  };
}
inline std::function<void()> refusal(StoreCallback done) {
  return [done = std::move(done)] { done({1, {}, std::string(kStoppedMessage)}); };
}
inline std::function<void()> refusal(std::function<void(bool, std::string)> done) {
  return [done = std::move(done)] { done(false, std::string(kStoppedMessage)); };
}
// flush: false (nothing more was stored); presence, live numbers, open
// conversations: none.
template <class Result>
std::function<void()> refusal(std::function<void(Result)> done) {
  return [done = std::move(done)] { done(Result{}); };
}

// The one argument a callback (a std::function or a StoreCallback) takes.
template <class Callback>
struct CallbackArgument;
template <class Result>
struct CallbackArgument<std::function<void(Result)>> {
  using type = Result;
};
template <class Result, size_t Bytes>
struct CallbackArgument<sb::InlineFunction<void(Result), Bytes>> {
  using type = Result;
};

// A REST question whose storage call is in flight when the engine stops: the
// storage's answer is dropped (StoppableStore), and with it the continuation that
// holds done, so nobody would answer the caller (its connection would just close).
// done wrapped by this answers as refusal() does (503 `unavailable`) when the last
// copy of it goes unanswered after the engine stopped; before that, going
// unanswered changes nothing. It answers at most once, on whichever thread lets go.
template <class Callback, class Result = typename CallbackArgument<Callback>::type>
Callback refused_if_dropped(Callback done, std::shared_ptr<const StoppableStore> store) {
  struct Pending {
    Callback done;
    std::function<void()> refuse;
    std::shared_ptr<const StoppableStore> store;
    std::atomic<bool> answered{false};
    ~Pending() {
      if (answered.load(std::memory_order_acquire) || !store->stopped()) return;
      try {
        refuse();
      } catch (...) {  // a destructor: the caller's connection closes, as it did before
      }
    }
  };
  auto pending = std::make_shared<Pending>();
  pending->refuse = refusal(done);
  pending->done = std::move(done);
  pending->store = std::move(store);
  return [pending](Result result) {
    if (!pending->answered.exchange(true, std::memory_order_acq_rel))
      pending->done(std::move(result));
  };
}

// The timers after() armed that have not run yet: stop() cancels them. A timer
// is owned by its pending handler, which takes it out of here as it runs.
struct TenantEngine::Timers {
  std::unordered_set<boost::asio::steady_timer*> armed;
};

// When the conversation joined the queue (wall clock): queue_order is that
// microsecond, bumped to keep it unique; records from before it have only creation.
inline int64_t joined_ms(const Conversation& c) {
  return c.queue_order > 0 ? c.queue_order / 1000 : c.created_ms;
}

// Messages of a storage result ({"messages":[...]}, see sb_plugin.h), converted to
// the engine's form. nullopt when the body is not what the contract says.
std::optional<std::vector<StoredMessage>> parse_stored_messages(const std::string& body,
                                                                const std::string& conversation_id);

// The key under which an ack is remembered for idempotent resends.
inline std::string ack_key(const std::string& sender_id, const std::string& client_msg_id) {
  std::string key;
  key.reserve(sender_id.size() + 1 + client_msg_id.size());
  key.append(sender_id).push_back('\x1f');
  key.append(client_msg_id);
  return key;
}

// The "visitor_meta" object of a stored conversation record: page, lang, attributes
// and the visitor's email (when given).
bool is_empty(const VisitorMeta& meta);
boost::json::object meta_record(const VisitorMeta& meta);
VisitorMeta parse_meta_record(const boost::json::value& record);

// The engine's side of the stored conversation record (records/conversation_record):
// what a conversation writes (meta: its visitor's hello meta, if known), and what a
// restart or a reopen reads back.
records::ConversationRecord record_of(const Conversation& c, const VisitorMeta* meta,
                                      int64_t updated_ms);
Conversation conversation_of(const records::ConversationRecord& record);
std::optional<Csat> csat_of(const records::ConversationRecord& record);
Milestones milestones_of(const records::ConversationRecord& record);

// The "bot" object of a stored conversation record (bot.cpp).
boost::json::object bot_record(const BotSession& bot);
BotSession parse_bot_record(const boost::json::value& record);

}  // namespace sb::engine
