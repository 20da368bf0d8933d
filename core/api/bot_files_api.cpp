// The files a tenant's bot plugins read, over REST for admins, as TOML text (comments
// are kept, since the text is the file):
//
//   /v1/tenants/ID/kb        the FAQ knowledge base: [plugins.autoreply-faq] files
//                            (format: plugins/autoreply-faq/faq_loader.hpp)
//   /v1/tenants/ID/intents   the intent examples: [plugins.autoreply-intent] file
//                            (format: the comment at the top of tenants/demo/intents.toml)
//   /v1/tenants/ID/flows     the dialog flows: [plugins.autoreply-flow] files
//                            (format: plugins/autoreply-flow/README.md)
//
//   GET  ...[?file=NAME]   the file, application/toml; X-Switchboard-Files lists every
//                          NAME the key gives, in order, each percent-encoded, joined
//                          by commas (so a reader finds the other files)
//   PUT  ...[?file=NAME]   replaces it with the body once the plugin loads it
//                          -> 200 {"file"}; content it refuses -> 422 (invalid_kb,
//                          invalid_intents, invalid_flows) naming file, line and
//                          entry, also as fields (file, line, field, reason, and a
//                          stable problem code where one applies: bot_file_problem.hpp);
//                          a body of nothing but blanks -> 400 empty_file, nothing written
//
// Both answer the file's ETag (of its text). A PUT with If-Match saves only over
// that text: else 412 kb_changed (intents_changed, flows_changed), so an admin
// saving a page loaded before another admin's save, an unanswered question's new
// entry or a hand edit does not drop it unseen.
//
// NAME is one of the names the config key gives, as written there; default the
// first. The core does not read these files itself: the plugin checks the new text
// (see Backend::replace_plugin_file), so the API accepts exactly what the bot can load.
// A saved file is recorded in the audit log ("kb.saved", "intents.saved",
// "flows.saved").
#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <fstream>
#include <optional>
#include <sstream>

#include "api/bot_file_problem.hpp"
#include "api/etag.hpp"
#include "api/responses.hpp"
#include "api/rest_api.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

// The names for X-Switchboard-Files: each percent-encoded (a name may hold a comma
// or any byte), '/' kept for readability.
std::string names_header(const std::vector<std::string>& names) {
  constexpr auto kKept = boost::urls::unreserved_chars + '/';
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ',';
    out += boost::urls::encode(name, kKept);
  }
  return out;
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

size_t line_count(std::string_view text) {
  return std::count(text.begin(), text.end(), '\n') + (!text.empty() && text.back() != '\n');
}

}  // namespace

// The names the plugin's config key gives (a string or an array of them), as
// written; empty when none.
std::vector<std::string> bot_file_names(const tenants::TenantConfig& config, const BotFile& kind) {
  std::vector<std::string> names;
  const auto* section = config.section(kind.plugin);
  if (!section) return names;
  boost::system::error_code ec;
  const json::value table = json::parse(section->config_json, ec);
  const auto* value = !ec && table.is_object() ? table.get_object().if_contains(kind.key) : nullptr;
  if (value && value->is_string()) names.emplace_back(value->get_string());
  if (value && value->is_array())
    for (const auto& name : value->get_array())
      if (name.is_string()) names.emplace_back(name.get_string());
  return names;
}

void RestApi::bot_file(const TenantView& tenant, const BotFile& kind, const HttpRequest& request,
                       std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, true, false, refusal);
  if (!claims) return respond(std::move(refusal));
  const bool reading = request.method == "GET";
  if (!reading && request.method != "PUT")
    return respond(error_response(405, "method_not_allowed", "use GET or PUT"));

  const auto names = bot_file_names(*tenant.config, kind);
  if (names.empty())
    return respond(error_response(404, "not_found",
                                  "this tenant has no " + std::string(kind.what) + " ([plugins." +
                                      kind.plugin + "] " + kind.key + " in its config)"));
  std::string name = names.front();
  if (auto it = request.query.find("file"); it != request.query.end()) {
    if (std::find(names.begin(), names.end(), it->second) == names.end())
      return respond(error_response(404, "not_found",
                                    "not one of the tenant's " + std::string(kind.what) + " files",
                                    "file"));
    name = it->second;
  }

  // A body of nothing but blanks is no file: most often a client or a script that
  // failed to read the file it meant to send (`curl --data-binary @typo.toml` sends
  // nothing). Saving it would empty the bot's knowledge, so it is refused; a file
  // meant to hold nothing still says so (`entries = []`).
  if (!reading && request.body.find_first_not_of(" \t\r\n") == std::string::npos)
    return respond(error_response(400, "empty_file",
                                  "the body is empty: send the file's text (the " +
                                      std::string(kind.what) + " stays as it was)"));

  // File I/O and the plugin's check block: never on an I/O thread.
  boost::asio::post(blocking_pool_, [this, tenant, config = tenant.config, name, reading, kind,
                                     actor = actor_of(tenant, *claims),
                                     listed = names_header(names),
                                     body = reading ? std::string() : request.body,
                                     if_match = request.if_match, respond = std::move(respond)] {
    const auto path = config->file.parent_path() / name;
    if (reading) {
      auto text = read_file(path);
      if (!text)
        return respond(error_response(404, "not_found", "the file " + name + " cannot be read"));
      HttpResponse file{200, "application/toml; charset=utf-8", std::move(*text)};
      file.headers.emplace_back("X-Switchboard-Files", listed);
      file.headers.emplace_back("ETag", etag_of(file.body));
      return respond(std::move(file));
    }
    // Read here, on the pool's one thread that also runs every other write of these
    // files (PUTs, the unanswered questions' decisions), so nothing comes between.
    if (!if_match.empty()) {
      const auto now = etag_of(read_file(path).value_or(std::string()));
      if (!names_etag(if_match, now)) {
        auto changed = error_response(412, kind.changed_code,
                                      "the " + std::string(kind.what) +
                                          " was changed since you loaded it (by another admin, "
                                          "an unanswered question's decision or by hand); load "
                                          "it again and redo your change");
        changed.headers.emplace_back("ETag", now);
        return respond(std::move(changed));
      }
    }
    const auto error = backend_.replace_plugin_file(*config, kind.plugin, kind.key, name, body);
    if (!error.empty())
      return respond(
          bot_file_refusal(kind.invalid_code, error, read_bot_file_problem(error, name, body)));
    auto saved = json_response(200, json::object{{"file", name}});
    saved.headers.emplace_back("ETag", etag_of(body));
    respond(std::move(saved));
    audit::Change change{kind.audit_action, name,
                         std::string(kind.what) + " replaced: " + std::to_string(line_count(body)) +
                             " lines, " + std::to_string(body.size()) + " bytes"};
    change.object = {{"kind", "bot_file"}, {"file", name}};
    change.detail = {
        {"code", "file.replaced"}, {"lines", line_count(body)}, {"bytes", body.size()}};
    record_change(tenant, actor, std::move(change));
  });
}

}  // namespace sb::api
