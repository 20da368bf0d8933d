// The conversation engine of one tenant: the lifecycle bot -> queued -> assigned -> closed,
// gapless per-conversation seq, durable-before-ack, idempotent resend, fan-out in
// seq order, replay on resume, typing, read receipts, agent presence and capacity.
//
// Threading: all state lives on one strand. Public methods may be called from any
// thread; they post to the strand and return at once. Storage answers come back on
// the strand (the Store's contract), so no state is ever shared between threads and
// there is no lock on the message path. One tenant's engine is one serial stream
// of small steps; the expensive work (sockets, WebSocket framing, JSON parsing,
// SQLite) happens on the I/O threads and the storage plugin's threads.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bus/event_bus.hpp"
#include "common/clock.hpp"
#include "engine/answer.hpp"
#include "engine/bot_port.hpp"
#include "engine/bounded_fifo_map.hpp"
#include "engine/conversation.hpp"
#include "engine/frames.hpp"
#include "engine/message_rate.hpp"
#include "engine/offer_book.hpp"
#include "engine/ports.hpp"
#include "engine/queue_pace.hpp"
#include "engine/stoppable_store.hpp"
#include "engine/wait_queue.hpp"
#include "groups/group.hpp"
#include "metrics/metrics.hpp"
#include "routing_graph/evaluate.hpp"
#include "routing_graph/graph.hpp"

namespace sb::engine {

struct MessageCommand {
  std::string conversation_id;  // agents name it; visitors use their open conversation
  std::string client_msg_id;
  std::string text;  // may be empty when attachments are given
  // Ids of files the sender uploaded (POST .../attachments), at most 10.
  std::vector<std::string> attachments;
  std::string attachments_json;  // set once they are checked (attachments.cpp)
  bool is_private = false;       // an agent's note: stored, shown to agents, never to the visitor
  std::string ref;
  int64_t received_us = 0;  // monotonic, when the frame was read
};

// What happens when agents leave or do not answer (the tenant's [conversation]).
struct EnginePolicy {
  std::chrono::seconds agent_offline_grace{60};
  bool requeue_when_agent_offline = true;
  std::chrono::seconds reroute_unanswered{0};  // 0 = never
  bool bot_first = false;  // a new conversation goes to the bot (when there is one) first
  // A visitor writing again within this time after a close reopens the conversation
  // (same id, seq continues); 0 = always a new one.
  std::chrono::seconds reopen_window{0};
  // [retention] closed_conversations_days: a conversation closed this long ago is
  // deleted (0 = kept for ever). The reopen window never reaches past it: what is
  // due for deletion is not reopened (a new conversation opens instead).
  std::chrono::milliseconds keep_closed{0};
  // A transfer to a group that routes manually stays offered this long; then the
  // offer is withdrawn and the agent keeps the conversation.
  std::chrono::seconds transfer_offer{120};
  // A message whose write failed three times in a row is held at its seq and
  // tried again after this pause, doubling to 2 s (so a write follows storage's
  // return within 2 s), 30 times (about a minute) before it is given up.
  std::chrono::milliseconds storage_retry_pause{250};
  // The tenant's [limits].max_message_bytes, which every frame of a client must fit:
  // told to agents in their welcome, so the console can check before it sends.
  uint32_t max_message_bytes = 65536;
  // A visitor whose every connection closed while they waited in the queue keeps
  // their place this long (a reload, a network blip); then the conversation leaves
  // the queue, closed as abandoned, and those behind move up. 0 = at once.
  std::chrono::milliseconds visitor_offline_grace{60000};
};

// POST /v1/tenants/ID/routing/dry-run: a visitor that does not exist, to see which
// rule would fire for them and who would get them now.
struct DryRunInput {
  std::string page;
  std::string language;
  std::string attributes_json = "{}";
  std::string message;
  std::string intent;
  uint32_t waited_s = 0;
  bool after_bot = false;  // as if a bot had just handed the conversation over
};

// The key of a rule's strategy chain: its plugin names joined by ','.
std::string chain_key(const std::vector<std::string>& plugins);

class TenantEngine : public std::enable_shared_from_this<TenantEngine> {
 public:
  TenantEngine(std::string tenant_id, boost::asio::any_io_executor strand,
               std::shared_ptr<Store> store, std::shared_ptr<metrics::TenantMetrics> metrics);
  ~TenantEngine();

