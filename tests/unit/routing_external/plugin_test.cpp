// routing-external loaded by the real plugin host, as the engine calls it: route()
// answers SB_PENDING and the endpoint's answer arrives later through the op (the
// SB_PENDING path of sb_routing_cpp.hpp); a dry run asks no one. Also round-robin's
// dry run, which must not move its turn.
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "plugin_host/plugin_host.hpp"
#include "plugin_host/routing_client.hpp"
#include "support/fake_openai.hpp"
#include "switchboard/sb_plugin.h"

namespace fs = std::filesystem;
using sb::plugin_host::AgentCandidate;
using sb::plugin_host::CallResult;
using sb::plugin_host::RoutingClient;
using sb::test::FakeOpenAiServer;
using sb::test::FakeReply;

namespace {

class Host {
 public:
  Host() {
    std::random_device seed;
    dir_ = fs::temp_directory_path() /
           ("sb-routing-external-" + std::to_string(seed()) + std::to_string(seed()));
    fs::create_directories(dir_);
    for (const char* so : {EXTERNAL_SO, ROUND_ROBIN_SO})
      fs::copy_file(so, dir_ / fs::path(so).filename());
    sb::plugin_host::HostOptions options;
    options.logger = std::make_shared<spdlog::logger>(
        "routing-external-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
    host_ = std::make_unique<sb::plugin_host::PluginHost>(dir_, options);
    host_->scan();
  }
  ~Host() {
    host_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  RoutingClient router(const std::string& plugin, const std::string& config_json = "{}") {
    sb::plugin_host::InstanceConfig config;
    config.config_json = config_json;
    std::string error;
    auto instance = host_->create_instance(plugin, "acme", config, dir_ / "acme", error);
    if (!instance) throw std::runtime_error("cannot create " + plugin + ": " + error);
    return RoutingClient(instance);
  }

  // Routes once and, when the answer is pending, waits for it (at most 5 s).
  // Returns the status and the agent chosen (by index now, or by id later).
  std::pair<int32_t, std::string> route(RoutingClient& router,
                                        const std::vector<AgentCandidate>& candidates,
                                        const std::string& conversation_id = "c_1") {
    sb::plugin_host::RouteQuery query;
    query.conversation_id = conversation_id;
    query.visitor_id = "v_1";
    query.candidates = &candidates;
    std::optional<CallResult> later;
    const auto outcome =
        router.route(query, io_.get_executor(), [&](CallResult r) { later = std::move(r); });
    if (outcome.status == SB_OK) return {SB_OK, candidates.at(outcome.index).agent_id};
    if (outcome.status != SB_PENDING) return {outcome.status, outcome.error};
    io_.restart();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!later && std::chrono::steady_clock::now() < give_up)
      io_.run_for(std::chrono::milliseconds(20));
    REQUIRE(later);
    pending_answers_++;
    return {later->status, later->status == SB_OK ? later->result : later->error};
  }

  int pending_answers() const { return pending_answers_; }
  std::string log() const { return log_.str(); }

 private:
  fs::path dir_;
  std::ostringstream log_;
  boost::asio::io_context io_;
  std::unique_ptr<sb::plugin_host::PluginHost> host_;
  int pending_answers_ = 0;
};

AgentCandidate agent(std::string id) {
  AgentCandidate c;
  c.agent_id = std::move(id);
  c.name = c.agent_id;
  c.max_concurrent = 3;
  return c;
}

const std::vector<AgentCandidate> kTeam = {agent("ann"), agent("ben")};

std::string config_for(const FakeOpenAiServer& endpoint, int timeout_ms = 2000) {
  return R"({"url":")" + endpoint.url() + R"(","timeout_ms":)" + std::to_string(timeout_ms) + "}";
}

}  // namespace

TEST_CASE("plugin: the endpoint's agent comes back through the pending op") {
  FakeOpenAiServer endpoint("/route");
  endpoint.set_default(FakeReply::raw(200, "application/json", R"({"agent_id":"ben"})"));
  Host host;
  auto router = host.router("routing-external", config_for(endpoint));
  const auto [status, agent_id] = host.route(router, kTeam);
  CHECK(host.pending_answers() == 1);
  CHECK(status == SB_OK);
  CHECK(agent_id == "ben");
  REQUIRE(endpoint.wait_for_requests(1));
  CHECK(endpoint.requests()[0].json().at("conversation_id") == "c_1");
}

TEST_CASE("plugin: no usable answer completes the op with SB_DEFER, logged") {
  FakeOpenAiServer endpoint("/route");
  Host host;
  auto router = host.router("routing-external", config_for(endpoint, 200));
  endpoint.enqueue(FakeReply::raw(503, "text/plain", "maintenance"));
  CHECK(host.route(router, kTeam).first == SB_DEFER);
  endpoint.enqueue(FakeReply::raw(200, "application/json", R"({"agent_id":"ben"})")
                       .after(std::chrono::milliseconds(1500)));
  const auto started = std::chrono::steady_clock::now();
  CHECK(host.route(router, kTeam).first == SB_DEFER);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1200));
  CHECK_THAT(host.log(), Catch::Contains("deferred to the next strategy: the endpoint answered "
                                         "HTTP 503: maintenance"));
  CHECK_THAT(host.log(), Catch::Contains("no answer within 200 ms (timeout)"));
}

TEST_CASE("plugin: no candidates and dry runs ask no one") {
  FakeOpenAiServer endpoint("/route");
  Host host;
  auto router = host.router("routing-external", config_for(endpoint));
  CHECK(host.route(router, {}).first == SB_DEFER);
  // A dry run: pending (it would decide later), answered at once with a deferral.
  CHECK(host.route(router, kTeam, "").first == SB_DEFER);
  CHECK(host.pending_answers() == 1);
  CHECK(endpoint.requests().empty());
}

TEST_CASE("plugin: an instance without url is refused, naming the key") {
  Host host;
  CHECK_THROWS_WITH(host.router("routing-external"), Catch::Contains("url is required"));
}

TEST_CASE("round-robin: a dry run names whose turn it is and leaves the turn there") {
  Host host;
  auto router = host.router("routing-round-robin");
  CHECK(host.route(router, kTeam).second == "ann");
  CHECK(host.route(router, kTeam, "").second == "ben");
  CHECK(host.route(router, kTeam, "").second == "ben");
  CHECK(host.route(router, kTeam).second == "ben");
  CHECK(host.route(router, kTeam).second == "ann");
}
