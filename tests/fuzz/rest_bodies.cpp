// Bodies and query strings of the REST endpoints an admin or agent calls, through
// the API as the server runs it (core/api), with a signed-in admin: the widget and
// group settings (whose writes edit the tenant file), the routing graph and its dry
// run, canned replies, agents, conversation tags, search, the audit log and the
// dashboard's report. Every body must get an answer (2xx or an error object), and
// the answer must be JSON.
//
// Input: the first byte picks the endpoint; the rest is its body (for a GET, its
// query string).
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "../unit/engine/fakes.hpp"
#include "api/rest_api.hpp"
#include "auth/session_book.hpp"
#include "auth/token_signer.hpp"
#include "common/clock.hpp"
#include "fuzz_input.hpp"
#include "hub/tenant_gate.hpp"
#include "tenants/tenant_loader.hpp"

namespace {

namespace fs = std::filesystem;
using namespace sb;

constexpr std::string_view kTenantFile = R"(id = "shop"
name = "Shop"
[storage]
plugin = "storage-sqlite"
[routing]
chain = ["routing-least-busy"]
[groups.support]
name = "Support"
[groups.billing]
name = "Billing"
[widget]
color = "#0055aa"
allowed_origins = ["https://shop.example"]
)";

struct Endpoint {
  const char* method;
  const char* path;
};
// What the first input byte picks.
constexpr std::array<Endpoint, 14> kEndpoints{{
    {"PUT", "/v1/tenants/shop/widget"},
    {"PUT", "/v1/tenants/shop/groups/support"},
    {"PUT", "/v1/tenants/shop/groups/new-group"},
    {"PUT", "/v1/tenants/shop/routing"},
    {"POST", "/v1/tenants/shop/routing/dry-run"},
    {"POST", "/v1/tenants/shop/canned-replies"},
    {"PUT", "/v1/tenants/shop/canned-replies/c1"},
    {"PATCH", "/v1/tenants/shop/conversations/c1"},
    {"PATCH", "/v1/tenants/shop/agents/lee"},
    {"POST", "/v1/tenants/shop/agents"},
    {"GET", "/v1/tenants/shop/search"},
    {"GET", "/v1/tenants/shop/audit"},
    {"GET", "/v1/tenants/shop/stats/report"},
    {"GET", "/v1/tenants/shop/conversations"},
}};

const tenants::PluginLookup& installed_plugins() {
  static const std::map<std::string, tenants::PluginSchema, std::less<>> installed = {
      {"storage-sqlite", {"storage-sqlite", SB_KIND_STORAGE, {{"path", SB_CONFIG_STRING}}}},
      {"routing-least-busy", {"routing-least-busy", SB_KIND_ROUTING, {}}},
  };
  static const tenants::PluginLookup lookup =
      [](std::string_view name) -> const tenants::PluginSchema* {
    auto it = installed.find(name);
    return it == installed.end() ? nullptr : &it->second;
  };
  return lookup;
}

// The running server as the API sees it: one tenant, its file in a temp dir,
// reloaded after every write as the directory watcher would.
class FuzzBackend : public api::Backend {
 public:
  FuzzBackend() : dir_(fs::temp_directory_path() / ("sb-fuzz-rest-" + std::to_string(::getpid()))) {
    fs::create_directories(dir_);
    engine_->set_queue_estimates(std::chrono::milliseconds(0), monotonic_ms);
    engine_->start([](bool, std::string) {});
    agents::AgentRecord lee;
    lee.id = "lee";
    lee.email = "lee@shop.example";
    lee.name = "Lee";
    lee.role = "admin";
    lee.from_file = true;
    agents_->set_file_agents({lee});
    reset();
  }
  ~FuzzBackend() override { fs::remove_all(dir_); }

  // Every input starts from the same tenant file.
  void reset() {
    std::ofstream(file(), std::ios::trunc) << kTenantFile;
    reload();
    if (!config_) __builtin_trap();
  }

