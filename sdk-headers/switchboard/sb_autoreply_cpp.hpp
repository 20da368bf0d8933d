// sb_autoreply_cpp.hpp: optional C++ helper for auto-reply and LLM plugins (ABI 1.1).
//
// Header-only, built on sb_plugin.h and sb_plugin_cpp.hpp (and sb_http_cpp.hpp,
// which it includes for the host's HTTP service). A plugin is one class; this header
// writes the rest: the descriptor (ABI 1.1, or the minor the class states as
// `static constexpr uint16_t kAbiMinor`), the exported entry symbol and trampolines
// that keep every exception on the plugin's side (ABI rule 7).
//
//   namespace {
//   class Faq {
//    public:
//     static constexpr const char* kName = "autoreply-faq";  // tenants name it so
//     static constexpr const char* kVersion = "1.0.0";
//     // Optional; without it the host accepts no key in [plugins.autoreply-faq].
//     static constexpr sb_config_key kConfigKeys[] = {
//         {sizeof(sb_config_key), SB_CONFIG_STRING, "knowledge_base"}};
//
//     // Optional; else Faq() is used. Throwing refuses the tenant with what().
//     explicit Faq(const sb::InstanceArgs& args);
//
//     // Answers through done exactly once: done.ok(result_json) or
//     // done.defer(result_json) (result JSON as sb_plugin.h describes it), or
//     // done.error(why), or, for a request that is bad in itself, done.refuse(why)
//     // (ABI 1.11: the class states kAbiMinor = 11; the tenant's bot breaker does
//     // not count it, the turn goes on to the next stage). Now, inside reply, or
//     // later from any thread: keep a copy of
//     // done where the work finishes. A done dropped unanswered completes as an
//     // error; an exception thrown by reply before it answered becomes SB_ERROR.
//     // Runs on a host thread and must not block.
//     void reply(const sb_autoreply_request& req, sb::Completion done);
//
//     // Optional: the tenant's events, on its engine thread. Must not block.
//     void on_event(const sb_event& event);
//   };
//   }  // namespace
//   SB_AUTOREPLY_PLUGIN(Faq)
//
// An LLM provider is the same with
//     void chat(const sb_llm_request& req, sb::Completion done);
// answering done.ok(R"({"text":...,"usage":{...}})") or done.error(why), and
//   SB_LLM_PLUGIN(OpenAi)
//
// One object of the class is one tenant's instance. reply/chat and on_event run on
// the tenant's engine thread, one at a time; HTTP callbacks and the plugin's own
// threads run elsewhere, so guard the state they share with the instance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <iterator>
#include <type_traits>
#include <utility>

#include "switchboard/sb_http_cpp.hpp"
#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace sb::bot {

template <class T>
concept Named = requires {
  { T::kName } -> std::convertible_to<const char*>;
  { T::kVersion } -> std::convertible_to<const char*>;
};

template <class T>
concept AutoReply = Named<T> && requires(T& bot, const sb_autoreply_request& req, Completion done) {
  bot.reply(req, done);
};

template <class T>
concept Llm = Named<T> && requires(T& model, const sb_llm_request& req, Completion done) {
  model.chat(req, done);
};

namespace detail {

// What every kind's instance shares: construction, destruction, events, config keys.
template <class T>
struct Lifecycle {
  static inline const sb_host_api* host = nullptr;  // set once by the entry, read-only after

  // The plugin's sb_instance: the object and its ctx, so hooks that return nothing
  // can still log an exception under the instance's plugin and tenant.
  struct Holder {
    template <class... Args>
    explicit Holder(sb_host_ctx* c, Args&&... args) : ctx(c), object(std::forward<Args>(args)...) {}
    sb_host_ctx* ctx;
    T object;
  };
  static Holder& held(sb_instance* inst) { return *reinterpret_cast<Holder*>(inst); }

  static int32_t instance_new(const sb_instance_args* args, sb_instance** out, sb_error* err) {
    return sb::guarded(err, [&]() -> int32_t {
      Holder* holder;
      if constexpr (std::is_constructible_v<T, const InstanceArgs&>)
        holder = new Holder(args->ctx, instance_args(host, *args));
      else
        holder = new Holder(args->ctx);
      *out = reinterpret_cast<sb_instance*>(holder);
      return SB_OK;
    });
  }

  static void instance_free(sb_instance* inst) { delete &held(inst); }

