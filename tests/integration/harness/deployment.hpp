// One hermetic server for one test: a temp root holding the data dir, the tenants
// dir (filled from TenantSpecs) and the logs, the server started on a free port, and
// helpers that log agents in and open visitor/agent sessions the way a client would.
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/tenant_spec.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "support/ws_client.hpp"

namespace sb::it {

namespace json = boost::json;
using namespace std::chrono_literals;

// Field access that names the field and the frame when the contract is broken.
std::string str(const json::object& frame, std::string_view key);
int64_t num(const json::object& frame, std::string_view key);
const json::object& obj(const json::object& frame, std::string_view key);
const json::array& arr(const json::object& frame, std::string_view key);
bool is_null_or_absent(const json::object& frame, std::string_view key);

// Unique client_msg_id values within the test run.
std::string next_client_msg_id();

struct VisitorSession {
  sb::test::WsClient ws;
  json::object welcome;
  std::string visitor_id;
  std::string visitor_token;

  // Sends a message (ref = client_msg_id) and returns its ack; throws if an error
  // frame answers it instead. Other frames stay buffered.
  json::object send_message(const std::string& text, std::string client_msg_id = {});
};

struct AgentSession {
  sb::test::WsClient ws;
  json::object welcome;
  std::string agent_id;
  std::string token;

  json::object send_message(const std::string& conversation_id, const std::string& text,
                            std::string client_msg_id = {});
};

// The answer (ack or error) to the frame whose client_msg_id/ref is `id`.
json::object reply_to(sb::test::WsClient& ws, const std::string& id,
                      std::chrono::milliseconds timeout = sb::test::kFrameTimeout);

// The next `message` frame sent by `role` ("bot", "system", "agent", "visitor").
json::object message_from(sb::test::WsClient& ws, const std::string& role,
                          std::chrono::milliseconds timeout = sb::test::kFrameTimeout);

struct DeploymentOptions {
  std::filesystem::path plugin_dir = SWITCHBOARD_PLUGIN_DIR;
  // The server's --config; empty: the repository's conf/switchboard.toml.
  std::filesystem::path config = {};
  std::vector<std::string> extra_args = {};
  bool start = true;
  // --data-dir and --tenants-dir relative to the server's working directory, as
  // README's quick start gives them when it runs the server from a checkout.
  bool relative_dirs = false;
};

// The repository's conf/switchboard.toml with the text `from` (a whole key line,
// say "retention_interval_ms = 3600000\n") replaced by `to`, written to
// dir/switchboard.toml (dir is created): a DeploymentOptions::config. Throws when
// `from` is not in it, so a test notices when the config it edits has changed.
std::filesystem::path server_config_with(const std::filesystem::path& dir, std::string_view from,
                                         std::string_view to);

// A temporary plugins folder with the server's own plugins (SWITCHBOARD_PLUGIN_DIR) and
// one more, a test plugin (build/test-plugins), for a deployment whose tenant names it.
class PluginDirWith {
 public:
  explicit PluginDirWith(const std::filesystem::path& extra_plugin);

  // Options whose plugin_dir is this folder; it must outlive the deployment.
  DeploymentOptions options() const;

 private:
  sb::test::TempDir dir_{"switchboard-plugins"};
};

class Deployment {
 public:
  explicit Deployment(std::vector<TenantSpec> tenants, DeploymentOptions options = {});

  uint16_t port() const { return server_.port(); }
  sb::test::ServerProcess& server() { return server_; }
  const std::filesystem::path& root() const { return root_.path(); }
  const std::filesystem::path& tenants_dir() const { return tenants_dir_; }
  const TenantSpec& tenant(const std::string& id) const;

  // Rewrites a tenant file atomically, as an admin editing it would.
  void write_tenant(const TenantSpec& tenant);
  void write_tenant_text(const std::string& tenant_id, const std::string& toml);

  // Logs the agent in over REST; throws unless the server answers 200 with a token.
  std::string login(const std::string& tenant_id, const std::string& agent_id);
  sb::test::HttpResponse login_raw(const std::string& tenant_id, const std::string& email,
                                   const std::string& password);
  // Logs in, opens the agent WebSocket and reads the welcome.
  AgentSession connect_agent(const std::string& tenant_id, const std::string& agent_id);
  AgentSession connect_agent_with_token(const std::string& tenant_id, const std::string& agent_id,
                                        const std::string& token);
  // Opens the visitor WebSocket, says hello (plus the given fields) and reads the welcome.
  VisitorSession connect_visitor(const std::string& tenant_id, json::object hello_fields = {});

  // GET history as the holder of `token`.
  sb::test::HttpResponse history(const std::string& tenant_id, const std::string& conversation_id,
                                 const std::string& token, const std::string& query = {});
  // Every message of a conversation, paging backwards with before_seq; oldest first.
  json::array full_history(const std::string& tenant_id, const std::string& conversation_id,
                           const std::string& token);

 private:
  sb::test::TempDir root_;
  std::filesystem::path tenants_dir_;
  std::map<std::string, TenantSpec> tenants_;
  sb::test::ServerProcess server_;
};

}  // namespace sb::it
