#include "tenants/agents_reader.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace sb::tenants {

namespace {

using config::TableReader;
using Presence = TableReader::Presence;

constexpr std::string_view kHashPrefix = "$argon2id$";

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Loose on purpose: the address is a login name here, not something we mail to.
bool looks_like_email(std::string_view email) {
  auto at = email.find('@');
  bool has_space =
      std::any_of(email.begin(), email.end(), [](unsigned char c) { return c <= ' '; });
  return at != std::string_view::npos && at > 0 && at + 1 < email.size() && !has_space &&
         email.find('@', at + 1) == std::string_view::npos;
}

// Ids appear in URLs (/v1/tenants/ID/agents/AID): printable, no spaces or slashes.
bool is_valid_agent_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return c > ' ' && c < 0x7f && c != '/' && c != '?' && c != '#' && c != '%';
  });
}

void read_skills(TableReader& agent, AgentConfig& out) {
  const toml::table* skills = agent.table("skills");
  if (!skills) return;
  for (auto&& [skill, level] : *skills) {
    std::string key = agent.key_path("skills") + "." + std::string(skill.str());
    auto* number = level.as_integer();
    if (!number) {
      agent.sink().add(level.source(), key,
                       "must be an integer level, not " + config::a_type_name(level.type()));
    } else if (number->get() < 1 || number->get() > 10) {
      agent.sink().add(level.source(), key,
                       "must be between 1 and 10, not " + std::to_string(number->get()));
    } else {
      out.skills[std::string(skill.str())] = static_cast<int>(number->get());
    }
  }
}

// One [[agents]] entry; false when it has a problem (already reported).
bool read_agent(TableReader& agent, AgentConfig& out) {
  auto& sink = agent.sink();
  std::size_t errors_before = sink.count();

  if (agent.string("email", out.email, Presence::required)) {
    if (!looks_like_email(out.email))
      sink.add(agent.where("email"), agent.key_path("email"),
               "'" + out.email + "' is not an email address");
    out.email = lower(out.email);
  }
  if (agent.string("id", out.id)) {
    if (!is_valid_agent_id(out.id))
      sink.add(agent.where("id"), agent.key_path("id"),
               "'" + out.id +
                   "' is not a valid agent id (1-128 printable characters, no spaces, '/', '?', "
                   "'#', '%')");
  } else {
    out.id = out.email;
  }
  if (agent.string("name", out.name, Presence::required) && out.name.empty())
    sink.add(agent.where("name"), agent.key_path("name"), "must not be empty");

  out.role = "agent";
  if (agent.string("role", out.role) && out.role != "agent" && out.role != "admin")
    sink.add(agent.where("role"), agent.key_path("role"),
             "'" + out.role + "' is not a role: use \"agent\" or \"admin\"");

  if (agent.string("password_hash", out.password_hash, Presence::required) &&
      !out.password_hash.starts_with(kHashPrefix))
    sink.add(agent.where("password_hash"), agent.key_path("password_hash"),
             "is not an argon2id hash (it must start with $argon2id$; make one with `switchboard "
             "hash-password`)");

  agent.integer("max_concurrent", out.max_concurrent, 1, 10000);
  agent.string_array("groups", out.groups);
  read_skills(agent, out);
  agent.reject_unknown();
  return sink.count() == errors_before;
}

}  // namespace

std::vector<AgentConfig> read_agents(const toml::array& agents, config::ErrorSink& sink) {
  std::vector<AgentConfig> result;
  std::map<std::string, std::string> email_owner, id_owner;  // value -> key path of first use
  for (std::size_t i = 0; i < agents.size(); ++i) {
    const toml::node& node = *agents.get(i);
    std::string path = "agents[" + std::to_string(i) + "]";
    const toml::table* table = node.as_table();
    if (!table) {
      sink.add(node.source(), path,
               "must be a table ([[agents]]), not " + config::a_type_name(node.type()));
      continue;
    }
    TableReader reader(*table, path, sink);
    AgentConfig agent;
    bool ok = read_agent(reader, agent);

    bool email_taken = false;
    if (!agent.email.empty()) {
      auto [it, fresh] = email_owner.emplace(agent.email, path);
      email_taken = !fresh;
      if (!fresh) {
        sink.add(reader.where("email"), reader.key_path("email"),
                 "'" + agent.email + "' is already used by " + it->second +
                     " (emails are unique, ignoring case)");
        ok = false;
      }
    }
    // An id defaulted from a taken email is the same mistake; report it once.
    bool id_defaulted = !table->contains("id");
    if (!agent.id.empty() && !(email_taken && id_defaulted)) {
      auto [it, fresh] = id_owner.emplace(agent.id, path);
      if (!fresh) {
        // An id defaulted from the email has no key of its own; point at the email.
        std::string_view key = id_defaulted ? "email" : "id";
        sink.add(reader.where(key), reader.key_path("id"),
                 "'" + agent.id + "' is already the id of " + it->second);
        ok = false;
      }
    }
    if (ok) result.push_back(std::move(agent));
  }
  return result;
}

}  // namespace sb::tenants
