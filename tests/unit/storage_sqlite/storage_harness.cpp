#include "storage_harness.hpp"

#include <dlfcn.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <random>
#include <stdexcept>
#include <unordered_map>

namespace storage_test {

namespace {

sb_str str(const std::string& s) {
  return sb_str{s.data(), s.size()};
}
std::string text(sb_str s) {
  return s.len ? std::string(s.ptr, s.len) : std::string();
}

// Completions from the plugin's threads. Ops are numbers cast to pointers (the
// plugin must treat them as opaque); each has its own slot, so a completion wakes
// only the thread waiting for that op.
class Completions {
 public:
  sb_op* new_op() {
    auto* op = reinterpret_cast<sb_op*>(next_.fetch_add(1) + 1);
    std::lock_guard lock(mutex_);
    slots_.emplace(op, std::make_shared<Slot>());
    return op;
  }

  void complete(sb_op* op, int32_t status, sb_str result, sb_str error) {
    std::shared_ptr<Slot> slot = find(op);
    if (!slot) {
      std::lock_guard lock(mutex_);
      ++double_completions_;  // an op the host never issued counts as a fault too
      return;
    }
    {
      std::lock_guard lock(slot->mutex);
      if (slot->completions++ == 0) slot->value = Completion{status, text(result), text(error)};
    }
    if (slot->completions > 1) {
      std::lock_guard lock(mutex_);
      ++double_completions_;
    }
    slot->done.notify_all();
  }

  Completion wait(sb_op* op, std::chrono::milliseconds timeout) {
    std::shared_ptr<Slot> slot = find(op);
    if (!slot) return Completion{-1, "", "test harness: unknown op"};
    std::unique_lock lock(slot->mutex);
    if (!slot->done.wait_for(lock, timeout, [&] { return slot->completions > 0; })) {
      return Completion{-1, "", "test harness: op not completed in time"};
    }
    return slot->value;
  }

  size_t double_completions() {
    std::lock_guard lock(mutex_);
    return double_completions_;
  }

 private:
  struct Slot {
    std::mutex mutex;
    std::condition_variable done;
    int completions = 0;
    Completion value;
  };

  std::shared_ptr<Slot> find(sb_op* op) {
    std::lock_guard lock(mutex_);
    auto it = slots_.find(op);
    return it == slots_.end() ? nullptr : it->second;
  }

  std::atomic<uintptr_t> next_{0};
  std::mutex mutex_;
  // Slots are kept for the whole run so a late second completion is still caught.
  std::unordered_map<sb_op*, std::shared_ptr<Slot>> slots_;
  size_t double_completions_ = 0;
};

Completions& completions() {
  static Completions instance;
  return instance;
}

}  // namespace

// The host's side of one instance: its config and what it logged.
struct Storage::Context {
  Config config;
  mutable std::mutex mutex;
  std::vector<std::string> lines;
};

namespace {

void host_log(sb_host_ctx* ctx, int32_t, sb_str message) {
  if (!ctx) return;
  auto* context = reinterpret_cast<Storage::Context*>(ctx);
  std::lock_guard lock(context->mutex);
  context->lines.push_back(text(message));
}

int64_t host_monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::atomic<int64_t> wall_clock_offset_ms{0};

int64_t host_wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() +
         wall_clock_offset_ms.load();
}

void host_complete(sb_op* op, int32_t status, sb_str result, sb_str error) {
  completions().complete(op, status, result, error);
}

int32_t host_config_get(sb_host_ctx* ctx, const char* key, sb_str* out) {
  auto* context = reinterpret_cast<Storage::Context*>(ctx);
  auto it = context->config.find(key);
  if (it == context->config.end()) return 0;
  *out = str(it->second);
  return 1;
}

const void* host_get_api(const char*) {
  return nullptr;
}

const sb_host_api kHost = {
    sizeof(sb_host_api), SB_ABI_MAJOR,       SB_ABI_MINOR,  ::malloc,        ::free,       host_log,
    host_monotonic_ms,   host_wall_clock_ms, host_complete, host_config_get, host_get_api,
};

// The plugin, loaded once per process the way the host loads it.
const sb_plugin_descriptor& plugin() {
  static const sb_plugin_descriptor* descriptor = [] {
    const char* path = SWITCHBOARD_PLUGIN_DIR "/" SB_STORAGE_PLUGIN ".so";
    void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) throw std::runtime_error(std::string("dlopen failed: ") + dlerror());
    auto entry = reinterpret_cast<sb_plugin_entry_fn>(dlsym(handle, SB_ENTRY_SYMBOL));
    if (!entry) throw std::runtime_error("no " SB_ENTRY_SYMBOL " in the plugin");
    const sb_plugin_descriptor* d = entry(&kHost);
    if (!d) throw std::runtime_error("the plugin refused to load");
    return d;
  }();
  return *descriptor;
}

