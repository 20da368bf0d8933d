#include "server/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <future>
#include <iostream>

#include "bus/event_bus.hpp"
#include "cluster/wire.hpp"
#include "hub/tls_context.hpp"
#include "server/open_files.hpp"
#include "tenants/tenant_loader.hpp"

namespace sb::server {

namespace net = boost::asio;

namespace {

plugin_host::HostOptions host_options(const config::ServerConfig& c) {
  plugin_host::HostOptions o;
  o.call_timeout = std::chrono::milliseconds(c.plugin_call_timeout_ms);
  o.breaker_failures = c.breaker_failures;
  o.breaker_cooldown = std::chrono::milliseconds(c.breaker_cooldown_ms);
  // Under the data dir's lock: no other server uses it.
  o.copy_dir = c.data_dir / "loaded-plugins";
  return o;
}

// How long one tenant may take to read its open conversations back at start-up.
constexpr auto kTenantStartTimeout = std::chrono::seconds(60);
// Beyond the plugin call timeout, how long a removed tenant's storage may take to close.
constexpr auto kTenantStopWait = std::chrono::seconds(5);
// How long a stopping server waits for its TLS clients to close their connections.
constexpr auto kTlsCloseWait = std::chrono::milliseconds(2000);

// When a file last changed; min() when it does not exist.
std::filesystem::file_time_type file_stamp(const std::filesystem::path& file) {
  std::error_code ec;
  const auto time = std::filesystem::last_write_time(file, ec);
  return ec ? std::filesystem::file_time_type::min() : time;
}

}  // namespace

Server::Server(config::ServerConfig config)
    : config_(std::move(config)),
      plugins_(config_.plugin_dir, host_options(config_)),
      directory_(
          config_.tenants_dir, [this](std::string_view name) { return schema_of(name); },
          config_.default_storage_plugin) {}

Server::~Server() = default;

int Server::run() {
  std::string lock_error;
  data_dir_lock_ = DataDirLock::acquire(config_.data_dir, lock_error);
  if (!data_dir_lock_) {
    spdlog::critical("{}", lock_error);
    return 1;
  }
  const int code = serve();
  // The process ends without unloading its plugins (main.cpp), so the private copies
  // they are mapped from are removed here; the mappings stay valid until it ends.
  plugins_.remove_private_copies();
  return code;
}

int Server::serve() {
  start_loops();

  plugins_.scan();
  refresh_schemas();
  metrics_.add_collector([this](std::string& out) { collect_plugin_metrics(out); });

  try {
    // Stamped first: a rotation while the keys are read is picked up next tick.
    signing_key_stamp_ = file_stamp(config_.data_dir / "secret.key");
    retired_keys_stamp_ = file_stamp(config_.data_dir / "secret.key.retired");
    signer_.emplace(auth::TokenSigner::open(config_.data_dir));
    // A fresh data dir: the key was made just now, by this open, not rotated since.
    if (signing_key_stamp_ == std::filesystem::file_time_type::min())
      signing_key_stamp_ = file_stamp(config_.data_dir / "secret.key");
  } catch (const std::exception& e) {
    spdlog::critical("cannot use data dir {}: {}", config_.data_dir.string(), e.what());
    stop_loops();
    return 1;
  }
  try {
    sessions_.emplace(*signer_, config_.data_dir / "signed_out_sessions");
  } catch (const std::exception& e) {
    spdlog::critical("cannot use data dir {}: {}", config_.data_dir.string(), e.what());
    stop_loops();
    return 1;
  }
  api_ = std::make_unique<api::RestApi>(*this, *signer_, *sessions_, metrics_, blocking_pool_,
                                        config_.password_helper);
  web_ = std::make_unique<web::StaticFiles>(
      config_.web_dir,
      [this](std::string_view tenant_id) -> std::optional<std::vector<std::string>> {
        auto view = tenant(tenant_id);
        if (!view) return std::nullopt;
        return view->config->widget.allowed_origins;
      });

  if (!config_.tls_cert_file.empty()) {
    try {
      // Stamped first, like the signing keys: a renewal meanwhile is read next tick.
      tls_cert_stamp_ = file_stamp(config_.tls_cert_file);
      tls_key_stamp_ = file_stamp(config_.tls_key_file);
      tls_ = std::make_shared<hub::TlsContext>(
          hub::TlsSettings{config_.tls_cert_file, config_.tls_key_file, config_.tls_min_version});
      spdlog::info("TLS certificate: {}", tls_->description());
    } catch (const std::exception& e) {
      spdlog::critical("cannot serve TLS: {}", e.what());
      stop_loops();
      return 1;
    }
  }

  if (config_.cluster) {
    // Checked before anything is served: a node with a wrong [cluster] must not run.
    const auto errors = check_cluster_section(*config_.cluster, plugins_, "[cluster]");
    for (const auto& e : errors) spdlog::critical("{}", e.to_string());
    if (!errors.empty()) {
      stop_loops();
      return 1;
    }
  }

  if (config_.cluster) {
    // Joined before the tenants start: each of them runs as its owner or relayed
    // to it, which the cluster decides.
    std::string error;
    cluster_ = ClusterNode::start(
        plugins_, *config_.cluster, config_.data_dir, loops_.front()->get_executor(),
        config_.listen_host + ":" + std::to_string(config_.listen_port), error,
        ClusterNode::Events{
            .nodes_changed =
                [this] {
                  {
                    std::lock_guard lock(stop_mutex_);
                    ownership_now_ = true;
                  }
                  stop_cv_.notify_all();
                },
            .sign_out = [this](std::string_view payload) { hear_sign_out(payload); },
            .agents_changed = [this](std::string_view id) { hear_agents_changed(id); },
            .lease_released =
                [this](std::string_view id) {
                  {
                    std::lock_guard lock(stop_mutex_);
                    leases_released_.emplace(id);
                  }
                  stop_cv_.notify_all();
                },
            .link_back =
                [this] {
                  boost::asio::post(loops_.front()->get_executor(),
                                    [this] { read_sign_outs_again(); });
                }});
    if (!cluster_) {
      spdlog::critical("cluster: cannot open the cluster bus: {}", error);
      stop_loops();
      return 1;
    }
    forwarder_ = std::make_unique<cluster::RestForwarder>(
        loops_.front()->get_executor(), *signer_,
        cluster::RestForwarder::Options{.node_id = config_.cluster->node_id});
  }

  apply(directory_.refresh());
  {
    std::shared_lock lock(tenants_mutex_);
    if (tenants_.empty())
      spdlog::warn("no tenant is running; add a file to {}", config_.tenants_dir.string());
  }

  std::vector<net::io_context*> loops;
  for (auto& loop : loops_) loops.push_back(loop.get());
  hub::HubOptions options;
  options.host = config_.listen_host;
  options.port = config_.listen_port;
  // Past the open-file limit accept() fails; the hub refuses cleanly below it.
  options.max_connections = fit_open_file_limit(config_.max_connections);
  options.max_connections_per_address = config_.max_connections_per_address;
  options.unlimited_addresses = {};
  for (const auto& range : config_.unlimited_addresses) options.unlimited_addresses.add(range);
  options.handshake_timeout_ms = config_.handshake_timeout_ms;
  options.max_header_bytes = config_.max_header_bytes;
  options.transfer_idle_timeout_ms = config_.transfer_idle_timeout_ms;
  options.min_transfer_bytes_per_second = config_.min_transfer_bytes_per_second;
  options.hello_timeout_ms = config_.hello_timeout_ms;
  options.websocket_ping_ms = config_.websocket_ping_ms;
  for (const auto& proxy : config_.trusted_proxies) options.trusted_proxies.add(proxy);
  options.send_queue_max_bytes = config_.send_queue_max_bytes;
  options.tls = tls_;
  options.plain_http_addresses = {};
  for (const auto& range : config_.tls_plain_http_from) options.plain_http_addresses.add(range);
  if (tls_ && config_.tls_hsts_max_age_s > 0)
    options.strict_transport_security = "max-age=" + std::to_string(config_.tls_hsts_max_age_s);
  hub_ = std::make_unique<hub::Hub>(std::move(loops), options, *this);
  uint16_t port = 0;
  try {
    port = hub_->start();
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", config_.listen_host, config_.listen_port,
                     e.what());
    stop_loops();
    return 1;
  }
  if (cluster_) advertise_rest_url(port);
  reload_thread_ = std::thread([this] { reload_loop(); });
  start_control_socket();
  retention_thread_ = std::thread([this] { retention_loop(); });
  if (cluster_) ownership_thread_ = std::thread([this] { ownership_loop(); });
  // Ready once started in full: a SIGTERM right after the line stops the server
  // gracefully, and the files the start opens (the control socket, the signal pipe)
  // are open, so whoever counts them counts them all.
  wait_for_signal([&] {
    // Exactly one line on stdout, for people and for scripts that wait for it.
    std::cout << "listening on " << config_.listen_host << ":" << port << std::endl;
    spdlog::info("serving on {}://{}:{} with {} event loops", tls_ ? "https" : "http",
                 config_.listen_host, port, loops_.size());
  });

