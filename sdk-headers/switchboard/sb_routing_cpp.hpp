// sb_routing_cpp.hpp: optional C++ helper for routing plugins written in C++.
//
// Header-only, built on sb_plugin.h and sb_plugin_cpp.hpp. A routing plugin is its
// rule and nothing else; this header writes the rest: the guarded trampolines
// (ABI rule 7), the descriptor (kind routing; ABI 1.0 unless the strategy states a
// later minor, below) and the exported entry symbol.
//
// How to write a routing plugin with it:
//
//   namespace {
//   struct LeastBusy {
//     static constexpr const char* kName = "routing-least-busy";  // tenants name it so
//     static constexpr const char* kVersion = "1.0.0";
//
//     // SB_OK with index set, SB_DEFER (the next strategy of the chain decides),
//     // SB_ERROR with err set, or (a strategy stating ABI 1.11, below) refuse(err,
//     // "...") for a request that is bad in itself. Runs on the tenant's engine
//     // thread; must not block. An exception becomes SB_ERROR.
//     int32_t choose(const sb_route_request& req, size_t& index, sb_error* err);
//   };
//   }  // namespace
//
//   SB_ROUTING_PLUGIN(LeastBusy)
//
// A strategy that asks something slow (an HTTP endpoint, say) takes the operation
// as well and may answer later:
//
//     // SB_OK/SB_DEFER/SB_ERROR/SB_OFFER now, as above, or SB_PENDING after keeping
//     // a copy of later: then later.ok(agent_id), later.defer() or later.error(why)
//     // answers, once, from any thread. The host checks again that the agent named
//     // is still free; when every copy of later goes without an answer, the op ends
//     // with an error (treated like SB_DEFER).
//     int32_t choose(const sb_route_request& req, size_t& index, const sb::Completion& later,
//                    sb_error* err);
//
// A request that is bad in itself (attributes_json a visitor or website sent that the
// strategy cannot read) is refused, not failed: `return refuse(err, "...")` answers
// SB_REFUSED, which the host's circuit breaker does not count, so no number of bad
// requests makes the strategy unavailable for the tenant (ABI rule 7). SB_ERROR is
// for the strategy failing (what it asks outside is down). SB_REFUSED is ABI 1.11's:
// a strategy that answers it states the minor it was written for,
// `static constexpr uint16_t kAbiMinor = 11;` (without it, 0: ABI 1.0), and the host
// takes a refusal from a strategy stating less as a failure.
//
// One object of the strategy type is the per-tenant instance. It is built with
// Strategy(host, args) when it has that constructor (to keep args.ctx for logging or
// to read its config), else default-constructed. Its config keys, if it takes any,
// are a `static constexpr sb_config_key kConfigKeys[]`; without it the host accepts
// no key in the tenant's [plugins.NAME] table.
//
// choose_smallest() below is the usual rule "the candidate with the smallest key".
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace sb::routing {

// choose() answers now...
template <class Strategy>
concept ChoosesNow = requires(Strategy& strategy, const sb_route_request& req, size_t& index,
                              sb_error* err) {
  { strategy.choose(req, index, err) } -> std::convertible_to<int32_t>;
};

// ...or may answer later through a Completion (SB_PENDING).
template <class Strategy>
concept MayChooseLater = requires(Strategy& strategy, const sb_route_request& req, size_t& index,
                                  const Completion& later, sb_error* err) {
  { strategy.choose(req, index, later, err) } -> std::convertible_to<int32_t>;
};

template <class Strategy>
concept Named = requires {
  { Strategy::kName } -> std::convertible_to<const char*>;
  { Strategy::kVersion } -> std::convertible_to<const char*>;
};

template <class Strategy>
concept Chooses = ChoosesNow<Strategy> || MayChooseLater<Strategy>;

template <class Strategy>
concept RoutingStrategy = Named<Strategy> && Chooses<Strategy>;

// True for a request without a conversation: the host only asks what the strategy
// would choose now (POST /v1/tenants/ID/routing/dry-run). Answer as usual, but
// remember nothing (a rotation does not advance) and ask no one outside.
inline bool is_dry_run(const sb_route_request& req) {
  return req.conversation_id.len == 0;
}

namespace detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

// The key as an optional: a key function may return std::optional to leave a
// candidate out.
template <class Key>
auto as_optional(Key&& key) {
  if constexpr (is_optional<std::remove_cvref_t<Key>>::value)
    return std::forward<Key>(key);
  else
    return std::optional<std::remove_cvref_t<Key>>(std::forward<Key>(key));
}

}  // namespace detail

