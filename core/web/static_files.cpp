#include "web/static_files.hpp"

#include <sodium.h>

#include <array>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace sb::web {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

// The console and admin pages: their own scripts, styles and API only, never framed.
constexpr std::string_view kAppCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "media-src 'self' blob: data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
// The demo website: as strict as a careful shop would be, to show that the widget
// needs no inline script or style on its host page.
constexpr std::string_view kDemoCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";
// The widget's frame; frame-ancestors is appended per tenant.
constexpr std::string_view kFrameCsp =
    // https: images: a tenant's logo on its own website.
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data: https:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors ";

const std::array<std::string_view, 5> kAreas = {"assets", "widget", "console", "admin", "demo"};

hub::HttpResponse html_page(unsigned status, std::string_view title, std::string_view text) {
  hub::HttpResponse response{status, "text/html; charset=utf-8", {}, {}};
  response.body.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
      .append(title)
      .append("</title></head><body><h1>")
      .append(title)
      .append("</h1><p>")
      .append(text)
      .append("</p></body></html>\n");
  response.headers.emplace_back("Content-Security-Policy", "default-src 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

hub::HttpResponse redirect(std::string location) {
  hub::HttpResponse response{302, "text/plain; charset=utf-8", "", {}};
  response.headers.emplace_back("Location", std::move(location));
  return response;
}

// The segments of a URL path, or nullopt when one could reach outside the web dir
// or name a hidden file ("..", ".git", a backslash, a NUL).
std::optional<std::vector<std::string_view>> safe_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  while (!path.empty()) {
    const auto slash = path.find('/');
    const auto segment = path.substr(0, slash);
    if (segment.empty() || segment.front() == '.' ||
        segment.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos)
      return std::nullopt;
    segments.push_back(segment);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
    if (path.empty()) segments.emplace_back();  // a trailing slash: a directory
  }
  return segments;
}

std::string etag_of(std::string_view content) {
  std::array<unsigned char, 16> hash{};
  crypto_generichash(hash.data(), hash.size(),
                     reinterpret_cast<const unsigned char*>(content.data()), content.size(),
                     nullptr, 0);
  std::array<char, 33> hex{};
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
  return "\"" + std::string(hex.data()) + "\"";
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  return !if_none_match.empty() &&
         (if_none_match == "*" || if_none_match.find(etag) != std::string_view::npos);
}

}  // namespace

std::string_view content_type_for(const fs::path& file) {
  static const std::map<std::string, std::string_view, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".mp3", "audio/mpeg"},
      {".wav", "audio/wav"},
  };
  const auto found = kTypes.find(file.extension().string());
  return found == kTypes.end() ? std::string_view("application/octet-stream") : found->second;
}

bool StaticFiles::is_static_path(std::string_view path) {
  if (path == "/" || path == "/widget.js") return true;
  for (auto area : kAreas) {
    if (path.size() > area.size() && path[0] == '/' && path.substr(1, area.size()) == area &&
        (path.size() == area.size() + 1 || path[area.size() + 1] == '/'))
      return true;
  }
  return false;
}

