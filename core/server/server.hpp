// The running server: event loops, plugin host, tenants (with hot reload), the hub
// and the REST API, wired together. Lifecycle: start() -> run until a signal ->
// stop. Everything is owned here; no part of the core reaches a global.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "api/rest_api.hpp"
#include "auth/session_book.hpp"
#include "auth/token_signer.hpp"
#include "cluster/rest_forward.hpp"
#include "cluster/take_retries.hpp"
#include "config/server_config.hpp"
#include "control/control_socket.hpp"
#include "hub/hub.hpp"
#include "metrics/metrics.hpp"
#include "plugin_host/plugin_host.hpp"
#include "server/cluster_setup.hpp"
#include "server/data_dir_lock.hpp"
#include "server/tenant_runtime.hpp"
#include "tenants/tenant_directory.hpp"
#include "web/static_files.hpp"

namespace sb::server {

class Server final : public hub::HubServices, public api::Backend {
 public:
  explicit Server(config::ServerConfig config);
  ~Server() override;

  // Starts everything and serves until SIGINT or SIGTERM. Returns the exit code.
  int run();

  // hub::HubServices
  std::shared_ptr<hub::TenantGate> find_tenant(std::string_view id) override;
  const auth::TokenSigner& signer() const override { return *signer_; }
  auth::SessionBook& sessions() override { return *sessions_; }
  metrics::Registry& metrics() override { return metrics_; }
  void handle_http(hub::HttpRequest request,
                   std::function<void(hub::HttpResponse)> respond) override;

  // api::Backend
  std::optional<api::TenantView> tenant(std::string_view id) const override;
  bool ready(std::string& why) const override;
  // plugin_files.cpp
  std::string replace_plugin_file(const tenants::TenantConfig& tenant, std::string_view plugin,
                                  std::string_view key, std::string_view file,
                                  std::string_view content) override;
  std::shared_ptr<const tenants::TenantConfig> check_tenant_text(
      std::string_view text, const std::filesystem::path& file,
      ConfigErrors& errors) const override;
  bool is_routing_plugin(std::string_view name) const override;
  void reload_tenants(std::function<void()> done) override;
  // cluster_sign_outs.cpp
  void share_sign_out(const auth::SignOut& sign_out,
                      std::function<void(std::string error)> done) override;