  const std::string& tenant_id() const { return tenant_id_; }
  boost::asio::any_io_executor executor() const { return strand_; }

  // Reads open conversations back from storage; then the engine takes commands.
  // ready(ok, error) runs on the strand.
  void start(std::function<void(bool, std::string)> ready);
  bool is_ready() const { return ready_.load(std::memory_order_acquire); }

  // For a graceful stop: done(ok) once every state change made so far is stored.
  // (Storage applies writes in order, so one more write completing is the barrier.)
  void flush(std::function<void(bool)> done);

  // The tenant is no longer served by this engine (its file went, it was handed
  // over or its lease lost). Runs on the strand after what is queued there; from
  // then on no timer of the engine fires (they are cancelled), no command or
  // storage answer is handled, nothing reaches storage, the plugins (routing, the
  // bot) or the bus, and its bot is stopped. A question someone waits on (REST) is
  // answered `unavailable`; a storage answer to a call made before is dropped.
  // done runs on the strand once stopped. Stopping again only calls done.
  void stop(std::function<void()> done = {});

  // Configuration, applied on the strand (start-up and every tenant reload).
  void set_agents(std::vector<AgentState> agents);
  void set_routing_chain(std::vector<RouterPtr> chain);
  void set_policy(EnginePolicy policy);
  // The tenant's auto-reply pipeline; nullptr when the tenant has no bot.
  void set_bot(BotPipelinePtr bot);
  // The tenant's [groups.NAME]: their hours and queue limits.
  void set_groups(groups::GroupMap groups);
  // Queued visitors' estimated waits drift while a queue stands still: every
  // `refresh` (15 s unless set; 0 = never) those whose estimate moved are told.
  // `clock` is the monotonic clock (ms) estimates are measured with; tests fake it.
  void set_queue_estimates(std::chrono::milliseconds refresh, std::function<int64_t()> clock);
  // The tenant's routing graph and the chains its rules route with (by chain_key;
  // one Router per plugin instance, shared with the default chain).
  void set_routing_graph(std::shared_ptr<const routing_graph::Graph> graph,
                         std::map<std::string, std::vector<RouterPtr>> rule_chains);
  // Runs fn on the strand with the tenant's bus (to add subscribers, e.g. plugins).
  void with_bus(std::function<void(bus::EventBus&)> fn);

  // Commands from connections.
  void visitor_hello(PeerPtr peer, Identity who, std::string visitor_token,
                     std::map<std::string, uint64_t> last_seq, VisitorMeta meta = {});
  void agent_connect(PeerPtr peer, Identity who);
  void replay(PeerPtr peer, Identity who, std::map<std::string, uint64_t> last_seq);
  void disconnect(PeerPtr peer, Identity who);
  void post_message(PeerPtr peer, Identity who, MessageCommand command);
  void set_status(PeerPtr peer, Identity who, AgentStatus status);
  void typing(PeerPtr peer, Identity who, std::string conversation_id, bool on);
  void mark_read(PeerPtr peer, Identity who, std::string conversation_id, uint64_t seq,
                 std::string ref);
  void close_conversation(PeerPtr peer, Identity who, std::string conversation_id, std::string ref);
  void accept_conversation(PeerPtr peer, Identity who, std::string conversation_id,
                           std::string ref);
  // To an agent, or to a group (its member the routing chain picks, or the first of
  // them to accept when the chain offers); either way the conversation changes hands
  // in one step, and stays put when nobody can take it. note: for the agent who
  // takes it ("" = none; the hub bounds it, kMaxTransferNoteBytes).
  void transfer_conversation(PeerPtr peer, Identity who, std::string conversation_id,
                             std::string to_agent, std::string to_group, std::string ref,
                             std::string note = {});

  // Presence and load of every agent, for the admin API. done runs on the strand.
  struct AgentPresence {
    AgentStatus status = AgentStatus::offline;
    uint32_t open_conversations = 0;
  };
  void agent_presence(std::function<void(std::map<std::string, AgentPresence>)> done);

