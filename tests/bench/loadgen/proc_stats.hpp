#pragma once
// What /proc says about a process on this machine: the server's memory and CPU
// (with --server-pid), and loadgen's own CPU, so a run shows how the two cores
// were split between server and client.

#include <cstdint>
#include <optional>

namespace loadgen {

// VmRSS of process `pid` in KiB, or nothing if it cannot be read.
std::optional<uint64_t> resident_kib(int pid);

// User + system CPU seconds process `pid` has used so far.
std::optional<double> cpu_seconds(int pid);

// User + system CPU seconds this process has used so far.
double own_cpu_seconds();

}  // namespace loadgen
