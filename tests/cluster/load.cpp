#include "cluster/load.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "cluster/checks.hpp"
#include "support/http_client.hpp"
#include "support/ws_client.hpp"

namespace sb::cl {

namespace {

std::string text_field(const json::object& frame, std::string_view key) {
  const auto* v = frame.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t int_field(const json::object& frame, std::string_view key) {
  const auto* v = frame.if_contains(key);
  if (!v) return 0;
  boost::system::error_code ec;
  const auto n = v->to_number<int64_t>(ec);
  return ec ? 0 : n;
}

std::string sender_role(const json::object& message) {
  const auto* from = message.if_contains("from");
  return from && from->is_object() ? text_field(from->as_object(), "role") : std::string();
}

constexpr size_t kMaxViolationsKept = 50;

}  // namespace

Load::Load(Cluster& cluster, LoadOptions options)
    : cluster_(cluster), options_(std::move(options)) {}

Load::~Load() {
  visitors_stopping_ = true;
  agents_stopping_ = true;
  for (auto& t : visitor_threads_)
    if (t.joinable()) t.join();
  for (auto& t : agent_threads_)
    if (t.joinable()) t.join();
}

void Load::start() {
  int index = 0;
  int agents = 0;
  for (const auto& tenant_id : options_.tenants)
    for (const auto& agent : cluster_.tenant(tenant_id).agents) {
      if (agent.role != "agent") continue;
      agent_threads_.emplace_back(&Load::agent_thread, this,
                                  AgentSlot{tenant_id, agent.id, agent.max_concurrent, index++});
      ++agents;
    }
  if (!eventually([&] { return agents_ready_.load() == agents; }, 30s))
    throw std::runtime_error("only " + std::to_string(agents_ready_.load()) + " of " +
                             std::to_string(agents) + " agents connected within 30 s\n" +
                             cluster_.logs_tail());
  int t = 0;
  for (const auto& tenant_id : options_.tenants) {
    for (int i = 0; i < options_.visitors_per_tenant; ++i)
      visitor_threads_.emplace_back(&Load::visitor_thread, this, tenant_id, t + i);
    ++t;
  }
}

void Load::stop_sending() {
  visitors_stopping_ = true;
  const int visitors = static_cast<int>(visitor_threads_.size());
  eventually([&] { return visitors_settled_.load() == visitors; }, options_.drain + 5s);
}

void Load::stop() {
  visitors_stopping_ = true;
  agents_stopping_ = true;
  for (auto& t : visitor_threads_)
    if (t.joinable()) t.join();
  for (auto& t : agent_threads_)
    if (t.joinable()) t.join();
}

void Load::seen_at_least(const std::string& client, const std::string& conversation, int64_t seq) {
  std::lock_guard lock(mutex_);
  auto& have = seen_[client][conversation];
  have = std::max(have, seq);
}

void Load::violation(std::string what) {
  std::lock_guard lock(mutex_);
  ++violation_count_;
  if (violations_.size() < kMaxViolationsKept) violations_.push_back(std::move(what));
}

void Load::record_ack(Acked ack) {
  std::lock_guard lock(mutex_);
  acked_.push_back(std::move(ack));
}

void Load::record_event(const std::string& tenant, const std::string& client, std::string what,
                        const std::string& node) {
  std::lock_guard lock(mutex_);
  events_.push_back({tenant, client, std::move(what), node, Clock::now()});
}

void Load::visitor_thread(std::string tenant, int index) {
  const int nodes = static_cast<int>(cluster_.size());
  int node = index % nodes;
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / options_.messages_per_second_per_visitor));
  // Spread the visitors' first messages over one interval.
  auto next_send = Clock::now() + interval * (index % 10) / 10;
  const std::string who = tenant + "/v" + std::to_string(index);

  std::optional<sb::test::WsClient> ws;
  std::string node_id;
  std::string token;
  std::map<std::string, int64_t> seen;  // conversation -> last message frame's seq
  int64_t last_acked_seq = 0;
  int counter = 0;
  std::string pending;  // the client_msg_id (also the text) not acked yet
  bool must_send = false;
  bool first_connection = true;
  Clock::time_point sent_at;
  std::optional<Clock::time_point> give_up;
  bool settled = false;

