#pragma once
// One loaded copy of each language data file for the whole process: every tenant's
// FAQ instance shares the immutable tables (hundreds of thousands of words) instead
// of loading them again, and the last one to let go frees them.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

namespace switchboard::faq {

// Data built from file (and args), or the copy already loaded from that file. Each
// Data type has its own cache and lock, so different files load side by side.
template <typename Data, typename... Args>
std::shared_ptr<const Data> shared_data(const std::filesystem::path& file, const Args&... args) {
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::weak_ptr<const Data>> loaded;
  std::lock_guard lock(mutex);
  if (auto existing = loaded[file].lock()) return existing;
  auto made = std::make_shared<const Data>(file, args...);
  loaded[file] = made;
  return made;
}

}  // namespace switchboard::faq
