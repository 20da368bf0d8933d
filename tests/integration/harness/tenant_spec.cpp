#include "harness/tenant_spec.hpp"

#include <sstream>
#include <stdexcept>

#include "support/process.hpp"

namespace sb::it {

const AgentSpec& TenantSpec::agent(const std::string& agent_id) const {
  for (const auto& a : agents)
    if (a.id == agent_id) return a;
  throw std::invalid_argument("tenant " + id + " has no agent " + agent_id);
}

std::string render_tenant_toml(const TenantSpec& tenant) {
  std::ostringstream toml;
  toml << "name = \"" << tenant.name << "\"\n\n"
       << "[limits]\n"
       << "max_connections = " << tenant.max_connections << "\n"
       << "messages_per_second = " << tenant.messages_per_second << "\n"
       << "connection_messages_per_second = " << tenant.connection_messages_per_second << "\n"
       << "max_message_bytes = " << tenant.max_message_bytes << "\n\n"
       << "[routing]\nchain = [";
  for (size_t i = 0; i < tenant.routing_chain.size(); ++i)
    toml << (i ? ", " : "") << '"' << tenant.routing_chain[i] << '"';
  toml << "]\n";
  if (!tenant.extra_toml.empty()) toml << "\n" << tenant.extra_toml << "\n";
  for (const auto& agent : tenant.agents) {
    // A literal string: the hash's '$' and ',' need no escaping there.
    toml << "\n[[agents]]\n"
         << "id = \"" << agent.id << "\"\n"
         << "email = \"" << tenant.email_of(agent.id) << "\"\n"
         << "name = \"" << agent.name << "\"\n"
         << "role = \"" << agent.role << "\"\n"
         << "password_hash = '" << agent_password_hash() << "'\n"
         << "max_concurrent = " << agent.max_concurrent << "\n";
    if (!agent.groups.empty()) {
      toml << "groups = [";
      for (size_t i = 0; i < agent.groups.size(); ++i)
        toml << (i ? ", " : "") << '"' << agent.groups[i] << '"';
      toml << "]\n";
    }
    if (!agent.skills.empty()) {
      toml << "skills = {";
      const char* separator = " ";
      for (const auto& [skill, level] : agent.skills) {
        toml << separator << skill << " = " << level;
        separator = ", ";
      }
      toml << " }\n";
    }
  }
  return toml.str();
}

const std::string& agent_password_hash() {
  static const std::string hash = [] {
    auto result = sb::test::run_process({SWITCHBOARD_BINARY, "hash-password"},
                                        std::string(kAgentPassword) + "\n");
    std::string out = result.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' '))
      out.pop_back();
    if (result.exit_code != 0 || out.rfind("$argon2id$", 0) != 0)
      throw std::runtime_error("`switchboard hash-password` failed (exit " +
                               std::to_string(result.exit_code) + "): stdout=" + result.out +
                               " stderr=" + result.err);
    return out;
  }();
  return hash;
}

}  // namespace sb::it
