// The real host running cluster-redis: the plugin host loads the kind (ABI 1.6),
// ClusterClient calls it, and what the plugin reports reaches the instance's
// ClusterSink through the host's sb_cluster_events.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "plugin_host/cluster_client.hpp"
#include "plugin_host/plugin_host.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

using namespace sb::plugin_host;
using namespace std::chrono_literals;

namespace {

struct Sink : ClusterSink {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::pair<std::string, std::string>> messages;
  std::vector<int> links;

  void on_message(std::string_view channel, std::string_view payload) override {
    std::lock_guard lock(mutex);
    messages.emplace_back(channel, payload);
    cv.notify_all();
  }
  void on_entry(std::string_view, std::string_view, std::string_view, bool) override {}
  void on_link(bool up, std::string_view) override {
    std::lock_guard lock(mutex);
    links.push_back(up ? 1 : 0);
    cv.notify_all();
  }
  template <class Pred>
  bool wait(Pred pred) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, 10s, pred);
  }
};

// Runs one guarded call and returns its result.
template <class Call>
CallResult run(boost::asio::io_context& io, Call&& call) {
  std::optional<CallResult> got;
  call(io.get_executor(), [&](CallResult r) { got = std::move(r); });
  io.restart();
  while (!got && io.run_one_for(10s)) {
  }
  REQUIRE(got);
  return *got;
}

}  // namespace

TEST_CASE("cluster-redis: the host loads the cluster-bus kind and routes its events to the sink") {
  sb::test::RedisServer redis;
  sb::test::TempDir dir("sb-cluster-host");
  PluginHost host(SWITCHBOARD_PLUGIN_DIR, HostOptions{});
  host.scan();
  const PluginSchema* schema = host.schema("cluster-redis");
  REQUIRE(schema);
  CHECK(schema->kind == SB_KIND_CLUSTER_BUS);

  auto sink = std::make_shared<Sink>();
  InstanceConfig config;
  config.values_as_text = {{"node_id", "node-a"}, {"address", redis.address()}};
  config.cluster_sink = sink;
  std::string error;
  auto instance = host.create_instance("cluster-redis", "", config, dir.path() / "bus", error);
  INFO(error);
  REQUIRE(instance);
  REQUIRE(sink->wait([&] { return !sink->links.empty(); }));
  CHECK(sink->links[0] == 1);

  boost::asio::io_context io;
  ClusterClient bus(instance);
  const CallResult subscribed =
      run(io, [&](auto executor, Callback cb) { bus.subscribe("t/acme", executor, cb); });
  INFO(subscribed.error);
  REQUIRE(subscribed.status == SB_OK);
  const CallResult published = run(
      io, [&](auto executor, Callback cb) { bus.publish("t/acme", "{\"seq\":1}", executor, cb); });
  REQUIRE(published.status == SB_OK);
  CHECK(published.result == "{\"receivers\":1}");
  REQUIRE(sink->wait([&] { return !sink->messages.empty(); }));
  CHECK(sink->messages[0] == std::make_pair(std::string("t/acme"), std::string("{\"seq\":1}")));

  SECTION("an outage is reported, and no circuit breaker holds the bus shut after it") {
    redis.stop();
    REQUIRE(sink->wait([&] { return sink->links.back() == 0; }));
    // More failures in a row than HostOptions::breaker_failures.
    for (int i = 0; i < 7; ++i) {
      const CallResult r =
          run(io, [&](auto executor, Callback cb) { bus.publish("t/acme", "x", executor, cb); });
      CHECK(r.status == SB_ERROR);
      CHECK_THAT(r.error, Catch::StartsWith("unavailable"));
    }
    redis.start();
    REQUIRE(sink->wait([&] { return sink->links.back() == 1; }));
    const CallResult after =
        run(io, [&](auto executor, Callback cb) { bus.publish("t/acme", "back", executor, cb); });
    INFO(after.error);
    CHECK(after.status == SB_OK);
    REQUIRE(sink->wait([&] { return sink->messages.size() == 2; }));
    CHECK(sink->messages[1].second == "back");
  }
}
