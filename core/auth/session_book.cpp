#include "auth/session_book.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

#include "common/clock.hpp"
#include "common/ids.hpp"

namespace sb::auth {

SessionBook::SessionBook(const TokenSigner& signer, std::filesystem::path signed_out_file)
    : signer_(signer), signed_out_file_(std::move(signed_out_file)) {
  if (signed_out_file_.empty()) return;
  std::ifstream in(signed_out_file_);
  std::string id;
  int64_t expires_at_s = 0;
  while (in >> id >> expires_at_s) signed_out_[id] = expires_at_s;
  std::lock_guard lock(mutex_);
  forget_expired_locked(wall_clock_ms() / 1000);
  if (auto error = write_signed_out_locked(); !error.empty()) throw std::runtime_error(error);
}

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
    // The sign-out holds in memory either way; only a restart would forget it.
    if (auto error = write_signed_out_locked(); !error.empty())
      spdlog::error("{}; a restart would let that session back in", error);
    if (auto it = sockets_.find(claims.session); it != sockets_.end()) {
      sockets = std::move(it->second);
      sockets_.erase(it);
    }
  }
  for (auto& [id, close] : sockets) close(reason);
}

// The whole list, written beside and renamed into place: a crash leaves the old or
// the new list, never half of one. It stays small: entries leave as they expire.
std::string SessionBook::write_signed_out_locked() const {
  if (signed_out_file_.empty()) return {};
  std::filesystem::path temp = signed_out_file_;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    for (const auto& [id, expires_at_s] : signed_out_) out << id << ' ' << expires_at_s << '\n';
    if (!out.flush()) return temp.string() + ": cannot write the signed-out sessions";
  }
  std::error_code ec;
  std::filesystem::rename(temp, signed_out_file_, ec);
  if (ec)
    return signed_out_file_.string() + ": cannot replace the signed-out sessions (" + ec.message() +
           ")";
  return {};
}

bool SessionBook::watch(const std::string& session, uint64_t socket_id,
                        std::function<void(std::string reason)> close) {
  std::lock_guard lock(mutex_);
  if (signed_out_.contains(session)) return false;
  sockets_[session][socket_id] = std::move(close);
  return true;
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
