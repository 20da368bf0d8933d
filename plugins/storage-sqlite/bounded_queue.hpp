// BoundedQueue: hands operations from any number of hook callers to one worker
// thread. push never blocks: past max_pending (queued plus taken but not yet
// finished) it refuses, so an overloaded disk turns into fast errors rather than
// unbounded memory or a blocked host thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace switchboard::sqlite {

template <class Op>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t max_pending) : max_pending_(max_pending) {}

  // False when full (or closed); op is left untouched then.
  bool push(Op&& op) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (closed_ || pending_ >= max_pending_) return false;
      queue_.push_back(std::move(op));
      ++pending_;
      wake = queued() >= wake_at_;
    }
    // A worker topping up a batch is woken only once the batch would be full, not
    // by every push: it sleeps out its delay instead of switching in per write.
    if (wake) ready_.notify_one();
    return true;
  }

  // Waits for work and moves up to max_ops of it into out (which it clears).
  // Returns false once the queue is closed and everything queued has been taken.
  bool pop_batch(std::vector<Op>& out, size_t max_ops) {
    out.clear();
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || woken_ || !empty(); });
    if (std::exchange(woken_, false) && empty() && !closed_) return true;
    if (empty()) return false;
    take(out, max_ops);
    return true;
  }

  // As pop_batch, but returns true with out empty when nothing came before deadline
  // (a worker with periodic duties, such as renewing a lease, wakes for them).
  template <class Clock, class Duration>
  bool pop_batch_until(std::vector<Op>& out, size_t max_ops,
                       std::chrono::time_point<Clock, Duration> deadline) {
    out.clear();
    std::unique_lock lock(mutex_);
    if (!ready_.wait_until(lock, deadline, [&] { return closed_ || woken_ || !empty(); }))
      return true;
    if (std::exchange(woken_, false) && empty() && !closed_) return true;
    if (empty()) return false;
    take(out, max_ops);
    return true;
  }

  // Adds to out (ops the worker already took) what comes before deadline, until out
  // holds max_ops; returns at once when the queue is closed. The worker's group
  // commit delay: a few hundred microseconds buy a transaction more writes.
  template <class Clock, class Duration>
  void top_up_until(std::vector<Op>& out, size_t max_ops,
                    std::chrono::time_point<Clock, Duration> deadline) {
    std::unique_lock lock(mutex_);
    if (out.size() < max_ops) {
      wake_at_ = max_ops - out.size();
      ready_.wait_until(lock, deadline, [&] { return closed_ || queued() >= wake_at_; });
      wake_at_ = 1;
    }
    take(out, max_ops);
  }

  // The worker finished count ops it took: their room is free again.
  void finished(size_t count) {
    std::lock_guard lock(mutex_);
    pending_ -= count;
  }

  // Has the worker's pop return now, with nothing if nothing is queued (it has
  // work of its own to do: a reader waits for the durable log's writes).
  void wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    ready_.notify_all();
  }

  // No more pushes; the worker drains what is queued, then pop_batch returns false.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }

 private:
  // The queue is a vector read from head_ on. A deque allocated a block for each
  // push of an op this large (its 512-byte block holds one 280-byte WriteOp);
  // emptied, the vector keeps its storage up to kKeptBytes, so a steady load
  // allocates nothing per op.
  static constexpr size_t kKeptBytes = 32 * 1024;
  bool empty() const { return head_ == queue_.size(); }
  size_t queued() const { return queue_.size() - head_; }
  void take(std::vector<Op>& out, size_t max_ops) {
    while (!empty() && out.size() < max_ops) out.push_back(std::move(queue_[head_++]));
    if (empty()) {
      queue_.clear();
      head_ = 0;
      if (queue_.capacity() * sizeof(Op) > kKeptBytes) std::vector<Op>().swap(queue_);
    } else if (head_ * 2 >= queue_.size()) {
      // A queue that never quite drains drops its taken half now and then.
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  const size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Op> queue_;
  size_t head_ = 0;  // queue_[head_..] are waiting; those before were taken
  size_t pending_ = 0;
  size_t wake_at_ = 1;  // a push wakes the worker once this many ops are queued
  bool closed_ = false;
  bool woken_ = false;
};

}  // namespace switchboard::sqlite
