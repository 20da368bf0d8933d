// What a file is, its thumbnail, and how its name and size are written back.
#include "attachments/attachment.hpp"

#include <gd.h>

#include <catch2/catch.hpp>

#include "attachments/file_type.hpp"
#include "attachments/thumbnail.hpp"

using namespace sb::attachments;

namespace {

std::string encoded(int width, int height, bool jpeg) {
  gdImagePtr image = gdImageCreateTrueColor(width, height);
  int size = 0;
  void* data = jpeg ? gdImageJpegPtr(image, &size, 90) : gdImagePngPtr(image, &size);
  std::string bytes(static_cast<const char*>(data), static_cast<size_t>(size));
  gdFree(data);
  gdImageDestroy(image);
  return bytes;
}

std::pair<int, int> decoded_size(const Thumbnail& t) {
  void* data = const_cast<char*>(t.bytes.data());
  const int size = static_cast<int>(t.bytes.size());
  gdImagePtr image = t.content_type == "image/jpeg" ? gdImageCreateFromJpegPtr(size, data)
                                                    : gdImageCreateFromPngPtr(size, data);
  REQUIRE(image);
  std::pair<int, int> out{gdImageSX(image), gdImageSY(image)};
  gdImageDestroy(image);
  return out;
}

}  // namespace

TEST_CASE("the type comes from the bytes, not the name") {
  CHECK(detect_content_type(encoded(10, 10, false)) == "image/png");
  CHECK(detect_content_type(encoded(10, 10, true)) == "image/jpeg");
  CHECK(detect_content_type("%PDF-1.4\n%%EOF\n") == "application/pdf");
  CHECK(detect_content_type("just some words\n") == "text/plain");
  CHECK(detect_content_type("<!DOCTYPE html><html><body></body></html>\n") == "text/html");
  CHECK(detect_content_type("") == "application/octet-stream");
}

TEST_CASE("thumbnails fit 320 px, keep the aspect, never enlarge, and skip non-images") {
  const auto wide = make_thumbnail(encoded(640, 200, false), "image/png");
  REQUIRE(wide);
  CHECK(wide->content_type == "image/png");
  CHECK(decoded_size(*wide) == std::pair<int, int>{320, 100});
  const auto tall = make_thumbnail(encoded(300, 900, true), "image/jpeg");
  REQUIRE(tall);
  CHECK(tall->content_type == "image/jpeg");
  CHECK(decoded_size(*tall) == std::pair<int, int>{106, 320});
  const auto small = make_thumbnail(encoded(40, 30, false), "image/png");
  REQUIRE(small);
  CHECK(decoded_size(*small) == std::pair<int, int>{40, 30});
  CHECK_FALSE(make_thumbnail("%PDF-1.4", "application/pdf"));
  CHECK_FALSE(make_thumbnail("not a png at all, really", "image/png"));
}

TEST_CASE("a canvas far larger than the file is not decoded") {
  std::string bomb = encoded(10, 10, false);
  // IHDR's width and height: 100000 x 100000.
  const char huge[] = {0x00, 0x01, char(0x86), char(0xa0)};
  bomb.replace(16, 4, huge, 4);
  bomb.replace(20, 4, huge, 4);
  CHECK_FALSE(make_thumbnail(bomb, "image/png"));
}

TEST_CASE("file names are decoded and cleaned, and dispositions carry them safely") {
  CHECK(clean_file_name("photo%20%E5%9B%BE.png") == "photo 图.png");
  CHECK(clean_file_name("..%2F..%2Fetc%2Fpasswd") == "passwd");
  CHECK(clean_file_name("C:\\Users\\me\\a.txt") == "a.txt");
  CHECK(clean_file_name("a\"b\r\nc") == "abc");
  CHECK(clean_file_name("") == "file");
  CHECK(clean_file_name(std::string(300, 'x')).size() == 255);
  // Not UTF-8: each stray byte becomes U+FFFD (the storage plugin refused the record).
  CHECK(clean_file_name("%E0%A4.png") == "\xef\xbf\xbd\xef\xbf\xbd.png");
  CHECK(clean_file_name("a%FFb%C0%AF") ==
        "a\xef\xbf\xbd"
        "b\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(content_disposition("photo 图.png", true) ==
        "inline; filename=\"photo _.png\"; filename*=UTF-8''photo%20%E5%9B%BE.png");
  CHECK(content_disposition("a.pdf", false) ==
        "attachment; filename=\"a.pdf\"; filename*=UTF-8''a.pdf");
}

TEST_CASE("allowed types, inline images and sizes in words") {
  sb::tenants::AttachmentPolicy policy;
  policy.allowed_types = {"image/*", "application/pdf"};
  CHECK(type_allowed(policy, "image/webp"));
  CHECK(type_allowed(policy, "application/pdf"));
  CHECK_FALSE(type_allowed(policy, "text/html"));
  CHECK_FALSE(type_allowed(policy, "imagex/png"));
  CHECK(allowed_types_text(policy) == "image/*, application/pdf");
  CHECK(is_attachment_id("att_0123abcd"));
  CHECK_FALSE(is_attachment_id("att_0123abcd.thumb"));
  CHECK_FALSE(is_attachment_id("att_"));
  CHECK_FALSE(is_attachment_id("c_0123"));
  CHECK(is_inline_image("image/png"));
  CHECK_FALSE(is_inline_image("image/svg+xml"));
  CHECK(human_bytes(900) == "900 bytes");
  CHECK(human_bytes(10485760) == "10 MiB");
  CHECK(human_bytes(1536) == "1.5 KiB");
  CHECK(human_bytes(1073741824) == "1 GiB");
}
