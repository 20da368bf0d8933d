// The guard around every plugin call: exceptions and errors become SB_ERROR, the host
// survives, the per-instance circuit breaker opens and closes, timeouts answer for
// ops that never complete, and late completions are dropped without a second
// callback or a crash. Short timeouts keep this fast.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <thread>

#include "abi_test_support.hpp"
#include "plugin_host/plugin_host.hpp"
#include "plugin_host/routing_client.hpp"
#include "plugin_host/storage_client.hpp"

using namespace sb::plugin_host;
using namespace sb::abi_test;
using namespace std::chrono_literals;

namespace {

struct GuardsFixture {
  TempDir dir;
  CapturedLog log;
  boost::asio::io_context io;
  std::unique_ptr<PluginHost> host;

  GuardsFixture() {
    copy_test_plugins(dir.path(), {"abi-faulty-storage", "abi-faulty-storage-1-8",
                                   "abi-faulty-storage-1-11", "abi-faulty-router"});
    HostOptions options;
    options.call_timeout = 100ms;
    options.breaker_failures = 3;
    options.breaker_cooldown = 300ms;
    options.logger = log.logger;
    host = std::make_unique<PluginHost>(dir.path(), options);
    host->scan();
  }

  std::shared_ptr<Instance> instance(const char* plugin, const char* tenant = "acme") {
    std::string error;
    auto made = host->create_instance(plugin, tenant, {}, dir.path() / tenant, error);
    INFO(error);
    REQUIRE(made);
    return made;
  }
};

// Appends one message whose text tells the plugin what to do; counts callbacks.
struct Append {
  int calls = 0;
  CallResult last;
  void send(StorageClient& storage, boost::asio::io_context& io, const std::string& command) {
    MessageRecord message;
    message.conversation_id = "c_1";
    message.text = command;
    storage.append_message(message, io.get_executor(), [this](CallResult r) {
      ++calls;
      last = std::move(r);
    });
  }
};

CallResult append_once(StorageClient& storage, boost::asio::io_context& io,
                       const std::string& command) {
  Append append;
  append.send(storage, io, command);
  REQUIRE(run_until(io, [&] { return append.calls == 1; }));
  run_for(io, 5ms);  // a second callback would show up here
  REQUIRE(append.calls == 1);
  return append.last;
}

}  // namespace

TEST_CASE_METHOD(GuardsFixture,
                 "a hook that throws or fails yields SB_ERROR and the host carries on") {
  StorageClient storage(instance("abi-faulty-storage"));

  const auto thrown = append_once(storage, io, "throw");
  CHECK(thrown.status == SB_ERROR);
  CHECK_THAT(thrown.error, Catch::Contains("boom"));

  const auto failed = append_once(storage, io, "error");
  CHECK(failed.status == SB_ERROR);
  CHECK(failed.error == "disk on fire");

  // Every way of succeeding still works afterwards.
  CHECK(append_once(storage, io, "ok").status == SB_OK);
  CHECK(append_once(storage, io, "complete").result == "stored");
  const auto later = append_once(storage, io, "later");
  CHECK(later.status == SB_OK);
  CHECK(later.result == "done later");

  // A callback is never run inline, even for an immediate answer.
  Append append;
  append.send(storage, io, "error");
  CHECK(append.calls == 0);
  REQUIRE(run_until(io, [&] { return append.calls == 1; }));
}

TEST_CASE_METHOD(GuardsFixture,
                 "the circuit opens after N failures in a row and closes after the cool-down") {
  auto failing = instance("abi-faulty-storage", "acme");
  auto neighbour = instance("abi-faulty-storage", "globex");
  StorageClient storage(failing);
  StorageClient other_tenant(neighbour);

  CHECK(append_once(storage, io, "error").status == SB_ERROR);
  CHECK(append_once(storage, io, "ok").status == SB_OK);  // a success resets the count
  CHECK(append_once(storage, io, "error").status == SB_ERROR);
  CHECK(append_once(storage, io, "throw").status == SB_ERROR);
  CHECK_FALSE(failing->breaker_open());
  CHECK(append_once(storage, io, "error").status == SB_ERROR);
  CHECK(failing->breaker_open());
  CHECK(log.count("[abi-faulty-storage acme] circuit open after 3 consecutive failures") == 1);

  // Open: calls fail at once without reaching the plugin.
  const auto refused = append_once(storage, io, "ok");
  CHECK(refused.status == SB_ERROR);
  CHECK(refused.error == "circuit open");
  // Per tenant: the other tenant's instance of the same plugin is unaffected.
  CHECK(append_once(other_tenant, io, "ok").status == SB_OK);

  SECTION("a successful trial after the cool-down closes it") {
    run_for(io, 350ms);
    CHECK_FALSE(failing->breaker_open());
    CHECK(append_once(storage, io, "ok").status == SB_OK);
    CHECK(append_once(storage, io, "error").status == SB_ERROR);  // one failure does not re-open
    CHECK_FALSE(failing->breaker_open());
  }
  SECTION("a failed trial opens it again") {
    run_for(io, 350ms);
    CHECK(append_once(storage, io, "error").status == SB_ERROR);
    CHECK(failing->breaker_open());
    CHECK(append_once(storage, io, "ok").error == "circuit open");
  }
}

