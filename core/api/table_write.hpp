// One table of a tenant file written for an admin ([widget], [groups.NAME]): the
// steps every such write takes, whatever the table (internal to sb_api).
#pragma once

#include <toml++/toml.h>

#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "tenants/tenant_config.hpp"

namespace sb::api {

struct TableWrite {
  std::vector<std::string> path;       // {"widget"}, {"groups", "support"}
  std::optional<toml::table> content;  // nullopt: take the table out
  // The table as the API shows it in a loaded tenant (nullopt: the tenant has
  // none); its serialized form's etag_of is the table's version.
  std::function<std::optional<boost::json::value>(const tenants::TenantConfig&)> view;
  std::string if_match;           // the version the admin edited; "" when not given
  std::string if_none_match;      // "*": only when the table does not exist yet
  std::string changed_code;       // the 412's code, e.g. "widget_changed"
  std::string what;               // for messages: "the widget's settings", "group support"
  unsigned created_status = 200;  // the answer's status when the table is new
  // Optional: rewrites the (valid) content as a person would write it, given the
  // table as the file has it now (nullptr: none); used only when it loads the same.
  std::function<void(toml::table& content, const toml::table* in_file)> tidy;
  // Recorded in the tenant's audit log once the change is live: the action
  // ("widget.saved", "group.saved", "group.deleted"), what it changed as an admin
  // reads it, and who; the summary says which fields changed, from what to what.
  std::string audit_action;
  std::string audit_target;
  // The target again as an audit object ({"kind":"widget"}, {"kind":"group","id":…});
  // the detail is made here: "settings.fields" with changed_values.
  boost::json::object audit_object;
  audit::Actor actor;
};

// "color: "#0f766e" → "#aa3300"; texts.en.title: …": the fields whose values differ
// between two JSON forms of a table (nullptr: it did not exist / is gone).
std::string changed_fields(const boost::json::value* before, const boost::json::value* after);

// The same as [{"field":"color","from":"#0f766e","to":"#aa3300"}, …] (from or to null
// where the field was not there), for the audit detail "settings.fields".
boost::json::array changed_values(const boost::json::value& before,
                                  const boost::json::value& after);

// Takes out of content what equals defaults (the reader's values for what a file
// leaves out) where the file's table (in_file) does not have it either, so a save
// adds only what says something; sub-tables left empty go too.
void drop_defaults(toml::table& content, const toml::table& defaults, const toml::table* in_file);

// The key paths the reader reports for the table ("widget.color") as the API's
// field names ("color"): the part after the table's own path; "" for the table.
std::string field_of(const std::vector<std::string>& path, const std::string& key);

}  // namespace sb::api
