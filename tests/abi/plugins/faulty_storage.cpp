// abi-faulty-storage: a storage plugin that misbehaves on request, to test the host's
// guards. Deliberately WITHOUT sb::guarded: its exceptions reach the host.
// append_message does what the message text says:
//   "throw"    throws std::runtime_error("boom")
//   "error"    returns SB_ERROR with "disk on fire"
//   "ok"       returns SB_OK without completing the op
//   "complete" completes inside the hook with "stored", returns SB_PENDING
//   "later"    completes from another thread after 20 ms with "done later"
//   "never"    keeps the op and returns SB_PENDING (completed by "release")
//   "release"  completes every kept op from another thread with "late", then this
//              one with "released"
// kv_get completes at once with "<events seen>:<config greeting>". instance_new
// throws when the config JSON mentions "refuse", and fails as storage-postgres does
// for a tenant another node holds when it mentions "held": built as
// abi-faulty-storage-1-8 (FAULTY_STORAGE_1_8) it then also says when that ends
// (sb_error.retry_after_ms, ABI 1.8); as abi-faulty-storage (ABI 1.0) only in words.
//   "refuse"       returns SB_REFUSED (ABI 1.11) with "bad request"
//   "refuse later" completes with SB_REFUSED and "bad request" from another thread
// Only abi-faulty-storage-1-11 (FAULTY_STORAGE_1_11) states 1.11 and may say so;
// from the others (which state 1.0 and 1.8) the two are a plugin answering a status
// its version does not have, which the host must not believe (ABI rule 7).
#include <chrono>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace {

const sb_host_api* g_host = nullptr;

struct FaultyStorage {
  sb_host_ctx* ctx = nullptr;
  std::mutex mutex;
  std::vector<sb_op*> kept_ops;
  std::vector<std::thread> threads;
  int events_seen = 0;
};

FaultyStorage& self_of(sb_instance* inst) {
  return *reinterpret_cast<FaultyStorage*>(inst);
}

void complete_ok(sb_op* op, const char* result) {
  g_host->complete(op, SB_OK, sb_str_from(result), sb_str{});
}

int32_t instance_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
  if (sb::view(args->config_json).find("refuse") != std::string_view::npos) {
    throw std::runtime_error("refusing this tenant");
  }
  if (sb::view(args->config_json).find("held") != std::string_view::npos) {
    sb_error_set(err, "the tenant is held by node 'n' (epoch 4) for another 691 ms");
#ifdef FAULTY_STORAGE_1_8
    sb_error_set_retry_after(err, 691);
#endif
    return SB_ERROR;
  }
  auto* self = new FaultyStorage();
  self->ctx = args->ctx;
  *out = reinterpret_cast<sb_instance*>(self);
  return SB_OK;
}

void instance_free(sb_instance* inst) {
  auto* self = reinterpret_cast<FaultyStorage*>(inst);
  for (auto& t : self->threads) t.join();
  delete self;
}

void on_event(sb_instance* inst, const sb_event* event) {
  if (sb::view(event->type) == "throw") throw std::runtime_error("event boom");
  self_of(inst).events_seen++;
}

int32_t append_message(sb_instance* inst, const sb_message* msg, sb_op* op, sb_error* err) {
  auto& self = self_of(inst);
  const std::string text(sb::view(msg->text));
  if (text == "throw") throw std::runtime_error("boom");
  if (text == "error") {
    sb_error_set(err, "disk on fire");
    return SB_ERROR;
  }
  if (text == "ok") return SB_OK;
  if (text == "refuse") return sb_error_refuse(err, "bad request");
  if (text == "complete") {
    complete_ok(op, "stored");
    return SB_PENDING;
  }
  std::lock_guard lock(self.mutex);
  if (text == "later") {
    self.threads.emplace_back([op] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      complete_ok(op, "done later");
    });
    return SB_PENDING;
  }
  if (text == "refuse later") {
    self.threads.emplace_back(
        [op] { g_host->complete(op, SB_REFUSED, sb_str{}, sb_str_from("bad request")); });
    return SB_PENDING;
  }
  if (text == "never") {
    self.kept_ops.push_back(op);
    return SB_PENDING;
  }
  if (text == "release") {
    std::vector<sb_op*> kept;
    kept.swap(self.kept_ops);
    self.threads.emplace_back([kept, op] {
      for (sb_op* old : kept) complete_ok(old, "late");
      complete_ok(op, "released");
    });
    return SB_PENDING;
  }
  sb_error_set(err, "unknown test command");
  return SB_ERROR;
}

