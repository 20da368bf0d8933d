// Thin RAII owners of a sqlite3 connection and prepared statements. Set-up calls
// (open, prepare, pragmas) throw; the per-operation calls return SQLite result
// codes so the writer and reader threads handle failures as values.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::sqlite {

class Connection {
 public:
  // Opens (creating if asked) the file. Throws std::runtime_error naming the path.
  Connection(const std::string& path, bool create);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return db_; }
  // Runs SQL without results; on failure returns the code and sets error.
  int exec(const char* sql, std::string& error);
  // Same, throwing std::runtime_error (set-up only).
  void exec_or_throw(const char* sql);
  // The first column of the first row of a one-row query, as text (set-up only).
  std::string query_text(const char* sql);
  std::string last_error() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement() = default;
  // Throws std::runtime_error quoting the SQL when it does not compile.
  Statement(Connection& connection, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based. Text is bound without a copy (SQLITE_STATIC): the
  // caller keeps it alive until reset().
  void bind(int index, std::string_view text);
  void bind(int index, int64_t value);
  void bind_null(int index);
  int step() { return sqlite3_step(stmt_); }
  // Ends the statement's use: releases its read snapshot and clears bindings.
  void reset();

  std::string_view column_text(int column) const;
  int64_t column_int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool column_is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope ends, so no read transaction outlives one
// operation (a kept snapshot would hide later commits from the reader).
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& statement_;
};

}  // namespace switchboard::sqlite

namespace switchboard::sqlite {

// Settings every connection of this plugin needs (they are per connection, not
// stored in the file): wait busy_timeout_ms for another connection's lock, and
// enforce foreign keys should a later schema step declare any.
void configure_connection(Connection& connection, int busy_timeout_ms);

}  // namespace switchboard::sqlite
