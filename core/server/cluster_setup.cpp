#include "server/cluster_setup.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>

#include "cluster/sign_outs.hpp"
#include "cluster/wire.hpp"
#include "common/plugin_kind.hpp"
#include "plugin_host/storage_client.hpp"
#include "server/tenant_runtime.hpp"

namespace sb::server {

namespace {

// Whether a TOML value is of a declared sb_config_type (a float key takes an integer).
bool fits(toml::node_type type, int32_t declared) {
  switch (declared) {
    case SB_CONFIG_STRING:
      return type == toml::node_type::string;
    case SB_CONFIG_INTEGER:
      return type == toml::node_type::integer;
    case SB_CONFIG_BOOLEAN:
      return type == toml::node_type::boolean;
    case SB_CONFIG_FLOAT:
      return type == toml::node_type::floating_point || type == toml::node_type::integer;
    case SB_CONFIG_ARRAY:
      return type == toml::node_type::array;
    case SB_CONFIG_TABLE:
      return type == toml::node_type::table;
    default:
      return false;
  }
}

const char* type_word(int32_t declared) {
  switch (declared) {
    case SB_CONFIG_STRING:
      return "a string";
    case SB_CONFIG_INTEGER:
      return "an integer";
    case SB_CONFIG_BOOLEAN:
      return "a boolean";
    case SB_CONFIG_FLOAT:
      return "a number";
    case SB_CONFIG_ARRAY:
      return "an array";
    default:
      return "a table";
  }
}

// Waits for the bus's first report of its link.
struct ProbeSink : plugin_host::ClusterSink {
  std::mutex mutex;
  std::condition_variable cv;
  bool up = false;
  void on_message(std::string_view, std::string_view) override {}
  void on_entry(std::string_view, std::string_view, std::string_view, bool) override {}
  void on_link(bool link_up, std::string_view) override {
    std::lock_guard lock(mutex);
    up = up || link_up;
    cv.notify_all();
  }
};

}  // namespace

// A running node's: hands what arrives to the relay and the owned tenants'
// endpoints, and says what happens to the link in the log.
struct ClusterNode::Shared : plugin_host::ClusterSink {
  std::string node_channel;
  std::shared_ptr<cluster::RelayHub> relay;  // set before the bus starts
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<cluster::OwnerEndpoint>, std::less<>>
      endpoints;  // by stream name, guarded by mutex
  std::atomic<uint64_t> listings{0};
  ClusterNode::Events events;  // set before the bus starts