 private:
  // run() with the data dir locked.
  int serve();
  void start_loops();
  void stop_loops();
  // Handles SIGHUP, SIGINT and SIGTERM from here on, calls `ready`, and returns at
  // SIGINT or SIGTERM.
  void wait_for_signal(const std::function<void()>& ready);
  void reload_signing_keys();  // after `switchboard rotate-key` (reload thread)
  void reload_certificate();   // after a renewal or SIGHUP (reload thread)
  void flush_tenants();
  // A clean stop without a cluster, after flush_tenants: every engine stopped and
  // every storage instance freed (bounded), so storage plugins close as they would
  // at a tenant's removal (storage-sqlite leaves no durable log behind).
  void close_tenants();
  void apply(tenants::TenantDirectory::Changes changes);
  bool start_tenant(std::shared_ptr<const tenants::TenantConfig> config);
  // Puts a started runtime in place (or, when there is none, records the tenant as
  // failed with error); `served` ends the log line that says it is served.
  bool install_tenant(const tenants::TenantConfig& config, std::shared_ptr<TenantRuntime> runtime,
                      const std::string& error, std::string_view served);
  // Waits (bounded) for one asynchronous start-up step of a tenant; false and
  // error when it failed or did not answer.
  bool wait_for_step(const std::function<void(std::function<void(bool, std::string)>)>& step,
                     std::string& error);
  // ownership.cpp (cluster mode, docs/cluster.md): every tenant runs here either as
  // its owner (engine, lease) or relayed to its owner (read-only storage).
  bool start_relayed(std::shared_ptr<const tenants::TenantConfig> config);
  std::shared_ptr<TenantRuntime> build_relayed(std::shared_ptr<const tenants::TenantConfig> config,
                                               std::string& error);
  std::map<std::string, std::string> storage_settings(const tenants::TenantConfig& config,
                                                      bool owner) const;
  void ownership_loop();
  void settle_ownership();
  // A tenant built as its owner (or refused), on a worker of settle_ownership's.
  struct OwnerTake {
    std::shared_ptr<TenantRuntime> relayed;  // what runs here now
    std::shared_ptr<const tenants::TenantConfig> config;
    std::shared_ptr<TenantRuntime> owner;  // nullptr: refused, for `error`
    std::string error;
    plugin_host::RetryAfter lease_left;  // what is left of another node's lease, when refused
  };
  // Builds the tenant as owner: its storage takes the lease, its agents and open
  // conversations are read. Any thread: besides the new runtime it uses only the
  // plugin host, the metrics registry and the loops, which are thread-safe.
  OwnerTake build_owner(std::shared_ptr<TenantRuntime> relayed,
                        std::shared_ptr<const tenants::TenantConfig> config);
  // Puts it in place of the relayed one, or notes when to try again (ownership thread).
  bool install_owner(OwnerTake take);
  void drop_tenant(const std::string& id, bool graceful, const std::string& why);
  // The steps that stop a tenant's engine on this node, for a handover (drop_tenant)
  // and a removed tenant file (retire_tenant): no relayed command reaches it any more
  // (cluster); when graceful, what it changed so far is written (bounded, 2 s); its
  // storage is fenced (every later call of the engine fails at once); when graceful
  // in a cluster, its lease is given up and the other nodes told; the runtime lets
  // the storage instance go. Ready once that instance is freed (its file closed).
  // Its clients are the caller's to close.
  std::future<void> stop_engine(const std::string& id, TenantRuntime& runtime, bool graceful);
  // server.cpp: its file is gone. Refused from now on, stopped (stop_engine), its
  // clients closed with 1012; waits (bounded) until its storage is closed.
  void retire_tenant(const std::string& id);
  // Cluster mode: tells the other nodes which tenants this node runs (placement
  // only gives a tenant to a node that has its file).
  void advertise_tenants();
  // Gives up the leases of tenants this node owned, once each one's storage (taken
  // out of the engine's reach) wrote what it was given, and tells the other nodes.
  // Waits at most `wait` for PostgreSQL and the bus; answers how many were given up
  // (the others run out by themselves).
  using HeldLease = std::pair<std::string, std::shared_ptr<plugin_host::Instance>>;
  size_t give_up_leases(const std::vector<HeldLease>& held, std::chrono::milliseconds wait);
  // A graceful stop, after flush_tenants: every owned tenant's storage is fenced and
  // its lease given up, all at once, bounded.
  void release_leases();
  // cluster_rest.cpp: a REST request about a tenant another node owns goes there
  // (cluster/rest_forward.hpp). True when it is answered (forwarded, or refused);
  // false when this node serves it, request then holding the client a verified
  // forwarding mark names.
  bool answer_through_owner(hub::HttpRequest& request,
                            std::function<void(hub::HttpResponse)>& respond);
  void advertise_rest_url(uint16_t port);
  // cluster_sign_outs.cpp: the sign-outs every node shares (cluster/sign_outs.hpp).
  void hear_sign_out(std::string_view payload);  // published by an owner
  // Takes the tenant's stored sign-outs into the book; done(ok, why) on its strand.
  void read_sign_outs(const std::shared_ptr<TenantRuntime>& runtime,
                      std::function<void(bool, std::string)> done);
  // Every running tenant's, and the stored agents of those relayed (the link is up).
  void read_sign_outs_again();
  // Removes from the tenant's storage the ended sessions whose tokens have expired
  // (a new owner, once).
  void prune_sign_outs(const std::shared_ptr<TenantRuntime>& owner);
  void hear_agents_changed(std::string_view tenant_id);  // its owner stored a change
  void read_agents_again(const std::shared_ptr<TenantRuntime>& runtime);
  void retry_unread_sign_outs();  // those not read yet (ownership thread, each heartbeat)
  void reload_loop();
  // plugin_watch.cpp: plugins dropped in, replaced and removed while serving.
  void watch_plugins();  // reload thread, every tick
  void refresh_schemas();
  const tenants::PluginSchema* schema_of(std::string_view plugin) const;
  // Moves every tenant running a plugin build that a newer one replaced; false when
  // one could not move yet (it is tried again later).
  bool move_tenants_to_new_builds();
  bool hand_over_storage(const std::shared_ptr<TenantRuntime>& runtime);
  void collect_plugin_metrics(std::string& out) const;
  // operations.cpp: the control socket's commands and the retention job.
  void start_control_socket();
  void answer_control(const boost::json::object& request, control::ControlSocket::Answer answer);
  void retention_loop();
  std::vector<std::shared_ptr<TenantRuntime>> running_tenants() const;
  boost::asio::any_io_executor strand_for(const std::string& tenant_id);

