// The [groups.NAME] tables of a tenant file (internal to sb_tenants).
#pragma once

#include "config/table_reader.hpp"
#include "groups/group.hpp"

namespace sb::tenants {

// Reads and validates every group: its time zone against the tz database, its
// hours, its queue limits. Invalid groups are reported and left out.
groups::GroupMap read_groups(const toml::table& groups_table, config::ErrorSink& sink);

// Group ids appear in URLs and JSON: printable, no spaces or '/', '?', '#', '%'.
bool is_valid_group_id(std::string_view id);

}  // namespace sb::tenants
