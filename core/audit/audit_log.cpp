#include "audit/audit_log.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace sb::audit {

namespace json = boost::json;

namespace {

constexpr size_t kMaxSummaryBytes = 500;
constexpr size_t kMaxTargetBytes = 200;

// At most max bytes, cut on a UTF-8 character boundary, with "…" where it was cut.
std::string clipped(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "\u2026";
}

}  // namespace

std::string entry_json(const Actor& actor, const Change& change) {
  return json::serialize(json::object{
      {"actor", json::object{{"id", actor.id}, {"name", actor.name}, {"role", actor.role}}},
      {"action", change.action},
      {"target", clipped(change.target, kMaxTargetBytes)},
      {"summary", clipped(change.summary, kMaxSummaryBytes)}});
}

void record(engine::Store& store, std::shared_ptr<metrics::TenantMetrics> counters,
            const std::string& tenant_id, const Actor& actor, const Change& change, int64_t ts_ms) {
  engine::LogEntry entry{kAuditLog, change.action, actor.id, entry_json(actor, change), ts_ms};
  store.log_append(entry, [counters = std::move(counters), tenant_id, action = change.action,
                           actor_id = actor.id](engine::StoreResult r) {
    if (r.ok()) {
      counters->audit_recorded.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    counters->audit_failures.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("tenant {}: audit: {} by {} was made but not recorded: {}", tenant_id, action,
                 actor_id, r.error);
  });
}

}  // namespace sb::audit
