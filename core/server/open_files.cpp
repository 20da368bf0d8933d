#include "server/open_files.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sb::server {

uint32_t connections_within(uint32_t max_connections, uint64_t open_file_limit) {
  if (open_file_limit >= max_connections + kReservedFiles) return max_connections;
  const uint64_t room = open_file_limit >= 2 * kReservedFiles ? open_file_limit - kReservedFiles
                                                              : open_file_limit / 2;
  return static_cast<uint32_t>(std::clamp<uint64_t>(room, 1, max_connections));
}

uint32_t fit_open_file_limit(uint32_t max_connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("cannot read the open-file limit: {}", std::strerror(errno));
    return max_connections;
  }
  const rlim_t wanted = static_cast<rlim_t>(max_connections) + kReservedFiles;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
      limit = raised;
    else
      spdlog::warn("cannot raise the open-file limit to {}: {}", raised.rlim_cur,
                   std::strerror(errno));
  }
  if (limit.rlim_cur == RLIM_INFINITY) return max_connections;
  const uint32_t fit = connections_within(max_connections, limit.rlim_cur);
  if (fit < max_connections)
    spdlog::warn(
        "[limits] max_connections is {} but this process may open only {} files: accepting at "
        "most {} connections (raise LimitNOFILE in the systemd unit, or ulimit -n)",
        max_connections, limit.rlim_cur, fit);
  return fit;
}

}  // namespace sb::server
