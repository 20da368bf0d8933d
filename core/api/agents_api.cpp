// Admin REST for agents (PROTOCOL "Admin REST"): list, create, change, disable,
// sign out everywhere. And, for every agent of the tenant, the colleagues a
// conversation can be transferred to (GET /colleagues: names and presence only).
// Admin token of the tenant only. Changes are durable (tenant storage) before the
// answer, and live at once: the engine gets the new agent list immediately. Each
// change is recorded in the audit log (agent.created, agent.updated,
// agent.password_reset, agent.disabled, agent.signed_out) with what changed.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "auth/password.hpp"
#include "auth/session_book.hpp"
#include "common/clock.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

constexpr size_t kMinPasswordChars = 8;

// Reads an agent document (a new agent, or the fields a change names) with the shared
// field reader: every problem is collected, each under its field. A new agent needs
// its email, name and password.
json_fields::FieldErrors read_agent(const json::value& body, agents::AgentChange& change,
                                    std::optional<std::string>& password, bool creating) {
  using Need = json_fields::ObjectReader::Need;
  const Need identity = creating ? Need::required : Need::optional;
  json_fields::FieldErrors errors;
  json_fields::ObjectReader r(body, "", "", errors);
  auto text = [&](std::string_view key, size_t min, size_t max,
                  Need need) -> std::optional<std::string> {
    auto v = r.string(key, need);
    if (v && (v->size() < min || v->size() > max)) {
      r.error(
          "invalid_field", key,
          "must be a string of " + std::to_string(min) + " to " + std::to_string(max) + " bytes");
      return std::nullopt;
    }
    return v;
  };
  change.email = text("email", 3, 254, identity);
  if (change.email && change.email->find('@') == std::string::npos)
    r.error("invalid_field", "email", "must contain @");
  change.name = text("name", 1, 200, identity);
  password = text("password", kMinPasswordChars, 1024, identity);
  change.role = r.choice("role", {"agent", "admin"}, Need::optional);
  if (const auto* groups = r.array("groups", Need::optional)) {
    std::vector<std::string> names;
    for (const auto& g : *groups) {
      if (!g.is_string() || g.get_string().empty()) {
        r.error("invalid_field", "groups", "must be an array of group names");
        break;
      }
      names.emplace_back(g.get_string());
    }
    change.groups = std::move(names);
  }
  if (const auto* v = r.value("skills", Need::optional)) {
    std::map<std::string, int> skills;
    const auto* levels = v->if_object();
    for (const auto& [name, level] : levels ? *levels : json::object{}) {
      if (!level.is_int64() || level.get_int64() < 1 || level.get_int64() > 10) {
        levels = nullptr;
        break;
      }
      skills[std::string(name)] = static_cast<int>(level.get_int64());
    }
    if (levels)
      change.skills = std::move(skills);
    else
      r.error("invalid_field", "skills", "must map skill names to levels 1..10");
  }
  if (auto n = r.integer("max_concurrent", 1, 10000, Need::optional))
    change.max_concurrent = static_cast<uint32_t>(*n);
  r.reject_unknown();
  return errors;
}

HttpResponse refusal_response(const agents::Refusal& r) {
  return error_response(r.status, r.code, r.message, r.field);
}

// How the audit log names an agent.
std::string agent_label(const agents::AgentRecord& agent) {
  return agent.name + " <" + agent.email + ">";
}

// An agent's audit entry: the English label and summary, the agent as the object
// and detail (code plus values) for clients that word it themselves.
audit::Change agent_change(const char* action, const agents::AgentRecord& agent,
                           std::string summary, json::object detail) {
  audit::Change change{action, agent_label(agent), std::move(summary)};
  change.object = {{"kind", "agent"}, {"name", agent.name}, {"email", agent.email}};
  change.detail = std::move(detail);
  return change;
}

json::array agent_groups_json(const std::vector<std::string>& groups) {
  return json::array(groups.begin(), groups.end());
}

