#include "hub/tenant_gate.hpp"

#include <algorithm>

#include "common/origin.hpp"
#include "hub/http_types.hpp"

namespace sb::hub {

bool RateLimiter::try_take(int64_t now_us, uint32_t per_second) {
  if (per_second == 0) return false;
  const int64_t interval_us = 1'000'000 / per_second;
  const int64_t burst_us = 1'000'000;  // a second's worth may arrive at once
  int64_t tat = theoretical_arrival_us_.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t next = std::max(tat, now_us) + interval_us;
    if (next - now_us > burst_us + interval_us) return false;
    if (theoretical_arrival_us_.compare_exchange_weak(tat, next, std::memory_order_relaxed))
      return true;
  }
}

TenantGate::TenantGate(std::string tenant_id, std::shared_ptr<engine::TenantEngine> engine,
                       std::shared_ptr<metrics::TenantMetrics> metrics, const TenantLimits& limits)
    : id_(std::move(tenant_id)), engine_(std::move(engine)), metrics_(std::move(metrics)) {
  update_limits(limits);
}

void TenantGate::update_limits(const TenantLimits& limits) {
  max_connections_.store(limits.max_connections, std::memory_order_relaxed);
  tenant_rate_per_s_.store(limits.messages_per_second, std::memory_order_relaxed);
  connection_rate_.store(limits.connection_messages_per_second, std::memory_order_relaxed);
  max_message_bytes_.store(limits.max_message_bytes, std::memory_order_relaxed);
  visitor_token_ttl_s_.store(limits.visitor_token_ttl_s, std::memory_order_relaxed);
}

TenantLimits TenantGate::limits() const {
  TenantLimits out;
  out.max_connections = max_connections_.load(std::memory_order_relaxed);
  out.messages_per_second = tenant_rate_per_s_.load(std::memory_order_relaxed);
  out.connection_messages_per_second = connection_rate_.load(std::memory_order_relaxed);
  out.max_message_bytes = max_message_bytes_.load(std::memory_order_relaxed);
  out.visitor_token_ttl_s = visitor_token_ttl_s_.load(std::memory_order_relaxed);
  return out;
}

void TenantGate::update_visitor_trust(VisitorTrust trust) {
  visitor_trust_.store(std::make_shared<const VisitorTrust>(std::move(trust)),
                       std::memory_order_release);
}

void TenantGate::update_allowed_origins(std::vector<std::string> origins) {
  allowed_origins_.store(std::make_shared<const std::vector<std::string>>(std::move(origins)),
                         std::memory_order_release);
}

bool TenantGate::origin_allowed(std::string_view origin, std::string_view host) const {
  return widget_origin_allowed(*allowed_origins_.load(std::memory_order_acquire), origin, host);
}

bool TenantGate::try_open_connection() {
  const int64_t now = connections_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (now <= static_cast<int64_t>(max_connections_.load(std::memory_order_relaxed))) return true;
  connections_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

void TenantGate::close_connection() {
  connections_.fetch_sub(1, std::memory_order_relaxed);
}

std::string bearer_token(const HttpRequest& request) {
  constexpr std::string_view kBearer = "Bearer ";
  if (request.authorization.size() > kBearer.size() &&
      std::equal(
          kBearer.begin(), kBearer.end(), request.authorization.begin(),
          [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); }))
    return request.authorization.substr(kBearer.size());
  if (auto it = request.query.find("token"); it != request.query.end()) return it->second;
  return {};
}

std::string cookie_value(const HttpRequest& request, std::string_view name) {
  // "a=1; b=2": pairs split by ';', each trimmed of the spaces around it.
  std::string_view rest = request.cookie;
  while (!rest.empty()) {
    const auto end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name)
      return std::string(pair.substr(eq + 1));
  }
  return {};
}

void TenantGate::attach(const engine::PeerPtr& peer) {
  if (!tracked_) return;
  uint16_t code = 0;
  std::string reason;
  {
    std::lock_guard lock(open_peers_mutex_);
    if (!closed_all_) {
      open_peers_[peer->peer_id()] = peer;
      return;
    }
    code = close_code_;
    reason = close_reason_;
  }
  peer->close(code, std::move(reason));
}

void TenantGate::detach(uint64_t peer_id) {
  if (!tracked_) return;
  std::lock_guard lock(open_peers_mutex_);
  open_peers_.erase(peer_id);
}

void TenantGate::close_all(uint16_t code, const std::string& reason) {
  std::map<uint64_t, std::weak_ptr<engine::Peer>> open;
  {
    std::lock_guard lock(open_peers_mutex_);
    closed_all_ = true;
    close_code_ = code;
    close_reason_ = reason;
    open.swap(open_peers_);
  }
  for (auto& [id, weak] : open)
    if (auto peer = weak.lock()) peer->close(code, reason);
}

}  // namespace sb::hub
