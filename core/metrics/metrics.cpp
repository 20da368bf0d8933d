#include "metrics/metrics.hpp"

#include <fmt/format.h>

namespace sb::metrics {

namespace {
constexpr auto relaxed = std::memory_order_relaxed;

void append_type(std::string& out, std::string_view name, std::string_view type,
                 std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}
}  // namespace

void LatencyHistogram::observe_us(uint64_t us) {
  size_t i = 0;
  while (i < kBoundsUs.size() && us > kBoundsUs[i]) ++i;
  buckets_[i].fetch_add(1, relaxed);
  sum_us_.fetch_add(us, relaxed);
  count_.fetch_add(1, relaxed);
}

void LatencyHistogram::render(std::string& out, std::string_view name,
                              std::string_view labels) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(relaxed);
    if (i < kBoundsUs.size()) {
      fmt::format_to(std::back_inserter(out), "{}_bucket{{{},le=\"{}\"}} {}\n", name, labels,
                     static_cast<double>(kBoundsUs[i]) / 1e6, cumulative);
    } else {
      fmt::format_to(std::back_inserter(out), "{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels,
                     cumulative);
    }
  }
  fmt::format_to(std::back_inserter(out), "{}_sum{{{}}} {}\n{}_count{{{}}} {}\n", name, labels,
                 static_cast<double>(sum_us_.load(relaxed)) / 1e6, name, labels,
                 count_.load(relaxed));
}

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_frame:
      return "bad_frame";
    case ErrorCode::too_large:
      return "too_large";
    case ErrorCode::bad_json:
      return "bad_json";
    case ErrorCode::unknown_type:
      return "unknown_type";
    case ErrorCode::bad_field:
      return "bad_field";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::rate_limited:
      return "rate_limited";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::count_:
      break;
  }
  return "unknown";
}

std::shared_ptr<TenantMetrics> Registry::tenant(const std::string& tenant_id) {
  std::lock_guard lock(mutex_);
  auto& slot = tenants_[tenant_id];
  if (!slot) slot = std::make_shared<TenantMetrics>();
  return slot;
}

void Registry::add_collector(std::function<void(std::string& out)> collect) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collect));
}

