// storage-1.N: the real storage-sqlite as a storage plugin written for an older ABI
// would be: its sb_storage_api ends before the first function of the version after
// (OLDER_TABLE_END), and it says it was written for 1.OLDER_MINOR. Loads the built
// storage-sqlite.so (STORAGE_SQLITE_PLUGIN) and hands the host a copy of its
// descriptor with that shorter table, so the server's answer to a tenant whose
// storage lacks the newer functions is tested against a real store. Built as
//   storage-1.3  (OLDER_MINOR 3, OLDER_TABLE_END log_append): no logs (ABI 1.4)
//   storage-1.9  (OLDER_MINOR 9, OLDER_TABLE_END load_reads): no read positions
//                given back (ABI 1.10)
#include <dlfcn.h>

#include <cstddef>

#include "switchboard/sb_plugin.h"

namespace {

sb_storage_api g_api;
sb_plugin_descriptor g_descriptor;

}  // namespace

extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  void* library = dlopen(STORAGE_SQLITE_PLUGIN, RTLD_NOW | RTLD_LOCAL);
  if (!library) return nullptr;
  auto entry = reinterpret_cast<sb_plugin_entry_fn>(dlsym(library, SB_ENTRY_SYMBOL));
  const sb_plugin_descriptor* real = entry ? entry(host) : nullptr;
  if (!real || real->kind != SB_KIND_STORAGE) return nullptr;
  g_api = *static_cast<const sb_storage_api*>(real->kind_api);
  g_api.struct_size = offsetof(sb_storage_api, OLDER_TABLE_END);
  g_descriptor = *real;
  g_descriptor.abi_minor = SB_ABI_VERSION_MINOR(1, OLDER_MINOR);
  g_descriptor.name = OLDER_NAME;
  g_descriptor.kind_api = &g_api;
  return &g_descriptor;
}
