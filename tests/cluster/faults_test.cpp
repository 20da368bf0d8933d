// Issue 13's promises under faults: three nodes, one PostgreSQL, one Redis, six
// tenants, sixty visitors and twelve agents spread over the nodes writing several
// hundred messages a second; then a node is killed, a node is frozen and thawed,
// PostgreSQL is restarted, Redis is restarted. After each run the checker asserts:
// every acknowledged message stored exactly once at the seq its ack named, seqs
// 1..N without a gap per conversation, each client's stream strictly increasing,
// every agent caught up with PostgreSQL, no conversation assigned twice, no agent
// over capacity.
//
// [baseline] runs the same load and checks against one node (what the core does
// today), so the harness and its checker are proven on a deployment known to work.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <optional>
#include <string>

#include "cluster/scenario.hpp"

using namespace sb::cl;

namespace {

// LSAN_OPTIONS with a suppression file for the servers started while it lives (they
// inherit it); the test process's own value comes back afterwards.
class ScopedLeakSuppressions {
 public:
  explicit ScopedLeakSuppressions(const std::string& file) {
    if (const char* old = std::getenv("LSAN_OPTIONS")) old_ = old;
    const std::string value = (old_ ? *old_ + ":" : std::string()) + "suppressions=" + file;
    ::setenv("LSAN_OPTIONS", value.c_str(), 1);
  }
  ~ScopedLeakSuppressions() {
    if (old_)
      ::setenv("LSAN_OPTIONS", old_->c_str(), 1);
    else
      ::unsetenv("LSAN_OPTIONS");
  }
  ScopedLeakSuppressions(const ScopedLeakSuppressions&) = delete;
  ScopedLeakSuppressions& operator=(const ScopedLeakSuppressions&) = delete;

 private:
  std::optional<std::string> old_;
};

constexpr int kTenants = 6;
constexpr int kVisitorsPerTenant = 10;
constexpr double kRatePerVisitor = 6;  // 6 tenants x 10 visitors x 6/s = 360 messages/s

ClusterOptions load_cluster(int nodes) {
  ClusterOptions options;
  options.nodes = nodes;
  // Two agents of capacity 5 per tenant: exactly a place for each of its ten
  // visitors, so a conversation given out twice puts an agent over capacity.
  options.tenants = load_tenants(kTenants, 2, kVisitorsPerTenant / 2);
  return options;
}

LoadOptions load_options(const Cluster& cluster) {
  return load_on_every_tenant(cluster, kVisitorsPerTenant, kRatePerVisitor);
}

// Half the offered rate over `seconds` of load (where service was offered): far more
// than a run that stalled.
size_t min_acked(double seconds) {
  return static_cast<size_t>(kTenants * kVisitorsPerTenant * kRatePerVisitor * seconds / 2);
}

}  // namespace

TEST_CASE("one node: the load's clients and the checker find every promise kept",
          "[cluster][baseline]") {
  Cluster cluster(load_cluster(1));
  Load load(cluster, load_options(cluster));
  load.start();
  std::this_thread::sleep_for(6s);
  finish_and_check(cluster, load, min_acked(6));
}

TEST_CASE(
    "kill -9 of the busiest owner under load: nothing acked lost or doubled, its tenants "
    "served again within 5 s",
    "[cluster][faults][kill]") {
  Cluster cluster(load_cluster(3));
  Load load(cluster, load_options(cluster));
  load.start();
  const auto began = Clock::now();
  load_running(load, kTenants * kVisitorsPerTenant, kTenants * 2, began, 5s);

  const auto [victim, tenants] = busiest_owner(cluster);
  INFO("killed " << victim << ", owner of " << tenants.size() << " tenants");
  REQUIRE(!tenants.empty());
  const auto epochs = cluster.lease_epochs();
  const auto killed_at = Clock::now();
  const auto killed_wall = std::chrono::system_clock::now();
  cluster.node(victim).kill_hard();
  // Every visitor served again (the dead node's on another node), 2 s more; 10 s at most.
  const auto until = served_again(load, kTenants * kVisitorsPerTenant, killed_at, 10s);
  // Where the time went: the nodes' view, then each client's, in ms after the kill.
  std::cout << "killed " << victim << " (owner of " << tenants.size() << " tenants) at "
            << log_stamp(killed_wall) << "; after it:\n"
            << ownership_lines_since(cluster, killed_wall);
  for (const auto& tenant : tenants)
    std::cout << "tenant " << tenant << ": longest ack gap "
              << load.longest_ack_gap(tenant, killed_at, until).count() << " ms\n"
              << load.client_timeline(tenant, killed_at, until);
  std::cout << std::flush;
  // Every visitor, the dead node's included, is writing again (on another node).
  CHECK(visitors_acked_after(load, until - 2s).size() == kTenants * kVisitorsPerTenant);

  for (const auto& tenant : tenants) {
    const auto gap = load.longest_ack_gap(tenant, killed_at, until);
    INFO("tenant " << tenant << " went " << gap.count() << " ms without an ack");
    CHECK(gap <= 5s);
  }
  // Each of its tenants has a new owner, under a higher epoch.
  const auto owners = cluster.lease_owners();
  const auto after = cluster.lease_epochs();
  for (const auto& tenant : tenants) {
    INFO("tenant " << tenant);
    CHECK(owners.at(tenant) != victim);
    CHECK(after.at(tenant) > epochs.at(tenant));
  }
  finish_and_check(cluster, load, min_acked(seconds_of(until - began)));
}