std::string listed(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

// "role admin; groups support, vip; capacity 5", for a new agent.
std::string describe_agent(const agents::AgentRecord& agent) {
  return "role " + agent.role + "; groups " + listed(agent.groups) + "; capacity " +
         std::to_string(agent.max_concurrent);
}

// What a PATCH changed, field by field ("role: agent → admin; password reset").
// detail gets the same as the code "agent.changes": {"changes":[{"field","from","to"}],
// "skills_changed"?, "password_reset"?} (groups as lists, capacity as numbers).
std::string describe_update(const std::optional<agents::AgentRecord>& before,
                            const agents::AgentRecord& after, const agents::AgentChange& change,
                            json::object& detail) {
  std::vector<std::string> parts;
  json::array changes;
  auto field = [&](const char* name, const std::string& was, const std::string& now) {
    if (was != now) parts.push_back(std::string(name) + ": " + was + " \u2192 " + now);
  };
  auto value = [&](const char* name, json::value was, json::value now) {
    if (was != now) changes.push_back(json::object{{"field", name}, {"from", was}, {"to", now}});
  };
  if (before) {
    if (change.name) field("name", before->name, after.name);
    if (change.email) field("email", before->email, after.email);
    if (change.role) field("role", before->role, after.role);
    if (change.groups) field("groups", listed(before->groups), listed(after.groups));
    if (change.max_concurrent)
      field("capacity", std::to_string(before->max_concurrent),
            std::to_string(after.max_concurrent));
    if (change.skills && before->skills != after.skills) parts.push_back("skills changed");
    if (change.name) value("name", json::value(before->name), json::value(after.name));
    if (change.email) value("email", json::value(before->email), json::value(after.email));
    if (change.role) value("role", json::value(before->role), json::value(after.role));
    if (change.groups)
      value("groups", agent_groups_json(before->groups), agent_groups_json(after.groups));
    if (change.max_concurrent)
      value("capacity", json::value(before->max_concurrent), json::value(after.max_concurrent));
  }
  detail = {{"code", "agent.changes"}, {"changes", std::move(changes)}};
  if (change.skills && before && before->skills != after.skills) detail["skills_changed"] = true;
  if (change.password_hash) detail["password_reset"] = true;
  if (change.password_hash) parts.push_back("password reset");
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out.empty() ? "no change" : out;
}

}  // namespace

void RestApi::agents(const TenantView& tenant, std::string_view agent_id,
                     const HttpRequest& request, std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, true, false, refusal);
  if (!claims) return respond(std::move(refusal));
  const std::string& m = request.method;
  if (agent_id.empty()) {
    if (m == "GET") return list_agents(tenant, std::move(respond));
    if (m == "POST")
      return create_agent(tenant, request, actor_of(tenant, *claims), std::move(respond));
    return respond(error_response(405, "method_not_allowed", "use GET or POST"));
  }
  if (m == "PATCH")
    return update_agent(tenant, std::string(agent_id), request, actor_of(tenant, *claims),
                        std::move(respond));
  if (m == "DELETE") {
    return tenant.agents->disable(
        std::string(agent_id), [this, tenant, actor = actor_of(tenant, *claims),
                                respond = std::move(respond)](auto refusal, auto agent) {
          if (refusal) return respond(refusal_response(*refusal));
          respond({200, "application/json", agents::to_json_text(*agent)});
          record_change(tenant, actor,
                        agent_change("agent.disabled", *agent, "can no longer sign in",
                                     {{"code", "agent.cannot_sign_in"}}));
        });
  }
  respond(error_response(405, "method_not_allowed", "use PATCH or DELETE"));
}

void RestApi::sign_out_agent(const TenantView& tenant, std::string_view agent_id,
                             const HttpRequest& request,
                             std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, true, false, refusal);
  if (!claims) return respond(std::move(refusal));
  if (request.method != "POST")
    return respond(error_response(405, "method_not_allowed", "use POST"));
  const auto agent = tenant.agents->by_id(agent_id);
  if (!agent) return respond(error_response(404, "not_found", "no such agent"));
  const int64_t now_ms = wall_clock_ms();
  auto everywhere = auth::SessionBook::signed_out_everywhere(tenant.config->id, agent->id, now_ms);
  backend_.share_sign_out(everywhere, [this, tenant, admin = *claims, agent = *agent, everywhere,
                                       respond = std::move(respond)](std::string error) {
    if (!error.empty())
      return respond(error_response(503, "unavailable",
                                    "the sign-out could not be kept (" + error + "); try again"));
    sessions_.remember({everywhere}, kSignedOutByAdmin.close_reason());
    spdlog::info("tenant {}: {} signed {} out everywhere", tenant.config->id, admin.subject,
                 agent.id);
    respond(json_response(
        200, json::object{{"agent", agent.id}, {"signed_out_at", everywhere.cutoff_ms}}));
    record_change(tenant, admin,
                  agent_change("agent.signed_out", agent, "signed out everywhere",
                               {{"code", "agent.signed_out_everywhere"}}));
  });
}

void RestApi::list_agents(const TenantView& tenant, std::function<void(HttpResponse)> respond) {
  auto records = tenant.agents->all();
  tenant.gate->engine()->agent_presence(
      [records = std::move(records), respond = std::move(respond)](auto presence) {
        json::array out;
        for (const auto& r : records) {
          json::value v = json::parse(agents::to_json_text(r));
          auto& o = v.as_object();
          auto it = presence.find(r.id);
          o["status"] = r.disabled             ? "disabled"
                        : it == presence.end() ? "offline"
                                               : engine::to_string(it->second.status);
          o["open_conversations"] = it == presence.end() ? 0u : it->second.open_conversations;
          out.push_back(std::move(v));
        }
        respond(json_response(200, json::object{{"agents", std::move(out)}}));
      });
}

