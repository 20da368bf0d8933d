// What an operator runs against the live server, apart from serving chat:
// backups (asked for over the control socket by `switchboard backup DIR`) and the
// retention job (every retention_interval_ms). Both go through each tenant's
// storage plugin, so they work while chat goes on.
#pragma once

#include <boost/json/object.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "server/tenant_runtime.hpp"

namespace sb::server {

// The backup's own file in DIR: what was copied, when, and what failed.
inline constexpr const char* kBackupManifest = "backup.json";

// Backs up every running tenant's storage into dir/tenants/<id>/<plugin>/ and the
// install's own files (the secret key, signed-out sessions: every regular file at
// the top of data_dir) into dir/, and copies the tenant files (tenants_dir) into
// dir/tenant-config/. dir must be absolute and absent or empty. done(answer) runs
// once, on any thread: {"ok":true,"dir","tenants":{...}} or {"ok":false,"error"}.
void backup_install(const std::filesystem::path& data_dir, const std::filesystem::path& tenants_dir,
                    std::vector<std::shared_ptr<TenantRuntime>> tenants,
                    const std::filesystem::path& dir,
                    std::function<void(boost::json::object)> done);

// Restores a backup made by backup_install into a fresh data dir (absent or
// empty), and its tenant files into tenants_dir when that is not empty (it must be
// absent or hold no tenant file). Offline: the server must not run on data_dir.
// "" on success, else why not (nothing is left half done: a failure removes what
// it copied).
std::string restore_install(const std::filesystem::path& backup,
                            const std::filesystem::path& data_dir,
                            const std::filesystem::path& tenants_dir, std::string& summary);

// One retention run over the tenants that have a period, at now_ms. done runs once
// every tenant's run ended (on any thread).
void run_retention(std::vector<std::shared_ptr<TenantRuntime>> tenants, metrics::Registry& metrics,
                   int64_t now_ms, std::function<void()> done);

}  // namespace sb::server
