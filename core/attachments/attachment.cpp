#include "attachments/attachment.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cstdio>

#include "common/utf8.hpp"

namespace sb::attachments {

namespace json = boost::json;

namespace {

constexpr size_t kMaxNameBytes = 255;

std::string string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// Cuts at a UTF-8 character boundary at or below max bytes.
std::string_view utf8_prefix(std::string_view text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  return text.substr(0, end);
}

bool is_attr_char(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

json::object Attachment::summary() const {
  return json::object{{"id", id},
                      {"name", name},
                      {"content_type", content_type},
                      {"size", size},
                      {"thumbnail", thumbnail}};
}

std::string Attachment::meta_json() const {
  json::object meta = summary();
  meta.erase("id");
  if (thumbnail) meta["thumbnail_type"] = thumbnail_type;
  meta["uploader"] = json::object{{"role", uploader_role}, {"id", uploader_id}};
  return json::serialize(meta);
}

std::optional<Attachment> Attachment::from_blob_meta(std::string_view result_json) {
  boost::system::error_code ec;
  const json::value root = json::parse(result_json, ec);
  if (ec || !root.is_object()) return std::nullopt;
  const auto* meta = root.get_object().if_contains("meta");
  const auto* size = root.get_object().if_contains("size");
  if (!meta || !meta->is_object() || !size || !size->is_number()) return std::nullopt;
  const json::object& m = meta->get_object();
  Attachment a;
  a.id = string_at(root.get_object(), "id");
  a.size = size->to_number<uint64_t>();
  a.name = string_at(m, "name");
  a.content_type = string_at(m, "content_type");
  const auto* thumbnail = m.if_contains("thumbnail");
  a.thumbnail = thumbnail && thumbnail->is_bool() && thumbnail->get_bool();
  a.thumbnail_type = string_at(m, "thumbnail_type");
  if (const auto* uploader = m.if_contains("uploader"); uploader && uploader->is_object()) {
    a.uploader_role = string_at(uploader->get_object(), "role");
    a.uploader_id = string_at(uploader->get_object(), "id");
  }
  if (a.id.empty() || a.content_type.empty()) return std::nullopt;
  return a;
}

bool is_attachment_id(std::string_view id) {
  constexpr size_t kMaxIdBytes = 64;
  const std::string prefix = std::string(kIdPrefix) + "_";
  if (id.size() > kMaxIdBytes || id.size() <= prefix.size() || !id.starts_with(prefix))
    return false;
  for (const char c : id.substr(prefix.size()))
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string allowed_types_text(const tenants::AttachmentPolicy& policy) {
  std::string text;
  for (const auto& type : policy.allowed_types) text += (text.empty() ? "" : ", ") + type;
  return text;
}

bool type_allowed(const tenants::AttachmentPolicy& policy, std::string_view type) {
  for (const auto& allowed : policy.allowed_types) {
    if (allowed == type) return true;
    if (allowed.size() > 2 && allowed.ends_with("/*") &&
        type.starts_with(std::string_view(allowed).substr(0, allowed.size() - 1)))
      return true;
  }
  return false;
}

bool is_inline_image(std::string_view type) {
  return type == "image/png" || type == "image/jpeg" || type == "image/gif" || type == "image/webp";
}

std::string clean_file_name(std::string_view header_value) {
  // Bytes that are not UTF-8 would reach the storage plugin in the record's JSON,
  // which refuses it: a failure to its circuit breaker, as often as anyone uploads.
  std::string name = valid_utf8(percent_decode(header_value));
  // Only the last path component: a name never says where a file goes.
  if (const auto slash = name.find_last_of("/\\"); slash != std::string::npos)
    name.erase(0, slash + 1);
  std::string out;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"') continue;
    out.push_back(c);
  }
  while (!out.empty() && (out.front() == ' ' || out.front() == '.')) out.erase(0, 1);
  out = std::string(utf8_prefix(out, kMaxNameBytes));
  return out.empty() ? "file" : out;
}

std::string content_disposition(std::string_view name, bool inline_view) {
  std::string ascii;
  std::string encoded;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    // One '_' per character the ASCII fallback cannot carry (not per UTF-8 byte).
    if (u < 0x80) {
      ascii.push_back(c == '\\' ? '_' : c);
    } else if ((u & 0xc0) != 0x80) {
      ascii.push_back('_');
    }
    if (is_attr_char(u)) {
      encoded.push_back(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", u);
      encoded += hex;
    }
  }
  return std::string(inline_view ? "inline" : "attachment") + "; filename=\"" + ascii +
         "\"; filename*=UTF-8''" + encoded;
}

std::string human_bytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  if (value == static_cast<double>(static_cast<uint64_t>(value))) {
    std::snprintf(text, sizeof text, "%.0f %s", value, kUnits[unit]);
  } else {
    std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  }
  return text;
}

json::object attachments_summary(const tenants::AttachmentPolicy& policy) {
  json::array types;
  for (const auto& type : policy.allowed_types) types.emplace_back(type);
  return json::object{{"enabled", policy.enabled},
                      {"max_bytes", policy.max_bytes},
                      {"allowed_types", std::move(types)}};
}

}  // namespace sb::attachments
