#pragma once
// A fixed-size log-linear latency histogram (the idea of HdrHistogram, which
// Debian does not package for C/C++): values below 128 get one bucket each, and
// every power of two above is split into 64 buckets, so any recorded value is
// reported within 1/64 (1.6 %) of the truth. Recording is one array increment;
// one histogram per thread, merged at the end. Not thread-safe by design.

#include <array>
#include <cstdint>

namespace loadgen {

class Histogram {
 public:
  // Values at or above 2^41 (about 37 minutes in nanoseconds) land in the last bucket.
  static constexpr int kSubBucketBits = 6;
  static constexpr int kMaxValueBits = 41;

  void record(uint64_t value);
  void merge(const Histogram& other);

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  // The smallest value v such that at least `percentile` % of recorded values are
  // <= v (reported as the top of v's bucket, never above the recorded max).
  // 0 when empty.
  uint64_t percentile(double percentile) const;

 private:
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;  // 64
  static constexpr int kBucketCount =
      static_cast<int>(2 * kSubBuckets + (kMaxValueBits - kSubBucketBits - 1) * kSubBuckets);

  static int bucket_of(uint64_t value);
  static uint64_t highest_in_bucket(int bucket);

  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace loadgen
