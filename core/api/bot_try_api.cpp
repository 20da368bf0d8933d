// The admin's "try it" box: a question for the tenant's bot, answered as a first
// visitor message would be, with nothing kept (no conversation, no flow state) and
// no LLM called (see bots/trial.hpp).
//
//   POST /v1/tenants/ID/bot/try   {"text": S, "language"?: S}
//     -> 200 {"outcome": "answered" | "handoff" | "close" | "llm",
//             "replies": [{"text", "quick_replies": [S]}],
//             "answered_by": {"stage", "score"?, "source"?} | null,
//             "intent": {"name", "confidence"?} | null,
//             "candidates": [{"id", "question", "answer", "score", "source"}],
//             "handoff"?: {"reason", "group"},
//             "stages": [{"stage", "kind": "autoreply" | "llm",
//                         "status": "answered" | "deferred" | "failed" | "not_called",
//                         "score"?, "source"?, "error"?, "declined"?}]}
//
// "llm": the pipeline would have asked its LLM stage (a stage asked for it, or none
// answered), which a trial never calls. candidates: the closest knowledge-base
// entries when the FAQ stage did not answer itself (its context.faq). declined: why
// a stage would not answer ({"why": "not_for_bot", "example"}: like a question an
// admin dismissed), as it said. Admins only;
// 404 without [bot]; 422 for a missing or empty text, a bad language or an unknown
// field.
#include <boost/json.hpp>
#include <regex>

#include "api/responses.hpp"
#include "api/rest_api.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

constexpr size_t kMaxTrialTextBytes = 4000;

json::object parsed_object(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return !ec && v.is_object() ? std::move(v.get_object()) : json::object{};
}

json::value trial_json(bots::TrialAnswer answer) {
  json::array stages;
  json::value answered_by = nullptr;
  json::value intent = nullptr;
  json::array candidates;
  for (const auto& step : answer.steps) {
    json::object out{
        {"stage", step.stage}, {"kind", step.llm ? "llm" : "autoreply"}, {"status", step.status}};
    json::object result = parsed_object(step.result_json);
    for (const char* key : {"score", "source"})
      if (const auto* v = result.if_contains(key)) out[key] = *v;
    if (const auto* declined = result.if_contains("declined"); declined && declined->is_object())
      out["declined"] = *declined;
    if (!step.error.empty()) out["error"] = step.error;
    if (const auto* context = result.if_contains("context"); context && context->is_object()) {
      const auto& c = context->get_object();
      if (const auto* i = c.if_contains("intent"); i && i->is_object()) intent = *i;
      if (const auto* faq = c.if_contains("faq"); faq && faq->is_array())
        candidates = faq->get_array();
    }
    if (step.status == "answered") {
      json::object by{{"stage", step.stage}};
      for (const char* key : {"score", "source"})
        if (const auto* v = result.if_contains(key)) by[key] = *v;
      answered_by = std::move(by);
    }
    stages.push_back(std::move(out));
  }

  const auto& outcome = answer.outcome;
  json::array replies;
  for (const auto& reply : outcome.replies) {
    json::array quick;
    for (const auto& q : reply.quick_replies) quick.push_back(json::value(q));
    replies.push_back(json::object{{"text", reply.text}, {"quick_replies", std::move(quick)}});
  }
  json::object body{{"outcome", answer.would_ask_llm ? "llm"
                                : outcome.handoff    ? "handoff"
                                : outcome.close      ? "close"
                                                     : "answered"},
                    {"replies", std::move(replies)},
                    {"answered_by", std::move(answered_by)},
                    {"intent", std::move(intent)},
                    {"candidates", std::move(candidates)},
                    {"stages", std::move(stages)}};
  if (outcome.handoff)
    body["handoff"] =
        json::object{{"reason", outcome.handoff_reason}, {"group", outcome.handoff_group}};
  return body;
}

}  // namespace

void RestApi::try_bot(const TenantView& tenant, const HttpRequest& request,
                      std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  if (!authorize(tenant, request, true, false, refusal)) return respond(std::move(refusal));
  if (request.method != "POST")
    return respond(error_response(405, "method_not_allowed", "use POST"));
  if (!tenant.bot_trial)
    return respond(
        error_response(404, "not_found", "this tenant has no bot ([bot] in its config)"));

  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object())
    return respond(error_response(400, "bad_json", "the body must be a JSON object"));
  std::string text, language;
  for (const auto& [key, value] : body.get_object()) {
    if (key == "text") {
      if (!value.is_string())
        return respond(error_response(422, "bad_field", "text must be a string", "text"));
      text = value.get_string();
    } else if (key == "language") {
      static const std::regex kLanguage("[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}");
      if (!value.is_string() || (!value.get_string().empty() &&
                                 !std::regex_match(std::string(value.get_string()), kLanguage)))
        return respond(error_response(
            422, "bad_field", "language must be a language tag such as en or zh-CN", "language"));
      language = value.get_string();
    } else {
      return respond(
          error_response(422, "bad_field", "unknown field (known: text, language)", key));
    }
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return respond(error_response(422, "bad_field", "text must not be empty", "text"));
  if (text.size() > kMaxTrialTextBytes)
    return respond(error_response(422, "bad_field", "text must be at most 4000 bytes", "text"));

  tenant.bot_trial->run(std::move(text), std::move(language),
                        [respond = std::move(respond)](bots::TrialAnswer answer) {
                          respond(json_response(200, trial_json(std::move(answer))));
                        });
}

}  // namespace sb::api
