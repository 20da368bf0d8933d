// Internal to the hub: write buffers kept for reuse on one event loop.
//
// A connection's write buffer lives only while it has bytes to send: thousands of
// idle connections hold none. But a busy one (an agent gets a frame per message of
// every conversation) grew a fresh string by doubling on every burst, and those
// allocations of a KiB and more made glibc consolidate its fast bins and trim and
// regrow its heap each time: the largest part of the loops' malloc share at
// 10,000 msgs/s (RESULTS.md, tenth pass). Large buffers are kept here instead and
// taken by the next burst that needs one, on the same loop. Small bursts (a
// visitor's ack) never come here: their allocations are cheap.
//
// One pool per event loop thread (this_loop_write_buffers()); no locks.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sb::hub {

class WriteBufferPool {
 public:
  // At most this many buffers are kept, each of kMinKeptBytes to kMaxKeptBytes
  // capacity: bounded memory (at most 0.5 MiB per loop) whatever the traffic did.
  static constexpr std::size_t kMaxKeptBuffers = 16;
  static constexpr std::size_t kMinKeptBytes = 1024;
  static constexpr std::size_t kMaxKeptBytes = 32 * 1024;

  // An empty string, with the capacity of a kept buffer when there is one.
  std::string take() {
    if (spare_.empty()) return {};
    std::string buffer = std::move(spare_.back());
    spare_.pop_back();
    return buffer;
  }

  // Keeps the buffer's memory (its contents are dropped) when there is room and its
  // capacity is within the kept range; frees it otherwise.
  void give_back(std::string buffer) {
    if (spare_.size() >= kMaxKeptBuffers || buffer.capacity() < kMinKeptBytes ||
        buffer.capacity() > kMaxKeptBytes)
      return;
    buffer.clear();
    spare_.push_back(std::move(buffer));
  }

  std::size_t kept() const noexcept { return spare_.size(); }

 private:
  std::vector<std::string> spare_;
};

// The pool of the calling thread (each event loop runs on one thread).
inline WriteBufferPool& this_loop_write_buffers() {
  thread_local WriteBufferPool pool;
  return pool;
}

}  // namespace sb::hub
