// The database schema as an ordered list of migrations, tracked in
// PRAGMA user_version (0 = empty file). Each step runs in its own transaction, so a
// crash mid-upgrade leaves the file at the previous version, never half-migrated.
#pragma once

#include "sqlite_handle.hpp"

namespace switchboard::sqlite {

// The version a fully migrated file has.
int latest_schema_version();

// Throws std::runtime_error, naming both versions, when the file comes from a
// newer plugin. Called before anything touches the file (even its journal mode).
void refuse_newer_schema(Connection& connection, const std::string& path);

// Brings the file up to latest_schema_version(). Throws std::runtime_error when
// the file comes from a newer plugin (its user_version is higher), naming both
// versions, rather than guessing at a schema it does not know.
void migrate(Connection& connection, const std::string& path);

}  // namespace switchboard::sqlite
