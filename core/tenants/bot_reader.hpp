// The [bot] table of a tenant file (internal to sb_tenants).
#pragma once

#include "config/table_reader.hpp"
#include "tenants/plugin_schema.hpp"
#include "tenants/tenant_config.hpp"

namespace sb::tenants {

// Reads and validates [bot]: every pipeline stage an installed auto-reply or LLM
// plugin, named once.
BotConfig read_bot(config::TableReader& table, const PluginLookup& plugins);

}  // namespace sb::tenants
