// Plain data the plugin host hands out and takes in: options, call results, what a
// loaded plugin is, its config schema and one instance's config. No ABI types here,
// so the rest of the core can use these without knowing sb_plugin.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/inline_function.hpp"

namespace spdlog {
class logger;
}

namespace sb::plugin_host {

struct HostOptions {
  // A hook that returned SB_PENDING and has not completed by then is answered with
  // an error; its late completion is dropped.
  std::chrono::milliseconds call_timeout{5000};
  // Consecutive failures (errors, exceptions, timeouts) of one instance that open
  // its circuit; while open, calls fail at once with "circuit open". Bot stages
  // use their tenant's [bot] breaker instead (see instance.hpp).
  uint32_t breaker_failures = 5;
  // How long an open circuit refuses calls before one trial call is let through:
  // breaker_first_cooldown the first time, twice as long after each failed trial,
  // at most breaker_cooldown (so storage is used again soon after its database
  // returns from a short outage).
  std::chrono::milliseconds breaker_cooldown{10000};
  std::chrono::milliseconds breaker_first_cooldown{500};
  // A synchronous hook (routing's route) slower than this is logged: it stalls the
  // tenant's engine thread.
  std::chrono::milliseconds slow_sync_call{5};
  // Where the host and its plugins log; nullptr = spdlog's default logger.
  std::shared_ptr<spdlog::logger> logger;
  // Where libraries are copied to be mapped from (private_copies.hpp): a directory
  // this host alone uses, emptied of an earlier run's copies at the first scan. The
  // server's is DATA_DIR/loaded-plugins. Empty: a new directory under the system's
  // temporary directory, removed with the host.
  std::filesystem::path copy_dir;
};

// The outcome of one guarded call. status is an sb_status (SB_OK, SB_ERROR, SB_DEFER,
// ...); result is the plugin's result bytes (JSON for storage, an agent id for a
// pending route); error explains an SB_ERROR. timed_out: the host gave up waiting
// (status is then SB_ERROR). refused: the plugin refused the request as bad
// (SB_REFUSED, ABI 1.11; status is then SB_ERROR), so asking again will not help.
struct CallResult {
  int32_t status = 0;
  std::string result;
  std::string error;
  bool timed_out = false;
  bool refused = false;
};
// Holds its callable inline when it is no larger than this: room for a store
// callback (engine::StoreCallback, 56 bytes) that the server's PluginStore turns
// into one of these, so a storage call's answer costs no allocation per layer; the
// op (sb_op) holds it by value.
inline constexpr size_t kCallbackBytes = 64;
using Callback = sb::InlineFunction<void(CallResult), kCallbackBytes>;

// The outcome of one call into a bot stage (auto-reply or LLM), as the bot pipeline
// reads it.
enum class BotStatus {
  ok,      // the stage answered; body is its result JSON
  defer,   // no answer; body may still carry "state" and "context" (auto-reply)
  error,   // the stage failed (error says why)
  timeout  // no answer by the deadline; a later answer is dropped
};
struct BotResult {
  BotStatus status = BotStatus::error;
  std::string body;  // the plugin's result JSON as it sent it (sb_plugin.h), unparsed
  std::string error;
  // With status error: the stage refused the request as bad (SB_REFUSED, ABI 1.11),
  // which the pipeline's breaker does not count.
  bool refused = false;
};
using BotCallback = std::function<void(BotResult)>;

struct PluginInfo {
  std::string name;
  std::string version;
  std::string path;
  int32_t kind = 0;  // sb_kind
  uint16_t abi_major = 0;
  uint16_t abi_minor = 0;
  // Which load of this plugin name the code is: 1 at start-up, one more for each
  // replacement (or return after a removal) while the server runs.
  uint32_t generation = 0;
};

// A build of a plugin mapped into the process, as /metrics shows it: the one in use
// for new instances (current), or a replaced or removed one that stays mapped
// until its last instance is gone.
struct LoadedBuild {
  PluginInfo info;
  bool current = false;
  long instances = 0;  // alive now
};

// The config keys a plugin accepts; tenants validate [plugins.NAME] against it.
// Same shape as sb::tenants::PluginSchema.
struct PluginSchema {
  std::string name;
  int32_t kind = 0;                                   // sb_kind
  std::vector<std::pair<std::string, int32_t>> keys;  // key name, sb_config_type
};

// What a cluster-bus plugin (ABI 1.6) reports, as the core receives it. Called on
// the plugin's own thread, one call at a time, in order; must not block (hand the
// work to an executor). The views are valid during the call only.
class ClusterSink {
 public:
  virtual ~ClusterSink() = default;
  virtual void on_message(std::string_view channel, std::string_view payload) = 0;
  virtual void on_entry(std::string_view stream, std::string_view entry_id,
                        std::string_view payload, bool redelivered) = 0;
  virtual void on_link(bool up, std::string_view detail) = 0;
};

// One tenant's [plugins.NAME] table, already validated against the schema.
struct InstanceConfig {
  std::string config_json = "{}";                     // the table as a JSON object
  std::map<std::string, std::string> values_as_text;  // what host->config_get returns
  // The directory of the tenant's file: the plugin resolves relative file names in
  // its config against it (sb_instance_args.config_dir). Made absolute by the host.
  std::string config_dir;
  // A cluster-bus instance's receiver of events (required for that kind only).
  std::shared_ptr<ClusterSink> cluster_sink{};
};

}  // namespace sb::plugin_host
