#include "sqlite_handle.hpp"

#include <stdexcept>

namespace switchboard::sqlite {

Connection::Connection(const std::string& path, bool create) : path_(path) {
  // Each connection is used by one thread at a time: SQLite's per-connection mutex
  // is not needed.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("storage-sqlite: cannot open " + path + ": " + why);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() {
  sqlite3_close_v2(db_);
}

int Connection::exec(const char* sql, std::string& error) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) error = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return rc;
}

void Connection::exec_or_throw(const char* sql) {
  std::string error;
  if (exec(sql, error) != SQLITE_OK) {
    throw std::runtime_error("storage-sqlite: " + path_ + ": " + error + " (in: " + sql + ")");
  }
}

std::string Connection::query_text(const char* sql) {
  Statement statement(*this, sql);
  const int rc = statement.step();
  if (rc == SQLITE_ROW) return std::string(statement.column_text(0));
  if (rc == SQLITE_DONE) return std::string();
  throw std::runtime_error("storage-sqlite: " + path_ + ": " + last_error() + " (in: " + sql + ")");
}

Statement::Statement(Connection& connection, std::string_view sql) {
  const int rc = sqlite3_prepare_v3(connection.get(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    throw std::runtime_error("storage-sqlite: cannot prepare '" + std::string(sql) +
                             "': " + connection.last_error());
  }
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

void Statement::bind(int index, std::string_view text) {
  // A non-null pointer even for "" so the column stores '' rather than NULL.
  sqlite3_bind_text64(stmt_, index, text.data() ? text.data() : "", text.size(), SQLITE_STATIC,
                      SQLITE_UTF8);
}

void Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}

void Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int bytes = sqlite3_column_bytes(stmt_, column);
  return text ? std::string_view(text, static_cast<size_t>(bytes)) : std::string_view();
}

}  // namespace switchboard::sqlite

namespace switchboard::sqlite {

void configure_connection(Connection& connection, int busy_timeout_ms) {
  sqlite3_busy_timeout(connection.get(), busy_timeout_ms);
  connection.exec_or_throw("PRAGMA foreign_keys = ON");
}

}  // namespace switchboard::sqlite