  void on_message(std::string_view channel, std::string_view payload) override {
    if (channel == node_channel && relay) relay->deliver(payload);
    if (channel == cluster::kSignOutChannel && events.sign_out) events.sign_out(payload);
    if (channel == cluster::kAgentsChannel && events.agents_changed) events.agents_changed(payload);
    if (channel == cluster::kLeasesChannel && events.lease_released) events.lease_released(payload);
  }
  void on_entry(std::string_view stream, std::string_view entry_id, std::string_view payload,
                bool redelivered) override {
    std::shared_ptr<cluster::OwnerEndpoint> endpoint;
    {
      std::lock_guard lock(mutex);
      if (auto it = endpoints.find(stream); it != endpoints.end()) endpoint = it->second;
    }
    // Not owned (any more): left unacknowledged for the owner.
    if (endpoint) endpoint->on_entry(std::string(entry_id), std::string(payload), redelivered);
  }
  void on_link(bool up, std::string_view detail) override {
    if (up) {
      spdlog::info("cluster: the link to the cluster bus is up");
      // The plugin subscribed every channel first: from here on nothing is missed.
      if (events.link_back) events.link_back();
      return;
    }
    spdlog::error(
        "cluster: the link to the cluster bus is down ({}); connections relayed between "
        "nodes reconnect",
        detail);
    // What was relayed meanwhile may be lost: those clients resume from storage.
    if (relay) relay->close_all({}, "the link between nodes dropped; reconnect");
    std::lock_guard lock(mutex);
    for (auto& [stream, endpoint] : endpoints) endpoint->link_lost();
  }
};

std::unique_ptr<ClusterNode> ClusterNode::start(plugin_host::PluginHost& plugins,
                                                const config::ClusterConfig& cluster,
                                                const std::filesystem::path& data_dir,
                                                boost::asio::any_io_executor executor,
                                                const std::string& listen, std::string& error,
                                                Events events) {
  auto shared = std::make_shared<Shared>();
  shared->node_channel = cluster::node_channel(cluster.node_id);
  auto nodes_changed = events.nodes_changed;
  shared->events = std::move(events);
  auto instance = open_cluster_bus(plugins, cluster, shared, data_dir, error);
  if (!instance) return nullptr;
  std::unique_ptr<ClusterNode> node(new ClusterNode());
  node->node_id_ = cluster.node_id;
  node->executor_ = executor;
  node->shared_ = shared;
  node->bus_ = std::make_shared<plugin_host::ClusterClient>(instance);
  shared->relay = std::make_shared<cluster::RelayHub>(
      node->bus_, executor, cluster.node_id, std::chrono::milliseconds(cluster.command_timeout_ms));
  shared->relay->start();
  node->listen_ = listen;
  boost::json::object info{{"listen", listen}};
  node->membership_ = std::make_shared<cluster::Membership>(
      node->bus_, executor, cluster.node_id, boost::json::serialize(info),
      std::chrono::milliseconds(cluster.heartbeat_ms));
  std::weak_ptr<Shared> weak = shared;
  node->membership_->on_change = [weak, nodes_changed](const std::vector<std::string>& nodes) {
    if (auto s = weak.lock()) {
      std::lock_guard lock(s->mutex);
      for (auto& [stream, endpoint] : s->endpoints) endpoint->keep_nodes(nodes);
    }
    if (nodes_changed) nodes_changed();
  };
  node->membership_->on_listed = [weak] {
    if (auto s = weak.lock()) s->listings.fetch_add(1, std::memory_order_relaxed);
  };
  node->membership_->start();
  // Kept across reconnects by the plugin, which reports its link up only once its
  // channels are subscribed; what was published before is read again from storage
  // then (Events::link_back).
  for (const char* channel :
       {cluster::kSignOutChannel, cluster::kAgentsChannel, cluster::kLeasesChannel})
    node->bus_->subscribe(channel, executor, [channel](plugin_host::CallResult r) {
      if (r.status != SB_OK)
        spdlog::debug("cluster: the channel {} is subscribed once the bus answers ({})", channel,
                      r.error);
    });
  spdlog::info("cluster: node {} joins through {}", cluster.node_id, cluster.plugin);
  return node;
}

ClusterNode::~ClusterNode() {
  shared_->relay->stop();
  {
    std::lock_guard lock(shared_->mutex);
    for (auto& [stream, endpoint] : shared_->endpoints) endpoint->stop();
    shared_->endpoints.clear();
  }
  auto left = std::make_shared<std::promise<void>>();
  auto future = left->get_future();
  membership_->stop([left] { left->set_value(); });
  if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready)
    spdlog::warn("cluster: could not leave the live nodes in time; the entry expires by itself");
}

std::vector<std::string> ClusterNode::live_nodes() const {
  return membership_->live_nodes();
}

void ClusterNode::advertise(const std::string& listen, const std::string& rest_url) {
  std::lock_guard lock(info_mutex_);
  listen_ = listen;
  rest_url_ = rest_url;
  say_info();
}

void ClusterNode::serve_tenants(std::vector<std::string> tenant_ids) {
  std::lock_guard lock(info_mutex_);
  std::sort(tenant_ids.begin(), tenant_ids.end());
  if (tenant_ids_ == tenant_ids) return;
  tenant_ids_ = std::move(tenant_ids);
  say_info();
}

void ClusterNode::say_info() {
  boost::json::object info{{"listen", listen_}};
  if (!rest_url_.empty()) info["rest_url"] = rest_url_;
  if (tenant_ids_) {
    boost::json::array ids;
    for (const auto& id : *tenant_ids_) ids.emplace_back(id);
    info["tenants"] = std::move(ids);
  }
  membership_->set_info(boost::json::serialize(info));
}