TEST_CASE("a frozen owner (SIGSTOP) thawed later writes nothing stale", "[cluster][faults][stop]") {
  // A node frozen inside a write transaction has that session ended by PostgreSQL
  // (storage-postgres sets idle_in_transaction_session_timeout to half the lease, so
  // the lease row's lock is let go), and once thawed its next statement meets the
  // closed connection: libpqxx 6.4 loses that statement's result, the same library
  // leak as in the restart below (libpq_lost_result.supp). It happens when the
  // freeze lands inside a transaction: CI saw it once, on the frozen node.
  const ScopedLeakSuppressions libpq_lost_result(SWITCHBOARD_SOURCE_DIR
                                                 "/tests/cluster/libpq_lost_result.supp");
  Cluster cluster(load_cluster(3));
  Load load(cluster, load_options(cluster));
  load.start();
  const auto began = Clock::now();
  load_running(load, kTenants * kVisitorsPerTenant, kTenants * 2, began, 5s);

  const auto [frozen, tenants] = busiest_owner(cluster);
  INFO("froze " << frozen << ", owner of " << tenants.size() << " tenants");
  REQUIRE(!tenants.empty());
  const auto epochs = cluster.lease_epochs();
  const auto frozen_at = Clock::now();
  cluster.node(frozen).freeze();
  // Past its lease (3 s) and membership (3 heartbeats of 500 ms): until every visitor is
  // served again (its tenants' by another node), 1 s more; 8 s at most.
  const auto thawed_at = served_again(load, kTenants * kVisitorsPerTenant, frozen_at, 8s, 1s);
  for (const auto& tenant : tenants) {
    const auto gap = load.longest_ack_gap(tenant, frozen_at, thawed_at);
    INFO("tenant " << tenant << " went " << gap.count() << " ms without an ack while " << frozen
                   << " was frozen");
    CHECK(gap <= 5s);
  }
  const auto moved = cluster.lease_epochs();
  for (const auto& tenant : tenants) {
    INFO("tenant " << tenant);
    CHECK(moved.at(tenant) > epochs.at(tenant));
  }
  cluster.node(frozen).thaw();
  // The thawed node's writes in flight meet the new epoch; the load goes on.
  std::this_thread::sleep_for(6s);
  CHECK(visitors_acked_after(load, Clock::now() - 2s).size() == kTenants * kVisitorsPerTenant);
  finish_and_check(cluster, load, min_acked(seconds_of(Clock::now() - began)));
}

TEST_CASE(
    "PostgreSQL restarted under load: unavailable while down, never a false ack, served "
    "within 5 s of its return",
    "[cluster][faults][postgres]") {
  // The nodes check themselves for leaks as they stop (a sanitized build), and
  // libpqxx 6.4 loses a result for each statement the restart breaks: that one
  // library leak is suppressed for these nodes (libpq_lost_result.supp).
  const ScopedLeakSuppressions libpq_lost_result(SWITCHBOARD_SOURCE_DIR
                                                 "/tests/cluster/libpq_lost_result.supp");
  Cluster cluster(load_cluster(3));
  Load load(cluster, load_options(cluster));
  load.start();
  const auto began = Clock::now();
  load_running(load, kTenants * kVisitorsPerTenant, kTenants * 2, began, 4s);

  const auto unavailable_before = load.counters().unavailable.load();
  const auto stopped_at = Clock::now();
  cluster.postgres().stop();
  std::this_thread::sleep_for(3s);
  const auto unavailable_while_down = load.counters().unavailable.load() - unavailable_before;
  cluster.postgres().start();
  const auto back_at = Clock::now();
  // Every visitor acked again, 2 s more; 8 s at most.
  const auto until = served_again(load, kTenants * kVisitorsPerTenant, back_at, 8s);

  INFO(load.summary());
  // Senders were told, rather than left waiting or acked.
  CHECK(unavailable_while_down > 0);
  for (const auto& tenant : load_options(cluster).tenants) {
    const auto first = load.first_ack_after(tenant, back_at);
    INFO("tenant " << tenant);
    INFO("the nodes' logs:\n" << cluster.logs_tail(30));
    REQUIRE(first.has_value());
    CHECK(*first - back_at <= 5s);
  }
  // Every ack, those just before the stop included, is in PostgreSQL (the checker).
  finish_and_check(cluster, load, min_acked(seconds_of(until - began - (back_at - stopped_at))));
}