  config::ServerConfig config_;
  // Held from the start of run() until everything below is gone (data_dir_lock.hpp).
  std::optional<DataDirLock> data_dir_lock_;
  // Declared first, destroyed last: everything below may still post to the loops.
  std::vector<std::unique_ptr<boost::asio::io_context>> loops_;
  std::vector<std::thread> loop_threads_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      keep_loops_alive_;

  metrics::Registry metrics_;
  std::optional<auth::TokenSigner> signer_;
  // The key files as last read (reload thread only).
  std::filesystem::file_time_type signing_key_stamp_ = std::filesystem::file_time_type::min();
  std::filesystem::file_time_type retired_keys_stamp_ = std::filesystem::file_time_type::min();
  std::optional<auth::SessionBook> sessions_;
  // The TLS certificate, when [tls] names one, and its files as last read (reload
  // thread only).
  std::shared_ptr<hub::TlsContext> tls_;
  std::filesystem::file_time_type tls_cert_stamp_ = std::filesystem::file_time_type::min();
  std::filesystem::file_time_type tls_key_stamp_ = std::filesystem::file_time_type::min();
  plugin_host::PluginHost plugins_;
  tenants::TenantDirectory directory_;
  boost::asio::thread_pool blocking_pool_{1};
  std::unique_ptr<api::RestApi> api_;
  std::unique_ptr<web::StaticFiles> web_;

  mutable std::shared_mutex tenants_mutex_;  // taken per connection / request, never per message
  std::map<std::string, std::shared_ptr<TenantRuntime>, std::less<>> tenants_;
  std::vector<std::string> failed_tenants_;  // guarded by tenants_mutex_
  // The loaded plugins' config schemas, as tenant files are checked against them.
  // Replaced ones are kept (old_schemas_): a pointer handed to a loader stays valid.
  mutable std::mutex schemas_mutex_;
  std::map<std::string, std::shared_ptr<const tenants::PluginSchema>, std::less<>> schemas_;
  std::vector<std::shared_ptr<const tenants::PluginSchema>> old_schemas_;
  // A tenant could not move to a new plugin build yet (reload thread only).
  bool tenants_to_move_ = false;
  std::chrono::steady_clock::time_point next_move_attempt_;

  std::unique_ptr<hub::Hub> hub_;
  // Held while a tenant changes hands on this node (drop_tenant, install_owner,
  // retire_tenant): a removal never interleaves with a take or a handover.
  std::mutex handover_mutex_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  bool reload_now_ = false;              // the reload loop runs at once (guarded by stop_mutex_)
  bool reload_certificate_now_ = false;  // SIGHUP: read it even if unchanged (same)
  std::vector<std::function<void()>> reload_waiters_;  // guarded by stop_mutex_
  std::thread reload_thread_;
  std::unique_ptr<control::ControlSocket> control_;
  std::thread retention_thread_;
  std::unique_ptr<ClusterNode> cluster_;               // a node of a cluster only ([cluster])
  std::unique_ptr<cluster::RestForwarder> forwarder_;  // cluster mode
  std::thread ownership_thread_;                       // cluster mode
  bool ownership_now_ = false;         // the live nodes changed (guarded by stop_mutex_)
  std::set<std::string> leases_lost_;  // tenants to drop at once (guarded by stop_mutex_)
  // Tenants whose lease another node gave up: tried at once (guarded by stop_mutex_).
  std::set<std::string, std::less<>> leases_released_;
  // Tenants whose stored sign-outs could not be read yet (guarded by stop_mutex_).
  std::set<std::string> sign_outs_unread_;
  // The last ownership pass found every tenant placed here owned here (/readyz).
  std::atomic<bool> ownership_settled_{false};
  // Ownership thread only: the owner last computed per tenant, and why a tenant
  // this node should own could not be taken (said once until it changes).
  std::map<std::string, std::string> placed_;
  std::map<std::string, std::string> take_failures_;
  // Ownership thread only: when to try again a tenant another node's lease holds.
  cluster::TakeRetries take_retries_;
};

}  // namespace sb::server
