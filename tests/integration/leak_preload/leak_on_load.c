/* Loaded into a real server with LD_PRELOAD by server_reports_test.cpp: leaks one
   block of a size nothing else allocates when the process starts, so a server that
   LeakSanitizer checks as it stops must report it. */
#include <stdlib.h>
#include <string.h>

void* volatile sb_leak_on_load_sink;

__attribute__((noinline)) static void sb_leak_on_load(void) {
  char* block = malloc(4321);
  if (block) memset(block, 1, 4321);
  sb_leak_on_load_sink = block;
  sb_leak_on_load_sink = NULL;
}

__attribute__((constructor)) static void sb_leak_on_load_init(void) {
  sb_leak_on_load();
}
