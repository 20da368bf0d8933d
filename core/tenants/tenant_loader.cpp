#include "tenants/tenant_loader.hpp"

#include <cstdint>
#include <cstdlib>
#include <set>

#include "config/table_reader.hpp"
#include "tenants/agents_reader.hpp"
#include "tenants/bot_reader.hpp"
#include "tenants/groups_reader.hpp"
#include "tenants/plugin_sections.hpp"
#include "tenants/routing_graph_reader.hpp"
#include "tenants/widget_reader.hpp"

namespace sb::tenants {

namespace {

using config::ErrorSink;
using config::TableReader;
using Presence = TableReader::Presence;

constexpr int64_t kYear_s = 365LL * 24 * 3600;
const char* const kDefaultRoutingPlugin = "routing-least-busy";

void read_limits(TableReader& limits, Limits& out) {
  limits.integer("max_connections", out.max_connections, 1, 1'000'000);
  limits.integer("messages_per_second", out.messages_per_second, 1, 10'000'000);
  limits.integer("connection_messages_per_second", out.connection_messages_per_second, 1, 100'000);
  limits.integer("max_message_bytes", out.max_message_bytes, 1, 1 << 20);
  limits.reject_unknown();
}

void read_conversation(TableReader& table, ConversationPolicy& out) {
  table.integer("agent_offline_grace_s", out.agent_offline_grace_s, 0, 86'400);
  table.integer("visitor_offline_grace_s", out.visitor_offline_grace_s, 0, 86'400);
  if (table.string("on_agent_offline", out.on_agent_offline) && out.on_agent_offline != "requeue" &&
      out.on_agent_offline != "keep") {
    table.sink().add(table.where("on_agent_offline"), table.key_path("on_agent_offline"),
                     "must be \"requeue\" or \"keep\"");
  }
  table.integer("reroute_unanswered_s", out.reroute_unanswered_s, 0, 86'400);
  table.integer("reopen_window_s", out.reopen_window_s, 0, 30 * 86'400);
  table.integer("transfer_offer_s", out.transfer_offer_s, 1, 3'600);
  table.reject_unknown();
}

void read_retention(TableReader& table, RetentionPolicy& out) {
  // Ten years at most: a longer period is a typo, not a policy.
  table.integer("closed_conversations_days", out.closed_conversations_days, 0, 3650);
  table.integer("audit_days", out.audit_days, 0, 3650);
  table.reject_unknown();
}

void read_visitors(TableReader& table, VisitorPolicy& out) {
  if (table.string("identity_secret_env", out.identity_secret_env)) {
    const char* value = std::getenv(out.identity_secret_env.c_str());
    if (out.identity_secret_env.empty() || !value || !*value)
      table.sink().add(table.where("identity_secret_env"), table.key_path("identity_secret_env"),
                       "the environment variable '" + out.identity_secret_env +
                           "' is not set or empty; the server needs the secret the website "
                           "signs visitor identities with");
    else
      out.identity_secret = value;
  }
  if (table.string_array("unsigned_attributes", out.unsigned_attributes) &&
      out.identity_secret_env.empty())
    table.sink().add(table.where("unsigned_attributes"), table.key_path("unsigned_attributes"),
                     "has a meaning only with identity_secret_env (without it, every attribute "
                     "in hello's meta is taken)");
  table.reject_unknown();
}

// type/subtype in lower case (RFC 6838's restricted names), or type/* for all of a type.
bool is_media_type(std::string_view type) {
  const auto slash = type.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == type.size()) return false;
  const auto name_ok = [](std::string_view name) {
    for (const char c : name)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            std::string_view("!#$&^_.+-").find(c) != std::string_view::npos))
        return false;
    return !name.empty() && name.size() <= 127;
  };
  const std::string_view subtype = type.substr(slash + 1);
  return name_ok(type.substr(0, slash)) && (subtype == "*" || name_ok(subtype));
}

void read_attachments(TableReader& table, AttachmentPolicy& out) {
  table.boolean("enabled", out.enabled);
  table.integer("max_bytes", out.max_bytes, 1, AttachmentPolicy::kMaxFileBytes);
  table.integer("max_total_bytes", out.max_total_bytes, 1, INT64_MAX);
  if (out.max_total_bytes < out.max_bytes)
    table.sink().add(table.where("max_total_bytes"), table.key_path("max_total_bytes"),
                     "must be at least max_bytes (" + std::to_string(out.max_bytes) +
                         "): no file could be stored");
  if (table.string_array("allowed_types", out.allowed_types)) {
    if (out.allowed_types.empty())
      table.sink().add(table.where("allowed_types"), table.key_path("allowed_types"),
                       "must name at least one type (turn attachments off with enabled = false)");
    const toml::array* types = table.array("allowed_types");
    for (std::size_t i = 0; types && i < out.allowed_types.size(); ++i)
      if (!is_media_type(out.allowed_types[i]))
        table.sink().add(types->get(i)->source(),
                         table.key_path("allowed_types") + "[" + std::to_string(i) + "]",
                         "'" + out.allowed_types[i] +
                             "' is not a media type in lower case, like \"image/png\" or "
                             "\"image/*\"");
  }
  table.reject_unknown();
}

void read_auth(TableReader& auth, TenantConfig& out) {
  auth.integer("agent_token_ttl_s", out.agent_token_ttl_s, 60, kYear_s);
  auth.integer("visitor_token_ttl_s", out.visitor_token_ttl_s, 60, kYear_s);
  auth.reject_unknown();
}

void read_storage(TableReader& storage, TenantConfig& out, const PluginLookup& plugins) {
  if (!storage.string("plugin", out.storage_plugin)) {
    // absent or reported
  } else if (out.storage_plugin.empty()) {
    storage.sink().add(
        storage.where("plugin"), storage.key_path("plugin"),
        "must name a storage plugin (or leave the key out for the server's default)");
  } else {
    require_plugin(plugins, out.storage_plugin, SB_KIND_STORAGE, storage.where("plugin"),
                   storage.key_path("plugin"), storage.sink());
  }
  storage.reject_unknown();
}

void read_routing(TableReader& routing, TenantConfig& out, const PluginLookup& plugins) {
  const toml::array* chain = routing.array("chain");
  if (chain && routing.string_array("chain", out.routing_chain)) {
    if (out.routing_chain.empty())
      routing.sink().add(chain->source(), routing.key_path("chain"),
                         "must name at least one routing plugin");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < out.routing_chain.size(); ++i) {
      const std::string& name = out.routing_chain[i];
      std::string key = routing.key_path("chain") + "[" + std::to_string(i) + "]";
      const auto& where = chain->get(i)->source();
      if (!seen.insert(name).second)
        routing.sink().add(where, key, "plugin '" + name + "' is already in the chain");
      else
        require_plugin(plugins, name, SB_KIND_ROUTING, where, key, routing.sink());
    }
  }
  // The graph's rules and fallback are read once the groups they name are known.
  routing.array("rules");
  routing.table("fallback");
  routing.reject_unknown();
}

void read_identity(TableReader& top, TenantConfig& out) {
  auto& sink = top.sink();
  std::string stem = out.file.stem().string();
  if (top.string("id", out.id)) {
    if (!is_valid_tenant_id(out.id))
      sink.add(top.where("id"), "id",
               "'" + out.id +
                   "' is not a valid tenant id (lower-case letters, digits and '-', 1-63 "
                   "characters, not starting with '-')");
    else if (out.id != stem)
      sink.add(top.where("id"), "id",
               "'" + out.id + "' must equal the file name (" + stem + ".toml)");
  } else {
    out.id = stem;
    if (!is_valid_tenant_id(stem))
      sink.add(
          1, 1, "id",
          "the file name '" + stem +
              "' is not a valid tenant id (lower-case letters, digits and '-', 1-63 characters)");
  }
  if (top.string("name", out.name, Presence::required) && out.name.empty())
    sink.add(top.where("name"), "name", "must not be empty");
}

}  // namespace

std::shared_ptr<TenantConfig> load_tenant_text(std::string_view text,
                                               const std::filesystem::path& file,
                                               const PluginLookup& plugins,
                                               const std::string& default_storage_plugin,
                                               ConfigErrors& errors) {
  ErrorSink sink(file.string(), errors);
  auto root = config::parse_toml(text, sink);
  if (!root) return nullptr;

  auto config = std::make_shared<TenantConfig>();
  config->file = file;
  TableReader top(*root, "", sink);
  read_identity(top, *config);

  auto section = [&](std::string_view name, auto read) {
    if (const toml::table* table = top.table(name)) {
      TableReader reader(*table, std::string(name), sink);
      read(reader);
    }
  };
  section("limits", [&](TableReader& r) { read_limits(r, config->limits); });
  section("auth", [&](TableReader& r) { read_auth(r, *config); });
  section("conversation", [&](TableReader& r) { read_conversation(r, config->conversation); });
  section("visitors", [&](TableReader& r) { read_visitors(r, config->visitors); });
  section("attachments", [&](TableReader& r) { read_attachments(r, config->attachments); });
  section("retention", [&](TableReader& r) { read_retention(r, config->retention); });
  section("storage", [&](TableReader& r) { read_storage(r, *config, plugins); });
  section("routing", [&](TableReader& r) { read_routing(r, *config, plugins); });
  section("bot", [&](TableReader& r) { config->bot = read_bot(r, plugins); });
  section("widget", [&](TableReader& r) { config->widget = read_widget(r); });
  if (const toml::table* table = top.table("groups")) config->groups = read_groups(*table, sink);
  if (const toml::table* table = top.table("plugins"))
    config->plugin_sections = read_plugin_sections(*table, plugins, sink);
  if (const toml::array* agents = top.array("agents")) config->agents = read_agents(*agents, sink);
  top.reject_unknown();
  config->routing_graph = read_routing_graph(*root, config->groups, plugins, sink);

  // Defaults name plugins too; they must be installed like ones the file names.
  if (!(*root)["storage"]["plugin"]) {
    config->storage_plugin = default_storage_plugin;
    require_plugin(
        plugins, default_storage_plugin, SB_KIND_STORAGE, root->source(), "storage.plugin", sink,
        "; it is the server's storage.default_plugin, used because this file names none");
  }
  if (!(*root)["routing"]["chain"]) {
    config->routing_chain = {kDefaultRoutingPlugin};
    require_plugin(plugins, kDefaultRoutingPlugin, SB_KIND_ROUTING, root->source(), "routing.chain",
                   sink, "; it is the default routing.chain, used because this file sets none");
  }

  sink.sort_by_position();
  if (sink.count()) return nullptr;
  return config;
}

std::shared_ptr<const TenantConfig> load_tenant_file(const std::filesystem::path& file,
                                                     const PluginLookup& plugins,
                                                     const std::string& default_storage_plugin,
                                                     ConfigErrors& errors) {
  ErrorSink sink(file.string(), errors);
  auto text = config::read_file_text(file, sink);
  if (!text) return nullptr;
  return load_tenant_text(*text, file, plugins, default_storage_plugin, errors);
}

}  // namespace sb::tenants
