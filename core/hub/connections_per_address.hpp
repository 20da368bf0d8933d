// How many connections each client address has open, so one address (a script, a
// flood) cannot take every connection of the server. Touched only when a connection
// opens and closes, never on the message path; an address is in the map only while
// it has a connection open, so the map is never larger than the open connections.
//
// IPv6 clients are counted by their /64: one host usually owns a whole /64 and may
// use any address in it. Exempt addresses (by default this machine: a local proxy
// not listed as trusted, benchmarks) are not counted at all.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/address_ranges.hpp"
#include "metrics/metrics.hpp"

namespace sb::hub {

class ConnectionsPerAddress {
 public:
  // max_per_address 0: no limit (nothing is counted).
  ConnectionsPerAddress(uint32_t max_per_address, AddressRanges exempt, metrics::Registry& registry)
      : max_per_address_(max_per_address), exempt_(std::move(exempt)), registry_(registry) {}

  // One open connection of an address; it is given back when the hold is destroyed.
  class Hold {
   public:
    Hold() = default;
    Hold(Hold&& other) noexcept;
    Hold& operator=(Hold&& other) noexcept;
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    ~Hold() { release(); }

   private:
    friend class ConnectionsPerAddress;
    Hold(ConnectionsPerAddress* owner, boost::asio::ip::address key) : owner_(owner), key_(key) {}
    void release();

    ConnectionsPerAddress* owner_ = nullptr;
    boost::asio::ip::address key_;
  };

  // A hold for one more connection of address, or nullopt when the address has its
  // limit open already: the refusal is counted in /metrics and logged, at most once
  // a minute per address. Any thread.
  std::optional<Hold> try_open(const boost::asio::ip::address& address, int64_t now_ms);

  // Open connections of address (as counted: IPv6 by /64). Any thread; for tests.
  uint32_t open_count(const boost::asio::ip::address& address);

 private:
  void close(const boost::asio::ip::address& key);
  void log_refusal(const boost::asio::ip::address& key, int64_t now_ms);

  const uint32_t max_per_address_;
  const AddressRanges exempt_;
  metrics::Registry& registry_;
  std::mutex mutex_;
  std::unordered_map<boost::asio::ip::address, uint32_t> open_;
  // When each address was last logged as refused, with what was refused since; only
  // addresses refused in the last minute or so (pruned when it grows).
  struct LogState {
    int64_t logged_at_ms = 0;
    uint64_t refused_since = 0;
  };
  std::unordered_map<boost::asio::ip::address, LogState> logged_;
};

}  // namespace sb::hub
