#pragma once
// The server's resident memory, read from /proc (same machine only).

#include <cstdint>
#include <optional>

namespace loadgen {

// VmRSS of process `pid` in KiB, or nothing if it cannot be read.
std::optional<uint64_t> resident_kib(int pid);

}  // namespace loadgen
