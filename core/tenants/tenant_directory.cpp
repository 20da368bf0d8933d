#include "tenants/tenant_directory.hpp"

#include <chrono>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "tenants/tenant_loader.hpp"

namespace sb::tenants {

namespace fs = std::filesystem;

namespace {

// A file modified this recently may be modified again within the file system's
// timestamp granularity without its mtime or size changing, so its content is
// compared on every poll until it is older than this (git's "racy clean" rule).
constexpr auto kRacyWindow = std::chrono::seconds(2);

bool is_tenant_file(const fs::directory_entry& entry) {
  std::error_code ec;
  std::string name = entry.path().filename().string();
  // Editors leave hidden files such as ".#demo.toml" beside the real one.
  return entry.path().extension() == ".toml" && !name.starts_with('.') && entry.is_regular_file(ec);
}

std::optional<std::string> read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(text).str();
}

// Names, sizes and modification times of the regular, not hidden files under the
// tenant's own directory (tenants/demo/ for tenants/demo.toml), in name order; ""
// when it has none. A file replaced by rename (an editor, the admin API) changes
// its time.
std::string own_files_stamp(const fs::path& tenant_file) {
  const fs::path dir = tenant_file.parent_path() / tenant_file.stem();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return {};
  std::set<std::string> lines;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code stat_ec;
    // Hidden files are editors' swap files and uploads not yet checked.
    if (!it->is_regular_file(stat_ec) || it->path().filename().string().starts_with('.')) continue;
    const auto size = it->file_size(stat_ec);
    const auto mtime = it->last_write_time(stat_ec);
    if (stat_ec) continue;
    lines.insert(it->path().lexically_relative(dir).string() + ' ' + std::to_string(size) + ' ' +
                 std::to_string(mtime.time_since_epoch().count()));
  }
  std::string stamp;
  for (const auto& line : lines) stamp += line + '\n';
  return stamp;
}

}  // namespace

TenantDirectory::TenantDirectory(fs::path dir, PluginLookup plugins,
                                 std::string default_storage_plugin)
    : dir_(std::move(dir)),
      plugins_(std::move(plugins)),
      default_storage_plugin_(std::move(default_storage_plugin)) {}

void TenantDirectory::recheck_all() {
  for (auto& [path, state] : files_) state.needs_recheck = true;
}

void TenantDirectory::recheck_failed() {
  for (auto& [path, state] : files_)
    if (state.failed) state.needs_recheck = true;
}

TenantDirectory::Changes TenantDirectory::refresh() {
  Changes changes;
  std::error_code ec;
  fs::directory_iterator entries(dir_, ec);
  if (ec) {
    // Keep every live tenant: an unreadable directory is more likely a mount hiccup
    // than an intent to delete all tenants.
    if (!dir_error_reported_)
      changes.errors.push_back(ConfigError{dir_.string(), 0, 0, "",
                                           "cannot read the tenants directory: " + ec.message()});
    dir_error_reported_ = true;
    return changes;
  }
  dir_error_reported_ = false;

  std::set<fs::path> seen;
  for (const auto& entry : entries) {
    if (!is_tenant_file(entry)) continue;
    const fs::path& path = entry.path();
    seen.insert(path);
    auto size = entry.file_size(ec);
    if (ec) continue;
    auto mtime = entry.last_write_time(ec);
    if (ec) continue;

    auto [it, fresh] = files_.try_emplace(path);
    FileState& state = it->second;
    auto stamp = own_files_stamp(path);
    const bool own_files_changed = !fresh && stamp != state.own_files_stamp;
    bool stat_same = !fresh && state.size == size && state.mtime == mtime;
    if (stat_same && !state.content_maybe_racy && !state.needs_recheck && !own_files_changed)
      continue;

    auto content = read_all(path);
    if (!content) {
      // Vanished or unreadable for a moment: try next poll, from a clean slate.
      if (fresh) files_.erase(it);
      continue;
    }
    bool racy = fs::file_time_type::clock::now() - mtime < kRacyWindow;
    bool same_content = !fresh && *content == state.content;
    state.size = size;
    state.mtime = mtime;
    state.content_maybe_racy = racy;
    if (same_content && !state.needs_recheck && !own_files_changed) continue;
    state.needs_recheck = false;
    load_file(path, state, std::move(*content), std::move(stamp), changes);
  }

  // Files that are gone take their tenant with them.
  for (auto it = files_.begin(); it != files_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    if (const auto& live = it->second.live) {
      std::lock_guard lock(live_mutex_);
      live_.erase(live->id);
      changes.removed.push_back(live->id);
    }
    it = files_.erase(it);
  }
  return changes;
}

void TenantDirectory::load_file(const fs::path& path, FileState& state, std::string content,
                                std::string own_files_stamp, Changes& changes) {
  state.content = std::move(content);
  state.own_files_stamp = own_files_stamp;
  state.failed = true;
  auto loaded =
      load_tenant_text(state.content, path, plugins_, default_storage_plugin_, changes.errors);
  if (!loaded) return;  // the last good config, if any, stays live
  loaded->own_files_stamp = std::move(own_files_stamp);
  std::shared_ptr<const TenantConfig> config = std::move(loaded);
  std::lock_guard lock(live_mutex_);
  auto existing = live_.find(config->id);
  if (existing != live_.end() && existing->second->file != path) {
    changes.errors.push_back(ConfigError{
        path.string(), 1, 1, "id",
        "tenant id '" + config->id + "' is already used by " + existing->second->file.string()});
    return;
  }
  live_[config->id] = config;
  state.live = config;
  state.failed = false;
  changes.changed.push_back(std::move(config));
}

std::vector<std::shared_ptr<const TenantConfig>> TenantDirectory::current() const {
  std::lock_guard lock(live_mutex_);
  std::vector<std::shared_ptr<const TenantConfig>> configs;
  configs.reserve(live_.size());
  for (const auto& [id, config] : live_) configs.push_back(config);
  return configs;
}

}  // namespace sb::tenants
