#pragma once
// The end-of-run summary, as text for people or one JSON object for scripts.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "histogram.hpp"
#include "options.hpp"

namespace loadgen {

struct Summary {
  Options options;
  uint64_t visitors_ready = 0;
  uint64_t agents_ready = 0;
  uint64_t connect_failures = 0;  // failed before ready, or still not ready at the deadline
  uint64_t connections_lost = 0;  // ready, then closed
  uint64_t connections_held = 0;  // ready and still open at the end
  uint64_t conversations_assigned = 0;
  uint64_t sent_total = 0;
  uint64_t sent_window = 0;
  uint64_t skipped_window = 0;
  uint64_t acked_window = 0;
  uint64_t rejected_window = 0;
  uint64_t delivered_window = 0;
  uint64_t delivered_arrived_in_window = 0;
  uint64_t duplicate_deliveries = 0;
  uint64_t seq_gaps = 0;
  double connect_phase_s = 0;
  Histogram connect_ns;
  Histogram ack_ns;
  Histogram delivery_ns;
  Histogram send_lag_ns;
  std::optional<uint64_t> server_rss_before_kib;
  std::optional<uint64_t> server_rss_after_kib;
  uint64_t rss_connections = 0;  // connections held when the second RSS was read
  // CPU seconds used during the measured window (throughput runs).
  std::optional<double> server_cpu_window_s;
  double loadgen_cpu_window_s = 0;
  std::map<std::string, uint64_t> errors;
};

void print_text(const Summary& summary);
void print_json(const Summary& summary);
// Returns false if the file cannot be written.
bool write_json(const Summary& summary, const std::string& path);

}  // namespace loadgen
