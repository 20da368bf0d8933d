#include "server/operations.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json.hpp>
#include <fstream>
#include <mutex>

#include "audit/audit_log.hpp"
#include "common/clock.hpp"
#include "control/control_socket.hpp"
#include "privacy/retention.hpp"
#include "server/data_dir_lock.hpp"

namespace sb::server {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr int64_t kBackupFormat = 1;
constexpr int64_t kDayMs = 86'400'000;
const char* const kTenantFilesDir = "tenant-config";

bool absent_or_empty(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
}

json::object failed(std::string why) {
  return json::object{{"ok", false}, {"error", std::move(why)}};
}

// What every tenant's backup answered, gathered from their strands.
struct BackupRun {
  std::mutex mutex;
  fs::path dir;
  json::object tenants;
  bool complete = true;
  size_t left = 0;
  std::function<void(json::object)> done;

  void finish_locked() {
    json::object manifest{{"format", kBackupFormat},
                          {"created_at", wall_clock_ms()},
                          {"complete", complete},
                          {"tenants", tenants}};
    std::ofstream out(dir / kBackupManifest, std::ios::trunc);
    out << json::serialize(manifest) << "\n";
    out.close();
    if (!out) return done(failed("cannot write " + (dir / kBackupManifest).string()));
    json::object answer{{"ok", complete}, {"dir", dir.string()}, {"tenants", tenants}};
    if (!complete) answer["error"] = "a tenant's storage was not copied (see tenants)";
    done(std::move(answer));
  }
};

}  // namespace

void backup_install(const fs::path& data_dir, const fs::path& tenants_dir,
                    std::vector<std::shared_ptr<TenantRuntime>> tenants, const fs::path& dir,
                    std::function<void(json::object)> done) {
  if (!dir.is_absolute()) return done(failed("the backup directory must be an absolute path"));
  if (!absent_or_empty(dir)) return done(failed(dir.string() + " exists and is not empty"));
  try {
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
    // The install's own files: the secret key (tokens and sessions stay valid after
    // a restore), signed-out sessions. Never the control socket or the running
    // server's lock.
    for (const auto& entry : fs::directory_iterator(data_dir))
      if (entry.is_regular_file() && entry.path().filename() != control::kSocketName &&
          entry.path().filename() != kLockName)
        fs::copy_file(entry.path(), dir / entry.path().filename());
    if (fs::is_directory(tenants_dir))
      fs::copy(tenants_dir, dir / kTenantFilesDir, fs::copy_options::recursive);
  } catch (const std::exception& e) {
    return done(failed(std::string("backup: ") + e.what()));
  }

  auto run = std::make_shared<BackupRun>();
  run->dir = dir;
  run->done = std::move(done);
  std::lock_guard lock(run->mutex);
  run->left = tenants.size();
  if (tenants.empty()) return run->finish_locked();
  for (const auto& tenant : tenants) {
    const std::string id = tenant->config->id;
    const std::string plugin = tenant->config->storage_plugin;
    const fs::path into = dir / "tenants" / id / plugin;
    std::error_code ec;
    fs::create_directories(into, ec);
    // The answer comes on the tenant's strand, possibly before this loop ends.
    tenant->store->backup(into.string(), [run, id, plugin](engine::StoreResult r) {
      std::lock_guard done_lock(run->mutex);
      json::object entry{{"plugin", plugin}, {"ok", r.ok()}};
      boost::system::error_code parse_ec;
      json::value result = r.ok() ? json::parse(r.body, parse_ec) : json::value();
      if (r.ok() && !parse_ec && result.is_object())
        for (const auto& [key, value] : result.get_object()) entry[key] = value;
      if (!r.ok()) {
        run->complete = false;
        entry["error"] = r.error;
        if (r.status == engine::kStoreNotSupported) entry["not_supported"] = true;
        spdlog::error("backup of tenant {} ({}) failed: {}", id, plugin, r.error);
      }
      run->tenants[id] = std::move(entry);
      if (--run->left == 0) run->finish_locked();
    });
  }
}

