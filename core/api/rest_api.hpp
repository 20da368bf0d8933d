// The REST endpoints of the protocol (docs/protocol.md) that are not WebSocket: login, conversation
// history, health, readiness and metrics. Handlers never block an I/O thread:
// password checks (argon2id, ~0.1 s each by design) run on their own low-priority
// threads behind a fair, bounded queue (auth/password_checks.hpp), and history is read through the
// tenant's engine and storage asynchronously.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agents/agent_directory.hpp"
#include "audit/audit_log.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password_checks.hpp"
#include "auth/password_helpers.hpp"
#include "auth/token_signer.hpp"
#include "bots/trial.hpp"
#include "common/config_error.hpp"
#include "hub/http_types.hpp"
#include "hub/tenant_gate.hpp"
#include "metrics/metrics.hpp"
#include "stats/today_cache.hpp"
#include "tenants/tenant_config.hpp"

namespace sb::auth {
class TokenSigner;
class SessionBook;
struct SignOut;
}  // namespace sb::auth

namespace sb::api {

struct TenantView {
  std::shared_ptr<const tenants::TenantConfig> config;
  std::shared_ptr<hub::TenantGate> gate;
  std::shared_ptr<agents::AgentDirectory> agents;
  std::shared_ptr<engine::Store> store;  // the tenant's storage (answers on its engine strand)
  std::shared_ptr<const bots::Trial> bot_trial;  // asks the tenant's bot; nullptr without [bot]
};

// What the API reads from the running server.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::optional<TenantView> tenant(std::string_view id) const = 0;
  // True when every tenant's storage answered and plugins are loaded; else why not.
  virtual bool ready(std::string& why) const = 0;
  // Replaces `file`, one of the files the tenant's config names under `key` in
  // [plugins.<plugin>] (relative to the tenant file's directory), with `content` once
  // the plugin accepts it: an instance of the plugin is created with the tenant's
  // config pointing at the new content, and only if that succeeds is the file
  // replaced (atomically) and the tenant reloaded, so its instances read the new file.
  // "" on success, else the plugin's error, naming `file`. Blocking (file I/O,
  // instance_new): call it from the blocking pool.
  virtual std::string replace_plugin_file(const tenants::TenantConfig& tenant,
                                          std::string_view plugin, std::string_view key,
                                          std::string_view file, std::string_view content) = 0;
  // text read as the tenant file `file` would be, against the installed plugins:
  // the config, or nullptr and every problem in errors. Any thread.
  virtual std::shared_ptr<const tenants::TenantConfig> check_tenant_text(
      std::string_view text, const std::filesystem::path& file, ConfigErrors& errors) const = 0;
  virtual bool is_routing_plugin(std::string_view name) const = 0;
  // Reads the tenants directory now instead of at the next poll; done runs (on
  // another thread) once what changed is applied.
  virtual void reload_tenants(std::function<void()> done) = 0;
  // Keeps a sign-out where every node of a cluster finds it (the tenant's storage,
  // then the cluster bus; docs/cluster.md, "Sign-outs on every node") before this
  // node takes it. done(error) runs once, on any thread: "" when kept, else why
  // not (nothing was signed out then). One node keeps sign-outs in its own file:
  // done("") at once.
  virtual void share_sign_out(const auth::SignOut& sign_out,
                              std::function<void(std::string error)> done) {
    (void)sign_out;
    done({});
  }
};

// A file a bot plugin reads, as the admin API serves it: the plugin, the key of
// its config table that names the file(s), what it is called in messages, the
// error code of a refused upload and the audit log's action for a saved one.
struct BotFile {
  const char* plugin;
  const char* key;
  const char* what;
  const char* invalid_code;
  const char* audit_action;
  const char* changed_code;  // 412: If-Match names a version no longer in the file
};
inline constexpr BotFile kKnowledgeBaseFile{"autoreply-faq", "files",    "knowledge base",
                                            "invalid_kb",    "kb.saved", "kb_changed"};
inline constexpr BotFile kIntentsFile{"autoreply-intent", "file",          "intents",
                                      "invalid_intents",  "intents.saved", "intents_changed"};
inline constexpr BotFile kFlowsFile{"autoreply-flow", "files",       "dialog flows",
                                    "invalid_flows",  "flows.saved", "flows_changed"};

// The names the tenant's config gives for kind's files ([plugins.<plugin>] key, a
// string or a list), as written; empty when none (bot_files_api.cpp).
std::vector<std::string> bot_file_names(const tenants::TenantConfig& config, const BotFile& kind);

// The claims of a token for this agent, valid for ttl_s from now.
auth::Claims agent_claims(const agents::AgentRecord& account, const std::string& tenant_id,
                          int64_t ttl_s);

struct TableWrite;

class RestApi {
 public:
  // `password_helper`: the executable that checks passwords in processes of its own
  // (auth/password_helpers.hpp; the server passes its own binary); empty: on the
  // check threads themselves.
  RestApi(Backend& backend, const auth::TokenSigner& signer, auth::SessionBook& sessions,
          metrics::Registry& metrics, boost::asio::thread_pool& blocking_pool,
          const std::string& password_helper = {});