  auto on_message = [&](const json::object& frame) {
    ++counters_.message_frames;
    const auto conversation = text_field(frame, "conversation_id");
    const auto seq = int_field(frame, "seq");
    auto& last = seen[conversation];
    if (seq <= last)
      violation(who + " on " + node_id + " got seq " + std::to_string(seq) + " after " +
                std::to_string(last) + " in " + conversation);
    last = std::max(last, seq);
    seen_at_least(who, tenant + "/" + conversation, seq);
  };

  for (;;) {
    const auto now = Clock::now();
    bool idle = false;
    if (visitors_stopping_) {
      if (!pending.empty()) {
        if (!give_up) give_up = now + options_.drain;
        if (now > *give_up) {
          violation(who + " gave up on " + pending + ": no answer within the drain of " +
                    std::to_string(options_.drain.count()) + " ms (service did not come back)");
          pending.clear();
        }
      }
      if (pending.empty()) {
        if (!settled) ++visitors_settled_;
        settled = true;
        if (agents_stopping_) break;
        idle = true;  // no more writing; keep reading what the agents send
      }
    }
    if (!ws) {
      try {
        auto& target = cluster_.node(static_cast<size_t>(node));
        auto client = sb::test::WsClient::connect(target.port(), "/v1/ws/visitor?tenant=" + tenant,
                                                  {}, 2000ms);
        json::object hello{{"type", "hello"}};
        if (!token.empty()) {
          hello["visitor_token"] = token;
          json::object last;
          for (const auto& [conversation, seq] : seen) last[conversation] = seq;
          hello["last_seq"] = std::move(last);
        }
        client.send_json(hello);
        const auto welcome = client.next_frame(2000ms);
        if (text_field(welcome, "type") != "welcome")
          throw std::runtime_error("no welcome: " + json::serialize(welcome));
        token = text_field(welcome, "visitor_token");
        ws.emplace(std::move(client));
        node_id = target.id();
        record_event(tenant, who, "welcome", node_id);
        if (!first_connection) ++counters_.reconnects;
        first_connection = false;
        if (!pending.empty()) must_send = true;
      } catch (const std::exception&) {
        ++counters_.connect_failures;
        record_event(tenant, who, "no welcome", cluster_.node(static_cast<size_t>(node)).id());
        node = (node + 1) % nodes;
        std::this_thread::sleep_for(200ms);
        continue;
      }
    }
    if (idle) {
      json::object frame;
      try {
        frame = ws->next_frame(100ms);
      } catch (const std::exception&) {
        if (!ws->is_open()) {
          ws.reset();
          node = (node + 1) % nodes;
        }
        continue;
      }
      if (text_field(frame, "type") == "message") on_message(frame);
      continue;
    }
    if (pending.empty()) {
      std::this_thread::sleep_until(next_send);
      next_send += interval;
      // After an outage, carry on at the rate rather than in a burst.
      if (next_send < Clock::now() - 1s) next_send = Clock::now();
      pending = "ld-" + tenant + "-v" + std::to_string(index) + "-" + std::to_string(counter++);
      must_send = true;
    }
    if (must_send) {
      try {
        ws->send_json(
            {{"type", "message"}, {"client_msg_id", pending}, {"text", pending}, {"ref", pending}});
      } catch (const std::exception&) {
        ws.reset();
        node = (node + 1) % nodes;
        continue;
      }
      ++counters_.sent;
      sent_at = Clock::now();
      must_send = false;
    }

    // Read until this message is answered; other frames are checked on the way.
    bool settled = false;
    bool lost = false;
    while (!settled) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          sent_at + options_.reply_timeout - Clock::now());
      if (left.count() <= 0) {
        ++counters_.reply_timeouts;
        lost = true;
        break;
      }
      json::object frame;
      try {
        frame = ws->next_frame(left);
      } catch (const std::exception&) {
        if (ws->is_open()) ++counters_.reply_timeouts;
        lost = true;
        break;
      }
      const auto type = text_field(frame, "type");
      if (type == "message") {
        on_message(frame);
      } else if (type == "ack" && text_field(frame, "client_msg_id") == pending) {
        const auto conversation = text_field(frame, "conversation_id");
        const auto seq = int_field(frame, "seq");
        if (seq <= last_acked_seq)
          violation(who + " had " + pending + " acked at seq " + std::to_string(seq) +
                    ", not after its previous message's " + std::to_string(last_acked_seq));
        last_acked_seq = std::max(last_acked_seq, seq);
        record_ack({tenant, conversation, seq, pending, node_id, Clock::now()});
        seen_at_least(who, tenant + "/" + conversation, seq);
        {
          std::lock_guard lock(mutex_);
          holds_[who].insert(tenant + "/" + conversation);
          visitor_conversations_.insert(tenant + "/" + conversation);
        }
        pending.clear();
        settled = true;
      } else if (type == "error" && text_field(frame, "ref") == pending) {
        if (text_field(frame, "code") == "unavailable")
          ++counters_.unavailable;
        else
          ++counters_.other_errors;
        std::this_thread::sleep_for(100ms);
        must_send = true;
        settled = true;
      }
    }
    if (lost) {
      record_event(tenant, who, ws->is_open() ? "reply timeout" : "lost", node_id);
      ws.reset();
      node = (node + 1) % nodes;
    }
  }
}

