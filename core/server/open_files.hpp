#pragma once
// Every connection is an open file. The process's open-file limit (RLIMIT_NOFILE,
// LimitNOFILE in the systemd unit, `ulimit -n` in a shell) must hold
// [limits] max_connections and the files the server keeps besides; past it, accept()
// fails and the listening socket would be retried in vain.
#include <cstdint>

namespace sb::server {

// Files kept besides connections: tenants' storage, plugins, event loops, the
// outbound connections of plugins.
inline constexpr uint64_t kReservedFiles = 1024;

// How many connections fit in open_file_limit files with the reserve kept: all
// max_connections when they fit, else what is left after the reserve (half the
// limit when the limit is small).
uint32_t connections_within(uint32_t max_connections, uint64_t open_file_limit);

// Raises this process's soft open-file limit, as far as its hard limit allows, to
// hold max_connections and the reserve. Returns the connections that fit; when
// fewer than max_connections, logs a warning saying how to raise the limit.
uint32_t fit_open_file_limit(uint32_t max_connections);

}  // namespace sb::server
