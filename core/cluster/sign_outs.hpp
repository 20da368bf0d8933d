// Sign-outs on every node of a cluster (docs/cluster.md, "Sign-outs on every
// node"). The tenant's owner keeps each sign-out in the tenant's storage (the kv
// namespace "sign_outs", so PostgreSQL holds it) and then publishes it on the
// channel "sign-outs"; every node takes what it hears into its SessionBook, and
// reads the tenant's list again whenever it starts serving the tenant or its link
// to the bus comes back (what was published meanwhile may be lost).
//
// One entry, the same JSON in storage and on the channel:
//   {"tenant":T,"agent":A,"session":S,"cutoff_ms":N,"until_s":N}
// session "" (or absent) for an agent signed out everywhere (cutoff_ms > 0).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/session_book.hpp"

namespace sb::cluster {

inline constexpr const char* kSignOutChannel = "sign-outs";
// The owner of a tenant stored a change of its agents (created, password changed,
// disabled): the payload is the tenant id, and the other nodes read the tenant's
// stored agents again (sign-in and GET /v1/session are answered there from them).
inline constexpr const char* kAgentsChannel = "agents";
inline constexpr const char* kSignOutNamespace = "sign_outs";
// A node gave a tenant's lease up (a handover, a graceful stop): the payload is the
// tenant id, and the node that should own it tries to take it at once rather than
// when the lease would have run out.
inline constexpr const char* kLeasesChannel = "leases";

// The key of a sign-out in the namespace: "agent/<agent>" (a later cutoff
// replaces an earlier one) or "session/<session>".
std::string sign_out_key(const auth::SignOut& sign_out);

std::string sign_out_json(const auth::SignOut& sign_out);
// nullopt when text is not one (no tenant or agent, neither a session nor a cutoff).
std::optional<auth::SignOut> parse_sign_out(std::string_view text);
// A kv_list answer's entries ({"items":[{"key","value"}...]}); those that do not
// parse are left out and counted in `bad`.
std::vector<auth::SignOut> parse_sign_out_list(std::string_view kv_list_body, size_t& bad);

}  // namespace sb::cluster