  // The admin dashboard's live numbers (engine state; what needs history the API
  // reads from stored records). done runs on the strand.
  struct LiveStats {
    struct Agent {
      std::string id;
      std::string name;
      AgentStatus status = AgentStatus::offline;
      uint32_t open_conversations = 0;
      uint32_t capacity = 0;
    };
    struct Queue {
      std::string group;  // "" = the tenant's default queue
      uint32_t length = 0;
      int64_t oldest_joined_ms = 0;  // wall clock; 0 when nobody waits
    };
    std::vector<Agent> agents;                        // by id
    uint32_t with_bot = 0, queued = 0, assigned = 0;  // open conversations by status
    std::vector<Queue> queues;  // every configured group, then any other waited for
    std::vector<MessageRate::Minute> messages_per_minute;  // oldest first
  };
  void live_stats(size_t minutes, std::function<void(LiveStats)> done);
  // Stored conversation records matching a storage filter, as they are once every
  // record write issued so far has been applied (the dashboard's history). done
  // runs on the strand with the storage's answer.
  void stored_records(std::string filter_json, StoreCallback done);

  // REST: conversations matching a storage filter (see sb_storage_api), as an
  // agent may see them: admins everything, agents their own and the queue.
  void list_conversations(Identity requester, std::string filter_json,
                          std::function<void(Answer)> done);

  // Tags: `set` replaces them all, else `add` then `remove`. Any agent of the tenant
  // may tag any conversation, open or closed (as any agent may read its history).
  struct TagChange {
    std::optional<std::vector<std::string>> set;
    std::vector<std::string> add;
    std::vector<std::string> remove;
  };
  // Over the WebSocket: the sender and the conversation's agent get conversation.tags.
  void tag_conversation(PeerPtr peer, Identity who, std::string conversation_id, TagChange change,
                        std::string ref);
  // Over REST: 200 {"conversation_id","tags"}. done runs on the strand.
  void tag_conversation(Identity who, std::string conversation_id, TagChange change,
                        std::function<void(Answer)> done);
  // REST: the routing graph's answer for a made-up visitor, and the agent the
  // chain would pick now (nothing is assigned). done runs on the strand.
  void dry_run(DryRunInput input, std::function<void(Answer)> done);

  // CSAT: the visitor rates their own conversation once it is closed (within
  // kRatingWindow of the close); a second rating replaces the first. Stored with the
  // conversation's record; the visitor gets `rated`, the agent who had it
  // `conversation.rated`, the bus conversation.rated.
  static constexpr std::chrono::hours kRatingWindow{24 * 7};
  // A visitor who left the queue and comes back within this time (says hello again)
  // has their conversation back, waiting again (reopen.cpp).
  static constexpr std::chrono::minutes kComeBackWindow{30};
  static constexpr size_t kMaxRatingCommentBytes = 1000;
  void rate_conversation(PeerPtr peer, Identity who, std::string conversation_id, int score,
                         std::string comment, std::string ref);

  // privacy.cpp: before a visitor's stored data is erased. done(open) runs on the
  // strand with the visitor's conversations still open (or closing); when there is
  // none, the engine has also forgotten what it remembered of their closed ones (so
  // a visitor writing again starts afresh instead of reopening an erased one).
  void forget_visitor(std::string visitor_id, std::function<void(std::vector<std::string>)> done);
  // privacy.cpp: before retention deletes a closed conversation (of visitor_id).
  // done(true) runs on the strand once the engine no longer remembers it for a
  // reopen, a come-back or a rating, so none of those brings back a conversation
  // whose record is gone; done(false) while the engine holds it (reopened, or its
  // close still being written): it must stay. A stopped engine answers false.
  void forget_closed(std::string conversation_id, std::string visitor_id,
                     std::function<void(bool)> done);

  // REST: a page of history. done runs on the strand.
  void history(Identity requester, std::string conversation_id, uint64_t before_seq, uint32_t limit,
               std::function<void(Answer)> done);

 private:
  // lifecycle.cpp
  void halt();  // stop(), on the strand
  void load_open_conversations(std::function<void(bool, std::string)> ready);
  void apply_agents(std::vector<AgentState> agents);
  // meta_changed: this hello describes the visitor differently (page, email, ...).
  void on_visitor_hello(const PeerPtr& peer, const Identity& who, const std::string& token,
                        const std::map<std::string, uint64_t>& last_seq, bool meta_changed);
  void on_agent_connect(const PeerPtr& peer, const Identity& who);
  void on_disconnect(const PeerPtr& peer, const Identity& who);
  void on_set_status(const PeerPtr& peer, const Identity& who, AgentStatus status);
  void publish(const char* type, const std::string& conversation_id, std::string payload_json);

