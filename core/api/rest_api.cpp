#include "api/rest_api.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <memory>
#include <thread>
#include <vector>

#include "api/responses.hpp"
#include "auth/password.hpp"
#include "auth/session_book.hpp"
#include "auth/token_signer.hpp"
#include "common/clock.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

// Password checks waiting or running at once (each running one holds 64 MiB for
// argon2id): about 5 s of hashing on one core. More are refused with 503, unless a
// newcomer may push one out (auth/password_checks.hpp).
constexpr size_t kMaxPasswordChecks = 32;
// How long a sign-in that found no room waits for its 503 (its Retry-After).
constexpr auto kBusyRefusalDelay = std::chrono::seconds(1);
constexpr uint32_t kDefaultHistoryLimit = 50;
constexpr uint32_t kMaxHistoryLimit = 200;

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool parse_uint(const std::map<std::string, std::string>& query, const char* key, uint64_t& out) {
  auto it = query.find(key);
  if (it == query.end()) return true;
  const auto& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// 429 with Retry-After in whole seconds, rounded up.
HttpResponse too_many_sign_ins(int64_t retry_after_ms) {
  const int64_t seconds = std::max<int64_t>(1, (retry_after_ms + 999) / 1000);
  // The wait is also in the body, for pages whose fetch cannot read the header.
  json::object error{
      {"code", "rate_limited"},
      {"message", "too many failed sign-ins; try again in " + std::to_string(seconds) + " s"},
      {"retry_after", seconds}};
  HttpResponse response{429, "application/json",
                        json::serialize(json::object{{"error", std::move(error)}})};
  response.headers.emplace_back("Retry-After", std::to_string(seconds));
  return response;
}

// 503 when the password checks are full: nothing was checked, nothing counted.
HttpResponse too_busy_to_check() {
  HttpResponse response =
      error_response(503, "unavailable", "too many sign-ins being checked; try again");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

// Half the cores hash, so chat always has the rest (and the checks run at the idle
// priority besides, lifted to nice 10 only when they starve, and to the server's
// own priority when a starved one has waited 3 s).
auth::PasswordCheckLimits password_check_limits() {
  auth::PasswordCheckLimits limits;
  limits.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 2));
  limits.max_queued = kMaxPasswordChecks;
  return limits;
}

}  // namespace

auth::Claims agent_claims(const agents::AgentRecord& account, const std::string& tenant_id,
                          int64_t ttl_s) {
  auth::Claims claims;
  claims.kind = "agent";
  claims.tenant = tenant_id;
  claims.subject = account.id;
  claims.role = account.role;
  claims.expires_at_s = wall_clock_ms() / 1000 + ttl_s;
  claims.epoch = account.epoch;
  claims.issued_at_ms = wall_clock_ms();
  return claims;
}

RestApi::RestApi(Backend& backend, const auth::TokenSigner& signer, auth::SessionBook& sessions,
                 metrics::Registry& metrics, boost::asio::thread_pool& blocking_pool,
                 const std::string& password_helper)
    : backend_(backend),
      signer_(signer),
      sessions_(sessions),
      metrics_(metrics),
      blocking_pool_(blocking_pool),
      password_helpers_(
          password_helper.empty()
              ? nullptr
              : std::make_unique<auth::PasswordHelpers>(
                    password_helper, static_cast<size_t>(password_check_limits().threads))),
      password_checks_(password_check_limits(), [this](auth::Lift to) {
        (to == auth::Lift::urgent ? metrics_.password_checks_urgent
                                  : metrics_.password_checks_lifted)
            .fetch_add(1, std::memory_order_relaxed);
      }) {}

