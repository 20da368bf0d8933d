// The engine's in-memory state: conversations, visitors and agents of one tenant.
// Owned by the tenant's strand; nothing here is touched from another thread.
#pragma once

#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/bot_session.hpp"
#include "engine/ports.hpp"
#include "records/conversation_record.hpp"

namespace sb::engine {

// bot -> queued -> assigned -> closed; a conversation may also start queued.
enum class ConversationStatus : uint8_t { bot, queued, assigned, closed };
const char* to_string(ConversationStatus status);

enum class AgentStatus : uint8_t { offline, online, away };
const char* to_string(AgentStatus status);

// What an ack said, remembered so that a resend gets the same answer. While the
// message is still being written it holds only its seq (pending).
struct AckRecord {
  std::string message_id;
  uint64_t seq = 0;
  std::string attachments_json;  // the message's files, repeated in its ack ("" for none)
  bool pending = false;
};

// An entry of Conversation::acks: "<sender id>\x1f<client_msg_id>" and its ack.
using AckEntry = std::pair<const std::string, AckRecord>;

// A message that has a seq but is not durable yet.
struct PendingMessage {
  StoredMessage message;
  // Peers owed an ack, with their ref: the sender's connection, and one more only
  // for a resend while the first copy is written (no allocation for the one).
  boost::container::small_vector<std::pair<PeerPtr, std::string>, 1> waiters;
  uint64_t origin_peer_id = 0;  // the sender's connection gets the ack, not the frame
  // Its entry in Conversation::acks (a node of the map, which does not move; it
  // leaves the map only through this message's end or, once durable, through
  // ack_order). nullptr for messages no client sent (the bot's, the system's),
  // which no resend can name.
  AckEntry* ack = nullptr;
  int64_t received_us = 0;  // monotonic, for the ack latency histogram
  uint8_t attempts = 0;
  bool durable = false;
  bool failed = false;                     // gave up: the seq is skipped in delivery
  std::vector<std::string> quick_replies;  // a bot message's options: shown live, not stored
};

// The visitor's rating of a closed conversation (CSAT): stored with its record.
struct Csat {
  int score = 0;  // 1..5
  std::string comment;
  int64_t ts_ms = 0;  // wall clock, when rated
};

// When a conversation reached the steps the admin dashboard times (wall clock ms,
// 0 = not yet): stored with its record as queued_at, assigned_at, first_response_at.
// Each is the first time only; a requeue or a reopen does not move them.
struct Milestones {
  int64_t queued_ms = 0;          // it first needed a human (opened without the bot, or handed off)
  int64_t assigned_ms = 0;        // an agent first got it
  int64_t first_response_ms = 0;  // an agent's first message the visitor sees
  bool bot_took = false;          // the bot had it at some point (stored as bot_outcome)
  bool operator==(const Milestones&) const = default;
};

struct Conversation {
  std::string id;
  ConversationStatus status = ConversationStatus::queued;
  std::string visitor_id;
  std::string visitor_name;
  std::string assignee;  // agent id, empty when none
  std::string group;     // the group it was sent to (transfer); empty = any agent
  std::string chain;     // the routing rule's strategy chain (chain_key); empty = the tenant's
  // The routing rules that decided it, in order: the one that fired when it opened,
  // then any that came to fire while it waited (a `waited` condition). Stored; a rule
  // acts at most once on a conversation, so its message is never said twice.
  std::vector<std::string> rules;
  uint64_t rule_watch = 0;    // numbers the armed re-decision timer; an older one does nothing
  std::string first_message;  // the visitor's first words, for the routing graph
  int64_t created_ms = 0;
  int64_t closed_ms = 0;  // wall clock, once closed (stored as closed_at: the rating window)
  // Its place in line, stored so a restart keeps the order (a requeued conversation
  // goes to the back, whenever it was created). Rises strictly, across restarts too.
  int64_t queue_order = 0;
  uint32_t last_notified_position = 0;  // in its group's queue; 0 = none told
  uint32_t last_notified_eta_s = 0;
  // It joined its group's queue beyond max_queue_length: decided in enqueue and
  // stored with it, carried out in a step of its own (or by the next start).
  bool over_queue_limit = false;
  // Its group's queue limit was reached in this wait: the visitor was told (once; stored).
  bool queue_limit_reached = false;
  // The seq of the limit's message, stored before the message itself: a start that
  // finds the stored messages end below it knows the visitor was never told.
  uint64_t queue_limit_seq = 0;
  // Closed once every message up to this seq is out (the queue limit's message
  // first); 0 = not closing. Meanwhile nobody may take it. Stored: a start closes it.
  uint64_t close_after_seq = 0;
  // Numbers its visitor's comings and goings while it waits: a grace timer armed
  // when their last connection closed sees whether they came back since
  // (start_grace, presence.cpp).
  uint64_t visitor_presence = 0;
  // The visitor left while it waited (wall clock; stored as abandoned_at), until
  // they come back and it waits again.
  int64_t abandoned_ms = 0;