  // messages.cpp
  // who and command are the caller's own copies: an accepted message takes their
  // strings (the sender's id, the text) rather than copying them.
  void on_message(const PeerPtr& peer, Identity& who, MessageCommand& command);
  Conversation* conversation_for_message(const PeerPtr& peer, const Identity& who,
                                         const MessageCommand& command);
  void accept_message(Conversation& c, const PeerPtr& peer, Identity& who, MessageCommand command);
  // Stores c's pending message seq; its answer comes to on_message_stored.
  void write_message(Conversation& c, uint64_t seq);
  // Puts a message into c.pending, in a map node an earlier message left
  // (spare_pending_) when there is one; drop_pending takes one out and keeps its
  // node. A message then allocates no node of its own.
  void add_pending(Conversation& c, uint64_t seq, PendingMessage&& pending);
  void drop_pending(Conversation& c, Conversation::PendingMap::iterator it);
  // attachments.cpp: a message's files must exist, be the sender's own and not be
  // sent in another conversation; done(json, "") with the stored summaries
  // ([{"id","name","content_type","size","thumbnail"}...]), or ("", why) and the
  // error code. Binds them to the conversation (written before the message, in
  // storage order). done runs on the strand.
  using AttachmentsChecked =
      std::function<void(std::string attachments_json, metrics::ErrorCode code, std::string why)>;
  void check_attachments(const Conversation& c, const Identity& who,
                         const std::vector<std::string>& ids, AttachmentsChecked done);
  void accept_with_attachments(Conversation& c, const PeerPtr& peer, const Identity& who,
                               MessageCommand command);
  void on_message_stored(Conversation& c, uint64_t seq, StoreResult result);
  // Takes a pending message's entry out of c.acks (it failed, or no resend can name it).
  void forget_pending_ack(Conversation& c, PendingMessage& pending);
  void deliver_ready(Conversation& c);
  // Puts a durable entry of c.acks (its key, as stored in the map) at the back of
  // the eviction order and forgets the oldest beyond the bound.
  void remember_ack(Conversation& c, const std::string& stored_key);
  void make_warm(Conversation& c);
  void on_typing(const PeerPtr& peer, const Identity& who, const std::string& conversation_id,
                 bool on);
  void on_read(const PeerPtr& peer, const Identity& who, const std::string& conversation_id,
               uint64_t seq, const std::string& ref);
  // A connection that (re)joins hears how far the other side has read: a reloaded
  // widget or console starts with no read marks, and one sent while it was away is lost.
  // The marks are stored (set_read) and come back with a conversation loaded from
  // storage (restore_read_marks), so a restart does not lose them either.
  void send_read_mark(const Conversation& c, const PeerPtr& peer, Role to) const;
  // Tells the other side of c that reader (of reader_role) has read up to seq.
  void announce_read(Conversation& c, const std::string& reader, Role reader_role, uint64_t seq);
  // Reads the stored marks of ids[from..] back into their conversations, a slice
  // (Store::kMaxReadsPerLoad) at a time, raising a mark only (a newer one in memory
  // stays); a mark that rises is announced to whoever is connected. then runs once
  // every slice answered, or after the first that failed: a conversation without
  // its marks is no reason to refuse a start.
  void restore_read_marks(std::vector<std::string> ids, size_t from, std::function<void()> then);
  // One load_reads answer; false when it is malformed.
  bool apply_read_marks(const std::string& body);

  // delivery.cpp
  void send_to_visitor(Conversation& c, const frames::Frame& frame, uint64_t except_peer = 0);
  void send_to_assignee(Conversation& c, const frames::Frame& frame, uint64_t except_peer = 0);
  void send_to_participant(Conversation& c, const PeerPtr& peer, const frames::Frame& frame);
  void fan_out(Conversation& c, const frames::Frame& frame, uint64_t except_peer);
  // Sends stored messages after_seq < seq <= delivered_seq to peer, holding back
  // live frames meanwhile. as_assignment wraps them in conversation.assigned.
  // Sends peer what it missed after after_seq, up to delivered_seq (or upto_at_most).
  void catch_up(Conversation& c, const PeerPtr& peer, Role role, uint64_t after_seq,
                bool as_assignment, uint64_t upto_at_most = UINT64_MAX);
  void send_error(const PeerPtr& peer, metrics::ErrorCode code, std::string_view message,
                  std::string_view ref = {});