  std::optional<api::TenantView> tenant(std::string_view id) const override {
    if (id != "shop") return std::nullopt;
    std::lock_guard lock(mutex_);
    return api::TenantView{config_, gate_, agents_, store_, nullptr};
  }
  bool ready(std::string&) const override { return true; }
  std::string replace_plugin_file(const tenants::TenantConfig&, std::string_view, std::string_view,
                                  std::string_view, std::string_view) override {
    return "no bot plugins in this harness";
  }
  std::shared_ptr<const tenants::TenantConfig> check_tenant_text(
      std::string_view text, const fs::path& file, ConfigErrors& errors) const override {
    return tenants::load_tenant_text(text, file, installed_plugins(), "storage-sqlite", errors);
  }
  bool is_routing_plugin(std::string_view name) const override {
    return name == "routing-least-busy";
  }
  void reload_tenants(std::function<void()> done) override {
    reload();
    done();
  }

  void settle() {
    ioc_.restart();
    ioc_.poll();
  }

 private:
  fs::path file() const { return dir_ / "shop.toml"; }
  void reload() {
    std::ifstream in(file());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ConfigErrors errors;
    auto loaded =
        tenants::load_tenant_text(text, file(), installed_plugins(), "storage-sqlite", errors);
    std::lock_guard lock(mutex_);
    if (loaded) config_ = std::move(loaded);
  }

  fs::path dir_;
  boost::asio::io_context ioc_;
  boost::asio::any_io_executor strand_ = boost::asio::make_strand(ioc_);
  std::shared_ptr<engine::test::FakeStore> store_ =
      std::make_shared<engine::test::FakeStore>(strand_);
  std::shared_ptr<metrics::TenantMetrics> metrics_ = std::make_shared<metrics::TenantMetrics>();
  std::shared_ptr<engine::TenantEngine> engine_ =
      std::make_shared<engine::TenantEngine>("shop", strand_, store_, metrics_);
  std::shared_ptr<hub::TenantGate> gate_ =
      std::make_shared<hub::TenantGate>("shop", engine_, metrics_, hub::TenantLimits{});
  std::shared_ptr<agents::AgentDirectory> agents_ =
      std::make_shared<agents::AgentDirectory>(store_, [](auto) {});
  mutable std::mutex mutex_;
  std::shared_ptr<const tenants::TenantConfig> config_;
};

struct World {
  FuzzBackend backend;
  auth::TokenSigner signer{std::array<unsigned char, 32>{4, 2}};
  auth::SessionBook sessions{signer};
  metrics::Registry metrics;
  boost::asio::thread_pool pool{1};
  api::RestApi api{backend, signer, sessions, metrics, pool};
  std::string admin_token;

  World() {
    spdlog::set_level(spdlog::level::off);  // a line per write would cost more than it
    auth::Claims admin{"agent", "shop", "lee", "admin", wall_clock_ms() / 1000 + 3600, 0, ""};
    admin_token = signer.issue(admin);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static World world;
  world.backend.reset();
  const Endpoint& endpoint = kEndpoints[data[0] % kEndpoints.size()];
  const std::string_view rest = fuzz::as_text(data + 1, size - 1);

  hub::HttpRequest request;
  request.method = endpoint.method;
  if (request.method == "GET") {
    if (!hub::parse_target(std::string(endpoint.path) + "?" + std::string(rest), request)) return 0;
  } else {
    request.path = endpoint.path;
    request.body = std::string(rest);
    request.content_type = "application/json";
  }
  request.authorization = "Bearer " + world.admin_token;
  request.remote_address = "192.0.2.7";
  request.host = "chat.shop.example";

  std::atomic<bool> answered{false};
  hub::HttpResponse response;
  world.api.handle(std::move(request), [&](hub::HttpResponse r) {
    response = std::move(r);
    answered.store(true);
  });
  // Handlers hop between the tenant's strand, storage and the blocking pool.
  for (int spins = 0; !answered.load(); ++spins) {
    world.backend.settle();
    if (spins > 200'000) __builtin_trap();  // no answer: a request left hanging
    if (!answered.load()) std::this_thread::yield();
  }
  if (response.content_type == "application/json" && !response.body.empty()) {
    boost::system::error_code ec;
    (void)boost::json::parse(response.body, ec);
    if (ec) __builtin_trap();  // the answer is not JSON
  }
  return 0;
}
