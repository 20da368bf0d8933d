// Start-up, configuration, connections and presence.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <tuple>

#include "common/clock.hpp"
#include "common/session_end.hpp"
#include "engine/frames.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

namespace json = boost::json;

TenantEngine::TenantEngine(std::string tenant_id, boost::asio::any_io_executor strand,
                           std::shared_ptr<Store> store,
                           std::shared_ptr<metrics::TenantMetrics> metrics)
    : tenant_id_(std::move(tenant_id)),
      strand_(std::move(strand)),
      store_(std::make_shared<StoppableStore>(std::move(store))),
      timers_(std::make_unique<Timers>()),
      metrics_(std::move(metrics)) {}

TenantEngine::~TenantEngine() = default;

void TenantEngine::start(std::function<void(bool, std::string)> ready) {
  auto stopped = refusal(ready);
  on_strand_or(std::move(stopped), [this, ready = std::move(ready)]() mutable {
    load_open_conversations(std::move(ready));
  });
}

void TenantEngine::stop(std::function<void()> done) {
  // Not on_strand: it runs on a stopped engine too (done is called either way).
  boost::asio::post(strand_, [self = shared_from_this(), done = std::move(done)] {
    if (!self->stopped_) self->halt();
    if (done) done();
  });
}

// On the strand, after every step queued before stop(): whatever is queued after
// it, and every answer that comes back from now on, finds the engine stopped.
void TenantEngine::halt() {
  stopped_ = true;
  store_->stop();
  // Their handlers run cancelled, and release the engine (they hold it).
  for (boost::asio::steady_timer* timer : std::exchange(timers_->armed, {})) timer->cancel();
  // A bot turn under way asks no further stage; the plugins go with the engine.
  if (bot_) bot_->stop();
  bot_.reset();
  // The record writes they wait for are never answered now: the questions among
  // them (REST conversation lists) are answered `unavailable` as they go
  // (refused_if_dropped, internal.hpp).
  after_record_writes_.clear();
  routing_chain_.clear();
  rule_chains_.clear();
  bus_ = bus::EventBus{};
  spdlog::info("tenant {}: engine stopped ({} conversations open in memory)", tenant_id_,
               conversations_.size());
}

void TenantEngine::set_agents(std::vector<AgentState> agents) {
  on_strand([this, agents = std::move(agents)]() mutable { apply_agents(std::move(agents)); });
}

void TenantEngine::flush(std::function<void(bool)> done) {
  auto stopped = refusal(done);
  on_strand_or(std::move(stopped), [this, done = std::move(done)] {
    const std::string stamp = R"({"stopped_at":)" + std::to_string(wall_clock_ms()) + "}";
    store_->kv_put("server", "last_stop", stamp, [done](StoreResult r) { done(r.ok()); });
  });
}

void TenantEngine::set_policy(EnginePolicy policy) {
  on_strand([this, policy] { policy_ = policy; });
}

void TenantEngine::set_routing_chain(std::vector<RouterPtr> chain) {
  on_strand([this, chain = std::move(chain)]() mutable {
    routing_chain_ = std::move(chain);
    if (ready_.load()) drain_queue();
  });
}

void TenantEngine::set_groups(groups::GroupMap groups) {
  on_strand([this, groups = std::move(groups)]() mutable {
    groups_ = std::move(groups);
    if (ready_.load()) rewatch_waits();  // max_wait_s may have changed
  });
}

void TenantEngine::with_bus(std::function<void(bus::EventBus&)> fn) {
  on_strand([this, fn = std::move(fn)] { fn(bus_); });
}

void TenantEngine::visitor_hello(PeerPtr peer, Identity who, std::string visitor_token,
                                 std::map<std::string, uint64_t> last_seq, VisitorMeta meta) {
  on_strand([this, peer = std::move(peer), who = std::move(who), token = std::move(visitor_token),
             last_seq = std::move(last_seq), meta = std::move(meta)]() mutable {
    // The latest hello says where the visitor is now (page, language, attributes);
    // an email once given stays until another is.
    VisitorState& visitor = visitors_[who.id];
    if (meta.email.empty()) meta.email = visitor.meta().email;
    const bool changed = !(meta == visitor.meta());
    visitor.set_meta(std::move(meta));
    on_visitor_hello(peer, who, token, last_seq, changed);
  });
}

