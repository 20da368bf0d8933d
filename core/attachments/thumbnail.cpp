#include "attachments/thumbnail.hpp"

#include <gd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <optional>

namespace sb::attachments {

namespace {

// An image of more pixels than this is not decoded: a small file can claim a huge
// canvas, and decoding it would take gigabytes.
constexpr int64_t kMaxSourcePixels = 50'000'000;
constexpr int kJpegQuality = 80;

uint32_t be16(std::string_view b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 8) | uint8_t(b[at + 1]);
}
uint32_t be32(std::string_view b, size_t at) {
  return (be16(b, at) << 16) | be16(b, at + 2);
}
uint32_t le16(std::string_view b, size_t at) {
  return uint8_t(b[at]) | (uint32_t(uint8_t(b[at + 1])) << 8);
}
uint32_t le24(std::string_view b, size_t at) {
  return le16(b, at) | (uint32_t(uint8_t(b[at + 2])) << 16);
}

// The canvas size the file's header declares, read before anything is decoded;
// nullopt when the header is not where the format puts it.
std::optional<int64_t> declared_pixels(std::string_view b, std::string_view type) {
  if (type == "image/png" && b.size() >= 24) return int64_t{be32(b, 16)} * be32(b, 20);
  if (type == "image/gif" && b.size() >= 10) return int64_t{le16(b, 6)} * le16(b, 8);
  if (type == "image/webp" && b.size() >= 30) {
    const std::string_view chunk = b.substr(12, 4);
    if (chunk == "VP8X") return int64_t{le24(b, 24) + 1} * (le24(b, 27) + 1);
    if (chunk == "VP8L") {
      const uint32_t bits = le16(b, 21) | (le16(b, 23) << 16);
      return int64_t{(bits & 0x3fff) + 1} * (((bits >> 14) & 0x3fff) + 1);
    }
    if (chunk == "VP8 ") return int64_t{le16(b, 26) & 0x3fff} * (le16(b, 28) & 0x3fff);
    return std::nullopt;
  }
  if (type == "image/jpeg") {
    // Walk the markers to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC).
    for (size_t at = 2; at + 9 < b.size();) {
      if (uint8_t(b[at]) != 0xff) return std::nullopt;
      const uint8_t marker = uint8_t(b[at + 1]);
      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc)
        return int64_t{be16(b, at + 5)} * be16(b, at + 7);
      at += 2 + be16(b, at + 2);
    }
  }
  return std::nullopt;
}

struct ImageDeleter {
  void operator()(gdImage* image) const { gdImageDestroy(image); }
};
using Image = std::unique_ptr<gdImage, ImageDeleter>;

Image decode(std::string_view bytes, std::string_view type) {
  if (bytes.size() > INT_MAX) return nullptr;
  void* data = const_cast<char*>(bytes.data());
  const int size = static_cast<int>(bytes.size());
  if (type == "image/png") return Image(gdImageCreateFromPngPtr(size, data));
  if (type == "image/jpeg") return Image(gdImageCreateFromJpegPtr(size, data));
  if (type == "image/gif") return Image(gdImageCreateFromGifPtr(size, data));
  if (type == "image/webp") return Image(gdImageCreateFromWebpPtr(size, data));
  return nullptr;
}

// Takes libgd's encoded output (data, *size) into a string and frees it.
std::string take_bytes(void* data, const int* size) {
  std::string out;
  if (data && *size > 0) out.assign(static_cast<const char*>(data), static_cast<size_t>(*size));
  gdFree(data);
  return out;
}

}  // namespace

bool has_thumbnail_type(std::string_view type) {
  return type == "image/png" || type == "image/jpeg" || type == "image/gif" || type == "image/webp";
}

std::optional<Thumbnail> make_thumbnail(std::string_view bytes, std::string_view type) {
  if (!has_thumbnail_type(type)) return std::nullopt;
  const auto pixels = declared_pixels(bytes, type);
  if (!pixels || *pixels <= 0 || *pixels > kMaxSourcePixels) return std::nullopt;
  Image source = decode(bytes, type);
  if (!source) return std::nullopt;
  const int width = gdImageSX(source.get());
  const int height = gdImageSY(source.get());
  if (width <= 0 || height <= 0 || int64_t{width} * height > kMaxSourcePixels) return std::nullopt;

  const double scale = std::min(1.0, double(kThumbnailPx) / std::max(width, height));
  const int thumb_width = std::max(1, static_cast<int>(width * scale));
  const int thumb_height = std::max(1, static_cast<int>(height * scale));
  gdImageSetInterpolationMethod(source.get(), GD_BILINEAR_FIXED);
  Image scaled(gdImageScale(source.get(), thumb_width, thumb_height));
  if (!scaled) return std::nullopt;

  int size = 0;
  Thumbnail thumbnail;
  if (type == "image/jpeg") {
    void* data = gdImageJpegPtr(scaled.get(), &size, kJpegQuality);
    thumbnail.bytes = take_bytes(data, &size);
    thumbnail.content_type = "image/jpeg";
  } else {
    // PNG keeps transparency (GIF, WebP and PNG sources may have it).
    gdImageSaveAlpha(scaled.get(), 1);
    void* data = gdImagePngPtr(scaled.get(), &size);
    thumbnail.bytes = take_bytes(data, &size);
    thumbnail.content_type = "image/png";
  }
  if (thumbnail.bytes.empty()) return std::nullopt;
  return thumbnail;
}

}  // namespace sb::attachments
