#include "session.hpp"

#include <poll.h>

#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <stdexcept>

namespace switchboard::postgres {

void enter_tenant(pqxx::transaction_base& tx, const std::string& tenant_id) {
  tx.exec_params("SELECT set_config($1, $2, true)", kTenantSetting, tenant_id);
}

bool storable_text(std::string_view text) {
  size_t i = 0;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  while (i < text.size()) {
    const unsigned char c = s[i];
    if (c == 0) return false;
    size_t extra = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // cut short
    for (size_t k = 1; k <= extra; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMin[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

Session::Session(const PgConfig& config, HostRef host, std::string purpose,
                 std::function<void(pqxx::connection&)> on_connect)
    : config_(config),
      host_(host),
      purpose_(std::move(purpose)),
      on_connect_(std::move(on_connect)) {}

Session::~Session() = default;

namespace {

// Whether the server has spoken on an idle connection: between this plugin's
// transactions it says nothing unless it is ending the session (a restart, an
// administrator's pg_terminate_backend, idle_session_timeout: an error notice, then
// the close). The plugin listens for no notifications.
bool server_spoke_unasked(const pqxx::connection& connection) {
  pollfd socket{connection.sock(), POLLIN | POLLRDHUP, 0};
  return ::poll(&socket, 1, 0) != 0;
}

}  // namespace

pqxx::connection& Session::connection() {
  // A connection whose server went away is replaced before anything is sent on it:
  // libpqxx 6.4 loses (never PQclear()s) the error result of a statement that finds
  // the connection broken, since it asks the broken connection for its encoding
  // before it takes the result over; LeakSanitizer saw one per reconnect.
  if (connection_ && connection_->is_open() && !server_spoke_unasked(*connection_))
    return *connection_;
  connection_.reset();
  auto fresh = std::make_unique<pqxx::connection>(config_.connection);
  {
    pqxx::nontransaction tx(*fresh);
    const pqxx::row role = tx.exec1(
        "SELECT rolsuper, rolbypassrls, current_user FROM pg_roles WHERE rolname = "
        "current_user");
    if (role[0].as<bool>() || role[1].as<bool>()) {
      throw std::runtime_error(
          "storage-postgres: the role '" + role[2].as<std::string>() +
          "' is a superuser or has BYPASSRLS, so row-level security would not keep tenants "
          "apart; connect as a role without either (see the plugin's README)");
    }
    // An acknowledged message must be durable: a commit returns only once its WAL
    // is flushed. "local", "remote_write", "remote_apply" and "on" all do that;
    // only "off" does not, so it is turned back on for this connection.
    if (tx.exec1("SHOW synchronous_commit")[0].as<std::string>() == "off") {
      tx.exec("SET synchronous_commit = on");
      host_.log(SB_LOG_WARN, "synchronous_commit is off for this database or role; this plugin's " +
                                 purpose_ + " sets it on: an acknowledged message must be durable");
    }
    tx.exec("SET statement_timeout = " + std::to_string(config_.statement_timeout_ms));
    tx.exec("SET application_name = " + tx.quote("switchboard " + purpose_));
  }
  if (on_connect_) on_connect_(*fresh);
  connection_ = std::move(fresh);
  return *connection_;
}

void Session::drop() {
  connection_.reset();
}

}  // namespace switchboard::postgres