void TenantEngine::agent_connect(PeerPtr peer, Identity who) {
  on_strand([this, peer = std::move(peer), who = std::move(who)] { on_agent_connect(peer, who); });
}

void TenantEngine::replay(PeerPtr peer, Identity who, std::map<std::string, uint64_t> last_seq) {
  on_strand([this, peer = std::move(peer), who = std::move(who), last_seq = std::move(last_seq)] {
    for (const auto& [conversation_id, seq] : last_seq) {
      Conversation* c = find_conversation(conversation_id);
      if (!c || !is_participant(*c, who)) continue;
      uint64_t upto = UINT64_MAX;
      if (auto joined = c->joined_at_seq.find(peer->peer_id()); joined != c->joined_at_seq.end()) {
        upto = joined->second;
        c->joined_at_seq.erase(joined);
      }
      catch_up(*c, peer, who.role, seq, false, upto);
    }
  });
}

void TenantEngine::agent_presence(std::function<void(std::map<std::string, AgentPresence>)> done) {
  auto stopped = refusal(done);
  on_strand_or(std::move(stopped), [this, done = std::move(done)] {
    std::map<std::string, AgentPresence> out;
    for (const auto& [id, a] : agents_) out[id] = AgentPresence{a.status, a.load()};
    done(std::move(out));
  });
}

void TenantEngine::disconnect(PeerPtr peer, Identity who) {
  on_strand([this, peer = std::move(peer), who = std::move(who)] { on_disconnect(peer, who); });
}

void TenantEngine::set_status(PeerPtr peer, Identity who, AgentStatus status) {
  on_strand([this, peer = std::move(peer), who = std::move(who), status] {
    on_set_status(peer, who, status);
  });
}

// Reads back what was open when the server stopped: conversations keep their seq,
// assignee and place in the queue across restarts.
void TenantEngine::load_open_conversations(std::function<void(bool, std::string)> ready) {
  store_->list_conversations(
      R"({"status":["bot","queued","assigned"],"limit":1000000})",
      [this, self = shared_from_this(), ready = std::move(ready)](StoreResult result) {
        if (!result.ok()) {
          ready(false, "storage: cannot list open conversations: " + result.error);
          return;
        }
        const auto list = records::parse_conversation_list(result.body);
        if (!list) {
          ready(false, "storage: list_conversations returned malformed JSON");
          return;
        }
        std::vector<Conversation*> queued;
        std::vector<Conversation*> orphaned;  // their agent is gone
        std::vector<std::string> with_bot;
        std::vector<std::string> undecided;          // stopped before the routing graph's decision
        std::vector<std::string> unfinished_limits;  // a stop came between limit and outcome
        std::vector<std::string> loaded_ids;         // their read marks are read back below
        for (const records::ConversationRecord& record : *list) {
          Conversation c = conversation_of(record);
          loaded_ids.push_back(c.id);
          queue_.note_order(c.queue_order);
          c.warm = false;  // recent acks are read back on first use
          auto& visitor = visitors_[c.visitor_id];
          if (visitor.name.empty()) visitor.name = c.visitor_name;
          if (record.visitor_meta && is_empty(visitor.meta()))
            visitor.set_meta(parse_meta_record(*record.visitor_meta));
          visitor.open_conversation = c.id;
          auto [it, inserted] = conversations_.emplace(c.id, std::move(c));
          if (it->second.status == ConversationStatus::assigned) {
            if (AgentState* agent = find_agent(it->second.assignee); agent) {
              agent->open_conversations.push_back(it->first);
              last_agent_by_visitor_.insert_or_assign(it->second.visitor_id, agent->id);
            } else {
              // Its agent is gone from the tenant's config: it waits for another.
              it->second.assignee.clear();
              orphaned.push_back(&it->second);
            }
          }
          const Conversation& loaded = it->second;
          if (loaded.status == ConversationStatus::queued &&
              (loaded.over_queue_limit || loaded.queue_limit_seq || loaded.close_after_seq))
            unfinished_limits.push_back(loaded.id);
          if (loaded.route_when_stored) {
            // Never in line: decided below once its first message is stored.
            undecided.push_back(loaded.id);
          } else if (loaded.status == ConversationStatus::queued && !loaded.close_after_seq) {
            queued.push_back(&it->second);  // (one closing at its queue limit is out of it)
          }
          if (it->second.status == ConversationStatus::bot) with_bot.push_back(it->first);
        }
        // In line as they were (records from before queue_order have 0: creation order).
        std::sort(queued.begin(), queued.end(), [](const Conversation* a, const Conversation* b) {
          return std::tie(a->queue_order, a->created_ms, a->id) <
                 std::tie(b->queue_order, b->created_ms, b->id);
        });
        for (Conversation* c : queued) {
          queue_.restore(c->id, c->queue_order);
          metrics_->conversations_queued.fetch_add(1, std::memory_order_relaxed);
        }
        for (Conversation* c : queued) {
          watch_wait(*c);  // the wait goes on
          watch_rules(*c, true);
        }
        // Requeued like a chat whose agent left: at the back, a new wait.
        std::sort(orphaned.begin(), orphaned.end(),
                  [](const Conversation* a, const Conversation* b) {
                    return std::tie(a->created_ms, a->id) < std::tie(b->created_ms, b->id);
                  });
        for (Conversation* c : orphaned) enqueue(*c);
        for (const auto& id : unfinished_limits) finish_queue_limit(id);
        // Its first message is stored: decide now. Not stored: the visitor's resend of
        // the unacknowledged message stores it, and the decision follows as usual.
        for (const auto& id : undecided) {
          Conversation& c = conversations_.at(id);
          if (c.delivered_seq == 0) continue;
          c.route_when_stored = false;
          decide(c);
        }
        // Nobody is connected yet: each visitor who waited in line when the server
        // stopped has the grace period from now to come back, as if their tab had
        // just closed; one who never does leaves the queue (abandoned).
        std::vector<std::string> waiting;
        for (const Conversation* c : queued) waiting.push_back(c->id);
        for (const auto& id : waiting)
          if (Conversation* c = find_conversation(id)) start_visitor_grace(*c);
        spdlog::info("tenant {}: {} open conversations restored ({} queued, {} with the bot)",
                     tenant_id_, conversations_.size(), queue_.size(), with_bot.size());
        // The bot picks up where it was: messages it had not answered get their turn.
        for (const auto& id : with_bot) bot_catch_up(conversations_.at(id));
        // Their read marks are back before anyone connects (the tenant is served once
        // ready), so a reloaded widget or console hears them in its welcome.
        restore_read_marks(std::move(loaded_ids), 0, [this, ready = std::move(ready)]() mutable {
          load_recently_closed([this, ready = std::move(ready)] {
            ready_.store(true, std::memory_order_release);
            ready(true, {});
          });
        });
      });
}