TEST_CASE("Redis restarted under load: nothing acked lost or doubled, delivery catches up by seq",
          "[cluster][faults][redis]") {
  Cluster cluster(load_cluster(3));
  Load load(cluster, load_options(cluster));
  load.start();
  const auto began = Clock::now();
  load_running(load, kTenants * kVisitorsPerTenant, kTenants * 2, began, 4s);

  const auto stopped_at = Clock::now();
  cluster.redis().stop();
  std::this_thread::sleep_for(3s);
  cluster.redis().start();
  const auto back_at = Clock::now();
  // Every visitor acked again, 2 s more; 8 s at most.
  const auto until = served_again(load, kTenants * kVisitorsPerTenant, back_at, 8s);

  for (const auto& tenant : load_options(cluster).tenants) {
    const auto first = load.first_ack_after(tenant, back_at);
    INFO("tenant " << tenant);
    REQUIRE(first.has_value());
    CHECK(*first - back_at <= 5s);
  }
  // The agents' streams: strictly increasing (violations) and whole (caught up).
  finish_and_check(cluster, load, min_acked(seconds_of(until - began - (back_at - stopped_at))));
}

TEST_CASE(
    "a new build of storage-postgres dropped into the plugin dir under load: each node keeps "
    "its own leases and nothing acked is lost or doubled",
    "[cluster][faults][swap]") {
  auto options = load_cluster(2);
  options.own_plugin_dir = true;
  Cluster cluster(std::move(options));
  Load load(cluster, load_options(cluster));
  load.start();
  const auto began = Clock::now();
  load_running(load, kTenants * kVisitorsPerTenant, kTenants * 2, began, 4s);
  const auto owners = cluster.lease_owners();
  const auto epochs = cluster.lease_epochs();

  // As an operator installs a build: beside the old one, then renamed over it.
  const auto plugin = cluster.plugin_dir() / "storage-postgres.so";
  std::filesystem::copy_file(std::filesystem::path(SWITCHBOARD_PLUGIN_DIR) / "storage-postgres.so",
                             plugin.string() + ".incoming");
  std::filesystem::rename(plugin.string() + ".incoming", plugin);
  // Every tenant's storage moves on both nodes: the owner's and the relayed one's.
  for (size_t i = 0; i < cluster.size(); ++i) {
    auto& node = cluster.node(i);
    for (const auto& tenant : load_options(cluster).tenants) {
      INFO(node.id() << " never moved tenant " << tenant << "'s storage\n" << cluster.logs_tail());
      REQUIRE(eventually(
          [&] {
            return node.log().find("tenant " + tenant + ": storage moved from storage-postgres") !=
                   std::string::npos;
          },
          20s));
    }
  }
  std::this_thread::sleep_for(3s);

  // The new instances are the same nodes to PostgreSQL: each tenant's lease stays with
  // its owner (busiest_owner refuses a lease under any name but a node's), and a
  // relayed node's new instance took none.
  busiest_owner(cluster);
  const auto owners_after = cluster.lease_owners();
  for (const auto& [tenant, owner] : owners) {
    INFO("tenant " << tenant << " was leased by " << owner);
    CHECK(owners_after.at(tenant) == owner);
  }
  CHECK(visitors_acked_after(load, Clock::now() - 2s).size() == kTenants * kVisitorsPerTenant);
  INFO("epochs before the swap: " << Catch::Detail::stringify(epochs));
  finish_and_check(cluster, load, min_acked(seconds_of(Clock::now() - began)));
}