std::string Registry::render_prometheus() const {
  std::map<std::string, std::shared_ptr<TenantMetrics>> tenants;
  std::vector<std::function<void(std::string&)>> collectors;
  {
    std::lock_guard lock(mutex_);
    tenants = tenants_;
    collectors = collectors_;
  }
  std::string out;
  out.reserve(4096 + tenants.size() * 4096);

  append_type(out, "switchboard_open_sockets", "gauge", "TCP connections open, all tenants.");
  fmt::format_to(std::back_inserter(out), "switchboard_open_sockets {}\n",
                 open_connections.load(relaxed));
  append_type(out, "switchboard_rejected_connections_total", "counter",
              "Connections refused because a server or tenant limit was reached.");
  fmt::format_to(std::back_inserter(out), "switchboard_rejected_connections_total {}\n",
                 rejected_connections.load(relaxed));

  append_type(out, "switchboard_login_failures_total", "counter",
              "Sign-ins refused for a wrong email or password.");
  fmt::format_to(std::back_inserter(out), "switchboard_login_failures_total {}\n",
                 login_failures.load(relaxed));
  append_type(out, "switchboard_logins_throttled_total", "counter",
              "Sign-ins answered 429 because their address or account was locked.");
  fmt::format_to(std::back_inserter(out), "switchboard_logins_throttled_total {}\n",
                 logins_throttled.load(relaxed));
  append_type(out, "switchboard_logins_refused_busy_total", "counter",
              "Sign-ins answered 503 unchecked: too many were waiting to be checked.");
  fmt::format_to(std::back_inserter(out), "switchboard_logins_refused_busy_total {}\n",
                 logins_refused_busy.load(relaxed));
  append_type(out, "switchboard_login_locks_total", "counter",
              "Locks started after repeated failed sign-ins, by what was locked.");
  fmt::format_to(std::back_inserter(out), "switchboard_login_locks_total{{scope=\"address\"}} {}\n",
                 login_locks_address.load(relaxed));
  fmt::format_to(std::back_inserter(out), "switchboard_login_locks_total{{scope=\"account\"}} {}\n",
                 login_locks_account.load(relaxed));
  append_type(out, "switchboard_password_checks_lifted_total", "counter",
              "Password checks that starved at the idle priority (other work kept every core "
              "busy for a second) and were lifted to nice 10 until they ended.");
  fmt::format_to(std::back_inserter(out), "switchboard_password_checks_lifted_total {}\n",
                 password_checks_lifted.load(relaxed));
  append_type(out, "switchboard_password_checks_urgent_total", "counter",
              "Starved password checks submitted over 3 s before, from addresses and accounts "
              "without recent failures, raised to the server's own priority until they ended.");
  fmt::format_to(std::back_inserter(out), "switchboard_password_checks_urgent_total {}\n",
                 password_checks_urgent.load(relaxed));

  append_type(out, "switchboard_address_limit_refusals_total", "counter",
              "Connections refused because their client address had "
              "limits.max_connections_per_address open.");
  fmt::format_to(std::back_inserter(out), "switchboard_address_limit_refusals_total {}\n",
                 address_limit_refusals.load(relaxed));
  append_type(out, "switchboard_tls_handshake_failures_total", "counter",
              "TLS handshakes that failed: a client that does not trust the certificate or "
              "shares no version with the server, or bytes that only began like TLS (a "
              "scanner). Handshakes that stall count as slow clients (phase head).");
  fmt::format_to(std::back_inserter(out), "switchboard_tls_handshake_failures_total {}\n",
                 tls_handshake_failures.load(relaxed));
  append_type(out, "switchboard_header_limit_refusals_total", "counter",
              "Requests answered 431 because their headers exceeded limits.max_header_bytes.");
  fmt::format_to(std::back_inserter(out), "switchboard_header_limit_refusals_total {}\n",
                 header_limit_refusals.load(relaxed));
  append_type(out, "switchboard_slow_clients_closed_total", "counter",
              "Connections closed for being too slow, by what they did not finish in time.");
  fmt::format_to(std::back_inserter(out),
                 "switchboard_slow_clients_closed_total{{phase=\"head\"}} {}\n",
                 slow_heads_closed.load(relaxed));
  fmt::format_to(std::back_inserter(out),
                 "switchboard_slow_clients_closed_total{{phase=\"transfer\"}} {}\n",
                 stalled_transfers_closed.load(relaxed));
  fmt::format_to(std::back_inserter(out),
                 "switchboard_slow_clients_closed_total{{phase=\"hello\"}} {}\n",
                 hello_timeouts.load(relaxed));

  auto gauge_or_counter = [&](std::string_view name, std::string_view type, std::string_view help,
                              auto value_of) {
    append_type(out, name, type, help);
    for (const auto& [id, m] : tenants)
      fmt::format_to(std::back_inserter(out), "{}{{tenant=\"{}\"}} {}\n", name, id, value_of(*m));
  };

  append_type(out, "switchboard_connections", "gauge", "WebSocket connections by tenant and role.");
  for (const auto& [id, m] : tenants) {
    fmt::format_to(std::back_inserter(out),
                   "switchboard_connections{{tenant=\"{}\",role=\"visitor\"}} {}\n", id,
                   m->visitor_connections.load(relaxed));
    fmt::format_to(std::back_inserter(out),
                   "switchboard_connections{{tenant=\"{}\",role=\"agent\"}} {}\n", id,
                   m->agent_connections.load(relaxed));
  }
  gauge_or_counter("switchboard_messages_total", "counter", "Chat messages accepted for storage.",
                   [](const TenantMetrics& m) { return m.messages_received.load(relaxed); });
  gauge_or_counter("switchboard_acks_total", "counter", "Messages made durable and acknowledged.",
                   [](const TenantMetrics& m) { return m.acks_sent.load(relaxed); });
  gauge_or_counter("switchboard_deliveries_total", "counter",
                   "Message frames sent to conversation participants.",
                   [](const TenantMetrics& m) { return m.messages_delivered.load(relaxed); });
  gauge_or_counter("switchboard_storage_failures_total", "counter",
                   "Storage writes that failed or timed out.",
                   [](const TenantMetrics& m) { return m.storage_failures.load(relaxed); });
  gauge_or_counter("switchboard_audit_entries_total", "counter",
                   "Admin changes recorded in the tenant's audit log.",
                   [](const TenantMetrics& m) { return m.audit_recorded.load(relaxed); });
  gauge_or_counter("switchboard_audit_failures_total", "counter",
                   "Admin changes made but not recorded in the audit log (storage failed, or "
                   "keeps no logs).",
                   [](const TenantMetrics& m) { return m.audit_failures.load(relaxed); });
  gauge_or_counter("switchboard_conversations_opened_total", "counter", "Conversations opened.",
                   [](const TenantMetrics& m) { return m.conversations_opened.load(relaxed); });
  gauge_or_counter("switchboard_conversations_assigned_total", "counter",
                   "Conversations assigned to an agent.",
                   [](const TenantMetrics& m) { return m.conversations_assigned.load(relaxed); });
  gauge_or_counter("switchboard_conversations_closed_total", "counter", "Conversations closed.",
                   [](const TenantMetrics& m) { return m.conversations_closed.load(relaxed); });
  gauge_or_counter("switchboard_conversations_rerouted_total", "counter",
                   "Conversations taken from an agent who did not answer in time.",
                   [](const TenantMetrics& m) { return m.conversations_rerouted.load(relaxed); });
  gauge_or_counter("switchboard_conversations_requeued_total", "counter",
                   "Conversations requeued because their agent went offline.",
                   [](const TenantMetrics& m) { return m.conversations_requeued.load(relaxed); });
  gauge_or_counter(
      "switchboard_conversations_abandoned_total", "counter",
      "Conversations closed because their visitor left the queue before an agent took them "
      "(missed chats).",
      [](const TenantMetrics& m) { return m.conversations_abandoned.load(relaxed); });
  gauge_or_counter("switchboard_conversations_queued", "gauge",
                   "Conversations waiting for an agent.",
                   [](const TenantMetrics& m) { return m.conversations_queued.load(relaxed); });
  append_type(out, "switchboard_queue_limit_reached_total", "counter",
              "Queued conversations that reached their group's max_queue_length or max_wait_s.");
  for (const auto& [id, m] : tenants) {
    fmt::format_to(
        std::back_inserter(out),
        "switchboard_queue_limit_reached_total{{tenant=\"{}\",limit=\"max_queue_length\"}} "
        "{}\n",
        id, m->queue_full.load(relaxed));
    fmt::format_to(
        std::back_inserter(out),
        "switchboard_queue_limit_reached_total{{tenant=\"{}\",limit=\"max_wait_s\"}} {}\n", id,
        m->queue_wait_exceeded.load(relaxed));
  }
  gauge_or_counter("switchboard_slow_consumers_dropped_total", "counter",
                   "Connections closed because their unsent data passed the limit.",
                   [](const TenantMetrics& m) { return m.slow_consumers_dropped.load(relaxed); });

  append_type(out, "switchboard_errors_total", "counter", "Error frames sent, by code.");
  for (const auto& [id, m] : tenants)
    for (size_t c = 0; c < m->errors.size(); ++c)
      fmt::format_to(std::back_inserter(out),
                     "switchboard_errors_total{{tenant=\"{}\",code=\"{}\"}} {}\n", id,
                     to_string(static_cast<ErrorCode>(c)), m->errors[c].load(relaxed));

  append_type(out, "switchboard_ack_latency_seconds", "histogram",
              "From receiving a message to sending its ack (storage commit included).");
  for (const auto& [id, m] : tenants)
    m->ack_latency.render(out, "switchboard_ack_latency_seconds", fmt::format("tenant=\"{}\"", id));
  for (const auto& collect : collectors) collect(out);
  return out;
}

}  // namespace sb::metrics
