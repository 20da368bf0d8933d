#include "tenants/plugin_sections.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "common/plugin_kind.hpp"
#include "config/toml_json.hpp"

namespace sb::tenants {

namespace {

std::string_view config_type_name(int32_t type) {
  switch (type) {
    case SB_CONFIG_STRING:
      return "a string";
    case SB_CONFIG_INTEGER:
      return "an integer";
    case SB_CONFIG_BOOLEAN:
      return "true or false";
    case SB_CONFIG_FLOAT:
      return "a number";
    case SB_CONFIG_ARRAY:
      return "an array";
    case SB_CONFIG_TABLE:
      return "a table";
  }
  return "of an unknown type";
}

bool has_config_type(const toml::node& node, int32_t type) {
  switch (type) {
    case SB_CONFIG_STRING:
      return node.is_string();
    case SB_CONFIG_INTEGER:
      return node.is_integer();
    case SB_CONFIG_BOOLEAN:
      return node.is_boolean();
    // "temperature = 1" means 1.0 to anyone writing it.
    case SB_CONFIG_FLOAT:
      return node.is_floating_point() || node.is_integer();
    case SB_CONFIG_ARRAY:
      return node.is_array();
    case SB_CONFIG_TABLE:
      return node.is_table();
  }
  return false;
}

}  // namespace

const PluginSchema* require_plugin(const PluginLookup& plugins, std::string_view name,
                                   int32_t want_kind, const toml::source_region& where,
                                   const std::string& key, config::ErrorSink& sink,
                                   std::string_view note) {
  const PluginSchema* schema = plugins ? plugins(name) : nullptr;
  if (!schema) {
    sink.add(where, key,
             "plugin '" + std::string(name) +
                 "' is not installed (no such plugin in the plugin directory)" + std::string(note));
    return nullptr;
  }
  if (want_kind && schema->kind != want_kind) {
    sink.add(where, key,
             "plugin '" + std::string(name) + "' is a " + plugin_kind_name(schema->kind) +
                 " plugin, not a " + plugin_kind_name(want_kind) + " plugin" + std::string(note));
    return nullptr;
  }
  return schema;
}

std::map<std::string, PluginSection> read_plugin_sections(const toml::table& plugins_table,
                                                          const PluginLookup& plugins,
                                                          config::ErrorSink& sink) {
  std::map<std::string, PluginSection> sections;
  for (auto&& [name_key, node] : plugins_table) {
    std::string name(name_key.str());
    std::string path = "plugins." + name;
    const toml::table* table = node.as_table();
    if (!table) {
      sink.add(node.source(), path,
               "must be a table ([plugins." + name + "]), not " + config::a_type_name(node.type()));
      continue;
    }
    const PluginSchema* schema = require_plugin(plugins, name, 0, name_key.source(), path, sink);
    if (!schema) continue;

    std::size_t errors_before = sink.count();
    PluginSection section;
    section.name = name;
    section.line =
        table->source().begin.line ? table->source().begin.line : name_key.source().begin.line;
    for (auto&& [key, value] : *table) {
      std::string key_path = path + "." + std::string(key.str());
      const std::string_view key_name = key.str();  // clang < 16 cannot capture `key`
      auto declared = std::find_if(schema->keys.begin(), schema->keys.end(),
                                   [&](const auto& entry) { return entry.first == key_name; });
      if (declared == schema->keys.end()) {
        std::string known;
        for (const auto& entry : schema->keys) known += (known.empty() ? "" : ", ") + entry.first;
        sink.add(key.source(), key_path,
                 "unknown key '" + std::string(key.str()) + "' for plugin '" + name +
                     "' (it accepts: " + (known.empty() ? std::string("no keys") : known) + ")");
      } else if (!has_config_type(value, declared->second)) {
        sink.add(value.source(), key_path,
                 "must be " + std::string(config_type_name(declared->second)) + ", not " +
                     config::a_type_name(value.type()));
      } else {
        section.values_as_text[std::string(key.str())] = config::toml_to_text(value);
      }
    }
    if (sink.count() != errors_before) continue;
    section.config_json = boost::json::serialize(config::toml_to_json(*table));
    sections.emplace(name, std::move(section));
  }
  return sections;
}

}  // namespace sb::tenants