  // assignment.cpp
  // Agents who may take a conversation now, in id order; only a group's members
  // when group is set.
  std::vector<Candidate> candidates(const std::string& group = {}) const;
  void route(const std::string& conversation_id, size_t chain_index);
  // transferred: set by hand_over, so the receiving agent learns who passed it on.
  void assign(Conversation& c, AgentState& agent,
              std::optional<Conversation::TransferredBy> transferred = std::nullopt);
  void enqueue(Conversation& c);
  void drain_queue();
  void release_from_agent(Conversation& c);
  void on_close(const PeerPtr& peer, const Identity& who, const std::string& conversation_id,
                const std::string& ref);
  void on_accept(const PeerPtr& peer, const Identity& who, const std::string& conversation_id,
                 const std::string& ref);
  // Who asked for a transfer (its agent, or an admin) and the note they left for
  // the agent who takes it ("" = none).
  struct TransferAsk {
    std::string requester;
    std::string note;
  };
  void on_transfer(const PeerPtr& peer, const Identity& who, const std::string& conversation_id,
                   const std::string& to_agent, const std::string& to_group, const std::string& ref,
                   const std::string& note);
  void transfer_to_group(const PeerPtr& peer, const TransferAsk& ask, Conversation& c,
                         const std::string& group, const std::string& ref, size_t chain_index);
  AgentState* transfer_target(const Conversation& c, const std::string& group,
                              const std::string& agent_id);
  void hand_over(Conversation& c, AgentState& target, const TransferAsk& ask);
  // Agent agent_id's connection peer_id while it is open, else null: a late answer
  // goes to the tab that asked, or to nobody.
  PeerPtr connection_of(const std::string& agent_id, uint64_t peer_id);
  void close(Conversation& c, const std::string& by);
  void persist_conversation(const Conversation& c);
  void after_records_stored(std::function<void()> fn);
  // queues.cpp: positions and estimated waits per group, the groups' queue limits.
  enum class QueueLimit : uint8_t { max_queue_length, max_wait_s };
  const groups::Group* group_of(const Conversation& c) const;
  uint32_t queue_position(const Conversation& c) const;  // in its group's queue; 0 = not queued
  frames::Frame queued_frame(const Conversation& c) const;
  bool anyone_online_for(const std::string& group) const;
  uint32_t queue_eta(const std::string& group, uint32_t position, int64_t now) const;
  void leave_queue(Conversation& c, bool served);
  void queue_changed(const Conversation& c);
  void announce_queue_changes();
  void notify_queue_positions();
  void refresh_estimates_later();
  bool beyond_queue_limit(const Conversation& c) const;
  void watch_queue_limits(const Conversation& c);
  void watch_wait(const Conversation& c);
  void on_wait_deadline(const std::string& conversation_id, int64_t queue_order);
  void reach_queue_limit(Conversation& c, QueueLimit limit);
  void tell_queue_limit(Conversation& c, const std::string& message, bool closing);
  void finish_queue_limit(const std::string& conversation_id);
  void rewatch_waits();
  void regrouped(Conversation& c);
  // offers.cpp: manual routing, the first accept wins.
  // A transfer to a group is offered the same way while its agent keeps it.
  void offer(Conversation& c);
  void offer_transfer(Conversation& c, const std::string& group, const TransferAsk& ask,
                      const PeerPtr& peer, const std::string& ref);
  std::set<std::string> offer_targets(const Conversation& c) const;
  void update_offer(Conversation& c);
  void withdraw_offer(Conversation& c, std::string_view reason);
  void refresh_offers();
  void send_offers_to(const AgentState& agent, const PeerPtr& peer);
  frames::Frame offered_frame(const Conversation& c);
  void on_transfer_offer_expired(const std::string& conversation_id, uint64_t generation);
  // presence.cpp: grace period, requeue, reroute of unanswered conversations.
  void after(std::chrono::milliseconds delay, std::function<void()> fn);
  void start_grace(std::chrono::milliseconds grace, uint64_t& generation,
                   std::function<void(uint64_t)> over);
  void start_offline_grace(AgentState& agent);
  void start_visitor_grace(Conversation& c);
  void on_visitor_grace_over(const std::string& conversation_id, uint64_t generation);
  void on_offline_grace_over(const std::string& agent_id, uint64_t generation);
  void start_answer_deadline(Conversation& c);
  void on_answer_deadline(const std::string& conversation_id, uint64_t generation);
  void requeue(Conversation& c, const char* reason);
  void forget_if_done(const std::string& conversation_id);

