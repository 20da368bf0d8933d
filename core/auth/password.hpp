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

}  // namespace sb::auth
