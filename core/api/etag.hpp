// Versions of what admins edit (the routing graph, the widget's settings, a group)
// as HTTP entity tags, so a save made from an old version is told so (412).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace sb::api {

// A quoted tag for text (FNV-1a of it): a JSON form that is exact and in a stable
// order gives every change, by the API or by hand in the tenant file, another tag.
inline std::string etag_of(std::string_view text) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char quoted[24];
  std::snprintf(quoted, sizeof quoted, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return quoted;
}

// True when an If-Match / If-None-Match header names etag ("*", or one of a
// comma-separated list, weak or strong).
inline bool names_etag(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace sb::api
