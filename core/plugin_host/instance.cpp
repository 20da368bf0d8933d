#include "plugin_host/instance.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <exception>
#include <filesystem>

#include "common/clock.hpp"
#include "plugin_host/loaded_plugin.hpp"
#include "plugin_host/pending_op.hpp"
#include "switchboard/sb_plugin_cpp.hpp"

namespace sb::plugin_host {

namespace {

constexpr size_t kErrorBufferBytes = 512;

// A hook's failure text: what it wrote into the sb_error buffer, or a default.
std::string error_text(int32_t status, const char* buffer) {
  if (buffer[0]) return buffer;
  if (status == SB_ERROR) return "plugin returned SB_ERROR";
  if (status == SB_REFUSED) return "plugin refused the request";
  return "plugin returned status " + std::to_string(status);
}

// The first minor whose plugins may answer SB_REFUSED (ABI rule 7).
constexpr uint16_t kRefusedSinceMinor = 11;

bool is_failure(int32_t status) {
  return status != SB_OK && status != SB_PENDING && status != SB_DEFER &&
         status != SB_NOT_SUPPORTED && status != SB_OFFER;
}

}  // namespace

Instance::Instance(std::shared_ptr<const LoadedPlugin> plugin, std::string tenant_id,
                   const InstanceConfig& config, const HostOptions& options)
    : plugin_(std::move(plugin)),
      options_(options),
      breaker_(options.breaker_failures, options.breaker_cooldown, options.breaker_first_cooldown),
      // Nor the cluster bus: it reports its link itself (on_link), and a breaker
      // open after an outage would refuse calls for its cool-down after the return.
      has_breaker_(plugin_->info.kind != SB_KIND_AUTOREPLY && plugin_->info.kind != SB_KIND_LLM &&
                   plugin_->info.kind != SB_KIND_CLUSTER_BUS) {
  ctx_.plugin_name = plugin_->info.name;
  ctx_.tenant_id = std::move(tenant_id);
  ctx_.config_values.insert(config.values_as_text.begin(), config.values_as_text.end());
  ctx_.logger = options.logger ? options.logger : spdlog::default_logger();
  ctx_.instance = this;
  ctx_.cluster_sink = config.cluster_sink;
}

Instance::~Instance() {
  if (opened_) {
    try {
      plugin_->descriptor->instance_free(plugin_instance_);
    } catch (...) {
      logger().error("[{} {}] instance_free threw; the exception was swallowed", plugin_name(),
                     tenant_id());
    }
  }
  if (after_free_) after_free_();
}

const PluginInfo& Instance::info() const {
  return plugin_->info;
}

spdlog::logger& Instance::logger() const {
  return *ctx_.logger;
}

bool Instance::open(const InstanceConfig& config, const std::string& data_dir, std::string& error,
                    RetryAfter* retry_after) {
  // Absolute, so the plugin's files stay found whatever the server's working directory.
  std::string config_dir;
  if (!config.config_dir.empty()) {
    std::error_code ec;
    config_dir = std::filesystem::absolute(config.config_dir, ec).string();
    if (ec) config_dir = config.config_dir;
  }
  sb_instance_args args{sizeof(sb_instance_args), &ctx_,
                        sb::str(ctx_.tenant_id),  sb::str(config.config_json),
                        sb::str(data_dir),        sb::str(config_dir)};
  char buffer[kErrorBufferBytes] = {};
  sb_error err{sizeof(sb_error), buffer, sizeof(buffer), 0};
  sb_instance* created = nullptr;
  int32_t status = SB_ERROR;
  try {
    status = plugin_->descriptor->instance_new(&args, &created, &err);
  } catch (const std::exception& e) {
    error = std::string("instance_new threw: ") + e.what();
    return false;
  } catch (...) {
    error = "instance_new threw an exception";
    return false;
  }
  if (status != SB_OK) {
    error = error_text(status, buffer);
    // 0 as set above: a plugin before 1.8, or one that does not know when.
    if (retry_after && err.retry_after_ms > 0)
      *retry_after = std::chrono::milliseconds(err.retry_after_ms);
    return false;
  }
  plugin_instance_ = created;
  opened_ = true;
  return true;
}

int32_t Instance::kind() const {
  return plugin_->info.kind;
}

bool Instance::wants_events() const {
  return plugin_->descriptor->on_event != nullptr;
}

const sb_storage_api* Instance::storage_api() const {
  return kind() == SB_KIND_STORAGE
             ? static_cast<const sb_storage_api*>(plugin_->descriptor->kind_api)
             : nullptr;
}

const sb_routing_api* Instance::routing_api() const {
  return kind() == SB_KIND_ROUTING
             ? static_cast<const sb_routing_api*>(plugin_->descriptor->kind_api)
             : nullptr;
}

const sb_autoreply_api* Instance::autoreply_api() const {
  return kind() == SB_KIND_AUTOREPLY
             ? static_cast<const sb_autoreply_api*>(plugin_->descriptor->kind_api)
             : nullptr;
}

const sb_cluster_api* Instance::cluster_api() const {
  return kind() == SB_KIND_CLUSTER_BUS
             ? static_cast<const sb_cluster_api*>(plugin_->descriptor->kind_api)
             : nullptr;
}

const sb_llm_api* Instance::llm_api() const {
  return kind() == SB_KIND_LLM ? static_cast<const sb_llm_api*>(plugin_->descriptor->kind_api)
                               : nullptr;
}

int32_t Instance::start(const AsyncInvoke& invoke, const std::shared_ptr<sb_op>& op,
                        std::string& error, bool* refused) {
  if (!admit(error)) {
    op->finished.store(true);
    return SB_ERROR;
  }
  // The plugin may complete from its own thread as soon as the hook has the op, so
  // it is watched first; afterwards only whoever finishes the op takes it off.
  op->held_for_plugin = op;
  const auto started = std::chrono::steady_clock::now();
  op->deadline = started + op->timeout;
  watch(*op);

  char buffer[kErrorBufferBytes] = {};
  sb_error err{sizeof(sb_error), buffer, sizeof(buffer), 0};
  int32_t status = SB_ERROR;
  try {
    status = invoke(plugin_instance_, op.get(), &err);
  } catch (const std::exception& e) {
    status = SB_ERROR;
    error = std::string("plugin threw: ") + e.what();
  } catch (...) {
    status = SB_ERROR;
    error = "plugin threw an exception";
  }
  warn_if_slow(std::chrono::steady_clock::now() - started);
  status = as_stated(status);
  if (status == SB_PENDING) return SB_PENDING;

  // Any other status is the answer; by the ABI the plugin will not complete the op.
  op->held_for_plugin.reset();
  // A plugin that completed the op inside the hook and then returned a non-pending
  // status already delivered: its completion stands.
  if (op->finished.exchange(true)) return SB_PENDING;
  unwatch(*op);
  if (is_failure(status) && error.empty()) error = error_text(status, buffer);
  if (refused) *refused = status == SB_REFUSED;
  return record_outcome(status, error);
}

void Instance::call_async(const AsyncInvoke& invoke, boost::asio::any_io_executor executor,
                          Callback cb, std::optional<std::chrono::milliseconds> timeout) {
  auto op = std::make_shared<sb_op>(shared_from_this(), executor, std::move(cb),
                                    timeout.value_or(options_.call_timeout));
  std::string error;
  bool refused = false;
  const int32_t status = start(invoke, op, error, &refused);
  if (status == SB_PENDING) return;
  // Answered now, but delivered like every other outcome: later, on the executor.
  boost::asio::post(executor,
                    [callback = std::move(op->callback),
                     result = CallResult{status, {}, std::move(error), false, refused}]() mutable {
                      callback(std::move(result));
                    });
}

int32_t Instance::call_maybe_pending(const AsyncInvoke& invoke,
                                     boost::asio::any_io_executor executor, Callback on_pending,
                                     std::string& error, bool* refused) {
  auto op = std::make_shared<sb_op>(shared_from_this(), std::move(executor), std::move(on_pending),
                                    options_.call_timeout);
  return start(invoke, op, error, refused);
}

int32_t Instance::call_sync(const SyncInvoke& invoke, std::string& error) {
  if (!admit(error)) return SB_ERROR;
  char buffer[kErrorBufferBytes] = {};
  sb_error err{sizeof(sb_error), buffer, sizeof(buffer), 0};
  int32_t status = SB_ERROR;
  const auto started = std::chrono::steady_clock::now();
  try {
    status = invoke(plugin_instance_, &err);
  } catch (const std::exception& e) {
    status = SB_ERROR;
    error = std::string("plugin threw: ") + e.what();
  } catch (...) {
    status = SB_ERROR;
    error = "plugin threw an exception";
  }
  warn_if_slow(std::chrono::steady_clock::now() - started);
  status = as_stated(status);
  if (is_failure(status) && error.empty()) error = error_text(status, buffer);
  return record_outcome(status, error);
}

void Instance::deliver_event(const sb_event& event) {
  auto on_event = plugin_->descriptor->on_event;
  if (!on_event || !opened_) return;
  try {
    on_event(plugin_instance_, &event);
  } catch (...) {
    logger().error("[{} {}] on_event threw; the exception was swallowed", plugin_name(),
                   tenant_id());
    record_outcome(SB_ERROR, "on_event threw");
  }
}

void Instance::finish(sb_op& op, CallResult result) {
  if (op.finished.exchange(true)) return;  // timed out first: the late result is dropped
  unwatch(op);
  result.status = as_stated(result.status);
  result.refused = result.status == SB_REFUSED;
  if (result.refused && result.error.empty()) result.error = error_text(SB_REFUSED, "");
  result.status = record_outcome(result.status, result.error);
  auto callback = std::move(op.callback);
  if (callback) callback(std::move(result));
}

void Instance::time_out(sb_op& op) {
  if (op.finished.exchange(true)) return;
  const auto timeout_ms = op.timeout.count();
  logger().warn("[{} {}] an operation timed out after {} ms", plugin_name(), tenant_id(),
                timeout_ms);
  record_outcome(SB_ERROR, "timed out");
  auto callback = std::move(op.callback);
  if (callback)
    callback(
        CallResult{SB_ERROR, {}, "timed out after " + std::to_string(timeout_ms) + " ms", true});
}

struct Instance::Watchdog {
  explicit Watchdog(const boost::asio::any_io_executor& executor) : timer(executor) {}
  boost::asio::steady_timer timer;
};

void Instance::watch(sb_op& op) {
  std::lock_guard lock(watch_mutex_);
  // After the last op due no later than this one: with one timeout for all the
  // calls (the common case), at the end.
  sb_op* before = watch_last_;
  while (before && before->deadline > op.deadline) before = before->watch_prev;
  op.watch_prev = before;
  op.watch_next = before ? before->watch_next : watch_first_;
  (op.watch_next ? op.watch_next->watch_prev : watch_last_) = &op;
  (before ? before->watch_next : watch_first_) = &op;
  op.watched.store(true, std::memory_order_relaxed);
  // Most calls end here: the watchdog goes off no later than this op is due.
  if (op.deadline >= watch_expiry_ && !watchdog_.expired()) return;
  arm_watchdog(op.deadline, op.executor);
}

void Instance::unwatch(sb_op& op) {
  if (!op.watched.load(std::memory_order_relaxed)) return;  // the sweep took it off
  std::lock_guard lock(watch_mutex_);
  if (op.watched.load(std::memory_order_relaxed)) unlink_watched(op);
}

void Instance::unlink_watched(sb_op& op) {
  (op.watch_prev ? op.watch_prev->watch_next : watch_first_) = op.watch_next;
  (op.watch_next ? op.watch_next->watch_prev : watch_last_) = op.watch_prev;
  op.watch_prev = op.watch_next = nullptr;
  op.watched.store(false, std::memory_order_relaxed);
}

void Instance::arm_watchdog(std::chrono::steady_clock::time_point when,
                            const boost::asio::any_io_executor& executor) {
  auto dog = watchdog_.lock();
  if (!dog) {
    dog = std::make_shared<Watchdog>(executor);
    watchdog_ = dog;
  }
  watch_expiry_ = when;
  dog->timer.expires_at(when);  // a wait under way ends with operation_aborted
  dog->timer.async_wait([weak = weak_from_this(), dog](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->sweep();
  });
}

// The watchdog went off: every op due is answered with its timeout, on its own
// executor; the watchdog is set again for the first op not yet due, if any.
void Instance::sweep() {
  std::vector<std::shared_ptr<sb_op>> due;
  {
    std::lock_guard lock(watch_mutex_);
    const auto now = std::chrono::steady_clock::now();
    while (watch_first_ && watch_first_->deadline <= now) {
      sb_op& op = *watch_first_;
      unlink_watched(op);
      // None when its last reference is going (its destructor waits for the lock).
      if (auto held = op.weak_from_this().lock()) due.push_back(std::move(held));
    }
    watch_expiry_ = std::chrono::steady_clock::time_point::max();
    if (watch_first_) arm_watchdog(watch_first_->deadline, watch_first_->executor);
  }
  for (auto& op : due) {
    auto executor = op->executor;
    boost::asio::post(executor, [op = std::move(op)] { op->instance->time_out(*op); });
  }
}

void Instance::warn_if_slow(std::chrono::steady_clock::duration elapsed) {
  if (elapsed <= options_.slow_sync_call) return;
  // At most one line a second per instance: a plugin that is always slow must not
  // flood the log at 20,000 calls a second.
  const int64_t now_ms = sb::monotonic_ms();
  int64_t last_ms = last_slow_warning_ms_.load(std::memory_order_relaxed);
  if (now_ms - last_ms < 1000 || !last_slow_warning_ms_.compare_exchange_strong(last_ms, now_ms))
    return;
  logger().warn("[{} {}] a hook blocked its caller for {} ms (budget {} ms)", plugin_name(),
                tenant_id(), std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(),
                options_.slow_sync_call.count());
}

int32_t Instance::as_stated(int32_t status) {
  // A plugin that states an ABI older than 1.11 cannot mean SB_REFUSED: no host of
  // its version knows the value, and a plugin could otherwise answer it to keep its
  // failures from the breaker. Its 6 is what any unknown status is, a failure.
  if (status != SB_REFUSED || plugin_->info.abi_minor >= kRefusedSinceMinor) return status;
  if (!warned_unstated_refusal_.exchange(true, std::memory_order_relaxed))
    logger().warn(
        "[{} {}] the plugin states ABI {}.{} but answered SB_REFUSED, which is ABI 1.11's; "
        "taken as a failure (SB_ERROR) whenever it does",
        plugin_name(), tenant_id(), plugin_->info.abi_major, plugin_->info.abi_minor);
  return SB_ERROR;
}

bool Instance::admit(std::string& error) {
  if (!has_breaker_ || breaker_.try_acquire()) return true;
  error = "circuit open";
  return false;
}

int32_t Instance::record_outcome(int32_t status, const std::string& error) {
  // A refusal reaches the caller as the error it is (ABI 1.11); only the breaker
  // tells it from a failure.
  if (status == SB_REFUSED) {
    if (has_breaker_) breaker_.record_refusal();
    return SB_ERROR;
  }
  if (!has_breaker_) return status;
  if (!is_failure(status)) {
    breaker_.record_success();
    return status;
  }
  if (breaker_.record_failure()) {
    logger().warn(
        "[{} {}] circuit open after {} consecutive failures (last: {}); calls fail for {} ms",
        plugin_name(), tenant_id(), options_.breaker_failures, error,
        options_.breaker_cooldown.count());
  }
  return status;
}

}  // namespace sb::plugin_host

