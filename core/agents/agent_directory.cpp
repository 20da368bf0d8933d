#include "agents/agent_directory.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "common/ids.hpp"

namespace sb::agents {

namespace json = boost::json;

namespace {

constexpr const char* kNamespace = "agents";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

json::object to_object(const AgentRecord& a, bool with_secret) {
  json::array groups;
  for (const auto& g : a.groups) groups.emplace_back(g);
  json::object skills;
  for (const auto& [k, v] : a.skills) skills[k] = v;
  json::object o{{"id", a.id},
                 {"email", a.email},
                 {"name", a.name},
                 {"role", a.role},
                 {"groups", std::move(groups)},
                 {"skills", std::move(skills)},
                 {"max_concurrent", a.max_concurrent},
                 {"disabled", a.disabled}};
  if (with_secret) {
    o["password_hash"] = a.password_hash;
    o["epoch"] = a.epoch;
  } else {
    o["source"] = a.from_file ? "file" : "api";
  }
  return o;
}

std::optional<AgentRecord> from_object(const json::object& o) {
  try {
    AgentRecord a;
    a.id = json::value_to<std::string>(o.at("id"));
    a.email = lower(json::value_to<std::string>(o.at("email")));
    a.name = json::value_to<std::string>(o.at("name"));
    a.role = json::value_to<std::string>(o.at("role"));
    a.password_hash = json::value_to<std::string>(o.at("password_hash"));
    a.groups = json::value_to<std::vector<std::string>>(o.at("groups"));
    a.skills = json::value_to<std::map<std::string, int>>(o.at("skills"));
    a.max_concurrent = json::value_to<uint32_t>(o.at("max_concurrent"));
    a.epoch = json::value_to<uint32_t>(o.at("epoch"));
    a.disabled = o.at("disabled").as_bool();
    return a;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

engine::AgentState to_state(const AgentRecord& a) {
  engine::AgentState s;
  s.id = a.id;
  s.email = a.email;
  s.name = a.name;
  s.role = a.role;
  s.max_concurrent = a.max_concurrent;
  s.groups = a.groups;
  s.skills = a.skills;
  s.epoch = a.epoch;
  return s;
}

}  // namespace

std::string to_json_text(const AgentRecord& agent) {
  return json::serialize(to_object(agent, false));
}

AgentDirectory::AgentDirectory(std::shared_ptr<engine::Store> store, Publish publish)
    : store_(std::move(store)), publish_(std::move(publish)) {}

void AgentDirectory::load(std::function<void(bool, std::string)> done) {
  store_->kv_list(kNamespace, [this, done = std::move(done)](engine::StoreResult result) {
    if (!result.ok()) return done(false, "storage: cannot read agents: " + result.error);
    boost::system::error_code ec;
    json::value root = json::parse(result.body, ec);
    const json::value* items =
        (!ec && root.is_object()) ? root.get_object().if_contains("items") : nullptr;
    if (!items || !items->is_array())
      return done(false, "storage: kv_list returned malformed JSON");
    {
      std::lock_guard lock(mutex_);
      for (const auto& item : items->get_array()) {
        const auto* value = item.is_object() ? item.get_object().if_contains("value") : nullptr;
        auto agent = value && value->is_object() ? from_object(value->get_object()) : std::nullopt;
        if (!agent) {
          spdlog::warn("agents: a stored agent record is malformed and was skipped");
          continue;
        }
        stored_[agent->id] = std::move(*agent);
      }
    }
    publish_locked_copy();
    done(true, {});
  });
}

void AgentDirectory::set_file_agents(std::vector<AgentRecord> agents) {
  for (auto& a : agents) a.from_file = true;
  {
    std::lock_guard lock(mutex_);
    file_agents_ = std::move(agents);
  }
  publish_locked_copy();
}

std::vector<AgentRecord> AgentDirectory::all() const {
  std::lock_guard lock(mutex_);
  std::vector<AgentRecord> out = file_agents_;
  for (const auto& [id, a] : stored_) out.push_back(a);
  return out;
}

const AgentRecord* AgentDirectory::find_locked(std::string_view id) const {
  for (const auto& a : file_agents_)
    if (a.id == id) return &a;
  auto it = stored_.find(std::string(id));
  return it == stored_.end() ? nullptr : &it->second;
}

std::optional<AgentRecord> AgentDirectory::by_email(std::string_view email) const {
  const std::string wanted = lower(email);
  std::lock_guard lock(mutex_);
  for (const auto& a : file_agents_)
    if (a.email == wanted) return a;
  for (const auto& [id, a] : stored_)
    if (!a.disabled && a.email == wanted) return a;
  return std::nullopt;
}

std::optional<AgentRecord> AgentDirectory::by_id(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const AgentRecord* a = find_locked(id);
  if (!a || a->disabled) return std::nullopt;
  return *a;
}

std::optional<Refusal> AgentDirectory::check_unique(const AgentRecord& agent,
                                                    std::string_view except_id) const {
  for (const auto& a : file_agents_)
    if (a.id != except_id && a.email == agent.email)
      return Refusal{409, "conflict", "an agent with this email exists", "email"};
  for (const auto& [id, a] : stored_)
    if (id != except_id && !a.disabled && a.email == agent.email)
      return Refusal{409, "conflict", "an agent with this email exists", "email"};
  return std::nullopt;
}

void AgentDirectory::create(AgentRecord agent, Done done) {
  agent.email = lower(agent.email);
  agent.id = new_id("a");
  agent.from_file = false;
  {
    std::lock_guard lock(mutex_);
    if (auto refusal = check_unique(agent, {})) return done(std::move(refusal), std::nullopt);
    stored_[agent.id] = agent;  // reserves the email; undone if storage refuses
  }
  persist(std::move(agent), std::nullopt, std::move(done));
}

// The agent as it is now, if the API may change it (caller holds the lock).
std::optional<Refusal> AgentDirectory::changeable_locked(const std::string& id,
                                                         AgentRecord& out) const {
  const AgentRecord* current = find_locked(id);
  if (!current || current->disabled) return Refusal{404, "not_found", "no such agent", ""};
  if (current->from_file)
    return Refusal{409, "conflict", "this agent is defined in the tenant file; change it there",
                   ""};
  out = *current;
  return std::nullopt;
}

void AgentDirectory::update(const std::string& id, AgentChange change, Done done) {
  AgentRecord updated, previous;
  {
    std::lock_guard lock(mutex_);
    if (auto refusal = changeable_locked(id, previous))
      return done(std::move(refusal), std::nullopt);
    updated = previous;
    if (change.email) updated.email = lower(*change.email);
    if (change.name) updated.name = *change.name;
    if (change.role) updated.role = *change.role;
    if (change.groups) updated.groups = *change.groups;
    if (change.skills) updated.skills = *change.skills;
    if (change.max_concurrent) updated.max_concurrent = *change.max_concurrent;
    if (change.password_hash) {
      updated.password_hash = *change.password_hash;
      ++updated.epoch;  // every token issued before stops working
    }
    if (auto refusal = check_unique(updated, id)) return done(std::move(refusal), std::nullopt);
  }
  persist(std::move(updated), std::move(previous), std::move(done));
}

void AgentDirectory::disable(const std::string& id, Done done) {
  AgentRecord updated, previous;
  {
    std::lock_guard lock(mutex_);
    if (auto refusal = changeable_locked(id, previous))
      return done(std::move(refusal), std::nullopt);
    updated = previous;
    updated.disabled = true;
  }
  persist(std::move(updated), std::move(previous), std::move(done));
}

// Durable first, then live: an answer of 2xx means the change survives a restart.
// previous is what to restore if storage refuses (nullopt: the record is new).
void AgentDirectory::persist(AgentRecord record, std::optional<AgentRecord> previous, Done done) {
  const std::string id = record.id;
  const std::string doc = json::serialize(to_object(record, true));
  store_->kv_put(kNamespace, id, doc,
                 [this, record = std::move(record), previous = std::move(previous),
                  done = std::move(done)](engine::StoreResult r) mutable {
                   if (!r.ok()) {
                     {
                       std::lock_guard lock(mutex_);
                       if (previous) {
                         stored_[record.id] = *previous;
                       } else {
                         stored_.erase(record.id);
                       }
                     }
                     return done(Refusal{503, "unavailable",
                                         "storage did not accept the change: " + r.error, ""},
                                 std::nullopt);
                   }
                   {
                     std::lock_guard lock(mutex_);
                     stored_[record.id] = record;
                   }
                   publish_locked_copy();
                   if (on_stored_) on_stored_();
                   done(std::nullopt, std::move(record));
                 });
}

void AgentDirectory::publish_locked_copy() {
  std::vector<engine::AgentState> merged;
  {
    std::lock_guard lock(mutex_);
    for (const auto& a : file_agents_) merged.push_back(to_state(a));
    // Not a structured binding: clang before 16 cannot capture one in the lambda.
    for (const auto& entry : stored_) {
      const AgentRecord& a = entry.second;
      if (a.disabled) continue;
      const bool shadowed =
          std::any_of(file_agents_.begin(), file_agents_.end(),
                      [&](const AgentRecord& f) { return f.id == a.id || f.email == a.email; });
      if (shadowed) {
        spdlog::warn("agents: stored agent {} <{}> is shadowed by the tenant file and ignored",
                     a.id, a.email);
        continue;
      }
      merged.push_back(to_state(a));
    }
  }
  publish_(std::move(merged));
}

}  // namespace sb::agents
