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

#if defined(__SANITIZE_ADDRESS__)
inline constexpr int kBuildSlowdown = 5;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr int kBuildSlowdown = 5;
#else
inline constexpr int kBuildSlowdown = 1;
#endif
#else
inline constexpr int kBuildSlowdown = 1;
#endif

// A harness deadline (not an asserted bound), stretched in sanitized builds.
constexpr std::chrono::milliseconds harness_deadline(std::chrono::milliseconds release) {
  return release * kBuildSlowdown;
}

}  // namespace sb::test
