#include "auth/session_book.hpp"

#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"

namespace sb::auth {

std::string SessionBook::open(Claims& claims) const {
  claims.session = new_id("s_");
  return signer_.issue(claims);
}

std::optional<Claims> SessionBook::verify(std::string_view token, int64_t now_s) const {
  auto claims = signer_.verify(token, now_s);
  if (!claims || claims->session.empty()) return claims;
  std::lock_guard lock(mutex_);
  if (signed_out_.contains(claims->session)) return std::nullopt;
  return claims;
}

void SessionBook::sign_out(const Claims& claims, const std::string& reason) {
  std::map<uint64_t, std::function<void(std::string)>> sockets;
  {
    std::lock_guard lock(mutex_);
    forget_expired_locked(wall_clock_ms() / 1000);
    signed_out_[claims.session] = claims.expires_at_s;
    if (auto it = sockets_.find(claims.session); it != sockets_.end()) {
      sockets = std::move(it->second);
      sockets_.erase(it);
    }
  }
  for (auto& [id, close] : sockets) close(reason);
}

void SessionBook::watch(const std::string& session, uint64_t socket_id,
                        std::function<void(std::string reason)> close) {
  std::lock_guard lock(mutex_);
  sockets_[session][socket_id] = std::move(close);
}

void SessionBook::unwatch(const std::string& session, uint64_t socket_id) {
  std::lock_guard lock(mutex_);
  auto it = sockets_.find(session);
  if (it == sockets_.end()) return;
  it->second.erase(socket_id);
  if (it->second.empty()) sockets_.erase(it);
}

void SessionBook::forget_expired_locked(int64_t now_s) {
  std::erase_if(signed_out_, [now_s](const auto& entry) { return entry.second <= now_s; });
}

std::string SessionBook::cookie(std::string_view token, int64_t max_age_s) {
  return std::string(kSessionCookie) + "=" + std::string(token) +
         "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age_s);
}

std::string SessionBook::clearing_cookie() {
  return cookie("", 0);
}

}  // namespace sb::auth