  spdlog::info("stopping");
  if (control_) control_->stop();
  hub_->stop();
  if (reload_thread_.joinable()) reload_thread_.join();
  if (retention_thread_.joinable()) retention_thread_.join();
  if (ownership_thread_.joinable()) ownership_thread_.join();
  // The other nodes take this node's tenants as soon as it leaves the live nodes,
  // not once its leases run out.
  if (cluster_) {
    release_leases();
  } else {
    flush_tenants();
    close_tenants();
  }
  // TLS clients are told the end (close frames, close_notify) while the loops run.
  if (!hub_->wait_for_tls_connections(kTlsCloseWait))
    spdlog::info("stopping: some TLS connections did not end within {} ms; they are cut",
                 kTlsCloseWait.count());
  forwarder_.reset();
  cluster_.reset();  // leaves the live nodes while the loops still run
  stop_loops();
  return 0;
}

// Waits (bounded) until every tenant's state changes so far are in storage, so a
// graceful restart finds assignments and queues exactly as they were.
void Server::flush_tenants() {
  std::vector<std::shared_ptr<TenantRuntime>> running;
  {
    std::shared_lock lock(tenants_mutex_);
    for (const auto& [id, runtime] : tenants_)
      if (!runtime->relayed) running.push_back(runtime);
  }
  std::vector<std::future<bool>> flushed;
  for (const auto& runtime : running) {
    auto promise = std::make_shared<std::promise<bool>>();
    flushed.push_back(promise->get_future());
    runtime->engine->flush([promise](bool ok) { promise->set_value(ok); });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (size_t i = 0; i < flushed.size(); ++i) {
    if (flushed[i].wait_until(deadline) != std::future_status::ready || !flushed[i].get())
      spdlog::warn("tenant {}: storage did not confirm its last writes before the stop",
                   running[i]->config->id);
  }
}

// After flush_tenants: every tenant's engine stops and its storage instance is
// freed while the loops still run, so a plugin finishes what it holds as its
// instance_free promises (storage-sqlite applies its durable log to the database
// and removes the log). Bounded: the instances are freed on a thread of their own
// (instance_free may take long: a backup under way ends first), and a storage
// still busy when the time is up is left to the process's end; what it
// acknowledged is durable, and its next open catches up (the log is replayed).
void Server::close_tenants() {
  std::vector<std::pair<std::string, std::shared_ptr<TenantRuntime>>> running;
  {
    std::shared_lock lock(tenants_mutex_);
    for (const auto& [id, runtime] : tenants_)
      if (!runtime->relayed) running.emplace_back(id, runtime);
  }
  if (running.empty()) return;
  struct Progress {
    std::mutex mutex;
    std::condition_variable changed;
    size_t closed = 0;
    std::string closing;  // the tenant whose storage is being let go of now
  };
  auto progress = std::make_shared<Progress>();
  std::thread closer([this, running, progress] {
    for (const auto& [id, runtime] : running) {
      {
        std::lock_guard lock(progress->mutex);
        progress->closing = id;
      }
      // Not graceful: flush_tenants wrote what the engines had.
      stop_engine(id, *runtime, false).wait();
      {
        std::lock_guard lock(progress->mutex);
        ++progress->closed;
      }
      progress->changed.notify_all();
    }
  });
  const auto wait = std::chrono::milliseconds(config_.plugin_call_timeout_ms) + kTenantStopWait;
  std::unique_lock lock(progress->mutex);
  if (progress->changed.wait_for(lock, wait, [&] { return progress->closed == running.size(); })) {
    lock.unlock();
    closer.join();
    spdlog::info("stopping: the storage of {} tenant(s) is closed", running.size());
    return;
  }
  spdlog::warn(
      "stopping: the storage of {} of {} tenant(s) did not close within {} ms (tenant {} was "
      "closing); what they acknowledged is durable, and their next start catches up",
      running.size() - progress->closed, running.size(), wait.count(), progress->closing);
  lock.unlock();
  closer.detach();  // the process ends without waiting for it
}

void Server::start_loops() {
  unsigned n =
      config_.io_threads ? config_.io_threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    loops_.push_back(std::make_unique<net::io_context>(1));  // one thread each: no locking inside
    keep_loops_alive_.push_back(net::make_work_guard(*loops_.back()));
  }
  for (auto& loop : loops_) {
    loop_threads_.emplace_back([&loop] {
      for (;;) {
        try {
          loop->run();
          return;
        } catch (const std::exception& e) {
          // A bug, not a client's doing; log it and keep the loop serving.
          spdlog::error("event loop: unexpected exception: {}", e.what());
        }
      }
    });
  }
}

