// One node's cluster bus over Redis: the instance behind sb_cluster_api.
//
// Three connections (link.hpp), each with its own job, on one thread of the
// plugin's own io_context:
//   commands    PUBLISH, XADD, XACK, consumer-group set-up and takeover (XGROUP
//               CREATE, XAUTOCLAIM), the expiring sets (Lua scripts), heartbeats;
//   subscriber  SUBSCRIBE: the connection is in Pub/Sub mode for good;
//   consumer    one blocking XREADGROUP over every stream this node consumes.
// Hooks are called from host threads: they copy their arguments and post to that
// thread; ops complete from it, events are reported from it.
//
// Redis names: <prefix>c:<channel>, <prefix>s:<stream> (group "owners", consumer
// = node_id, field "p"), <prefix>x:<set> (a sorted set: member -> expiry on Redis's
// clock) with <prefix>xv:<set> (a hash: member -> value).
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "link.hpp"
#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace switchboard::redis {

struct BusConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  std::string node_id;
  std::string key_prefix = "sb:";
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{2000};
  std::chrono::milliseconds reconnect_max{2000};
  std::chrono::milliseconds block{1000};      // one XREADGROUP waits at most this long
  std::chrono::milliseconds heartbeat{1000};  // subscriber self-check period
  int64_t stream_max_len = 100000;            // XADD MAXLEN ~
};

extern const sb_config_key kConfigKeys[];
extern const size_t kConfigKeyCount;

// Reads [cluster] through host->config_get; throws std::invalid_argument naming the key.
BusConfig read_config(const sb::Host& host);

// A name the host passes: 1..512 bytes of printable ASCII, no space.
bool valid_name(std::string_view name);

class Bus {
 public:
  Bus(const sb::Host& host, const sb_cluster_events* events, BusConfig config);
  ~Bus();  // stops the thread; the host has no op of this instance outstanding
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  // The hooks (any thread). Each either returns SB_PENDING and completes `done`
  // later, or returns a status at once.
  void publish(std::string channel, std::string payload, sb::Completion done);
  void subscribe(std::string channel, sb::Completion done);
  void unsubscribe(std::string channel);
  void stream_add(std::string stream, std::string payload, sb::Completion done);
  void stream_consume(std::string stream, sb::Completion done);
  void stream_stop(std::string stream);
  void stream_ack(std::string stream, std::string entry_id, sb::Completion done);
  void set_put(std::string set, std::string member, std::string value, int64_t ttl_ms,
               sb::Completion done);
  void set_delete(std::string set, std::string member, sb::Completion done);
  void set_list(std::string set, sb::Completion done);

 private:
  struct Subscription {
    bool active = false;  // Redis confirmed it on the current connection
    std::vector<sb::Completion> waiting;
  };
  struct Consumed {
    bool ready = false;  // group exists and pending entries were taken over
    uint64_t setup = 0;  // which set-up attempt is current (older replies are stale)
    std::vector<sb::Completion> waiting;
  };

  template <class F>
  void on_thread(F&& f);

  void log(sb_log_level level, const std::string& line) const { host_.log(level, line); }
  std::string channel_key(std::string_view channel) const;
  std::string stream_key(std::string_view stream) const;
  bool links_up() const;

  // Link state.
  void link_up();
  void link_down(const std::string& why);
  void report_if_ready();

  // Pub/Sub.
  void subscribe_all();
  void on_push(const redisReply& reply);
  void heartbeat();

  // Streams.
  void setup_stream(const std::string& key);
  void claim_pending(const std::string& key, uint64_t setup, std::string cursor);
  void deliver_entries(const std::string& key, const redisReply& entries, bool redelivered);
  void read_loop();
  void wake_reader();

  sb::Host host_;
  const sb_cluster_events* events_;
  BusConfig config_;

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<Link> commands_;
  std::unique_ptr<Link> subscriber_;
  std::unique_ptr<Link> consumer_;
  boost::asio::steady_timer heartbeat_timer_;
  boost::asio::steady_timer retry_timer_;

  // Only touched on the io thread.
  std::map<std::string, Subscription> subscriptions_;  // by Redis channel name
  std::map<std::string, Consumed> consumed_;           // by Redis stream key
  bool reported_up_ = false;
  bool reading_ = false;
  long long reader_client_id_ = -1;
  uint64_t setups_ = 0;
  bool awaiting_heartbeat_ = false;  // published on our own channel, not yet seen
  uint64_t heartbeat_number_ = 0;    // the number the last heartbeat published
  std::chrono::steady_clock::time_point heartbeat_sent_;
  std::string heartbeat_channel_;
  bool stopping_ = false;

  // How long ~Bus waits for the loop to end by itself before stopping it.
  static constexpr std::chrono::milliseconds kStopWait{2000};
  std::future<void> loop_ended_;  // ready when io_.run() has returned
  std::thread thread_;
};

}  // namespace switchboard::redis
