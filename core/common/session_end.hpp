// Why an agent's session ended, or why a credential is refused: a stable code for
// programs beside words for people. The code is the `problem` of a REST 401
// ({"error":{"code":"unauthorized","problem","message"}}) and the first word of a
// 4001 close's reason ("agent_removed: agent removed"); the console branches on it
// and the words may change (docs/protocol.md, "Session end").
#pragma once

#include <string>
#include <string_view>

namespace sb {

struct SessionEnd {
  std::string_view problem;  // stable: session_expired, signed_out, ...
  std::string_view words;    // short, after the code in a close's reason
  std::string_view message;  // a REST 401's message

  // A 4001 close's reason: "problem: words" (each one here fits the 123 bytes).
  std::string close_reason() const {
    std::string reason(problem);
    return reason.append(": ").append(words);
  }
};

// The session or token ended.
inline constexpr SessionEnd kSessionExpired{"session_expired", "session expired",
                                            "this token has expired; sign in again"};
inline constexpr SessionEnd kSignedOut{"signed_out", "signed out",
                                       "this session was signed out; sign in again"};
inline constexpr SessionEnd kSignedOutByAdmin{
    "signed_out_by_admin", "signed out by an admin",
    "an admin signed this agent out everywhere; sign in again"};
inline constexpr SessionEnd kPasswordChanged{
    "password_changed", "password changed", "this token predates a password change; sign in again"};
inline constexpr SessionEnd kAgentRemoved{"agent_removed", "agent removed",
                                          "this agent was removed from the tenant"};
// There was none to begin with (401s only).
inline constexpr SessionEnd kInvalidToken{"invalid_token", "invalid token",
                                          "this token is not valid; sign in again"};
inline constexpr SessionEnd kTokenRequired{"token_required", "no token", "a token is required"};
inline constexpr SessionEnd kNotSignedIn{"not_signed_in", "not signed in",
                                         "not signed in with a session cookie"};
inline constexpr SessionEnd kWrongPassword{"wrong_password", "wrong email or password",
                                           "wrong email or password"};

}  // namespace sb