void Server::stop_loops() {
  keep_loops_alive_.clear();
  for (auto& loop : loops_) loop->stop();
  for (auto& t : loop_threads_)
    if (t.joinable()) t.join();
}

void Server::wait_for_signal(const std::function<void()>& ready) {
  // SIGHUP (systemctl reload, a certificate renewal's hook): the certificate and the
  // tenant files are read again now.
  net::signal_set reload_signal(*loops_.front(), SIGHUP);
  std::function<void()> await_reload = [&] {
    reload_signal.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      spdlog::info("SIGHUP: reloading");
      {
        std::lock_guard lock(stop_mutex_);
        reload_now_ = true;
        reload_certificate_now_ = true;
      }
      stop_cv_.notify_all();
      await_reload();
    });
  };
  await_reload();
  net::signal_set signals(*loops_.front(), SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code&, int) {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
    stop_cv_.notify_all();
  });
  ready();
  std::unique_lock lock(stop_mutex_);
  stop_cv_.wait(lock, [this] { return stopping_; });
}

void Server::reload_loop() {
  const auto interval = std::chrono::milliseconds(config_.tenant_reload_interval_ms);
  for (;;) {
    std::vector<std::function<void()>> waiters;
    bool certificate_now = false;
    {
      std::unique_lock lock(stop_mutex_);
      stop_cv_.wait_for(lock, interval,
                        [this] { return stopping_ || reload_now_ || !reload_waiters_.empty(); });
      reload_now_ = false;
      certificate_now = std::exchange(reload_certificate_now_, false);
      waiters.swap(reload_waiters_);
      if (stopping_) {
        lock.unlock();
        for (auto& done : waiters) done();
        return;
      }
    }
    reload_signing_keys();
    watch_plugins();
    if (tls_ && (certificate_now || file_stamp(config_.tls_cert_file) != tls_cert_stamp_ ||
                 file_stamp(config_.tls_key_file) != tls_key_stamp_))
      reload_certificate();
    auto changes = directory_.refresh();
    if (!changes.changed.empty() || !changes.removed.empty() || !changes.errors.empty())
      apply(std::move(changes));
    for (auto& done : waiters) done();
  }
}

