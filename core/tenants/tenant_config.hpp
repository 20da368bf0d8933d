// One tenant as its file tenants/<id>.toml describes it, after validation. Immutable
// once loaded: a reload produces a new TenantConfig, shared by pointer, so readers on
// any thread keep a consistent snapshot.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "groups/group.hpp"
#include "routing_graph/graph.hpp"
#include "tenants/bot_config.hpp"

namespace sb::tenants {

struct AgentConfig {
  std::string id;     // unique in the tenant; defaults to the email
  std::string email;  // lower-cased, unique in the tenant
  std::string name;
  std::string role;           // "agent" | "admin"
  std::string password_hash;  // "$argon2id$..."
  std::vector<std::string> groups;
  std::map<std::string, int> skills;  // skill -> level 1..10
  uint32_t max_concurrent = 5;

  bool operator==(const AgentConfig&) const = default;
};

struct Limits {
  uint32_t max_connections = 1000;
  uint32_t messages_per_second = 200;            // the whole tenant
  uint32_t connection_messages_per_second = 10;  // one connection
  uint32_t max_message_bytes = 65536;            // one frame

  bool operator==(const Limits&) const = default;
};

// A [plugins.NAME] table: the configuration of that plugin's instance for this tenant.
struct PluginSection {
  std::string name;
  std::string config_json;  // the table as a JSON object, as handed to instance_new
  // key -> value as text: strings as-is, numbers decimal, booleans true/false,
  // arrays and tables as JSON.
  std::map<std::string, std::string> values_as_text;
  uint32_t line = 0;  // of the table's header, for messages about it later

  bool operator==(const PluginSection&) const = default;
};

// What happens to conversations when agents go away or do not answer.
struct ConversationPolicy {
  uint32_t agent_offline_grace_s = 60;       // how long a disconnected agent may come back
  uint32_t visitor_offline_grace_s = 60;     // how long a gone visitor keeps their place in line
  std::string on_agent_offline = "requeue";  // "requeue" | "keep" after the grace period
  uint32_t reroute_unanswered_s = 0;  // 0 = never; else reroute if the agent has not answered
  uint32_t reopen_window_s = 0;       // 0 = never; else a visitor writing again reopens
  uint32_t transfer_offer_s = 120;    // how long a transfer to a manual group stays offered
  bool operator==(const ConversationPolicy&) const = default;
};

// [visitors]: which of the website's claims about a visitor routing may trust.
struct VisitorPolicy {
  std::string identity_secret_env;               // names the variable; empty: no signed identities
  std::string identity_secret;                   // its value, read when the file is loaded
  std::vector<std::string> unsigned_attributes;  // meta attributes taken even so
  bool operator==(const VisitorPolicy&) const = default;
};

// The widget's own words in one language ([widget.texts.en], [widget.texts.zh]).
struct WidgetTexts {
  std::string title;
  std::string greeting;
  std::string offline_message;
  bool operator==(const WidgetTexts&) const = default;
};

// The widget's words where a tenant file says nothing: "en" and "zh".
std::map<std::string, WidgetTexts> default_widget_texts();

// [widget]: how the chat widget looks on the tenant's websites and which websites
// may embed it. Read by GET /v1/tenants/ID/widget, the frame page and the visitor
// upgrade's Origin check.
struct WidgetConfig {
  std::string color = "#2f6fed";   // #rgb or #rrggbb
  std::string logo;                // https://..., /path on this server, data:image/...; "" = none
  std::string position = "right";  // "right" | "left"
  std::string default_language = "en";       // "en" | "zh"
  std::vector<std::string> allowed_origins;  // normalized (common/origin.hpp); empty: any
  bool pre_chat_enabled = false;
  std::vector<std::string> pre_chat_fields = {"name", "email", "question"};
  // Every supported language ("en", "zh"), defaults filled in for what the file omits.
  std::map<std::string, WidgetTexts> texts = default_widget_texts();
  bool operator==(const WidgetConfig&) const = default;
};

// [attachments]: files and images visitors and agents send in the chat.
struct AttachmentPolicy {
  // The hub reads no larger request body (HubOptions::max_upload_bytes).
  static constexpr uint64_t kMaxFileBytes = 32 * 1024 * 1024;

  bool enabled = false;                              // off unless the tenant file turns it on
  uint64_t max_bytes = 10 * 1024 * 1024;             // one file, <= kMaxFileBytes
  uint64_t max_total_bytes = 1024ULL * 1024 * 1024;  // every file of the tenant together
  // MIME types as detected from the bytes; "image/*" allows a whole top-level type.
  std::vector<std::string> allowed_types = {"image/png",  "image/jpeg",      "image/gif",
                                            "image/webp", "application/pdf", "text/plain"};

  bool operator==(const AttachmentPolicy&) const = default;
};

// [retention]: how long the tenant keeps what it no longer needs. 0 = for ever.
struct RetentionPolicy {
  uint32_t closed_conversations_days = 0;  // closed conversations: messages, files, record
  uint32_t audit_days = 0;                 // entries of the audit log
  bool operator==(const RetentionPolicy&) const = default;
};

struct TenantConfig {
  std::string id;
  std::string name;
  std::filesystem::path file;
  Limits limits;
  int64_t agent_token_ttl_s = 12 * 3600;
  int64_t visitor_token_ttl_s = 30 * 24 * 3600;
  std::string storage_plugin;
  std::vector<std::string> routing_chain;  // tried in order; DEFER passes to the next
  routing_graph::Graph routing_graph;      // [[routing.rules]], [routing.fallback]
  ConversationPolicy conversation;
  VisitorPolicy visitors;
  AttachmentPolicy attachments;
  RetentionPolicy retention;
  groups::GroupMap groups;  // [groups.NAME], by id
  std::map<std::string, PluginSection> plugin_sections;
  std::vector<AgentConfig> agents;
  std::optional<BotConfig> bot;  // absent: the tenant has no bot
  WidgetConfig widget;
  // The state (names, sizes, times) of the files in the tenant's own directory
  // beside its file (tenants/demo/ for tenants/demo.toml), where its plugins keep
  // knowledge bases, intents and flows. It differs when one of them was edited:
  // the tenant is then reloaded and its plugin instances created again, so they
  // read the new files. Empty when there is no such directory.
  std::string own_files_stamp;

  // nullptr when the file has no [plugins.NAME] table for that plugin.
  const PluginSection* section(std::string_view plugin) const;
  // Case-insensitive, as emails are.
  const AgentConfig* agent_by_email(std::string_view email) const;
  const AgentConfig* agent_by_id(std::string_view id) const;

  bool operator==(const TenantConfig&) const = default;
};

// True when a page of `origin` may use the tenant's widget (its visitor socket, its
// uploads): the tenant lists no allowed_origins, origin is one of them, or origin is
// "" (no Origin header: not a browser).
bool origin_allowed(const TenantConfig& tenant, std::string_view origin);

// A tenant id: [a-z0-9][a-z0-9-]{0,62}. It appears in URLs, file names and keys.
bool is_valid_tenant_id(std::string_view id);

// What a tenant file asks for that is served, but not quite as written: "" or a
// sentence for the operator (check-config prints it, the server logs it as a
// warning at each load). A [conversation] reopen_window_s longer than [retention]
// closed_conversations_days: retention wins, so a conversation is reopened only
// within the retention period (the engine's window is cut to it).
std::string config_note(const TenantConfig& tenant);

}  // namespace sb::tenants
