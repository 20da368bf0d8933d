// The browser UIs' files (web/, built into the web dir): the widget loader, the
// widget's frame, the agent console, the demo page and their hashed assets, served
// from the same port as the API.
//
// Only these paths are static; every other request goes to the REST API:
//   /widget.js        the loader websites embed (revalidated by ETag on every load)
//   /assets/NAME      content-hashed scripts and styles (cached for a year)
//   /widget/          the chat panel a website frames (frame-ancestors per tenant;
//                     ?preview=1, the admin page's live preview: this origin only)
//   /console/...      the agent console; unknown routes get its index.html
//   /admin/...        the admin pages, the same way
//   /demo/...         a demo website with the widget embedded
//   /                 redirects to /console/
//
// Paths are resolved inside the web dir only (no "..", no hidden files, no symlink
// leading out), directories are never listed, and every HTML page carries a strict
// Content-Security-Policy. Files are read once and kept in memory until they change
// on disk, so a rebuilt UI is served without a restart. Safe to call from any thread.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hub/http_types.hpp"

namespace sb::web {

// The origins allowed to frame a tenant's widget: nullopt for an unknown tenant,
// an empty list for "any website".
using FrameOrigins =
    std::function<std::optional<std::vector<std::string>>(std::string_view tenant)>;

class StaticFiles {
 public:
  StaticFiles(std::filesystem::path web_dir, FrameOrigins frame_origins);

  // The response for a static path, or nullopt when the path is not one (the
  // caller passes the request on to the API).
  std::optional<hub::HttpResponse> serve(const hub::HttpRequest& request) const;

  // True when the path belongs to the web UIs rather than the API.
  static bool is_static_path(std::string_view path);

 private:
  struct CachedFile {
    std::filesystem::file_time_type modified;
    std::uintmax_t size = 0;
    std::shared_ptr<const std::string> content;
    std::string etag;
  };

  // The file at `relative` (already checked), read or from the cache; nullptr when
  // it is not a regular file inside the web dir.
  std::shared_ptr<const CachedFile> load(const std::filesystem::path& relative) const;
  hub::HttpResponse file_response(const hub::HttpRequest& request, const CachedFile& file,
                                  const std::filesystem::path& relative,
                                  std::string_view cache_control) const;
  hub::HttpResponse not_built(std::string_view what) const;

  std::filesystem::path root_;
  FrameOrigins frame_origins_;
  mutable std::shared_mutex cache_mutex_;  // never taken on the message path
  mutable std::map<std::string, std::shared_ptr<const CachedFile>, std::less<>> cache_;
};

// The Content-Type for a file name, by its extension.
std::string_view content_type_for(const std::filesystem::path& file);

}  // namespace sb::web
