#include "harness/deployment.hpp"

#include <atomic>
#include <stdexcept>

namespace sb::it {

namespace {

[[noreturn]] void contract_broken(const json::object& frame, std::string_view key,
                                  std::string_view expected) {
  throw std::runtime_error("field '" + std::string(key) + "' should be " + std::string(expected) +
                           " in " + json::serialize(frame));
}

sb::test::ServerOptions server_options(const sb::test::TempDir& root,
                                       const DeploymentOptions& options) {
  sb::test::ServerOptions server;
  server.binary = SWITCHBOARD_BINARY;
  server.config = options.config.empty()
                      ? std::filesystem::path(SWITCHBOARD_SOURCE_DIR) / "conf" / "switchboard.toml"
                      : options.config;
  server.data_dir = root.subdir("data");
  server.plugin_dir = options.plugin_dir;
  server.tenants_dir = root.subdir("tenants");
  server.log_dir = root.subdir("logs");
  if (options.relative_dirs) {
    server.working_dir = root.path();
    server.data_dir = "data";
    server.tenants_dir = "tenants";
  }
  server.extra_args = options.extra_args;
  return server;
}

}  // namespace

std::string str(const json::object& frame, std::string_view key) {
  const auto* value = frame.if_contains(key);
  if (!value || !value->is_string()) contract_broken(frame, key, "a string");
  return std::string(value->as_string());
}

int64_t num(const json::object& frame, std::string_view key) {
  const auto* value = frame.if_contains(key);
  if (!value) contract_broken(frame, key, "a number");
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64()) return static_cast<int64_t>(value->as_uint64());
  if (value->is_double() &&
      value->as_double() == static_cast<double>(static_cast<int64_t>(value->as_double())))
    return static_cast<int64_t>(value->as_double());
  contract_broken(frame, key, "an integer");
}

const json::object& obj(const json::object& frame, std::string_view key) {
  const auto* value = frame.if_contains(key);
  if (!value || !value->is_object()) contract_broken(frame, key, "an object");
  return value->as_object();
}

const json::array& arr(const json::object& frame, std::string_view key) {
  const auto* value = frame.if_contains(key);
  if (!value || !value->is_array()) contract_broken(frame, key, "an array");
  return value->as_array();
}

bool is_null_or_absent(const json::object& frame, std::string_view key) {
  const auto* value = frame.if_contains(key);
  return !value || value->is_null();
}

std::string next_client_msg_id() {
  static std::atomic<int> counter{0};
  return "cm-" + std::to_string(++counter);
}

std::filesystem::path server_config_with(const std::filesystem::path& dir, std::string_view from,
                                         std::string_view to) {
  std::string config = sb::test::read_file(std::filesystem::path(SWITCHBOARD_SOURCE_DIR) / "conf" /
                                           "switchboard.toml");
  const auto at = config.find(from);
  if (at == std::string::npos)
    throw std::runtime_error("conf/switchboard.toml has no '" + std::string(from) + "' to replace");
  config.replace(at, from.size(), to);
  std::filesystem::create_directories(dir);
  sb::test::write_file_atomically(dir / "switchboard.toml", config);
  return dir / "switchboard.toml";
}

PluginDirWith::PluginDirWith(const std::filesystem::path& extra_plugin) {
  for (const auto& entry : std::filesystem::directory_iterator(SWITCHBOARD_PLUGIN_DIR))
    if (entry.path().extension() == ".so")
      std::filesystem::copy_file(entry.path(), dir_.path() / entry.path().filename());
  std::filesystem::copy_file(extra_plugin, dir_.path() / extra_plugin.filename());
}

DeploymentOptions PluginDirWith::options() const {
  DeploymentOptions options;
  options.plugin_dir = dir_.path();
  return options;
}

json::object message_from(sb::test::WsClient& ws, const std::string& role,
                          std::chrono::milliseconds timeout) {
  return ws.next_where(
      [&](const json::object& frame) {
        const auto* type = frame.if_contains("type");
        const auto* from = frame.if_contains("from");
        if (!type || *type != "message" || !from || !from->is_object()) return false;
        const auto* sender = from->get_object().if_contains("role");
        return sender && sender->is_string() && sender->get_string() == role;
      },
      "a message from the " + role, timeout);
}

json::object reply_to(sb::test::WsClient& ws, const std::string& id,
                      std::chrono::milliseconds timeout) {
  return ws.next_where(
      [&](const json::object& frame) {
        const auto* type = frame.if_contains("type");
        if (!type || !type->is_string()) return false;
        const char* key = type->as_string() == "ack"     ? "client_msg_id"
                          : type->as_string() == "error" ? "ref"
                                                         : nullptr;
        if (!key) return false;
        const auto* value = frame.if_contains(key);
        return value && value->is_string() && value->as_string() == id;
      },
      "ack or error for client_msg_id " + id, timeout);
}

namespace {

json::object expect_ack(sb::test::WsClient& ws, const std::string& id) {
  auto reply = reply_to(ws, id);
  if (str(reply, "type") != "ack")
    throw std::runtime_error("message " + id + " was answered with " + json::serialize(reply));
  return reply;
}

}  // namespace

