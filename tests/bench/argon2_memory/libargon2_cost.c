// Is the reference libargon2 with a kept per-thread buffer (allocate_cbk) as fast
// as libsodium's verify, and does it agree with libsodium's hashes?
#define _GNU_SOURCE
#include <argon2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
static uint8_t* buffer;
static size_t buffer_bytes;
static int keep_alloc(uint8_t** m, size_t n) {
  if (!buffer) {
    buffer = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    buffer_bytes = n;
  }
  if (n != buffer_bytes) return -1;
  *m = buffer;
  return 0;
}
static void keep_free(uint8_t* m, size_t n) {
  (void)m;
  (void)n;
}
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}
static double tv(struct timeval a) {
  return a.tv_sec + a.tv_usec / 1e6;
}
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20;
  if (sodium_init() < 0) return 1;
  char enc[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(enc, "right", 5, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
    return 1;
  unsigned m, t, p;
  char salt64[64], hash64[128];
  if (sscanf(enc, "$argon2id$v=19$m=%u,t=%u,p=%u$%63[^$]$%127s", &m, &t, &p, salt64, hash64) != 5)
    return 2;
  uint8_t salt[32], want[64], got[64];
  size_t salt_len, hash_len;
  sodium_base642bin(salt, sizeof salt, salt64, strlen(salt64), NULL, &salt_len, NULL,
                    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  sodium_base642bin(want, sizeof want, hash64, strlen(hash64), NULL, &hash_len, NULL,
                    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  for (int use_cbk = 0; use_cbk < 2; use_cbk++) {
    struct rusage a, b;
    getrusage(RUSAGE_SELF, &a);
    double w = now();
    int agree = 0;
    for (int i = 0; i < n; i++) {
      char pwd[6];
      memcpy(pwd, i % 2 ? "right" : "wrong", 5);
      argon2_context c = {0};
      c.out = got;
      c.outlen = hash_len;
      c.pwd = (uint8_t*)pwd;
      c.pwdlen = 5;
      c.salt = salt;
      c.saltlen = salt_len;
      c.t_cost = t;
      c.m_cost = m;
      c.lanes = p;
      c.threads = p;
      c.version = ARGON2_VERSION_13;
      if (use_cbk) {
        c.allocate_cbk = keep_alloc;
        c.free_cbk = keep_free;
      }
      if (argon2id_ctx(&c) != ARGON2_OK) return 3;
      agree += (sodium_memcmp(got, want, hash_len) == 0) == (i % 2 == 1);
    }
    getrusage(RUSAGE_SELF, &b);
    printf(
        "libargon2 %s: per op wall %.2f ms user %.2f sys %.2f faults %.0f, agrees with libsodium "
        "%d/%d\n",
        use_cbk ? "kept buffer (allocate_cbk)" : "default malloc          ", (now() - w) / n * 1e3,
        (tv(b.ru_utime) - tv(a.ru_utime)) / n * 1e3, (tv(b.ru_stime) - tv(a.ru_stime)) / n * 1e3,
        (double)(b.ru_minflt - a.ru_minflt) / n, agree, n);
  }
  return 0;
}
