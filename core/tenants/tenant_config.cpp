#include "tenants/tenant_config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "common/origin.hpp"

namespace sb::tenants {

namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) == std::tolower(y);
  });
}

}  // namespace

const PluginSection* TenantConfig::section(std::string_view plugin) const {
  auto it = plugin_sections.find(std::string(plugin));
  return it == plugin_sections.end() ? nullptr : &it->second;
}

const AgentConfig* TenantConfig::agent_by_email(std::string_view email) const {
  for (const auto& agent : agents)
    if (equal_ignoring_case(agent.email, email)) return &agent;
  return nullptr;
}

const AgentConfig* TenantConfig::agent_by_id(std::string_view id) const {
  for (const auto& agent : agents)
    if (agent.id == id) return &agent;
  return nullptr;
}

std::map<std::string, WidgetTexts> default_widget_texts() {
  return {
      {"en",
       {"Chat with us", "Hi! How can we help?",
        "We're away right now. Leave a message and we'll email you."}},
      {"zh",
       {"在线咨询", "您好！有什么可以帮您？", "我们暂时不在线，请留言，我们会通过邮件回复您。"}},
  };
}

bool origin_allowed(const TenantConfig& tenant, std::string_view origin) {
  return sb::origin_allowed(tenant.widget.allowed_origins, origin);
}

bool is_valid_tenant_id(std::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  };
  return id.front() != '-' && std::all_of(id.begin(), id.end(), allowed);
}

std::string config_note(const TenantConfig& tenant) {
  const uint64_t kept_s = uint64_t{tenant.retention.closed_conversations_days} * 86'400;
  if (kept_s == 0 || tenant.conversation.reopen_window_s <= kept_s) return {};
  const std::string days = std::to_string(tenant.retention.closed_conversations_days);
  return "[conversation] reopen_window_s = " + std::to_string(tenant.conversation.reopen_window_s) +
         " is longer than [retention] closed_conversations_days = " + days +
         ": a closed conversation is deleted after " + days +
         " day(s), so a visitor can reopen it only within that time (then a new conversation "
         "opens)";
}

}  // namespace sb::tenants
