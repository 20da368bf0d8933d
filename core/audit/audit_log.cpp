#include "audit/audit_log.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
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

constexpr size_t kMaxListItems = 20;

// The values of an object or detail, with every string cut like a target and every
// list to its first kMaxListItems items (a "more" count says how many were left out).
json::value clipped_value(const json::value& value) {
  if (const auto* text = value.if_string())
    return json::value(clipped(std::string(*text), kMaxTargetBytes));
  if (const auto* list = value.if_array()) {
    json::array out;
    for (size_t i = 0; i < list->size() && i < kMaxListItems; ++i)
      out.push_back(clipped_value((*list)[i]));
    return out;
  }
  if (const auto* fields = value.if_object()) {
    json::object out;
    for (const auto& [key, item] : *fields) out[key] = clipped_value(item);
    return out;
  }
  return value;
}

json::object clipped_values(const json::object& values) {
  json::object out;
  for (const auto& [key, value] : values) {
    out[key] = clipped_value(value);
    if (const auto* list = value.if_array(); list && list->size() > kMaxListItems)
      out[std::string(key) + "_more"] = list->size() - kMaxListItems;
  }
  return out;
}

}  // namespace

std::string entry_json(const Actor& actor, const Change& change) {
  json::object entry{
      {"actor", json::object{{"id", actor.id}, {"name", actor.name}, {"role", actor.role}}},
      {"action", change.action},
      {"target", clipped(change.target, kMaxTargetBytes)},
      {"summary", clipped(change.summary, kMaxSummaryBytes)}};
  if (!change.object.empty()) entry["object"] = clipped_values(change.object);
  if (!change.detail.empty()) entry["detail"] = clipped_values(change.detail);
  return json::serialize(entry);
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