  // Answers one request; respond runs exactly once, on any thread.
  void handle(hub::HttpRequest request, std::function<void(hub::HttpResponse)> respond);

 private:
  using Respond = std::function<void(hub::HttpResponse)>;
  // What a correct email and password lead to; respond answers the request.
  using SignedIn = std::function<void(const agents::AgentRecord& account, Respond respond)>;

  void login(const TenantView& tenant, const hub::HttpRequest& request,
             std::function<void(hub::HttpResponse)> respond);
  // Checks the body's email and password through password_checks_ (unknown emails
  // as slow as wrong passwords); then signed_in, else a refusal.
  void check_password(const TenantView& tenant, const hub::HttpRequest& request, Respond respond,
                      SignedIn signed_in);

  // session_api.cpp: the console's cookie sessions. POST /v1/tenants/ID/auth/session
  // signs in; GET /v1/session answers who is signed in, DELETE /v1/session signs out.
  void open_session(const TenantView& tenant, const hub::HttpRequest& request, Respond respond);
  void session(const hub::HttpRequest& request, Respond respond);
  void history(const TenantView& tenant, const std::string& conversation_id,
               const hub::HttpRequest& request, std::function<void(hub::HttpResponse)> respond);

  void conversations(const TenantView& tenant, const hub::HttpRequest& request,
                     std::function<void(hub::HttpResponse)> respond);
  // conversation_api.cpp: change a conversation's tags.
  void patch_conversation(const TenantView& tenant, const std::string& conversation_id,
                          const hub::HttpRequest& request,
                          std::function<void(hub::HttpResponse)> respond);

  // canned_api.cpp: the tenant's canned replies.
  void canned_replies(const TenantView& tenant, std::string_view id,
                      const hub::HttpRequest& request,
                      std::function<void(hub::HttpResponse)> respond);

  // bot_files_api.cpp: a file the tenant's bot plugins read (the FAQ knowledge
  // base, the intents, the dialog flows), for admins.
  void bot_file(const TenantView& tenant, const BotFile& kind, const hub::HttpRequest& request,
                std::function<void(hub::HttpResponse)> respond);
  // bot_try_api.cpp: a question for the tenant's bot, answered with nothing kept.
  void try_bot(const TenantView& tenant, const hub::HttpRequest& request,
               std::function<void(hub::HttpResponse)> respond);
  // unanswered_api.cpp: the bot's unanswered questions and the admins' decisions on
  // them (attach to an entry, create one, dismiss). item_id and action are empty for
  // the list.
  void unanswered(const TenantView& tenant, std::string_view item_id, std::string_view action,
                  const hub::HttpRequest& request, std::function<void(hub::HttpResponse)> respond);
  void list_unanswered(const TenantView& tenant, const hub::HttpRequest& request,
                       std::function<void(hub::HttpResponse)> respond);
  // On the blocking pool: reads the list, edits the knowledge base, keeps the decision.
  void resolve_unanswered(const TenantView& tenant, const std::string& item_id,
                          const std::string& action, const boost::json::object& body,
                          const audit::Actor& actor, const std::string& if_match,
                          std::function<void(hub::HttpResponse)> respond);
  // routing_api.cpp: the tenant's routing graph (GET/PUT) and its dry run.
  void routing(const TenantView& tenant, std::string_view sub, const hub::HttpRequest& request,
               std::function<void(hub::HttpResponse)> respond);
  void put_routing(const TenantView& tenant, const hub::HttpRequest& request, audit::Actor actor,
                   std::function<void(hub::HttpResponse)> respond);
  hub::HttpResponse routing_catalog(const TenantView& tenant) const;

  // widget_api.cpp: the widget's settings and whether anyone can answer now.
  void widget(const TenantView& tenant, const hub::HttpRequest& request,
              std::function<void(hub::HttpResponse)> respond);
  // widget_api.cpp (admins): GET /widget/settings, PUT /widget.
  void widget_settings(const TenantView& tenant, const hub::HttpRequest& request,
                       std::function<void(hub::HttpResponse)> respond);
  // groups_api.cpp: the tenant's groups, their hours and queue limits, for admins.
  void groups(const TenantView& tenant, std::string_view group_id, const hub::HttpRequest& request,
              std::function<void(hub::HttpResponse)> respond);
  // table_write.cpp: writes one table of the tenant file (validated by the tenant's
  // reader, version-checked, atomic) and answers once the tenant has reloaded.
  void write_table(const TenantView& tenant, TableWrite write,
                   std::function<void(hub::HttpResponse)> respond);

  // attachments_api.cpp: files and images in the chat (upload, download, thumbnail).
  // id is empty for the upload; sub is "" or "thumbnail".
  void attachments(const TenantView& tenant, std::string_view id, std::string_view sub,
                   hub::HttpRequest request, std::function<void(hub::HttpResponse)> respond);
  void upload_attachment(const TenantView& tenant, hub::HttpRequest request,
                         std::function<void(hub::HttpResponse)> respond);
  void download_attachment(const TenantView& tenant, std::string id, bool thumbnail,
                           const hub::HttpRequest& request,
                           std::function<void(hub::HttpResponse)> respond);

