// storage-slow: the real storage-sqlite (STORAGE_SQLITE_PLUGIN, loaded at run time),
// except that a conversation list asked for with the tag SLOW_TAG is answered
// SLOW_MS late: the answer is held on a thread of this plugin and then handed to
// the host, after the log line "storage-slow: holding an answer". Every other call
// and answer passes as it is. It lets a test hold a REST
// call's storage call in flight while something else happens (the tenant stops).
#include <dlfcn.h>

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "switchboard/sb_plugin.h"

namespace {

const sb_host_api* g_real_host = nullptr;
sb_host_api g_host;
const sb_storage_api* g_real_api = nullptr;
sb_storage_api g_api;
const sb_plugin_descriptor* g_real = nullptr;
sb_plugin_descriptor g_descriptor;

// The ops whose answer is held, and the threads holding answers.
struct Held {
  std::mutex mutex;
  std::set<sb_op*> ops;
  std::vector<std::thread> threads;

  void join_all() {
    std::vector<std::thread> done;
    {
      std::lock_guard lock(mutex);
      done.swap(threads);
    }
    for (auto& t : done) t.join();
  }
  ~Held() { join_all(); }
};
Held g_held;

void held_complete(sb_op* op, int32_t status, sb_str result, sb_str error_message) {
  {
    std::lock_guard lock(g_held.mutex);
    if (g_held.ops.erase(op) == 1) {
      g_real_host->log(nullptr, SB_LOG_INFO, sb_str_from("storage-slow: holding an answer"));
      // result and error_message are borrowed for this call only: copied.
      g_held.threads.emplace_back([op, status, result = std::string(result.ptr, result.len),
                                   error = std::string(error_message.ptr, error_message.len)] {
        std::this_thread::sleep_for(std::chrono::milliseconds(SLOW_MS));
        g_real_host->complete(op, status, sb_str{result.data(), result.size()},
                              sb_str{error.data(), error.size()});
      });
      return;
    }
  }
  g_real_host->complete(op, status, result, error_message);
}

int32_t slow_list_conversations(sb_instance* inst, sb_str filter_json, sb_op* op, sb_error* err) {
  const std::string_view filter(filter_json.ptr, filter_json.len);
  const bool slow = filter.find("\"" SLOW_TAG "\"") != std::string_view::npos;
  if (slow) {
    // Before the call: storage-sqlite may complete it from its own thread at once.
    std::lock_guard lock(g_held.mutex);
    g_held.ops.insert(op);
  }
  const int32_t status = g_real_api->list_conversations(inst, filter_json, op, err);
  if (slow && status != SB_PENDING) {
    std::lock_guard lock(g_held.mutex);
    g_held.ops.erase(op);
  }
  return status;
}

void slow_instance_free(sb_instance* inst) {
  // Every op has completed by now; the threads that completed them are ending.
  g_held.join_all();
  g_real->instance_free(inst);
}

}  // namespace

extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  void* library = dlopen(STORAGE_SQLITE_PLUGIN, RTLD_NOW | RTLD_LOCAL);
  if (!library) return nullptr;
  auto entry = reinterpret_cast<sb_plugin_entry_fn>(dlsym(library, SB_ENTRY_SYMBOL));
  g_real_host = host;
  g_host = *host;
  g_host.complete = held_complete;
  g_real = entry ? entry(&g_host) : nullptr;
  if (!g_real || g_real->kind != SB_KIND_STORAGE) return nullptr;
  g_real_api = static_cast<const sb_storage_api*>(g_real->kind_api);
  g_api = *g_real_api;
  g_api.list_conversations = slow_list_conversations;
  g_descriptor = *g_real;
  g_descriptor.name = "storage-slow";
  g_descriptor.instance_free = slow_instance_free;
  g_descriptor.kind_api = &g_api;
  return &g_descriptor;
}
