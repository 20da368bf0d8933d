// Experiment only (LD_PRELOAD): libsodium's argon2 maps its 64 MiB per check and
// unmaps it after. KEEPMAP=reuse keeps one such region per thread mapped and hands
// it out again (no page faults, zeroing or munmap); KEEPMAP=huge maps it afresh but
// asks for transparent huge pages (what THP "always" would do for it); KEEPMAP=dontneed
// keeps the region but drops its pages (MADV_DONTNEED) after each check: the same
// page faults every time, without the munmap and mmap.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#define ARGON_BYTES ((size_t)64 << 20)
static __thread void* cached;
static __thread int cached_busy;
static void* (*real_mmap)(void*, size_t, int, int, int, off_t);
static int (*real_munmap)(void*, size_t);
static int mode(void) {
  const char* m = getenv("KEEPMAP");
  return !m ? 0 : !strcmp(m, "reuse") ? 1 : !strcmp(m, "huge") ? 2 : !strcmp(m, "dontneed") ? 3 : 0;
}
void* mmap(void* addr, size_t len, int prot, int flags, int fd, off_t off) {
  if (!real_mmap) real_mmap = dlsym(RTLD_NEXT, "mmap");
  if (len == ARGON_BYTES && fd == -1 && (flags & MAP_ANONYMOUS) && !addr) {
    if (mode() == 2) {
      void* p = real_mmap(addr, len, prot, flags, fd, off);
      if (p != MAP_FAILED) madvise(p, len, MADV_HUGEPAGE);
      return p;
    }
    if (mode() == 1 || mode() == 3) {
      if (!cached) cached = real_mmap(NULL, len, prot, flags, fd, off);
      if (cached != MAP_FAILED && !cached_busy) {
        cached_busy = 1;
        return cached;
      }
    }
  }
  return real_mmap(addr, len, prot, flags, fd, off);
}
int munmap(void* addr, size_t len) {
  if (!real_munmap) real_munmap = dlsym(RTLD_NEXT, "munmap");
  if (addr && addr == cached && len == ARGON_BYTES) {
    if (mode() == 3)
      madvise(addr, len, MADV_DONTNEED);  // pages go back: faults again, but no munmap
    cached_busy = 0;
    return 0;
  }
  return real_munmap(addr, len);
}
