// The tenants directory (one <id>.toml per tenant), re-read on demand so edits apply
// without a restart. A broken edit never applies halfway: the tenant keeps its last
// good config and the problem is reported once, until the file changes again.
// An edit in a tenant's own directory (tenants/<id>/, the files its plugins read)
// counts as an edit of the tenant too (TenantConfig::own_files_stamp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/config_error.hpp"
#include "tenants/plugin_schema.hpp"
#include "tenants/tenant_config.hpp"

namespace sb::tenants {

class TenantDirectory {
 public:
  TenantDirectory(std::filesystem::path dir, PluginLookup plugins,
                  std::string default_storage_plugin);

  struct Changes {
    std::vector<std::shared_ptr<const TenantConfig>> changed;  // new or edited, valid
    std::vector<std::string> removed;                          // ids whose file is gone
    ConfigErrors errors;  // files broken now; each reported once per edit, not every poll
  };

  // The first call loads every *.toml file; later calls re-parse only files whose
  // size, mtime or content changed. Call from one thread (the reload timer).
  Changes refresh();

  // Makes the next refresh() re-validate every file even if unchanged: call it after
  // the set of installed plugins changed, since validity depends on them. Call from
  // the thread that calls refresh().
  void recheck_all();
  // The same for the files whose last load failed only: after a plugin arrived, a
  // tenant file that named it before it was there becomes valid and is served,
  // while the valid ones are not reloaded for nothing.
  void recheck_failed();

  // The live configs, sorted by id. Safe from any thread.
  std::vector<std::shared_ptr<const TenantConfig>> current() const;

 private:
  struct FileState {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
    std::string content;             // as last parsed, to tell a real edit from a touch
    bool content_maybe_racy = true;  // mtime too recent to trust (see refresh)
    bool needs_recheck = false;
    bool failed = false;                       // the last load reported errors
    std::string own_files_stamp;               // as last loaded
    std::shared_ptr<const TenantConfig> live;  // last good config, may be null
  };

  void load_file(const std::filesystem::path& path, FileState& state, std::string content,
                 std::string own_files_stamp, Changes& changes);

  std::filesystem::path dir_;
  PluginLookup plugins_;
  std::string default_storage_plugin_;
  bool dir_error_reported_ = false;
  std::map<std::filesystem::path, FileState> files_;  // only the refresh thread touches it

  mutable std::mutex live_mutex_;
  std::map<std::string, std::shared_ptr<const TenantConfig>> live_;  // by id
};

}  // namespace sb::tenants
