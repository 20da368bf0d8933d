// What a file is, decided from its bytes (libmagic), never from its name or what
// the uploader's browser claims.
#pragma once

#include <string>
#include <string_view>

namespace sb::attachments {

// The MIME type of bytes, e.g. "image/png", "application/pdf", "text/plain";
// "application/octet-stream" when libmagic cannot tell. Blocking (reads the magic
// database on a thread's first call, then scans the bytes): call it from the
// blocking pool. Thread-safe.
std::string detect_content_type(std::string_view bytes);

}  // namespace sb::attachments