int32_t not_supported(sb_error* err) {
  sb_error_set(err, "abi-faulty-storage stores nothing");
  return SB_NOT_SUPPORTED;
}

int32_t load_messages(sb_instance*, const sb_message_query*, sb_op*, sb_error* err) {
  return not_supported(err);
}
int32_t put_conversation(sb_instance*, sb_str, sb_op*, sb_error* err) {
  return not_supported(err);
}
int32_t list_conversations(sb_instance*, sb_str, sb_op*, sb_error* err) {
  return not_supported(err);
}
int32_t set_read(sb_instance*, sb_str, sb_str, uint64_t, sb_op*, sb_error* err) {
  return not_supported(err);
}
int32_t kv_put(sb_instance*, sb_str, sb_str, sb_str, sb_op*, sb_error* err) {
  return not_supported(err);
}
int32_t kv_list(sb_instance*, sb_str, sb_op*, sb_error* err) {
  return not_supported(err);
}

int32_t kv_get(sb_instance* inst, sb_str, sb_str, sb_op* op, sb_error*) {
  auto& self = self_of(inst);
  sb_str greeting{};
  g_host->config_get(self.ctx, "greeting", &greeting);
  const std::string result =
      std::to_string(self.events_seen) + ":" + std::string(sb::view(greeting));
  g_host->complete(op, SB_OK, sb::str(result), sb_str{});
  return SB_PENDING;
}

// The entry points of ABI 1.0; the optional ones after them stay null. Built for
// 1.8, the table is as long as a 1.8 header made it (it ends before 1.9's
// release_lease), as a plugin built then hands it to a newer host.
sb_storage_api storage_api() {
  sb_storage_api api{};
#ifdef FAULTY_STORAGE_1_8
  api.struct_size = offsetof(sb_storage_api, release_lease);
#else
  api.struct_size = sizeof(sb_storage_api);
#endif
  api.append_message = append_message;
  api.load_messages = load_messages;
  api.put_conversation = put_conversation;
  api.list_conversations = list_conversations;
  api.set_read = set_read;
  api.kv_put = kv_put;
  api.kv_get = kv_get;
  api.kv_list = kv_list;
  return api;
}
const sb_storage_api kStorageApi = storage_api();

const sb_config_key kKeys[] = {{sizeof(sb_config_key), SB_CONFIG_STRING, "greeting"}};

const sb_plugin_descriptor kDescriptor = {sizeof(sb_plugin_descriptor),
#ifdef FAULTY_STORAGE_1_8
                                          SB_ABI_VERSION_MAJOR(1, 8),
                                          SB_ABI_VERSION_MINOR(1, 8),
                                          SB_KIND_STORAGE,
                                          "abi-faulty-storage-1-8",
#elif defined(FAULTY_STORAGE_1_11)
                                          SB_ABI_VERSION_MAJOR(1, 11),
                                          SB_ABI_VERSION_MINOR(1, 11),
                                          SB_KIND_STORAGE,
                                          "abi-faulty-storage-1-11",
#else
                                          SB_ABI_VERSION_MAJOR(1, 0),
                                          SB_ABI_VERSION_MINOR(1, 0),
                                          SB_KIND_STORAGE,
                                          "abi-faulty-storage",
#endif
                                          "0.1.0",
                                          kKeys,
                                          1,
                                          instance_new,
                                          instance_free,
                                          on_event,
                                          &kStorageApi};

}  // namespace

extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) {
  g_host = host;
  return &kDescriptor;
}
