// Counts the calling thread's calls of the global operator new, for tests that hold
// a hot path to a number of allocations (tests/unit/engine/frame_allocations_test.cpp,
// tests/unit/storage_sqlite/bounded_queue_test.cpp). Include it in exactly one file
// of a test binary, compiled outside the unity build: it replaces the global
// operator new and delete for the whole program (malloc and free underneath),
// which is allowed once per program.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

namespace sb::test {
inline thread_local std::size_t operator_news = 0;

// The calls of operator new made by fn on this thread.
template <class Fn>
std::size_t count_news(Fn&& fn) {
  const std::size_t before = operator_news;
  fn();
  return operator_news - before;
}
}  // namespace sb::test

// Not inlined: inlined into a caller, GCC would see free() given what operator new
// returned (-Wmismatched-new-delete).
__attribute__((noinline)) void* operator new(std::size_t bytes) {
  ++sb::test::operator_news;
  if (void* p = std::malloc(bytes ? bytes : 1)) return p;
  throw std::bad_alloc();
}
__attribute__((noinline)) void operator delete(void* p) noexcept {
  std::free(p);
}
__attribute__((noinline)) void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
