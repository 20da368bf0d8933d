// Cluster mode (docs/cluster.md, "Sign-outs on every node"): a sign-out made on a
// tenant's owner is kept in the tenant's storage and published on the cluster bus
// (cluster/sign_outs.hpp); every node takes what it hears into its SessionBook and
// reads each tenant's list when it starts serving the tenant and whenever its link
// to the bus comes back, so a node that was down or cut off refuses the same tokens
// as the others before it serves them. A change of a tenant's agents stored by the
// owner is told the same way, and the other nodes read the stored agents again.
#include <spdlog/spdlog.h>

#include "cluster/sign_outs.hpp"
#include "common/clock.hpp"
#include "common/session_end.hpp"
#include "server/server.hpp"

namespace sb::server {

namespace {

std::string reason_of(const auth::SignOut& sign_out) {
  return (sign_out.session.empty() ? kSignedOutByAdmin : kSignedOut).close_reason();
}

}  // namespace

void Server::share_sign_out(const auth::SignOut& sign_out,
                            std::function<void(std::string error)> done) {
  if (!cluster_) return done({});
  std::shared_ptr<TenantRuntime> runtime;
  {
    std::shared_lock lock(tenants_mutex_);
    if (auto it = tenants_.find(sign_out.tenant); it != tenants_.end()) runtime = it->second;
  }
  // Requests about a tenant reach its owner (cluster_rest.cpp); a relayed node here
  // means the tenant is moving.
  if (!runtime || runtime->relayed)
    return done("node " + cluster_->node_id() + " does not own tenant " + sign_out.tenant);
  const std::string entry = cluster::sign_out_json(sign_out);
  runtime->store->kv_put(
      cluster::kSignOutNamespace, cluster::sign_out_key(sign_out), entry,
      [this, entry, tenant = sign_out.tenant, done = std::move(done)](engine::StoreResult stored) {
        if (!stored.ok()) return done("storage: " + stored.error);
        // Kept: the other nodes read it from storage if they miss the message.
        cluster_->publish_sign_out(entry, [tenant, done](std::string error) {
          if (!error.empty())
            spdlog::warn(
                "tenant {}: a sign-out is stored but could not be published ({}); the other "
                "nodes read it when their link to the bus is back",
                tenant, error);
          done({});
        });
      });
}

void Server::hear_sign_out(std::string_view payload) {
  auto sign_out = cluster::parse_sign_out(payload);
  if (!sign_out) {
    spdlog::warn("cluster: a sign-out on the bus is malformed and was ignored");
    return;
  }
  sessions_->remember({*sign_out}, reason_of(*sign_out));
}

void Server::read_sign_outs(const std::shared_ptr<TenantRuntime>& runtime,
                            std::function<void(bool, std::string)> done) {
  runtime->store->kv_list(
      cluster::kSignOutNamespace,
      [this, id = runtime->config->id, done = std::move(done)](engine::StoreResult listed) {
        if (!listed.ok()) return done(false, "storage: cannot read its sign-outs: " + listed.error);
        size_t bad = 0;
        auto sign_outs = cluster::parse_sign_out_list(listed.body, bad);
        if (bad > 0) spdlog::warn("tenant {}: {} stored sign-outs are malformed", id, bad);
        std::erase_if(sign_outs, [&](const auto& s) { return s.tenant != id; });
        // Sockets they end close with their own reason.
        std::vector<auth::SignOut> sessions, everywhere;
        for (auto& s : sign_outs) (s.session.empty() ? everywhere : sessions).push_back(s);
        sessions_->remember(sessions, kSignedOut.close_reason());
        sessions_->remember(everywhere, kSignedOutByAdmin.close_reason());
        done(true, {});
      });
}

void Server::prune_sign_outs(const std::shared_ptr<TenantRuntime>& owner) {
  owner->store->kv_list(cluster::kSignOutNamespace, [store = owner->store, id = owner->config->id](
                                                        engine::StoreResult listed) {
    if (!listed.ok()) return;  // the next owner tries again
    size_t bad = 0;
    const int64_t now_s = wall_clock_ms() / 1000;
    size_t expired = 0;
    for (const auto& sign_out : cluster::parse_sign_out_list(listed.body, bad)) {
      // One entry per agent stays (a later sign-out replaces it, and a delete
      // could race with that); one per session would grow without end.
      if (sign_out.session.empty() || sign_out.until_s > now_s) continue;
      ++expired;
      store->kv_put(cluster::kSignOutNamespace, cluster::sign_out_key(sign_out), "",
                    [](engine::StoreResult) {});
    }
    if (expired > 0)
      spdlog::info("tenant {}: {} expired sign-outs removed from storage", id, expired);
  });
}

void Server::hear_agents_changed(std::string_view tenant_id) {
  std::shared_ptr<TenantRuntime> runtime;
  {
    std::shared_lock lock(tenants_mutex_);
    if (auto it = tenants_.find(tenant_id); it != tenants_.end()) runtime = it->second;
  }
  // The owner's directory is the one that changed.
  if (runtime && runtime->relayed) read_agents_again(runtime);
}

void Server::read_agents_again(const std::shared_ptr<TenantRuntime>& runtime) {
  runtime->agents->load([id = runtime->config->id](bool ok, std::string why) {
    if (!ok)
      spdlog::warn(
          "tenant {}: the stored agents could not be read again ({}); sign-ins here use the "
          "agents as last read",
          id, why);
  });
}

void Server::read_sign_outs_again() {
  for (const auto& runtime : running_tenants()) {
    read_sign_outs(runtime, [this, id = runtime->config->id](bool ok, std::string why) {
      if (ok) return;
      spdlog::warn("tenant {}: {}; tried again next heartbeat", id, why);
      std::lock_guard lock(stop_mutex_);
      sign_outs_unread_.insert(id);
    });
    if (runtime->relayed) read_agents_again(runtime);
  }
}

void Server::retry_unread_sign_outs() {
  std::set<std::string> unread;
  {
    std::lock_guard lock(stop_mutex_);
    unread.swap(sign_outs_unread_);
  }
  for (const auto& id : unread) {
    std::shared_ptr<TenantRuntime> runtime;
    {
      std::shared_lock lock(tenants_mutex_);
      if (auto it = tenants_.find(id); it != tenants_.end()) runtime = it->second;
    }
    if (!runtime) continue;  // gone meanwhile
    read_sign_outs(runtime, [this, id](bool ok, std::string) {
      if (ok) return spdlog::info("tenant {}: its stored sign-outs are read", id);
      std::lock_guard lock(stop_mutex_);
      sign_outs_unread_.insert(id);
    });
  }
}

}  // namespace sb::server
