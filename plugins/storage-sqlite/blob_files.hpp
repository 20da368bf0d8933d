// BlobFiles: where storage-sqlite keeps a tenant's files (chat attachments), on
// local disk beside the database: <data_dir>/attachments/ab/cd/<id>, the two levels
// taken from a hash of the id so no directory grows past a few thousand entries.
//
// A file becomes a stored blob in two steps, and only the second makes it visible:
//   1. write_durably: the bytes go to attachments/tmp/, are fsynced, renamed into
//      place, and the directory is fsynced;
//   2. the writer thread commits the blob's row (its size counts from then on).
// A crash between them leaves a file without a row, or a temp file: never read
// (every read starts from the row), never counted, and removed by sweep().
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::sqlite {

class BlobFiles {
 public:
  explicit BlobFiles(std::filesystem::path data_dir);

  // 1..128 bytes of [A-Za-z0-9_.-], not starting with '.': safe as a file name.
  static bool valid_id(std::string_view id);

  std::filesystem::path path_of(std::string_view id) const;

  // Steps of step 1 above; "" on success, else why not (nothing is left behind).
  // Refuses an id whose file already exists.
  std::string write_durably(std::string_view id, std::string_view data) const;
  // The whole file, or nullopt when it cannot be read.
  static std::optional<std::string> read(const std::filesystem::path& path);
  // Removes a file if it is there. Never throws.
  static void remove(const std::filesystem::path& path);

  // Removes temp files and files no row names (has_row(id) false), when older than
  // min_age: a younger one may belong to an upload in flight in another instance
  // on the same directory (the old one during a tenant reload). Returns how many
  // files were removed.
  size_t sweep(const std::function<bool(const std::string&)>& has_row,
               std::chrono::seconds min_age) const;

 private:
  std::filesystem::path root_;  // <data_dir>/attachments
  std::filesystem::path tmp_;   // <root>/tmp
};

}  // namespace switchboard::sqlite
