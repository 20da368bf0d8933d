#include "common/ids.hpp"

#include <pthread.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>

namespace sb {

namespace {
// libsodium draws its bytes with one getrandom system call per request, and an id
// is made for every message: each thread draws this many bytes at once (16 ids,
// what libsodium asks of one getrandom call) from the same source and hands them
// out in order, each byte once.
constexpr std::size_t kPoolBytes = 256;
constexpr std::size_t kIdBytes = 16;

// A forked child must not hand out the bytes its parent will also use: the fork
// handler moves the generation on, and a pool of an older one is drawn again.
std::atomic<uint64_t> fork_generation{1};
std::once_flag fork_handler_installed;

struct Pool {
  std::array<unsigned char, kPoolBytes> bytes{};
  std::size_t used = kPoolBytes;
  uint64_t generation = 0;
  ~Pool() { sodium_memzero(bytes.data(), bytes.size()); }
};

void take_random(unsigned char* out) {
  std::call_once(fork_handler_installed, [] {
    pthread_atfork(nullptr, nullptr,
                   [] { fork_generation.fetch_add(1, std::memory_order_relaxed); });
  });
  thread_local Pool pool;
  const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (pool.used + kIdBytes > pool.bytes.size() || pool.generation != generation) {
    randombytes_buf(pool.bytes.data(), pool.bytes.size());
    pool.used = 0;
    pool.generation = generation;
  }
  std::copy_n(pool.bytes.data() + pool.used, kIdBytes, out);
  // Handed out once: not kept where a later read of this memory would find it.
  sodium_memzero(pool.bytes.data() + pool.used, kIdBytes);
  pool.used += kIdBytes;
}
}  // namespace

std::string new_id(std::string_view prefix) {
  std::array<unsigned char, kIdBytes> bytes;
  take_random(bytes.data());
  std::array<char, 2 * kIdBytes + 1> hex;
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  std::string id;
  id.reserve(prefix.size() + 1 + 2 * kIdBytes);
  id.append(prefix).append("_").append(hex.data(), 2 * kIdBytes);
  return id;
}

}  // namespace sb
