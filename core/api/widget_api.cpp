// The widget's settings ([widget] of the tenant file).
//
//   GET /v1/tenants/ID/widget           what the widget needs before it opens its
//                                       socket (its look, its words, whether anyone
//                                       can answer now). No auth: any website may ask.
//   GET /v1/tenants/ID/widget/settings  admins: everything [widget] holds, as the
//                                       admin page edits it, with its version as ETag
//   PUT /v1/tenants/ID/widget           admins: replaces [widget] with the body (that
//                                       same form; null or a missing key: the default),
//                                       written into the tenant file as its reader
//                                       must accept it; 422 with the field, 412
//                                       widget_changed for an If-Match no longer current
#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "api/table_write.hpp"
#include "attachments/attachment.hpp"
#include "config/toml_json.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

json::object texts_json(const std::map<std::string, tenants::WidgetTexts>& texts) {
  json::object out;
  for (const auto& [language, words] : texts)
    out[language] = json::object{{"title", words.title},
                                 {"greeting", words.greeting},
                                 {"offline_message", words.offline_message}};
  return out;
}

json::array strings_json(const std::vector<std::string>& strings) {
  return json::array(strings.begin(), strings.end());
}

json::object widget_json(const tenants::TenantConfig& tenant) {
  const auto& w = tenant.widget;
  return json::object{
      {"tenant", tenant.id},
      {"color", w.color},
      {"logo", w.logo.empty() ? json::value(nullptr) : json::value(w.logo)},
      {"position", w.position},
      {"default_language", w.default_language},
      {"texts", texts_json(w.texts)},
      {"pre_chat",
       json::object{{"enabled", w.pre_chat_enabled}, {"fields", strings_json(w.pre_chat_fields)}}},
      {"attachments", attachments::attachments_summary(tenant.attachments)},
  };
}

// Every setting, as the admin page edits it and PUT takes it back.
json::object settings_json(const tenants::WidgetConfig& w) {
  return json::object{
      {"color", w.color},
      {"logo", w.logo.empty() ? json::value(nullptr) : json::value(w.logo)},
      {"position", w.position},
      {"default_language", w.default_language},
      {"allowed_origins", strings_json(w.allowed_origins)},
      {"pre_chat",
       json::object{{"enabled", w.pre_chat_enabled}, {"fields", strings_json(w.pre_chat_fields)}}},
      {"texts", texts_json(w.texts)},
  };
}

}  // namespace

void RestApi::widget_settings(const TenantView& tenant, const HttpRequest& request,
                              std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, true, false, refusal);
  if (!claims) return respond(std::move(refusal));
  auto view = [](const tenants::TenantConfig& config) -> std::optional<json::value> {
    return settings_json(config.widget);
  };
  if (request.method == "GET") {
    const json::value settings = settings_json(tenant.config->widget);
    return respond(versioned_response(request, settings));
  }
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object())
    return respond(error_response(400, "bad_json", "the body must be a JSON object"));
  // No logo is written as none, as the page's empty field means.
  if (auto* logo = body.as_object().if_contains("logo");
      logo && logo->is_string() && logo->get_string().empty())
    *logo = nullptr;
  TableWrite write;
  write.path = {"widget"};
  write.content = config::json_to_toml(body.as_object());
  write.view = view;
  write.tidy = [](toml::table& widget, const toml::table* in_file) {
    drop_defaults(widget, config::json_to_toml(settings_json(tenants::WidgetConfig{})), in_file);
  };
  write.if_match = request.if_match;
  write.changed_code = "widget_changed";
  write.what = "the widget's settings";
  write.audit_action = "widget.saved";
  write.audit_target = "widget";
  write.audit_object = {{"kind", "widget"}};
  write.actor = actor_of(tenant, *claims);
  write_table(tenant, std::move(write), std::move(respond));
}

void RestApi::widget(const TenantView& tenant, const HttpRequest& request,
                     std::function<void(HttpResponse)> respond) {
  if (request.method != "GET") return respond(error_response(405, "method_not_allowed", "use GET"));
  json::object body = widget_json(*tenant.config);
  const bool has_bot = tenant.config->bot.has_value();
  // Presence lives on the tenant's strand: asked there, answered from there.
  tenant.gate->engine()->agent_presence([body = std::move(body), has_bot,
                                         respond = std::move(respond)](auto presence) mutable {
    const bool agents_online = std::any_of(presence.begin(), presence.end(), [](const auto& entry) {
      return entry.second.status == engine::AgentStatus::online;
    });
    body["available"] = agents_online || has_bot;
    body["agents_online"] = agents_online;
    HttpResponse response = json_response(200, body);
    response.headers.emplace_back("Cache-Control", "no-cache");
    // The loader on the website's own page may read it too (public, no credentials).
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
    respond(std::move(response));
  });
}

}  // namespace sb::api