// ABI 1.11: a plugin that refuses a bad request (SB_REFUSED) is not failing. Before
// it, every refusal was an SB_ERROR and counted: three bad requests in a row made
// the tenant's storage "circuit open" for everyone.
TEST_CASE_METHOD(GuardsFixture,
                 "refused requests reach the caller as errors but never open the circuit") {
  auto refusing = instance("abi-faulty-storage-1-11");
  StorageClient storage(refusing);

  for (int i = 0; i < 10; ++i) {
    const auto refused = append_once(storage, io, i % 2 ? "refuse" : "refuse later");
    CHECK(refused.status == SB_ERROR);  // callers see an error, with the plugin's words
    CHECK(refused.error == "bad request");
    CHECK(refused.refused);
  }
  CHECK_FALSE(refusing->breaker_open());
  CHECK(append_once(storage, io, "ok").status == SB_OK);
  CHECK(log.count("circuit open") == 0);
  const auto failed = append_once(storage, io, "error");
  CHECK_FALSE(failed.refused);                            // a failure is not a refusal
  CHECK(append_once(storage, io, "ok").status == SB_OK);  // and the count starts again

  SECTION("refusals neither count as failures nor reset their count") {
    CHECK(append_once(storage, io, "error").status == SB_ERROR);
    CHECK(append_once(storage, io, "refuse").status == SB_ERROR);
    CHECK(append_once(storage, io, "error").status == SB_ERROR);
    CHECK(append_once(storage, io, "refuse later").status == SB_ERROR);
    CHECK_FALSE(refusing->breaker_open());
    CHECK(append_once(storage, io, "error").status == SB_ERROR);  // the third failure
    CHECK(refusing->breaker_open());
    CHECK(append_once(storage, io, "refuse").error == "circuit open");
  }
  SECTION("a refused trial decides nothing: the next call is the trial") {
    for (int i = 0; i < 3; ++i) append_once(storage, io, "error");
    REQUIRE(refusing->breaker_open());
    run_for(io, 350ms);
    CHECK(append_once(storage, io, "refuse").error == "bad request");  // the trial
    // Not closed by it (the backend was not tried), nor stuck half-open: the next
    // call goes through as the next trial and its failure opens the circuit again.
    CHECK(append_once(storage, io, "refuse later").error == "bad request");
    CHECK(append_once(storage, io, "error").error == "disk on fire");
    CHECK(refusing->breaker_open());
    CHECK(append_once(storage, io, "ok").error == "circuit open");
    run_for(io, 650ms);
    CHECK(append_once(storage, io, "ok").status == SB_OK);
    CHECK_FALSE(refusing->breaker_open());
  }
}

// ABI rule 7: SB_REFUSED is 1.11's. A plugin that states an older version cannot
// mean it; believed, any plugin could answer 6 to keep its failures from the
// breaker. From abi-faulty-storage (it states 1.0) both a returned and a completed 6
// are failures: counted, not marked refused, and said once in the log.
TEST_CASE_METHOD(GuardsFixture,
                 "SB_REFUSED from a plugin that states an ABI before 1.11 is a failure") {
  auto older = instance("abi-faulty-storage");
  StorageClient storage(older);
  for (const char* command : {"refuse", "refuse later", "refuse"}) {
    const auto r = append_once(storage, io, command);
    CHECK(r.status == SB_ERROR);
    CHECK(r.error == "bad request");  // the plugin's words still reach the caller
    CHECK_FALSE(r.refused);
  }
  CHECK(older->breaker_open());  // three failures in a row
  CHECK(log.count("[abi-faulty-storage acme] the plugin states ABI 1.0 but answered "
                  "SB_REFUSED") == 1);
}

