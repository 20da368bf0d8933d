#include "attachments/file_type.hpp"

#include <magic.h>

namespace sb::attachments {

namespace {

constexpr const char* kUnknown = "application/octet-stream";

// A magic cookie is not thread-safe: one per thread, loaded once, freed at exit.
class Cookie {
 public:
  Cookie() : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) {
    if (cookie_ && magic_load(cookie_, nullptr) != 0) {
      magic_close(cookie_);
      cookie_ = nullptr;
    }
  }
  ~Cookie() {
    if (cookie_) magic_close(cookie_);
  }
  Cookie(const Cookie&) = delete;
  Cookie& operator=(const Cookie&) = delete;
  magic_t get() const { return cookie_; }

 private:
  magic_t cookie_;
};

}  // namespace

std::string detect_content_type(std::string_view bytes) {
  thread_local Cookie cookie;
  if (!cookie.get() || bytes.empty()) return kUnknown;
  const char* type = magic_buffer(cookie.get(), bytes.data(), bytes.size());
  return type && *type ? std::string(type) : std::string(kUnknown);
}

}  // namespace sb::attachments