void RestApi::handle(HttpRequest request, std::function<void(HttpResponse)> respond) {
  const auto parts = split_path(request.path);
  const bool get = request.method == "GET";

  if (request.path == "/healthz") {
    return respond(get ? HttpResponse{200, "application/json", R"({"status":"ok"})"}
                       : error_response(405, "method_not_allowed", "use GET"));
  }
  if (request.path == "/readyz") {
    std::string why;
    if (backend_.ready(why)) return respond({200, "application/json", R"({"status":"ready"})"});
    return respond(
        HttpResponse{503, "application/json",
                     json::serialize(json::object{{"status", "not_ready"}, {"reason", why}})});
  }
  if (request.path == "/metrics") {
    return respond({200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render_prometheus()});
  }

  if (request.path == "/v1/session") return session(request, std::move(respond));

  // /v1/tenants/ID/...
  if (parts.size() < 4 || parts[0] != "v1" || parts[1] != "tenants")
    return respond(error_response(404, "not_found", "no such endpoint"));
  auto tenant = backend_.tenant(parts[2]);
  if (!tenant) return respond(error_response(404, "not_found", "no such tenant"));

  if (parts.size() == 5 && parts[3] == "auth" && (parts[4] == "login" || parts[4] == "session")) {
    if (request.method != "POST")
      return respond(error_response(405, "method_not_allowed", "use POST"));
    if (parts[4] == "session") return open_session(*tenant, request, std::move(respond));
    return login(*tenant, request, std::move(respond));
  }
  if (parts.size() == 4 && parts[3] == "widget") {
    if (request.method == "PUT") return widget_settings(*tenant, request, std::move(respond));
    return widget(*tenant, request, std::move(respond));
  }
  if (parts.size() == 5 && parts[3] == "widget" && parts[4] == "settings") {
    if (!get)
      return respond(error_response(405, "method_not_allowed", "use GET (PUT to ../widget)"));
    return widget_settings(*tenant, request, std::move(respond));
  }
  if (parts[3] == "groups" && parts.size() <= 5)
    return groups(*tenant, parts.size() == 5 ? parts[4] : std::string_view(), request,
                  std::move(respond));
  if (parts[3] == "canned-replies" && parts.size() <= 5)
    return canned_replies(*tenant, parts.size() == 5 ? parts[4] : std::string_view(), request,
                          std::move(respond));
  if (parts.size() == 4 && parts[3] == "kb")
    return bot_file(*tenant, kKnowledgeBaseFile, request, std::move(respond));
  if (parts.size() == 4 && parts[3] == "intents")
    return bot_file(*tenant, kIntentsFile, request, std::move(respond));
  if (parts.size() == 4 && parts[3] == "flows")
    return bot_file(*tenant, kFlowsFile, request, std::move(respond));
  if (parts.size() == 5 && parts[3] == "bot" && parts[4] == "try")
    return try_bot(*tenant, request, std::move(respond));
  if ((parts.size() == 5 || parts.size() == 7) && parts[3] == "bot" && parts[4] == "unanswered")
    return unanswered(*tenant, parts.size() == 7 ? parts[5] : std::string_view(),
                      parts.size() == 7 ? parts[6] : std::string_view(), request,
                      std::move(respond));
  if (parts[3] == "routing" && parts.size() <= 5)
    return routing(*tenant, parts.size() == 5 ? parts[4] : std::string_view(), request,
                   std::move(respond));
  if (parts[3] == "attachments" && parts.size() <= 6) {
    // Copies: the parts point into the request, which moves on.
    const std::string id(parts.size() >= 5 ? parts[4] : std::string_view());
    const std::string sub(parts.size() == 6 ? parts[5] : std::string_view());
    return attachments(*tenant, id, sub, std::move(request), std::move(respond));
  }
  if (parts.size() == 4 && parts[3] == "colleagues")
    return colleagues(*tenant, request, std::move(respond));
  if (parts.size() == 6 && parts[3] == "agents" && parts[5] == "sign-out")
    return sign_out_agent(*tenant, parts[4], request, std::move(respond));
  if (parts[3] == "agents" && parts.size() <= 5)
    return agents(*tenant, parts.size() == 5 ? parts[4] : std::string_view(), request,
                  std::move(respond));
  if (parts.size() == 5 && parts[3] == "stats")
    return stats(*tenant, parts[4], request, std::move(respond));
  if (parts.size() == 4 && parts[3] == "search")
    return search(*tenant, request, std::move(respond));
  if (parts.size() == 4 && parts[3] == "retention")
    return retention(*tenant, request, std::move(respond));
  if (parts.size() == 6 && parts[3] == "visitors" && parts[5] == "data")
    return visitor_data(*tenant, std::string(parts[4]), request, std::move(respond));
  if (parts.size() == 4 && parts[3] == "audit")
    return audit_log(*tenant, request, std::move(respond));
  if (parts.size() == 5 && parts[3] == "conversations") {
    if (request.method != "PATCH")
      return respond(error_response(405, "method_not_allowed", "use PATCH"));
    return patch_conversation(*tenant, std::string(parts[4]), request, std::move(respond));
  }
  if (parts.size() == 4 && parts[3] == "conversations") {
    if (!get) return respond(error_response(405, "method_not_allowed", "use GET"));
    return conversations(*tenant, request, std::move(respond));
  }
  if (parts.size() == 6 && parts[3] == "conversations" && parts[5] == "messages") {
    if (!get) return respond(error_response(405, "method_not_allowed", "use GET"));
    return history(*tenant, std::string(parts[4]), request, std::move(respond));
  }
  respond(error_response(404, "not_found", "no such endpoint"));
}