  // search_api.cpp: full-text search over the tenant's messages, for admins.
  void search(const TenantView& tenant, const hub::HttpRequest& request,
              std::function<void(hub::HttpResponse)> respond);

  // visitor_data_api.cpp: one visitor's data exported (GET) or erased (DELETE), for
  // admins.
  void visitor_data(const TenantView& tenant, std::string visitor_id,
                    const hub::HttpRequest& request,
                    std::function<void(hub::HttpResponse)> respond);

  // retention_api.cpp: the tenant's [retention] periods (GET/PUT), for admins.
  void retention(const TenantView& tenant, const hub::HttpRequest& request,
                 std::function<void(hub::HttpResponse)> respond);

  // audit_api.cpp: the tenant's audit log, for admins.
  void audit_log(const TenantView& tenant, const hub::HttpRequest& request,
                 std::function<void(hub::HttpResponse)> respond);
  // Records a change an admin made (after it succeeded) in the tenant's audit log:
  // record_change(tenant, *claims, {"widget.saved", "widget", "title, colour"}).
  // Never blocks or fails the caller (audit/audit_log.hpp).
  void record_change(const TenantView& tenant, const auth::Claims& who, audit::Change change);
  void record_change(const TenantView& tenant, const audit::Actor& who, audit::Change change);
  // The signed-in agent as the audit log names them.
  audit::Actor actor_of(const TenantView& tenant, const auth::Claims& who) const;

  // stats_api.cpp: the admin dashboard's live numbers and range report, for admins.
  void stats(const TenantView& tenant, std::string_view sub, const hub::HttpRequest& request,
             std::function<void(hub::HttpResponse)> respond);
  void live_stats(const TenantView& tenant, const hub::HttpRequest& request,
                  std::function<void(hub::HttpResponse)> respond);
  void report(const TenantView& tenant, const hub::HttpRequest& request,
              std::function<void(hub::HttpResponse)> respond);

  // agents_api.cpp: the admin REST for agents.
  void agents(const TenantView& tenant, std::string_view agent_id, const hub::HttpRequest& request,
              std::function<void(hub::HttpResponse)> respond);
  void list_agents(const TenantView& tenant, std::function<void(hub::HttpResponse)> respond);
  // GET /colleagues, for every agent of the tenant: who a conversation can be
  // transferred to (id, name, presence) and the groups, nothing else.
  void colleagues(const TenantView& tenant, const hub::HttpRequest& request,
                  std::function<void(hub::HttpResponse)> respond);
  // POST /agents/AID/sign-out: every token of the agent stops working and their
  // consoles close, at once (they may sign in again).
  void sign_out_agent(const TenantView& tenant, std::string_view agent_id,
                      const hub::HttpRequest& request,
                      std::function<void(hub::HttpResponse)> respond);
  void create_agent(const TenantView& tenant, const hub::HttpRequest& request, audit::Actor actor,
                    std::function<void(hub::HttpResponse)> respond);
  void update_agent(const TenantView& tenant, std::string agent_id, const hub::HttpRequest& request,
                    audit::Actor actor, std::function<void(hub::HttpResponse)> respond);

  // The caller's claims when the bearer token is valid for this tenant, belongs to
  // an agent who still exists with the same password epoch (or to a visitor, when
  // allowed), and has the admin role when asked; otherwise the error response.
  std::optional<auth::Claims> authorize(const TenantView& tenant, const hub::HttpRequest& request,
                                        bool admin_only, bool visitors_allowed,
                                        hub::HttpResponse& refusal) const;
  // The claims of the request's bearer token, else of its session cookie; with the
  // cookie, a method other than GET/HEAD needs the session's X-CSRF-Token.
  std::optional<auth::Claims> credentials(const hub::HttpRequest& request,
                                          hub::HttpResponse& refusal) const;
  // Settles a checked sign-in with the throttle: logs and counts a lock it starts.
  void note_login(const std::string& address, const std::string& account_key, bool ok);
  // authorize's checks of verified claims against the tenant and its agents.
  bool admit(const TenantView& tenant, auth::Claims& claims, bool admin_only, bool visitors_allowed,
             hub::HttpResponse& refusal) const;

  Backend& backend_;
  const auth::TokenSigner& signer_;
  auth::SessionBook& sessions_;
  metrics::Registry& metrics_;
  boost::asio::thread_pool& blocking_pool_;
  auth::LoginThrottle login_throttle_;
  stats::TodayCache today_cache_;  // the dashboard's day of records, read incrementally
  std::unique_ptr<auth::PasswordHelpers> password_helpers_;  // null: hash on the check threads
  // Last: its threads use the members above, so it stops (joins them) first.
  auth::PasswordChecks password_checks_;
};

}  // namespace sb::api
