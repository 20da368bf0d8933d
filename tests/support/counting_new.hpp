// Counts the calling thread's calls of the global operator new, for tests that hold
// a hot path to a number of allocations (tests/unit/engine/frame_allocations_test.cpp,
// tests/unit/storage_sqlite/bounded_queue_test.cpp). Include it in exactly one file
// of a test binary, compiled outside the unity build: it replaces the global
// operator new and delete for the whole program (malloc and free underneath),
// which is allowed once per program.
//
// Under ThreadSanitizer nothing is replaced and nothing counted: its runtime defines
// the global operator new and delete itself, in an object the link takes whole, so
// a second definition fails the link ("multiple definition of operator new"; clang
// 14, .ci/run's build-tsan). The tests that count check counting_news first and
// skip with a warning there; the release and ASan builds count.
// (The ASan build of .ci/run failed 204 tests when only new(size_t) was replaced.)
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_THREAD__)
#define SB_COUNTING_NEW 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SB_COUNTING_NEW 0
#endif
#endif
#ifndef SB_COUNTING_NEW
#define SB_COUNTING_NEW 1
#endif

namespace sb::test {
// Whether this build counts operator new (not under ThreadSanitizer).
inline constexpr bool counting_news = SB_COUNTING_NEW != 0;
inline thread_local std::size_t operator_news = 0;

// The calls of operator new made by fn on this thread.
template <class Fn>
std::size_t count_news(Fn&& fn) {
  const std::size_t before = operator_news;
  fn();
  return operator_news - before;
}
}  // namespace sb::test

#if SB_COUNTING_NEW
// Every plain form of the global operator new and delete is replaced, not only the
// ones the hot paths call: under AddressSanitizer the runtime defines each form
// itself, so a form left to it (Catch2's new(nothrow)) would hand its memory to
// this delete, which frees it with free(): an alloc-dealloc mismatch. The aligned
// forms stay the runtime's, new and delete alike. Each form counts once, as the
// library's own forms (which call operator new(size_t)) count in a release build.
namespace sb::test {
inline void* counted_malloc(std::size_t bytes) noexcept {
  ++operator_news;
  return std::malloc(bytes ? bytes : 1);
}
}  // namespace sb::test

// Not inlined: inlined into a caller, GCC would see free() given what operator new
// returned (-Wmismatched-new-delete).
__attribute__((noinline)) void* operator new(std::size_t bytes) {
  if (void* p = sb::test::counted_malloc(bytes)) return p;
  throw std::bad_alloc();
}
__attribute__((noinline)) void* operator new[](std::size_t bytes) {
  if (void* p = sb::test::counted_malloc(bytes)) return p;
  throw std::bad_alloc();
}
__attribute__((noinline)) void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  return sb::test::counted_malloc(bytes);
}
__attribute__((noinline)) void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  return sb::test::counted_malloc(bytes);
}
__attribute__((noinline)) void operator delete(void* p) noexcept {
  std::free(p);
}
__attribute__((noinline)) void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
__attribute__((noinline)) void operator delete[](void* p) noexcept {
  std::free(p);
}
__attribute__((noinline)) void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
__attribute__((noinline)) void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
__attribute__((noinline)) void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
#endif
