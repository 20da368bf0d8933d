// The write buffers an event loop keeps for its connections' next bursts.
#include "hub/write_buffers.hpp"

#include <catch2/catch.hpp>
#include <string>

using sb::hub::WriteBufferPool;

TEST_CASE("a buffer given back is handed out again, empty, with its memory") {
  WriteBufferPool pool;
  CHECK(pool.take().capacity() == std::string().capacity());  // none kept yet: a plain string

  std::string used(3000, 'x');
  const std::size_t capacity = used.capacity();
  pool.give_back(std::move(used));
  CHECK(pool.kept() == 1);

  std::string again = pool.take();
  CHECK(again.empty());
  CHECK(again.capacity() == capacity);
  CHECK(pool.kept() == 0);
}

TEST_CASE("the pool keeps a bounded number of buffers of bounded size") {
  WriteBufferPool pool;
  for (std::size_t i = 0; i < WriteBufferPool::kMaxKeptBuffers + 5; ++i)
    pool.give_back(std::string(2000, 'x'));
  CHECK(pool.kept() == WriteBufferPool::kMaxKeptBuffers);

  WriteBufferPool sizes;
  sizes.give_back(std::string(WriteBufferPool::kMaxKeptBytes + 1, 'x'));  // too large: freed
  sizes.give_back(std::string("short"));                                  // no heap memory to keep
  CHECK(sizes.kept() == 0);
  sizes.give_back(std::string(WriteBufferPool::kMaxKeptBytes, 'x'));
  CHECK(sizes.kept() == 1);
}
