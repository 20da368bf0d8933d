// Parsing and validating one tenant file.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/config_error.hpp"
#include "tenants/plugin_schema.hpp"
#include "tenants/tenant_config.hpp"

namespace sb::tenants {

// Reads, parses and validates tenants/<id>.toml. Returns nullptr and appends every
// problem to errors (file, line, column, dotted key) when the file is invalid: a
// tenant is applied whole or not at all.
std::shared_ptr<const TenantConfig> load_tenant_file(const std::filesystem::path& file,
                                                     const PluginLookup& plugins,
                                                     const std::string& default_storage_plugin,
                                                     ConfigErrors& errors);

// The same, for text already read (the directory watcher reads each file once), still
// mutable so the watcher can add what it knows (TenantConfig::own_files_stamp).
std::shared_ptr<TenantConfig> load_tenant_text(std::string_view text,
                                               const std::filesystem::path& file,
                                               const PluginLookup& plugins,
                                               const std::string& default_storage_plugin,
                                               ConfigErrors& errors);

}  // namespace sb::tenants
