// Internal to the hub: the open TLS connections, so that a stopping server ends
// each one cleanly (a WebSocket with a 1001 close first, then close_notify) rather
// than cutting it, which a TLS client cannot tell from an attack on the stream.
// Plain connections are not listed: most of the server's thousands of idle
// sockets are plain, and ending them needs no more than closing the socket.
//
// Taken once per TLS connection (add, and the Listing's end) and once at the stop,
// never per message. A Listing may outlive the hub (sessions still queued on a loop
// that is destroyed after it): the list it is on lives as long as it does.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sb::hub {

class TlsConnections {
  struct Shared {
    std::mutex mutex;
    std::unordered_map<uint64_t, std::function<void()>> open;
    bool closing = false;
  };

 public:
  // Called on any thread; it posts to the connection's loop and holds it weakly.
  using Closer = std::function<void()>;

  // A connection's place on the list: it leaves the list when this ends.
  class Listing {
   public:
    Listing() = default;
    Listing(Listing&& other) noexcept
        : shared_(std::move(other.shared_)), id_(std::exchange(other.id_, 0)) {}
    Listing& operator=(Listing&& other) noexcept {
      if (this != &other) {
        reset();
        shared_ = std::move(other.shared_);
        id_ = std::exchange(other.id_, 0);
      }
      return *this;
    }
    Listing(const Listing&) = delete;
    Listing& operator=(const Listing&) = delete;
    ~Listing() { reset(); }

    void reset() {
      if (auto shared = std::exchange(shared_, nullptr)) {
        std::lock_guard lock(shared->mutex);
        shared->open.erase(id_);
      }
    }

   private:
    friend class TlsConnections;
    Listing(std::shared_ptr<Shared> shared, uint64_t id) : shared_(std::move(shared)), id_(id) {}
    std::shared_ptr<Shared> shared_;
    uint64_t id_ = 0;
  };

  // Lists a connection under a unique id. Once close_all() has run, a connection
  // added later is closed at once (and not listed).
  [[nodiscard]] Listing add(uint64_t id, Closer close) {
    {
      std::lock_guard lock(shared_->mutex);
      if (!shared_->closing) {
        shared_->open.emplace(id, std::move(close));
        return Listing(shared_, id);
      }
    }
    close();
    return {};
  }

  void close_all() {
    std::vector<Closer> closers;
    {
      std::lock_guard lock(shared_->mutex);
      shared_->closing = true;
      for (const auto& [id, close] : shared_->open) closers.push_back(close);
    }
    for (const auto& close : closers) close();
  }

  // Waits until every listed connection has ended, at most `limit`; true if they did.
  bool wait_until_empty(std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      {
        std::lock_guard lock(shared_->mutex);
        if (shared_->open.empty()) return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace sb::hub
