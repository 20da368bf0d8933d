// The tenant's routing graph over REST, for the admin UI's graph editor (the JSON
// form is described in routing_graph/forms.hpp). Admins only.
//
//   GET  /v1/tenants/ID/routing          the live graph, with its version as ETag
//                                        (304 for If-None-Match with that version)
//   PUT  /v1/tenants/ID/routing          validates, writes the graph into the tenant's
//                                        file (a marked section, the rest untouched),
//                                        applies it, answers the graph as now live;
//                                        422 {"error":{code,message,field},"errors":[...]};
//                                        with If-Match, 412 graph_changed when the graph
//                                        (in the tenant file) is no longer that version
//   GET  /v1/tenants/ID/routing/catalog  what a graph may name: the tenant's groups,
//                                        the installed routing strategies, the default chain
//   GET  /v1/tenants/ID/routing/versions the saved versions, newest first (who, when);
//                                        ?seq=N one of them with its graph. Kept in the
//                                        tenant's storage (routing_versions.hpp); a hand
//                                        edit found by the next save is kept as a
//                                        version "by the tenant file"
//   POST /v1/tenants/ID/routing/dry-run  {"page","language","attributes","message",
//                                        "intent","waited_s","after_bot"} (all optional)
//                                        -> the rule that fires, its actions, and the
//                                        agent the chain would choose now (nothing is
//                                        assigned)
//
// Every save is recorded in the tenant's audit log ("routing.saved", or
// "routing.restored" when it brings back a saved version) with what changed.
#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "api/etag.hpp"
#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "api/routing_versions.hpp"
#include "routing_graph/forms.hpp"
#include "tenants/routing_file.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

std::optional<std::string> read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(text).str();
}

// The routing strategies the server ships; the catalog lists those installed,
// and any other the tenant's chain names.
constexpr const char* kKnownStrategies[] = {
    "routing-sticky",      "routing-least-busy", "routing-load-balancing", "routing-load-rotation",
    "routing-round-robin", "routing-skills",     "routing-external",       "routing-manual"};

HttpResponse with_etag(HttpResponse response, std::string etag) {
  response.headers.emplace_back("ETag", std::move(etag));
  return response;
}

