// One plugin instance for one tenant, and the guard around every call into it:
// an exception barrier, a timeout for asynchronous hooks and a circuit breaker.
// Bot stages (auto-reply and LLM plugins) have no breaker here: the tenant's bot
// pipeline keeps one per stage, with the tenant's [bot] breaker settings, and it
// also counts what only it can judge (malformed or empty answers). A second
// breaker here would refuse calls by other numbers than the tenant chose.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "plugin_host/circuit_breaker.hpp"
#include "plugin_host/host_api.hpp"
#include "plugin_host/plugin_info.hpp"
#include "switchboard/sb_plugin.h"

namespace sb::plugin_host {

struct LoadedPlugin;
// One build of a plugin (its mapped library). Opaque outside the host: holding it
// keeps the code mapped, so an instance can be made from it again.
using PluginBuild = std::shared_ptr<const LoadedPlugin>;

// Calls a hook with the plugin's instance, a fresh op and an error buffer; returns
// the hook's status.
using AsyncInvoke = std::function<int32_t(sb_instance*, sb_op*, sb_error*)>;
using SyncInvoke = std::function<int32_t(sb_instance*, sb_error*)>;

// How long a plugin that refused says its refusal lasts (sb_error.retry_after_ms,
// ABI 1.8): a new instance may be made after that. nullopt: it said nothing of when
// (every plugin before 1.8, and any failure not known to end by itself).
using RetryAfter = std::optional<std::chrono::milliseconds>;

// Made by PluginHost::create_instance. Thread-safe: calls may come from any thread.
// The plugin's instance_free runs when the last reference goes, which is never while
// an operation is outstanding (each op holds a reference), and the library stays
// mapped as long as the instance lives.
class Instance : public std::enable_shared_from_this<Instance> {
 public:
  Instance(std::shared_ptr<const LoadedPlugin> plugin, std::string tenant_id,
           const InstanceConfig& config, const HostOptions& options);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // Calls the plugin's instance_new. Blocking (start-up and reload path). False and
  // error text on failure, including an exception thrown by the plugin; then also,
  // when retry_after is given, when the plugin said trying again can succeed.
  bool open(const InstanceConfig& config, const std::string& data_dir, std::string& error,
            RetryAfter* retry_after = nullptr);

  const std::string& plugin_name() const { return ctx_.plugin_name; }
  const std::string& tenant_id() const { return ctx_.tenant_id; }
  // The build this instance runs: name, version, file and generation.
  const PluginInfo& info() const;
  const PluginBuild& build() const { return plugin_; }

  // Runs `freed` once, on whichever thread lets the instance go, after the plugin's
  // instance_free has returned: from then on none of its code runs for this
  // instance (a storage handover opens the file again only after that). Set it
  // before letting go of the last reference one holds.
  void after_free(std::function<void()> freed) { after_free_ = std::move(freed); }
  int32_t kind() const;
  const sb_storage_api* storage_api() const;      // nullptr unless a storage plugin
  const sb_routing_api* routing_api() const;      // nullptr unless a routing plugin
  const sb_autoreply_api* autoreply_api() const;  // nullptr unless an auto-reply plugin
  const sb_llm_api* llm_api() const;              // nullptr unless an LLM plugin
  const sb_cluster_api* cluster_api() const;      // nullptr unless a cluster-bus plugin

