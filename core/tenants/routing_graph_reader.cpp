#include "tenants/routing_graph_reader.hpp"

#include <charconv>

#include "config/toml_json.hpp"
#include "routing_graph/forms.hpp"

namespace sb::tenants {

namespace {

// The node a graph error's field names ("routing.rules[1].actions[0].group"), or its
// deepest ancestor that exists (a missing key is reported where it belongs).
const toml::node* node_at(const toml::table& root, std::string_view field) {
  const toml::node* at = &root;
  while (!field.empty()) {
    std::size_t end = field.find_first_of(".[");
    if (end == 0 && field[0] == '[') {  // an index
      std::size_t close = field.find(']');
      std::size_t index = 0;
      std::from_chars(field.data() + 1, field.data() + close, index);
      const toml::array* array = at->as_array();
      const toml::node* next = array ? array->get(index) : nullptr;
      if (!next) return at;
      at = next;
      field.remove_prefix(close + 1);
    } else {
      std::string_view key = field.substr(0, end);
      const toml::table* table = at->as_table();
      const toml::node* next = table ? table->get(key) : nullptr;
      if (!next) return at;
      at = next;
      field.remove_prefix(key.size());
    }
    if (!field.empty() && field[0] == '.') field.remove_prefix(1);
  }
  return at;
}

}  // namespace

routing_graph::Graph read_routing_graph(const toml::table& root, const groups::GroupMap& groups,
                                        const PluginLookup& plugins, config::ErrorSink& sink) {
  std::optional<boost::json::value> rules, fallback;
  if (const toml::node* node = root.at_path("routing.rules").node())
    rules = config::toml_to_json(*node);
  if (const toml::node* node = root.at_path("routing.fallback").node())
    fallback = config::toml_to_json(*node);
  if (!rules && !fallback) return {};

  routing_graph::Catalog catalog;
  catalog.groups = &groups;
  catalog.is_routing_plugin = [&plugins](std::string_view name) {
    const PluginSchema* schema = plugins(name);
    return schema && schema->kind == SB_KIND_ROUTING;
  };
  routing_graph::Errors errors;
  auto graph = routing_graph::from_toml_values(rules ? &*rules : nullptr,
                                               fallback ? &*fallback : nullptr, catalog, errors);
  for (const auto& error : errors)
    sink.add(node_at(root, error.field)->source(), error.field, error.message);
  return graph.value_or(routing_graph::Graph{});
}

}  // namespace sb::tenants