const sb_storage_api& api() {
  return *static_cast<const sb_storage_api*>(plugin().kind_api);
}

// Runs a hook the way the host does: a fresh op and error buffer per call.
template <class Hook>
Call call(Hook&& hook) {
  Call c;
  char buffer[512] = {0};
  sb_error err{sizeof(sb_error), buffer, sizeof buffer, 0};
  c.op = completions().new_op();
  c.status = hook(c.op, &err);
  c.error = buffer;
  return c;
}

}  // namespace

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() / ("sb-storage-test-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void set_wall_clock_offset(std::chrono::milliseconds offset) {
  wall_clock_offset_ms = offset.count();
}

bool backend_is_postgres() {
#ifdef SB_STORAGE_BACKEND_POSTGRES
  return true;
#else
  return false;
#endif
}

#ifdef SB_STORAGE_BACKEND_POSTGRES
sb::test::PostgresServer& postgres() {
  static sb::test::PostgresServer server;
  return server;
}
#endif

std::string tenant_sql(const std::string& data_dir, const std::string& sql) {
#ifdef SB_STORAGE_BACKEND_POSTGRES
  const std::string tenant = std::filesystem::path(data_dir).filename().string();
  return postgres().psql("SET switchboard.tenant_id = '" + tenant + "'; " + sql, "switchboard");
#else
  (void)data_dir;
  (void)sql;
  throw std::logic_error("tenant_sql is for storage-postgres");
#endif
}

Storage::Storage(const std::string& data_dir, Config config) : ctx_(std::make_unique<Context>()) {
  ctx_->config = std::move(config);
  std::string tenant_id = "tenant";
#ifdef SB_STORAGE_BACKEND_POSTGRES
  if (!ctx_->config.count("connection")) ctx_->config["connection"] = postgres().connection();
  tenant_id = std::filesystem::path(data_dir).filename().string();
#endif
  sb_instance_args args{};
  args.struct_size = sizeof args;
  args.ctx = reinterpret_cast<sb_host_ctx*>(ctx_.get());
  args.tenant_id = str(tenant_id);
  args.config_json = sb_str_from("{}");
  args.data_dir = str(data_dir);
  char buffer[512] = {0};
  sb_error err{sizeof(sb_error), buffer, sizeof buffer, 0};
  if (plugin().instance_new(&args, &instance_, &err) != SB_OK)
    throw Refused(std::string("instance_new failed: ") + buffer, err.retry_after_ms);
}

Storage::~Storage() {
  if (instance_) plugin().instance_free(instance_);
}

