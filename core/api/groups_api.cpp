// The tenant's groups ([groups.NAME] of the tenant file), for admins.
//
//   GET    /v1/tenants/ID/groups       every group with its hours and queue limits,
//                                      its version (etag), and who names it (the
//                                      agents who belong to it, the routing rules)
//   GET    /v1/tenants/ID/groups/NAME  one group, its version as ETag
//   PUT    /v1/tenants/ID/groups/NAME  creates (201) or replaces it with the body:
//                                      {"name","timezone","hours":{"mon":["09:00-17:00"],
//                                      ...},"holidays":["2026-12-25"],"max_queue_length",
//                                      "max_wait_s","on_queue_limit","queue_limit_message"}
//                                      (null or missing: the default; hours null: always
//                                      open); 422 with the field; If-Match: 412
//                                      group_changed when not current; If-None-Match: *
//                                      only creates
//   DELETE /v1/tenants/ID/groups/NAME  takes it out of the file; 422 group_in_use while
//                                      the routing graph or an agent names it
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/etag.hpp"
#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "api/table_write.hpp"
#include "config/toml_json.hpp"
#include "tenants/groups_reader.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

std::string minutes_text(uint16_t minutes) {
  char text[8];
  std::snprintf(text, sizeof text, "%02u:%02u", minutes / 60u, minutes % 60u);
  return text;
}

json::object group_json(const groups::Group& group) {
  json::value hours = nullptr;
  if (group.hours.has_weekly_hours()) {
    json::object days;
    for (int day = 0; day < 7; ++day) {
      json::array ranges;
      for (const auto& range : group.hours.ranges(day))
        ranges.emplace_back(minutes_text(range.begin) + "-" + minutes_text(range.end));
      if (!ranges.empty()) days[groups::weekday_name(day)] = std::move(ranges);
    }
    hours = std::move(days);
  }
  const auto& holidays = group.hours.holidays();
  return json::object{{"name", group.name},
                      {"timezone", group.hours.timezone()},
                      {"hours", std::move(hours)},
                      {"holidays", json::array(holidays.begin(), holidays.end())},
                      {"max_queue_length", group.max_queue_length},
                      {"max_wait_s", group.max_wait_s},
                      {"on_queue_limit", groups::to_string(group.on_queue_limit)},
                      {"queue_limit_message", group.queue_limit_message}};
}

std::optional<json::value> group_view(const tenants::TenantConfig& config, const std::string& id) {
  auto group = config.groups.find(id);
  if (group == config.groups.end()) return std::nullopt;
  return group_json(group->second);
}

// The routing rules (ids, "fallback") whose conditions or actions name the group.
std::vector<std::string> rules_naming(const routing_graph::Graph& graph, std::string_view id) {
  std::vector<std::string> out;
  auto names = [&](const std::vector<routing_graph::Action>& actions) {
    for (const auto& action : actions)
      if (action.group == id) return true;
    return false;
  };
  for (const auto& rule : graph.rules) {
    bool named = names(rule.actions);
    for (const auto& condition : rule.conditions) named = named || condition.group == id;
    if (named) out.push_back(rule.id);
  }
  if (names(graph.fallback.actions)) out.push_back(graph.fallback.id);
  return out;
}

std::vector<std::string> agents_in(const agents::AgentDirectory* directory, std::string_view id) {
  std::vector<std::string> out;
  if (!directory) return out;
  for (const auto& agent : directory->all())
    if (std::find(agent.groups.begin(), agent.groups.end(), id) != agent.groups.end())
      out.push_back(agent.id);
  return out;
}

