// A fresh directory under the system temp dir, removed with everything in it when
// the owner goes away, so tests never share state through the file system.
#pragma once

#include <filesystem>
#include <string_view>

namespace sb::test {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "switchboard-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Creates (if needed) and returns a subdirectory.
  std::filesystem::path subdir(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

// Writes a file so that a concurrent reader sees either the old or the new content
// (write to a sibling, then rename), as an editor or config tool would.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

std::string read_file(const std::filesystem::path& path);

}  // namespace sb::test
