// The message path: seq assignment, durable-before-ack, idempotent resend, ordered
// fan-out, typing and read receipts.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "engine/frames.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

namespace json = boost::json;

namespace {
// A client only ever resends its latest unacknowledged messages; remembering this
// many acks per conversation covers any realistic reconnect.
constexpr size_t kRememberedAcks = 1024;
// Storage writes are retried this many times at once before the sender is told
// the message is not stored yet.
constexpr uint8_t kMaxWriteAttempts = 3;
// Then the message keeps its seq and is retried with a growing pause (storage
// restarting, a database failing over; EnginePolicy::storage_retry_pause) before
// it is given up.
constexpr uint8_t kMaxHeldAttempts = kMaxWriteAttempts + 30;
std::chrono::milliseconds held_retry_pause(std::chrono::milliseconds first, uint8_t attempts) {
  const int doublings = std::min(attempts - kMaxWriteAttempts, 3);
  return std::min(first * (1 << doublings), std::max(first, std::chrono::milliseconds(2000)));
}

int64_t monotonic_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

void TenantEngine::post_message(PeerPtr peer, Identity who, MessageCommand command) {
  on_strand([this, peer = std::move(peer), who = std::move(who),
             command = std::move(command)]() mutable { on_message(peer, who, command); });
}

void TenantEngine::typing(PeerPtr peer, Identity who, std::string conversation_id, bool on) {
  on_strand([this, peer = std::move(peer), who = std::move(who), id = std::move(conversation_id),
             on] { on_typing(peer, who, id, on); });
}

void TenantEngine::mark_read(PeerPtr peer, Identity who, std::string conversation_id, uint64_t seq,
                             std::string ref) {
  on_strand([this, peer = std::move(peer), who = std::move(who), id = std::move(conversation_id),
             seq, ref = std::move(ref)] { on_read(peer, who, id, seq, ref); });
}

void TenantEngine::on_message(const PeerPtr& peer, Identity& who, MessageCommand& command) {
  Conversation* c = conversation_for_message(peer, who, command);
  if (!c) return;
  if (!c->warm) {
    // Restored after a restart: read back recent acks first, so a resend from
    // before the restart is recognised instead of stored twice.
    const bool first_waiter = c->waiting_for_warm.empty();
    c->waiting_for_warm.push_back(
        [this, peer, who, command]() mutable { on_message(peer, who, command); });
    if (first_waiter) make_warm(*c);
    return;
  }
  if (c->checking_attachments) {
    c->behind_attachments.push_back(
        [this, peer, who, command]() mutable { on_message(peer, who, command); });
    return;
  }
  if (!command.attachments.empty())
    return accept_with_attachments(*c, peer, who, std::move(command));
  accept_message(*c, peer, who, std::move(command));
}

Conversation* TenantEngine::conversation_for_message(const PeerPtr& peer, const Identity& who,
                                                     const MessageCommand& command) {
  if (who.role == Role::agent) {
    Conversation* c = find_conversation(command.conversation_id);
    if (!c || c->status == ConversationStatus::closed) {
      send_error(peer, metrics::ErrorCode::not_found, "no open conversation with that id",
                 command.ref);
      return nullptr;
    }
    if (c->assignee != who.id) {
      send_error(peer, metrics::ErrorCode::forbidden, "this conversation is not assigned to you",
                 command.ref);
      return nullptr;
    }
    return c;
  }

  VisitorState& visitor = visitors_[who.id];
  if (!visitor.open_conversation.empty()) {
    Conversation* c = find_conversation(visitor.open_conversation);
    if (c && c->status != ConversationStatus::closed) return c;
  }
  if (Conversation* again = reopen(who.id, visitor)) return again;
  // The visitor's first message (or first after a close) opens a conversation.
  Conversation fresh;
  fresh.id = new_id("c");
  fresh.status = ConversationStatus::queued;
  fresh.visitor_id = who.id;
  fresh.visitor_name = visitor.name.empty() ? who.name : visitor.name;
  fresh.created_ms = wall_clock_ms();
  // Decided (the routing graph, the bot) once this message is stored. Both are in
  // the first record: a restart before the decision still makes it.
  fresh.first_message = command.text;
  fresh.route_when_stored = true;
  auto [it, inserted] = conversations_.emplace(fresh.id, std::move(fresh));
  visitor.open_conversation = it->first;
  metrics_->conversations_opened.fetch_add(1, std::memory_order_relaxed);
  // Written before the first message: the storage writer keeps order, so the
  // conversation record is never missing for a stored message.
  persist_conversation(it->second);
  publish(bus::event::kConversationOpened, it->first,
          json::serialize(json::object{{"conversation_id", it->first}, {"visitor_id", who.id}}));
  return &it->second;
}

void TenantEngine::accept_message(Conversation& c, const PeerPtr& peer, Identity& who,
                                  MessageCommand command) {
  const uint64_t seq = c.next_seq;
  // The key moves into the map's node when new (and is dropped when known): the
  // pending message points at the entry rather than keeping a copy.
  auto [known, fresh] = c.acks.try_emplace(ack_key(who.id, command.client_msg_id));
  if (!fresh && !known->second.pending) {
    // A resend of a message already durable: the same ack again, nothing stored.
    peer->send(frames::ack(command.client_msg_id, known->second, c.id, command.ref));
    return;
  }
  if (!fresh) {
    // A resend while the first copy is still being written (or held while storage
    // is away): acked together, at the seq the first copy holds.
    c.pending[known->second.seq].waiters.emplace_back(peer, command.ref);
    return;
  }
  known->second.seq = seq;
  known->second.pending = true;
  ++c.next_seq;
  PendingMessage pending;
  pending.ack = &*known;
  pending.message.conversation_id = c.id;
  pending.message.message_id = new_id("m");
  pending.message.seq = seq;
  pending.message.sender_role = who.role == Role::agent ? "agent" : "visitor";
  if (who.role == Role::agent) {
    const AgentState* agent = find_agent(who.id);
    pending.message.sender_name = agent ? agent->name : who.name;
  } else {
    pending.message.sender_name = c.visitor_name.empty() ? who.name : c.visitor_name;
  }
  pending.message.sender_id = std::move(who.id);  // who's last use of its id
  pending.message.client_msg_id = std::move(command.client_msg_id);
  pending.message.text = std::move(command.text);
  pending.message.ts_ms = wall_clock_ms();
  pending.message.flags = command.is_private ? kPrivateNote : 0;
  pending.message.attachments_json = std::move(command.attachments_json);
  if (who.role == Role::agent && !command.is_private) c.agent_answered = true;
  const bool first_response =
      who.role == Role::agent && !command.is_private && !c.milestones.first_response_ms;
  if (first_response) c.milestones.first_response_ms = pending.message.ts_ms;
  pending.waiters.emplace_back(peer, std::move(command.ref));
  pending.origin_peer_id = peer->peer_id();
  pending.received_us = command.received_us ? command.received_us : monotonic_us();
  add_pending(c, seq, std::move(pending));
  // The dashboard's first-response time: stored once, with the record.
  if (first_response) persist_conversation(c);
  metrics_->messages_received.fetch_add(1, std::memory_order_relaxed);
  write_message(c, seq);
}

void TenantEngine::add_pending(Conversation& c, uint64_t seq, PendingMessage&& pending) {
  if (spare_pending_.empty()) {
    c.pending.emplace(seq, std::move(pending));
    return;
  }
  auto node = std::move(spare_pending_.back());
  spare_pending_.pop_back();
  node.key() = seq;
  node.mapped() = std::move(pending);
  c.pending.insert(std::move(node));
}

void TenantEngine::drop_pending(Conversation& c, Conversation::PendingMap::iterator it) {
  auto node = c.pending.extract(it);
  if (spare_pending_.size() == kSparePendingNodes) return;  // freed with `node`
  node.mapped() = PendingMessage{};  // its strings and peers go now, the node stays
  spare_pending_.push_back(std::move(node));
}

void TenantEngine::write_message(Conversation& c, uint64_t seq) {
  auto it = c.pending.find(seq);
  if (it == c.pending.end()) return;
  ++it->second.attempts;
  // The answer holds the conversation by pointer, not by a copy of its id (an
  // allocation per message): it stays in memory while the message is pending
  // (forget_if_done). The callable and the store's stop check fit a StoreCallback,
  // so the call allocates nothing on its way (RESULTS.md, the twenty-second pass).
  auto on_stored = [self = shared_from_this(), c = &c, seq](StoreResult result) {
    self->on_message_stored(*c, seq, std::move(result));
  };
  static_assert(StoppableStore::kept_inline<decltype(on_stored)>);
  store_->append_message_then(it->second.message, std::move(on_stored));
}

void TenantEngine::on_message_stored(Conversation& conversation, uint64_t seq, StoreResult result) {
  Conversation* c = &conversation;
  const std::string& conversation_id = c->id;
  auto it = c->pending.find(seq);
  if (it == c->pending.end()) return;
  PendingMessage& pending = it->second;

  if (!result.ok()) {
    metrics_->storage_failures.fetch_add(1, std::memory_order_relaxed);
    if (pending.attempts < kMaxWriteAttempts) {
      spdlog::warn("tenant {}: storing {} seq {} failed ({}), retrying", tenant_id_,
                   conversation_id, seq, result.error);
      write_message(*c, seq);
      return;
    }
    if (pending.attempts < kMaxHeldAttempts) {
      // Held at its seq, with its message id: a write whose outcome was unknown
      // (a commit cut off) is completed by the same write again, never stored a
      // second time under a new seq, and the history keeps no gap. The sender
      // hears it is delayed; its ack follows once the message is stored, and a
      // resend meanwhile waits for the same ack.
      if (pending.attempts == kMaxWriteAttempts) {
        spdlog::error("tenant {}: storing {} seq {} failed {} times ({}); held and retried",
                      tenant_id_, conversation_id, seq, pending.attempts, result.error);
        for (const auto& [peer, ref] : pending.waiters)
          send_error(peer, metrics::ErrorCode::unavailable,
                     "storage is unavailable: the message is not stored yet; it is acknowledged "
                     "once it is",
                     ref);
      }
      after(held_retry_pause(policy_.storage_retry_pause, pending.attempts),
            [this, id = conversation_id, seq] {
              if (Conversation* c = find_conversation(id)) write_message(*c, seq);
            });
      return;
    }
    spdlog::error("tenant {}: storing {} seq {} failed {} times ({}); given up, the sender is told",
                  tenant_id_, conversation_id, seq, pending.attempts, result.error);
    for (const auto& [peer, ref] : pending.waiters)
      send_error(peer, metrics::ErrorCode::unavailable,
                 "the message could not be stored; send it again", ref);
    pending.failed = true;
    forget_pending_ack(*c, pending);
    deliver_ready(*c);
    return;
  }

  pending.durable = true;
  message_rate_.record(pending.message.ts_ms);
  AckRecord ack{pending.message.message_id, seq, pending.message.attachments_json};
  const int64_t latency_us = monotonic_us() - pending.received_us;
  // Each waiter's ack carries its own ref (a client sends one with every message),
  // so one frame per waiter; the frame without a ref is shared.
  frames::Frame without_ref;
  for (const auto& [peer, ref] : pending.waiters) {
    if (ref.empty() && !without_ref)
      without_ref = frames::ack(pending.message.client_msg_id, ack, c->id);
    peer->send(ref.empty() ? without_ref
                           : frames::ack(pending.message.client_msg_id, ack, c->id, ref));
    metrics_->acks_sent.fetch_add(1, std::memory_order_relaxed);
  }
  if (!pending.waiters.empty())  // bot messages have no sender waiting for an ack
    metrics_->ack_latency.observe_us(latency_us > 0 ? static_cast<uint64_t>(latency_us) : 0);
  pending.waiters.clear();
  if (pending.ack && pending.message.client_msg_id.empty()) {
    forget_pending_ack(*c, pending);
  } else if (pending.ack) {
    pending.ack->second = std::move(ack);  // filled in place: the key is not copied again
    remember_ack(*c, pending.ack->first);
    pending.ack = nullptr;  // in ack_order now, which decides when it goes
  }
  deliver_ready(*c);
}

// Fans out every message whose predecessors are all settled, so participants see
// seq 1, 2, 3... in order even if a later write happened to finish first.
void TenantEngine::deliver_ready(Conversation& c) {
  while (!c.pending.empty()) {
    auto it = c.pending.begin();
    PendingMessage& p = it->second;
    if (it->first != c.delivered_seq + 1 || !(p.durable || p.failed)) break;
    if (p.durable && (p.message.flags & kPrivateNote)) {
      send_to_assignee(c, frames::message(p.message), p.origin_peer_id);
    } else if (p.durable) {
      fan_out(c,
              p.quick_replies.empty() ? frames::message(p.message)
                                      : frames::message(p.message, p.quick_replies),
              p.origin_peer_id);
      if (bus_.subscriber_count()) {
        publish(bus::event::kMessageCreated, c.id,
                json::serialize(frames::message_object(p.message, true)));
      }
      if (c.status == ConversationStatus::bot) bot_saw(c, p.message);
    }
    c.delivered_seq = it->first;
    drop_pending(c, it);
  }
  if (c.bot.exit != BotSession::Exit::none) return bot_after_delivery(c);  // may close it
  if (c.close_after_seq && c.delivered_seq >= c.close_after_seq) return close(c, "system");
  if (c.route_when_stored && c.delivered_seq > 0) {
    c.route_when_stored = false;
    // A reopened conversation goes back to its agent: no rule and no bot decide it again.
    if (!c.reopen_agent.empty()) {
      route(c.id, 0);
      return;
    }
    decide(c);
    return;  // decide() may have changed the conversation; it is not closed anyway
  }
  forget_if_done(c.id);
}

void TenantEngine::forget_pending_ack(Conversation& c, PendingMessage& pending) {
  if (!pending.ack) return;
  c.acks.erase(c.acks.find(pending.ack->first));
  pending.ack = nullptr;
}

void TenantEngine::remember_ack(Conversation& c, const std::string& stored_key) {
  c.ack_order.push_back(&stored_key);
  while (c.ack_order.size() > kRememberedAcks) {
    c.acks.erase(c.acks.find(*c.ack_order.front()));
    c.ack_order.pop_front();
  }
}

void TenantEngine::make_warm(Conversation& c) {
  store_->load_messages(
      c.id, 0, c.next_seq, kRememberedAcks,
      [this, self = shared_from_this(), id = c.id](StoreResult result) {
        Conversation* c = find_conversation(id);
        if (!c) return;
        if (auto messages = result.ok() ? parse_stored_messages(result.body, id) : std::nullopt) {
          for (auto& m : *messages)
            if (!m.client_msg_id.empty()) {
              auto [entry, fresh] =
                  c->acks.try_emplace(ack_key(m.sender_id, m.client_msg_id),
                                      AckRecord{m.message_id, m.seq, m.attachments_json});
              if (fresh) remember_ack(*c, entry->first);
            }
        } else {
          spdlog::warn(
              "tenant {}: could not read back recent messages of {} ({}); resends from before "
              "the restart may be stored twice",
              tenant_id_, id, result.error);
        }
        c->warm = true;
        auto waiting = std::move(c->waiting_for_warm);
        c->waiting_for_warm.clear();
        for (auto& resume : waiting) resume();
      });
}

void TenantEngine::on_typing(const PeerPtr& peer, const Identity& who,
                             const std::string& conversation_id, bool on) {
  Conversation* c = find_conversation(conversation_id);
  if (!c || c->status == ConversationStatus::closed)
    return send_error(peer, metrics::ErrorCode::not_found, "no open conversation with that id");
  if (!is_participant(*c, who))
    return send_error(peer, metrics::ErrorCode::forbidden,
                      "not a participant of this conversation");
  const auto frame = frames::typing(c->id, on, who.role, who.id);
  if (who.role == Role::visitor) {
    send_to_assignee(*c, frame);
  } else {
    send_to_visitor(*c, frame);
  }
}

void TenantEngine::on_read(const PeerPtr& peer, const Identity& who,
                           const std::string& conversation_id, uint64_t seq,
                           const std::string& ref) {
  Conversation* c = find_conversation(conversation_id);
  if (!c)
    return send_error(peer, metrics::ErrorCode::not_found, "no open conversation with that id",
                      ref);
  if (!is_participant(*c, who))
    return send_error(peer, metrics::ErrorCode::forbidden, "not a participant of this conversation",
                      ref);
  // Nobody can have read what does not exist yet.
  seq = std::min(seq, c->delivered_seq);
  uint64_t& recorded = c->read_seq[who.id];
  if (seq <= recorded) return;  // receipts are monotonic: a lower seq changes nothing
  recorded = seq;
  store_->set_read(c->id, who.id, seq, [tenant = tenant_id_, id = c->id](StoreResult result) {
    if (!result.ok())
      spdlog::warn("tenant {}: storing read receipt of {} failed: {}", tenant, id, result.error);
  });
  announce_read(*c, who.id, who.role, seq);
}

void TenantEngine::announce_read(Conversation& c, const std::string& reader, Role reader_role,
                                 uint64_t seq) {
  const auto frame = frames::read(c.id, seq, reader_role, reader);
  if (reader_role == Role::visitor) {
    send_to_assignee(c, frame);
  } else {
    send_to_visitor(c, frame);
  }
}

void TenantEngine::restore_read_marks(std::vector<std::string> ids, size_t from,
                                      std::function<void()> then) {
  if (from >= ids.size()) return then();
  const size_t to = std::min(ids.size(), from + Store::kMaxReadsPerLoad);
  std::vector<std::string> slice(ids.begin() + static_cast<std::ptrdiff_t>(from),
                                 ids.begin() + static_cast<std::ptrdiff_t>(to));
  store_->load_reads(std::move(slice), [this, self = shared_from_this(), ids = std::move(ids), from,
                                        to, then = std::move(then)](StoreResult result) mutable {
    if (result.status == kStoreNotSupported) {
      if (!std::exchange(told_no_read_marks_, true))
        spdlog::info("tenant {}: conversations are loaded without their read marks: {}", tenant_id_,
                     result.error);
      return then();
    }
    if (!result.ok() || !apply_read_marks(result.body)) {
      spdlog::warn(
          "tenant {}: cannot read the read marks of {} conversations back ({}); they "
          "start without them",
          tenant_id_, ids.size() - from, result.ok() ? "malformed answer" : result.error);
      return then();
    }
    restore_read_marks(std::move(ids), to, std::move(then));
  });
}

bool TenantEngine::apply_read_marks(const std::string& body) {
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec);
  const json::array* reads = nullptr;
  if (!ec && doc.is_object())
    if (const json::value* r = doc.get_object().if_contains("reads")) reads = r->if_array();
  if (!reads) return false;
  for (const json::value& entry : *reads) {
    const json::object* read = entry.if_object();
    if (!read) return false;
    const json::value* id = read->if_contains("conversation_id");
    const json::value* reader = read->if_contains("participant_id");
    const json::value* seq = read->if_contains("seq");
    if (!id || !id->is_string() || !reader || !reader->is_string() || !seq) return false;
    const auto stored = seq->to_number<uint64_t>(ec);
    if (ec) return false;
    Conversation* c = find_conversation(std::string(id->get_string()));
    // As on_read: nothing can have been read past what exists.
    const uint64_t mark = c ? std::min(stored, c->delivered_seq) : 0;
    if (mark == 0 || reader->get_string().empty()) continue;
    const std::string participant(reader->get_string());
    uint64_t& recorded = c->read_seq[participant];
    if (mark <= recorded) continue;  // one given meanwhile is newer: it stays
    recorded = mark;
    announce_read(*c, participant, participant == c->visitor_id ? Role::visitor : Role::agent,
                  mark);
  }
  return true;
}

void TenantEngine::send_read_mark(const Conversation& c, const PeerPtr& peer, Role to) const {
  // The visitor hears the furthest any agent of the conversation read (its
  // assignee, or one before a transfer); an agent hears the visitor's mark.
  const std::string* reader = nullptr;
  uint64_t seq = 0;
  for (const auto& [id, read] : c.read_seq) {
    if ((id == c.visitor_id) != (to == Role::agent) || read <= seq) continue;
    reader = &id;
    seq = read;
  }
  if (reader)
    peer->send(frames::read(c.id, seq, to == Role::agent ? Role::visitor : Role::agent, *reader));
}

}  // namespace sb::engine