TEST_CASE_METHOD(GuardsFixture,
                 "an op that never completes times out and its late completion is dropped") {
  auto made = instance("abi-faulty-storage");
  StorageClient storage(made);

  Append never;
  never.send(storage, io, "never");
  REQUIRE(run_until(io, [&] { return never.calls == 1; }));
  CHECK(never.last.status == SB_ERROR);
  CHECK(never.last.error == "timed out after 100 ms");

  // The plugin completes the timed-out op late, from its own thread, then this one.
  // Dropping our reference first: the instance must live until both completed.
  Append release;
  release.send(storage, io, "release");
  made.reset();
  storage = StorageClient(storage.instance());
  REQUIRE(run_until(io, [&] { return release.calls == 1; }));
  CHECK(release.last.result == "released");
  run_for(io, 50ms);
  CHECK(never.calls == 1);
  CHECK(release.calls == 1);
}

// The timeouts of one instance's ops are kept by one timer set for the soonest
// (Instance::watch): a call with a shorter timeout than those before it must still
// time out at its own, and calls answered in time must leave the next one's timeout
// in force.
TEST_CASE_METHOD(GuardsFixture, "each op times out at its own deadline, whatever came before it") {
  auto made = instance("abi-faulty-storage");
  const sb_storage_api* api = made->storage_api();
  REQUIRE(api);
  struct Call {
    int calls = 0;
    CallResult last;
    std::chrono::steady_clock::time_point at;
  };
  auto never = [&](Call& call, std::chrono::milliseconds timeout) {
    made->call_async(
        [api](sb_instance* inst, sb_op* op, sb_error* err) {
          const std::string_view text = "never";
          sb_message message{};
          message.struct_size = sizeof(sb_message);
          message.text = sb_str{text.data(), text.size()};
          return api->append_message(inst, &message, op, err);
        },
        io.get_executor(),
        [&call](CallResult r) {
          ++call.calls;
          call.last = std::move(r);
          call.at = std::chrono::steady_clock::now();
        },
        timeout);
  };
  Call slow, quick;
  const auto started = std::chrono::steady_clock::now();
  never(slow, 3000ms);
  never(quick, 40ms);
  REQUIRE(run_until(io, [&] { return quick.calls == 1; }));
  CHECK(quick.last.error == "timed out after 40 ms");
  CHECK(quick.at - started < 1500ms);  // not when the first op is due
  CHECK(slow.calls == 0);

  // Answered in time: none times out, and the next op's own timeout still holds.
  StorageClient storage(made);
  for (int i = 0; i < 20; ++i) CHECK(append_once(storage, io, "ok").status == SB_OK);
  Call again;
  const auto again_started = std::chrono::steady_clock::now();
  never(again, 40ms);
  REQUIRE(run_until(io, [&] { return again.calls == 1; }));
  CHECK(again.last.error == "timed out after 40 ms");
  CHECK(again.at - again_started < 1500ms);

  // The first op, still within its time, is answered by the plugin; the two that
  // timed out are answered late and dropped.
  CHECK(append_once(storage, io, "release").result == "released");
  REQUIRE(run_until(io, [&] { return slow.calls == 1; }));
  CHECK(slow.last.status == SB_OK);
  CHECK(slow.last.result == "late");
  run_for(io, 50ms);
  CHECK(quick.calls == 1);
  CHECK(again.calls == 1);
  CHECK(slow.calls == 1);
}

TEST_CASE_METHOD(GuardsFixture, "timeouts count toward the breaker") {
  auto made = instance("abi-faulty-storage");
  StorageClient storage(made);
  for (int i = 0; i < 3; ++i)
    CHECK(append_once(storage, io, "never").error == "timed out after 100 ms");
  CHECK(made->breaker_open());
  CHECK(append_once(storage, io, "release").error == "circuit open");
  run_for(io, 350ms);
  CHECK(append_once(storage, io, "release").result ==
        "released");  // trial: the kept ops finish late
  CHECK_FALSE(made->breaker_open());
}

