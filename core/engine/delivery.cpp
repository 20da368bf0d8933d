// Getting frames to the participants of a conversation, and catching a peer up
// on what it missed (resume replay, history on assignment).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "engine/frames.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

namespace json = boost::json;

namespace {
// An agent sees this many recent messages when a conversation is assigned to them
// (older ones are a REST history call away).
constexpr uint64_t kAssignmentHistory = 50;
// A resumed client is replayed at most this many messages; more comes over REST.
constexpr uint32_t kMaxReplay = 1000;
}  // namespace

void TenantEngine::send_to_participant(Conversation& c, const PeerPtr& peer,
                                       const frames::Frame& frame) {
  if (auto it = c.replaying.find(peer->peer_id()); it != c.replaying.end()) {
    it->second.push_back(frame);  // sent after the stored messages it must follow
    return;
  }
  peer->send(frame);
}

void TenantEngine::send_to_visitor(Conversation& c, const frames::Frame& frame,
                                   uint64_t except_peer) {
  auto it = visitors_.find(c.visitor_id);
  if (it == visitors_.end()) return;
  for (const auto& peer : it->second.peers)
    if (peer->peer_id() != except_peer) send_to_participant(c, peer, frame);
}

void TenantEngine::send_to_assignee(Conversation& c, const frames::Frame& frame,
                                    uint64_t except_peer) {
  if (c.assignee.empty()) return;
  auto it = agents_.find(c.assignee);
  if (it == agents_.end()) return;
  for (const auto& peer : it->second.peers)
    if (peer->peer_id() != except_peer) send_to_participant(c, peer, frame);
}

void TenantEngine::fan_out(Conversation& c, const frames::Frame& frame, uint64_t except_peer) {
  send_to_visitor(c, frame, except_peer);
  send_to_assignee(c, frame, except_peer);
  metrics_->messages_delivered.fetch_add(1, std::memory_order_relaxed);
}

void TenantEngine::catch_up(Conversation& c, const PeerPtr& peer, Role role, uint64_t after_seq,
                            bool as_assignment, uint64_t upto_at_most) {
  const uint64_t upto = std::min(c.delivered_seq, upto_at_most);
  if (as_assignment) after_seq = upto > kAssignmentHistory ? upto - kAssignmentHistory : 0;
  if (!as_assignment && after_seq >= upto) return;  // nothing missed
  const uint64_t pid = peer->peer_id();
  if (c.replaying.count(pid)) return;  // already catching up; live frames are held
  c.replaying.emplace(pid, std::vector<frames::Frame>{});

  auto finish = [this, self = shared_from_this(), id = c.id, peer, pid, role,
                 as_assignment](StoreResult result) {
    Conversation* c = find_conversation(id);
    if (!c) return;
    auto held = c->replaying.find(pid);
    if (held == c->replaying.end()) return;  // the peer left meanwhile
    auto live = std::move(held->second);
    c->replaying.erase(held);

    auto messages = result.ok() ? parse_stored_messages(result.body, id) : std::nullopt;
    if (messages && role == Role::visitor)  // agents' private notes never reach the visitor
      std::erase_if(*messages,
                    [](const StoredMessage& m) { return (m.flags & kPrivateNote) != 0; });
    if (!messages) {
      spdlog::warn("tenant {}: loading messages of {} for a catch-up failed: {}", tenant_id_, id,
                   result.error);
      send_error(peer, metrics::ErrorCode::unavailable,
                 "earlier messages could not be loaded; fetch them over REST");
    }
    if (as_assignment) {
      json::array history;
      if (messages)
        for (const auto& m : *messages) history.push_back(frames::message_object(m, true));
      peer->send(frames::assigned_to_agent(*c, visitor_of(*c), std::move(history)));
    } else if (messages) {
      for (const auto& m : *messages) peer->send(frames::message(m));
    }
    for (auto& frame : live) peer->send(frame);
    forget_if_done(id);
  };
  // Everything up to delivered_seq is durable, so storage has all of it; what is
  // newer arrives live and is held in `replaying` until this completes.
  const uint32_t limit = as_assignment ? static_cast<uint32_t>(kAssignmentHistory) : kMaxReplay;
  if (upto == 0) {
    finish(StoreResult{0, R"({"messages":[]})", {}});
    return;
  }
  store_->load_messages(c.id, after_seq, upto + 1, limit, std::move(finish));
}

void TenantEngine::send_error(const PeerPtr& peer, metrics::ErrorCode code,
                              std::string_view message, std::string_view ref) {
  metrics_->count_error(code);
  peer->send(frames::error(metrics::to_string(code), message, ref));
}

}  // namespace sb::engine
