// A payload signed with HMAC-SHA256, written "base64url(payload).base64url(mac)"
// (URL-safe, no padding; the MAC covers the encoded payload, exactly the bytes the
// verifier sees). The server's own session tokens use it with data_dir/secret.key;
// a tenant's website uses it, with a secret it shares with the tenant, to sign what
// it says about a visitor (hub/visitor_identity.hpp). Any key length works.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sb::auth {

std::string sign_payload(std::string_view payload, std::span<const unsigned char> key);

// The payload when token is well-formed and its MAC matches under key (compared in
// constant time); nullopt otherwise.
std::optional<std::string> open_signed_payload(std::string_view token,
                                               std::span<const unsigned char> key);

}  // namespace sb::auth
