// The storage handover as the tenant's PluginStore does it: calls made while the
// store is held wait, in order, for the new instance; calls in flight finish on the
// old one, which is freed before the new one exists.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "plugin_host/plugin_host.hpp"
#include "server/plugin_adapters.hpp"
#include "switchboard/sb_plugin.h"

using namespace sb;
namespace fs = std::filesystem;

namespace {

struct PluginDir {
  fs::path path;
  PluginDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("sb-store-test-" + std::to_string(rd()));
    fs::create_directories(path);
    // abi-faulty-storage answers append_message as its text says (tests/abi/plugins).
    fs::copy_file(fs::path(SB_TEST_PLUGIN_DIR) / "abi-faulty-storage.so",
                  path / "abi-faulty-storage.so");
  }
  ~PluginDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

template <class Pred>
bool run_until(boost::asio::io_context& io, Pred pred) {
  auto guard = boost::asio::make_work_guard(io);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!pred() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return pred();
}

engine::StoredMessage message(const std::string& text, uint64_t seq) {
  engine::StoredMessage m;
  m.conversation_id = "c1";
  m.message_id = "m" + std::to_string(seq);
  m.seq = seq;
  m.sender_role = "visitor";
  m.text = text;
  return m;
}

}  // namespace

TEST_CASE("calls made during a storage handover wait and reach the new instance in order") {
  PluginDir dir;
  plugin_host::PluginHost host(dir.path, {});
  host.scan();
  std::string error;
  auto first = host.create_instance("abi-faulty-storage", "acme", {}, dir.path / "data", error);
  REQUIRE(first);
  boost::asio::io_context io;
  auto store = std::make_shared<server::PluginStore>(first, boost::asio::make_strand(io));

  // In flight on the old instance: its own thread completes it 20 ms later.
  std::optional<engine::StoreResult> in_flight;
  store->append_message(message("later", 1),
                        [&](engine::StoreResult r) { in_flight = std::move(r); });

  auto old = store->hold();
  REQUIRE(old == first);
  first.reset();
  CHECK(store->hold() == nullptr);  // one handover at a time

  std::vector<std::string> answered;
  for (int i = 2; i <= 4; ++i)
    store->append_message(message("complete", i), [&, i](engine::StoreResult r) {
      answered.push_back(std::to_string(i) + ":" + r.body);
    });
  CHECK(store->waiting_calls() == 3);

  bool freed = false;
  old->after_free([&] { freed = true; });
  old.reset();
  // The call in flight is answered by the old code, and only then is it freed; the
  // waiting calls are not answered by anyone yet.
  REQUIRE(run_until(io, [&] { return in_flight.has_value() && freed; }));
  CHECK(in_flight->body == "done later");
  io.restart();
  io.run_for(std::chrono::milliseconds(50));
  CHECK(answered.empty());

  auto second = host.create_instance("abi-faulty-storage", "acme", {}, dir.path / "data", error);
  REQUIRE(second);
  store->resume(second);
  REQUIRE(run_until(io, [&] { return answered.size() == 3; }));
  CHECK(answered == std::vector<std::string>{"2:stored", "3:stored", "4:stored"});
  CHECK(store->waiting_calls() == 0);

  // Later calls go straight to the new instance.
  std::optional<engine::StoreResult> after;
  store->append_message(message("complete", 5), [&](engine::StoreResult r) { after = r; });
  REQUIRE(run_until(io, [&] { return after.has_value(); }));
  CHECK(after->body == "stored");
}

TEST_CASE("a store whose storage could not be opened again fails its calls at once") {
  PluginDir dir;
  plugin_host::PluginHost host(dir.path, {});
  host.scan();
  std::string error;
  auto instance = host.create_instance("abi-faulty-storage", "acme", {}, dir.path / "data", error);
  REQUIRE(instance);
  boost::asio::io_context io;
  auto store = std::make_shared<server::PluginStore>(instance, boost::asio::make_strand(io));
  instance.reset();

  REQUIRE(store->hold());
  std::optional<engine::StoreResult> waited;
  store->append_message(message("complete", 1), [&](engine::StoreResult r) { waited = r; });
  store->resume(nullptr);
  REQUIRE(run_until(io, [&] { return waited.has_value(); }));
  CHECK(waited->status == SB_ERROR);
  CHECK_THAT(waited->error, Catch::Contains("storage unavailable"));

  // Nothing to hand over any more, and nothing waits: calls keep failing at once.
  CHECK(store->hold() == nullptr);
  std::optional<engine::StoreResult> later;
  store->kv_get("ns", "key", [&](engine::StoreResult r) { later = r; });
  REQUIRE(run_until(io, [&] { return later.has_value(); }));
  CHECK(later->status == SB_ERROR);
  CHECK(store->waiting_calls() == 0);
}
