// Test tenants as data, rendered into the tenant TOML format the server reads, so a
// test states only what it cares about (limits, agents) and can re-render an edit.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sb::it {

// Every test agent logs in with this password; its hash is made once per run.
inline constexpr const char* kAgentPassword = "correct horse battery staple";

struct AgentSpec {
  std::string id;
  std::string name;
  std::string role = "agent";  // or "admin"
  int max_concurrent = 2;
  std::vector<std::string> groups = {};
  std::map<std::string, int> skills = {};  // skill -> level
};

struct TenantSpec {
  std::string id;  // the file stem: tenants/<id>.toml
  std::string name;
  int max_connections = 1000;
  int messages_per_second = 1000;
  int connection_messages_per_second = 50;
  int max_message_bytes = 4096;
  std::vector<std::string> routing_chain{"routing-least-busy"};
  std::vector<AgentSpec> agents;
  // Further tables, written verbatim after [routing] (e.g. a [conversation] policy).
  std::string extra_toml;

  std::string email_of(const std::string& agent_id) const { return agent_id + "@" + id + ".test"; }
  const AgentSpec& agent(const std::string& agent_id) const;
};

std::string render_tenant_toml(const TenantSpec& tenant);

// The argon2id hash of kAgentPassword, from `switchboard hash-password` (cached).
const std::string& agent_password_hash();

}  // namespace sb::it
