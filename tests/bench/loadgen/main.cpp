// loadgen: opens visitor and agent WebSockets against a Switchboard server, offers
// visitor->agent messages at a fixed rate (open loop) and reports throughput,
// latencies, errors and the server's memory per connection. See tests/bench/RESULTS.md.

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>
#include <thread>

#include "clock.hpp"
#include "options.hpp"
#include "proc_stats.hpp"
#include "report.hpp"
#include "run_context.hpp"
#include "socket_options.hpp"
#include "worker.hpp"

namespace loadgen {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

// --url is always http://HOST:PORT[/]; that is all a load generator needs, so a
// few lines beat pulling in a URL library.
std::pair<std::string, std::string> host_and_port(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) throw std::runtime_error("--url must start with http://");
  std::string rest = url.substr(scheme.size());
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) return {rest, "80"};
  return {rest.substr(0, colon), rest.substr(colon + 1)};
}

RunContext make_context(const Options& options) {
  RunContext context;
  context.options = options;
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  for (const auto& url : options.urls) {
    const auto [host, port] = host_and_port(url);
    context.nodes.push_back(
        {*resolver.resolve(asio::ip::tcp::v4(), host, port).begin(), host + ":" + port});
  }

  // One source address reaches one server port from about 28k local ports; keep
  // well below that per address.
  int sources = options.source_addresses;
  if (sources == 0 && options.visitors > 20000) sources = (options.visitors + 19999) / 20000;
  for (int i = 0; i < sources; ++i)
    context.visitor_source_addresses.push_back(
        asio::ip::address_v4(0x7f000002u + static_cast<uint32_t>(i)));
  return context;
}

struct Totals {
  uint64_t agents_settled = 0, visitors_settled = 0, visitors_ready = 0, agents_ready = 0, lost = 0;
  uint64_t sent_window = 0, answered_window = 0, delivered_window = 0;
};

Totals totals(const std::vector<std::unique_ptr<Worker>>& workers) {
  Totals t;
  for (const auto& worker : workers) {
    const auto& c = worker->stats().counters;
    const auto load = [](const std::atomic<uint64_t>& v) {
      return v.load(std::memory_order_relaxed);
    };
    t.agents_ready += load(c.agents_ready);
    t.visitors_ready += load(c.visitors_ready);
    t.agents_settled += load(c.agents_ready) + load(c.agents_failed);
    t.visitors_settled += load(c.visitors_ready) + load(c.visitors_failed);
    t.lost += load(c.connections_lost);
    t.sent_window += load(c.sent_window);
    t.answered_window += load(c.acked_window) + load(c.rejected_window);
    t.delivered_window += load(c.delivered_window);
  }
  return t;
}