// Sets index to the candidate whose key(candidate) is smallest (operator<; on equal
// keys the first offered) and returns SB_OK; SB_DEFER when there is no candidate.
// key may return std::optional: nullopt leaves that candidate out, and SB_DEFER
// follows when every one is left out. key runs exactly once per candidate, in order.
template <class KeyFn>
int32_t choose_smallest(const sb_route_request& req, size_t& index, KeyFn&& key) {
  using Key = decltype(detail::as_optional(key(*req.candidates[0])));
  Key best_key;
  size_t best = 0;
  for (size_t i = 0; i < req.candidate_count; ++i) {
    Key candidate_key = detail::as_optional(key(*req.candidates[i]));
    if (candidate_key && (!best_key || *candidate_key < *best_key)) {
      best_key = std::move(candidate_key);
      best = i;
    }
  }
  if (!best_key) return SB_DEFER;
  index = best;
  return SB_OK;
}

// Writes message into err and returns SB_ERROR, for `return fail(err, "...")`.
inline int32_t fail(sb_error* err, const std::string& message) {
  sb_error_set(err, message.c_str());
  return SB_ERROR;
}

// Writes message into err and returns SB_REFUSED (ABI 1.11; the strategy states
// kAbiMinor = 11), for `return refuse(err, "...")`: the request is bad.
inline int32_t refuse(sb_error* err, const std::string& message) {
  return sb_error_refuse(err, message.c_str());
}

// The plugin's side of the ABI for one strategy type. Use SB_ROUTING_PLUGIN.
template <RoutingStrategy Strategy>
struct Plugin {
  static inline const sb_host_api* host = nullptr;  // set once by the entry, read-only after

  static int32_t instance_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
    return sb::guarded(err, [&]() -> int32_t {
      Strategy* state;
      if constexpr (std::is_constructible_v<Strategy, const sb_host_api*, const sb_instance_args&>)
        state = new Strategy(host, *args);
      else
        state = new Strategy();
      *out = reinterpret_cast<sb_instance*>(state);
      sb::log(host, args->ctx, SB_LOG_DEBUG, "instance ready");
      return SB_OK;
    });
  }

  static void instance_free(sb_instance* inst) { delete reinterpret_cast<Strategy*>(inst); }

  // *out_index is written only with SB_OK.
  static int32_t route(sb_instance* inst, const sb_route_request* req, size_t* out_index, sb_op* op,
                       sb_error* err) {
    Strategy& strategy = *reinterpret_cast<Strategy*>(inst);
    size_t index = 0;
    int32_t status;
    if constexpr (MayChooseLater<Strategy>) {
      const Completion later(host, op);
      status =
          sb::guarded(err, [&]() -> int32_t { return strategy.choose(*req, index, later, err); });
      // Answered through later already (even though it says otherwise): that
      // answer stands, and the op must not be answered twice.
      if (status == SB_PENDING || !later.release()) return SB_PENDING;
    } else {
      status = sb::guarded(err, [&]() -> int32_t { return strategy.choose(*req, index, err); });
    }
    if (status == SB_OK) *out_index = index;
    return status;
  }

  static constexpr const sb_config_key* config_keys() {
    if constexpr (requires { Strategy::kConfigKeys; })
      return Strategy::kConfigKeys;
    else
      return nullptr;
  }
  static constexpr size_t config_key_count() {
    if constexpr (requires { Strategy::kConfigKeys; })
      return std::size(Strategy::kConfigKeys);
    else
      return 0;
  }

  // The ABI minor the strategy states (kAbiMinor), else 0.
  static constexpr uint16_t abi_minor() {
    if constexpr (requires { Strategy::kAbiMinor; })
      return Strategy::kAbiMinor;
    else
      return 0;
  }

  static constexpr sb_routing_api routing_api = {sizeof(sb_routing_api), &route};

  static constexpr sb_plugin_descriptor descriptor = {
      sizeof(sb_plugin_descriptor),
      SB_ABI_VERSION_MAJOR(1, abi_minor()),
      SB_ABI_VERSION_MINOR(1, abi_minor()),
      SB_KIND_ROUTING,
      Strategy::kName,
      Strategy::kVersion,
      config_keys(),
      config_key_count(),
      &instance_new,
      &instance_free,
      nullptr,
      &routing_api,
  };

  static const sb_plugin_descriptor* entry(const sb_host_api* host_api) {
    host = host_api;
    return &descriptor;
  }
};

}  // namespace sb::routing

// Defines the plugin's one exported symbol, sb_plugin_entry, for a strategy type.
// Use once, at file scope, after the type.
#define SB_ROUTING_PLUGIN(Strategy)                                                           \
  extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) { \
    return ::sb::routing::Plugin<Strategy>::entry(host);                                      \
  }