  // bot.cpp
  // The bot owns the conversation from now on: the visitor's stored messages it has
  // not answered, then each new one, go to the pipeline one at a time in seq order.
  // flow_node (may be empty) is where a dialog flow should start. Without a bot, or
  // once the bot has handed this conversation off, it is routed instead.
  void start_bot(Conversation& c, const std::string& flow_node);
  void bot_saw(Conversation& c, const StoredMessage& m);
  void bot_catch_up(Conversation& c);
  void pump_bot(const std::string& conversation_id);
  void on_bot_outcome(const std::string& conversation_id, uint64_t generation, BotOutcome outcome);
  void post_bot_message(Conversation& c, BotReply reply);
  void note_unanswered(Conversation& c, const BotOutcome& outcome);
  void bot_lets_go(Conversation& c, BotSession::Exit exit);
  void bot_hands_off(Conversation& c, const std::string& reason);
  void bot_after_delivery(Conversation& c);

  // reopen.cpp
  void remember_closed(const Conversation& c);
  Conversation* reopen(const std::string& visitor_id, VisitorState& visitor);
  Conversation* come_back(const std::string& visitor_id, VisitorState& visitor);
  Conversation& bring_back(const std::string& visitor_id, VisitorState& visitor,
                           ClosedConversation closed);
  void load_recently_closed(std::function<void()> then);

  // tags.cpp
  struct TagOutcome {
    std::optional<metrics::ErrorCode> error;  // nullopt: done
    std::string message;
    std::vector<std::string> tags;  // the conversation's tags after the change
  };
  using TagResult = std::function<void(TagOutcome)>;
  void change_tags(const std::string& conversation_id, TagChange change, TagResult done);
  void announce_tags(const std::string& conversation_id, const std::vector<std::string>& tags,
                     const std::string& by, const PeerPtr& requester);
  void change_stored_tags(const std::string& conversation_id, TagChange change, TagResult done);
  void read_and_tag(const std::string& conversation_id, TagChange change, TagResult done);
  // Edits of a closed conversation's stored record (tags, a rating): each reads the
  // record and writes it back, so they go one at a time per conversation. An edit
  // calls `next` once its write has answered.
  using RecordEdit = std::function<void(std::function<void()> next)>;
  void edit_stored_record(const std::string& conversation_id, RecordEdit edit);
  void next_stored_edit(const std::string& conversation_id);
  // csat.cpp
  void on_rate(const PeerPtr& peer, const Identity& who, const std::string& conversation_id,
               const Csat& csat, const std::string& ref);
  void rated(const std::string& conversation_id, const std::string& agent_id,
             const std::string& visitor_id, const Csat& csat, const PeerPtr& peer,
             const std::string& ref);
  // decision.cpp: what the routing graph decides for a new conversation, done.
  void decide(Conversation& c);
  void default_routing(Conversation& c);
  const std::vector<RouterPtr>& chain_of(const Conversation& c) const;
  bool group_available(const std::string& group) const;
  routing_graph::Context decision_context(const Conversation& c) const;
  void post_system_message(Conversation& c, const std::string& text);
  void carry_out(Conversation& c, const std::vector<routing_graph::Action>& actions);
  void publish_decision(const Conversation& c, const routing_graph::Decision& decision,
                        bool while_waiting);
  // waiting_rules.cpp: rules with a `waited` condition, checked again while it waits.
  void watch_rules(Conversation& c, bool catch_up);
  void on_rule_deadline(const std::string& conversation_id, uint64_t watch);
  void decide_again(Conversation& c);
  void rewatch_rules();
  // sb_route_request's attributes_json: the hello meta's attributes, "page" and
  // "lang" when known, what a bot learned, and "last_agent_id" when the visitor was
  // served before.
  std::string routing_attributes(const Conversation& c) const;
  // A dry run of chain: the agent it would choose now (nobody when it defers, offers
  // or answers later; note says why).
  AgentState* choose_now(const std::string& group, const std::vector<RouterPtr>& chain,
                         std::string attributes_json, std::string& note);

