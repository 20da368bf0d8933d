// Reads and writes a storage-sqlite database file directly, beside the plugin: what
// the tests check in the file itself (the schema, a query's plan, FTS5's integrity
// check) and the changes they make to it (an older schema, a damaged index).
#pragma once

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

namespace storage_test {

// Each row of the answer as "col|col|\n".
inline std::string query_text(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  std::string out;
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr) == SQLITE_OK);
  while (sqlite3_step(q) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(q); ++i) {
      const auto* text = sqlite3_column_text(q, i);
      out += text ? reinterpret_cast<const char*>(text) : "";
      out += '|';
    }
    out += '\n';
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  return out;
}

// Runs SQL (several statements allowed) on the file; fails the test with SQLite's
// message when it does not succeed.
inline void exec(const std::filesystem::path& file, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace storage_test