// The dry-run body, or the response that says what is wrong with it.
std::optional<HttpResponse> read_dry_run(const std::string& body, engine::DryRunInput& out) {
  boost::system::error_code ec;
  json::value v = json::parse(body.empty() ? std::string("{}") : body, ec);
  if (ec || !v.is_object())
    return error_response(400, "bad_json", "the body must be a JSON object");
  // Not a structured binding: clang before 16 (Debian 12's, which builds the
  // sanitizer and fuzz trees) refuses one captured by the lambda below.
  for (const auto& member : v.get_object()) {
    const auto key = member.key();
    const json::value& value = member.value();
    auto text = [&](std::string& field) -> std::optional<HttpResponse> {
      if (!value.is_string())
        return error_response(422, "bad_field", std::string(key) + " must be a string", key);
      field = std::string(value.get_string());
      return std::nullopt;
    };
    std::optional<HttpResponse> problem;
    if (key == "page") {
      problem = text(out.page);
    } else if (key == "language") {
      problem = text(out.language);
    } else if (key == "message") {
      problem = text(out.message);
    } else if (key == "intent") {
      problem = text(out.intent);
    } else if (key == "attributes") {
      if (!value.is_object())
        return error_response(422, "bad_field", "attributes must be an object", key);
      out.attributes_json = json::serialize(value);
    } else if (key == "waited_s") {
      if (!value.is_int64() || value.get_int64() < 0 || value.get_int64() > 30 * 86'400)
        return error_response(422, "bad_field", "waited_s must be an integer 0..2592000", key);
      out.waited_s = static_cast<uint32_t>(value.get_int64());
    } else if (key == "after_bot") {
      if (!value.is_bool())
        return error_response(422, "bad_field", "after_bot must be true or false", key);
      out.after_bot = value.get_bool();
    } else {
      return error_response(422, "bad_field", "unknown field", key);
    }
    if (problem) return problem;
  }
  return std::nullopt;
}

// A rule or fallback without the positions of its nodes: what routes, not where
// it is drawn.
routing_graph::Rule unplaced(routing_graph::Rule rule) {
  rule.position.reset();
  for (auto& action : rule.actions) action.position.reset();
  return rule;
}
routing_graph::Fallback unplaced(routing_graph::Fallback fallback) {
  fallback.position.reset();
  for (auto& action : fallback.actions) action.position.reset();
  return fallback;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// What a save changed, as the audit log shows it: rules added, removed, changed or
// reordered, the fallback; "layout only" when only nodes moved. detail gets the same
// as the code "routing.rules" and its values (docs/protocol.md).
std::string describe_change(const routing_graph::Graph* before, const routing_graph::Graph& after,
                            json::object& detail) {
  const auto label = [](const routing_graph::Rule& r) { return r.name.empty() ? r.id : r.name; };
  std::string out =
      std::to_string(after.rules.size()) + (after.rules.size() == 1 ? " rule" : " rules");
  detail = {{"code", "routing.rules"}, {"rules", after.rules.size()}};
  if (!before) return out;
  const auto find = [](const routing_graph::Graph& g, const std::string& id) {
    return std::find_if(g.rules.begin(), g.rules.end(), [&](const auto& r) { return r.id == id; });
  };
  std::vector<std::string> added, removed, changed, kept_after, kept_before;
  for (const auto& rule : after.rules) {
    auto old = find(*before, rule.id);
    if (old == before->rules.end()) {
      added.push_back(label(rule));
      continue;
    }
    kept_after.push_back(rule.id);
    if (unplaced(*old) != unplaced(rule)) changed.push_back(label(rule));
  }
  for (const auto& rule : before->rules) {
    if (find(after, rule.id) == after.rules.end())
      removed.push_back(label(rule));
    else
      kept_before.push_back(rule.id);
  }
  std::vector<std::string> parts;
  if (!added.empty()) parts.push_back("added " + joined(added));
  if (!removed.empty()) parts.push_back("removed " + joined(removed));
  if (!changed.empty()) parts.push_back("changed " + joined(changed));
  if (kept_after != kept_before) parts.push_back("reordered rules");
  if (unplaced(before->fallback) != unplaced(after.fallback))
    parts.push_back("changed the fallback");
  if (parts.empty()) parts.push_back(*before == after ? "no change" : "layout only");
  const auto names_of = [](const std::vector<std::string>& names) {
    return json::array(names.begin(), names.end());
  };
  if (!added.empty()) detail["added"] = names_of(added);
  if (!removed.empty()) detail["removed"] = names_of(removed);
  if (!changed.empty()) detail["changed"] = names_of(changed);
  if (kept_after != kept_before) detail["reordered"] = true;
  if (unplaced(before->fallback) != unplaced(after.fallback)) detail["fallback_changed"] = true;
  if (*before == after)
    detail["no_change"] = true;
  else if (detail.size() == 2)
    detail["layout_only"] = true;
  out += ": ";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out;
}

}  // namespace

void RestApi::routing(const TenantView& tenant, std::string_view sub, const HttpRequest& request,
                      std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, true, false, refusal);
  if (!claims) return respond(std::move(refusal));
  if (sub == "dry-run") {
    if (request.method != "POST")
      return respond(error_response(405, "method_not_allowed", "use POST"));
    engine::DryRunInput input;
    if (auto problem = read_dry_run(request.body, input)) return respond(std::move(*problem));
    return tenant.gate->engine()->dry_run(std::move(input), answering(std::move(respond)));
  }
  if (sub == "catalog") {
    if (request.method != "GET")
      return respond(error_response(405, "method_not_allowed", "use GET"));
    return respond(routing_catalog(tenant));
  }
  if (sub == "versions") {
    if (request.method != "GET")
      return respond(error_response(405, "method_not_allowed", "use GET"));
    return boost::asio::post(blocking_pool_, [store = tenant.store, file = tenant.config->file,
                                              query = request.query, respond = std::move(respond)] {
      respond(RoutingVersions(*store, file).answer(query));
    });
  }
  if (!sub.empty()) return respond(error_response(404, "not_found", "no such endpoint"));
  if (request.method == "GET") {
    std::string etag = graph_etag(tenant.config->routing_graph);
    if (names_etag(request.if_none_match, etag))
      return respond(with_etag(HttpResponse{304, "application/json", {}, {}}, std::move(etag)));
    return respond(with_etag(
        json_response(200, routing_graph::to_json(tenant.config->routing_graph)), std::move(etag)));
  }
  if (request.method != "PUT")
    return respond(error_response(405, "method_not_allowed", "use GET or PUT"));
  put_routing(tenant, request, actor_of(tenant, *claims), std::move(respond));
}