std::vector<std::string> ClusterNode::nodes_serving(const std::string& tenant_id) const {
  return membership_->nodes_serving(tenant_id);
}

std::string ClusterNode::rest_url_of(const std::string& node_id) const {
  boost::system::error_code ec;
  const auto info = boost::json::parse(membership_->info_of(node_id), ec);
  const auto* url = !ec && info.is_object() ? info.as_object().if_contains("rest_url") : nullptr;
  return url && url->is_string() ? std::string(url->as_string()) : std::string();
}

uint64_t ClusterNode::listings() const {
  return shared_->listings.load(std::memory_order_relaxed);
}

std::shared_ptr<hub::Relay> ClusterNode::relay_for(const std::string& tenant_id) {
  return shared_->relay->relay_for(tenant_id);
}

void ClusterNode::close_relayed(const std::string& tenant_id, const std::string& reason) {
  shared_->relay->close_all(tenant_id, reason);
}

void ClusterNode::serve(const std::shared_ptr<hub::TenantGate>& gate,
                        const auth::TokenSigner* signer, int64_t lease_epoch) {
  auto endpoint = std::make_shared<cluster::OwnerEndpoint>(bus_, gate, signer, lease_epoch);
  {
    std::lock_guard lock(shared_->mutex);
    auto& slot = shared_->endpoints[cluster::tenant_stream(gate->id())];
    if (slot) slot->stop();
    slot = endpoint;
  }
  endpoint->keep_nodes(live_nodes());
  endpoint->start();
}

void ClusterNode::unserve(const std::string& tenant_id) {
  std::shared_ptr<cluster::OwnerEndpoint> endpoint;
  {
    std::lock_guard lock(shared_->mutex);
    auto it = shared_->endpoints.find(cluster::tenant_stream(tenant_id));
    if (it == shared_->endpoints.end()) return;
    endpoint = std::move(it->second);
    shared_->endpoints.erase(it);
  }
  endpoint->stop();
}

void ClusterNode::publish_sign_out(const std::string& payload,
                                   std::function<void(std::string error)> done) {
  bus_->publish(cluster::kSignOutChannel, payload, executor_,
                [done = std::move(done)](plugin_host::CallResult r) {
                  done(r.status == SB_OK ? std::string() : r.error);
                });
}

void ClusterNode::publish_lease_released(const std::string& tenant_id, std::function<void()> done) {
  bus_->publish(cluster::kLeasesChannel, tenant_id, executor_,
                [tenant_id, done = std::move(done)](plugin_host::CallResult r) {
                  if (r.status != SB_OK)
                    spdlog::warn(
                        "tenant {}: the other nodes could not be told that its lease was given "
                        "up ({}); its next owner takes it when the lease would have run out",
                        tenant_id, r.error);
                  done();
                });
}

void ClusterNode::publish_agents_changed(const std::string& tenant_id) {
  bus_->publish(cluster::kAgentsChannel, tenant_id, executor_,
                [tenant_id](plugin_host::CallResult r) {
                  if (r.status != SB_OK)
                    spdlog::warn(
                        "tenant {}: the other nodes could not be told that its agents changed "
                        "({}); they read them again once their link to the bus is back",
                        tenant_id, r.error);
                });
}

