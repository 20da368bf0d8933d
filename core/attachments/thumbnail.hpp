// Thumbnails of images: at most kThumbnailPx on the longer side, for the chat to
// show before anyone opens the file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sb::attachments {

inline constexpr int kThumbnailPx = 320;

struct Thumbnail {
  std::string bytes;
  std::string content_type;  // "image/jpeg" for JPEG sources, else "image/png"
};

// Whether thumbnails are made for this (detected) type: PNG, JPEG, GIF, WebP.
bool has_thumbnail_type(std::string_view content_type);

// The image scaled to fit kThumbnailPx x kThumbnailPx (never enlarged), or nullopt
// when the bytes do not decode as that type, or the image is absurdly large
// (a decompression bomb). Blocking (decodes the whole image): call it from the
// blocking pool. Thread-safe.
std::optional<Thumbnail> make_thumbnail(std::string_view bytes, std::string_view content_type);

}  // namespace sb::attachments
