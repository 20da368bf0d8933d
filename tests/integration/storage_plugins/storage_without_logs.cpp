// storage-1.3: the real storage-sqlite as a storage plugin written for ABI 1.3 would
// be, without the logs of 1.4 (its sb_storage_api ends after search). Loads the
// built storage-sqlite.so (STORAGE_SQLITE_PLUGIN) and hands the host a copy of its
// descriptor with that shorter table, so the server's answer to a tenant whose
// storage keeps no logs is tested against a real store.
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
  g_api.struct_size = offsetof(sb_storage_api, log_append);
  g_descriptor = *real;
  g_descriptor.abi_minor = SB_ABI_VERSION_MINOR(1, 3);
  g_descriptor.name = "storage-1.3";
  g_descriptor.kind_api = &g_api;
  return &g_descriptor;
}