void RestApi::login(const TenantView& tenant, const HttpRequest& request,
                    std::function<void(HttpResponse)> respond) {
  check_password(tenant, request, std::move(respond),
                 [this, tenant_id = tenant.config->id, ttl = tenant.config->agent_token_ttl_s](
                     const agents::AgentRecord& account, Respond respond) {
                   const auth::Claims claims = agent_claims(account, tenant_id, ttl);
                   json::object out{{"token", signer_.issue(claims)},
                                    {"expires_at", claims.expires_at_s},
                                    {"agent", json::object{{"id", account.id},
                                                           {"name", account.name},
                                                           {"role", account.role}}}};
                   respond({200, "application/json", json::serialize(out)});
                 });
}

void RestApi::check_password(const TenantView& tenant, const HttpRequest& request, Respond respond,
                             SignedIn signed_in) {
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object())
    return respond(error_response(400, "bad_json", "the body must be a JSON object"));
  const auto* email = body.get_object().if_contains("email");
  const auto* password = body.get_object().if_contains("password");
  if (!email || !email->is_string() || email->get_string().empty())
    return respond(error_response(422, "bad_field", "email must be a non-empty string", "email"));
  if (!password || !password->is_string())
    return respond(error_response(422, "bad_field", "password must be a string", "password"));

  // Guessing is throttled before any hashing, per address and per account (the
  // same key for known and unknown emails: no account probing through 429s).
  std::string address = request.remote_address;
  std::string account_key = tenant.config->id + '\n' + lowercase(email->get_string());
  const auto verdict = login_throttle_.begin(address, account_key, monotonic_ms());
  if (verdict.locked != auth::LoginThrottle::Scope::none) {
    metrics_.logins_throttled.fetch_add(1, std::memory_order_relaxed);
    return respond(too_many_sign_ins(verdict.retry_after_ms));
  }
  // A copy: the check runs on a check thread, after this request's data is gone.
  std::optional<agents::AgentRecord> account =
      tenant.agents->by_email(std::string_view(email->get_string()));
  // Whichever of check and refusal runs gets the one respond.
  auto answer = std::make_shared<Respond>(std::move(respond));
  auto check = [this, account = std::move(account), password = std::string(password->get_string()),
                address, account_key, answer, signed_in = std::move(signed_in)] {
    // Unknown emails cost the same time as wrong passwords: no account probing.
    const std::string_view hash =
        account ? std::string_view(account->password_hash) : auth::kTimingEqualiserHash;
    const auto matched = password_helpers_ ? password_helpers_->verify(hash, password)
                                           : std::optional(auth::verify_password(hash, password));
    if (!matched) {
      spdlog::warn(
          "sign-in refused (503): its password helper process died or hung; the next "
          "check starts a new one");
      login_throttle_.abandon(address, account_key);
      metrics_.logins_refused_busy.fetch_add(1, std::memory_order_relaxed);
      return (*answer)(too_busy_to_check());
    }
    const bool ok = *matched && account;
    note_login(address, account_key, ok);
    if (!ok) return (*answer)(unauthorized(kWrongPassword));
    signed_in(*account, std::move(*answer));
  };
  auto refuse = [this, address, account_key, answer] {
    login_throttle_.abandon(address, account_key);
    metrics_.logins_refused_busy.fetch_add(1, std::memory_order_relaxed);
    (*answer)(too_busy_to_check());
  };
  if (password_checks_.submit(address, verdict.standing, std::move(check), refuse)) return;
  // No room: answered after a pause, so a client that asks again at once (a
  // flood's) costs the event loops one request per pause, not thousands a second.
  login_throttle_.abandon(address, account_key);
  metrics_.logins_refused_busy.fetch_add(1, std::memory_order_relaxed);
  auto pause =
      std::make_shared<boost::asio::steady_timer>(blocking_pool_.get_executor(), kBusyRefusalDelay);
  pause->async_wait([pause, answer](boost::system::error_code) { (*answer)(too_busy_to_check()); });
}

