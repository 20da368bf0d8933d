// The [[agents]] array of a tenant file (internal to sb_tenants).
#pragma once

#include <vector>

#include "config/table_reader.hpp"
#include "tenants/tenant_config.hpp"

namespace sb::tenants {

// Reads and validates every [[agents]] entry, including uniqueness of ids and
// emails across entries. Invalid entries are reported and left out.
std::vector<AgentConfig> read_agents(const toml::array& agents, config::ErrorSink& sink);

}  // namespace sb::tenants
