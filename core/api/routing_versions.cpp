#include "api/routing_versions.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <fstream>

#include "api/etag.hpp"
#include "api/responses.hpp"
#include "api/store_wait.hpp"
#include "common/clock.hpp"
#include "routing_graph/forms.hpp"
#include "tenants/routing_file.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpResponse;

namespace {

constexpr const char* kVersionsLog = "routing.versions";
constexpr const char* kSavedKind = "routing.saved";
constexpr std::size_t kListedVersions = 50;
// ---- the file of a tenant whose storage keeps no logs (and of older servers) ----

// The saved versions, oldest first; a line that does not parse is passed over.
std::vector<json::object> read_file_versions(const std::filesystem::path& file) {
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

void write_file_versions(const std::filesystem::path& file, std::vector<json::object> versions) {
  if (versions.size() > kListedVersions)
    versions.erase(versions.begin(), versions.end() - kListedVersions);
  std::string text;
  for (const auto& v : versions) text += json::serialize(v) + "\n";
  std::string why;
  if (!tenants::replace_file(file, text, why))
    spdlog::warn("routing: the saved graph's version was not kept: {}", why);
}

json::object make_version(int64_t seq, int64_t at, json::object by,
                          const routing_graph::Graph& graph) {
  return json::object{{"seq", seq},
                      {"at", at},
                      {"by", std::move(by)},
                      {"etag", graph_etag(graph)},
                      {"graph", routing_graph::to_json(graph)}};
}

// A version as the REST answers it, from a log entry {"seq","ts","data":{...}}.
std::optional<json::object> version_of_entry(const json::value& entry) {
  const auto* e = entry.if_object();
  const auto* data = e ? e->if_contains("data") : nullptr;
  if (!data || !data->is_object() || !e->contains("seq") || !e->contains("ts")) return std::nullopt;
  const auto& d = data->get_object();
  json::object v{{"seq", e->at("seq")}, {"at", e->at("ts")}};
  for (const char* key : {"by", "etag", "graph"})
    v[key] = d.contains(key) ? d.at(key) : json::value(nullptr);
  if (const auto* imported = d.if_contains("imported_seq")) v["imported_seq"] = *imported;
  return v;
}

const json::value* newest_etag(const std::vector<json::object>& newest_first) {
  return newest_first.empty() ? nullptr : newest_first.front().if_contains("etag");
}

// An earlier version with exactly this graph: the save restores it (unless the
// graph is the one live already: saving it again restores nothing).
std::optional<int64_t> restored_seq(const std::vector<json::object>& newest_first,
                                    const std::string& etag, const routing_graph::Graph* before) {
  if (before && graph_etag(*before) == etag) return std::nullopt;
  for (const auto& v : newest_first)
    if (const auto* e = v.if_contains("etag"); e && *e == json::value(etag))
      return v.at("seq").to_number<int64_t>();
  return std::nullopt;
}

json::object tenant_file_author() {
  return json::object{{"id", nullptr}, {"name", "tenant file"}};
}

}  // namespace

std::string graph_etag(const routing_graph::Graph& graph) {
  // The graph's JSON form is exact and in graph order, so every change, by PUT or
  // by hand in the tenant file, gives another version.
  return etag_of(json::serialize(routing_graph::to_json(graph)));
}

RoutingVersions::RoutingVersions(engine::Store& store, std::filesystem::path tenant_file)
    : store_(store),
      tenant_file_(std::move(tenant_file)),
      legacy_file_(tenant_file_.parent_path() /
                   ("." + tenant_file_.stem().string() + ".routing-versions.jsonl")) {}

RoutingVersions::Listed RoutingVersions::list_log(std::optional<int64_t> seq) {
  json::object query{{"log", kVersionsLog}, {"limit", kListedVersions}};
  if (seq) query["seq"] = *seq;
  const auto r = wait_for_store(
      [&](engine::StoreCallback done) { store_.log_list(json::serialize(query), done); });
  Listed out;
  if (r.status == engine::kStoreNotSupported) {
    out.supported = false;
    return out;
  }
  boost::system::error_code ec;
  const json::value body = r.ok() ? json::parse(r.body, ec) : json::value();
  const auto* entries =
      !ec && body.is_object() ? body.get_object().if_contains("entries") : nullptr;
  if (!entries || !entries->is_array()) {
    out.error = r.ok() ? "the storage answered something else than a log" : r.error;
    return out;
  }
  for (const auto& entry : entries->get_array())
    if (auto v = version_of_entry(entry)) out.versions.push_back(std::move(*v));
  return out;
}

bool RoutingVersions::append(const json::object& version, std::string& why) {
  json::object data{
      {"by", version.at("by")}, {"etag", version.at("etag")}, {"graph", version.at("graph")}};
  if (const auto* imported = version.if_contains("imported_seq")) data["imported_seq"] = *imported;
  const auto* by_id = version.at("by").as_object().if_contains("id");
  engine::LogEntry entry{kVersionsLog, kSavedKind,
                         by_id && by_id->is_string() ? std::string(by_id->get_string()) : "",
                         json::serialize(data), version.at("at").to_number<int64_t>()};
  const auto r =
      wait_for_store([&](engine::StoreCallback done) { store_.log_append(entry, done); });
  if (!r.ok()) why = r.error;
  return r.ok();
}

void RoutingVersions::import_file() {
  std::error_code ec;
  if (!std::filesystem::exists(legacy_file_, ec)) return;
  Listed newest = list_log(std::nullopt);
  if (!newest.supported) return;  // the file stays where it is, in use
  if (!newest.error.empty()) {
    spdlog::warn("routing: {} not imported yet: {}", legacy_file_.string(), newest.error);
    return;
  }
  // An import cut short (a crash) goes on after the last line it kept.
  int64_t imported_up_to = 0;
  if (!newest.versions.empty())
    if (const auto* seq = newest.versions.front().if_contains("imported_seq"))
      imported_up_to = seq->to_number<int64_t>();
  size_t count = 0;
  for (auto& v : read_file_versions(legacy_file_)) {
    const int64_t old_seq = v.at("seq").as_int64();
    if (old_seq <= imported_up_to) continue;
    if (!v.contains("by") || !v.at("by").is_object() || !v.contains("at") ||
        !v.at("at").is_number() || !v.contains("graph"))
      continue;
    v["imported_seq"] = old_seq;
    std::string why;
    if (!append(v, why)) {
      spdlog::warn("routing: {} not imported yet: {}", legacy_file_.string(), why);
      return;
    }
    ++count;
  }
  auto done = legacy_file_;
  done += ".imported";
  std::filesystem::rename(legacy_file_, done, ec);
  if (ec) {
    spdlog::error("routing: imported {} but cannot rename it to {}: {}", legacy_file_.string(),
                  done.string(), ec.message());
    return;
  }
  spdlog::info(
      "routing: {} saved versions imported from {} into the tenant's storage (the file "
      "is now {})",
      count, legacy_file_.string(), done.filename().string());
}

std::optional<int64_t> RoutingVersions::keep(const routing_graph::Graph* before,
                                             const routing_graph::Graph& graph,
                                             const json::object& by) {
  import_file();
  const std::string etag = graph_etag(graph);
  Listed newest = list_log(std::nullopt);
  if (!newest.supported) {
    auto versions = read_file_versions(legacy_file_);
    std::vector<json::object> newest_first(versions.rbegin(), versions.rend());
    const auto restored = restored_seq(newest_first, etag, before);
    auto next = [&] { return versions.empty() ? 1 : versions.back().at("seq").as_int64() + 1; };
    if (before && (!newest_etag(newest_first) ||
                   *newest_etag(newest_first) != json::value(graph_etag(*before))))
      versions.push_back(make_version(next(), wall_clock_ms(), tenant_file_author(), *before));
    versions.push_back(make_version(next(), wall_clock_ms(), by, graph));
    write_file_versions(legacy_file_, std::move(versions));
    return restored;
  }
  if (!newest.error.empty()) {
    spdlog::warn("routing: the saved graph's version was not kept: {}", newest.error);
    return std::nullopt;
  }
  const auto restored = restored_seq(newest.versions, etag, before);
  std::string why;
  if (before &&
      (!newest_etag(newest.versions) ||
       *newest_etag(newest.versions) != json::value(graph_etag(*before))) &&
      !append(make_version(0, wall_clock_ms(), tenant_file_author(), *before), why))
    spdlog::warn("routing: the tenant file's version was not kept: {}", why);
  if (!append(make_version(0, wall_clock_ms(), by, graph), why))
    spdlog::warn("routing: the saved graph's version was not kept: {}", why);
  return restored;
}

HttpResponse RoutingVersions::answer(const std::map<std::string, std::string>& query) {
  import_file();
  std::optional<int64_t> seq;
  if (auto it = query.find("seq"); it != query.end()) {
    int64_t n = 0;
    const auto& s = it->second;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || end != s.data() + s.size() || n < 1)
      return error_response(404, "not_found", "no saved version " + s, "seq");
    seq = n;
  }
  Listed listed = list_log(seq);
  if (!listed.supported) {
    auto versions = read_file_versions(legacy_file_);
    listed.versions.assign(versions.rbegin(), versions.rend());
    if (seq)
      std::erase_if(listed.versions,
                    [&](const json::object& v) { return v.at("seq").as_int64() != *seq; });
  } else if (!listed.error.empty()) {
    return error_response(503, "unavailable", "the saved versions cannot be read: " + listed.error);
  }
  if (seq) {
    if (listed.versions.empty())
      return error_response(404, "not_found", "no saved version " + std::to_string(*seq), "seq");
    listed.versions.front().erase("imported_seq");
    return json_response(200, listed.versions.front());
  }
  json::array list;
  for (auto& summary : listed.versions) {
    const json::value graph = summary["graph"];
    summary.erase("graph");
    summary.erase("imported_seq");
    const json::value* rules_value =
        graph.is_object() ? graph.as_object().if_contains("rules") : nullptr;
    const json::array* rules = rules_value ? rules_value->if_array() : nullptr;
    summary["rules"] = rules ? rules->size() : 0;
    list.push_back(std::move(summary));
  }
  return json_response(200, json::object{{"versions", std::move(list)}});
}

}  // namespace sb::api
