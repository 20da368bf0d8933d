#include "support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace sb::test {

TempDir::TempDir(std::string_view prefix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  // Keep the directory for post-mortem when asked to (SB_TEST_KEEP_TMP=1).
  if (const char* keep = std::getenv("SB_TEST_KEEP_TMP"); keep != nullptr && *keep == '1') return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::subdir(std::string_view name) const {
  auto dir = path_ / name;
  std::filesystem::create_directories(dir);
  return dir;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  auto staging = path;
  staging += ".tmp-write";
  {
    std::ofstream out(staging, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + staging.string());
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  std::filesystem::rename(staging, path);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace sb::test