void RestApi::note_login(const std::string& address, const std::string& account_key, bool ok) {
  const auto outcome = login_throttle_.finish(address, account_key, ok, monotonic_ms());
  if (ok) return;
  metrics_.login_failures.fetch_add(1, std::memory_order_relaxed);
  for (const auto* lock : {&outcome.address, &outcome.account}) {
    if (lock->scope == auth::LoginThrottle::Scope::none) continue;
    (lock->scope == auth::LoginThrottle::Scope::address ? metrics_.login_locks_address
                                                        : metrics_.login_locks_account)
        .fetch_add(1, std::memory_order_relaxed);
    // The account is named by its tenant and email, never with the password.
    const std::string who = lock->scope == auth::LoginThrottle::Scope::address
                                ? address
                                : account_key.substr(0, account_key.find('\n')) + "/" +
                                      account_key.substr(account_key.find('\n') + 1);
    spdlog::warn("sign-in locked: {} {} for {} s after {} failed attempts",
                 auth::LoginThrottle::to_string(lock->scope), who, (lock->duration_ms + 999) / 1000,
                 lock->failures);
  }
}

void RestApi::history(const TenantView& tenant, const std::string& conversation_id,
                      const HttpRequest& request, std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, false, true, refusal);
  if (!claims) return respond(std::move(refusal));

  uint64_t before_seq = 0, limit = kDefaultHistoryLimit;
  if (!parse_uint(request.query, "before_seq", before_seq))
    return respond(error_response(422, "bad_field", "before_seq must be a non-negative integer",
                                  "before_seq"));
  if (!parse_uint(request.query, "limit", limit) || limit == 0 || limit > kMaxHistoryLimit)
    return respond(error_response(422, "bad_field", "limit must be between 1 and 200", "limit"));

  engine::Identity who;
  who.role = claims->kind == "agent" ? engine::Role::agent : engine::Role::visitor;
  who.id = claims->subject;
  who.agent_role = claims->role;
  tenant.gate->engine()->history(who, conversation_id, before_seq, static_cast<uint32_t>(limit),
                                 answering(std::move(respond)));
}

