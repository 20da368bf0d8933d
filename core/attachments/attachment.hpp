// One file sent in the chat, as the server keeps and describes it.
//
// The bytes live in the tenant's storage plugin (ABI 1.2 blob functions) under the
// attachment's id; the thumbnail, when there is one, under id + kThumbnailSuffix.
// The blob's meta JSON is the record below; which conversation the file was sent
// in is kept apart (kBindingNamespace in the storage's kv), written when the
// message carrying it is accepted.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tenants/tenant_config.hpp"

namespace sb::attachments {

inline constexpr std::string_view kIdPrefix = "att";
inline constexpr std::string_view kThumbnailSuffix = ".thumb";
// kv namespace: attachment id -> {"conversation_id","visitor_id"}.
inline constexpr std::string_view kBindingNamespace = "attachment.conversation";
// A message carries at most this many.
inline constexpr size_t kMaxPerMessage = 10;

struct Attachment {
  std::string id;
  std::string name;  // the uploader's file name, cleaned (clean_file_name)
  std::string content_type;
  uint64_t size = 0;
  bool thumbnail = false;
  std::string thumbnail_type;  // content type of the thumbnail, when there is one
  std::string uploader_role;   // "visitor" | "agent"
  std::string uploader_id;

  // What clients see: {"id","name","content_type","size","thumbnail"}.
  boost::json::object summary() const;
  // The blob's meta JSON: the summary plus who uploaded it and the thumbnail's type.
  std::string meta_json() const;
  // From blob_meta's result ({"id","size","meta":{...}}); nullopt when it is not one.
  static std::optional<Attachment> from_blob_meta(std::string_view result_json);
};

// The shape new_id gives attachments: "att_" and letters and digits, at most 64
// bytes. Anything else (a thumbnail's own blob id, a path) names no attachment.
bool is_attachment_id(std::string_view id);

// Whether the tenant accepts this detected type ("image/*" entries match a whole
// top-level type).
bool type_allowed(const tenants::AttachmentPolicy& policy, std::string_view content_type);

// Raster images a browser shows inline; everything else (SVG, HTML, PDF...) is
// served as a download.
bool is_inline_image(std::string_view content_type);

// X-File-Name, percent-decoded, without any path, control characters or quotes,
// at most 255 bytes of UTF-8; "file" when nothing is left.
std::string clean_file_name(std::string_view header_value);

// Content-Disposition with the name as RFC 5987 UTF-8 (filename*), plus a plain
// ASCII fallback: "attachment; filename=\"...\"; filename*=UTF-8''..." (inline for images).
std::string content_disposition(std::string_view name, bool inline_view);

// The allowed types as a list for messages: "image/png, application/pdf".
std::string allowed_types_text(const tenants::AttachmentPolicy& policy);

// A byte count in words for messages: "10 MiB", "1.5 GiB", "900 bytes".
std::string human_bytes(uint64_t bytes);

// What the widget settings (GET /v1/tenants/ID/widget) say about attachments:
// {"enabled","max_bytes","allowed_types"}.
boost::json::object attachments_summary(const tenants::AttachmentPolicy& policy);

}  // namespace sb::attachments
