// The [widget] table of a tenant file (internal to sb_tenants).
#pragma once

#include "config/table_reader.hpp"
#include "tenants/tenant_config.hpp"

namespace sb::tenants {

// Reads and validates [widget] and its [widget.pre_chat] and [widget.texts.LANG]
// tables; what the file omits keeps WidgetConfig's defaults.
WidgetConfig read_widget(config::TableReader& table);

}  // namespace sb::tenants
