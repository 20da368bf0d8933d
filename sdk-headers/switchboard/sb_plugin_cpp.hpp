// sb_plugin_cpp.hpp: optional C++ conveniences for plugins written in C++.
//
// Header-only and built only on sb_plugin.h. Its main job is rule 7 of the ABI:
// no C++ exception ever crosses into the host. Wrap the body of every hook in
// sb::guarded(err, [&] { ...; return SB_OK; }).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "switchboard/sb_plugin.h"

namespace sb {

inline std::string_view view(sb_str s) {
  return s.len ? std::string_view(s.ptr, s.len) : std::string_view();
}

inline sb_str str(std::string_view s) {
  return sb_str{s.data(), s.size()};
}

// Runs body; an exception becomes SB_ERROR with its what() in err.
template <class Body>
int32_t guarded(sb_error* err, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    sb_error_set(err, e.what());
  } catch (...) {
    sb_error_set(err, "unknown exception in plugin");
  }
  return SB_ERROR;
}

// Same for hooks that return nothing (instance_free, on_event): the exception is
// logged through the host and swallowed.
template <class Body>
void guarded_void(const sb_host_api* host, sb_host_ctx* ctx, Body&& body) noexcept {
  try {
    body();
  } catch (const std::exception& e) {
    if (host) host->log(ctx, SB_LOG_ERROR, sb_str_from(e.what()));
  } catch (...) {
    if (host) host->log(ctx, SB_LOG_ERROR, sb_str_from("unknown exception in plugin"));
  }
}

inline void log(const sb_host_api* host, sb_host_ctx* ctx, sb_log_level level,
                std::string_view line) {
  if (host) host->log(ctx, level, str(line));
}

// What an instance keeps of its host: the host's table and the instance's ctx,
// for log lines and host services. Copyable; valid until instance_free.
struct Host {
  const sb_host_api* api = nullptr;
  sb_host_ctx* ctx = nullptr;

  void log(sb_log_level level, std::string_view line) const { sb::log(api, ctx, level, line); }
  int64_t monotonic_ms() const { return api ? api->monotonic_ms() : 0; }
};

// sb_instance_args as a C++ constructor receives it. The views are borrowed for the
// constructor only: copy what the instance keeps.
struct InstanceArgs {
  Host host;
  std::string_view tenant_id;
  std::string_view config_json;  // the [plugins.NAME] table as a JSON object
  std::string_view data_dir;     // this instance's own writable directory
  // The directory of the tenant's file, for relative file names in the config.
  // Empty under a 1.0 host, which does not pass it.
  std::string_view config_dir;
};

inline InstanceArgs instance_args(const sb_host_api* host, const sb_instance_args& args) {
  InstanceArgs out{
      Host{host, args.ctx}, view(args.tenant_id), view(args.config_json), view(args.data_dir), {}};
  if (args.struct_size >= offsetof(sb_instance_args, config_dir) + sizeof(sb_str))
    out.config_dir = view(args.config_dir);
  return out;
}

// The right to finish one operation a hook took as SB_PENDING (host->complete),
// used exactly once whatever the plugin does:
//  - copies share it, and the first ok/defer/error (from any thread) wins; later
//    ones do nothing and return false;
//  - when the last copy goes without an answer, the op completes with SB_ERROR
//    "the plugin dropped the operation without an answer", so a forgotten path
//    costs one error, never a hung conversation.
// Keep a copy in whatever finishes the work (an HTTP callback, a worker's queue).
class Completion {
 public:
  Completion() = default;  // finishes nothing
  Completion(const sb_host_api* host, sb_op* op) : state_(std::make_shared<State>(host, op)) {}

  bool ok(std::string_view result) const { return complete(SB_OK, result, {}); }
  bool defer(std::string_view result = {}) const { return complete(SB_DEFER, result, {}); }
  bool error(std::string_view message) const { return complete(SB_ERROR, {}, message); }
  // 1.11: the request is bad in itself (SB_REFUSED, ABI rule 7), not counted by a
  // breaker. Only for a plugin that states ABI 1.11: the host takes it from one that
  // states less as a failure.
  bool refuse(std::string_view message) const { return complete(SB_REFUSED, {}, message); }
  bool complete(int32_t status, std::string_view result, std::string_view message) const {
    if (!state_ || state_->done.exchange(true)) return false;
    state_->host->complete(state_->op, status, str(result), str(message));
    return true;
  }
  // True once answered (or released).
  bool done() const { return !state_ || state_->done.load(); }

  // For the trampolines: the hook is about to return a status other than
  // SB_PENDING, so the op must never be completed. True when nothing was answered
  // yet (the returned status stands); false when an answer already went out.
  bool release() const { return state_ && !state_->done.exchange(true); }

 private:
  struct State {
    State(const sb_host_api* h, sb_op* o) : host(h), op(o) {}
    ~State() {
      if (!done.exchange(true))
        host->complete(op, SB_ERROR, sb_str{},
                       str("the plugin dropped the operation without an answer"));
    }
    const sb_host_api* host;
    sb_op* op;
    std::atomic<bool> done{false};
  };
  std::shared_ptr<State> state_;
};

// s as a JSON string literal, quotes included, for the small JSON a plugin writes
// by hand (headers, a result with one field).
inline std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace sb
