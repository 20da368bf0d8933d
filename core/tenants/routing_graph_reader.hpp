// The routing graph of a tenant file: [[routing.rules]] and [routing.fallback]
// (internal to sb_tenants).
#pragma once

#include "config/table_reader.hpp"
#include "routing_graph/graph.hpp"
#include "tenants/plugin_schema.hpp"
#include "tenants/tenant_config.hpp"

namespace sb::tenants {

// Reads the graph from the parsed file, validated against the tenant's groups (read
// first) and the installed routing plugins; each problem is reported at its line.
routing_graph::Graph read_routing_graph(const toml::table& root, const groups::GroupMap& groups,
                                        const PluginLookup& plugins, config::ErrorSink& sink);

}  // namespace sb::tenants
