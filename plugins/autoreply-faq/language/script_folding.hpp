#pragma once
// Traditional Chinese folded to simplified with OpenCC (Debian's libopencc and its
// data), so "運費怎麼算" finds the entry written "运费怎么算". Taiwanese and Hong
// Kong phrasing is folded too when the configuration says so (tw2sp: "保固" ->
// "保修"... as far as OpenCC's phrase lists go).
//
// Thread-safety: OpenCC's converter is not documented as safe for concurrent use,
// so fold() serialises on a mutex; a call takes microseconds.
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace switchboard::faq {

class ScriptFolding {
 public:
  // config: an OpenCC configuration name ("t2s.json", "tw2sp.json") or path. Throws
  // std::runtime_error when OpenCC cannot open it.
  explicit ScriptFolding(const std::string& config = "t2s.json");
  ~ScriptFolding();
  ScriptFolding(const ScriptFolding&) = delete;
  ScriptFolding& operator=(const ScriptFolding&) = delete;

  // The text with traditional characters in simplified form; other text unchanged.
  std::string fold(std::string_view text) const;

 private:
  void* converter_;  // opencc_t
  mutable std::mutex mutex_;
};

}  // namespace switchboard::faq