json::object VisitorSession::send_message(const std::string& text, std::string client_msg_id) {
  if (client_msg_id.empty()) client_msg_id = next_client_msg_id();
  ws.send_json({{"type", "message"},
                {"client_msg_id", client_msg_id},
                {"text", text},
                {"ref", client_msg_id}});
  return expect_ack(ws, client_msg_id);
}

json::object AgentSession::send_message(const std::string& conversation_id, const std::string& text,
                                        std::string client_msg_id) {
  if (client_msg_id.empty()) client_msg_id = next_client_msg_id();
  ws.send_json({{"type", "message"},
                {"conversation_id", conversation_id},
                {"client_msg_id", client_msg_id},
                {"text", text},
                {"ref", client_msg_id}});
  return expect_ack(ws, client_msg_id);
}

Deployment::Deployment(std::vector<TenantSpec> tenants, DeploymentOptions options)
    : root_("switchboard-it"),
      tenants_dir_(root_.subdir("tenants")),
      server_(server_options(root_, options)) {
  for (auto& tenant : tenants) write_tenant(tenant);
  if (options.start) server_.start();
}

const TenantSpec& Deployment::tenant(const std::string& id) const {
  auto it = tenants_.find(id);
  if (it == tenants_.end()) throw std::invalid_argument("no test tenant " + id);
  return it->second;
}

void Deployment::write_tenant(const TenantSpec& tenant) {
  tenants_[tenant.id] = tenant;
  write_tenant_text(tenant.id, render_tenant_toml(tenant));
}

void Deployment::write_tenant_text(const std::string& tenant_id, const std::string& toml) {
  sb::test::write_file_atomically(tenants_dir_ / (tenant_id + ".toml"), toml);
}

sb::test::HttpResponse Deployment::login_raw(const std::string& tenant_id, const std::string& email,
                                             const std::string& password) {
  return sb::test::http_post_json(port(), "/v1/tenants/" + tenant_id + "/auth/login",
                                  json::object{{"email", email}, {"password", password}});
}

std::string Deployment::login(const std::string& tenant_id, const std::string& agent_id) {
  auto response = login_raw(tenant_id, tenant(tenant_id).email_of(agent_id), kAgentPassword);
  if (response.status != 200)
    throw std::runtime_error("login of " + agent_id + " on " + tenant_id + " got HTTP " +
                             std::to_string(response.status) + ": " + response.body);
  return str(response.json().as_object(), "token");
}

AgentSession Deployment::connect_agent_with_token(const std::string& tenant_id,
                                                  const std::string& agent_id,
                                                  const std::string& token) {
  auto ws = sb::test::WsClient::connect(port(), "/v1/ws/agent?tenant=" + tenant_id,
                                        sb::test::bearer(token));
  auto welcome = ws.next_frame();
  if (str(welcome, "type") != "welcome")
    throw std::runtime_error("agent's first frame is not a welcome: " + json::serialize(welcome));
  return AgentSession{std::move(ws), std::move(welcome), agent_id, token};
}

AgentSession Deployment::connect_agent(const std::string& tenant_id, const std::string& agent_id) {
  return connect_agent_with_token(tenant_id, agent_id, login(tenant_id, agent_id));
}

VisitorSession Deployment::connect_visitor(const std::string& tenant_id,
                                           json::object hello_fields) {
  auto ws = sb::test::WsClient::connect(port(), "/v1/ws/visitor?tenant=" + tenant_id);
  hello_fields["type"] = "hello";
  ws.send_json(hello_fields);
  auto welcome = ws.next_frame();
  if (str(welcome, "type") != "welcome")
    throw std::runtime_error("visitor's answer to hello is not a welcome: " +
                             json::serialize(welcome));
  auto visitor_id = str(welcome, "visitor_id");
  auto visitor_token = str(welcome, "visitor_token");
  return VisitorSession{std::move(ws), std::move(welcome), std::move(visitor_id),
                        std::move(visitor_token)};
}

sb::test::HttpResponse Deployment::history(const std::string& tenant_id,
                                           const std::string& conversation_id,
                                           const std::string& token, const std::string& query) {
  std::string target =
      "/v1/tenants/" + tenant_id + "/conversations/" + conversation_id + "/messages";
  if (!query.empty()) target += "?" + query;
  return sb::test::http_get(port(), target, sb::test::bearer(token));
}

json::array Deployment::full_history(const std::string& tenant_id,
                                     const std::string& conversation_id, const std::string& token) {
  json::array all;
  // Start below a seq no conversation reaches: the newest page, whichever page the
  // server gives when before_seq is absent (the contract does not say).
  std::string query = "limit=100&before_seq=" + std::to_string(int64_t{1} << 53);
  for (int page = 0; page < 1000; ++page) {
    auto response = history(tenant_id, conversation_id, token, query);
    if (response.status != 200)
      throw std::runtime_error("history page got HTTP " + std::to_string(response.status) + ": " +
                               response.body);
    const auto body = response.json().as_object();
    const auto& messages = arr(body, "messages");
    if (messages.empty()) break;
    // Pages go backwards in time; each page is oldest first.
    json::array merged = messages;
    for (auto& m : all) merged.push_back(m);
    all = std::move(merged);
    const int64_t oldest = num(messages.front().as_object(), "seq");
    if (oldest <= 1) break;
    query = "limit=100&before_seq=" + std::to_string(oldest);
  }
  return all;
}

}  // namespace sb::it
