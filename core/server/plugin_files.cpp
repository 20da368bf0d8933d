// Server::replace_plugin_file: a file a tenant's plugin reads (its knowledge base),
// replaced over the admin API only once the plugin itself accepts the new content.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <fstream>

#include "common/ids.hpp"
#include "server/server.hpp"

namespace sb::server {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

// Points `key` of a plugin's config table at `replacement` wherever it names `file`
// (the value itself, or an element of an array of names). Returns the new value.
json::value& point_at(json::object& table, std::string_view key, std::string_view file,
                      const std::string& replacement) {
  json::value& value = table[key];
  if (value.is_string() && value.get_string() == file) value = replacement;
  if (value.is_array())
    for (auto& element : value.get_array())
      if (element.is_string() && element.get_string() == file) element = replacement;
  return value;
}

void replace_all(std::string& text, const std::string& from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

std::string Server::replace_plugin_file(const tenants::TenantConfig& tenant,
                                        std::string_view plugin, std::string_view key,
                                        std::string_view file, std::string_view content) {
  const auto* section = tenant.section(plugin);
  if (!section) return "the tenant has no [plugins." + std::string(plugin) + "] table";
  // Absolute: the plugin resolves a relative name against config_dir, so a relative
  // tenants dir (the README's `./build/switchboard` from the checkout) would have it
  // look for tenants/tenants/... and refuse every edit as "cannot open the file".
  const fs::path config_dir = fs::absolute(tenant.file.parent_path());
  const fs::path target = config_dir / fs::path(file);
  // Beside the target (same file system, so the rename is atomic), hidden and unique
  // so no reader and no concurrent upload ever sees it.
  const fs::path trial =
      target.parent_path() / ("." + target.filename().string() + "." + new_id("upload") + ".tmp");
  {
    std::ofstream out(trial, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) {
      std::error_code ignored;
      fs::remove(trial, ignored);
      return "cannot write beside " + std::string(file);
    }
  }

  // The tenant's config as it is, but naming the uploaded content instead of the file.
  json::object table = json::parse(section->config_json).as_object();
  const json::value& value = point_at(table, key, file, trial.string());
  plugin_host::InstanceConfig trial_config;
  trial_config.config_json = json::serialize(table);
  trial_config.values_as_text = section->values_as_text;
  trial_config.values_as_text[std::string(key)] =
      value.is_string() ? std::string(value.get_string()) : json::serialize(value);
  trial_config.config_dir = config_dir.string();
  std::string error;
  auto checked = plugins_.create_instance(plugin, tenant.id, trial_config,
                                          config_.data_dir / "tenants" / tenant.id / plugin, error);
  std::error_code ec;
  if (!checked) {
    fs::remove(trial, ec);
    replace_all(error, trial.string(), file);
    return error;
  }
  checked.reset();
  fs::rename(trial, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(trial, ignored);
    return "cannot replace " + std::string(file) + ": " + ec.message();
  }
  spdlog::info("tenant {}: {} replaced over the admin API", tenant.id, std::string(file));
  // The tenant's own directory changed: the reload picks it up (own_files_stamp);
  // run it now rather than at the next poll.
  {
    std::lock_guard lock(stop_mutex_);
    reload_now_ = true;
  }
  stop_cv_.notify_all();
  return {};
}

}  // namespace sb::server