// `switchboard rotate-key` replaced the key files (here or on another node sharing
// the data dir): new tokens are signed with the new key from now on, and tokens of
// the retired one keep verifying until its time.
void Server::reload_signing_keys() {
  const auto key_stamp = file_stamp(config_.data_dir / "secret.key");
  const auto retired_stamp = file_stamp(config_.data_dir / "secret.key.retired");
  if (key_stamp == signing_key_stamp_ && retired_stamp == retired_keys_stamp_) return;
  signing_key_stamp_ = key_stamp;
  retired_keys_stamp_ = retired_stamp;
  try {
    signer_->reload(config_.data_dir);
    spdlog::info("signing key reloaded from {}", config_.data_dir.string());
  } catch (const std::exception& e) {
    spdlog::error("signing key not reloaded, the old one stays: {}", e.what());
  }
}

// A renewal replaced the certificate files (certbot swaps its symlinks; a copy may
// write one file, then the other: a half-written pair fails and the next change
// tries again). New handshakes get the new certificate; open connections keep theirs.
void Server::reload_certificate() {
  tls_cert_stamp_ = file_stamp(config_.tls_cert_file);
  tls_key_stamp_ = file_stamp(config_.tls_key_file);
  std::string error;
  if (tls_->reload(error))
    spdlog::info("TLS certificate reloaded: {}", tls_->description());
  else
    spdlog::error("TLS certificate not reloaded, the old one stays: {}", error);
}

