// Which file a plugin was loaded from, to notice when it is replaced or changes.
#pragma once

#include <cstdint>
#include <filesystem>

struct stat;

namespace sb::plugin_host {

struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t mtime_ns = 0;  // since the epoch
  int64_t size_bytes = 0;
  bool operator==(const FileIdentity&) const = default;
};

// All zero when the file cannot be stat'ed (gone, unreadable).
FileIdentity identity_of(const std::filesystem::path& file);
// The same from what stat or fstat gave.
FileIdentity identity_of_stat(const struct stat& st);

}  // namespace sb::plugin_host
