// What the fault tests share: tenants sized for a load, and the end of a run that
// checks every promise of issue 13 against PostgreSQL and the clients' records.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "cluster/checks.hpp"
#include "cluster/cluster.hpp"
#include "cluster/load.hpp"

namespace sb::cl {

// `count` tenants t1..tN, each with `agents` agents of capacity `capacity`, limits
// well above the load, routed by least-busy.
inline std::vector<it::TenantSpec> load_tenants(int count, int agents, int capacity) {
  std::vector<it::TenantSpec> tenants;
  for (int t = 1; t <= count; ++t) {
    it::TenantSpec tenant;
    const auto number = std::to_string(t);
    tenant.id = std::string("t").append(number);
    tenant.name = std::string("Tenant ").append(number);
    tenant.max_connections = 2000;
    tenant.messages_per_second = 5000;
    tenant.connection_messages_per_second = 100;
    for (int a = 1; a <= agents; ++a) {
      const auto n = std::to_string(a);
      tenant.agents.push_back(
          {std::string("agent").append(n), std::string("Agent ").append(n), "agent", capacity});
    }
    tenants.push_back(std::move(tenant));
  }
  return tenants;
}

inline std::vector<std::string> ids_of(const std::vector<it::TenantSpec>& tenants) {
  std::vector<std::string> ids;
  for (const auto& t : tenants) ids.push_back(t.id);
  return ids;
}

// Load on every tenant of the cluster: `visitors` visitors each, each sending `rate`
// messages a second.
inline LoadOptions load_on_every_tenant(const Cluster& cluster, int visitors, double rate) {
  LoadOptions options;
  options.tenants = ids_of(cluster.options().tenants);
  options.visitors_per_tenant = visitors;
  options.messages_per_second_per_visitor = rate;
  return options;
}

// The node holding the most tenants' leases now, and those tenants.
inline std::pair<std::string, std::vector<std::string>> busiest_owner(Cluster& cluster) {
  std::map<std::string, std::vector<std::string>> by_node;
  for (const auto& [tenant, node] : cluster.lease_owners()) by_node[node].push_back(tenant);
  std::pair<std::string, std::vector<std::string>> best;
  for (auto& [node, tenants] : by_node) {
    bool known = false;
    for (size_t i = 0; i < cluster.size(); ++i) known = known || cluster.node(i).id() == node;
    // A lease under any other name (storage-postgres's default, the host name) means
    // the nodes share one identity in PostgreSQL, and nothing fences one from another.
    INFO("tenants " << tenants.size() << " leased by '" << node
                    << "', which is no node's [cluster] node_id");
    REQUIRE(known);
    if (tenants.size() > best.second.size()) best = {node, tenants};
  }
  return best;
}

// The visitors ("ld-t1-v3") with a message acknowledged after t.
inline std::set<std::string> visitors_acked_after(const Load& load, Clock::time_point t) {
  std::set<std::string> visitors;
  for (const auto& ack : load.acked())
    if (ack.at > t && ack.client_msg_id.find("-v") != std::string::npos)
      visitors.insert(ack.client_msg_id.substr(0, ack.client_msg_id.rfind('-')));
  return visitors;
}

// After a fault at `since`: waits until each of `visitors` visitors has had a message
// acknowledged more than 500 ms later (an ack already on its way at the fault does not
// count; a dead or frozen owner's tenants are acked again only by a new owner), then
// lets the load run `steady` longer, never past `since + limit` (the fixed wait this
// replaces, reached unchanged when service does not come back). Returns when it stopped.
inline Clock::time_point served_again(const Load& load, size_t visitors, Clock::time_point since,
                                      Clock::duration limit, Clock::duration steady = 2s) {
  const auto deadline = since + limit;
  while (Clock::now() < deadline && visitors_acked_after(load, since + 500ms).size() < visitors)
    std::this_thread::sleep_for(100ms);
  const auto served = Clock::now();
  std::this_thread::sleep_until(std::min(deadline, served + steady));
  const auto ms = [&](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t - since).count();
  };
  std::cout << "served again: "
            << (served < deadline ? "every visitor acked by +" : "not every visitor acked by +")
            << ms(served) << " ms; the load ran on to +" << ms(Clock::now()) << " ms (at most +"
            << ms(deadline) << ")" << std::endl;
  return Clock::now();
}

// Before a fault: waits until the load runs everywhere (each of `visitors` visitors has
// had a message acked, each of `agents` agents has been given a conversation), then
// `steady` longer, `limit` after `began` at most (the fixed wait this replaces).
inline void load_running(const Load& load, size_t visitors, size_t agents, Clock::time_point began,
                         Clock::duration limit, Clock::duration steady = 2s) {
  const auto deadline = began + limit;
  const auto running = [&] {
    if (visitors_acked_after(load, began).size() < visitors) return false;
    std::set<std::string> assigned;
    for (const auto& a : load.assignments()) assigned.insert(a.tenant + "/" + a.agent);
    return assigned.size() >= agents;
  };
  while (Clock::now() < deadline && !running()) std::this_thread::sleep_for(100ms);
  const auto ran = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began);
  std::this_thread::sleep_until(std::min(deadline, Clock::now() + steady));
  std::cout << "load running everywhere after " << ran.count() << " ms; the fault at +"
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began).count()
            << " ms" << std::endl;
}