TEST_CASE(
    "kill -9 of a node owning many tenants: the survivor takes them all, each once, nothing "
    "acked lost",
    "[cluster][faults][takeover]") {
  // Two nodes, so the survivor takes every tenant of the dead one at once (about half
  // of them): the case of a node taking many tenants after a failure.
  constexpr int kManyTenants = 24;
  constexpr int kVisitors = 2;
  constexpr double kRate = 2;  // 24 tenants x 2 visitors x 2/s = 96 messages/s
  ClusterOptions options;
  options.nodes = 2;
  options.tenants = load_tenants(kManyTenants, 1, kVisitors);
  // Each node starts 24 tenants relayed, then takes its half.
  options.ready_timeout = 60s;
  Cluster cluster(options);
  LoadOptions load_options;
  load_options.tenants = ids_of(cluster.options().tenants);
  load_options.visitors_per_tenant = kVisitors;
  load_options.messages_per_second_per_visitor = kRate;
  Load load(cluster, load_options);
  load.start();
  const auto began = Clock::now();
  load_running(load, kManyTenants * kVisitors, kManyTenants, began, 5s);

  const auto [victim, tenants] = busiest_owner(cluster);
  INFO("killed " << victim << ", owner of " << tenants.size() << " tenants");
  REQUIRE(tenants.size() >= kManyTenants / 3);
  auto& survivor = *cluster.other_nodes(cluster.node(victim)).front();
  const auto epochs = cluster.lease_epochs();
  const auto killed_at = Clock::now();
  const auto killed_wall = std::chrono::system_clock::now();
  cluster.node(victim).kill_hard();
  // Every lease of the dead node passes to the survivor (the row names the dead node
  // until then).
  for (const auto& tenant : tenants) {
    INFO("tenant " << tenant << "\n" << cluster.logs_tail(30));
    CHECK(eventually([&] { return cluster.lease_owners().at(tenant) == survivor.id(); }, 30s));
  }
  // Every visitor served again, 2 s more; 4 s after the last take at most.
  const auto until =
      served_again(load, kManyTenants * kVisitors, killed_at, Clock::now() - killed_at + 4s);

  // Where the time went: per tenant, when the lease that refused the survivor ended
  // and when the survivor took it, in ms after the kill.
  const auto takes = take_times_since(cluster, killed_wall);
  std::cout << "killed " << victim << " (owner of " << tenants.size() << " tenants) at "
            << log_stamp(killed_wall) << "; after it:\n";
  int64_t last_taken = 0;
  int64_t last_after_lease = 0;
  for (const auto& tenant : tenants) {
    const auto it = takes.find(tenant);
    if (it == takes.end() || !it->second.taken_ms) continue;
    const auto& t = it->second;
    last_taken = std::max(last_taken, *t.taken_ms);
    std::cout << "tenant " << tenant << ": taken at +" << *t.taken_ms;
    if (t.lease_end_ms) {
      last_after_lease = std::max(last_after_lease, *t.taken_ms - *t.lease_end_ms);
      std::cout << ", its lease ended at +" << *t.lease_end_ms << " ("
                << *t.taken_ms - *t.lease_end_ms << " ms before the take)";
    }
    std::cout << "; longest ack gap " << load.longest_ack_gap(tenant, killed_at, until).count()
              << " ms\n";
  }
  std::cout << "takeover of " << tenants.size() << " tenants: last taken at +" << last_taken
            << " ms, at most " << last_after_lease << " ms after its lease ended\n"
            << std::flush;

  // Each tenant of the dead node taken exactly once, by the survivor, under a higher
  // epoch; the survivor says it serves what placement gives it.
  for (const auto& tenant : tenants) {
    INFO("tenant " << tenant << "\n" << ownership_lines_since(cluster, killed_wall));
    const auto it = takes.find(tenant);
    REQUIRE(it != takes.end());
    CHECK(it->second.takers == std::vector<std::string>{survivor.id()});
    CHECK(cluster.lease_epochs().at(tenant) > epochs.at(tenant));
  }
  CHECK(survivor.log().find("dropped at once") == std::string::npos);
  cluster.wait_ready(survivor, 10s);
  // Every visitor, the dead node's included, is writing again (on the survivor).
  CHECK(visitors_acked_after(load, until - 2s).size() == kManyTenants * kVisitors);
  // Half the offered rate, as min_acked.
  finish_and_check(
      cluster, load,
      static_cast<size_t>(kManyTenants * kVisitors * kRate * (seconds_of(until - began) - 1) / 2));
}
