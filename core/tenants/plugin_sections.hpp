// Plugin references in a tenant file, checked against the installed plugins
// (internal to sb_tenants).
#pragma once

#include <map>
#include <string>

#include "config/table_reader.hpp"
#include "tenants/plugin_schema.hpp"
#include "tenants/tenant_config.hpp"

namespace sb::tenants {

// The installed plugin named at `where` (key `key`), or nullptr after reporting that it
// is missing or (when want_kind is non-zero) of another kind. note, if given, is
// appended to the message (e.g. to say the name came from a default).
const PluginSchema* require_plugin(const PluginLookup& plugins, std::string_view name,
                                   int32_t want_kind, const toml::source_region& where,
                                   const std::string& key, config::ErrorSink& sink,
                                   std::string_view note = {});

// The [plugins] table: one sub-table per plugin, each key declared by that plugin
// and of the declared type.
std::map<std::string, PluginSection> read_plugin_sections(const toml::table& plugins_table,
                                                          const PluginLookup& plugins,
                                                          config::ErrorSink& sink);

}  // namespace sb::tenants