void Load::agent_thread(AgentSlot slot) {
  const int nodes = static_cast<int>(cluster_.size());
  int node = slot.index % nodes;
  const std::string key = slot.tenant + "/" + slot.agent;
  std::optional<sb::test::WsClient> ws;
  std::string node_id;
  std::string token;
  // conversation -> its message frames so far, checked as the protocol promises
  // them (an agent tab's catch-up after its hello may follow live frames).
  std::map<std::string, StreamOrder> streams;
  // What a violation report says of the connection: when it opened, what its hello
  // asked for, the message frames it brought so far (conversation -> seqs).
  Clock::time_point connected_at;
  std::map<std::string, int64_t> hello_sent;
  std::map<std::string, std::string> frames_here;
  struct Reply {
    std::string conversation;
    Clock::time_point sent_at;
  };
  std::map<std::string, Reply> replies;  // client_msg_id -> not acked yet
  int visitor_messages = 0;
  int counter = 0;
  bool counted_ready = false;

  auto send_reply = [&](const std::string& id, const std::string& conversation) {
    ws->send_json({{"type", "message"},
                   {"conversation_id", conversation},
                   {"client_msg_id", id},
                   {"text", id},
                   {"ref", id}});
    ++counters_.sent;
    replies[id].sent_at = Clock::now();
  };

  while (!agents_stopping_) {
    if (!ws) {
      try {
        auto& target = cluster_.node(static_cast<size_t>(node));
        // Signed like a sign-in's, not signed in: these agents carry load.
        if (token.empty()) token = cluster_.agent_token(slot.tenant, slot.agent);
        auto client = sb::test::WsClient::connect(
            target.port(), "/v1/ws/agent?tenant=" + slot.tenant, sb::test::bearer(token), 2000ms);
        const auto welcome = client.next_frame(2000ms);
        if (text_field(welcome, "type") != "welcome")
          throw std::runtime_error("no welcome: " + json::serialize(welcome));
        std::set<std::string> open;
        std::map<std::string, int64_t> listed_at;  // conversation -> last_seq in the welcome
        if (const auto* list = welcome.if_contains("conversations"); list && list->is_array())
          for (const auto& c : list->as_array())
            if (c.is_object()) {
              const auto id = text_field(c.as_object(), "id");
              open.insert(slot.tenant + "/" + id);
              listed_at[id] = int_field(c.as_object(), "last_seq");
            }
        {
          std::lock_guard lock(mutex_);
          holds_[key] = open;
        }
        connected_at = Clock::now();
        hello_sent.clear();
        frames_here.clear();
        for (auto& [conversation, stream] : streams) stream.connected();
        if (counted_ready) {
          ++counters_.reconnects;
          json::object last;
          for (auto& [conversation, stream] : streams) {
            last[conversation] = stream.highest();
            hello_sent[conversation] = stream.highest();
            if (auto at = listed_at.find(conversation); at != listed_at.end())
              stream.catching_up(stream.highest(), at->second);
          }
          client.send_json({{"type", "hello"}, {"last_seq", std::move(last)}});
        }
        ws.emplace(std::move(client));
        node_id = target.id();
        record_event(slot.tenant, key, "welcome", node_id);
        for (const auto& [id, reply] : replies) send_reply(id, reply.conversation);
        if (!counted_ready) ++agents_ready_;
        counted_ready = true;
      } catch (const std::exception&) {
        ++counters_.connect_failures;
        record_event(slot.tenant, key, "no welcome", cluster_.node(static_cast<size_t>(node)).id());
        ws.reset();
        node = (node + 1) % nodes;
        std::this_thread::sleep_for(200ms);
        continue;
      }
    }

    json::object frame;
    try {
      frame = ws->next_frame(100ms);
    } catch (const std::exception&) {
      bool lost = !ws->is_open();
      for (const auto& [id, reply] : replies)
        if (Clock::now() - reply.sent_at > options_.reply_timeout) lost = true;
      if (lost) {
        record_event(slot.tenant, key, ws->is_open() ? "reply timeout" : "lost", node_id);
        ws.reset();
        node = (node + 1) % nodes;
      }
      continue;
    }
    const auto type = text_field(frame, "type");
    if (type == "message") {
      ++counters_.message_frames;
      const auto conversation = text_field(frame, "conversation_id");
      const auto seq = int_field(frame, "seq");
      auto& here = frames_here[conversation];
      here += (here.empty() ? "" : " ") + std::to_string(seq);
      if (const auto wrong = streams[conversation].frame(seq); !wrong.empty()) {
        const auto asked = hello_sent.find(conversation);
        const auto age =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - connected_at);
        violation(key + " on " + node_id + " got " + wrong + " in " + conversation +
                  " (its connection opened " + std::to_string(age.count()) +
                  " ms before; its hello asked after seq " +
                  (asked == hello_sent.end() ? std::string("-") : std::to_string(asked->second)) +
                  "; seqs on it so far: " + here.substr(0, 300) + ")");
      }
      seen_at_least(key, slot.tenant + "/" + conversation, seq);
      if (sender_role(frame) == "visitor" && options_.agent_reply_every > 0 &&
          ++visitor_messages % options_.agent_reply_every == 0) {
        // Zero-padded: the map of replies not acked yet (resent in its order after a
        // reconnect) is then in the order they were first sent.
        char number[16];
        std::snprintf(number, sizeof number, "%08d", counter++);
        const auto id = "ld-" + slot.tenant + "-a" + slot.agent + "-" + number;
        replies[id].conversation = conversation;
        try {
          send_reply(id, conversation);
        } catch (const std::exception&) {
          ws.reset();
          node = (node + 1) % nodes;
        }
      }
    } else if (type == "conversation.assigned") {
      const auto* c = frame.if_contains("conversation");
      const auto conversation = c && c->is_object() ? text_field(c->as_object(), "id") : "";
      {
        std::lock_guard lock(mutex_);
        assignments_.push_back({slot.tenant, conversation, slot.agent, node_id, Clock::now()});
        ++assigned_frames_[slot.tenant + "/" + conversation];
        auto& open = holds_[key];
        open.insert(slot.tenant + "/" + conversation);
        if (open.size() > static_cast<size_t>(slot.max_concurrent)) {
          ++violation_count_;
          if (violations_.size() < kMaxViolationsKept)
            violations_.push_back(key + " holds " + std::to_string(open.size()) +
                                  " conversations, over its max_concurrent " +
                                  std::to_string(slot.max_concurrent));
        }
      }
      frames_here[conversation] += " [assigned]";
      if (const auto* history = frame.if_contains("history"); history && history->is_array())
        for (const auto& m : history->as_array())
          if (m.is_object()) {
            const auto seq = int_field(m.as_object(), "seq");
            streams[conversation].had(seq);
            seen_at_least(key, slot.tenant + "/" + conversation, seq);
          }
    } else if (type == "conversation.closed") {
      std::lock_guard lock(mutex_);
      holds_[key].erase(slot.tenant + "/" + text_field(frame, "conversation_id"));
    } else if (type == "ack") {
      const auto id = text_field(frame, "client_msg_id");
      auto it = replies.find(id);
      if (it == replies.end()) continue;
      const auto conversation = text_field(frame, "conversation_id");
      const auto seq = int_field(frame, "seq");
      record_ack({slot.tenant, conversation, seq, id, node_id, Clock::now()});
      seen_at_least(key, slot.tenant + "/" + conversation, seq);
      replies.erase(it);
    } else if (type == "error") {
      const auto id = text_field(frame, "ref");
      auto it = replies.find(id);
      if (it == replies.end()) continue;
      if (text_field(frame, "code") == "unavailable") {
        ++counters_.unavailable;
        std::this_thread::sleep_for(100ms);
        try {
          send_reply(id, it->second.conversation);
        } catch (const std::exception&) {
          ws.reset();
          node = (node + 1) % nodes;
        }
      } else {
        ++counters_.other_errors;
        replies.erase(it);
      }
    }
  }
}