void Server::reload_tenants(std::function<void()> done) {
  {
    std::lock_guard lock(stop_mutex_);
    reload_waiters_.push_back(std::move(done));
  }
  stop_cv_.notify_all();
}

std::shared_ptr<const tenants::TenantConfig> Server::check_tenant_text(
    std::string_view text, const std::filesystem::path& file, ConfigErrors& errors) const {
  auto lookup = [this](std::string_view name) { return schema_of(name); };
  return tenants::load_tenant_text(text, file, lookup, config_.default_storage_plugin, errors);
}

bool Server::is_routing_plugin(std::string_view name) const {
  const auto* schema = schema_of(name);
  return schema && schema->kind == SB_KIND_ROUTING;
}

void Server::apply(tenants::TenantDirectory::Changes changes) {
  for (const auto& error : changes.errors) {
    // A tenant file is named after its tenant: a broken edit of a served tenant keeps
    // what runs, while a new file (or one that never loaded) has nothing to keep.
    const std::string id = std::filesystem::path(error.file).stem().string();
    bool served = false;
    {
      std::shared_lock lock(tenants_mutex_);
      served = tenants_.contains(id);
    }
    spdlog::error("tenant config: {} ({})", error.to_string(),
                  served ? "the last good config stays live"
                         : "not served until the file loads; nothing else changes");
  }

  for (auto& config : changes.changed) {
    if (const std::string note = tenants::config_note(*config); !note.empty())
      spdlog::warn("tenant {}: {}", config->id, note);
    std::shared_ptr<TenantRuntime> running;
    {
      std::shared_lock lock(tenants_mutex_);
      if (auto it = tenants_.find(config->id); it != tenants_.end()) running = it->second;
    }
    if (!running) {
      start_tenant(config);
      continue;
    }
    std::string warning;
    const std::string id = config->id;
    {
      std::unique_lock lock(tenants_mutex_);  // readers copy runtime->config under this lock
      if (!update_tenant(*running, config, plugins_, config_.data_dir, warning))
        spdlog::warn("tenant {}: {}", id, warning);
    }
    running->engine->with_bus([id](bus::EventBus& bus) {
      bus.publish(
          bus::Event{bus::event::kTenantReloaded, id, {}, R"({"tenant_id":")" + id + "\"}", 0});
    });
    spdlog::info("tenant {}: reloaded from {}", id, config->file.string());
  }

  for (const auto& id : changes.removed) retire_tenant(id);
  if (cluster_) advertise_tenants();
}

// Its file is gone: the tenant stops here as a node hands a tenant over
// (stop_engine), and is forgotten. Started again, with everything it stored, when
// the file comes back.
void Server::retire_tenant(const std::string& id) {
  std::unique_lock handing(handover_mutex_);
  std::shared_ptr<TenantRuntime> runtime;
  {
    std::unique_lock lock(tenants_mutex_);
    std::erase(failed_tenants_, id);
    if (auto it = tenants_.find(id); it != tenants_.end()) {
      runtime = std::move(it->second);
      tenants_.erase(it);
    }
  }
  if (!runtime) return;
  // From here on new connections and REST calls get 404, as for any unknown tenant.
  spdlog::info("tenant {}: its file is gone; it is no longer served: new connections are refused",
               id);
  auto storage_closed = stop_engine(id, *runtime, true);
  // Clients reconnect (the widget and the console do on 1012): to another node that
  // serves it, or here once the file is back; what was not acknowledged is resent.
  runtime->gate->close_all(cluster::kCloseMoved, "the tenant is no longer served here; reconnect");
  spdlog::info("tenant {}: its connections are closed", id);
  handing.unlock();
  // The file may come back at any time: the storage must be closed before another
  // instance opens it (an embedded database is never written through two at once).
  const auto wait = std::chrono::milliseconds(config_.plugin_call_timeout_ms) + kTenantStopWait;
  if (storage_closed.wait_for(wait) == std::future_status::ready)
    spdlog::info("tenant {}: its storage is closed", id);
  else
    spdlog::warn(
        "tenant {}: its storage still had calls outstanding after {} ms; it closes once "
        "they end",
        id, wait.count());
}

void Server::advertise_tenants() {
  std::vector<std::string> ids;
  {
    std::shared_lock lock(tenants_mutex_);
    for (const auto& [id, runtime] : tenants_) ids.push_back(id);
  }
  cluster_->serve_tenants(std::move(ids));
}