void TenantEngine::apply_agents(std::vector<AgentState> agents) {
  std::map<std::string, AgentState> next;
  for (auto& incoming : agents) {
    auto old = agents_.find(incoming.id);
    if (old != agents_.end() && old->second.epoch != incoming.epoch) {
      // The password changed: sessions opened with the old one end.
      for (const auto& peer : old->second.peers)
        peer->close(kCloseSessionEnded, kPasswordChanged.close_reason());
      old->second.peers.clear();
      old->second.status = AgentStatus::offline;
    }
    if (old != agents_.end()) {
      // Keep live state: presence, connections, conversations, fairness history.
      incoming.status = old->second.status;
      incoming.peers = std::move(old->second.peers);
      incoming.last_assigned_ms = old->second.last_assigned_ms;
      incoming.online_since_ms = old->second.online_since_ms;
      incoming.kept_status = old->second.kept_status;
      incoming.kept_until_ms = old->second.kept_until_ms;
    }
    incoming.open_conversations.clear();
    next.emplace(incoming.id, std::move(incoming));
  }
  for (auto& [id, old] : agents_) {
    if (next.count(id)) continue;
    for (const auto& peer : old.peers) {
      send_error(peer, metrics::ErrorCode::forbidden, kAgentRemoved.message);
      peer->close(kCloseSessionEnded, kAgentRemoved.close_reason());
    }
  }
  agents_ = std::move(next);
  // Open counts are derived from the conversations, the single source of truth.
  for (auto& [id, c] : conversations_) {
    if (c.status != ConversationStatus::assigned) continue;
    if (AgentState* agent = find_agent(c.assignee)) {
      agent->open_conversations.push_back(id);
    } else {
      c.assignee.clear();
      enqueue(c);
    }
  }
  if (ready_.load()) drain_queue();
}

