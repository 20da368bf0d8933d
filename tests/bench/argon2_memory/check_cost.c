// What one argon2id check (libsodium, INTERACTIVE: 64 MiB, ops 2) costs, split into
// the hash's own CPU and the 64 MiB mapping's kernel work.
#define _GNU_SOURCE
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}
static void usage(struct rusage* r) {
  getrusage(RUSAGE_THREAD, r);
}
static double tv(struct timeval a) {
  return a.tv_sec + a.tv_usec / 1e6;
}
static void report(const char* name, int n, double w0, struct rusage* a, struct rusage* b) {
  printf("%-34s per op: wall %6.2f ms  user %6.2f ms  sys %6.2f ms  minor faults %6.0f\n", name,
         (now() - w0) / n * 1e3, (tv(b->ru_utime) - tv(a->ru_utime)) / n * 1e3,
         (tv(b->ru_stime) - tv(a->ru_stime)) / n * 1e3, (double)(b->ru_minflt - a->ru_minflt) / n);
}
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20;
  if (sodium_init() < 0) return 1;
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, "right", 5, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
    return 1;
  struct rusage a, b;
  double w;
  usage(&a);
  w = now();
  for (int i = 0; i < n; i++)
    if (crypto_pwhash_str_verify(hash, "wrong", 5) == 0) return 2;
  usage(&b);
  report("verify (wrong password)", n, w, &a, &b);
  size_t sz = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  long page = 4096;
  for (int huge = 0; huge < 2; huge++) {
    usage(&a);
    w = now();
    for (int i = 0; i < n; i++) {
      char* p = mmap(0, sz, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
      if (huge) madvise(p, sz, MADV_HUGEPAGE);
      for (size_t o = 0; o < sz; o += page) p[o] = 1;
      munmap(p, sz);
    }
    usage(&b);
    report(huge ? "mmap+touch+munmap, MADV_HUGEPAGE" : "mmap+touch+munmap (as libsodium)", n, w, &a,
           &b);
  }
  // The same memory kept mapped: what a reused per-thread buffer would pay (nothing but writes).
  char* p = mmap(0, sz, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  for (size_t o = 0; o < sz; o += page) p[o] = 1;
  usage(&a);
  w = now();
  for (int i = 0; i < n; i++)
    for (size_t o = 0; o < sz; o += page) p[o] = (char)i;
  usage(&b);
  report("touch only, buffer kept mapped", n, w, &a, &b);
  return 0;
}