StaticFiles::StaticFiles(fs::path web_dir, FrameOrigins frame_origins)
    : root_(std::move(web_dir)), frame_origins_(std::move(frame_origins)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::shared_ptr<const StaticFiles::CachedFile> StaticFiles::load(const fs::path& relative) const {
  std::error_code ec;
  const fs::path full = root_ / relative;
  const auto status = fs::status(full, ec);
  if (ec || !fs::is_regular_file(status)) return nullptr;
  // A symlink may point anywhere: what it resolves to must still be inside the root.
  const fs::path real = fs::canonical(full, ec);
  const fs::path real_root = fs::canonical(root_, ec);
  if (ec) return nullptr;
  const auto [root_end, ignored] =
      std::mismatch(real_root.begin(), real_root.end(), real.begin(), real.end());
  if (root_end != real_root.end()) return nullptr;

  const auto modified = fs::last_write_time(real, ec);
  const auto size = fs::file_size(real, ec);
  if (ec) return nullptr;
  const std::string key = relative.generic_string();
  {
    std::shared_lock lock(cache_mutex_);
    const auto found = cache_.find(key);
    if (found != cache_.end() && found->second->modified == modified && found->second->size == size)
      return found->second;
  }
  std::ifstream in(real, std::ios::binary);
  if (!in) return nullptr;
  std::ostringstream content;
  content << in.rdbuf();
  auto file = std::make_shared<CachedFile>();
  file->modified = modified;
  file->size = size;
  file->content = std::make_shared<const std::string>(std::move(content).str());
  file->etag = etag_of(*file->content);
  std::unique_lock lock(cache_mutex_);
  cache_[key] = file;
  return file;
}

hub::HttpResponse StaticFiles::file_response(const hub::HttpRequest& request,
                                             const CachedFile& file, const fs::path& relative,
                                             std::string_view cache_control) const {
  hub::HttpResponse response;
  response.content_type = std::string(content_type_for(relative));
  response.headers.emplace_back("ETag", file.etag);
  response.headers.emplace_back("Cache-Control", std::string(cache_control));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (etag_matches(request.if_none_match, file.etag)) {
    response.status = 304;
    return response;
  }
  if (request.method != "HEAD") response.body = *file.content;
  return response;
}

hub::HttpResponse StaticFiles::not_built(std::string_view what) const {
  return html_page(503, "Switchboard: the web UI is not built",
                   std::string(what) + " is missing from " + root_.string() +
                       ". Build it with Node.js installed: cmake --build build (see README), or "
                       "point --web-dir at a built web folder.");
}

std::optional<hub::HttpResponse> StaticFiles::serve(const hub::HttpRequest& request) const {
  if (!is_static_path(request.path)) return std::nullopt;
  if (request.method != "GET" && request.method != "HEAD") {
    hub::HttpResponse refused{405,
                              "application/json",
                              R"({"error":{"code":"method_not_allowed","message":"only GET"}})",
                              {{"Allow", "GET, HEAD"}}};
    return refused;
  }
  if (request.path == "/") return redirect("/console/");
  for (auto area : {"/console", "/admin", "/demo"})
    if (request.path == area) return redirect(std::string(area) + "/");

  const auto segments = safe_segments(request.path);
  if (!segments) return html_page(404, "Not found", "There is no such page.");
  const std::string_view area = segments->front();
  fs::path relative;
  for (auto segment : *segments) relative /= std::string(segment);

  if (request.path == "/widget.js") {
    auto file = load("widget.js");
    if (!file) return not_built("widget.js");
    return file_response(request, *file, relative, kRevalidate);
  }
  if (area == "assets") {
    auto file = load(relative);
    if (!file) return html_page(404, "Not found", "There is no such file.");
    return file_response(request, *file, relative, kImmutable);
  }

  const bool directory = segments->back().empty() || segments->size() == 1;
  if (area == "widget") {
    // One document: the chat panel, framed by the tenant's websites only.
    if (!(directory || (segments->size() == 2 && segments->back() == "index.html")))
      return html_page(404, "Not found", "There is no such file.");
    const auto tenant = request.query.find("tenant");
    auto origins = tenant == request.query.end() ? std::nullopt : frame_origins_(tenant->second);
    if (!origins) return html_page(404, "Unknown tenant", "This chat does not exist.");
    auto file = load("widget/index.html");
    if (!file) return not_built("widget/index.html");
    auto response = file_response(request, *file, "widget/index.html", kRevalidate);
    std::string csp(kFrameCsp);
    // The admin page's live preview (?preview=1) frames it from this server's own
    // origin: that form of the page may be framed by nothing else.
    const auto preview = request.query.find("preview");
    if (preview != request.query.end() && preview->second == "1") {
      csp += "'self'";
    } else if (origins->empty()) {
      csp += "*";
    } else {
      for (std::size_t i = 0; i < origins->size(); ++i)
        csp.append(i ? " " : "").append((*origins)[i]);
    }
    response.headers.emplace_back("Content-Security-Policy", std::move(csp));
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
    return response;
  }

  // console, admin, demo: a directory is its index.html; the console and admin are
  // single-page apps, so a route of theirs without a file (no extension) is too.
  fs::path file_path = directory ? relative / "index.html" : relative;
  auto file = load(file_path);
  const bool app = area == "console" || area == "admin";
  if (!file && app && !directory && fs::path(std::string(segments->back())).extension().empty()) {
    file_path = fs::path(std::string(area)) / "index.html";
    file = load(file_path);
  }
  if (!file) {
    if (file_path.filename() == "index.html") return not_built(file_path.generic_string());
    return html_page(404, "Not found", "There is no such file.");
  }
  auto response = file_response(request, *file, file_path, kRevalidate);
  if (file_path.extension() == ".html") {
    response.headers.emplace_back("Content-Security-Policy", std::string(app ? kAppCsp : kDemoCsp));
    response.headers.emplace_back("X-Frame-Options", "DENY");
    response.headers.emplace_back("Referrer-Policy", "same-origin");
  }
  return response;
}

}  // namespace sb::web