void TenantEngine::on_visitor_hello(const PeerPtr& peer, const Identity& who,
                                    const std::string& token,
                                    const std::map<std::string, uint64_t>& last_seq,
                                    bool meta_changed) {
  VisitorState& visitor = visitors_[who.id];
  if (!who.name.empty()) visitor.name = who.name;
  visitor.peers.push_back(peer);

  Conversation* open =
      visitor.open_conversation.empty() ? nullptr : find_conversation(visitor.open_conversation);
  // Back after leaving the queue: their conversation is theirs again, waiting anew.
  const bool came_back = !open && (open = come_back(who.id, visitor)) != nullptr;
  if (!open) {
    peer->send(frames::visitor_welcome(who.id, token, nullptr));
    return;
  }
  ++open->visitor_presence;  // back: a grace period running for them ends harmlessly
  // Agents see the visitor as the latest hello describes them (a name given now,
  // an email, the page they are on): kept with the conversation's record.
  if (meta_changed || (!who.name.empty() && who.name != open->visitor_name)) {
    if (!who.name.empty()) open->visitor_name = who.name;
    persist_conversation(*open);
  }
  // A reloaded widget shows where it is: who serves it, or its place in line.
  const uint32_t position = open->status == ConversationStatus::queued ? queue_position(*open) : 0;
  const uint32_t eta_s = position ? queue_eta(open->group, position, queue_clock_()) : 0;
  const json::object conversation = frames::visitor_conversation(
      *open, open->status == ConversationStatus::assigned ? find_agent(open->assignee) : nullptr,
      position, eta_s);
  peer->send(frames::visitor_welcome(who.id, token, &conversation));
  if (position > 0) peer->send(frames::queued(open->id, position, eta_s));
  send_read_mark(*open, peer, Role::visitor);
  if (auto it = last_seq.find(open->id); it != last_seq.end())
    catch_up(*open, peer, Role::visitor, it->second, false);
  if (came_back) route(open->id, 0);  // its place in line (or an agent) comes next
}

void TenantEngine::on_agent_connect(const PeerPtr& peer, const Identity& who) {
  AgentState* agent = find_agent(who.id);
  if (!agent || agent->epoch != who.epoch) {
    const SessionEnd& why = agent ? kPasswordChanged : kAgentRemoved;
    send_error(peer, metrics::ErrorCode::forbidden, why.message);
    peer->close(kCloseSessionEnded, why.close_reason());
    return;
  }
  agent->peers.push_back(peer);
  ++agent->presence_generation;  // back in time: a running grace period ends harmlessly
  const bool came_online = agent->status == AgentStatus::offline;
  if (came_online) {
    // Back within the grace period: as they were (away stays away), else online.
    const bool kept = agent->kept_status && monotonic_ms() < agent->kept_until_ms;
    agent->status = kept ? *agent->kept_status : AgentStatus::online;
    agent->online_since_ms = monotonic_ms();
  }
  agent->kept_status.reset();
  json::array conversations;
  for (const auto& id : agent->open_conversations)
    if (Conversation* c = find_conversation(id)) {
      json::object o = frames::conversation_object(*c, visitor_of(*c));
      // How far this agent has read (any of their tabs, before a reload or a
      // restart): a reloaded console counts what is unread from there.
      const auto mark = c->read_seq.find(agent->id);
      o["read_seq"] = mark == c->read_seq.end() ? 0 : mark->second;
      // Who passed it on, as its conversation.assigned said: a reloaded console
      // still shows "Transferred by …" and the note.
      if (c->transferred) o["transfer"] = records::transfer_json(*c->transferred);
      conversations.push_back(std::move(o));
      c->joined_at_seq[peer->peer_id()] = c->delivered_seq;
    }
  peer->send(frames::agent_welcome(*agent, conversations, policy_.max_message_bytes));
  for (const auto& id : agent->open_conversations)
    if (Conversation* c = find_conversation(id)) send_read_mark(*c, peer, Role::agent);
  if (came_online && agent->status != AgentStatus::offline)
    publish(bus::event::kAgentStatus, {},
            json::serialize(
                json::object{{"agent_id", agent->id}, {"status", to_string(agent->status)}}));
  if (came_online && agent->status == AgentStatus::online) {
    drain_queue();
    notify_queue_positions();  // those still waiting get an estimate again
  } else {
    send_offers_to(*agent, peer);
  }
}