void RestApi::conversations(const TenantView& tenant, const HttpRequest& request,
                            std::function<void(HttpResponse)> respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, false, false, refusal);
  if (!claims) return respond(std::move(refusal));
  json::object filter;
  for (const auto& [key, value] : request.query) {
    if (key == "status") {
      if (value != "bot" && value != "queued" && value != "assigned" && value != "closed")
        return respond(error_response(422, "bad_field",
                                      "status must be bot, queued, assigned or closed", "status"));
      filter["status"] = json::array{json::value(value)};
    } else if (key == "assignee" || key == "visitor_id" || key == "group" || key == "tag") {
      filter[key] = value;
    } else if (key == "since" || key == "until") {
      // Creation time, Unix milliseconds: since <= created_at < until.
      uint64_t ms = 0;
      if (!parse_uint(request.query, key.c_str(), ms) || ms > uint64_t{INT64_MAX})
        return respond(
            error_response(422, "bad_field", key + " must be a time in Unix milliseconds", key));
      filter[key == "since" ? "created_since" : "created_until"] = ms;
    } else if (key == "limit") {
      uint64_t limit = 0;
      if (!parse_uint(request.query, "limit", limit) || limit == 0 || limit > 1000)
        return respond(
            error_response(422, "bad_field", "limit must be between 1 and 1000", "limit"));
      filter["limit"] = limit;
    } else {
      return respond(error_response(
          422, "bad_field",
          "unknown filter (known: status, assignee, visitor_id, group, tag, since, until, limit)",
          key));
    }
  }
  if (!filter.contains("limit")) filter["limit"] = 100;
  engine::Identity who;
  who.role = engine::Role::agent;
  who.id = claims->subject;
  who.agent_role = claims->role;
  tenant.gate->engine()->list_conversations(who, json::serialize(filter),
                                            answering(std::move(respond)));
}

std::optional<auth::Claims> RestApi::authorize(const TenantView& tenant, const HttpRequest& request,
                                               bool admin_only, bool visitors_allowed,
                                               HttpResponse& refusal) const {
  auto claims = credentials(request, refusal);
  if (!claims || !admit(tenant, *claims, admin_only, visitors_allowed, refusal))
    return std::nullopt;
  return claims;
}

std::optional<auth::Claims> RestApi::credentials(const HttpRequest& request,
                                                 HttpResponse& refusal) const {
  std::string token = hub::bearer_token(request);
  const bool by_cookie = token.empty();
  if (by_cookie) token = hub::cookie_value(request, auth::kSessionCookie);
  if (token.empty()) {
    refusal = unauthorized(kTokenRequired);
    return std::nullopt;
  }
  auto claims = sessions_.verify(token, wall_clock_ms() / 1000);
  if (!claims) {
    refusal = unauthorized(sessions_.refusal(token, wall_clock_ms() / 1000));
    return std::nullopt;
  }
  // A cookie rides along on any page's request; only the console knows the token.
  const bool reads = request.method == "GET" || request.method == "HEAD";
  if (by_cookie && !reads && !sessions_.csrf_matches(token, request.csrf_token)) {
    refusal = error_response(403, "csrf", "X-CSRF-Token is missing or does not match the session");
    return std::nullopt;
  }
  return claims;
}

bool RestApi::admit(const TenantView& tenant, auth::Claims& claims, bool admin_only,
                    bool visitors_allowed, HttpResponse& refusal) const {
  if (claims.tenant != tenant.config->id) {
    refusal = error_response(403, "forbidden", "this token belongs to another tenant");
    return false;
  }
  if (claims.kind == "visitor") {
    if (visitors_allowed && !admin_only) return true;
    refusal = error_response(403, "forbidden", "an agent token is required");
    return false;
  }
  auto agent = tenant.agents->by_id(claims.subject);
  // The console tells its agent why the session ended from whichever answer comes
  // first, a REST call's or the socket's close: both carry the same problem code.
  if (!agent) {
    refusal = unauthorized(kAgentRemoved);
    return false;
  }
  if (agent->epoch != claims.epoch) {
    refusal = unauthorized(kPasswordChanged);
    return false;
  }
  if (admin_only && agent->role != "admin") {
    refusal = error_response(403, "forbidden", "an admin token is required");
    return false;
  }
  claims.role = agent->role;  // the current role, not the one at login
  return true;
}

}  // namespace sb::api