void RestApi::put_routing(const TenantView& tenant, const HttpRequest& request, audit::Actor actor,
                          std::function<void(HttpResponse)> respond) {
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec) return respond(error_response(400, "bad_json", "the body must be JSON"));
  routing_graph::Catalog catalog;
  catalog.groups = &tenant.config->groups;
  catalog.is_routing_plugin = [this](std::string_view name) {
    return backend_.is_routing_plugin(name);
  };
  routing_graph::Errors errors;
  auto graph = routing_graph::from_json(body, catalog, errors);
  if (!graph) return respond(field_errors_response(errors));

  // File work off the I/O threads; the pool's one thread also keeps two PUTs from
  // interleaving their read-modify-write of the same file.
  boost::asio::post(blocking_pool_, [this, file = tenant.config->file, id = tenant.config->id,
                                     store = tenant.store, graph = std::move(*graph),
                                     if_match = request.if_match, actor = std::move(actor),
                                     respond = std::move(respond)]() mutable {
    auto text = read_text(file);
    if (!text)
      return respond(error_response(500, "internal", "cannot read " + file.filename().string()));
    // The version the admin edited must still be the one in the file (read here, on
    // the pool's one thread, so a PUT just written counts even before its reload),
    // else someone else changed it meanwhile: their change is not overwritten unseen.
    ConfigErrors ignored;
    auto on_disk = backend_.check_tenant_text(*text, file, ignored);
    auto live = on_disk ? std::nullopt : backend_.tenant(id);
    const routing_graph::Graph* before = on_disk ? &on_disk->routing_graph
                                         : live  ? &live->config->routing_graph
                                                 : nullptr;
    if (!if_match.empty() && before) {
      std::string now = graph_etag(*before);
      if (!names_etag(if_match, now))
        return respond(with_etag(
            error_response(412, "graph_changed",
                           "the routing graph was changed since you loaded it (by another admin "
                           "or in the tenant file); load it again and redo your change"),
            std::move(now)));
    }
    std::string why;
    auto edited = tenants::with_routing_graph(*text, routing_graph::to_toml(graph), why);
    if (!edited) return respond(error_response(409, "conflict", why));
    // The whole file must still load, and read back as exactly this graph, before
    // it replaces the live one.
    ConfigErrors problems;
    auto config = backend_.check_tenant_text(*edited, file, problems);
    if (!config)
      return respond(error_response(
          409, "conflict",
          "the tenant file would not load with this graph: " +
              (problems.empty() ? std::string("unknown problem") : problems.front().to_string())));
    if (config->routing_graph != graph)
      return respond(error_response(409, "conflict",
                                    "the tenant file has a routing graph in a form this server "
                                    "cannot rewrite; move it into the marked section"));
    if (!tenants::replace_file(file, *edited, why))
      return respond(error_response(500, "internal", why));
    const json::object by{{"id", actor.id}, {"name", actor.name}};
    const auto restored = RoutingVersions(*store, file).keep(before, graph, by);
    json::object detail;
    audit::Change change{restored ? "routing.restored" : "routing.saved", "routing graph",
                         describe_change(before, graph, detail)};
    if (restored) {
      change.summary = "version #" + std::to_string(*restored) + ": " + change.summary;
      detail["version"] = *restored;
    }
    change.object = {{"kind", "routing_graph"}};
    change.detail = std::move(detail);
    backend_.reload_tenants([this, id, graph = std::move(graph), actor = std::move(actor),
                             change = std::move(change), respond = std::move(respond)] {
      auto now = backend_.tenant(id);
      if (!now || now->config->routing_graph != graph)
        return respond(error_response(500, "internal",
                                      "the graph is in the tenant file but could not be applied; "
                                      "the server log says why"));
      respond(with_etag(json_response(200, routing_graph::to_json(graph)), graph_etag(graph)));
      record_change(*now, actor, change);
    });
  });
}

HttpResponse RestApi::routing_catalog(const TenantView& tenant) const {
  json::array groups;
  for (const auto& [id, group] : tenant.config->groups)
    groups.push_back(json::object{{"id", id},
                                  {"name", group.name.empty() ? id : group.name},
                                  {"has_hours", !group.hours.always_open()}});
  json::array strategies;
  std::vector<std::string> names(std::begin(kKnownStrategies), std::end(kKnownStrategies));
  for (const auto& name : tenant.config->routing_chain)
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  for (const auto& name : names)
    if (backend_.is_routing_plugin(name)) strategies.push_back(json::object{{"name", name}});
  json::array chain;
  for (const auto& name : tenant.config->routing_chain) chain.emplace_back(name);
  return json_response(200, json::object{{"groups", std::move(groups)},
                                         {"strategies", std::move(strategies)},
                                         {"default_chain", std::move(chain)}});
}

}  // namespace sb::api
