// Cluster mode (docs/cluster.md, "One owner per tenant"): every node runs every
// tenant, either as its owner (engine, storage instance holding the lease in
// PostgreSQL, the tenant's command stream consumed) or relayed to its owner
// (read-only storage for sign-in and history, connections relayed). Rendezvous
// placement over the live nodes says who should own a tenant; the lease says who
// may: a node takes a tenant only when its storage instance got the lease, and
// drops it at once when a write finds the lease gone.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <future>
#include <optional>

#include "cluster/placement.hpp"
#include "cluster/wire.hpp"
#include "plugin_host/storage_client.hpp"
#include "server/server.hpp"

namespace sb::server {

namespace {

// How many tenants a node takes at once (settle_ownership). Each take holds a worker
// thread while it waits: for PostgreSQL (two new connections, the writer's schema
// check and the lease query), then for the tenant's agents and open conversations,
// read by the storage plugin's threads and the event loops, which serve the other
// tenants meanwhile. Four overlap those waits on a small machine without flooding
// either side: a few connections opened at once rather than dozens (each costs
// PostgreSQL a process), the loops never all busy reading, and a few dozen tenants
// taken in a few rounds rather than one after another.
constexpr size_t kParallelTakes = 4;

// How long a node waits for PostgreSQL to end a lease it gives up and for the bus to
// tell the others (a handover, a graceful stop). Past it the lease runs out by
// itself: the stop is never held up by a database or bus that does not answer.
constexpr std::chrono::milliseconds kReleaseWait{2000};
// How long a stop waits for the engine's strand to get to its stop.
constexpr std::chrono::milliseconds kEngineStopWait{2000};

}  // namespace

std::map<std::string, std::string> Server::storage_settings(const tenants::TenantConfig& config,
                                                            bool owner) const {
  // The same tenant files on every node: who this node is is the server's to say,
  // and so is the lease's length unless the tenant file sets one.
  std::map<std::string, std::string> settings{{"node_id", config_.cluster->node_id}};
  const auto* section = config.section(config.storage_plugin);
  if (!section || !section->values_as_text.contains("lease_ms"))
    settings["lease_ms"] = std::to_string(config_.cluster->lease_ms);
  if (!owner) settings["read_only"] = "true";
  return settings;
}

std::shared_ptr<TenantRuntime> Server::build_relayed(
    std::shared_ptr<const tenants::TenantConfig> config, std::string& error) {
  auto runtime = build_tenant(config, plugins_, config_.data_dir, strand_for(config->id), metrics_,
                              error, storage_settings(*config, false));
  if (!runtime) return nullptr;
  runtime->relayed = true;
  runtime->gate->set_relay(cluster_->relay_for(config->id));
  runtime->gate->track_connections();
  // Agents created over the API are read for sign-in; a database the owner has not
  // set up yet holds none, which is no reason not to relay.
  std::string why;
  if (!wait_for_step([&](auto cb) { runtime->agents->load(std::move(cb)); }, why))
    spdlog::info("tenant {}: stored agents not read yet ({}); the file's agents sign in",
                 config->id, why);
  // The sign-outs the owner kept, before this node takes any of the tenant's tokens.
  // A database the owner has not set up yet holds none; another failure is tried
  // again each heartbeat.
  if (!wait_for_step([&](auto cb) { read_sign_outs(runtime, std::move(cb)); }, why)) {
    spdlog::info("tenant {}: stored sign-outs not read yet ({}); tried again each heartbeat",
                 config->id, why);
    std::lock_guard lock(stop_mutex_);
    sign_outs_unread_.insert(config->id);
  }
  return runtime;
}

bool Server::start_relayed(std::shared_ptr<const tenants::TenantConfig> config) {
  std::string error;
  auto runtime = build_relayed(config, error);
  return install_tenant(*config, std::move(runtime), error,
                        "is served through its owner node until placed");
}

void Server::ownership_loop() {
  const auto interval = std::chrono::milliseconds(config_.cluster->heartbeat_ms);
  for (;;) {
    std::set<std::string> lost;
    std::set<std::string, std::less<>> released;
    {
      // Each heartbeat, or as soon as a lease another node held ends (a dead owner's
      // tenants are taken then, not up to a heartbeat later).
      const auto now = std::chrono::steady_clock::now();
      auto wake = now + interval;
      if (const auto lease_end = take_retries_.next(now)) wake = std::min(wake, *lease_end);
      std::unique_lock lock(stop_mutex_);
      stop_cv_.wait_until(lock, wake, [this] {
        return stopping_ || ownership_now_ || !leases_lost_.empty() || !leases_released_.empty();
      });
      if (stopping_) return;
      // The live nodes changed: a lease may have been given up, try everything now.
      if (ownership_now_) take_retries_.clear();
      ownership_now_ = false;
      lost.swap(leases_lost_);
      released.swap(leases_released_);
    }
    // A node gave these leases up: one that refused this node is free now.
    for (const auto& id : released) take_retries_.forget(id);
    for (const auto& id : lost)
      drop_tenant(id, false, "a write found its lease taken by another node");
    settle_ownership();
    retry_unread_sign_outs();
  }
}

void Server::settle_ownership() {
  // Two listings first: nodes starting together agree on the list before anyone
  // takes a tenant it would hand over a second later.
  if (cluster_->listings() < 2) return take_retries_.clear();
  const auto nodes = cluster_->live_nodes();
  const std::string& me = cluster_->node_id();
  // Not in the list (cut off from the bus): others will take over once the leases
  // expire; this node's writes then fail and it drops what it had.
  if (std::find(nodes.begin(), nodes.end(), me) == nodes.end()) return take_retries_.clear();
  std::vector<std::shared_ptr<TenantRuntime>> running = running_tenants();
  std::vector<std::shared_ptr<TenantRuntime>> to_take;
  std::set<std::string> to_take_ids;
  for (const auto& runtime : running) {
    const std::string id = runtime->config->id;
    // Among the live nodes that run it (a node without its file never owns it).
    const std::string owner = cluster::owner_of(id, cluster_->nodes_serving(id));
    if (owner.empty()) continue;  // no live node says it runs it yet: nothing to decide
    auto& placed = placed_[id];
    if (placed != owner) {
      // Relayed connections reached the old owner: they reconnect, and their new
      // hello reaches the new one.
      if (!placed.empty() && runtime->relayed && owner != me)
        cluster_->close_relayed(id, "the tenant moved to another node; reconnect");
      placed = owner;
      take_retries_.forget(id);
    }
    if (owner == me && runtime->relayed) {
      to_take.push_back(runtime);
      to_take_ids.insert(id);
    } else if (owner != me && !runtime->relayed) {
      drop_tenant(id, true, "node " + owner + " should own it now");
    }
  }
  take_retries_.keep_only(to_take_ids);
  // Each tenant to take once the lease that refused it last time has ended
  // (take_retries.hpp), kParallelTakes at a time: a take lasts a while (0.1-0.4 s),
  // and a dead owner's leases all end together, so one after another the last of
  // many tenants would wait for all the others. Each is built on a worker and
  // installed here as it is done, and the tenants whose lease ended meanwhile are
  // started in the same pass. Each is tried once per pass at most: one refused again
  // waits for the next.
  boost::asio::io_context built;  // what the workers built, installed on this thread
  const auto keep_waiting = boost::asio::make_work_guard(built);
  std::optional<boost::asio::thread_pool> workers;  // joined first, before `built` goes
  std::set<std::string> tried;
  size_t in_flight = 0;
  size_t taken = 0;
  auto install = [&](OwnerTake take) {
    --in_flight;
    if (install_owner(std::move(take))) ++taken;
  };
  for (;;) {
    for (const auto& runtime : to_take) {
      if (in_flight == kParallelTakes) break;
      const std::string& id = runtime->config->id;
      if (tried.contains(id) || !take_retries_.due(id, std::chrono::steady_clock::now())) continue;
      tried.insert(id);
      ++in_flight;
      std::shared_ptr<const tenants::TenantConfig> config;
      {
        std::shared_lock lock(tenants_mutex_);  // the reload thread replaces it under this lock
        config = runtime->config;
      }
      if (!workers) workers.emplace(kParallelTakes);
      boost::asio::post(*workers, [this, &built, &install, runtime, config] {
        boost::asio::post(built, [&install, take = build_owner(runtime, config)]() mutable {
          install(std::move(take));
        });
      });
    }
    if (in_flight == 0) break;
    built.run_one();
  }
  // Ready once this node serves what placement gives it: when every node is, every
  // tenant has its owner.
  ownership_settled_.store(taken == to_take.size(), std::memory_order_release);
}

Server::OwnerTake Server::build_owner(std::shared_ptr<TenantRuntime> relayed,
                                      std::shared_ptr<const tenants::TenantConfig> config) {
  OwnerTake take;
  take.relayed = std::move(relayed);
  take.config = config;
  const std::string& id = config->id;
  // Its storage instance takes the lease: absent, expired or already this node's.
  take.owner = build_tenant(config, plugins_, config_.data_dir, strand_for(id), metrics_,
                            take.error, storage_settings(*config, true), &take.lease_left);
  if (take.owner &&
      !(wait_for_step([&](auto cb) { take.owner->agents->load(std::move(cb)); }, take.error) &&
        wait_for_step([&](auto cb) { take.owner->engine->start(std::move(cb)); }, take.error)))
    take.owner.reset();
  return take;
}

bool Server::install_owner(OwnerTake take) {
  std::lock_guard handing(handover_mutex_);
  const std::string& id = take.config->id;
  auto& owner = take.owner;
  if (owner) {
    std::shared_lock lock(tenants_mutex_);
    auto it = tenants_.find(id);
    if (it == tenants_.end() || it->second != take.relayed) {
      // Its file went meanwhile (retire_tenant): the lease taken is given up again.
      lock.unlock();
      stop_engine(id, *owner, true);
      spdlog::info("tenant {}: not taken after all: it is no longer served here", id);
      return false;
    }
  }
  if (!owner) {
    // Typically another node's lease is still live: tried again as it ends, or (when
    // the refusal does not say when) next heartbeat.
    take_retries_.failed(id, take.lease_left, std::chrono::steady_clock::now());
    auto& said = take_failures_[id];
    if (said != take.error)
      spdlog::info("tenant {}: this node should own it but cannot yet: {}", id, take.error);
    said = take.error;
    return false;
  }
  take_failures_.erase(id);
  take_retries_.forget(id);
  // The other nodes answer sign-ins from their own copy of the stored agents.
  owner->agents->on_stored([this, id] { cluster_->publish_agents_changed(id); });
  prune_sign_outs(owner);
  owner->gate->track_connections();
  owner->plugin_store->watch_lease([this, id] {
    {
      std::lock_guard lock(stop_mutex_);
      leases_lost_.insert(id);
    }
    stop_cv_.notify_all();
  });
  // What it sends relayed connections carries its lease's epoch: a node that lost
  // the tenant without knowing yet cannot reach them (cluster/owner_fence.hpp).
  const int64_t epoch = owner->plugin_store->lease_epoch().value_or(0);
  cluster_->serve(owner->gate, &*signer_, epoch);
  {
    std::unique_lock lock(tenants_mutex_);
    tenants_[id] = owner;
  }
  // Connections relayed from this node reconnect, now to the local engine.
  take.relayed->gate->close_all(cluster::kCloseMoved, "the tenant moved to this node; reconnect");
  if (epoch > 0)
    spdlog::info("tenant {}: this node owns it now (lease epoch {})", id, epoch);
  else
    spdlog::info(
        "tenant {}: this node owns it now (its storage names no lease epoch: what "
        "it relays is not fenced)",
        id);
  return true;
}

void Server::drop_tenant(const std::string& id, bool graceful, const std::string& why) {
  std::lock_guard handing(handover_mutex_);
  std::shared_ptr<TenantRuntime> owned;
  {
    std::shared_lock lock(tenants_mutex_);
    if (auto it = tenants_.find(id); it != tenants_.end() && !it->second->relayed)
      owned = it->second;
  }
  if (!owned) return;
  stop_engine(id, *owned, graceful);
  std::string error;
  auto relayed = build_relayed(owned->config, error);
  {
    std::unique_lock lock(tenants_mutex_);
    if (relayed) {
      tenants_[id] = relayed;
    } else {
      tenants_.erase(id);
      failed_tenants_.push_back(id);
    }
  }
  // Its clients reconnect (to this node, relayed, or to another) and resume from
  // their last seq; what was in flight was never acknowledged and is resent.
  owned->gate->close_all(cluster::kCloseMoved, "the tenant moved to another node; reconnect");
  if (graceful)
    spdlog::info("tenant {}: handed over ({})", id, why);
  else
    spdlog::warn("tenant {}: dropped at once ({})", id, why);
  if (!relayed) {
    spdlog::error("tenant {} is not served: {}", id, error);
    advertise_tenants();
  }
}

std::future<void> Server::stop_engine(const std::string& id, TenantRuntime& runtime,
                                      bool graceful) {
  if (cluster_) cluster_->unserve(id);
  if (graceful && !runtime.relayed) {
    // What the engine changed so far is written while the lease is still this node's.
    auto flushed = std::make_shared<std::promise<bool>>();
    auto future = flushed->get_future();
    runtime.engine->flush([flushed](bool ok) { flushed->set_value(ok); });
    if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready || !future.get())
      spdlog::warn("tenant {}: storage did not confirm its last writes", id);
  }
  // From here on none of the old engine's timers fires and nothing it was asked or
  // answered is handled: nothing of it reaches the fenced storage, the plugins or
  // the bus, and what it holds (clients, plugin instances) is let go.
  auto halted = std::make_shared<std::promise<void>>();
  auto engine_stopped = halted->get_future();
  runtime.engine->stop([halted] { halted->set_value(); });
  if (engine_stopped.wait_for(kEngineStopWait) != std::future_status::ready)
    spdlog::warn("tenant {}: its engine did not stop within {} ms; it stops once its strand runs",
                 id, kEngineStopWait.count());
  // Fenced: every later storage call of the old engine fails at once.
  auto storage = runtime.plugin_store->hold();
  runtime.plugin_store->resume(nullptr);
  auto freed = std::make_shared<std::promise<void>>();
  auto closed = freed->get_future();
  if (!storage) {
    freed->set_value();  // taken out before (a handover, a lost storage)
    return closed;
  }
  storage->after_free([freed] { freed->set_value(); });
  // The next owner takes it now, not when the lease would have run out.
  if (cluster_ && graceful && !runtime.relayed &&
      give_up_leases({{id, storage}}, kReleaseWait) == 1)
    spdlog::info("tenant {}: gave its lease up; the next owner takes it at once", id);
  {
    std::unique_lock lock(tenants_mutex_);  // readers copy it under this lock
    runtime.storage.reset();
  }
  return closed;
}

