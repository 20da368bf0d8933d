// HostRef: the host API and this instance's context, with the few calls every
// part of the plugin makes (complete an op, write a log line).
#pragma once

#include <string_view>

#include "switchboard/sb_plugin.h"
#include "switchboard/sb_plugin_cpp.hpp"

namespace switchboard::sqlite {

struct HostRef {
  const sb_host_api* api = nullptr;
  sb_host_ctx* ctx = nullptr;

  void complete_ok(sb_op* op, std::string_view result) const {
    api->complete(op, SB_OK, sb::str(result), sb_str{nullptr, 0});
  }
  void complete_error(sb_op* op, std::string_view why) const {
    api->complete(op, SB_ERROR, sb_str{nullptr, 0}, sb::str(why));
  }
  void log(sb_log_level level, std::string_view line) const { sb::log(api, ctx, level, line); }
};

}  // namespace switchboard::sqlite