void RestApi::colleagues(const TenantView& tenant, const HttpRequest& request,
                         std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, false, false, refusal);
  if (!claims) return respond(std::move(refusal));
  if (request.method != "GET") return respond(error_response(405, "method_not_allowed", "use GET"));
  auto records = tenant.agents->all();
  // The groups a transfer may name: the tenant file's, and any an agent belongs to.
  std::map<std::string, std::string> group_names;
  for (const auto& [id, group] : tenant.config->groups) group_names[id] = group.name;
  for (const auto& r : records)
    if (!r.disabled)
      for (const auto& g : r.groups) group_names.try_emplace(g, std::string());
  tenant.gate->engine()->agent_presence([records = std::move(records),
                                         group_names = std::move(group_names),
                                         respond = std::move(respond)](auto presence) {
    // Only what a transfer needs: no email, role, groups, skills or load.
    json::array agents;
    for (const auto& r : records) {
      if (r.disabled) continue;
      auto it = presence.find(r.id);
      const bool known = it != presence.end();
      const auto status = known ? it->second.status : engine::AgentStatus::offline;
      const bool available = status == engine::AgentStatus::online && known &&
                             it->second.open_conversations < r.max_concurrent;
      agents.push_back(json::object{{"id", r.id},
                                    {"name", r.name},
                                    {"status", engine::to_string(status)},
                                    {"available", available}});
    }
    json::array groups;
    for (const auto& [id, name] : group_names)
      groups.push_back(json::object{{"id", id}, {"name", name.empty() ? id : name}});
    respond(json_response(
        200, json::object{{"agents", std::move(agents)}, {"groups", std::move(groups)}}));
  });
}

void RestApi::create_agent(const TenantView& tenant, const HttpRequest& request, audit::Actor actor,
                           std::function<void(HttpResponse)> respond) {
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object())
    return respond(error_response(400, "bad_json", "the body must be a JSON object"));
  agents::AgentChange fields;
  std::optional<std::string> password;
  if (auto errors = read_agent(body, fields, password, true); !errors.empty())
    return respond(field_errors_response(errors));

  agents::AgentRecord record;
  record.email = *fields.email;
  record.name = *fields.name;
  record.role = fields.role.value_or("agent");
  record.groups = fields.groups.value_or(std::vector<std::string>{});
  record.skills = fields.skills.value_or(std::map<std::string, int>{});
  record.max_concurrent = fields.max_concurrent.value_or(5);
  // Hashing takes ~0.1 s by design: off the I/O threads.
  boost::asio::post(blocking_pool_, [this, tenant, actor = std::move(actor),
                                     record = std::move(record), password = *password,
                                     respond = std::move(respond)]() mutable {
    record.password_hash = auth::hash_password(password);
    tenant.agents->create(std::move(record), [this, tenant, actor, respond = std::move(respond)](
                                                 auto refusal, auto agent) {
      if (refusal) return respond(refusal_response(*refusal));
      respond({201, "application/json", agents::to_json_text(*agent)});
      record_change(tenant, actor,
                    agent_change("agent.created", *agent, describe_agent(*agent),
                                 {{"code", "agent.new"},
                                  {"role", agent->role},
                                  {"groups", agent_groups_json(agent->groups)},
                                  {"capacity", agent->max_concurrent}}));
    });
  });
}

void RestApi::update_agent(const TenantView& tenant, std::string agent_id,
                           const HttpRequest& request, audit::Actor actor,
                           std::function<void(HttpResponse)> respond) {
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object())
    return respond(error_response(400, "bad_json", "the body must be a JSON object"));
  agents::AgentChange change;
  std::optional<std::string> password;
  if (auto errors = read_agent(body, change, password, false); !errors.empty())
    return respond(field_errors_response(errors));
  boost::asio::post(
      blocking_pool_,
      [this, tenant, actor = std::move(actor), id = std::move(agent_id), change = std::move(change),
       password = std::move(password), respond = std::move(respond)]() mutable {
        if (password) change.password_hash = auth::hash_password(*password);
        // What it was, for the audit log's "before → after".
        auto before = tenant.agents->by_id(id);
        const bool password_only = change.password_hash && !change.email && !change.name &&
                                   !change.role && !change.groups && !change.skills &&
                                   !change.max_concurrent;
        agents::AgentChange asked = change;
        tenant.agents->update(
            id, std::move(change),
            [this, tenant, actor, before = std::move(before), asked = std::move(asked),
             password_only, respond = std::move(respond)](auto refusal, auto agent) {
              if (refusal) return respond(refusal_response(*refusal));
              respond({200, "application/json", agents::to_json_text(*agent)});
              json::object detail;
              auto summary = describe_update(before, *agent, asked, detail);
              record_change(tenant, actor,
                            agent_change(password_only ? "agent.password_reset" : "agent.updated",
                                         *agent, std::move(summary), std::move(detail)));
            });
      });
}

}  // namespace sb::api
