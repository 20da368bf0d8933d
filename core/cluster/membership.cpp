#include "cluster/membership.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

namespace sb::cluster {

Membership::Membership(std::shared_ptr<plugin_host::ClusterClient> bus,
                       boost::asio::any_io_executor executor, std::string node_id,
                       std::string info_json, std::chrono::milliseconds heartbeat)
    : bus_(std::move(bus)),
      executor_(std::move(executor)),
      node_id_(std::move(node_id)),
      info_json_(std::move(info_json)),
      heartbeat_(heartbeat),
      timer_(executor_) {}

void Membership::start() {
  boost::asio::post(executor_, [self = shared_from_this()] { self->beat(); });
}

void Membership::stop(std::function<void()> done) {
  boost::asio::post(executor_, [self = shared_from_this(), done = std::move(done)] {
    self->stopped_ = true;
    self->timer_.cancel();
    self->bus_->set_delete(kSet, self->node_id_, self->executor_,
                           [done](plugin_host::CallResult) { done(); });
  });
}

std::vector<std::string> Membership::live_nodes() const {
  std::lock_guard lock(mutex_);
  return nodes_;
}

std::vector<std::string> Membership::nodes_serving(std::string_view tenant_id) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> nodes;
  for (const auto& node : nodes_) {
    auto it = served_.find(node);
    if (it == served_.end() || it->second.contains(tenant_id)) nodes.push_back(node);
  }
  return nodes;
}

std::string Membership::info_of(const std::string& node_id) const {
  std::lock_guard lock(mutex_);
  auto it = infos_.find(node_id);
  return it == infos_.end() ? std::string() : it->second;
}

void Membership::set_info(std::string info_json) {
  boost::asio::post(executor_, [self = shared_from_this(), info = std::move(info_json)]() mutable {
    self->info_json_ = std::move(info);
    // Said now, not a heartbeat later (the next beat is counted from here).
    self->beat();
  });
}

void Membership::beat() {
  if (stopped_) return;
  const std::weak_ptr<Membership> weak = weak_from_this();
  bus_->set_put(kSet, node_id_, info_json_, 3 * heartbeat_.count(), executor_,
                [weak](plugin_host::CallResult put) {
                  auto self = weak.lock();
                  if (!self || self->stopped_) return;
                  if (put.status != SB_OK) {
                    self->listed(put);  // reports the outage, keeps the list
                    return;
                  }
                  self->bus_->set_list(kSet, self->executor_, [weak](plugin_host::CallResult r) {
                    if (auto self = weak.lock()) self->listed(r);
                  });
                });
  timer_.expires_after(heartbeat_);
  timer_.async_wait([weak](const boost::system::error_code& ec) {
    if (auto self = weak.lock(); self && !ec) self->beat();
  });
}

void Membership::listed(const plugin_host::CallResult& result) {
  if (stopped_) return;
  if (result.status != SB_OK) {
    // At start the bus is still connecting: only an outage, or a bus that never
    // answers, is worth a line.
    if (!warned_ && (answered_ || ++failures_ >= 3))
      spdlog::warn("cluster: cannot reach the cluster bus ({}); keeping the last list of nodes",
                   result.error);
    warned_ = true;
    return;
  }
  std::vector<std::string> nodes;
  std::map<std::string, std::string> infos;
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(result.result, ec);
  if (ec || !parsed.is_object()) return;
  if (const auto* members = parsed.as_object().if_contains("members");
      members && members->is_array()) {
    for (const auto& m : members->as_array()) {
      const auto* name = m.is_object() ? m.as_object().if_contains("member") : nullptr;
      if (!name || !name->is_string()) continue;
      nodes.emplace_back(name->as_string());
      const auto* value = m.as_object().if_contains("value");
      if (value && value->is_string()) infos[nodes.back()] = std::string(value->as_string());
    }
  }
  std::sort(nodes.begin(), nodes.end());
  std::map<std::string, std::set<std::string, std::less<>>> served;
  for (const auto& [node, info] : infos) {
    const auto value = boost::json::parse(info, ec);
    const auto* tenants =
        !ec && value.is_object() ? value.as_object().if_contains("tenants") : nullptr;
    if (!tenants || !tenants->is_array()) continue;
    auto& ids = served[node];
    for (const auto& id : tenants->as_array())
      if (id.is_string()) ids.emplace(id.as_string());
  }
  if (warned_) spdlog::info("cluster: the cluster bus answers again");
  warned_ = false;
  answered_ = true;
  failures_ = 0;
  if (on_listed) on_listed();
  bool same_nodes = false;
  {
    std::lock_guard lock(mutex_);
    infos_ = std::move(infos);
    same_nodes = nodes == nodes_;
    if (same_nodes && served == served_) return;
    nodes_ = nodes;
    served_ = std::move(served);
  }
  if (!same_nodes) {
    std::string names;
    for (const auto& n : nodes) names += (names.empty() ? "" : ", ") + n;
    spdlog::info("cluster: live nodes now {}", names.empty() ? "(none)" : names);
  }
  if (on_change) on_change(nodes);
}

}  // namespace sb::cluster
