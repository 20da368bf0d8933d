#include "server/cluster_setup.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <condition_variable>
#include <future>
#include <mutex>

#include "common/plugin_kind.hpp"

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

// A running node's: says what happens to the link in the log.
struct LogSink : plugin_host::ClusterSink {
  void on_message(std::string_view, std::string_view) override {}
  void on_entry(std::string_view, std::string_view, std::string_view, bool) override {}
  void on_link(bool up, std::string_view detail) override {
    if (up)
      spdlog::info("cluster: the link to the cluster bus is up");
    else
      spdlog::error(
          "cluster: the link to the cluster bus is down ({}); messages between nodes "
          "wait for it",
          detail);
  }
};

}  // namespace

std::unique_ptr<ClusterNode> ClusterNode::start(plugin_host::PluginHost& plugins,
                                                const config::ClusterConfig& cluster,
                                                const std::filesystem::path& data_dir,
                                                boost::asio::any_io_executor executor,
                                                const std::string& listen, std::string& error) {
  auto instance = open_cluster_bus(plugins, cluster, std::make_shared<LogSink>(), data_dir, error);
  if (!instance) return nullptr;
  std::unique_ptr<ClusterNode> node(new ClusterNode());
  node->bus_ = std::make_shared<plugin_host::ClusterClient>(instance);
  boost::json::object info{{"listen", listen}};
  node->membership_ = std::make_shared<cluster::Membership>(
      node->bus_, executor, cluster.node_id, boost::json::serialize(info),
      std::chrono::milliseconds(cluster.heartbeat_ms));
  node->membership_->start();
  spdlog::info("cluster: node {} joins through {}", cluster.node_id, cluster.plugin);
  return node;
}

ClusterNode::~ClusterNode() {
  auto left = std::make_shared<std::promise<void>>();
  auto future = left->get_future();
  membership_->stop([left] { left->set_value(); });
  if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready)
    spdlog::warn("cluster: could not leave the live nodes in time; the entry expires by itself");
}

std::vector<std::string> ClusterNode::live_nodes() const {
  return membership_->live_nodes();
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
