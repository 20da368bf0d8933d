#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace loadgen {

// Layout: buckets [0, 128) hold the values 0..127 exactly. Above that, a value with
// its highest set bit at position msb is shifted right by (msb - 6) so its top 7
// bits remain (64..127); each shift step owns 64 buckets.
int Histogram::bucket_of(uint64_t value) {
  if (value < 2 * kSubBuckets) return static_cast<int>(value);
  const int msb = 63 - std::countl_zero(value);
  if (msb >= kMaxValueBits) return kBucketCount - 1;
  const int shift = msb - kSubBucketBits;
  const uint64_t top = value >> shift;  // in [64, 128)
  return static_cast<int>(2 * kSubBuckets + (shift - 1) * kSubBuckets + (top - kSubBuckets));
}

uint64_t Histogram::highest_in_bucket(int bucket) {
  const auto index = static_cast<uint64_t>(bucket);
  if (index < 2 * kSubBuckets) return index;
  const uint64_t shift = (index - 2 * kSubBuckets) / kSubBuckets + 1;
  const uint64_t top = (index - 2 * kSubBuckets) % kSubBuckets + kSubBuckets;
  return ((top + 1) << shift) - 1;
}

void Histogram::record(uint64_t value) {
  ++counts_[bucket_of(value)];
  ++count_;
  max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
  for (int i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

uint64_t Histogram::percentile(double percentile) const {
  if (count_ == 0) return 0;
  // Rank of the wanted value, 1-based; ceil so p100 is the last value.
  const auto rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(highest_in_bucket(i), max_);
  }
  return max_;
}

}  // namespace loadgen