bool Load::caught_up(const std::map<std::string, int64_t>& stored_last_seq,
                     std::string& missing) const {
  std::lock_guard lock(mutex_);
  missing.clear();
  for (const auto& [client, conversations] : holds_) {
    for (const auto& conversation : conversations) {
      const auto stored = stored_last_seq.find(conversation);
      if (stored == stored_last_seq.end()) continue;
      int64_t have = 0;
      if (auto a = seen_.find(client); a != seen_.end())
        if (auto c = a->second.find(conversation); c != a->second.end()) have = c->second;
      if (have < stored->second && missing.size() < 2000)
        missing += client + " has " + conversation + " up to seq " + std::to_string(have) +
                   ", PostgreSQL up to " + std::to_string(stored->second) + "\n";
    }
  }
  return missing.empty();
}

std::vector<Acked> Load::acked() const {
  std::lock_guard lock(mutex_);
  return acked_;
}

std::vector<Assignment> Load::assignments() const {
  std::lock_guard lock(mutex_);
  return assignments_;
}

std::vector<std::string> Load::violations() const {
  std::lock_guard lock(mutex_);
  auto out = violations_;
  for (const auto& [conversation, frames] : assigned_frames_)
    if (frames > 1)
      out.push_back(conversation + " was assigned " + std::to_string(frames) + " times");
  // The load's tenants have room for every visitor: each conversation gets an agent.
  for (const auto& conversation : visitor_conversations_)
    if (!assigned_frames_.count(conversation))
      out.push_back(conversation + " was never assigned to an agent");
  if (violation_count_ > violations_.size())
    out.push_back("... and " + std::to_string(violation_count_ - violations_.size()) + " more");
  return out;
}

