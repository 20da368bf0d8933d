#include "auth/session_book.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "common/clock.hpp"
#include "common/ids.hpp"

namespace sb::auth {

namespace {

// Tokens live at most a year (the tenant file's limit on its TTLs).
constexpr int64_t kLongestTokenLife_s = 366LL * 24 * 3600;

std::string agent_key(std::string_view tenant, std::string_view agent) {
  return std::string(tenant) + "/" + std::string(agent);
}

}  // namespace

SessionBook::SessionBook(const TokenSigner& signer, std::filesystem::path signed_out_file)
    : signer_(signer), signed_out_file_(std::move(signed_out_file)) {
  if (signed_out_file_.empty()) return;
  std::ifstream in(signed_out_file_);
  std::lock_guard lock(mutex_);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string first;
    fields >> first;
    if (first == "agent") {
      std::string key;
      AgentCutoff cutoff;
      if (fields >> key >> cutoff.cutoff_ms >> cutoff.keep_until_s)
        agents_signed_out_[key] = cutoff;
    } else if (int64_t expires_at_s = 0; fields >> expires_at_s) {
      signed_out_[first] = expires_at_s;
    }
  }
  forget_expired_locked(wall_clock_ms() / 1000);
  if (auto error = write_signed_out_locked(); !error.empty()) throw std::runtime_error(error);
}

std::string SessionBook::open(Claims& claims) const {
  claims.session = new_id("s_");
  return signer_.issue(claims);
}

std::optional<Claims> SessionBook::verify(std::string_view token, int64_t now_s) const {
  auto claims = signer_.verify(token, now_s);
  if (!claims || claims->kind != "agent") return claims;
  std::lock_guard lock(mutex_);
  if (!claims->session.empty() && signed_out_.contains(claims->session)) return std::nullopt;
  if (auto it = agents_signed_out_.find(agent_key(claims->tenant, claims->subject));
      it != agents_signed_out_.end() && claims->issued_at_ms <= it->second.cutoff_ms)
    return std::nullopt;
  return claims;
}

const SessionEnd& SessionBook::refusal(std::string_view token, int64_t now_s) const {
  // At time 0 every key that ever signed verifies it, and it has not expired yet.
  const auto claims = signer_.verify(token, 0);
  if (!claims) return kInvalidToken;
  if (claims->kind == "agent") {
    std::lock_guard lock(mutex_);
    if (!claims->session.empty() && signed_out_.contains(claims->session)) return kSignedOut;
    if (auto it = agents_signed_out_.find(agent_key(claims->tenant, claims->subject));
        it != agents_signed_out_.end() && claims->issued_at_ms <= it->second.cutoff_ms)
      return kSignedOutByAdmin;
  }
  return signer_.verify(token, now_s) ? kInvalidToken : kSessionExpired;
}

SignOut SessionBook::signed_out_everywhere(std::string_view tenant, std::string_view agent,
                                           int64_t now_ms) {
  return {std::string(tenant), std::string(agent), {}, now_ms, now_ms / 1000 + kLongestTokenLife_s};
}

void SessionBook::sign_out(const Claims& claims, const std::string& reason) {
  // Bearer-token sockets are watched with no session: they must never match.
  if (claims.session.empty()) return;
  remember({session_ended(claims)}, reason);
}

void SessionBook::sign_out_agent(std::string_view tenant, std::string_view agent, int64_t now_ms,
                                 const std::string& reason) {
  remember({signed_out_everywhere(tenant, agent, now_ms)}, reason);
}

void SessionBook::remember(const std::vector<SignOut>& sign_outs, const std::string& reason) {
  std::vector<std::function<void(std::string)>> to_close;
  {
    std::lock_guard lock(mutex_);
    const int64_t now_s = wall_clock_ms() / 1000;
    forget_expired_locked(now_s);
    bool news = false;
    for (const auto& sign_out : sign_outs)
      if (sign_out.until_s > now_s) news = remember_locked(sign_out, to_close) || news;
    if (news)
      if (auto error = write_signed_out_locked(); !error.empty())
        spdlog::error("{}; a restart would let those tokens back in", error);
  }
  for (auto& close : to_close) close(reason);
}

bool SessionBook::remember_locked(const SignOut& sign_out,
                                  std::vector<std::function<void(std::string)>>& to_close) {
  const std::string key = agent_key(sign_out.tenant, sign_out.agent);
  bool news = false;
  if (!sign_out.session.empty()) {
    news = signed_out_.emplace(sign_out.session, sign_out.until_s).second;
  } else {
    const auto known = agents_signed_out_.find(key);
    news = known == agents_signed_out_.end() || sign_out.cutoff_ms > known->second.cutoff_ms;
    if (news) agents_signed_out_[key] = AgentCutoff{sign_out.cutoff_ms, sign_out.until_s};
  }
  // Every socket it ends, also when it is not news: a socket may have been watched
  // between a sign-out and its arrival here.
  std::erase_if(sockets_, [&](auto& entry) {
    const Watched& socket = entry.second;
    const bool ended = sign_out.session.empty()
                           ? socket.agent == key && socket.issued_at_ms <= sign_out.cutoff_ms
                           : socket.session == sign_out.session;
    if (ended) to_close.push_back(std::move(entry.second.close));
    return ended;
  });
  return news;
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
    for (const auto& [key, cutoff] : agents_signed_out_)
      out << "agent " << key << ' ' << cutoff.cutoff_ms << ' ' << cutoff.keep_until_s << '\n';
    if (!out.flush()) return temp.string() + ": cannot write the signed-out sessions";
  }
  std::error_code ec;
  std::filesystem::rename(temp, signed_out_file_, ec);
  if (ec)
    return signed_out_file_.string() + ": cannot replace the signed-out sessions (" + ec.message() +
           ")";
  return {};
}

bool SessionBook::watch(std::string_view tenant, std::string_view agent, const std::string& session,
                        int64_t issued_at_ms, uint64_t socket_id,
                        std::function<void(std::string reason)> close) {
  std::string key = agent_key(tenant, agent);
  std::lock_guard lock(mutex_);
  if (!session.empty() && signed_out_.contains(session)) return false;
  if (auto it = agents_signed_out_.find(key);
      it != agents_signed_out_.end() && issued_at_ms <= it->second.cutoff_ms)
    return false;
  sockets_[socket_id] = Watched{std::move(key), session, issued_at_ms, std::move(close)};
  return true;
}

void SessionBook::unwatch(uint64_t socket_id) {
  std::lock_guard lock(mutex_);
  sockets_.erase(socket_id);
}

void SessionBook::forget_expired_locked(int64_t now_s) {
  std::erase_if(signed_out_, [now_s](const auto& entry) { return entry.second <= now_s; });
  std::erase_if(agents_signed_out_,
                [now_s](const auto& entry) { return entry.second.keep_until_s <= now_s; });
}

std::string SessionBook::cookie(std::string_view token, int64_t max_age_s) {
  return std::string(kSessionCookie) + "=" + std::string(token) +
         "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age_s);
}

std::string SessionBook::clearing_cookie() {
  return cookie("", 0);
}

}  // namespace sb::auth