ConfigErrors check_cluster_section(const config::ClusterConfig& cluster,
                                   const plugin_host::PluginHost& plugins,
                                   const std::string& file) {
  ConfigErrors errors;
  const plugin_host::PluginSchema* schema = plugins.schema(cluster.plugin);
  if (!schema) {
    errors.push_back({file, cluster.line, 0, "cluster.plugin",
                      "plugin '" + cluster.plugin +
                          "' is not installed (no such plugin in the plugin directory)"});
    return errors;
  }
  if (schema->kind != SB_KIND_CLUSTER_BUS) {
    errors.push_back({file, cluster.line, 0, "cluster.plugin",
                      "plugin '" + cluster.plugin + "' is a " + plugin_kind_name(schema->kind) +
                          " plugin, not a cluster-bus plugin"});
    return errors;
  }
  for (const auto& key : cluster.bus_keys) {
    const std::string path = "cluster.bus." + key.name;
    const auto declared = std::find_if(schema->keys.begin(), schema->keys.end(),
                                       [&](const auto& entry) { return entry.first == key.name; });
    if (key.name == "node_id") {
      errors.push_back({file, key.line, key.column, path,
                        "is set by [cluster] node_id; leave it out of [cluster.bus]"});
    } else if (declared == schema->keys.end()) {
      std::string known;
      for (const auto& entry : schema->keys)
        if (entry.first != "node_id") known += (known.empty() ? "" : ", ") + entry.first;
      errors.push_back({file, key.line, key.column, path,
                        "unknown key '" + key.name + "' for plugin '" + cluster.plugin +
                            "' (it accepts: " + known + ")"});
    } else if (!fits(key.type, declared->second)) {
      errors.push_back({file, key.line, key.column, path,
                        std::string("must be ") + type_word(declared->second)});
    }
  }
  return errors;
}

std::shared_ptr<plugin_host::Instance> open_cluster_bus(
    plugin_host::PluginHost& plugins, const config::ClusterConfig& cluster,
    std::shared_ptr<plugin_host::ClusterSink> sink, const std::filesystem::path& data_dir,
    std::string& error) {
  plugin_host::InstanceConfig config;
  config.config_json = cluster.bus_json;
  for (const auto& key : cluster.bus_keys) config.values_as_text[key.name] = key.text;
  config.values_as_text["node_id"] = cluster.node_id;
  config.cluster_sink = std::move(sink);
  // The instance serves the node, not a tenant: its tenant id is empty.
  return plugins.create_instance(cluster.plugin, "", config, data_dir / "cluster", error);
}

std::string probe_cluster_bus(plugin_host::PluginHost& plugins,
                              const config::ClusterConfig& cluster,
                              const std::filesystem::path& data_dir,
                              std::chrono::milliseconds timeout) {
  auto sink = std::make_shared<ProbeSink>();
  std::string error;
  auto bus = open_cluster_bus(plugins, cluster, sink, data_dir, error);
  if (!bus) return error;
  std::unique_lock lock(sink->mutex);
  if (sink->cv.wait_for(lock, timeout, [&] { return sink->up; })) return {};
  return "the cluster bus (" + cluster.plugin + ") did not reach its server within " +
         std::to_string(timeout.count() / 1000) + " s (see the log lines above)";
}

}  // namespace sb::server

namespace sb::server {

std::string probe_tenant_storage(plugin_host::PluginHost& plugins,
                                 const config::ClusterConfig& cluster,
                                 const tenants::TenantConfig& tenant,
                                 const std::filesystem::path& data_dir,
                                 std::chrono::milliseconds timeout, std::string& note) {
  // As the server opens it on a node that does not own the tenant: no lease taken,
  // nothing written, so a running cluster is not disturbed.
  const std::map<std::string, std::string> settings{{"node_id", cluster.node_id},
                                                    {"read_only", "true"}};
  std::string error;
  auto instance =
      plugin_instance(tenant, tenant.storage_plugin, plugins, data_dir, error, {}, settings);
  if (!instance) return tenant.storage_plugin + ": " + error;
  boost::asio::io_context io;
  std::optional<plugin_host::CallResult> answer;
  plugin_host::StorageClient(instance).load_messages(
      "check-config", 0, 0, 1, io.get_executor(),
      [&answer](plugin_host::CallResult r) { answer = std::move(r); });
  io.run_for(timeout);
  if (!answer)
    return tenant.storage_plugin + ": no answer to a read within " +
           std::to_string(timeout.count() / 1000) + " s";
  if (answer->status == SB_OK) return {};
  // PostgreSQL's words for a table that is not there: the owner creates them.
  if (answer->error.find("does not exist") != std::string::npos) {
    note =
        "its database answers but holds no schema yet (the first node to own the tenant "
        "creates it)";
    return {};
  }
  return tenant.storage_plugin + ": " + answer->error;
}

}  // namespace sb::server