namespace {

// The storage's answer to release_lease, as a future (the caller waits, bounded).
std::future<plugin_host::CallResult> give_lease_up(
    const std::shared_ptr<plugin_host::Instance>& instance, boost::asio::any_io_executor executor) {
  auto answered = std::make_shared<std::promise<plugin_host::CallResult>>();
  auto future = answered->get_future();
  plugin_host::StorageClient(instance).release_lease(
      std::move(executor), [answered](plugin_host::CallResult r) { answered->set_value(r); });
  return future;
}

// True when the storage ended this node's lease; says in the log when it did not.
bool lease_given_up(const std::string& id, std::future<plugin_host::CallResult>& answer,
                    std::chrono::steady_clock::time_point deadline) {
  if (answer.wait_until(deadline) != std::future_status::ready) {
    spdlog::warn("tenant {}: storage did not give the lease up in time; it runs out by itself", id);
    return false;
  }
  const plugin_host::CallResult r = answer.get();
  // A storage that keeps no lease (or a plugin older than ABI 1.9): nothing to say.
  if (r.status == SB_NOT_SUPPORTED) return false;
  if (r.status != SB_OK) {
    spdlog::warn("tenant {}: the lease was not given up ({}); it runs out by itself", id, r.error);
    return false;
  }
  // {"released":false}: another node's lease is there already, and stays.
  boost::system::error_code ec;
  const auto answer_json = boost::json::parse(r.result, ec);
  const auto* released =
      !ec && answer_json.is_object() ? answer_json.as_object().if_contains("released") : nullptr;
  return released && released->is_bool() && released->as_bool();
}

}  // namespace