  // history.cpp
  void answer_history(const Identity& requester, const std::string& conversation_id,
                      const std::string& visitor_id, uint64_t before_seq, uint32_t limit,
                      std::function<void(Answer)> done);

  Conversation* find_conversation(const std::string& id);
  const VisitorState* visitor_of(const Conversation& c) const;
  AgentState* find_agent(const std::string& id);
  bool is_participant(const Conversation& c, const Identity& who) const;

  // fn on the strand, unless the engine has stopped by then.
  template <class Fn>
  void on_strand(Fn&& fn);
  // The same for a question someone waits on: a stopped engine runs `stopped`
  // instead (see refusal() in internal.hpp), so they hear it rather than wait.
  template <class Stopped, class Fn>
  void on_strand_or(Stopped&& stopped, Fn&& fn);

  const std::string tenant_id_;
  boost::asio::any_io_executor strand_;
  // The engine's storage: closed by stop() (engine/stoppable_store.hpp).
  std::shared_ptr<StoppableStore> store_;
  // Set on the strand by stop(), read there only.
  bool stopped_ = false;
  // The storage said it gives no read marks back (older than ABI 1.10): said once.
  bool told_no_read_marks_ = false;
  // What after() has armed and not yet run, for stop() to cancel (presence.cpp).
  struct Timers;
  std::unique_ptr<Timers> timers_;
  std::shared_ptr<metrics::TenantMetrics> metrics_;
  std::atomic<bool> ready_{false};

  bus::EventBus bus_;
  EnginePolicy policy_;
  groups::GroupMap groups_;
  std::shared_ptr<const routing_graph::Graph> routing_graph_;
  std::map<std::string, std::vector<RouterPtr>> rule_chains_;  // by chain_key
  // The distinct `seconds` of the graph's `waited` conditions, ascending: when a
  // queued conversation is decided again.
  std::vector<uint32_t> waited_thresholds_;
  std::vector<RouterPtr> routing_chain_;
  BotPipelinePtr bot_;
  std::unordered_map<std::string, Conversation> conversations_;  // open ones (and closing)
  // Nodes of Conversation::pending whose messages went out (drop_pending), for the
  // next ones (add_pending); at most this many.
  static constexpr size_t kSparePendingNodes = 16;
  std::vector<Conversation::PendingMap::node_type> spare_pending_;
  VisitorMap visitors_;
  std::map<std::string, AgentState> agents_;  // ordered by id: candidates' stable order
  WaitQueue queue_;                           // queued conversations, oldest first
  OfferBook offers_;                          // manual routing: who sees which offer
  QueuePace pace_;                            // how fast each group's queue moved lately
  // Conversations that joined or left the queue in this step, told to the agents
  // once it is over (queue_changed); a closed one may be out of memory by then.
  struct QueueChange {
    std::string id;
    int64_t abandoned_ms = 0;
  };
  std::vector<QueueChange> queue_changes_;
  MessageRate message_rate_;  // messages stored per minute, for the dashboard
  // What pace_ is measured with, and how often estimates are looked at again while
  // they drift (set_queue_estimates); the one refresh timer is pending while armed.
  std::function<int64_t()> queue_clock_ = monotonic_ms;
  std::chrono::milliseconds estimate_refresh_{15000};
  bool estimate_refresh_armed_ = false;
  // Conversation record writes issued and answered, and reads waiting for them.
  uint64_t record_writes_issued_ = 0;
  uint64_t record_writes_done_ = 0;
  std::multimap<uint64_t, std::function<void()>>
      after_record_writes_;  // the newest Conversation::queue_order given
  // Edits of closed conversations' stored records, per conversation, oldest first:
  // each reads the record and writes it back, so two at once would lose one.
  std::map<std::string, std::deque<RecordEdit>> stored_edits_;
  // Who last served each visitor, for sticky routing: enough for every visitor of
  // a busy day; older ones are routed as new visitors.
  static constexpr size_t kRememberedLastAgents = 100000;
  BoundedFifoMap<std::string, std::string> last_agent_by_visitor_{kRememberedLastAgents};
  // Visitor id -> their conversation closed last, while it may be reopened: every
  // visitor whose chat closed within a busy day's window; beyond it the oldest are
  // forgotten first (they open a new conversation).
  static constexpr size_t kRememberedClosed = 100000;
  BoundedFifoMap<std::string, ClosedConversation> recently_closed_{kRememberedClosed};
};

}  // namespace sb::engine