std::string Storage::open_error(const std::string& data_dir, Config config) {
  try {
    Storage storage(data_dir, std::move(config));
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

int64_t Storage::open_retry_after_ms(const std::string& data_dir, Config config) {
  try {
    Storage storage(data_dir, std::move(config));
    return 0;
  } catch (const Refused& e) {
    return e.retry_after_ms;
  }
}

Call Storage::append(const Message& m) {
  const std::string message_id =
      m.message_id.empty() ? m.conversation_id + "-" + std::to_string(m.seq) : m.message_id;
  sb_message msg{};
  msg.struct_size = sizeof msg;
  msg.flags = m.flags;
  msg.conversation_id = str(m.conversation_id);
  msg.message_id = str(message_id);
  msg.seq = m.seq;
  msg.sender_role = str(m.role);
  msg.sender_id = str(m.sender_id);
  msg.sender_name = str(m.sender_name);
  msg.client_msg_id = str(m.client_msg_id);
  msg.text = str(m.text);
  msg.ts_ms = m.ts_ms;
  msg.attachments_json = str(m.attachments_json);
  return call(
      [&](sb_op* op, sb_error* err) { return api().append_message(instance_, &msg, op, err); });
}

Call Storage::load(const std::string& conversation_id, uint64_t after_seq, uint64_t before_seq,
                   uint32_t limit) {
  sb_message_query q{};
  q.struct_size = sizeof q;
  q.limit = limit;
  q.conversation_id = str(conversation_id);
  q.after_seq = after_seq;
  q.before_seq = before_seq;
  return call(
      [&](sb_op* op, sb_error* err) { return api().load_messages(instance_, &q, op, err); });
}

Call Storage::put_conversation(const std::string& json) {
  return call([&](sb_op* op, sb_error* err) {
    return api().put_conversation(instance_, str(json), op, err);
  });
}

Call Storage::search(const std::string& query_json) {
  return call(
      [&](sb_op* op, sb_error* err) { return api().search(instance_, str(query_json), op, err); });
}

Call Storage::log_append(const std::string& log, const std::string& kind, const std::string& actor,
                         const std::string& data_json, int64_t ts_ms) {
  sb_log_entry entry{};
  entry.struct_size = sizeof(sb_log_entry);
  entry.log = str(log);
  entry.kind = str(kind);
  entry.actor = str(actor);
  entry.data_json = str(data_json);
  entry.ts_ms = ts_ms;
  return call(
      [&](sb_op* op, sb_error* err) { return api().log_append(instance_, &entry, op, err); });
}

Call Storage::log_list(const std::string& query_json) {
  return call([&](sb_op* op, sb_error* err) {
    return api().log_list(instance_, str(query_json), op, err);
  });
}

Call Storage::delete_conversation(const std::string& conversation_id) {
  return call([&](sb_op* op, sb_error* err) {
    return api().delete_conversation(instance_, str(conversation_id), op, err);
  });
}

Call Storage::log_prune(const std::string& log, int64_t before_ts_ms) {
  return call([&](sb_op* op, sb_error* err) {
    return api().log_prune(instance_, str(log), before_ts_ms, op, err);
  });
}

Call Storage::backup(const std::string& dir) {
  return call([&](sb_op* op, sb_error* err) { return api().backup(instance_, str(dir), op, err); });
}

std::optional<int64_t> Storage::lease_epoch() {
  if (api().struct_size < offsetof(sb_storage_api, lease_epoch) + sizeof(void*) ||
      !api().lease_epoch)
    return std::nullopt;
  int64_t epoch = 0;
  char buffer[256];
  sb_error err{sizeof(sb_error), buffer, sizeof buffer, 0};
  if (api().lease_epoch(instance_, &epoch, &err) != SB_OK) return std::nullopt;
  return epoch;
}

Call Storage::release_lease() {
  if (api().struct_size < offsetof(sb_storage_api, release_lease) + sizeof(void*) ||
      !api().release_lease)
    return Call{SB_NOT_SUPPORTED, nullptr, "no release_lease"};
  return call([&](sb_op* op, sb_error* err) { return api().release_lease(instance_, op, err); });
}

Call Storage::list_conversations(const std::string& filter_json) {
  return call([&](sb_op* op, sb_error* err) {
    return api().list_conversations(instance_, str(filter_json), op, err);
  });
}

Call Storage::set_read(const std::string& conversation_id, const std::string& participant_id,
                       uint64_t seq) {
  return call([&](sb_op* op, sb_error* err) {
    return api().set_read(instance_, str(conversation_id), str(participant_id), seq, op, err);
  });
}

Call Storage::load_reads(const std::string& query_json) {
  if (api().struct_size < offsetof(sb_storage_api, load_reads) + sizeof(void*) || !api().load_reads)
    return Call{SB_NOT_SUPPORTED, nullptr, "no load_reads"};
  return call([&](sb_op* op, sb_error* err) {
    return api().load_reads(instance_, str(query_json), op, err);
  });
}

Call Storage::kv_put(const std::string& ns, const std::string& key, const std::string& value_json) {
  return call([&](sb_op* op, sb_error* err) {
    return api().kv_put(instance_, str(ns), str(key), str(value_json), op, err);
  });
}

Call Storage::kv_get(const std::string& ns, const std::string& key) {
  return call([&](sb_op* op, sb_error* err) {
    return api().kv_get(instance_, str(ns), str(key), op, err);
  });
}

Call Storage::kv_list(const std::string& ns) {
  return call([&](sb_op* op, sb_error* err) { return api().kv_list(instance_, str(ns), op, err); });
}

Call Storage::blob_put(const std::string& id, const std::string& data, const std::string& meta_json,
                       uint64_t max_total_bytes) {
  sb_blob_put blob{};
  blob.struct_size = sizeof blob;
  blob.blob_id = str(id);
  blob.meta_json = str(meta_json);
  blob.data = str(data);
  blob.max_total_bytes = max_total_bytes;
  return call([&](sb_op* op, sb_error* err) { return api().blob_put(instance_, &blob, op, err); });
}

Call Storage::blob_get(const std::string& id) {
  return call(
      [&](sb_op* op, sb_error* err) { return api().blob_get(instance_, str(id), op, err); });
}

Call Storage::blob_meta(const std::string& id) {
  return call(
      [&](sb_op* op, sb_error* err) { return api().blob_meta(instance_, str(id), op, err); });
}

Call Storage::blob_delete(const std::string& id) {
  return call(
      [&](sb_op* op, sb_error* err) { return api().blob_delete(instance_, str(id), op, err); });
}

Call Storage::blob_usage() {
  return call([&](sb_op* op, sb_error* err) { return api().blob_usage(instance_, op, err); });
}

Completion Storage::wait(const Call& c, std::chrono::milliseconds timeout) {
  if (c.status != SB_PENDING) return Completion{c.status, "", c.error};
  return completions().wait(c.op, timeout);
}

std::vector<std::string> Storage::log_lines(const std::string& prefix) const {
  std::lock_guard lock(ctx_->mutex);
  std::vector<std::string> out;
  for (const auto& line : ctx_->lines)
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  return out;
}

size_t double_completions() {
  return completions().double_completions();
}

}  // namespace storage_test