TEST_CASE_METHOD(GuardsFixture, "many threads calling one instance get exactly one callback each") {
  StorageClient storage(instance("abi-faulty-storage"));
  constexpr int kThreads = 4;
  constexpr int kCallsPerThread = 500;
  std::atomic<int> callbacks{0};
  std::atomic<int> failures{0};
  auto guard = boost::asio::make_work_guard(io);
  std::vector<std::thread> runners;
  for (int i = 0; i < 2; ++i) runners.emplace_back([&] { io.run(); });

  std::vector<std::thread> callers;
  for (int t = 0; t < kThreads; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        MessageRecord message;
        message.text = (i + t) % 2 ? "complete" : "ok";
        storage.append_message(message, io.get_executor(), [&](CallResult r) {
          if (r.status != SB_OK) ++failures;
          ++callbacks;
        });
      }
    });
  }
  for (auto& c : callers) c.join();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (callbacks < kThreads * kCallsPerThread && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  guard.reset();
  io.stop();
  for (auto& r : runners) r.join();
  CHECK(callbacks == kThreads * kCallsPerThread);
  CHECK(failures == 0);
}

// A storage writer completes its batch op after op from its own thread; the host
// hands them to each op's executor together, in the order they came, each once.
TEST_CASE_METHOD(GuardsFixture,
                 "completions given together reach each op's executor once, in the order given") {
  StorageClient storage(instance("abi-faulty-storage"));
  boost::asio::io_context other;
  std::vector<int> here;
  std::vector<int> there;
  std::vector<CallResult> results;
  for (int i = 0; i < 6; ++i) {
    const bool elsewhere = i % 3 == 2;
    MessageRecord message;
    message.text = "never";  // kept, then completed by "release" from the plugin's thread
    storage.append_message(message, elsewhere ? other.get_executor() : io.get_executor(),
                           [&, i, elsewhere](CallResult r) {
                             (elsewhere ? there : here).push_back(i);
                             results.push_back(std::move(r));
                           });
  }
  std::optional<CallResult> released;
  MessageRecord release;
  release.text = "release";
  storage.append_message(release, io.get_executor(), [&](CallResult r) {
    here.push_back(6);
    released = std::move(r);
  });
  REQUIRE(run_until(io, [&] { return released.has_value(); }));
  REQUIRE(run_until(other, [&] { return there.size() == 2; }));
  run_for(io, 5ms);  // a second callback would show up here
  run_for(other, 5ms);
  CHECK(here == std::vector<int>{0, 1, 3, 4, 6});
  CHECK(there == std::vector<int>{2, 5});
  CHECK(released->result == "released");
  REQUIRE(results.size() == 6);
  for (const auto& r : results) {
    CHECK(r.status == SB_OK);
    CHECK(r.result == "late");
  }
}

TEST_CASE_METHOD(
    GuardsFixture,
    "route: failures are SB_ERROR, pending answers arrive once, bad indexes are errors") {
  auto made = instance("abi-faulty-router");
  RoutingClient router(made);
  const std::vector<AgentCandidate> candidates = {{"agent-a", "A", 0, 2}, {"agent-b", "B", 1, 2}};
  RouteQuery query;
  query.candidates = &candidates;
  int pending_calls = 0;
  CallResult pending_result;
  auto on_pending = [&](CallResult r) {
    ++pending_calls;
    pending_result = std::move(r);
  };

  query.attributes_json = R"({"do":"throw"})";
  auto thrown = router.route(query, io.get_executor(), on_pending);
  CHECK(thrown.status == SB_ERROR);
  CHECK_THAT(thrown.error, Catch::Contains("route boom"));

  query.attributes_json = R"({"do":"error"})";
  CHECK(router.route(query, io.get_executor(), on_pending).error == "no luck");

  query.attributes_json = R"({"do":"out-of-range"})";
  CHECK(router.route(query, io.get_executor(), on_pending).status == SB_ERROR);
  CHECK(made->breaker_open());  // three failures in a row

  run_for(io, 350ms);
  query.attributes_json = R"({"do":"pending"})";
  CHECK(router.route(query, io.get_executor(), on_pending).status == SB_PENDING);
  REQUIRE(run_until(io, [&] { return pending_calls == 1; }));
  CHECK(pending_result.status == SB_OK);
  CHECK(pending_result.result == "agent-a");
  CHECK_FALSE(made->breaker_open());
  CHECK(pending_calls == 0 + 1);

  SECTION("call_sync guards a hook called without an op") {
    query.attributes_json = R"({"do":"throw"})";
    sb_route_request request{};
    request.struct_size = sizeof(request);
    request.attributes_json = sb_str{query.attributes_json.data(), query.attributes_json.size()};
    std::string error;
    const int32_t status = made->call_sync(
        [&](sb_instance* inst, sb_error* err) {
          size_t index = 0;
          return made->routing_api()->route(inst, &request, &index, nullptr, err);
        },
        error);
    CHECK(status == SB_ERROR);
    CHECK_THAT(error, Catch::Contains("route boom"));
  }
  CHECK(pending_calls == 1);
}

