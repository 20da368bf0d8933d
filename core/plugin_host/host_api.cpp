#include "plugin_host/host_api.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string_view>

#include "common/clock.hpp"
#include "plugin_host/cluster_client.hpp"
#include "plugin_host/http_service.hpp"
#include "plugin_host/pending_op.hpp"

namespace sb::plugin_host {

namespace {

std::string_view view_of(sb_str s) {
  return s.len ? std::string_view(s.ptr, s.len) : std::string_view();
}

void* host_alloc(size_t size) {
  return std::malloc(size == 0 ? 1 : size);
}

void host_free(void* ptr) {
  std::free(ptr);
}

spdlog::level::level_enum to_spdlog(int32_t level) {
  switch (level) {
    case SB_LOG_DEBUG:
      return spdlog::level::debug;
    case SB_LOG_INFO:
      return spdlog::level::info;
    case SB_LOG_WARN:
      return spdlog::level::warn;
    default:
      return spdlog::level::err;
  }
}

void host_log(sb_host_ctx* ctx, int32_t level, sb_str message) {
  try {
    if (ctx) {
      auto& logger = ctx->logger ? *ctx->logger : *spdlog::default_logger_raw();
      logger.log(to_spdlog(level), "[{} {}] {}", ctx->plugin_name, ctx->tenant_id,
                 view_of(message));
    } else {
      spdlog::default_logger_raw()->log(to_spdlog(level), "[plugin] {}", view_of(message));
    }
  } catch (...) {
    // A log line is never worth an exception crossing into the plugin.
  }
}

int64_t host_monotonic_ms() {
  return sb::monotonic_ms();
}

int64_t host_wall_clock_ms() {
  return sb::wall_clock_ms();
}

int32_t host_config_get(sb_host_ctx* ctx, const char* key, sb_str* out) {
  if (!ctx || !key || !out) return 0;
  const auto it = ctx->config_values.find(std::string_view(key));
  if (it == ctx->config_values.end()) return 0;
  *out = sb_str{it->second.data(), it->second.size()};
  return 1;
}

// Services added after 1.0, by name.
const void* host_get_api(const char* name) {
  if (name && std::string_view(name) == SB_HTTP_API_V1) return http_api();
  if (name && std::string_view(name) == SB_CLUSTER_EVENTS_V1) return cluster_events();
  return nullptr;
}

void host_complete(sb_op* op, int32_t status, sb_str result, sb_str error_message) {
  complete_op(op, status, result, error_message);
}

const sb_host_api kHostApi = {
    sizeof(sb_host_api), SB_ABI_MAJOR,       SB_ABI_MINOR,  host_alloc,      host_free,    host_log,
    host_monotonic_ms,   host_wall_clock_ms, host_complete, host_config_get, host_get_api,
};

}  // namespace

const sb_host_api* host_api() {
  return &kHostApi;
}

}  // namespace sb::plugin_host
