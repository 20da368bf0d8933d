// The tenant's audit log: who changed routing, agents, knowledge and settings, and
// when. Entries live in the tenant's own storage, in the append-only log "audit"
// (ABI 1.4 log_append/log_list), so they are as durable and as private to the
// tenant as its conversations.
//
// Recording follows the change and never stands in its way: the admin's write is
// done and answered first; the entry is then appended without waiting. An entry that
// cannot be kept (the storage failed, or its plugin keeps no logs) is logged as a
// warning and counted in /metrics (switchboard_audit_failures_total), never hidden.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/ports.hpp"
#include "metrics/metrics.hpp"

namespace sb::audit {

// The storage log the entries go to.
inline constexpr const char* kAuditLog = "audit";

// Who made the change, as the admin pages show it.
struct Actor {
  std::string id;
  std::string name;
  std::string role;
};

// What changed. action is "<area>.<verb>" ("routing.saved", "agent.created",
// "kb.saved", ...); target names what was changed as an admin reads it; summary is
// a short description or diff (at most about 500 characters are kept). Both are
// English, for clients that do not know the codes and for entries written before
// them.
//
// object and detail say the same again for clients that word it themselves, in the
// reader's language: object {"kind", ...values} is what was changed (kinds: "routing_graph",
// "agent" {name,email}, "bot_file" {file}, "group" {id}, "widget", "retention", "visitor" {id},
// "canned_reply" {shortcut}, "question" {text}); detail {"code", ...values} is what happened to
// it (docs/protocol.md lists the codes and their values). Empty ones are not stored.
struct Change {
  std::string action;
  std::string target;
  std::string summary;
  boost::json::object object{};
  boost::json::object detail{};
};

// One entry as stored (the log entry's data): {"actor":{"id","name","role"},
// "action","target","summary","object"?,"detail"?}. Strings in object and detail
// are cut like target (at most about 200 bytes each, lists at most 20 items).
std::string entry_json(const Actor& actor, const Change& change);

// Records that actor made change at ts_ms (wall clock) in the tenant's storage.
// Never blocks and never fails the caller; see the top of this file.
void record(engine::Store& store, std::shared_ptr<metrics::TenantMetrics> counters,
            const std::string& tenant_id, const Actor& actor, const Change& change, int64_t ts_ms);

}  // namespace sb::audit
