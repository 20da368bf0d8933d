// Typed calls into a cluster-bus plugin instance (ABI 1.6, docs/cluster.md), and
// the host's sb_cluster_events, which hand what the plugin reports to the
// instance's ClusterSink (plugin_info.hpp). Each call with a callback is guarded
// like every other (Instance::call_async): cb runs exactly once on executor with
// the plugin's result JSON (sb_plugin.h lists it per call), a timeout or an
// error. Strings are only borrowed for the duration of the call.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "plugin_host/instance.hpp"
#include "plugin_host/plugin_info.hpp"

namespace sb::plugin_host {

// What host->get_api(SB_CLUSTER_EVENTS_V1) returns.
const sb_cluster_events* cluster_events();

class ClusterClient {
 public:
  // instance must be a cluster-bus plugin's (Instance::cluster_api() != nullptr),
  // created with InstanceConfig::cluster_sink set.
  explicit ClusterClient(std::shared_ptr<Instance> instance);

  using Executor = boost::asio::any_io_executor;

  void publish(std::string_view channel, std::string_view payload, Executor executor, Callback cb);
  void subscribe(std::string_view channel, Executor executor, Callback cb);
  // SB_OK, or SB_ERROR with error set (a bad name).
  int32_t unsubscribe(std::string_view channel, std::string& error);
  void stream_add(std::string_view stream, std::string_view payload, Executor executor,
                  Callback cb);
  void stream_consume(std::string_view stream, Executor executor, Callback cb);
  int32_t stream_stop(std::string_view stream, std::string& error);
  void stream_ack(std::string_view stream, std::string_view entry_id, Executor executor,
                  Callback cb);
  void set_put(std::string_view set, std::string_view member, std::string_view value,
               int64_t ttl_ms, Executor executor, Callback cb);
  void set_delete(std::string_view set, std::string_view member, Executor executor, Callback cb);
  void set_list(std::string_view set, Executor executor, Callback cb);

  const std::shared_ptr<Instance>& instance() const { return instance_; }

 private:
  std::shared_ptr<Instance> instance_;
  const sb_cluster_api* api_;
};

}  // namespace sb::plugin_host
