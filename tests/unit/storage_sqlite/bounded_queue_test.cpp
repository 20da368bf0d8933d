// BoundedQueue (plugins/storage-sqlite/bounded_queue.hpp), the queue between the
// hooks and a storage worker: first in, first out across partial takes, bounded by
// what is pending, and, once warm, no allocation per op (a deque allocated a block
// for every WriteOp-sized push: RESULTS.md, the twenty-first pass).
#include "bounded_queue.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <vector>

#include "support/counting_new.hpp"

using switchboard::sqlite::BoundedQueue;

namespace {
// As large as a WriteOp (280 bytes), which a deque's 512-byte block holds one of.
struct BigOp {
  int n = 0;
  char payload[276] = {};
};
}  // namespace

TEST_CASE("the storage queue keeps order across partial takes and bounds what is pending",
          "[bounded_queue]") {
  BoundedQueue<BigOp> queue(6);
  std::vector<BigOp> out;
  int next_in = 0, next_out = 0;
  auto push = [&] { return queue.push(BigOp{next_in++, {}}); };
  for (int i = 0; i < 5; ++i) REQUIRE(push());
  // Taken in twos, with pushes in between: the taken prefix is dropped as it goes.
  for (int round = 0; round < 40; ++round) {
    REQUIRE(queue.pop_batch(out, 2));
    REQUIRE(!out.empty());
    for (const auto& op : out) REQUIRE(op.n == next_out++);
    queue.finished(out.size());
    while (push()) {
    }
    --next_in;  // the refused one was not queued
  }
  // Six pending at most: those queued and those taken but not finished.
  REQUIRE(queue.pop_batch(out, 100));
  REQUIRE(out.size() == 6);
  for (const auto& op : out) REQUIRE(op.n == next_out++);
  REQUIRE(!queue.push(BigOp{}));
  queue.finished(6);
  REQUIRE(push());
  queue.top_up_until(out, 8, std::chrono::steady_clock::now());
  REQUIRE(out.size() == 7);
  REQUIRE(out.back().n == next_out++);
  queue.close();
  REQUIRE(!queue.push(BigOp{}));
  REQUIRE(!queue.pop_batch(out, 1));
}

TEST_CASE("a warm storage queue allocates nothing per op", "[bounded_queue][allocations]") {
  if (!sb::test::counting_news) {
    WARN("not counted: operator new is ThreadSanitizer's in this build (support/counting_new.hpp)");
    return;
  }
  BoundedQueue<BigOp> queue(1000);
  std::vector<BigOp> out;
  out.reserve(64);
  int wrong = 0;  // counted, not asserted, inside the count: an assertion may allocate
  auto round = [&](int ops) {
    for (int i = 0; i < ops; ++i) wrong += !queue.push(BigOp{i, {}});
    wrong += !queue.pop_batch(out, 64);
    wrong += out.size() != static_cast<size_t>(ops) || out.back().n != ops - 1;
    queue.finished(out.size());
  };
  round(32);  // warms it up to 32 ops
  const size_t news = sb::test::count_news([&] {
    for (int i = 0; i < 100; ++i) round(1 + i % 32);
  });
  REQUIRE(wrong == 0);
  CHECK(news == 0);
}
