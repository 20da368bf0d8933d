// sb_plugin_cpp.hpp: optional C++ conveniences for plugins written in C++.
//
// Header-only and built only on sb_plugin.h. Its main job is rule 7 of the ABI:
// no C++ exception ever crosses into the host. Wrap the body of every hook in
// sb::guarded(err, [&] { ...; return SB_OK; }).
#pragma once

#include <exception>
#include <string>
#include <string_view>

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

}  // namespace sb
