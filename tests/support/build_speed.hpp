// How much slower than a release build the code under test runs. AddressSanitizer and
// UndefinedBehaviorSanitizer (build-asan, .ci/run) make a start-up that builds an
// FAQ index or a request that re-reads a knowledge base several times slower, so the
// harness's deadlines for "the server is broken, stop waiting" (its ready line, an
// HTTP answer) are stretched by this factor there. Bounds that a test asserts as
// behaviour (an answer within 5 s, a failover within the grace period) are never
// multiplied by it.
#pragma once

#include <chrono>

namespace sb::test {

// GCC names each sanitizer with a macro, clang answers __has_feature.
#if defined(__has_feature)
#define SB_TEST_HAS_FEATURE(name) __has_feature(name)
#else
#define SB_TEST_HAS_FEATURE(name) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || SB_TEST_HAS_FEATURE(address_sanitizer)
inline constexpr bool kAddressSanitizerBuild = true;
#else
inline constexpr bool kAddressSanitizerBuild = false;
#endif
#if defined(__SANITIZE_THREAD__) || SB_TEST_HAS_FEATURE(thread_sanitizer)
inline constexpr bool kThreadSanitizerBuild = true;
#else
inline constexpr bool kThreadSanitizerBuild = false;
#endif

inline constexpr int kBuildSlowdown = kAddressSanitizerBuild ? 5 : 1;

// A sanitizer with a runtime that reports when the process ends: AddressSanitizer
// (LeakSanitizer runs in it) or ThreadSanitizer. Servers that a test lets go are
// stopped with SIGTERM in such a build, so those reports are written
// (support/server_process.hpp).
inline constexpr bool kSanitizedBuild = kAddressSanitizerBuild || kThreadSanitizerBuild;

// A harness deadline (not an asserted bound), stretched in sanitized builds.
constexpr std::chrono::milliseconds harness_deadline(std::chrono::milliseconds release) {
  return release * kBuildSlowdown;
}

}  // namespace sb::test
