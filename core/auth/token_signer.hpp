// Session tokens for agents and visitors: signed claims the server can check
// without a database look-up, on any node that shares data_dir/secret.key.
//
// The key rotates without signing everyone out (`switchboard rotate-key`): the old
// key moves to data_dir/secret.key.retired with a time until which tokens it signed
// are still accepted (each only until its own expiry), and new tokens are signed
// with the new key. A running server picks the new key up with reload().
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::auth {

struct Claims {
  std::string kind;          // "agent" | "visitor"
  std::string tenant;        // tenant id; a token is only valid for its own tenant
  std::string subject;       // agent id or visitor id
  std::string role;          // "agent" | "admin" | "visitor"
  int64_t expires_at_s = 0;  // wall clock, seconds since the epoch
  uint32_t epoch = 0;        // bumped on password change, which revokes older tokens
  std::string session{};     // a console's cookie session: its id ("" for other tokens)
  // When it was issued (wall clock, ms; 0 when unknown): an agent signed out
  // everywhere has every token issued before that refused (SessionBook).
  int64_t issued_at_ms = 0;

  bool operator==(const Claims&) const = default;
};

using Key = std::array<unsigned char, 32>;

// A key that no longer signs, and until when (wall clock, s) its tokens still verify.
struct RetiredKey {
  Key key;
  int64_t retire_at_s = 0;
};

class TokenSigner {
 public:
  // Reads data_dir/secret.key, or creates it on first run (32 random bytes, mode
  // 0600; data_dir is created if missing), and secret.key.retired when present.
  // Several processes starting at once agree on one key. Throws std::runtime_error
  // naming the file on I/O errors.
  static TokenSigner open(const std::filesystem::path& data_dir);

  // Makes a new data_dir/secret.key; the old one verifies the tokens it signed
  // until keep_s from now_s (0: at once, which signs everyone out: the remedy for a
  // leaked key). Retired keys past their time are dropped. Servers sharing the
  // data dir take it up on their next reload(). Throws std::runtime_error naming
  // the file on I/O errors.
  static void rotate(const std::filesystem::path& data_dir, int64_t keep_s, int64_t now_s);

  explicit TokenSigner(Key key, std::vector<RetiredKey> retired = {});
  TokenSigner(TokenSigner&& other) noexcept;

  // Re-reads data_dir's keys (after a rotation). Tokens in flight keep verifying.
  // Throws std::runtime_error naming the file when they cannot be read; the keys in
  // use then stay.
  void reload(const std::filesystem::path& data_dir);

  // base64url(JSON claims) "." base64url(HMAC-SHA256): URL-safe, no padding, so it
  // can travel in a query string.
  std::string issue(const Claims& claims) const;

  // The claims when the token is well-formed, signed with the current key (or a
  // retired one not yet past its time) and not expired at now_s; nullopt otherwise.
  // The signature is compared in constant time.
  std::optional<Claims> verify(std::string_view token, int64_t now_s) const;

  // The CSRF token that goes with a session token: an HMAC of it under this key,
  // so it needs no storage and only this server can derive it.
  std::string csrf_token(std::string_view session_token) const;
  // True when given is csrf_token(session_token) under the current key or a
  // retired one still in use; compared in constant time.
  bool csrf_matches(std::string_view session_token, std::string_view given) const;

  // A payload signed for one purpose other than tokens (e.g. "node-forward": a
  // request one node of a cluster forwards to another), under the current key. The
  // purpose is signed with it, so a sealed payload is never a valid token, nor a
  // token a sealed payload of any purpose.
  std::string seal(std::string_view purpose, std::string_view payload) const;
  // The payload when sealed was made by seal(purpose, ...) under the current key or
  // a retired one still in use at now_s; nullopt otherwise.
  std::optional<std::string> open_sealed(std::string_view purpose, std::string_view sealed,
                                         int64_t now_s) const;

 private:
  struct Keys {
    Key current;
    std::vector<RetiredKey> retired;
  };
  // Swapped whole by reload() while other threads verify.
  std::atomic<std::shared_ptr<const Keys>> keys_;
};

}  // namespace sb::auth