void TenantEngine::on_disconnect(const PeerPtr& peer, const Identity& who) {
  const uint64_t pid = peer->peer_id();
  auto drop = [pid](PeerList& peers) {
    peers.erase(std::remove_if(peers.begin(), peers.end(),
                               [pid](const PeerPtr& p) { return p->peer_id() == pid; }),
                peers.end());
  };
  auto stop_catching_up = [&](const std::string& conversation_id) {
    if (Conversation* c = find_conversation(conversation_id)) {
      c->replaying.erase(pid);
      c->joined_at_seq.erase(pid);
      forget_if_done(conversation_id);
    }
  };
  if (who.role == Role::visitor) {
    auto it = visitors_.find(who.id);
    if (it == visitors_.end()) return;
    drop(it->second.peers);
    if (!it->second.open_conversation.empty()) stop_catching_up(it->second.open_conversation);
    // Gone while waiting in line: their place is kept for the grace period only.
    if (it->second.peers.empty() && !it->second.open_conversation.empty())
      if (Conversation* c = find_conversation(it->second.open_conversation))
        start_visitor_grace(*c);
    if (it->second.peers.empty() && it->second.open_conversation.empty()) visitors_.erase(it);
    return;
  }
  AgentState* agent = find_agent(who.id);
  if (!agent) return;
  drop(agent->peers);
  const auto open = agent->open_conversations;  // stop_catching_up may erase conversations
  for (const auto& id : open) stop_catching_up(id);
  if (agent->peers.empty()) {
    // A chosen away (or offline) outlives a short drop (on_agent_connect).
    agent->kept_status.reset();
    if (agent->status != AgentStatus::online && policy_.agent_offline_grace.count() > 0) {
      agent->kept_status = agent->status;
      agent->kept_until_ms =
          monotonic_ms() + std::chrono::milliseconds(policy_.agent_offline_grace).count();
    }
    if (agent->status != AgentStatus::offline) {
      agent->status = AgentStatus::offline;
      publish(bus::event::kAgentStatus, {},
              json::serialize(json::object{{"agent_id", agent->id}, {"status", "offline"}}));
    }
    refresh_offers();
    start_offline_grace(*agent);
    notify_queue_positions();  // the last agent of a group gone: no estimate there
  }
}

void TenantEngine::on_set_status(const PeerPtr& peer, const Identity& who, AgentStatus status) {
  AgentState* agent = find_agent(who.id);
  if (!agent) return send_error(peer, metrics::ErrorCode::forbidden, "no such agent");
  if (agent->status != status) {
    if (status == AgentStatus::online && agent->status == AgentStatus::offline)
      agent->online_since_ms = monotonic_ms();
    agent->status = status;
    publish(bus::event::kAgentStatus, {},
            json::serialize(json::object{{"agent_id", agent->id}, {"status", to_string(status)}}));
  }
  // The tab that asked gets its answer; every tab of the agent (that one too) hears
  // the change, so all of them show the same status.
  peer->send(frames::agent_status(agent->status));
  const auto frame = frames::agent_status_changed(agent->status);
  for (const auto& p : agent->peers) p->send(frame);
  if (status == AgentStatus::online) {
    drain_queue();
  } else {
    refresh_offers();
  }
  notify_queue_positions();  // an estimate given or taken back
}

void TenantEngine::publish(const char* type, const std::string& conversation_id,
                           std::string payload_json) {
  if (bus_.subscriber_count() == 0) return;
  bus_.publish(
      bus::Event{type, tenant_id_, conversation_id, std::move(payload_json), wall_clock_ms()});
}

Conversation* TenantEngine::find_conversation(const std::string& id) {
  auto it = conversations_.find(id);
  return it == conversations_.end() ? nullptr : &it->second;
}

AgentState* TenantEngine::find_agent(const std::string& id) {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

const VisitorState* TenantEngine::visitor_of(const Conversation& c) const {
  auto it = visitors_.find(c.visitor_id);
  return it == visitors_.end() ? nullptr : &it->second;
}

bool TenantEngine::is_participant(const Conversation& c, const Identity& who) const {
  return who.role == Role::visitor ? c.visitor_id == who.id : c.assignee == who.id;
}

}  // namespace sb::engine