bool Server::wait_for_step(const std::function<void(std::function<void(bool, std::string)>)>& step,
                           std::string& error) {
  auto started = std::make_shared<std::promise<std::pair<bool, std::string>>>();
  auto done = started->get_future();
  step([started](bool ok, std::string why) { started->set_value({ok, std::move(why)}); });
  if (done.wait_for(kTenantStartTimeout) != std::future_status::ready) {
    error = "storage did not answer within 60 s";
    return false;
  }
  auto [ok, why] = done.get();
  if (!ok) error = why;
  return ok;
}

bool Server::start_tenant(std::shared_ptr<const tenants::TenantConfig> config) {
  if (cluster_) return start_relayed(std::move(config));
  std::string error;
  auto runtime =
      build_tenant(config, plugins_, config_.data_dir, strand_for(config->id), metrics_, error);
  // Stored agents first: the engine's restored conversations refer to them.
  if (runtime && !(wait_for_step([&](auto cb) { runtime->agents->load(std::move(cb)); }, error) &&
                   wait_for_step([&](auto cb) { runtime->engine->start(std::move(cb)); }, error)))
    runtime.reset();
  // Its connections are known, to be closed if its file goes (retire_tenant).
  if (runtime) runtime->gate->track_connections();
  return install_tenant(*config, std::move(runtime), error, "is served");
}

bool Server::install_tenant(const tenants::TenantConfig& config,
                            std::shared_ptr<TenantRuntime> runtime, const std::string& error,
                            std::string_view served) {
  std::unique_lock lock(tenants_mutex_);
  std::erase(failed_tenants_, config.id);
  if (!runtime) {
    spdlog::error("tenant {} is not served: {}", config.id, error);
    failed_tenants_.push_back(config.id);
    return false;
  }
  tenants_[config.id] = std::move(runtime);
  spdlog::info("tenant {} ({}) {}", config.id, config.name, served);
  return true;
}

net::any_io_executor Server::strand_for(const std::string& tenant_id) {
  // Spread tenants over the loops; one tenant's engine always runs on one.
  const size_t index = std::hash<std::string>{}(tenant_id) % loops_.size();
  return net::make_strand(*loops_[index]);
}

std::shared_ptr<hub::TenantGate> Server::find_tenant(std::string_view id) {
  std::shared_lock lock(tenants_mutex_);
  auto it = tenants_.find(id);
  return it == tenants_.end() ? nullptr : it->second->gate;
}

std::optional<api::TenantView> Server::tenant(std::string_view id) const {
  std::shared_lock lock(tenants_mutex_);
  auto it = tenants_.find(id);
  if (it == tenants_.end()) return std::nullopt;
  return api::TenantView{it->second->config, it->second->gate, it->second->agents,
                         it->second->store, it->second->bot_trial};
}

bool Server::ready(std::string& why) const {
  if (plugins_.plugins().empty()) {
    why = "no plugins loaded from " + config_.plugin_dir.string();
    return false;
  }
  if (cluster_ && !cluster_->advertised()) {
    why = "cluster: this node's REST address is not listed among the live nodes yet";
    return false;
  }
  if (cluster_ && !ownership_settled_.load(std::memory_order_acquire)) {
    why = "cluster: the tenants placed on this node are not all taken yet";
    return false;
  }
  std::shared_lock lock(tenants_mutex_);
  if (!failed_tenants_.empty()) {
    why = "tenant " + failed_tenants_.front() + " failed to start";
    return false;
  }
  for (const auto& [id, runtime] : tenants_) {
    if (!runtime->relayed && !runtime->engine->is_ready()) {
      why = "tenant " + id + " is still starting";
      return false;
    }
  }
  return true;
}

void Server::handle_http(hub::HttpRequest request, std::function<void(hub::HttpResponse)> respond) {
  try {
    if (auto page = web_->serve(request)) return respond(std::move(*page));
    if (cluster_ && answer_through_owner(request, respond)) return;
    api_->handle(std::move(request), respond);
  } catch (const std::exception& e) {
    spdlog::error("HTTP handler failed: {}", e.what());
    respond({500,
             "application/json",
             R"({"error":{"code":"internal","message":"internal error"}})",
             {}});
  }
}

}  // namespace sb::server
