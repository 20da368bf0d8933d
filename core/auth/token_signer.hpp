// Session tokens for agents and visitors: signed claims the server can check
// without a database look-up, on any node that shares data_dir/secret.key.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sb::auth {

struct Claims {
  std::string kind;          // "agent" | "visitor"
  std::string tenant;        // tenant id; a token is only valid for its own tenant
  std::string subject;       // agent id or visitor id
  std::string role;          // "agent" | "admin" | "visitor"
  int64_t expires_at_s = 0;  // wall clock, seconds since the epoch
  uint32_t epoch = 0;        // bumped on password change, which revokes older tokens
  std::string session;       // a console's cookie session: its id ("" for other tokens)

  bool operator==(const Claims&) const = default;
};

class TokenSigner {
 public:
  // Reads data_dir/secret.key, or creates it on first run (32 random bytes, mode
  // 0600; data_dir is created if missing). Several processes starting at once agree
  // on one key. Throws std::runtime_error naming the file on I/O errors.
  static TokenSigner open(const std::filesystem::path& data_dir);

  explicit TokenSigner(std::array<unsigned char, 32> key);

  // base64url(JSON claims) "." base64url(HMAC-SHA256): URL-safe, no padding, so it
  // can travel in a query string.
  std::string issue(const Claims& claims) const;

  // The claims when the token is well-formed, signed with this key and not expired
  // at now_s; nullopt otherwise. The signature is compared in constant time.
  std::optional<Claims> verify(std::string_view token, int64_t now_s) const;

  // The CSRF token that goes with a session token: an HMAC of it under this key,
  // so it needs no storage and only this server can derive it.
  std::string csrf_token(std::string_view session_token) const;
  // True when given is csrf_token(session_token); compared in constant time.
  bool csrf_matches(std::string_view session_token, std::string_view given) const;

 private:
  std::array<unsigned char, 32> key_;
};

}  // namespace sb::auth
