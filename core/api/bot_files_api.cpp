// The tenant's FAQ knowledge base over REST, for admins: the file(s) its
// [plugins.autoreply-faq] table names under `files`, as TOML text (the format is
// plugins/autoreply-faq/faq_loader.hpp; comments are kept, since the text is the file).
//
//   GET /v1/tenants/ID/kb[?file=NAME]   the file, application/toml
//   PUT /v1/tenants/ID/kb[?file=NAME]   replaces it with the body once the plugin
//                                       loads it -> 200 {"file"}; a knowledge base
//                                       it refuses -> 422 naming file, line and entry
//
// NAME is one of the names in `files`, as written there; default the first. The
// core does not read knowledge bases itself: the plugin checks the new text (see
// Backend::replace_plugin_file), so the API accepts exactly what the bot can load.
#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <sstream>

#include "api/responses.hpp"
#include "api/rest_api.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

constexpr const char* kPlugin = "autoreply-faq";
constexpr const char* kFilesKey = "files";

// The names under [plugins.autoreply-faq] files, as written; empty when none.
std::vector<std::string> kb_files(const tenants::TenantConfig& config) {
  std::vector<std::string> names;
  const auto* section = config.section(kPlugin);
  if (!section) return names;
  boost::system::error_code ec;
  const json::value table = json::parse(section->config_json, ec);
  const auto* files =
      !ec && table.is_object() ? table.get_object().if_contains(kFilesKey) : nullptr;
  if (!files || !files->is_array()) return names;
  for (const auto& name : files->get_array())
    if (name.is_string()) names.emplace_back(name.get_string());
  return names;
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

}  // namespace

void RestApi::knowledge_base(const TenantView& tenant, const HttpRequest& request,
                             std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  if (!authorize(tenant, request, true, false, refusal)) return respond(std::move(refusal));
  const bool reading = request.method == "GET";
  if (!reading && request.method != "PUT")
    return respond(error_response(405, "method_not_allowed", "use GET or PUT"));

  const auto names = kb_files(*tenant.config);
  if (names.empty())
    return respond(error_response(404, "not_found",
                                  "this tenant has no knowledge base ([plugins.autoreply-faq] "
                                  "files in its config)"));
  std::string name = names.front();
  if (auto it = request.query.find("file"); it != request.query.end()) {
    if (std::find(names.begin(), names.end(), it->second) == names.end())
      return respond(
          error_response(404, "not_found", "not one of the tenant's knowledge-base files", "file"));
    name = it->second;
  }

  // File I/O and the plugin's check block: never on an I/O thread.
  boost::asio::post(blocking_pool_, [this, config = tenant.config, name, reading,
                                     body = reading ? std::string() : request.body,
                                     respond = std::move(respond)] {
    if (reading) {
      const auto path = config->file.parent_path() / name;
      auto text = read_file(path);
      if (!text)
        return respond(error_response(404, "not_found", "the file " + name + " cannot be read"));
      return respond(HttpResponse{200, "application/toml; charset=utf-8", std::move(*text)});
    }
    const auto error = backend_.replace_plugin_file(*config, kPlugin, kFilesKey, name, body);
    if (!error.empty()) return respond(error_response(422, "invalid_kb", error));
    respond(json_response(200, json::object{{"file", name}}));
  });
}

}  // namespace sb::api