// Polls until `done` or the deadline, printing progress to stderr once a second.
void wait_until(const std::vector<std::unique_ptr<Worker>>& workers, int64_t deadline_ns,
                const std::function<bool(const Totals&)>& done, const char* what) {
  int64_t next_progress_ns = now_ns() + 1'000'000'000;
  while (now_ns() < deadline_ns) {
    const Totals t = totals(workers);
    if (done(t)) return;
    if (now_ns() >= next_progress_ns) {
      std::fprintf(
          stderr,
          "loadgen: %s: agents %llu, visitors %llu ready, lost %llu, sent %llu, answered %llu\n",
          what, static_cast<unsigned long long>(t.agents_ready),
          static_cast<unsigned long long>(t.visitors_ready),
          static_cast<unsigned long long>(t.lost), static_cast<unsigned long long>(t.sent_window),
          static_cast<unsigned long long>(t.answered_window));
      next_progress_ns += 1'000'000'000;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
}

// Global indices [0, count) dealt round-robin to the workers.
std::vector<std::vector<int>> deal(int count, size_t workers) {
  std::vector<std::vector<int>> out(workers);
  for (int i = 0; i < count; ++i) out[static_cast<size_t>(i) % workers].push_back(i);
  return out;
}

int64_t seconds_ns(double s) {
  return static_cast<int64_t>(s * 1e9);
}

int run(const Options& options) {
  const uint64_t fd_limit = raise_open_file_limit();
  const auto wanted_fds = static_cast<uint64_t>(options.visitors + options.agents) + 64;
  if (fd_limit < wanted_fds)
    std::fprintf(
        stderr, "loadgen: warning: open-file limit %llu < %llu needed; expect connect failures\n",
        static_cast<unsigned long long>(fd_limit), static_cast<unsigned long long>(wanted_fds));

  const RunContext context = make_context(options);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < options.threads; ++i) workers.push_back(std::make_unique<Worker>(context));
  for (auto& worker : workers) worker->start_thread();

  Summary summary;
  summary.options = options;
  if (options.server_pid) summary.server_rss_before_kib = resident_kib(*options.server_pid);

  // Connect: agents first, so conversations opened by the first messages find them.
  const int64_t connect_start_ns = now_ns();
  const int64_t connect_deadline_ns = connect_start_ns + seconds_ns(options.connect_timeout_s);
  const double rate_per_worker = options.connect_rate_per_s / static_cast<double>(workers.size());
  auto agent_indices = deal(options.agents, workers.size());
  for (size_t i = 0; i < workers.size(); ++i)
    workers[i]->launch_agents(std::move(agent_indices[i]), rate_per_worker);
  wait_until(
      workers, connect_deadline_ns,
      [&](const Totals& t) { return t.agents_settled >= static_cast<uint64_t>(options.agents); },
      "agents");
  auto visitor_indices = deal(options.visitors, workers.size());
  for (size_t i = 0; i < workers.size(); ++i)
    workers[i]->launch_visitors(std::move(visitor_indices[i]), rate_per_worker);
  wait_until(
      workers, connect_deadline_ns,
      [&](const Totals& t) {
        return t.visitors_settled >= static_cast<uint64_t>(options.visitors);
      },
      "visitors");
  summary.connect_phase_s = static_cast<double>(now_ns() - connect_start_ns) / 1e9;

  if (options.server_pid) {
    // Let the server finish per-connection set-up and free handshake buffers.
    std::this_thread::sleep_for(milliseconds(1000));
    summary.server_rss_after_kib = resident_kib(*options.server_pid);
    const Totals t = totals(workers);
    summary.rss_connections = t.visitors_ready + t.agents_ready - t.lost;
  }

  const Totals connected = totals(workers);
  if (options.idle) {
    const int64_t hold_until_ns = now_ns() + seconds_ns(options.duration_s);
    wait_until(
        workers, hold_until_ns, [](const Totals&) { return false; }, "holding");
  } else if (connected.visitors_ready > 0) {
    Timeline timeline;
    timeline.send_from_ns = now_ns() + seconds_ns(0.2);
    timeline.measure_from_ns = timeline.send_from_ns + seconds_ns(options.warmup_s);
    timeline.measure_until_ns = timeline.measure_from_ns + seconds_ns(options.duration_s);
    // At least 1 ns, or an absurd --rate would make the send loop spin forever.
    timeline.visitor_interval_ns =
        std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(connected.visitors_ready) /
                                                  options.rate_msgs_per_s * 1e9));
    timeline.total_visitors = options.visitors;
    for (auto& worker : workers) worker->start_sending(timeline);
    // CPU used inside the measured window, by the server and by loadgen itself.
    wait_until(
        workers, timeline.measure_from_ns, [](const Totals&) { return false; }, "warming up");
    const auto server_cpu_from =
        options.server_pid ? cpu_seconds(*options.server_pid) : std::nullopt;
    const double own_cpu_from = own_cpu_seconds();
    wait_until(
        workers, timeline.measure_until_ns, [](const Totals&) { return false; }, "sending");
    const auto server_cpu_until =
        options.server_pid ? cpu_seconds(*options.server_pid) : std::nullopt;
    summary.loadgen_cpu_window_s = own_cpu_seconds() - own_cpu_from;
    if (server_cpu_from && server_cpu_until)
      summary.server_cpu_window_s = *server_cpu_until - *server_cpu_from;
    // Late acks and deliveries still count (with their full latency) for a while.
    wait_until(
        workers, timeline.measure_until_ns + seconds_ns(options.drain_s),
        [](const Totals& t) {
          return t.answered_window >= t.sent_window && t.delivered_window >= t.sent_window;
        },
        "draining");
  }

  for (auto& worker : workers) worker->stop_and_join();

  for (const auto& worker : workers) {
    const auto& stats = worker->stats();
    const auto& c = stats.counters;
    summary.visitors_ready += c.visitors_ready;
    summary.agents_ready += c.agents_ready;
    summary.connections_lost += c.connections_lost;
    summary.conversations_assigned += c.conversations_assigned;
    summary.sent_total += c.sent_total;
    summary.sent_window += c.sent_window;
    summary.skipped_window += c.skipped_window;
    summary.acked_window += c.acked_window;
    summary.rejected_window += c.rejected_window;
    summary.delivered_window += c.delivered_window;
    summary.delivered_arrived_in_window += c.delivered_arrived_in_window;
    summary.duplicate_deliveries += c.duplicate_deliveries;
    summary.seq_gaps += c.seq_gaps;
    summary.connect_ns.merge(stats.connect_ns);
    summary.ack_ns.merge(stats.ack_ns);
    summary.delivery_ns.merge(stats.delivery_ns);
    summary.send_lag_ns.merge(stats.send_lag_ns);
    for (const auto& [key, count] : stats.errors) summary.errors[key] += count;
  }
  const auto expected = static_cast<uint64_t>(options.visitors + options.agents);
  const uint64_t ready = summary.visitors_ready + summary.agents_ready;
  summary.connect_failures = expected - ready;
  summary.connections_held = ready - summary.connections_lost;

  if (options.json)
    print_json(summary);
  else
    print_text(summary);
  std::fflush(stdout);
  if (!options.json_out.empty() && !write_json(summary, options.json_out))
    std::fprintf(stderr, "loadgen: cannot write %s\n", options.json_out.c_str());

  const bool nothing_held = summary.connections_held == 0;
  const bool nothing_delivered = !options.idle && summary.delivered_window == 0;
  if (nothing_held || nothing_delivered) return 1;
  if (options.strict) {
    const bool all_connected = summary.connect_failures == 0 && summary.connections_lost == 0;
    const bool all_answered =
        summary.acked_window == summary.sent_window && summary.skipped_window == 0;
    const bool all_delivered =
        summary.delivered_window == summary.sent_window && summary.seq_gaps == 0;
    if (!all_connected || (!options.idle && !(all_answered && all_delivered))) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace loadgen

int main(int argc, char** argv) {
  const auto options = loadgen::parse_options(argc, argv);
  try {
    return loadgen::run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loadgen: %s\n", e.what());
    return 2;
  }
}
