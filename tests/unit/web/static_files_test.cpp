#include "web/static_files.hpp"

#include <catch2/catch.hpp>
#include <fstream>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using sb::hub::HttpRequest;
using sb::hub::HttpResponse;
using sb::web::StaticFiles;

namespace {

void write(const fs::path& file, std::string_view content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

HttpRequest get(std::string path, std::map<std::string, std::string> query = {}) {
  HttpRequest request;
  request.method = "GET";
  request.path = std::move(path);
  request.query = std::move(query);
  return request;
}

std::string header(const HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return "";
}

// A built web dir as web/build.mjs lays it out, beside a secret the server must
// never serve.
struct BuiltUi {
  sb::test::TempDir temp{"switchboard-web"};
  fs::path root = temp.subdir("web");
  StaticFiles files{
      root, [](std::string_view tenant) -> std::optional<std::vector<std::string>> {
        if (tenant == "demo") return std::vector<std::string>{};
        if (tenant == "shop")
          return std::vector<std::string>{"https://shop.example", "https://www.shop.example"};
        return std::nullopt;
      }};
  BuiltUi() {
    write(root / "widget.js", "(()=>{})();");
    write(root / "widget/index.html", "<!doctype html><title>chat</title>");
    write(root / "console/index.html", "<!doctype html><title>console</title>");
    write(root / "demo/index.html", "<!doctype html><title>demo</title>");
    write(root / "demo/shop.css", "body{}");
    write(root / "assets/console-ABC123.js", "console.log(1)");
    write(root / ".env", "SECRET=1");
    write(temp.path() / "secret.txt", "outside the web dir");
  }
};

}  // namespace

TEST_CASE("only the UIs' paths are static, the API keeps everything else") {
  CHECK(StaticFiles::is_static_path("/widget.js"));
  CHECK(StaticFiles::is_static_path("/console/"));
  CHECK(StaticFiles::is_static_path("/console/conversations/c_1"));
  CHECK(StaticFiles::is_static_path("/assets/x.js"));
  CHECK(StaticFiles::is_static_path("/"));
  CHECK_FALSE(StaticFiles::is_static_path("/v1/tenants/demo/widget"));
  CHECK_FALSE(StaticFiles::is_static_path("/consoles"));
  CHECK_FALSE(StaticFiles::is_static_path("/healthz"));
  BuiltUi ui;
  CHECK_FALSE(ui.files.serve(get("/metrics")).has_value());
}

TEST_CASE("files are served with their type, an ETag, and caching that fits their name") {
  BuiltUi ui;
  auto loader = ui.files.serve(get("/widget.js"));
  REQUIRE(loader);
  CHECK(loader->status == 200);
  CHECK(loader->content_type == "text/javascript; charset=utf-8");
  CHECK(loader->body == "(()=>{})();");
  CHECK(header(*loader, "Cache-Control") == "no-cache");
  const std::string etag = header(*loader, "ETag");
  CHECK(etag.size() == 34);

  auto again = get("/widget.js");
  again.if_none_match = etag;
  auto not_modified = ui.files.serve(again);
  CHECK(not_modified->status == 304);
  CHECK(not_modified->body.empty());

  auto asset = ui.files.serve(get("/assets/console-ABC123.js"));
  CHECK(asset->status == 200);
  CHECK(header(*asset, "Cache-Control") == "public, max-age=31536000, immutable");
  CHECK(header(*asset, "X-Content-Type-Options") == "nosniff");

  auto css = ui.files.serve(get("/demo/shop.css"));
  CHECK(css->content_type == "text/css; charset=utf-8");
}

TEST_CASE("a rebuilt file is served at once, with a new ETag") {
  BuiltUi ui;
  const auto first = header(*ui.files.serve(get("/widget.js")), "ETag");
  write(ui.root / "widget.js", "(()=>{ /* v2, longer */ })();");
  auto second = ui.files.serve(get("/widget.js"));
  CHECK(second->body == "(()=>{ /* v2, longer */ })();");
  CHECK(header(*second, "ETag") != first);
}

TEST_CASE("the console is a single-page app, its pages carry a strict CSP") {
  BuiltUi ui;
  auto index = ui.files.serve(get("/console/"));
  CHECK(index->status == 200);
  CHECK(index->body.find("console") != std::string::npos);
  CHECK(header(*index, "Content-Security-Policy").find("frame-ancestors 'none'") !=
        std::string::npos);
  CHECK(header(*index, "Content-Security-Policy").find("unsafe-inline") == std::string::npos);
  CHECK(header(*index, "X-Frame-Options") == "DENY");

  auto route = ui.files.serve(get("/console/conversations/c_42"));
  CHECK(route->status == 200);
  CHECK(route->body == index->body);
  // A missing file (with an extension) is a 404, not the app.
  CHECK(ui.files.serve(get("/console/missing.js"))->status == 404);

  auto bare = ui.files.serve(get("/console"));
  CHECK(bare->status == 302);
  CHECK(header(*bare, "Location") == "/console/");
  CHECK(header(*ui.files.serve(get("/")), "Location") == "/console/");
}

TEST_CASE("the widget's frame may be framed only by the tenant's websites") {
  BuiltUi ui;
  auto any = ui.files.serve(get("/widget/", {{"tenant", "demo"}}));
  REQUIRE(any->status == 200);
  const auto any_csp = header(*any, "Content-Security-Policy");
  CHECK(any_csp.find("frame-ancestors *") != std::string::npos);
  CHECK(any_csp.find("script-src 'self'") != std::string::npos);
  // Images: its own, the visitor's files (blob:), and a logo on the tenant's site.
  CHECK(any_csp.find("img-src 'self' blob: data: https:;") != std::string::npos);
  CHECK(header(*any, "X-Frame-Options").empty());

  auto listed = ui.files.serve(get("/widget/", {{"tenant", "shop"}}));
  CHECK(header(*listed, "Content-Security-Policy")
            .ends_with("frame-ancestors https://shop.example https://www.shop.example"));
  // The admin page's preview: framed by this server's own pages only, whatever the list.
  for (const char* tenant : {"demo", "shop"})
    CHECK(header(*ui.files.serve(get("/widget/", {{"tenant", tenant}, {"preview", "1"}})),
                 "Content-Security-Policy")
              .ends_with("frame-ancestors 'self'"));

  CHECK(ui.files.serve(get("/widget/", {{"tenant", "nobody"}}))->status == 404);
  CHECK(ui.files.serve(get("/widget/"))->status == 404);
  CHECK(ui.files.serve(get("/widget/other.html", {{"tenant", "demo"}}))->status == 404);
}

TEST_CASE("nothing outside the web dir, no hidden file and no listing is ever served") {
  BuiltUi ui;
  for (const char* path : {"/assets/../../secret.txt", "/demo/../.env", "/demo/.env", "/assets/..",
                           "/assets/./console-ABC123.js", "/assets/", "/assets", "/demo//shop.css",
                           "/assets/a\\..\\b"}) {
    INFO(path);
    auto response = ui.files.serve(get(path));
    REQUIRE(response);
    CHECK(response->status == 404);
    CHECK(response->body.find("SECRET") == std::string::npos);
    CHECK(response->body.find("outside") == std::string::npos);
  }
  // A symlink inside the web dir that leads out of it.
  fs::create_symlink(ui.temp.path() / "secret.txt", ui.root / "assets/leak.txt");
  CHECK(ui.files.serve(get("/assets/leak.txt"))->status == 404);
}

TEST_CASE("a missing UI build is explained, not a bare 404") {
  sb::test::TempDir temp{"switchboard-web"};
  StaticFiles files{temp.path() / "not-built",
                    [](std::string_view) { return std::vector<std::string>{}; }};
  auto console = files.serve(get("/console/"));
  CHECK(console->status == 503);
  CHECK(console->body.find("not built") != std::string::npos);
  CHECK(files.serve(get("/widget.js"))->status == 503);
}

TEST_CASE("only GET and HEAD") {
  BuiltUi ui;
  auto post = get("/console/");
  post.method = "POST";
  CHECK(ui.files.serve(post)->status == 405);
  auto head = get("/widget.js");
  head.method = "HEAD";
  auto response = ui.files.serve(head);
  CHECK(response->status == 200);
  CHECK(response->body.empty());
}
