// An allocator that records what a container or make_shared asks for, so that a
// footprint test can hold an object's allocation against the allocator's size
// classes (tests/unit/hub/connection_footprint_test.cpp,
// tests/unit/engine/visitor_footprint_test.cpp). Header only; stateless, so the
// object allocated holds none of it.
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>

namespace sb::test {

// The size of the last allocation of anything but an array of pointers (a hash
// map's buckets), in bytes.
inline std::size_t recorded_request = 0;

template <class T>
struct RecordingAllocator {
  using value_type = T;
  RecordingAllocator() = default;
  template <class U>
  RecordingAllocator(const RecordingAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) {
    if constexpr (!std::is_pointer_v<T>) recorded_request = n * sizeof(T);
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }
  bool operator==(const RecordingAllocator&) const = default;
};

}  // namespace sb::test
