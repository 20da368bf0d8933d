/* abi-not-a-plugin: a shared library without sb_plugin_entry, as any stray .so in
 * the plugin directory would be. */
#include "switchboard/sb_plugin.h"

SB_EXPORT int abi_not_a_plugin_answer(void) {
  return 42;
}
