// Cluster mode (docs/cluster.md, "REST on a node that does not own the tenant"): a
// REST request about a tenant is answered by the tenant's owner, whichever node
// the client reached. A node that runs the tenant relayed forwards the request to
// the owner placement names; the owner serves what was forwarded to it and
// refuses to forward it again.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "cluster/placement.hpp"
#include "common/clock.hpp"
#include "server/server.hpp"

namespace sb::server {

namespace {

hub::HttpResponse forwarding_refused(const std::string& why) {
  const std::string body = boost::json::serialize(boost::json::object{
      {"error", boost::json::object{{"code", "forbidden"},
                                    {"message", "a forwarded request was refused: " + why}}}});
  return {403, "application/json", body, {}};
}

}  // namespace

void Server::advertise_rest_url(uint16_t port) {
  std::string url = config_.cluster->rest_url;
  if (url.empty()) {
    const std::string& host = config_.listen_host;
    if (host == "0.0.0.0" || host == "::")
      spdlog::warn(
          "cluster: listening on {} (every address), other nodes are told to send this node's "
          "REST requests to it as an address; set [cluster] rest_url to one they can reach",
          host);
    const bool v6 = host.find(':') != std::string::npos;
    url = std::string(tls_ ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
          std::to_string(port);
  }
  cluster_->advertise(config_.listen_host + ":" + std::to_string(port), url);
  spdlog::info("cluster: REST requests about the tenants this node owns come to {}", url);
}

bool Server::answer_through_owner(hub::HttpRequest& request,
                                  std::function<void(hub::HttpResponse)>& respond) {
  auto tenant_id = cluster::tenant_to_forward(request);
  if (!tenant_id)
    tenant_id = cluster::session_sign_out_tenant(request, *signer_, wall_clock_ms() / 1000);
  std::shared_ptr<TenantRuntime> runtime;
  if (tenant_id) {
    std::shared_lock lock(tenants_mutex_);
    if (auto it = tenants_.find(*tenant_id); it != tenants_.end()) runtime = it->second;
  }
  const std::string& me = cluster_->node_id();

  if (!request.forwarded_mark.empty()) {
    std::string why = "no node forwards this request";
    auto mark = tenant_id
                    ? cluster::open_mark(request, *tenant_id, me, *signer_, wall_clock_ms(), why)
                    : std::nullopt;
    if (!mark) {
      spdlog::warn("cluster: refused a forwarded {} {}: {}", request.method, request.path, why);
      respond(forwarding_refused(why));
      return true;
    }
    // Forwarded once only: a node that does not own the tenant (any more) says so
    // and the client asks again, by then of the new owner.
    if (runtime && runtime->relayed) {
      respond(cluster::owner_unavailable("node " + me + " does not own tenant " + *tenant_id +
                                         " (any more); try again"));
      return true;
    }
    request.remote_address = mark->client_address;
    request.scheme = mark->scheme;
    request.host = mark->host;
    return false;
  }

  // Owned here, or unknown here (answered 404 as on one node): served here.
  if (!runtime || !runtime->relayed) return false;
  const std::string owner = cluster::owner_of(*tenant_id, cluster_->nodes_serving(*tenant_id));
  if (owner.empty() || owner == me) {
    // This node is about to take it (or cannot see the other nodes): its engine is
    // not running yet, and no other node's answer would be current.
    respond(
        cluster::owner_unavailable("tenant " + *tenant_id + " is moving to this node; try again"));
    return true;
  }
  forwarder_->forward(*tenant_id, owner, cluster_->rest_url_of(owner), std::move(request),
                      std::move(respond));
  return true;
}

}  // namespace sb::server