// How many seconds `d` is, for a minimum of acks in proportion to a run's length.
inline double seconds_of(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// A wall-clock time as the nodes' logs stamp their lines: "[2026-12-06 02:20:13.299]".
inline std::string log_stamp(std::chrono::system_clock::time_point at) {
  const auto t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[40];
  const auto length = std::strftime(stamp, sizeof stamp, "[%Y-%m-%d %H:%M:%S", &tm);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count() % 1000;
  std::snprintf(stamp + length, sizeof stamp - length, ".%03d]", static_cast<int>(ms));
  return stamp;
}

// The nodes' log lines since `since` that say how tenants moved: the live nodes,
// lease take-overs and their failures, drops.
inline std::string ownership_lines_since(Cluster& cluster,
                                         std::chrono::system_clock::time_point since) {
  const auto stamp = log_stamp(since);
  std::string out;
  for (size_t i = 0; i < cluster.size(); ++i) {
    std::istringstream log(cluster.node(i).log());
    for (std::string line; std::getline(log, line);) {
      if (line.compare(0, stamp.size(), stamp) < 0) continue;
      for (const char* what : {"live nodes now", "owns it now", "cannot yet", "dropped at once",
                               "handed over", "lease epoch", "lease up"})
        if (line.find(what) != std::string::npos) {
          out += "  " + cluster.node(i).id() + " " + line.substr(0, 330) + "\n";
          break;
        }
    }
  }
  return out;
}

// The time a node's log line was stamped ("[2026-12-06 02:20:13.299] ..."), read back
// as log_stamp wrote it; nullopt for a line without a stamp.
inline std::optional<std::chrono::system_clock::time_point> log_line_time(const std::string& line) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(line.c_str(), "[%d-%d-%d %d:%d:%d.%d]", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&tm)) + std::chrono::milliseconds(ms);
}

// How a tenant changed owner after a fault, from the nodes' logs, in ms after it.
struct TakeTimes {
  std::vector<std::string> takers;      // each "this node owns it now" line's node
  std::optional<int64_t> taken_ms;      // the first of those lines
  std::optional<int64_t> lease_end_ms;  // when the last refusal before it said the lease ends
};

// Per tenant: who took it after `since` and when, and when the lease that refused the
// take last said it would end (a refusal's "for another N ms" after its stamp).
inline std::map<std::string, TakeTimes> take_times_since(
    Cluster& cluster, std::chrono::system_clock::time_point since) {
  static const std::regex taken(R"(tenant (\S+): this node owns it now)");
  static const std::regex refused(
      R"(tenant (\S+): this node should own it but cannot yet: .* for another (-?\d+) ms)");
  std::map<std::string, TakeTimes> out;
  const auto after = [&](std::chrono::system_clock::time_point at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at - since).count();
  };
  for (size_t i = 0; i < cluster.size(); ++i) {
    std::istringstream log(cluster.node(i).log());
    for (std::string line; std::getline(log, line);) {
      const auto at = log_line_time(line);
      if (!at || *at < since) continue;
      std::smatch m;
      if (std::regex_search(line, m, taken)) {
        auto& times = out[m[1]];
        times.takers.push_back(cluster.node(i).id());
        if (!times.taken_ms || after(*at) < *times.taken_ms) times.taken_ms = after(*at);
      } else if (std::regex_search(line, m, refused)) {
        auto& times = out[m[1]];
        if (!times.taken_ms) times.lease_end_ms = after(*at) + std::stoll(m[2]);
      }
    }
  }
  return out;
}

// Stops the load and checks: every client caught up with PostgreSQL, the clients saw
// nothing out of order, history is whole and exact, nothing assigned twice, nobody
// over capacity, and at least `min_acked` messages were acknowledged.
inline void finish_and_check(Cluster& cluster, Load& load, size_t min_acked) {
  load.stop_sending();
  std::string missing;
  const bool caught_up = eventually(
      [&] { return load.caught_up(last_stored_seqs(cluster.stored_messages()), missing); }, 15s);
  load.stop();
  std::cout << "cluster load: " << load.summary() << std::endl;
  INFO(load.summary());
  // Whatever fails below, the nodes' last words come with it.
  INFO("the nodes' logs:\n" << cluster.logs_tail(30));
  {
    INFO("clients behind PostgreSQL 15 s after the load stopped:\n" << missing);
    CHECK(caught_up);
  }
  const auto violations = load.violations();
  {
    INFO("what the clients saw:\n" << describe(violations));
    CHECK(violations.empty());
  }
  const auto acked = load.acked();
  const auto stored = cluster.stored_messages();
  const auto history = check_history(stored, acked);
  {
    INFO(acked.size() << " acked, " << stored.size() << " stored:\n" << describe(history));
    CHECK(history.empty());
  }
  const auto assignments = check_assignments(cluster.options().tenants,
                                             cluster.stored_conversations(), load.assignments());
  {
    INFO(describe(assignments));
    CHECK(assignments.empty());
  }
  CHECK(acked.size() >= min_acked);
}

}  // namespace sb::cl
