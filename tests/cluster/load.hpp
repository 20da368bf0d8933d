// Load spread over the nodes of a Cluster, by clients that behave as the widget and
// the console do when their node goes away: each visitor and agent runs on its own
// thread, starts on a node chosen by its index, and on a lost or silent connection
// moves to the next node, says hello with its token and the last seq it saw of
// each conversation (the protocol's resume), and resends what was not acked with
// the same client_msg_id. Everything acknowledged, every assignment and every
// message frame is recorded for the checks (checks.hpp).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster/cluster.hpp"

namespace sb::cl {

using Clock = std::chrono::steady_clock;

struct LoadOptions {
  std::vector<std::string> tenants;  // of the cluster; every agent of each comes online
  int visitors_per_tenant = 10;
  double messages_per_second_per_visitor = 5;
  // An agent answers every Nth visitor message it receives (0: never).
  int agent_reply_every = 3;
  // A command unanswered this long means the node is gone or frozen: move on.
  std::chrono::milliseconds reply_timeout = 2500ms;
  // After stop_sending(), how long a visitor keeps resending its last message.
  std::chrono::milliseconds drain = 20s;
};

// One acknowledged message, as its sender was told.
struct Acked {
  std::string tenant;
  std::string conversation;
  int64_t seq = 0;
  std::string client_msg_id;
  std::string node;  // where the ack came from
  Clock::time_point at;
};

struct Assignment {
  std::string tenant;
  std::string conversation;
  std::string agent;
  std::string node;
  Clock::time_point at;
};

// What happened to one client's connection, for a fault's timeline.
struct ClientEvent {
  std::string tenant;
  std::string client;  // "t1/v3", "t1/agent1"
  std::string what;    // "welcome", "lost", "no welcome", "reply timeout"
  std::string node;
  Clock::time_point at;
};

struct LoadCounters {
  std::atomic<uint64_t> sent{0};         // frames sent, resends included
  std::atomic<uint64_t> unavailable{0};  // error frames with code unavailable
  std::atomic<uint64_t> other_errors{0};
  std::atomic<uint64_t> reconnects{0};  // connections opened after the first
  std::atomic<uint64_t> connect_failures{0};
  std::atomic<uint64_t> reply_timeouts{0};
  std::atomic<uint64_t> message_frames{0};
};

class Load {
 public:
  Load(Cluster& cluster, LoadOptions options);
  ~Load();
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  // Connects every agent, then every visitor (each on its first node), then lets
  // them run. Throws if a first connection fails.
  void start();
  // Visitors stop writing new messages and settle the one in flight (up to
  // drain); everyone stays connected and reads (agents answer what is unanswered).
  void stop_sending();
  // Everyone leaves.
  void stop();

  // Whether every client has, for each conversation it holds (an agent: assigned
  // to it; a visitor: its own), every seq up to what PostgreSQL has, from message
  // frames and its own acks; otherwise what is missing.
  bool caught_up(const std::map<std::string, int64_t>& stored_last_seq, std::string& missing) const;

  std::vector<Acked> acked() const;
  std::vector<Assignment> assignments() const;
  // What broke the protocol's promises while it ran (a seq out of order, an agent
  // over capacity); empty when nothing did.
  std::vector<std::string> violations() const;
  // The longest time between two acks of one tenant within [from, to): how long
  // the tenant went unserved.
  std::chrono::milliseconds longest_ack_gap(const std::string& tenant, Clock::time_point from,
                                            Clock::time_point to) const;
  // When the first ack of a tenant after t came (nullopt: none).
  std::optional<Clock::time_point> first_ack_after(const std::string& tenant,
                                                   Clock::time_point t) const;
  // Per client of the tenant, what happened to its connections in [from, to) and
  // its first ack after from, in ms after from: one line per client (a fault's
  // timeline, to read where the time between the fault and service went).
  std::string client_timeline(const std::string& tenant, Clock::time_point from,
                              Clock::time_point to) const;
  const LoadCounters& counters() const { return counters_; }
  std::string summary() const;

 private:
  struct AgentSlot {
    std::string tenant;
    std::string agent;
    int max_concurrent = 0;
    int index = 0;
  };
  void visitor_thread(std::string tenant, int index);
  void agent_thread(AgentSlot slot);
  void violation(std::string what);
  void record_ack(Acked ack);
  void record_event(const std::string& tenant, const std::string& client, std::string what,
                    const std::string& node);
  void seen_at_least(const std::string& client, const std::string& conversation, int64_t seq);

  Cluster& cluster_;
  LoadOptions options_;
  std::vector<std::thread> visitor_threads_;
  std::vector<std::thread> agent_threads_;
  std::atomic<bool> visitors_stopping_{false};
  std::atomic<bool> agents_stopping_{false};
  std::atomic<int> agents_ready_{0};
  std::atomic<int> visitors_settled_{0};
  LoadCounters counters_;

  mutable std::mutex mutex_;
  std::vector<Acked> acked_;
  std::vector<Assignment> assignments_;
  std::vector<ClientEvent> events_;
  std::vector<std::string> violations_;
  size_t violation_count_ = 0;
  // client ("tenant/agentN", "tenant/vN") -> "tenant/conversation" -> highest seq
  // it has (message frames and its own acks)
  std::map<std::string, std::map<std::string, int64_t>> seen_;
  // client -> the "tenant/conversation"s it holds
  std::map<std::string, std::set<std::string>> holds_;
  std::set<std::string> visitor_conversations_;  // "tenant/conversation", from acks
  // How many conversation.assigned frames each "tenant/conversation" got, anywhere.
  std::map<std::string, int> assigned_frames_;
};

}  // namespace sb::cl
