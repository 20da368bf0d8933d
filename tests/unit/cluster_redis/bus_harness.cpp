#include "bus_harness.hpp"

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace cluster_test {

namespace {

std::string text(sb_str s) {
  return s.len ? std::string(s.ptr, s.len) : std::string();
}

sb_str str(const std::string& s) {
  return sb_str{s.data(), s.size()};
}

// One op: sb_op* points at it. Kept for the whole run (completions may come late).
struct Op {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  Result result;
};

std::atomic<size_t> g_double_completions{0};

std::mutex g_ops_mutex;
std::vector<std::unique_ptr<Op>>& ops() {
  static std::vector<std::unique_ptr<Op>> all;
  return all;
}

Op* new_op() {
  std::lock_guard lock(g_ops_mutex);
  ops().push_back(std::make_unique<Op>());
  return ops().back().get();
}

}  // namespace

struct BusNode::Context {
  Config config;
  mutable std::mutex mutex;
  mutable std::condition_variable cv;
  std::vector<Message> messages;
  std::vector<Entry> entries;
  std::vector<int> links;
  std::vector<std::string> lines;
  std::chrono::milliseconds hold_next_message{0};
};

namespace {

BusNode::Context& context(sb_host_ctx* ctx) {
  return *reinterpret_cast<BusNode::Context*>(ctx);
}

void host_log(sb_host_ctx* ctx, int32_t, sb_str message) {
  if (!ctx) return;
  auto& c = context(ctx);
  std::lock_guard lock(c.mutex);
  c.lines.push_back(text(message));
}

int64_t host_monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t host_wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void host_complete(sb_op* sb_op_ptr, int32_t status, sb_str result, sb_str error) {
  auto* op = reinterpret_cast<Op*>(sb_op_ptr);
  std::lock_guard lock(op->mutex);
  if (op->done) {
    ++g_double_completions;
    return;
  }
  op->done = true;
  op->result = Result{status, text(result), text(error)};
  op->cv.notify_all();
}

int32_t host_config_get(sb_host_ctx* ctx, const char* key, sb_str* out) {
  auto& c = context(ctx);
  const auto it = c.config.find(key);
  if (it == c.config.end()) return 0;
  *out = str(it->second);
  return 1;
}

void on_message(sb_host_ctx* ctx, sb_str channel, sb_str payload) {
  auto& c = context(ctx);
  std::chrono::milliseconds hold{0};
  {
    std::lock_guard lock(c.mutex);
    c.messages.push_back({text(channel), text(payload)});
    std::swap(hold, c.hold_next_message);
    c.cv.notify_all();
  }
  // A busy host: the plugin's thread stays here, its timers coming due meanwhile.
  if (hold.count() > 0) std::this_thread::sleep_for(hold);
}

void on_entry(sb_host_ctx* ctx, const sb_cluster_entry* entry) {
  auto& c = context(ctx);
  std::lock_guard lock(c.mutex);
  c.entries.push_back(
      {text(entry->stream), text(entry->entry_id), text(entry->payload), entry->redelivered != 0});
  c.cv.notify_all();
}

void on_link(sb_host_ctx* ctx, int32_t up, sb_str) {
  auto& c = context(ctx);
  std::lock_guard lock(c.mutex);
  c.links.push_back(up ? 1 : 0);
  c.cv.notify_all();
}

const sb_cluster_events kEvents = {sizeof(sb_cluster_events), on_message, on_entry, on_link};

const void* host_get_api(const char* name) {
  if (name && std::string(name) == SB_CLUSTER_EVENTS_V1) return &kEvents;
  return nullptr;
}

const sb_host_api kHost = {
    sizeof(sb_host_api), SB_ABI_MAJOR,       SB_ABI_MINOR,  ::malloc,        ::free,       host_log,
    host_monotonic_ms,   host_wall_clock_ms, host_complete, host_config_get, host_get_api,
};

const sb_plugin_descriptor& plugin() {
  static const sb_plugin_descriptor* descriptor = [] {
    const char* path = SWITCHBOARD_PLUGIN_DIR "/cluster-redis.so";
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

const sb_cluster_api& api() {
  return *static_cast<const sb_cluster_api*>(plugin().kind_api);
}

// Calls a hook the way the host does and waits for its answer.
template <class Hook>
Result call(std::chrono::milliseconds wait, Hook&& hook) {
  char buffer[512] = {0};
  sb_error err{sizeof(sb_error), buffer, sizeof buffer, 0};
  Op* op = new_op();
  const int32_t status = hook(reinterpret_cast<sb_op*>(op), &err);
  if (status != SB_PENDING) return Result{status, "", buffer};
  std::unique_lock lock(op->mutex);
  if (!op->cv.wait_for(lock, wait, [&] { return op->done; }))
    return Result{-1, "", "no completion within the wait"};
  return op->result;
}

sb_instance* create(BusNode::Context& ctx, std::string& error) {
  char buffer[512] = {0};
  sb_error err{sizeof(sb_error), buffer, sizeof buffer, 0};
  sb_instance_args args{};
  args.struct_size = sizeof args;
  args.ctx = reinterpret_cast<sb_host_ctx*>(&ctx);
  args.tenant_id = sb_str{"", 0};
  args.config_json = str("{}");
  args.data_dir = str("/tmp");
  args.config_dir = str("/tmp");
  sb_instance* instance = nullptr;
  if (plugin().instance_new(&args, &instance, &err) != SB_OK) {
    error = buffer;
    return nullptr;
  }
  return instance;
}

}  // namespace

BusNode::BusNode(const std::string& node_id, const sb::test::RedisServer& redis, Config config)
    : ctx_(std::make_unique<Context>()) {
  config.emplace("node_id", node_id);
  config.emplace("address", redis.address());
  ctx_->config = std::move(config);
  std::string error;
  instance_ = create(*ctx_, error);
  if (!instance_) throw std::runtime_error(error);
}

BusNode::~BusNode() {
  close();
}

void BusNode::close() {
  if (instance_) plugin().instance_free(instance_);
  instance_ = nullptr;
}

void BusNode::hold_next_message(std::chrono::milliseconds hold) {
  std::lock_guard lock(ctx_->mutex);
  ctx_->hold_next_message = hold;
}

std::string BusNode::open_error(const Config& config) {
  Context ctx;
  ctx.config = config;
  std::string error;
  sb_instance* instance = create(ctx, error);
  if (instance) plugin().instance_free(instance);
  return error;
}

Result BusNode::publish(const std::string& channel, const std::string& payload) {
  return call(wait, [&](sb_op* op, sb_error* err) {
    return api().publish(instance_, str(channel), str(payload), op, err);
  });
}

Result BusNode::subscribe(const std::string& channel) {
  return call(wait, [&](sb_op* op, sb_error* err) {
    return api().subscribe(instance_, str(channel), op, err);
  });
}

Result BusNode::unsubscribe(const std::string& channel) {
  return call(
      wait, [&](sb_op*, sb_error* err) { return api().unsubscribe(instance_, str(channel), err); });
}

Result BusNode::stream_add(const std::string& stream, const std::string& payload) {
  return call(wait, [&](sb_op* op, sb_error* err) {
    return api().stream_add(instance_, str(stream), str(payload), op, err);
  });
}

Result BusNode::stream_consume(const std::string& stream) {
  return call(wait, [&](sb_op* op, sb_error* err) {
    return api().stream_consume(instance_, str(stream), op, err);
  });
}

Result BusNode::stream_stop(const std::string& stream) {
  return call(
      wait, [&](sb_op*, sb_error* err) { return api().stream_stop(instance_, str(stream), err); });
}

Result BusNode::stream_ack(const std::string& stream, const std::string& id) {
  return call(wait, [&](sb_op* op, sb_error* err) {
    return api().stream_ack(instance_, str(stream), str(id), op, err);
  });
}

Result BusNode::set_put(const std::string& set, const std::string& member, const std::string& value,
                        int64_t ttl_ms) {
  return call(wait, [&](sb_op* op, sb_error* err) {
    return api().set_put(instance_, str(set), str(member), str(value), ttl_ms, op, err);
  });
}

Result BusNode::set_delete(const std::string& set, const std::string& member) {
  return call(wait, [&](sb_op* op, sb_error* err) {
    return api().set_delete(instance_, str(set), str(member), op, err);
  });
}

Result BusNode::set_list(const std::string& set) {
  return call(
      wait, [&](sb_op* op, sb_error* err) { return api().set_list(instance_, str(set), op, err); });
}

std::vector<Message> BusNode::messages() const {
  std::lock_guard lock(ctx_->mutex);
  return ctx_->messages;
}

std::vector<Entry> BusNode::entries() const {
  std::lock_guard lock(ctx_->mutex);
  return ctx_->entries;
}

std::vector<int> BusNode::link_changes() const {
  std::lock_guard lock(ctx_->mutex);
  return ctx_->links;
}

std::vector<std::string> BusNode::log_lines() const {
  std::lock_guard lock(ctx_->mutex);
  return ctx_->lines;
}

bool BusNode::wait_messages(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(ctx_->mutex);
  return ctx_->cv.wait_for(lock, timeout, [&] { return ctx_->messages.size() >= count; });
}

bool BusNode::wait_entries(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(ctx_->mutex);
  return ctx_->cv.wait_for(lock, timeout, [&] { return ctx_->entries.size() >= count; });
}

bool BusNode::wait_link(bool up, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(ctx_->mutex);
  return ctx_->cv.wait_for(
      lock, timeout, [&] { return !ctx_->links.empty() && ctx_->links.back() == (up ? 1 : 0); });
}

size_t double_completions() {
  return g_double_completions.load();
}

}  // namespace cluster_test
