// libsodium must be initialised once per process before use (internal to sb_auth).
#pragma once

namespace sb::auth {

// Initialises libsodium on first call; thread-safe. Throws std::runtime_error if the
// library cannot initialise (no usable randomness source).
void ensure_sodium();

}  // namespace sb::auth
