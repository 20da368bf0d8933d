// The server's side of operations.hpp: the control socket in the data dir and the
// retention loop.
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>

#include "common/clock.hpp"
#include "server/operations.hpp"
#include "server/server.hpp"

namespace sb::server {

namespace json = boost::json;

std::vector<std::shared_ptr<TenantRuntime>> Server::running_tenants() const {
  std::shared_lock lock(tenants_mutex_);
  std::vector<std::shared_ptr<TenantRuntime>> out;
  for (const auto& [id, runtime] : tenants_) out.push_back(runtime);
  return out;
}

void Server::start_control_socket() {
  control_ = std::make_unique<control::ControlSocket>(
      *loops_.front(), config_.data_dir / control::kSocketName,
      [this](const json::object& request, control::ControlSocket::Answer answer) {
        answer_control(request, std::move(answer));
      });
  try {
    control_->start();
  } catch (const std::exception& e) {
    // The server serves without it; only `switchboard backup` cannot reach it.
    spdlog::error("no control socket, so `switchboard backup` cannot reach this server: {}",
                  e.what());
    control_.reset();
  }
}

void Server::answer_control(const json::object& request, control::ControlSocket::Answer answer) {
  const auto* command = request.if_contains("command");
  if (!command || !command->is_string()) return answer({{"ok", false}, {"error", "no command"}});
  if (command->get_string() == "backup") {
    const auto* dir = request.if_contains("dir");
    if (!dir || !dir->is_string()) return answer({{"ok", false}, {"error", "backup needs a dir"}});
    spdlog::info("backup into {} asked for over the control socket",
                 std::string_view(dir->get_string()));
    return backup_install(config_.data_dir, config_.tenants_dir, running_tenants(),
                          std::string(dir->get_string()), std::move(answer));
  }
  answer({{"ok", false}, {"error", "unknown command (known: backup)"}});
}

void Server::retention_loop() {
  const auto interval = std::chrono::milliseconds(config_.retention_interval_ms);
  for (;;) {
    {
      std::unique_lock lock(stop_mutex_);
      if (stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) return;
    }
    // One run at a time: the next waits for this one (bounded, so a stuck storage
    // cannot stop the loop from seeing the server stop).
    auto finished = std::make_shared<std::promise<void>>();
    auto ended = finished->get_future();
    run_retention(running_tenants(), metrics_, wall_clock_ms(),
                  [finished] { finished->set_value(); });
    while (ended.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) {
      std::lock_guard lock(stop_mutex_);
      if (stopping_) return;
    }
  }
}

}  // namespace sb::server
