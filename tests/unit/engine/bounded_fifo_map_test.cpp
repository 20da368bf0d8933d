// The bounded FIFO map behind "who served this visitor last" and "which closed
// conversation may this visitor reopen": at most `capacity` keys, the oldest
// forgotten first, and a key taken out and put back is as new as any other.
#include "engine/bounded_fifo_map.hpp"

#include <catch2/catch.hpp>
#include <string>

using sb::engine::BoundedFifoMap;

TEST_CASE("beyond its capacity the map forgets the oldest key first") {
  BoundedFifoMap<std::string, int> map(2);
  map.insert_or_assign("a", 1);
  map.insert_or_assign("b", 2);
  map.insert_or_assign("c", 3);
  CHECK(map.size() == 2);
  CHECK_FALSE(map.contains("a"));
  REQUIRE(map.find("b"));
  CHECK(*map.find("b") == 2);
  CHECK(*map.find("c") == 3);
}

TEST_CASE("assigning a new value to a remembered key keeps its place in line") {
  BoundedFifoMap<std::string, int> map(2);
  map.insert_or_assign("a", 1);
  map.insert_or_assign("b", 2);
  CHECK_FALSE(map.insert_or_assign("a", 10));  // not new
  map.insert_or_assign("c", 3);                // "a" is still the oldest
  CHECK_FALSE(map.contains("a"));
  CHECK(map.contains("b"));
  CHECK(map.contains("c"));
}

TEST_CASE("insert keeps the value given first") {
  BoundedFifoMap<std::string, int> map(4);
  CHECK(map.insert("a", 1));
  CHECK_FALSE(map.insert("a", 2));
  CHECK(*map.find("a") == 1);
}

// reopen.cpp used to erase a reopened visitor from the map but not from its order
// list: once they closed again their stale entry sat at the front, and evicting it
// forgot their new conversation while the map held fewer keys than its capacity.
TEST_CASE("a key taken out and put back is not forgotten early by its old place") {
  BoundedFifoMap<std::string, int> map(2);
  map.insert_or_assign("visitor-a", 1);  // closed
  REQUIRE(map.take("visitor-a") == 1);   // reopened
  map.insert_or_assign("visitor-a", 2);  // closed again
  map.insert_or_assign("visitor-b", 3);  // someone else closes
  CHECK(map.size() == 2);
  REQUIRE(map.find("visitor-a"));
  CHECK(*map.find("visitor-a") == 2);
  CHECK(map.contains("visitor-b"));
  // visitor-a is now the oldest: the next one pushes them out, not visitor-b.
  map.insert_or_assign("visitor-c", 4);
  CHECK_FALSE(map.contains("visitor-a"));
  CHECK(map.contains("visitor-b"));
  CHECK(map.contains("visitor-c"));
}

TEST_CASE("erase forgets the key and its place, and says whether it was there") {
  BoundedFifoMap<std::string, int> map(3);
  map.insert_or_assign("a", 1);
  map.insert_or_assign("b", 2);
  CHECK(map.erase("a"));
  CHECK_FALSE(map.erase("a"));
  CHECK_FALSE(map.take("a"));
  map.insert_or_assign("c", 3);
  map.insert_or_assign("d", 4);
  CHECK(map.size() == 3);
  CHECK(map.contains("b"));
  map.insert_or_assign("a", 5);  // back, as the newest: "b" goes
  CHECK_FALSE(map.contains("b"));
  CHECK(*map.find("a") == 5);
}

TEST_CASE("many reopen cycles never shrink what the map remembers") {
  constexpr size_t kCapacity = 100;
  BoundedFifoMap<std::string, int> map(kCapacity);
  for (int round = 0; round < 1000; ++round) {
    const std::string visitor = "v" + std::to_string(round % 10);
    map.take(visitor);
    map.insert_or_assign(visitor, round);
  }
  for (int i = 0; i < 90; ++i) map.insert_or_assign("other" + std::to_string(i), i);
  // 10 cycling visitors + 90 others fit exactly.
  CHECK(map.size() == kCapacity);
  for (int v = 0; v < 10; ++v) CHECK(map.contains("v" + std::to_string(v)));
}
