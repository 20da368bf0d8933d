#include "hub/connections_per_address.hpp"

#include <spdlog/spdlog.h>

namespace sb::hub {

namespace ip = boost::asio::ip;

namespace {

constexpr int64_t kLogIntervalMs = 60'000;
constexpr std::size_t kLogStatesBeforePrune = 4096;

// The key an address is counted under: IPv4 as is, IPv6 by its /64.
ip::address counting_key(const ip::address& address) {
  const auto plain = unmapped(address);
  if (plain.is_v4()) return plain;
  auto bytes = plain.to_v6().to_bytes();
  for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return ip::address_v6(bytes);
}

std::string describe(const ip::address& key) {
  return key.is_v4() ? key.to_string() : key.to_string() + "/64";
}

}  // namespace

ConnectionsPerAddress::Hold::Hold(Hold&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), key_(other.key_) {}

ConnectionsPerAddress::Hold& ConnectionsPerAddress::Hold::operator=(Hold&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    key_ = other.key_;
  }
  return *this;
}

void ConnectionsPerAddress::Hold::release() {
  if (owner_) std::exchange(owner_, nullptr)->close(key_);
}

std::optional<ConnectionsPerAddress::Hold> ConnectionsPerAddress::try_open(
    const ip::address& address, int64_t now_ms) {
  if (max_per_address_ == 0 || exempt_.contains(address)) return Hold();
  const auto key = counting_key(address);
  std::lock_guard lock(mutex_);
  auto& open = open_[key];
  if (open < max_per_address_) {
    ++open;
    return Hold(this, key);
  }
  registry_.address_limit_refusals.fetch_add(1, std::memory_order_relaxed);
  registry_.rejected_connections.fetch_add(1, std::memory_order_relaxed);
  log_refusal(key, now_ms);
  return std::nullopt;
}

uint32_t ConnectionsPerAddress::open_count(const ip::address& address) {
  std::lock_guard lock(mutex_);
  const auto found = open_.find(counting_key(address));
  return found == open_.end() ? 0 : found->second;
}

void ConnectionsPerAddress::close(const ip::address& key) {
  std::lock_guard lock(mutex_);
  const auto found = open_.find(key);
  if (found != open_.end() && --found->second == 0) open_.erase(found);
}

// Called with the mutex held. A flood is one line a minute per address, saying how
// many connections were refused since the last one.
void ConnectionsPerAddress::log_refusal(const ip::address& key, int64_t now_ms) {
  if (logged_.size() >= kLogStatesBeforePrune) {
    std::erase_if(logged_, [now_ms](const auto& entry) {
      return now_ms - entry.second.logged_at_ms >= kLogIntervalMs;
    });
  }
  auto [state, first] = logged_.try_emplace(key);
  ++state->second.refused_since;
  if (!first && now_ms - state->second.logged_at_ms < kLogIntervalMs) return;
  spdlog::warn(
      "refusing connections from {}: it has {} open, the most one address may have "
      "(limits.max_connections_per_address); {} refused since this was last logged",
      describe(key), max_per_address_, state->second.refused_since);
  state->second.logged_at_ms = now_ms;
  state->second.refused_since = 0;
}

}  // namespace sb::hub
