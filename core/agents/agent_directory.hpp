// The agents of one tenant: those written in its TOML file and those created over
// the admin API (kept in the tenant's storage, namespace "agents"). The directory
// answers logins and the admin API, and hands the merged list to the engine after
// every change, so a new agent can log in and be routed to at once, and a lowered
// capacity counts from the next assignment.
//
// Agents from the file are changed by editing the file; the API refuses to change
// them (409), so the two sources never disagree about one agent.
//
// Admin and login paths only: a mutex guards the maps; the message path never
// comes here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/conversation.hpp"
#include "engine/ports.hpp"

namespace sb::agents {

struct AgentRecord {
  std::string id;
  std::string email;  // lower-case
  std::string name;
  std::string role = "agent";  // "agent" | "admin"
  std::string password_hash;   // argon2id
  std::vector<std::string> groups;
  std::map<std::string, int> skills;
  uint32_t max_concurrent = 5;
  uint32_t epoch = 0;     // bumped on a password change: older tokens stop working
  bool disabled = false;  // kept so its id and name stay known to history
  bool from_file = false;
};

// Fields a PATCH may change; absent = unchanged. A new password comes hashed.
struct AgentChange {
  std::optional<std::string> email, name, role, password_hash;
  std::optional<std::vector<std::string>> groups;
  std::optional<std::map<std::string, int>> skills;
  std::optional<uint32_t> max_concurrent;
};

// Why a change was refused; code is an HTTP status.
struct Refusal {
  unsigned status;
  std::string code;
  std::string message;
  std::string field;
};

class AgentDirectory {
 public:
  using Publish = std::function<void(std::vector<engine::AgentState>)>;
  using Done = std::function<void(std::optional<Refusal>, std::optional<AgentRecord>)>;

  // publish receives the merged, enabled agents after every change.
  AgentDirectory(std::shared_ptr<engine::Store> store, Publish publish);

  // Start-up: reads the stored agents. done(ok, error) runs on the store's thread.
  void load(std::function<void(bool, std::string)> done);
  // The file's agents, at start-up and on every reload of the tenant file.
  void set_file_agents(std::vector<AgentRecord> agents);

  std::vector<AgentRecord> all() const;  // file agents first, then stored, by id
  std::optional<AgentRecord> by_email(std::string_view email) const;  // enabled only
  std::optional<AgentRecord> by_id(std::string_view id) const;        // enabled only

  // Runs after each change create, update or disable stored (cluster mode: the
  // other nodes read the stored agents again). Set before the directory is used.
  void on_stored(std::function<void()> stored) { on_stored_ = std::move(stored); }

  // Each persists first, then applies and publishes; done runs once either way.
  void create(AgentRecord agent, Done done);
  void update(const std::string& id, AgentChange change, Done done);
  void disable(const std::string& id, Done done);

 private:
  std::optional<Refusal> check_unique(const AgentRecord& agent, std::string_view except_id) const;
  void persist(AgentRecord record, std::optional<AgentRecord> previous, Done done);
  void publish_locked_copy();
  const AgentRecord* find_locked(std::string_view id) const;
  std::optional<Refusal> changeable_locked(const std::string& id, AgentRecord& out) const;

  std::shared_ptr<engine::Store> store_;
  Publish publish_;
  std::function<void()> on_stored_;
  mutable std::mutex mutex_;
  std::vector<AgentRecord> file_agents_;
  std::map<std::string, AgentRecord> stored_;  // by id
};

// The JSON an agent is shown as over the API (never the hash).
std::string to_json_text(const AgentRecord& agent);

}  // namespace sb::agents