std::string restore_install(const fs::path& backup, const fs::path& data_dir,
                            const fs::path& tenants_dir, std::string& summary) {
  std::ifstream in(backup / kBackupManifest);
  if (!in)
    return backup.string() + " is not a Switchboard backup (it has no " + kBackupManifest + ")";
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code ec;
  json::value manifest = json::parse(text, ec);
  const json::object* m = !ec && manifest.is_object() ? &manifest.get_object() : nullptr;
  const json::value* format = m ? m->if_contains("format") : nullptr;
  if (!format || !format->is_int64() || format->get_int64() != kBackupFormat)
    return (backup / kBackupManifest).string() + " is not a backup format this server knows";
  if (!absent_or_empty(data_dir))
    return "the data dir " + data_dir.string() +
           " is not empty: restore into a fresh one (move the old one away first)";
  const bool with_tenant_files = !tenants_dir.empty() && fs::is_directory(backup / kTenantFilesDir);
  if (with_tenant_files && !absent_or_empty(tenants_dir))
    return "the tenants dir " + tenants_dir.string() + " is not empty";

  try {
    fs::create_directories(data_dir);
    fs::permissions(data_dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec,
                    fs::perm_options::replace);
    for (const auto& entry : fs::directory_iterator(backup)) {
      const auto name = entry.path().filename();
      if (name == kBackupManifest || name == kTenantFilesDir) continue;
      fs::copy(entry.path(), data_dir / name, fs::copy_options::recursive);
    }
    if (with_tenant_files)
      fs::copy(backup / kTenantFilesDir, tenants_dir,
               fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  } catch (const std::exception& e) {
    // It was empty: leave it so, not half restored.
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(data_dir, ignored))
      fs::remove_all(entry.path(), ignored);
    return std::string("restore failed, nothing restored: ") + e.what();
  }
  size_t tenants = 0;
  if (const auto* t = m->if_contains("tenants"); t && t->is_object())
    tenants = t->get_object().size();
  summary = "restored " + std::to_string(tenants) + " tenant(s) into " + data_dir.string() +
            (with_tenant_files ? " and their files into " + tenants_dir.string() : std::string());
  if (const auto* complete = m->if_contains("complete");
      complete && complete->is_bool() && !complete->get_bool())
    summary +=
        "; warning: the backup was incomplete (see " + (backup / kBackupManifest).string() + ")";
  return {};
}

void run_retention(std::vector<std::shared_ptr<TenantRuntime>> tenants, metrics::Registry& metrics,
                   int64_t now_ms, std::function<void()> done) {
  std::vector<std::shared_ptr<TenantRuntime>> due;
  for (auto& tenant : tenants)
    if (tenant->config->retention.closed_conversations_days || tenant->config->retention.audit_days)
      due.push_back(std::move(tenant));
  if (due.empty()) return done();
  auto left = std::make_shared<std::atomic<size_t>>(due.size());
  for (const auto& tenant : due) {
    const auto& policy = tenant->config->retention;
    privacy::RetentionPeriods periods{policy.closed_conversations_days * kDayMs,
                                      policy.audit_days * kDayMs};
    privacy::apply_retention(
        tenant->store, periods, now_ms,
        [tenant, policy, now_ms, counters = metrics.tenant(tenant->config->id), left, done](
            privacy::Outcome outcome, privacy::RetentionCounts n) {
          const std::string& id = tenant->config->id;
          if (!outcome.ok()) spdlog::error("tenant {}: retention stopped: {}", id, outcome.error);
          if (n.audit_not_supported)
            spdlog::warn("tenant {}: audit_days is set but its storage cannot prune logs", id);
          if (n.in_use)
            spdlog::info(
                "tenant {}: retention kept {} conversation(s) past the period: open again "
                "(they go once closed that long again)",
                id, n.in_use);
          if (n.conversations || n.audit_entries || n.unanswered_entries) {
            spdlog::info(
                "tenant {}: retention deleted {} conversation(s), {} message(s), {} "
                "file(s), {} unanswered question entries, {} audit entries",
                id, n.conversations, n.messages, n.files, n.unanswered_entries, n.audit_entries);
            std::string summary = "deleted";
            if (policy.closed_conversations_days)
              summary += " " + std::to_string(n.conversations) +
                         " conversation(s) closed more than " +
                         std::to_string(policy.closed_conversations_days) + " day(s) ago (" +
                         std::to_string(n.messages) + " message(s), " + std::to_string(n.files) +
                         " file(s)), " + std::to_string(n.unanswered_entries) +
                         " unanswered question entries";
            if (policy.closed_conversations_days && policy.audit_days) summary += " and";
            if (policy.audit_days)
              summary += " " + std::to_string(n.audit_entries) + " audit entries older than " +
                         std::to_string(policy.audit_days) + " day(s)";
            audit::Change change{"retention.applied", "retention", summary};
            change.object = {{"kind", "retention"}};
            change.detail = {{"code", "retention.applied"}};
            if (policy.closed_conversations_days)
              change.detail.insert({{"closed_days", policy.closed_conversations_days},
                                    {"conversations", n.conversations},
                                    {"messages", n.messages},
                                    {"files", n.files},
                                    {"unanswered_entries", n.unanswered_entries}});
            if (policy.audit_days)
              change.detail.insert(
                  {{"audit_days", policy.audit_days}, {"audit_entries", n.audit_entries}});
            audit::record(*tenant->store, counters, id, {"system", "Retention", "system"}, change,
                          now_ms);
          }
          if (left->fetch_sub(1) == 1) done();
        },
        // The engine lets go of each one first (it no longer reopens it), or keeps
        // one it holds again.
        [engine = tenant->engine](const std::string& conversation_id, const std::string& visitor_id,
                                  std::function<void(bool)> answer) {
          engine->forget_closed(conversation_id, visitor_id, std::move(answer));
        });
  }
}

}  // namespace sb::server