sb_op::~sb_op() {
  if (instance) instance->unwatch(*this);
}

namespace sb::plugin_host {

void complete_op(sb_op* op, int32_t status, sb_str result, sb_str error_message) {
  if (!op) return;
  // Take the plugin's reference back. None left means the hook did not go pending,
  // so the ABI forbids this call; ignore it rather than deliver twice.
  std::shared_ptr<sb_op> self = std::move(op->held_for_plugin);
  if (!self) return;
  CallResult copied{
      status, result.len ? std::string(result.ptr, result.len) : std::string(),
      error_message.len ? std::string(error_message.ptr, error_message.len) : std::string(), false};
  Instance& instance = *self->instance;  // self holds it
  instance.deliver(std::move(self), std::move(copied));
}

void Instance::deliver(std::shared_ptr<sb_op> op, CallResult result) {
  {
    std::lock_guard lock(delivered_mutex_);
    if (!delivered_to_) {
      delivered_to_ = op->executor;
      delivered_.push_back({std::move(op), std::move(result)});
      // Posting never runs the handler inline, so the lock is not held by it.
      boost::asio::post(delivered_to_, [self = shared_from_this()] { self->finish_delivered(); });
      return;
    }
    if (delivered_to_ == op->executor) {
      delivered_.push_back({std::move(op), std::move(result)});
      return;
    }
  }
  // Another executor's completions are on their way: this one goes on its own.
  auto executor = op->executor;
  boost::asio::post(executor, [op = std::move(op), result = std::move(result)]() mutable {
    op->instance->finish(*op, std::move(result));
  });
}

void Instance::finish_delivered() {
  std::vector<Delivered> batch;
  boost::asio::any_io_executor done_with;
  {
    std::lock_guard lock(delivered_mutex_);
    batch.swap(delivered_);
    done_with = std::move(delivered_to_);
    delivered_to_ = boost::asio::any_io_executor();
  }
  for (auto& d : batch) finish(*d.op, std::move(d.result));
}

}  // namespace sb::plugin_host
