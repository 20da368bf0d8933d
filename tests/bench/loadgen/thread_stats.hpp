#pragma once
// Figures one worker thread collects. Counters are relaxed atomics so the main
// thread can watch progress while the run goes on; histograms and the error map
// belong to the worker thread and are read only after it has been joined.

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "histogram.hpp"

namespace loadgen {

struct Counters {
  std::atomic<uint64_t> agents_ready{0};
  std::atomic<uint64_t> agents_failed{0};
  std::atomic<uint64_t> visitors_ready{0};
  std::atomic<uint64_t> visitors_failed{0};
  // Connections that were ready and then closed or failed.
  std::atomic<uint64_t> connections_lost{0};
  std::atomic<uint64_t> conversations_assigned{0};
  std::atomic<uint64_t> sent_total{0};
  // The rest count only messages scheduled inside the measured window.
  std::atomic<uint64_t> sent_window{0};
  std::atomic<uint64_t> skipped_window{0};  // not sent: the client's own send queue was full
  std::atomic<uint64_t> acked_window{0};
  std::atomic<uint64_t> rejected_window{0};  // answered with an error frame instead of an ack
  std::atomic<uint64_t> delivered_window{0};
  // Deliveries that arrived inside the window, whenever sent: the throughput figure.
  std::atomic<uint64_t> delivered_arrived_in_window{0};
  std::atomic<uint64_t> duplicate_deliveries{0};
  std::atomic<uint64_t> seq_gaps{0};
};

struct ThreadStats {
  Counters counters;
  Histogram connect_ns;   // TCP connect to welcome (visitors) or to handshake done (agents)
  Histogram ack_ns;       // scheduled send to ack received
  Histogram delivery_ns;  // scheduled send to the agent receiving the message
  // Scheduled send to the frame entering the write queue: how late loadgen itself
  // is. When this grows, the client (or the CPU it shares) is the bottleneck.
  Histogram send_lag_ns;
  std::map<std::string, uint64_t> errors;

  void count_error(const std::string& key) { ++errors[key]; }
};

}  // namespace loadgen
