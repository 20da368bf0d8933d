// GET /v1/tenants/ID/widget: what the widget needs before it opens its socket (its
// look, its words, whether anyone can answer now). No auth: any website may ask.
#include <algorithm>
#include <boost/json/serialize.hpp>

#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "attachments/attachment.hpp"

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

}  // namespace

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
