// Agent passwords, stored only as argon2id hashes (tenant files, storage).
#pragma once

#include <string>
#include <string_view>

namespace sb::auth {

// "$argon2id$v=19$m=...,t=...,p=1$salt$hash" with libsodium's interactive limits
// (about 0.1 s and 64 MiB per hash). Throws std::runtime_error when out of memory.
std::string hash_password(std::string_view password);

// True when password matches hash; false for a wrong password or a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);

// hash_password's hash of a random password nobody kept: a sign-in that names no
// account is checked against it, so its answer takes as long as a wrong password's.
// A constant, so that no server start spends an argon2 run (0.1-0.3 s) making one;
// a test checks it has hash_password's parameters.
inline constexpr std::string_view kTimingEqualiserHash =
    "$argon2id$v=19$m=65536,t=2,p=1$2O1DnXUhCL4Hxar04r7c2g$"
    "TqsJv61zK8LWiAoa47Ocs4lwOHBx/rUlYifvzHhUQpU";

}  // namespace sb::auth