TEST_CASE_METHOD(GuardsFixture,
                 "a 1.0 storage plugin still loads, and its missing 1.2 blob calls are refused") {
  StorageClient storage(instance("abi-faulty-storage"));
  CHECK_FALSE(storage.has_blobs());
  std::optional<CallResult> put;
  storage.blob_put(BlobRecord{"att_1", "{}", "bytes", 0}, io.get_executor(),
                   [&](CallResult r) { put = std::move(r); });
  REQUIRE(run_until(io, [&] { return put.has_value(); }));
  CHECK(put->status == SB_NOT_SUPPORTED);
  CHECK_THAT(put->error, Catch::Contains("keeps no files"));
  // Not the plugin's failure: the breaker does not count it.
  CHECK(append_once(storage, io, "ok").status == SB_OK);
  CHECK_FALSE(storage.instance()->breaker_open());
}

TEST_CASE_METHOD(GuardsFixture,
                 "a storage plugin older than 1.3 still loads, and search answers not supported") {
  StorageClient storage(instance("abi-faulty-storage"));
  CHECK_FALSE(storage.has_search());
  std::optional<CallResult> found;
  storage.search(R"({"q":"hello"})", io.get_executor(),
                 [&](CallResult r) { found = std::move(r); });
  REQUIRE(run_until(io, [&] { return found.has_value(); }));
  CHECK(found->status == SB_NOT_SUPPORTED);
  CHECK_THAT(found->error, Catch::Contains("cannot search"));
  CHECK(append_once(storage, io, "ok").status == SB_OK);
  CHECK_FALSE(storage.instance()->breaker_open());
}

TEST_CASE_METHOD(GuardsFixture,
                 "a storage plugin older than 1.4 still loads, and its logs answer not supported") {
  StorageClient storage(instance("abi-faulty-storage"));
  CHECK_FALSE(storage.has_logs());
  std::optional<CallResult> appended;
  std::optional<CallResult> listed;
  storage.log_append({"audit", "routing.saved", "root", "{}", 1}, io.get_executor(),
                     [&](CallResult r) { appended = std::move(r); });
  storage.log_list(R"({"log":"audit"})", io.get_executor(),
                   [&](CallResult r) { listed = std::move(r); });
  REQUIRE(run_until(io, [&] { return appended.has_value() && listed.has_value(); }));
  CHECK(appended->status == SB_NOT_SUPPORTED);
  CHECK_THAT(appended->error, Catch::Contains("keeps no logs"));
  CHECK(listed->status == SB_NOT_SUPPORTED);
  // Not held against the plugin: its other calls go on.
  CHECK(append_once(storage, io, "ok").status == SB_OK);
  CHECK_FALSE(storage.instance()->breaker_open());
}

TEST_CASE_METHOD(GuardsFixture,
                 "a storage plugin older than 1.10 still loads, and load_reads answers not "
                 "supported") {
  // One with the function's slot left NULL (1.0, a full-size table) and one whose
  // table ends before the slot (1.8): neither is called, neither is counted.
  for (const char* plugin : {"abi-faulty-storage", "abi-faulty-storage-1-8"}) {
    INFO(plugin);
    StorageClient storage(instance(plugin));
    CHECK_FALSE(storage.has_load_reads());
    std::optional<CallResult> loaded;
    storage.load_reads(R"({"conversation_ids":["c_1"]})", io.get_executor(),
                       [&](CallResult r) { loaded = std::move(r); });
    REQUIRE(run_until(io, [&] { return loaded.has_value(); }));
    CHECK(loaded->status == SB_NOT_SUPPORTED);
    CHECK_THAT(loaded->error, Catch::Contains("gives no read positions back"));
    CHECK(append_once(storage, io, "ok").status == SB_OK);
    CHECK_FALSE(storage.instance()->breaker_open());
  }
}
