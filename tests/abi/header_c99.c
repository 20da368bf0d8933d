/* ABI rule 13: sb_plugin.h compiles as strict C99 (this target uses -std=c99
 * -pedantic -Wall -Wextra -Werror). Uses every helper so they are compiled too. */
#include "switchboard/sb_plugin.h"

size_t abi_header_c99_check(char* buffer, size_t capacity) {
  sb_error err;
  sb_str s = sb_str_from("c99");
  err.struct_size = (uint32_t)sizeof(sb_error);
  err.message = buffer;
  err.capacity = capacity;
  err.retry_after_ms = 0;
  sb_error_set(&err, "checked");
  sb_error_set_retry_after(&err, 5);
  return s.len + (size_t)SB_ABI_VERSION_MAJOR(1, 0) + (size_t)SB_ABI_VERSION_MINOR(1, 0);
}
