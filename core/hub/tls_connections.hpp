// Internal to the hub: the open TLS connections, so that a stopping server ends
// each one cleanly (a WebSocket with a 1001 close first, then close_notify) rather
// than cutting it, which a TLS client cannot tell from an attack on the stream.
// Plain connections are not listed: most of the server's thousands of idle
// sockets are plain, and ending them needs no more than closing the socket.
//
// Taken once per TLS connection (add, remove) and once at the stop, never per message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sb::hub {

class TlsConnections {
 public:
  // Called on any thread; it posts to the connection's loop and holds it weakly.
  using Closer = std::function<void()>;

  // Once close_all() has run, a connection added later is closed at once.
  void add(uint64_t id, Closer close) {
    {
      std::lock_guard lock(mutex_);
      if (!closing_) {
        open_.emplace(id, std::move(close));
        return;
      }
    }
    close();
  }

  void remove(uint64_t id) {
    std::lock_guard lock(mutex_);
    open_.erase(id);
  }

  void close_all() {
    std::vector<Closer> closers;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      for (const auto& [id, close] : open_) closers.push_back(close);
    }
    for (const auto& close : closers) close();
  }

  // Waits until every listed connection has ended, at most `limit`; true if they did.
  bool wait_until_empty(std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        if (open_.empty()) return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, Closer> open_;
  bool closing_ = false;
};

}  // namespace sb::hub
