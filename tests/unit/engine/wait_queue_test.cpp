// The tenant's line of waiting conversations: each at most once, oldest first,
// places counted within a group, and queue orders that only rise (across a restart).
#include "engine/wait_queue.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

using sb::engine::WaitQueue;

namespace {
std::vector<std::string> line(const WaitQueue& q) {
  return {q.begin(), q.end()};
}
}  // namespace

TEST_CASE("conversations wait in the order they joined, each once") {
  WaitQueue q;
  const int64_t first = q.join("c1", 1000);
  const int64_t second = q.join("c2", 1000);
  CHECK(q.join("c1", 2000) == 0);  // already waiting: keeps its place
  CHECK(line(q) == std::vector<std::string>{"c1", "c2"});
  CHECK(first > 0);
  CHECK(second > first);  // same millisecond, still strictly later
  CHECK(q.leave("c1"));
  CHECK_FALSE(q.leave("c1"));
  CHECK_FALSE(q.contains("c1"));
  CHECK(q.join("c1", 1000) > second);  // back at the end, later than anyone before
  CHECK(line(q) == std::vector<std::string>{"c2", "c1"});
}

TEST_CASE("queue orders are wall-clock microseconds and stay above a restored line") {
  WaitQueue q;
  CHECK(q.join("c1", 5) == 5000);
  WaitQueue restarted;
  restarted.restore("old1", 7000);
  restarted.restore("old2", 9000);
  restarted.note_order(12000);  // stored by one not in line (e.g. with an agent)
  // The clock went back (or the restart was quick): the new one still comes after.
  CHECK(restarted.join("new", 6) == 12001);
  CHECK(line(restarted) == std::vector<std::string>{"old1", "old2", "new"});
}

TEST_CASE("a place counts only those waiting in the same group") {
  WaitQueue q;
  const std::map<std::string, std::string> group{
      {"b1", "billing"}, {"s1", "sales"}, {"b2", "billing"}, {"s2", "sales"}};
  for (const auto& id : {"b1", "s1", "b2", "s2"}) q.join(id, 1);
  const auto same_as = [&](const std::string& id) {
    return [&, id](const std::string& other) { return group.at(other) == group.at(id); };
  };
  CHECK(q.position("b1", same_as("b1")) == 1);
  CHECK(q.position("b2", same_as("b2")) == 2);
  CHECK(q.position("s2", same_as("s2")) == 2);
  q.leave("s1");
  CHECK(q.position("s2", same_as("s2")) == 1);
  CHECK(q.position("s1", same_as("s2")) == 0);  // not waiting
}