  static void on_event(sb_instance* inst, const sb_event* event) {
    if constexpr (requires(T & t, const sb_event& e) { t.on_event(e); })
      guarded_void(host, held(inst).ctx, [&] { held(inst).object.on_event(*event); });
  }
  static constexpr auto on_event_hook() {
    using Hook = void (*)(sb_instance*, const sb_event*);
    if constexpr (requires(T & t, const sb_event& e) { t.on_event(e); })
      return static_cast<Hook>(&on_event);
    else
      return static_cast<Hook>(nullptr);
  }

  static constexpr const sb_config_key* config_keys() {
    if constexpr (requires { T::kConfigKeys; })
      return T::kConfigKeys;
    else
      return nullptr;
  }
  static constexpr size_t config_key_count() {
    if constexpr (requires { T::kConfigKeys; })
      return std::size(T::kConfigKeys);
    else
      return 0;
  }

  // The ABI minor the class states (kAbiMinor), else 1, the first with these kinds.
  static constexpr uint16_t abi_minor() {
    if constexpr (requires { T::kAbiMinor; }) {
      static_assert(T::kAbiMinor >= 1, "auto-reply and LLM plugins need ABI 1.1 or later");
      return T::kAbiMinor;
    } else {
      return 1;
    }
  }

  static constexpr sb_plugin_descriptor descriptor(int32_t kind, const void* kind_api) {
    return {sizeof(sb_plugin_descriptor),
            SB_ABI_VERSION_MAJOR(1, abi_minor()),
            SB_ABI_VERSION_MINOR(1, abi_minor()),
            kind,
            T::kName,
            T::kVersion,
            config_keys(),
            config_key_count(),
            &instance_new,
            &instance_free,
            on_event_hook(),
            kind_api};
  }

  // Calls the hook with a fresh Completion for op. The op is always pending unless
  // the hook threw before answering; then the throw is the answer.
  template <class Call>
  static int32_t pending(sb_op* op, sb_error* err, Call&& call) noexcept {
    Completion done(host, op);
    const int32_t status = sb::guarded(err, [&]() -> int32_t {
      call(done);
      return SB_PENDING;
    });
    if (status == SB_PENDING || !done.release()) return SB_PENDING;
    return status;
  }
};

}  // namespace detail

// The plugin's side of the ABI for one auto-reply class. Use SB_AUTOREPLY_PLUGIN.
template <AutoReply T>
struct AutoReplyPlugin : detail::Lifecycle<T> {
  using Base = detail::Lifecycle<T>;

  static int32_t reply(sb_instance* inst, const sb_autoreply_request* req, sb_op* op,
                       sb_error* err) {
    return Base::pending(
        op, err, [&](const Completion& done) { Base::held(inst).object.reply(*req, done); });
  }

  static constexpr sb_autoreply_api api = {sizeof(sb_autoreply_api), &reply};
  static constexpr sb_plugin_descriptor descriptor = Base::descriptor(SB_KIND_AUTOREPLY, &api);

  static const sb_plugin_descriptor* entry(const sb_host_api* host_api) {
    Base::host = host_api;
    return &descriptor;
  }
};

// The plugin's side of the ABI for one LLM provider class. Use SB_LLM_PLUGIN.
template <Llm T>
struct LlmPlugin : detail::Lifecycle<T> {
  using Base = detail::Lifecycle<T>;

  static int32_t chat(sb_instance* inst, const sb_llm_request* req, sb_op* op, sb_error* err) {
    return Base::pending(op, err,
                         [&](const Completion& done) { Base::held(inst).object.chat(*req, done); });
  }

  static constexpr sb_llm_api api = {sizeof(sb_llm_api), &chat};
  static constexpr sb_plugin_descriptor descriptor = Base::descriptor(SB_KIND_LLM, &api);

  static const sb_plugin_descriptor* entry(const sb_host_api* host_api) {
    Base::host = host_api;
    return &descriptor;
  }
};

}  // namespace sb::bot

// Define the plugin's one exported symbol, sb_plugin_entry, for a class. Use once,
// at file scope, after the class.
#define SB_AUTOREPLY_PLUGIN(Type)                                                             \
  extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) { \
    return ::sb::bot::AutoReplyPlugin<Type>::entry(host);                                     \
  }

#define SB_LLM_PLUGIN(Type)                                                                   \
  extern "C" SB_EXPORT const sb_plugin_descriptor* sb_plugin_entry(const sb_host_api* host) { \
    return ::sb::bot::LlmPlugin<Type>::entry(host);                                           \
  }
