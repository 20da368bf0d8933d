// The console's cookie sessions: sign in (POST /v1/tenants/ID/auth/session), who is
// signed in (GET /v1/session), sign out (DELETE /v1/session). The session token
// travels only in an HttpOnly, SameSite=Strict cookie; the console sends the CSRF
// token it is answered with on every call that changes something.
#include <boost/json/serialize.hpp>

#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "auth/session_book.hpp"
#include "common/clock.hpp"
#include "common/origin.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

// {"tenant","agent":{"id","name","email","role"},"csrf_token","expires_at"}
json::object session_json(const auth::Claims& claims, const agents::AgentRecord& agent,
                          std::string csrf_token) {
  return json::object{
      {"tenant", claims.tenant},
      {"agent",
       json::object{
           {"id", agent.id}, {"name", agent.name}, {"email", agent.email}, {"role", agent.role}}},
      {"csrf_token", std::move(csrf_token)},
      {"expires_at", claims.expires_at_s}};
}

}  // namespace

void RestApi::open_session(const TenantView& tenant, const HttpRequest& request, Respond respond) {
  // Only the console, served by this server, signs in with a cookie.
  if (!request.origin.empty() && !same_origin_as_host(request.origin, request.host))
    return respond(
        error_response(403, "forbidden_origin", "sign in from this server's own console page"));
  check_password(
      tenant, request, std::move(respond),
      [this, tenant_id = tenant.config->id, ttl = tenant.config->agent_token_ttl_s,
       over_tls = request.scheme == "https"](const agents::AgentRecord& account, Respond respond) {
        auth::Claims claims = agent_claims(account, tenant_id, ttl);
        const std::string token = sessions_.open(claims);
        HttpResponse response =
            json_response(200, session_json(claims, account, sessions_.csrf_token(token)));
        // Over TLS (ours or a proxy's) the browser must never send the cookie over plain HTTP.
        response.headers.emplace_back(
            "Set-Cookie", auth::SessionBook::cookie(token, ttl) + (over_tls ? "; Secure" : ""));
        respond(std::move(response));
      });
}

void RestApi::session(const HttpRequest& request, Respond respond) {
  const bool get = request.method == "GET";
  if (!get && request.method != "DELETE")
    return respond(error_response(405, "method_not_allowed", "use GET or DELETE"));
  // GET ?probe=1 asks whether there is a session, as a page does before it shows its
  // sign-in form: "none" is an answer then (200 {"session":null}), not an error a
  // browser reports in its console.
  const auto probe = request.query.find("probe");
  const bool probing = get && probe != request.query.end() && probe->second == "1";
  auto refuse = [&](HttpResponse refusal) {
    if (probing && refusal.status == 401)
      return respond(json_response(200, json::object{{"session", nullptr}}));
    respond(std::move(refusal));
  };
  HttpResponse refusal;
  auto claims = credentials(request, refusal);
  if (!claims) return refuse(std::move(refusal));
  const auto tenant = backend_.tenant(claims->tenant);
  if (claims->session.empty() || !tenant) return refuse(unauthorized(kNotSignedIn));
  if (!admit(*tenant, *claims, false, false, refusal)) return refuse(std::move(refusal));

  if (!get) {
    const auto ended = auth::SessionBook::session_ended(*claims);
    return backend_.share_sign_out(
        ended, [this, ended, respond = std::move(respond)](std::string error) {
          if (!error.empty())
            return respond(error_response(
                503, "unavailable", "the sign-out could not be kept (" + error + "); try again"));
          sessions_.remember({ended}, kSignedOut.close_reason());
          HttpResponse response{204, "application/json", "", {}};
          response.headers.emplace_back("Set-Cookie", auth::SessionBook::clearing_cookie());
          respond(std::move(response));
        });
  }
  const auto agent = tenant->agents->by_id(claims->subject);
  if (!agent) return refuse(unauthorized(kAgentRemoved));
  const std::string token = hub::cookie_value(request, auth::kSessionCookie);
  respond(json_response(200, session_json(*claims, *agent, sessions_.csrf_token(token))));
}

}  // namespace sb::api
