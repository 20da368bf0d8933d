#include "report.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <fstream>

namespace loadgen {

namespace {

double ms(uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

std::optional<double> rss_per_connection_kib(const Summary& s) {
  if (!s.server_rss_before_kib || !s.server_rss_after_kib || s.rss_connections == 0)
    return std::nullopt;
  return (static_cast<double>(*s.server_rss_after_kib) -
          static_cast<double>(*s.server_rss_before_kib)) /
         static_cast<double>(s.rss_connections);
}

boost::json::object latency_json(const Histogram& h) {
  return {{"count", h.count()},
          {"p50_ms", ms(h.percentile(50))},
          {"p99_ms", ms(h.percentile(99))},
          {"p999_ms", ms(h.percentile(99.9))},
          {"max_ms", ms(h.max())}};
}

void print_latency(const char* label, const Histogram& h) {
  std::printf("%-22s p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms  (n=%llu)\n", label,
              ms(h.percentile(50)), ms(h.percentile(99)), ms(h.percentile(99.9)), ms(h.max()),
              static_cast<unsigned long long>(h.count()));
}

}  // namespace

void print_text(const Summary& s) {
  const auto& o = s.options;
  const auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf("loadgen %s: tenant %s, %d visitors, %d agents, %d thread(s)\n",
              o.idle ? "idle" : "throughput", o.tenant.c_str(), o.visitors, o.agents, o.threads);
  std::printf(
      "%-22s %llu (visitors %llu, agents %llu), connect failures %llu, lost %llu, connect phase "
      "%.1f s\n",
      "connections held", u(s.connections_held), u(s.visitors_ready), u(s.agents_ready),
      u(s.connect_failures), u(s.connections_lost), s.connect_phase_s);
  std::printf("%-22s p50 %.1f ms  p99 %.1f ms  max %.1f ms\n", "connect time",
              ms(s.connect_ns.percentile(50)), ms(s.connect_ns.percentile(99)),
              ms(s.connect_ns.max()));
  if (!o.idle) {
    const double window_s = o.duration_s;
    std::printf("%-22s --rate %.0f/s, %d-byte texts, %.0f s measured after %.0f s warm-up\n",
                "offered", o.rate_msgs_per_s, o.message_bytes, o.duration_s, o.warmup_s);
    std::printf("%-22s %llu in window (%.0f/s), %llu total, %llu skipped (client queue full)\n",
                "messages sent", u(s.sent_window), static_cast<double>(s.sent_window) / window_s,
                u(s.sent_total), u(s.skipped_window));
    std::printf("%-22s %llu (%.0f/s), rejected %llu, missing %llu\n", "acks", u(s.acked_window),
                static_cast<double>(s.acked_window) / window_s, u(s.rejected_window),
                u(s.sent_window - std::min(s.sent_window, s.acked_window + s.rejected_window)));
    std::printf(
        "%-22s %llu, missing %llu, duplicates %llu, seq gaps %llu, conversations assigned %llu\n",
        "delivered to agents", u(s.delivered_window),
        u(s.sent_window - std::min(s.sent_window, s.delivered_window)), u(s.duplicate_deliveries),
        u(s.seq_gaps), u(s.conversations_assigned));
    std::printf("%-22s %.0f msgs/s\n", "delivered rate",
                static_cast<double>(s.delivered_arrived_in_window) / window_s);
    print_latency("delivery latency", s.delivery_ns);
    print_latency("ack latency", s.ack_ns);
    print_latency("client send lag", s.send_lag_ns);
    // Cores in use and CPU cost per message show how the machine was split.
    const double messages =
        static_cast<double>(std::max<uint64_t>(1, s.delivered_arrived_in_window));
    std::printf("%-22s loadgen %.2f cores (%.1f us/msg)", "CPU in window",
                s.loadgen_cpu_window_s / window_s, s.loadgen_cpu_window_s / messages * 1e6);
    if (s.server_cpu_window_s)
      std::printf(", server %.2f cores (%.1f us/msg)", *s.server_cpu_window_s / window_s,
                  *s.server_cpu_window_s / messages * 1e6);
    std::printf("\n");
  }
  if (s.server_rss_before_kib && s.server_rss_after_kib) {
    std::printf("%-22s before %.1f MiB, after %.1f MiB", "server RSS",
                *s.server_rss_before_kib / 1024.0, *s.server_rss_after_kib / 1024.0);
    if (const auto per = rss_per_connection_kib(s))
      std::printf(", %.2f KiB per connection (%llu connections)", *per, u(s.rss_connections));
    std::printf("\n");
  }
  if (s.errors.empty()) {
    std::printf("%-22s none\n", "errors");
  } else {
    std::printf("errors\n");
    for (const auto& [key, count] : s.errors) std::printf("  %-40s %llu\n", key.c_str(), u(count));
  }
}

namespace {
boost::json::object summary_json(const Summary& s) {
  const auto& o = s.options;
  const double window_s = o.duration_s;
  boost::json::object errors;
  for (const auto& [key, count] : s.errors) errors[key] = count;
  boost::json::object out{
      {"mode", o.idle ? "idle" : "throughput"},
      {"echo", o.echo},
      {"tenant", o.tenant},
      {"visitors", o.visitors},
      {"agents", o.agents},
      {"threads", o.threads},
      {"rate", o.rate_msgs_per_s},
      {"duration_s", o.duration_s},
      {"warmup_s", o.warmup_s},
      {"message_bytes", o.message_bytes},
      {"connections_held", s.connections_held},
      {"visitors_ready", s.visitors_ready},
      {"agents_ready", s.agents_ready},
      {"connect_failures", s.connect_failures},
      {"connections_lost", s.connections_lost},
      {"connect_phase_s", s.connect_phase_s},
      {"connect", latency_json(s.connect_ns)},
      {"errors", errors},
  };
  if (!o.idle) {
    out["sent_window"] = s.sent_window;
    out["sent_total"] = s.sent_total;
    out["skipped_window"] = s.skipped_window;
    out["acked_window"] = s.acked_window;
    out["rejected_window"] = s.rejected_window;
    out["delivered_window"] = s.delivered_window;
    out["duplicate_deliveries"] = s.duplicate_deliveries;
    out["seq_gaps"] = s.seq_gaps;
    out["conversations_assigned"] = s.conversations_assigned;
    out["offered_per_s"] = static_cast<double>(s.sent_window) / window_s;
    out["acks_per_s"] = static_cast<double>(s.acked_window) / window_s;
    out["delivered_per_s"] = static_cast<double>(s.delivered_arrived_in_window) / window_s;
    out["delivery_latency"] = latency_json(s.delivery_ns);
    out["ack_latency"] = latency_json(s.ack_ns);
    out["send_lag"] = latency_json(s.send_lag_ns);
    out["loadgen_cores"] = s.loadgen_cpu_window_s / window_s;
    if (s.server_cpu_window_s) out["server_cores"] = *s.server_cpu_window_s / window_s;
  }
  if (s.server_rss_before_kib) out["server_rss_before_kib"] = *s.server_rss_before_kib;
  if (s.server_rss_after_kib) out["server_rss_after_kib"] = *s.server_rss_after_kib;
  if (const auto per = rss_per_connection_kib(s)) {
    out["rss_connections"] = s.rss_connections;
    out["server_rss_per_connection_kib"] = *per;
  }
  return out;
}
}  // namespace

void print_json(const Summary& s) {
  std::printf("%s\n", boost::json::serialize(summary_json(s)).c_str());
}

bool write_json(const Summary& s, const std::string& path) {
  std::ofstream file(path);
  file << boost::json::serialize(summary_json(s)) << '\n';
  return static_cast<bool>(file);
}

}  // namespace loadgen