size_t Server::give_up_leases(const std::vector<HeldLease>& held, std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  // Every storage asked at once: a node holding many leases gives them up in one
  // database round trip, not one per tenant.
  std::vector<std::future<plugin_host::CallResult>> answers;
  for (const auto& [id, storage] : held)
    answers.push_back(storage ? give_lease_up(storage, loops_.front()->get_executor())
                              : std::future<plugin_host::CallResult>{});
  std::vector<std::future<void>> told;
  for (size_t i = 0; i < held.size(); ++i) {
    const std::string& id = held[i].first;
    if (!answers[i].valid() || !lease_given_up(id, answers[i], deadline)) continue;
    auto promise = std::make_shared<std::promise<void>>();
    told.push_back(promise->get_future());
    cluster_->publish_lease_released(id, [promise] { promise->set_value(); });
  }
  for (auto& future : told) future.wait_until(deadline);
  return told.size();
}

void Server::release_leases() {
  std::vector<std::shared_ptr<TenantRuntime>> owned;
  {
    std::shared_lock lock(tenants_mutex_);
    for (const auto& [id, runtime] : tenants_)
      if (!runtime->relayed) owned.push_back(runtime);
  }
  // No relayed command reaches the engines any more; what they changed so far is
  // written (flush_tenants) while the leases are still this node's.
  for (const auto& runtime : owned) cluster_->unserve(runtime->config->id);
  flush_tenants();
  // Then every tenant's storage is fenced and its lease given up.
  std::vector<HeldLease> held;
  for (const auto& runtime : owned) {
    held.emplace_back(runtime->config->id, runtime->plugin_store->hold());
    runtime->plugin_store->resume(nullptr);
  }
  const size_t given_up = give_up_leases(held, kReleaseWait);
  if (!owned.empty())
    spdlog::info("stopping: gave up the lease of {} of {} owned tenants", given_up, owned.size());
}

}  // namespace sb::server