std::chrono::milliseconds Load::longest_ack_gap(const std::string& tenant, Clock::time_point from,
                                                Clock::time_point to) const {
  std::vector<Clock::time_point> times;
  {
    std::lock_guard lock(mutex_);
    for (const auto& a : acked_)
      if (a.tenant == tenant && a.at >= from && a.at < to) times.push_back(a.at);
  }
  std::sort(times.begin(), times.end());
  auto previous = from;
  Clock::duration longest{};
  for (const auto t : times) {
    longest = std::max(longest, t - previous);
    previous = t;
  }
  longest = std::max(longest, to - previous);
  return std::chrono::duration_cast<std::chrono::milliseconds>(longest);
}

std::optional<Clock::time_point> Load::first_ack_after(const std::string& tenant,
                                                       Clock::time_point t) const {
  std::lock_guard lock(mutex_);
  std::optional<Clock::time_point> first;
  for (const auto& a : acked_)
    if (a.tenant == tenant && a.at > t && (!first || a.at < *first)) first = a.at;
  return first;
}

std::string Load::client_timeline(const std::string& tenant, Clock::time_point from,
                                  Clock::time_point to) const {
  const auto ms = [&](Clock::time_point t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t - from).count());
  };
  std::lock_guard lock(mutex_);
  std::map<std::string, std::string> lines;  // client -> its events
  for (const auto& e : events_)
    if (e.tenant == tenant && e.at >= from && e.at < to)
      lines[e.client] += " " + e.what + "@" + e.node + " +" + ms(e.at);
  // Each client's first ack after from: its client_msg_ids are "ld-<tenant>-v3-..." for
  // "t1/v3" and "ld-<tenant>-aagent1-..." for "t1/agent1".
  std::map<std::string, const Acked*> first;
  for (const auto& a : acked_) {
    if (a.tenant != tenant || a.at < from || a.at >= to) continue;
    const auto head = "ld-" + tenant + "-";
    if (a.client_msg_id.rfind(head, 0) != 0) continue;
    auto part = a.client_msg_id.substr(head.size());
    part = part.substr(0, part.find('-'));
    const auto client = tenant + "/" + (part[0] == 'a' ? part.substr(1) : part);
    if (!first.count(client) || a.at < first[client]->at) first[client] = &a;
  }
  for (const auto& [client, a] : first)
    lines[client] += " | first ack@" + a->node + " +" + ms(a->at);
  std::string out;
  for (const auto& [client, line] : lines) out += "  " + client + ":" + line + "\n";
  return out;
}

std::string Load::summary() const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);
  out << acked_.size() << " acked, " << counters_.sent << " sent, " << counters_.unavailable
      << " unavailable, " << counters_.other_errors << " other errors, " << counters_.reconnects
      << " reconnects, " << counters_.connect_failures << " failed connects, "
      << counters_.reply_timeouts << " reply timeouts, " << counters_.message_frames
      << " message frames, " << assignments_.size() << " assignments, " << violation_count_
      << " violations";
  return out.str();
}

}  // namespace sb::cl
