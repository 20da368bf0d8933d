#pragma once
// Command-line options of loadgen, parsed with CLI11.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

struct Options {
  // http://HOST:PORT of the server; several (the nodes of a cluster): visitor i
  // connects to urls[i % N], agent i to urls[(i + 1) % N], so with several nodes an
  // agent and the visitors it serves are mostly on different nodes.
  std::vector<std::string> urls;
  std::string tenant = "bench";
  int visitors = 100;
  int agents = 10;
  std::string agent_email_pattern = "agent-{i}@bench.local";  // {i} counts from 1
  std::string agent_password = "bench-password";
  double rate_msgs_per_s = 1000;  // total visitor->agent messages offered per second
  double duration_s = 10;         // measured window (idle: how long connections are held)
  double warmup_s = 2;            // sending, not measured
  double connect_rate_per_s = 2000;
  double connect_timeout_s = 120;  // bound on the whole connect phase
  double drain_s = 5;              // wait for late acks/deliveries after the window
  bool idle = false;
  // Against tests/bench/echo: no hello, no agents; the echoed message is both the
  // ack and the delivery.
  bool echo = false;
  std::optional<int> server_pid;
  int message_bytes = 64;  // length of the text field
  bool json = false;
  bool strict = false;   // exit 1 unless every connection and every measured message succeeded
  std::string json_out;  // also write the JSON summary to this file
  int threads = 1;
  int source_addresses = 0;  // 0 = automatic: one per 20,000 visitors beyond the first
};

// Parses argv; on --help or a usage error prints to stdout/stderr and exits.
Options parse_options(int argc, char** argv);

// The email of agent number `index_from_1` from the pattern.
std::string agent_email(const Options& options, int index_from_1);

}  // namespace loadgen