  // Guarded asynchronous call. The rule: cb runs exactly once, always on executor
  // (posted, never inline), with
  //  - the plugin's completion, when the hook returned SB_PENDING and
  //    host->complete came before the timeout (from any thread);
  //  - {SB_ERROR, "", "timed out after N ms", timed_out} when the timeout fired
  //    first; the late completion is then dropped (the op stays valid until it comes);
  //  - {status, "", error} at once when the hook returned anything but SB_PENDING:
  //    SB_OK returned synchronously means success with an empty result;
  //  - {SB_ERROR, "", what} when the hook threw;
  //  - {SB_ERROR, "", why, refused} when the plugin refused the request (SB_REFUSED,
  //    returned or completed): an error to the caller, not a failure to the breaker;
  //  - {SB_ERROR, "", "circuit open"} when the breaker refuses the call (not for
  //    bot stages, see above).
  // The timeout is HostOptions::call_timeout unless the call names its own (a bot
  // stage's deadline). The executor's io_context must outlive outstanding ops, and
  // keep running while they are outstanding: the timeouts of one instance's ops are
  // kept by one timer, on the executor of an op that was outstanding when it was set.
  void call_async(const AsyncInvoke& invoke, boost::asio::any_io_executor executor, Callback cb,
                  std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // The hook answers now or goes pending (routing's route). Returns the hook's status
  // at once; only when it is SB_PENDING does on_pending run later, exactly once, on
  // executor, under the same rules as call_async. error explains SB_ERROR.
  // *refused, when given, says whether an SB_ERROR now was the plugin's refusal.
  int32_t call_maybe_pending(const AsyncInvoke& invoke, boost::asio::any_io_executor executor,
                             Callback on_pending, std::string& error, bool* refused = nullptr);

  // Guarded synchronous call without an op. Exceptions become SB_ERROR; counts
  // toward the breaker; calls slower than HostOptions::slow_sync_call are logged.
  int32_t call_sync(const SyncInvoke& invoke, std::string& error);

  // Calls on_event when the plugin has one. Exceptions are logged and counted.
  void deliver_event(const sb_event& event);
  // True when the plugin has an on_event hook: only those are subscribed to the bus.
  bool wants_events() const;

  // True while the breaker refuses calls (never for a bot stage).
  bool breaker_open() const { return has_breaker_ && breaker_.is_open(); }

 private:
  friend void complete_op(sb_op*, int32_t, sb_str, sb_str);

  // Calls the hook behind the breaker and exception barrier; returns its status or
  // SB_ERROR with error set (and *refused, when given, says whether the plugin
  // refused the request). On SB_PENDING the op is on the watch list.
  int32_t start(const AsyncInvoke& invoke, const std::shared_ptr<sb_op>& op, std::string& error,
                bool* refused = nullptr);
  void finish(sb_op& op, CallResult result);
  void time_out(sb_op& op);
  friend struct ::sb_op;  // ~sb_op leaves the watch list
  // The ops' timeouts. An asio timer per op cost about as much as the rest of the
  // host's work per storage call (armed, cancelled, its cancelled wait run through
  // the loop: RESULTS.md, the eighteenth pass). Instead the ops wait in a list by
  // deadline and one timer (the watchdog) is set for the soonest; an op answered in
  // time just leaves the list, and the timer, when it goes off with nothing due,
  // is set again for the list's first op.
  struct Watchdog;
  void watch(sb_op& op);
  void unwatch(sb_op& op);
  void unlink_watched(sb_op& op);  // under watch_mutex_
  void arm_watchdog(std::chrono::steady_clock::time_point when,
                    const boost::asio::any_io_executor& executor);  // under watch_mutex_
  void sweep();
  // From complete_op, on the plugin's thread: hands the result to the op's executor.
  // Completions that come together for one executor (a storage writer completing
  // its batch, one after the other) go in one post and are finished in the order
  // they came: one hand-off and one wake-up per batch instead of one per op.
  void deliver(std::shared_ptr<sb_op> op, CallResult result);
  void finish_delivered();
  // The status as the plugin's stated ABI lets it mean it: SB_REFUSED from a plugin
  // that states a minor before 1.11 is SB_ERROR (logged once per instance).
  int32_t as_stated(int32_t status);
  // False when the breaker refuses the call (error says so).
  bool admit(std::string& error);
  // Tells the breaker how the call went; returns the status the caller sees
  // (SB_REFUSED becomes SB_ERROR: a refused request failed all the same).
  int32_t record_outcome(int32_t status, const std::string& error);
  void warn_if_slow(std::chrono::steady_clock::duration elapsed);
  spdlog::logger& logger() const;

  std::shared_ptr<const LoadedPlugin> plugin_;
  sb_host_ctx ctx_;
  HostOptions options_;
  CircuitBreaker breaker_;
  bool has_breaker_;  // false for bot stages
  sb_instance* plugin_instance_ = nullptr;
  bool opened_ = false;  // instance_new succeeded, so instance_free is owed
  std::atomic<int64_t> last_slow_warning_ms_{0};
  std::atomic<bool> warned_unstated_refusal_{false};
  std::function<void()> after_free_;

  // Completions waiting for the one post to their executor (deliver).
  struct Delivered {
    std::shared_ptr<sb_op> op;
    CallResult result;
  };
  std::mutex delivered_mutex_;
  std::vector<Delivered> delivered_;
  boost::asio::any_io_executor delivered_to_;  // set while a post for delivered_ is under way

  // The watch list (see watch()): outstanding ops, the soonest deadline first.
  std::mutex watch_mutex_;
  sb_op* watch_first_ = nullptr;
  sb_op* watch_last_ = nullptr;
  // The watchdog is held by its own pending wait only, so it never outlives the
  // io_context it waits on; watch_expiry_ is when that wait ends.
  std::weak_ptr<Watchdog> watchdog_;
  std::chrono::steady_clock::time_point watch_expiry_;
};

}  // namespace sb::plugin_host
