// REST on any node of a cluster (docs/cluster.md, "REST on a node that does not own
// the tenant"). A tenant's engine runs on its owner node only, so what a request
// about the tenant reads or changes (the queue, presence, live stats, closing or
// transferring a conversation, stored records the owner writes) is the owner's to
// answer. Another node forwards the request to the owner and returns its answer as
// is; when the owner is unknown or does not answer, it answers 503 with
// Retry-After, never from its own idle engine.
//
// A forwarded request carries a mark (header X-Switchboard-Forwarded) sealed with
// the cluster's shared secret.key: who forwarded it to whom, for which tenant,
// method and target, the client's address, scheme and Host as the first node saw
// them, and until when it is good. The owner believes the client's address only
// from a mark that verifies, and never forwards a marked request again: a node
// that is not the owner (any more) answers it 503, so a request cannot loop.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/token_signer.hpp"
#include "http_client/http_client.hpp"
#include "hub/http_types.hpp"

namespace sb::cluster {

inline constexpr const char* kForwardedHeader = "X-Switchboard-Forwarded";
// The purpose the mark is sealed for (auth::TokenSigner::seal).
inline constexpr const char* kForwardPurpose = "node-forward";

// The tenant of a request that only the tenant's owner may answer: every
// /v1/tenants/<id>/... endpoint but sign-in (auth/login, auth/session), which any
// node answers from the tenant's read-only storage so that the sign-in throttle
// sees the client's own address. nullopt for what each node answers itself:
// health, readiness, metrics, the console's session, static files.
std::optional<std::string> tenant_to_forward(const hub::HttpRequest& request);

// A console signing out (DELETE /v1/session) is the owner's to record too
// (cluster/sign_outs.hpp): the tenant of its session cookie when the cookie's token
// verifies under signer at now_s (signed out or not: the owner says so), else
// nullopt (answered where it is, 401).
std::optional<std::string> session_sign_out_tenant(const hub::HttpRequest& request,
                                                   const auth::TokenSigner& signer, int64_t now_s);

// What a forwarded request's mark says.
struct ForwardMark {
  std::string from;    // the forwarding node
  std::string to;      // the node it was sent to (the owner then)
  std::string tenant;  // the tenant the request is about
  std::string method;  // and the request's method and target, as sent
  std::string target;
  std::string client_address;  // the client, as the forwarding node saw it
  std::string scheme;          // "http" or "https", as the client used
  std::string host;            // the client's Host header
  int64_t expires_at_ms = 0;   // wall clock
};

std::string seal_mark(const ForwardMark& mark, const auth::TokenSigner& signer);

// The mark of request when it verifies under the cluster's key, was sent to node
// `me`, names the request's tenant, method and target and has not expired at
// now_ms; else nullopt and why.
std::optional<ForwardMark> open_mark(const hub::HttpRequest& request, std::string_view tenant,
                                     std::string_view me, const auth::TokenSigner& signer,
                                     int64_t now_ms, std::string& why);

// 503, the JSON error shape, Retry-After: 1 (the owner is about to be known again).
hub::HttpResponse owner_unavailable(std::string_view message);

// Sends requests to their tenant's owner node over HTTP (HTTPS when the owner's URL
// says so) and answers with what the owner said.
class RestForwarder {
 public:
  struct Options {
    std::string node_id;  // this node, the mark's `from`
    // The whole exchange with the owner, connect to last byte.
    std::chrono::milliseconds timeout{30000};
    // The largest answer taken from the owner (a downloaded attachment).
    size_t max_body_bytes = 40 << 20;
  };

  // The exchanges run on executor (an event loop's).
  RestForwarder(boost::asio::any_io_executor executor, const auth::TokenSigner& signer,
                Options options);

  // Forwards request (about tenant) to node owner at owner_url ("http://host:port",
  // "" when the owner's address is unknown); respond runs once, on any thread, with
  // the owner's answer, or 503 when there is none.
  void forward(const std::string& tenant, const std::string& owner, const std::string& owner_url,
               hub::HttpRequest request, std::function<void(hub::HttpResponse)> respond);

 private:
  const auth::TokenSigner& signer_;
  Options options_;
  http_client::Client client_;
  // When a failing owner was last logged (shared with exchanges still in flight).
  std::shared_ptr<std::atomic<int64_t>> last_warned_ms_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace sb::cluster
