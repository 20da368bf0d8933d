#include "cluster/rest_forward.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/json.hpp>

#include "auth/session_book.hpp"
#include "common/ascii.hpp"
#include "common/clock.hpp"

namespace sb::cluster {

namespace json = boost::json;

namespace {

// How long a mark is good: the exchange's own time limit, and room for clocks
// that differ between the nodes.
constexpr int64_t kMarkValidityMs = 60'000;

// The path's segments up to the fourth: "v1", "tenants", the tenant, the resource.
std::array<std::string_view, 4> first_segments(std::string_view path, size_t& count) {
  std::array<std::string_view, 4> parts;
  count = 0;
  size_t start = 0;
  while (start < path.size() && count < parts.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts[count++] = path.substr(start, end - start);
    start = end + 1;
  }
  return parts;
}

std::string string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Headers of the owner's answer that describe its connection to this node, not the
// answer: the hub writes its own.
bool hop_header(std::string_view name) {
  return ascii_iequals(name, "Content-Type") || ascii_iequals(name, "Content-Length") ||
         ascii_iequals(name, "Connection") || ascii_iequals(name, "Keep-Alive") ||
         ascii_iequals(name, "Transfer-Encoding") || ascii_iequals(name, "Server");
}

// A failing owner is said once a second at most, not once per request.
bool time_to_warn(std::atomic<int64_t>& last_ms) {
  const int64_t now = monotonic_ms();
  int64_t last = last_ms.load(std::memory_order_relaxed);
  return now - last >= 1000 && last_ms.compare_exchange_strong(last, now);
}

}  // namespace

std::optional<std::string> tenant_to_forward(const hub::HttpRequest& request) {
  size_t count = 0;
  const auto parts = first_segments(request.path, count);
  if (count < 4 || parts[0] != "v1" || parts[1] != "tenants") return std::nullopt;
  // Sign-in stays where the client is: its throttle counts the client's address.
  if (parts[3] == "auth") return std::nullopt;
  return std::string(parts[2]);
}

std::optional<std::string> session_sign_out_tenant(const hub::HttpRequest& request,
                                                   const auth::TokenSigner& signer, int64_t now_s) {
  if (request.method != "DELETE" || request.path != "/v1/session") return std::nullopt;
  const auto claims = signer.verify(hub::cookie_value(request, auth::kSessionCookie), now_s);
  if (!claims || claims->kind != "agent" || claims->session.empty()) return std::nullopt;
  return claims->tenant;
}

std::string seal_mark(const ForwardMark& mark, const auth::TokenSigner& signer) {
  const json::object payload{
      {"from", mark.from},     {"to", mark.to},         {"tenant", mark.tenant},
      {"method", mark.method}, {"target", mark.target}, {"client", mark.client_address},
      {"scheme", mark.scheme}, {"host", mark.host},     {"exp_ms", mark.expires_at_ms}};
  return signer.seal(kForwardPurpose, json::serialize(payload));
}

std::optional<ForwardMark> open_mark(const hub::HttpRequest& request, std::string_view tenant,
                                     std::string_view me, const auth::TokenSigner& signer,
                                     int64_t now_ms, std::string& why) {
  const auto payload = signer.open_sealed(kForwardPurpose, request.forwarded_mark, now_ms / 1000);
  if (!payload) {
    why = "its mark does not verify (do the nodes share one secret.key?)";
    return std::nullopt;
  }
  boost::system::error_code ec;
  const auto parsed = json::parse(*payload, ec);
  const auto* exp = parsed.is_object() ? parsed.as_object().if_contains("exp_ms") : nullptr;
  if (ec || !exp || !exp->is_int64()) {
    why = "its mark is malformed";
    return std::nullopt;
  }
  const auto& o = parsed.as_object();
  ForwardMark mark{string_field(o, "from"),   string_field(o, "to"),     string_field(o, "tenant"),
                   string_field(o, "method"), string_field(o, "target"), string_field(o, "client"),
                   string_field(o, "scheme"), string_field(o, "host"),   exp->as_int64()};
  if (mark.to != me) {
    why = "it was forwarded to node " + mark.to + ", not to this one";
    return std::nullopt;
  }
  // Bound to one request: a mark cannot vouch for another path, tenant or method.
  if (mark.tenant != tenant || mark.method != request.method || mark.target != request.target) {
    why = "its mark was made for another request";
    return std::nullopt;
  }
  if (mark.expires_at_ms <= now_ms) {
    why = "its mark has expired";
    return std::nullopt;
  }
  return mark;
}

hub::HttpResponse owner_unavailable(std::string_view message) {
  json::object error{{"code", "unavailable"}, {"message", message}};
  hub::HttpResponse response{
      503, "application/json", json::serialize(json::object{{"error", std::move(error)}}), {}};
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

RestForwarder::RestForwarder(boost::asio::any_io_executor executor, const auth::TokenSigner& signer,
                             Options options)
    : signer_(signer),
      options_(std::move(options)),
      client_(std::move(executor), http_client::ClientOptions{
                                       .max_body_bytes = options_.max_body_bytes,
                                   }) {}

void RestForwarder::forward(const std::string& tenant, const std::string& owner,
                            const std::string& owner_url, hub::HttpRequest request,
                            std::function<void(hub::HttpResponse)> respond) {
  if (owner_url.empty())
    return respond(
        owner_unavailable("the node that owns tenant " + tenant + " is not known yet; try again"));
  ForwardMark mark{options_.node_id, owner,          tenant,
                   request.method,   request.target, request.remote_address,
                   request.scheme,   request.host,   wall_clock_ms() + kMarkValidityMs};
  http_client::Request out;
  out.method = request.method;
  out.url = owner_url + request.target;
  out.timeout = options_.timeout;
  out.body = std::move(request.body);
  auto add = [&out](const char* name, const std::string& value) {
    if (!value.empty()) out.headers.emplace_back(name, value);
  };
  add("Authorization", request.authorization);
  add("Content-Type", request.content_type);
  add("Cookie", request.cookie);
  add("Origin", request.origin);
  add("If-None-Match", request.if_none_match);
  add("If-Match", request.if_match);
  add("X-CSRF-Token", request.csrf_token);
  add("X-File-Name", request.file_name);
  // For proxies and logs on the way; the owner believes the sealed mark only.
  add("X-Forwarded-For", request.remote_address);
  add("X-Forwarded-Proto", request.scheme);
  out.headers.emplace_back(kForwardedHeader, seal_mark(mark, signer_));

  auto answer = std::make_shared<std::function<void(hub::HttpResponse)>>(std::move(respond));
  auto done = [answer, tenant, owner, warned = last_warned_ms_](http_client::Response r) {
    if (r.status == 0) {
      if (time_to_warn(*warned))
        spdlog::warn("cluster: node {}, owner of tenant {}, did not answer a forwarded request: {}",
                     owner, tenant, r.error);
      return (*answer)(
          owner_unavailable("the node that owns tenant " + tenant + " did not answer; try again"));
    }
    hub::HttpResponse response{
        static_cast<unsigned>(r.status), std::move(r.content_type), std::move(r.body), {}};
    for (auto& [name, value] : r.headers)
      if (!hop_header(name)) response.headers.emplace_back(std::move(name), std::move(value));
    (*answer)(std::move(response));
  };
  const std::string refused = client_.request(std::move(out), {}, done);
  if (!refused.empty())
    (*answer)(owner_unavailable("the node that owns tenant " + tenant +
                                " has an address this node cannot use (" + refused + ")"));
}

}  // namespace sb::cluster
