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
//                                        ?seq=N one of them with its graph. Kept beside
//                                        the tenant file (.ID.routing-versions.jsonl,
//                                        hidden, so the tenant watcher passes it over),
//                                        the last 50; a hand edit found by the next save
//                                        is kept as a version "by the tenant file"
//   POST /v1/tenants/ID/routing/dry-run  {"page","language","attributes","message",
//                                        "intent","waited_s","after_bot"} (all optional)
//                                        -> the rule that fires, its actions, and the
//                                        agent the chain would choose now (nothing is
//                                        assigned)
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

#include "api/etag.hpp"
#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "routing_graph/forms.hpp"
#include "tenants/routing_file.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

HttpResponse graph_errors(const routing_graph::Errors& errors) {
  json::array all;
  for (const auto& e : errors)
    all.push_back(json::object{{"code", e.code}, {"message", e.message}, {"field", e.field}});
  json::object body{{"error", all.front()}, {"errors", std::move(all)}};
  return json_response(422, body);
}

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

// A graph's version: its JSON form is exact and in graph order.
std::string graph_etag(const routing_graph::Graph& graph) {
  return etag_of(json::serialize(routing_graph::to_json(graph)));
}

constexpr std::size_t kKeptVersions = 50;

std::filesystem::path versions_file(const std::filesystem::path& tenant_file) {
  return tenant_file.parent_path() /
         ("." + tenant_file.stem().string() + ".routing-versions.jsonl");
}

// The saved versions, oldest first; a line that does not parse is passed over.
std::vector<json::object> read_versions(const std::filesystem::path& file) {
  std::vector<json::object> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (!ec && v.is_object() && v.as_object().contains("seq") && v.as_object().at("seq").is_int64())
      out.push_back(std::move(v.as_object()));
  }
  return out;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Records graph as saved by `by`; first `before` (what the file had) when the last
// version kept is not it: a hand edit, or the graph as it was before any save.
void keep_version(const std::filesystem::path& tenant_file, const routing_graph::Graph* before,
                  const routing_graph::Graph& graph, json::object by) {
  const auto file = versions_file(tenant_file);
  auto versions = read_versions(file);
  auto add = [&](const routing_graph::Graph& g, json::object who) {
    const int64_t seq = versions.empty() ? 1 : versions.back().at("seq").as_int64() + 1;
    versions.push_back(json::object{{"seq", seq},
                                    {"at", now_ms()},
                                    {"by", std::move(who)},
                                    {"etag", graph_etag(g)},
                                    {"graph", routing_graph::to_json(g)}});
  };
  const json::value* last_etag = versions.empty() ? nullptr : versions.back().if_contains("etag");
  if (before && (!last_etag || *last_etag != json::value(graph_etag(*before))))
    add(*before, json::object{{"id", nullptr}, {"name", "tenant file"}});
  add(graph, std::move(by));
  if (versions.size() > kKeptVersions)
    versions.erase(versions.begin(), versions.end() - kKeptVersions);
  std::string text;
  for (const auto& v : versions) text += json::serialize(v) + "\n";
  std::string why;
  if (!tenants::replace_file(file, text, why))
    spdlog::warn("routing: the saved graph's version was not kept: {}", why);
}

// GET …/routing/versions: newest first, without graphs; ?seq=N: that one, with its graph.
HttpResponse versions_answer(const std::filesystem::path& tenant_file,
                             const std::map<std::string, std::string>& query) {
  auto versions = read_versions(versions_file(tenant_file));
  if (auto seq = query.find("seq"); seq != query.end()) {
    for (auto& v : versions)
      if (std::to_string(v.at("seq").as_int64()) == seq->second) return json_response(200, v);
    return error_response(404, "not_found", "no saved version " + seq->second, "seq");
  }
  json::array list;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    json::object summary = *it;
    const json::value graph = summary["graph"];
    summary.erase("graph");
    const json::value* rules_value =
        graph.is_object() ? graph.as_object().if_contains("rules") : nullptr;
    const json::array* rules = rules_value ? rules_value->if_array() : nullptr;
    summary["rules"] = rules ? rules->size() : 0;
    list.push_back(std::move(summary));
  }
  return json_response(200, json::object{{"versions", std::move(list)}});
}

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
  for (const auto& [key, value] : v.get_object()) {
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
    return tenant.gate->engine()->dry_run(
        std::move(input), [respond = std::move(respond)](engine::HttpAnswer answer) {
          respond(HttpResponse{answer.status, "application/json", std::move(answer.body)});
        });
  }
  if (sub == "catalog") {
    if (request.method != "GET")
      return respond(error_response(405, "method_not_allowed", "use GET"));
    return respond(routing_catalog(tenant));
  }
  if (sub == "versions") {
    if (request.method != "GET")
      return respond(error_response(405, "method_not_allowed", "use GET"));
    return boost::asio::post(
        blocking_pool_, [file = tenant.config->file, query = request.query,
                         respond = std::move(respond)] { respond(versions_answer(file, query)); });
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
  const auto agent = tenant.agents ? tenant.agents->by_id(claims->subject) : std::nullopt;
  put_routing(tenant, request, claims->subject, agent ? agent->name : claims->subject,
              std::move(respond));
}

void RestApi::put_routing(const TenantView& tenant, const HttpRequest& request, std::string by_id,
                          std::string by_name, std::function<void(HttpResponse)> respond) {
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
  if (!graph) return respond(graph_errors(errors));

  // File work off the I/O threads; the pool's one thread also keeps two PUTs from
  // interleaving their read-modify-write of the same file.
  boost::asio::post(blocking_pool_, [this, file = tenant.config->file, id = tenant.config->id,
                                     graph = std::move(*graph), if_match = request.if_match,
                                     by = json::object{{"id", by_id}, {"name", by_name}},
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
    keep_version(file, before, graph, std::move(by));
    backend_.reload_tenants([this, id, graph = std::move(graph), respond = std::move(respond)] {
      auto now = backend_.tenant(id);
      if (!now || now->config->routing_graph != graph)
        return respond(error_response(500, "internal",
                                      "the graph is in the tenant file but could not be applied; "
                                      "the server log says why"));
      respond(with_etag(json_response(200, routing_graph::to_json(graph)), graph_etag(graph)));
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
