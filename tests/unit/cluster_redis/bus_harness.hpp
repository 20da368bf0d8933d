// Drives cluster-redis the way a node's host does: dlopen the built .so, hand it a
// fake sb_host_api (with sb_cluster_events behind get_api), and wait for the
// completions and events it sends back. One BusNode is one node's instance.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "support/redis_server.hpp"
#include "switchboard/sb_plugin.h"

namespace cluster_test {

using namespace std::chrono_literals;

// What host->complete received for one op, or a call's own status when it did not
// return SB_PENDING. status -1: no answer within the wait.
struct Result {
  int32_t status = -1;
  std::string result;
  std::string error;
  bool ok() const { return status == SB_OK; }
};

struct Message {
  std::string channel;
  std::string payload;
};

struct Entry {
  std::string stream;
  std::string id;
  std::string payload;
  bool redelivered = false;
};

class BusNode {
 public:
  using Config = std::map<std::string, std::string>;

  // Creates the instance with node_id and the server's address (plus config);
  // throws std::runtime_error with instance_new's error.
  BusNode(const std::string& node_id, const sb::test::RedisServer& redis, Config config = {});
  ~BusNode();  // instance_free
  // instance_free now (the log lines stay readable); the destructor then does nothing.
  void close();
  BusNode(const BusNode&) = delete;
  BusNode& operator=(const BusNode&) = delete;

  // instance_new's error for a config, or "" when it succeeded.
  static std::string open_error(const Config& config);

  // Hook calls, each waiting for its answer (at most `wait`).
  Result publish(const std::string& channel, const std::string& payload);
  Result subscribe(const std::string& channel);
  Result unsubscribe(const std::string& channel);
  Result stream_add(const std::string& stream, const std::string& payload);
  Result stream_consume(const std::string& stream);
  Result stream_stop(const std::string& stream);
  Result stream_ack(const std::string& stream, const std::string& id);
  Result set_put(const std::string& set, const std::string& member, const std::string& value,
                 int64_t ttl_ms);
  Result set_delete(const std::string& set, const std::string& member);
  Result set_list(const std::string& set);

  // Events so far. The waits return false when the count was not reached in time.
  std::vector<Message> messages() const;
  std::vector<Entry> entries() const;
  std::vector<int> link_changes() const;  // 1 up, 0 down, in order
  bool wait_messages(size_t count, std::chrono::milliseconds timeout = 5s) const;
  bool wait_entries(size_t count, std::chrono::milliseconds timeout = 5s) const;
  // Until the last link change reported is `up`.
  bool wait_link(bool up, std::chrono::milliseconds timeout = 10s) const;
  std::vector<std::string> log_lines() const;
  // The next on_message keeps the plugin's thread for `hold` after recording the
  // message (wait_messages sees it at once).
  void hold_next_message(std::chrono::milliseconds hold);

  struct Context;
  std::chrono::milliseconds wait = 10s;

 private:
  std::unique_ptr<Context> ctx_;
  sb_instance* instance_ = nullptr;
};

// How many ops were completed more than once over the run (must stay 0).
size_t double_completions();

}  // namespace cluster_test