  uint64_t next_seq = 1;       // the seq the next message gets
  uint64_t delivered_seq = 0;  // every seq up to here is durable (or given up) and fanned out
  // A write in flight holds a pointer to its conversation (write_message): a
  // conversation leaves memory only once nothing is pending (forget_if_done).
  using PendingMap = std::map<uint64_t, PendingMessage>;
  PendingMap pending;

  // Idempotency: "<sender id>\x1f<client_msg_id>" -> its ack once durable, or its
  // seq while it is written (AckRecord::pending): one look-up answers "new, in
  // flight or done" and the entry is filled in place when the write completes. The
  // durable ones are bounded (FIFO eviction); a client only ever resends its most
  // recent, unacknowledged messages.
  std::unordered_map<std::string, AckRecord> acks;
  // The durable entries of `acks`, oldest first, as pointers to the map's own keys
  // (its nodes do not move; an entry leaves the map only through this order, or
  // while pending, when it is not in it). A Conversation is moved, never copied (its
  // copy operations are deleted below).
  std::deque<const std::string*> ack_order;

  // Loaded from storage after a restart: the recent acks must be read back before
  // a new message may be accepted, or a resend could be stored twice.
  bool warm = true;
  std::vector<std::function<void()>> waiting_for_warm;

  // A message with files waits while its files are checked (storage reads); the
  // conversation's later messages wait behind it, so seq keeps the order they came in.
  bool checking_attachments = false;
  std::vector<std::function<void()>> behind_attachments;

  // Peers catching up (resume replay or assignment history): live frames for them
  // are held back until the stored ones have been sent.
  std::unordered_map<uint64_t, std::vector<std::shared_ptr<const std::string>>> replaying;
  // Agent tabs that joined while this conversation was theirs, until they ask for a
  // replay (or leave): delivered_seq when they joined. Everything after it reached
  // them live, so a replay stops there (a hello sent after the welcome would
  // otherwise bring those messages a second time).
  std::unordered_map<uint64_t, uint64_t> joined_at_seq;

  std::map<std::string, uint64_t> read_seq;  // participant id -> highest seq read

  // A new conversation is routed once its first message is stored, so the agent
  // it goes to sees that message in the assignment's history.
  bool route_when_stored = false;

  // Reroute when the assigned agent does not answer in time.
  uint64_t assignment_generation = 0;  // bumped on every assignment; stale timers see it
  bool agent_answered = false;
  std::string skip_agent;  // not offered this conversation again (it went unanswered)

  BotSession bot;  // while (and after) the tenant's bot owns the conversation

  // Set by agents (sorted, unique); stored with the conversation, filterable.
  std::vector<std::string> tags;
  // The agent who had it last (kept after a close). When its visitor reopens it,
  // reopen_agent names that agent for the next routing: they go first, if free.
  std::string last_agent;
  std::string reopen_agent;
  // Set by its visitor once it closed; kept when it is reopened (a new rating replaces it).
  std::optional<Csat> csat;
  Milestones milestones;

  // A strategy of the chain answered SB_PENDING and its answer has not come: it
  // waits in the queue, but is not routed again meanwhile (that would ask twice).
  bool awaiting_strategy = false;
  // A transfer to a group waits for a strategy's later answer: the
  // assignment_generation it was asked in. Meanwhile the conversation stays with its
  // agent, and another transfer is refused rather than race it.
  std::optional<uint64_t> transfer_asked_in;

  // Manual routing: the agents it is offered to now; the first to accept takes it.
  // Who sees the offer now is the engine's OfferBook.
  bool offered = false;
  // A transfer to a group whose chain offers it (routing-manual): offered to the
  // group's free members while `from` keeps it and keeps chatting (offers.cpp).
  struct TransferOffer {
    std::string group;
    std::string from;         // its agent when asked; the offer ends with their ownership
    std::string asker;        // who asked (that agent, or an admin)
    uint64_t asker_peer = 0;  // the connection told `unavailable` if nobody accepts in time
    std::string ref;          // the transfer's ref, for that answer
    std::string note;         // for whoever accepts it (TransferredBy::note)
    uint64_t generation = 0;  // the assignment_generation it was made in, for its timer
  };
  std::optional<TransferOffer> transfer_offer;

