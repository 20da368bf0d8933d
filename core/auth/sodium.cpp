#include "auth/sodium.hpp"

#include <sodium.h>

#include <stdexcept>

namespace sb::auth {

void ensure_sodium() {
  // A function-local static runs sodium_init exactly once, even with racing threads.
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace sb::auth