// A group's table as a person writes it: days with the same hours as one range of
// days ("mon-fri"), one opening as a string, not a list of one; the name and the
// queue message left out when they are the defaults and the file does not have them.
void tidy_group(const std::string& id, toml::table& group, const toml::table* in_file) {
  auto drop_default = [&](std::string_view key, std::string_view default_value) {
    const auto* value = group.get_as<std::string>(key);
    if (value && value->get() == default_value && !(in_file && in_file->contains(key)))
      group.erase(key);
  };
  drop_default("name", id);
  drop_default("queue_limit_message", groups::kDefaultQueueLimitMessage);
  toml::table* hours = group.get_as<toml::table>("hours");
  if (!hours) return;
  for (auto&& [key, value] : *hours)  // already ranges of days ("mon-fri"): as sent
    if (groups::parse_weekdays(key.str()).size() != 1 ||
        key.str().find('-') != std::string_view::npos)
      return;
  toml::table compact;
  for (int day = 0; day < 7;) {
    const toml::array* ranges = hours->get_as<toml::array>(groups::weekday_name(day));
    int last = day;
    while (ranges && last + 1 < 7) {
      const toml::array* next = hours->get_as<toml::array>(groups::weekday_name(last + 1));
      if (!next || *next != *ranges) break;
      ++last;
    }
    if (ranges) {
      std::string key(groups::weekday_name(day));
      if (last > day) key += "-" + std::string(groups::weekday_name(last));
      if (ranges->size() == 1 && ranges->get(0)->is_string())
        compact.insert(key, *ranges->get(0)->as_string());
      else
        compact.insert(key, *ranges);
    }
    day = last + 1;
  }
  group.insert_or_assign("hours", std::move(compact));
}

json::array strings_json(const std::vector<std::string>& strings) {
  return json::array(strings.begin(), strings.end());
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

void RestApi::groups(const TenantView& tenant, std::string_view group_id,
                     const HttpRequest& request, std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, true, false, refusal);
  if (!claims) return respond(std::move(refusal));
  const auto& config = *tenant.config;

  if (group_id.empty()) {
    if (request.method != "GET")
      return respond(error_response(405, "method_not_allowed", "use GET (PUT to ../groups/NAME)"));
    json::array list;
    for (const auto& [id, group] : config.groups) {
      json::object item = group_json(group);
      item["etag"] = etag_of(json::serialize(item));
      item["id"] = id;
      item["agents"] = strings_json(agents_in(tenant.agents.get(), id));
      item["rules"] = strings_json(rules_naming(config.routing_graph, id));
      list.push_back(std::move(item));
    }
    return respond(json_response(200, json::object{{"groups", std::move(list)}}));
  }

  const std::string id(group_id);
  if (!tenants::is_valid_group_id(id))
    return respond(error_response(
        422, "invalid_field",
        "not a valid group id (1-64 printable characters, no spaces, '/', '?', '#', '%')", "id"));
  auto view = [id](const tenants::TenantConfig& c) { return group_view(c, id); };

  if (request.method == "GET") {
    auto group = view(config);
    if (!group) return respond(error_response(404, "not_found", "no group " + id));
    return respond(versioned_response(request, *group));
  }

  TableWrite write;
  write.path = {"groups", id};
  write.view = view;
  write.if_match = request.if_match;
  write.changed_code = "group_changed";
  write.what = "group " + id;
  write.audit_target = "group " + id;
  write.audit_object = {{"kind", "group"}, {"id", id}};
  write.actor = actor_of(tenant, *claims);

  if (request.method == "DELETE") {
    if (!config.groups.count(id))
      return respond(error_response(404, "not_found", "no group " + id));
    // Taken out, the group would leave rules routing nowhere and agents in a group
    // the admin pages no longer show: the admin moves them first.
    const auto rules = rules_naming(config.routing_graph, id);
    const auto members = agents_in(tenant.agents.get(), id);
    if (!rules.empty() || !members.empty()) {
      std::string message = "group " + id + " is still in use:";
      if (!rules.empty()) message += " routing rules " + listed(rules) + " name it;";
      if (!members.empty()) message += " agents " + listed(members) + " belong to it;";
      message.back() = '.';
      message += " Change them first.";
      json::object error{{"code", "group_in_use"},
                         {"message", message},
                         {"field", "id"},
                         {"rules", strings_json(rules)},
                         {"agents", strings_json(members)}};
      return respond(json_response(422, json::object{{"error", std::move(error)}}));
    }
    write.audit_action = "group.deleted";
    return write_table(tenant, std::move(write), std::move(respond));
  }
  if (request.method != "PUT")
    return respond(error_response(405, "method_not_allowed", "use GET, PUT or DELETE"));
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object())
    return respond(error_response(400, "bad_json", "the body must be a JSON object"));
  write.content = config::json_to_toml(body.as_object());
  write.tidy = [id](toml::table& group, const toml::table* in_file) {
    tidy_group(id, group, in_file);
  };
  write.if_none_match = request.if_none_match;
  write.created_status = 201;
  write.audit_action = "group.saved";
  write_table(tenant, std::move(write), std::move(respond));
}

}  // namespace sb::api