  // Set when a transfer gave it to its agent (hand_over), cleared by any other
  // assignment: conversation.assigned, the agent's welcome and the stored record
  // tell the receiving agent who passed it on, when, and the note they left.
  using TransferredBy = records::StoredTransfer;
  std::optional<TransferredBy> transferred;

  // ack_order points into acks: a copy would point into the original's map.
  Conversation() = default;
  Conversation(const Conversation&) = delete;
  Conversation& operator=(const Conversation&) = delete;
  Conversation(Conversation&&) = default;
  Conversation& operator=(Conversation&&) = default;
};

// What a closed conversation needs to be reopened by its visitor within the
// tenant's reopen window (see reopen.cpp).
struct ClosedConversation {
  std::string id;
  int64_t closed_ms = 0;  // wall clock
  uint64_t last_seq = 0;
  std::string last_agent;
  std::string group;
  int64_t created_ms = 0;
  std::vector<std::string> tags;
  std::string visitor_name;
  std::optional<Csat> csat;
  Milestones milestones;
  int64_t abandoned_ms = 0;  // its visitor left the queue (they get it back on their return)
};

// A participant's open connections: nearly always one (a visitor's tab, an agent's
// console), held in place, so that one costs no allocation of its own.
using PeerList = boost::container::small_vector<PeerPtr, 1>;

// One per visitor with a connection or an open conversation: thousands of idle ones
// are held, so its map entry is kept within jemalloc's 160-byte size class
// (tests/unit/engine/visitor_footprint_test.cpp; tests/bench/RESULTS.md,
// "Fourteenth pass").
struct VisitorState {
  std::string name;
  PeerList peers;
  std::string open_conversation;  // empty when none

  // From the latest hello (page, language, attributes, email): most hellos bring
  // none, so it is held apart, and only when it says something.
  const VisitorMeta& meta() const { return meta_ ? *meta_ : kNoMeta; }
  void set_meta(VisitorMeta meta) {
    if (meta == kNoMeta)
      meta_.reset();
    else if (meta_)
      *meta_ = std::move(meta);
    else
      meta_ = std::make_unique<VisitorMeta>(std::move(meta));
  }

 private:
  static inline const VisitorMeta kNoMeta{};
  std::unique_ptr<VisitorMeta> meta_;
};

// The engine's visitors by id (TenantEngine::visitors_); the allocator is a
// parameter so that the footprint test can see what a visitor's entry asks for.
template <class Allocator = std::allocator<std::pair<const std::string, VisitorState>>>
using VisitorMapWith = std::unordered_map<std::string, VisitorState, std::hash<std::string>,
                                          std::equal_to<std::string>, Allocator>;
using VisitorMap = VisitorMapWith<>;

struct AgentState {
  std::string id;
  std::string email;
  std::string name;
  std::string role;  // "agent" | "admin"
  uint32_t max_concurrent = 1;
  uint32_t epoch = 0;  // password epoch: a token from an older one is refused
  std::vector<std::string> groups;
  std::map<std::string, int> skills;
  AgentStatus status = AgentStatus::offline;
  PeerList peers;
  std::vector<std::string> open_conversations;
  // Closed, but the close is not stored yet, so the agent has not been told: the
  // place stays taken until then, or a new chat would arrive before the old one ends.
  uint32_t closing = 0;
  int64_t last_assigned_ms = 0;  // monotonic
  int64_t online_since_ms = 0;
  uint64_t presence_generation = 0;  // bumped on every connect; a stale grace timer sees it
  // The status the agent had chosen (away, or offline while connected) when their
  // last connection closed, until kept_until_ms (monotonic, the offline grace
  // period later): a connection back by then restores it instead of making them
  // online, so a reload or a network blip never makes an away agent routable.
  std::optional<AgentStatus> kept_status;
  int64_t kept_until_ms = 0;

  uint32_t load() const { return static_cast<uint32_t>(open_conversations.size()) + closing; }
  bool routable() const { return status == AgentStatus::online && load() < max_concurrent; }
};

}  // namespace sb::engine
