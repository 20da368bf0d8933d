// The console's cookie sessions: agent tokens that carry a session id, a CSRF token
// derived from each, the sessions signed out before they expired, and the open
// sockets of each session, closed when it is signed out. Also the agents an admin
// signed out everywhere: every token of theirs issued until then stops verifying,
// bearer tokens included, and their sockets close.
//
// Session tokens are signed claims like every token (no look-up to verify one); a
// signed-out session is remembered until it would have expired anyway, in memory
// and in a file beside the signing key (one "id expires_at_s" line each), so a
// restart does not bring it back; an agent signed out everywhere is kept there as
// "agent TENANT/AGENT CUTOFF_MS KEEP_UNTIL_S". Admin and connect paths only (a mutex guards the
// maps and the file); the message path never comes here.
//
// In a cluster every node keeps its own book; each sign-out is also recorded in
// the tenant's storage and published to the other nodes, which take it with
// remember() (docs/cluster.md, "Sign-outs on every node").
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/token_signer.hpp"
#include "common/session_end.hpp"

namespace sb::auth {

// The cookie that carries a session token.
inline constexpr std::string_view kSessionCookie = "sb_session";

// One sign-out as the nodes of a cluster share it: a console session ended, or an
// agent signed out everywhere.
struct SignOut {
  std::string tenant;
  std::string agent;
  std::string session;    // the session ended; "" = the agent signed out everywhere
  int64_t cutoff_ms = 0;  // everywhere: the tokens issued up to then are refused
  int64_t until_s = 0;    // remembered until then (every token it refuses has expired)
};

class SessionBook {
 public:
  // signed_out_file: where sign-outs are kept ("" = memory only); read now, the
  // entries that have expired left out. Throws std::runtime_error naming the file
  // when it cannot be written.
  SessionBook(const TokenSigner& signer, std::filesystem::path signed_out_file = {});

  // A session token for claims (an agent's), with a new session id filled in.
  std::string open(Claims& claims) const;
  // The claims of any token (bearer or session) when it verifies and, for a session,
  // it was not signed out.
  std::optional<Claims> verify(std::string_view token, int64_t now_s) const;
  // Why verify refuses a token: signed out (the session, or the agent everywhere),
  // expired (its own expiry, or its key's), else not valid.
  const SessionEnd& refusal(std::string_view token, int64_t now_s) const;
  std::string csrf_token(std::string_view session_token) const {
    return signer_.csrf_token(session_token);
  }
  bool csrf_matches(std::string_view session_token, std::string_view given) const {
    return signer_.csrf_matches(session_token, given);
  }

  // Ends the session: its token stops verifying, and every socket watching it is
  // closed with `reason` (outside the lock). A token without a session (a bearer
  // token) has nothing to end.
  void sign_out(const Claims& claims, const std::string& reason);

  // Signs an agent out everywhere: every token issued to them up to now_ms stops
  // verifying (remembered for a year, the longest a token may live), and each of
  // their watched sockets is closed with `reason`. They may sign in again at once.
  void sign_out_agent(std::string_view tenant, std::string_view agent, int64_t now_ms,
                      const std::string& reason);

  // The sign-outs sign_out and sign_out_agent make, for remember().
  static SignOut session_ended(const Claims& claims) {
    return {claims.tenant, claims.subject, claims.session, 0, claims.expires_at_s};
  }
  static SignOut signed_out_everywhere(std::string_view tenant, std::string_view agent,
                                       int64_t now_ms);

  // Sign-outs made here or elsewhere (another node, or read back from the tenant's
  // storage): each is kept as if made here (an agent's later cutoff wins over an earlier one;
  // the expired ones are left out) and the watched sockets they end are closed
  // with `reason`. Taking one already known again changes nothing.
  void remember(const std::vector<SignOut>& sign_outs, const std::string& reason);

  // An open agent socket whose token was issued at issued_at_ms (of a console
  // session when session is not ""); close(reason) runs once if the session, or
  // the agent everywhere, is signed out while it is watched. Forgotten with
  // unwatch (the socket closed). False, and not watched, when its token was signed
  // out already (since the upgrade).
  bool watch(std::string_view tenant, std::string_view agent, const std::string& session,
             int64_t issued_at_ms, uint64_t socket_id,
             std::function<void(std::string reason)> close);
  void unwatch(uint64_t socket_id);

  // Set-Cookie values: the session for max_age_s seconds, and the one that clears it.
  static std::string cookie(std::string_view token, int64_t max_age_s);
  static std::string clearing_cookie();

 private:
  void forget_expired_locked(int64_t now_s);
  // Keeps sign_out; true when it is news. Moves the closers of the sockets it ends
  // to to_close.
  bool remember_locked(const SignOut& sign_out,
                       std::vector<std::function<void(std::string)>>& to_close);
  // "" when written, else what went wrong, naming the file.
  std::string write_signed_out_locked() const;

  const TokenSigner& signer_;
  const std::filesystem::path signed_out_file_;
  mutable std::mutex mutex_;
  std::map<std::string, int64_t, std::less<>> signed_out_;  // session id -> expires_at_s
  struct AgentCutoff {
    int64_t cutoff_ms = 0;     // tokens issued up to then are refused
    int64_t keep_until_s = 0;  // forgotten after (every such token has expired)
  };
  std::map<std::string, AgentCutoff, std::less<>> agents_signed_out_;  // "tenant/agent"
  struct Watched {
    std::string agent;    // "tenant/agent"
    std::string session;  // "" for a bearer token's socket
    int64_t issued_at_ms = 0;
    std::function<void(std::string)> close;
  };
  std::map<uint64_t, Watched> sockets_;  // by socket id
};

}  // namespace sb::auth
