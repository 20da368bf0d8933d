// Reads the graph of a TOML text the way the tenant loader does: routing.rules and
// routing.fallback to JSON values, then the TOML form's parser.
#pragma once

#include <toml++/toml.h>

#include "config/toml_json.hpp"
#include "routing_graph/forms.hpp"

namespace sb::routing_graph::test {

inline std::optional<Graph> graph_from_toml(std::string_view text, const Catalog& catalog,
                                            Errors& errors) {
  toml::table root = toml::parse(text);
  std::optional<boost::json::value> rules, fallback;
  if (const toml::node* node = root.at_path("routing.rules").node())
    rules = config::toml_to_json(*node);
  if (const toml::node* node = root.at_path("routing.fallback").node())
    fallback = config::toml_to_json(*node);
  return from_toml_values(rules ? &*rules : nullptr, fallback ? &*fallback : nullptr, catalog,
                          errors);
}

}  // namespace sb::routing_graph::test
