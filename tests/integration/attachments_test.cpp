// Files and images over REST: upload by visitors and agents, the type read from the
// bytes, thumbnails, limits and quota, who may download, the headers that keep a
// file from running as a page, and durability across a restart and a kill -9.
#include <gd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::Headers;
using sb::test::http_get;
using sb::test::http_request;
namespace fs = std::filesystem;

namespace {

const std::string kPdf =
    "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const std::string kHtml =
    "<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(document.cookie)"
    "</script></body></html>\n";

// A real PNG of width x height, made with libgd like the server's thumbnails.
std::string png(int width, int height) {
  gdImagePtr image = gdImageCreateTrueColor(width, height);
  gdImageFilledRectangle(image, 0, 0, width / 2, height / 2, gdTrueColor(200, 30, 30));
  int size = 0;
  void* data = gdImagePngPtr(image, &size);
  std::string bytes(static_cast<const char*>(data), static_cast<size_t>(size));
  gdFree(data);
  gdImageDestroy(image);
  return bytes;
}

std::pair<int, int> png_size(const std::string& bytes) {
  gdImagePtr image =
      gdImageCreateFromPngPtr(static_cast<int>(bytes.size()), const_cast<char*>(bytes.data()));
  REQUIRE(image);
  const std::pair<int, int> size{gdImageSX(image), gdImageSY(image)};
  gdImageDestroy(image);
  return size;
}

TenantSpec with_attachments(TenantSpec tenant, const std::string& settings) {
  tenant.extra_toml += "\n[attachments]\nenabled = true\n" + settings + "\n";
  return tenant;
}

sb::test::HttpResponse upload(Deployment& d, const std::string& tenant, const std::string& token,
                              const std::string& bytes, const std::string& name = "file.bin") {
  Headers headers = bearer(token);
  headers.emplace_back("X-File-Name", name);
  headers.emplace_back("Content-Type", "application/octet-stream");
  return http_request(d.port(), "POST", "/v1/tenants/" + tenant + "/attachments", bytes, headers);
}

json::object uploaded(Deployment& d, const std::string& tenant, const std::string& token,
                      const std::string& bytes, const std::string& name = "file.bin") {
  auto response = upload(d, tenant, token, bytes, name);
  INFO(response.body);
  REQUIRE(response.status == 201);
  return json::parse(response.body).as_object();
}

sb::test::HttpResponse download(Deployment& d, const std::string& tenant, const std::string& id,
                                const std::string& token, const std::string& sub = {}) {
  return http_get(d.port(), "/v1/tenants/" + tenant + "/attachments/" + id + sub, bearer(token));
}

std::string error_code(const sb::test::HttpResponse& r) {
  return str(obj(json::parse(r.body).as_object(), "error"), "code");
}

// The headers that keep any file from running as a page of this origin.
void check_safe_headers(const sb::test::HttpResponse& r) {
  CHECK(r.headers.at("x-content-type-options") == "nosniff");
  CHECK(r.headers.at("content-security-policy") == "sandbox; default-src 'none'");
  CHECK_THAT(r.headers.at("cache-control"), Catch::StartsWith("private"));
}

}  // namespace

TEST_CASE("attachments: upload, type from the bytes, thumbnail, who may download, headers",
          "[attachments]") {
  Deployment deployment(
      {with_attachments(acme_tenant(),
                        R"(allowed_types = ["image/png", "application/pdf", "text/html"])"),
       with_attachments(globex_tenant(), "")});
  auto visitor = deployment.connect_visitor("acme");
  const auto agent = deployment.login("acme", "alice");

  // A visitor's PNG, its name percent-encoded; the type is read from the bytes.
  const std::string image = png(400, 200);
  const auto photo =
      uploaded(deployment, "acme", visitor.visitor_token, image, "photo%20%E5%9B%BE.png");
  CHECK_THAT(str(photo, "id"), Catch::StartsWith("att_"));
  CHECK(str(photo, "name") == "photo 图.png");
  CHECK(str(photo, "content_type") == "image/png");
  CHECK(num(photo, "size") == static_cast<int64_t>(image.size()));
  CHECK(photo.at("thumbnail") == true);

  for (const auto& token : {visitor.visitor_token, agent}) {
    auto file = download(deployment, "acme", str(photo, "id"), token);
    REQUIRE(file.status == 200);
    CHECK(file.body == image);
    CHECK(file.headers.at("content-type") == "image/png");
    CHECK_THAT(
        file.headers.at("content-disposition"),
        Catch::StartsWith("inline;") && Catch::Contains("filename*=UTF-8''photo%20%E5%9B%BE.png"));
    check_safe_headers(file);
  }
  auto thumbnail = download(deployment, "acme", str(photo, "id"), agent, "/thumbnail");
  REQUIRE(thumbnail.status == 200);
  CHECK(thumbnail.headers.at("content-type") == "image/png");
  CHECK(png_size(thumbnail.body) == std::pair<int, int>{320, 160});
  check_safe_headers(thumbnail);

  // An agent's PDF: a download, never shown inline; no thumbnail.
  const auto pdf = uploaded(deployment, "acme", agent, kPdf, "invoice.pdf");
  CHECK(str(pdf, "content_type") == "application/pdf");
  CHECK(pdf.at("thumbnail") == false);
  auto pdf_file = download(deployment, "acme", str(pdf, "id"), agent);
  REQUIRE(pdf_file.status == 200);
  CHECK(pdf_file.body == kPdf);
  CHECK(pdf_file.headers.at("content-type") == "application/pdf");
  CHECK_THAT(pdf_file.headers.at("content-disposition"), Catch::StartsWith("attachment;"));
  CHECK(download(deployment, "acme", str(pdf, "id"), agent, "/thumbnail").status == 404);

  // HTML a tenant allows is still only ever a sandboxed download: no script of it
  // runs on this origin, whatever name or type the uploader claimed.
  const auto page = uploaded(deployment, "acme", visitor.visitor_token, kHtml, "cute-cat.png");
  CHECK(str(page, "content_type") == "text/html");
  auto page_file = download(deployment, "acme", str(page, "id"), visitor.visitor_token);
  REQUIRE(page_file.status == 200);
  CHECK_THAT(page_file.headers.at("content-disposition"), Catch::StartsWith("attachment;"));
  check_safe_headers(page_file);

  // Another visitor of the tenant cannot read the visitor's file (nor learn it exists).
  auto stranger = deployment.connect_visitor("acme");
  CHECK(download(deployment, "acme", str(photo, "id"), stranger.visitor_token).status == 404);
  CHECK(
      download(deployment, "acme", str(photo, "id"), stranger.visitor_token, "/thumbnail").status ==
      404);
  // An agent of another tenant cannot either, by either tenant's URL.
  const auto bob = deployment.login("globex", "bob");
  CHECK(download(deployment, "acme", str(photo, "id"), bob).status == 403);
  CHECK(download(deployment, "globex", str(photo, "id"), bob).status == 404);
  // No token, no file; an unknown or malformed id is simply not there.
  CHECK(http_get(deployment.port(), "/v1/tenants/acme/attachments/" + str(photo, "id")).status ==
        401);
  CHECK(download(deployment, "acme", "att_0000", agent).status == 404);
  CHECK(download(deployment, "acme", str(photo, "id") + ".thumb", agent).status == 404);
  CHECK(upload(deployment, "acme", "", kPdf).status == 401);
}

TEST_CASE("attachments: size, type and quota limits answer with what the limit is",
          "[attachments]") {
  Deployment deployment({with_attachments(acme_tenant(), R"(max_bytes = 1000
max_total_bytes = 3000
allowed_types = ["image/*", "text/plain"])"),
                         globex_tenant()});
  const auto agent = deployment.login("acme", "alice");

  auto too_large = upload(deployment, "acme", agent, std::string(1001, 'a'));
  CHECK(too_large.status == 413);
  CHECK(error_code(too_large) == "too_large");
  CHECK_THAT(too_large.body, Catch::Contains("1000 bytes"));

  auto forbidden = upload(deployment, "acme", agent, kPdf);
  CHECK(forbidden.status == 415);
  CHECK(error_code(forbidden) == "unsupported_type");
  CHECK_THAT(forbidden.body, Catch::Contains("application/pdf"));

  auto empty = upload(deployment, "acme", agent, "");
  CHECK(empty.status == 400);

  // Three files of 1000 bytes fill the 3000; the fourth does not fit.
  for (int i = 0; i < 3; ++i)
    CHECK(str(uploaded(deployment, "acme", agent, std::string(1000, char('a' + i))),
              "content_type") == "text/plain");
  auto over = upload(deployment, "acme", agent, "one more");
  CHECK(over.status == 507);
  CHECK(error_code(over) == "quota_exceeded");
  CHECK_THAT(over.body, Catch::Contains("2.9 KiB"));

  // A tenant without [attachments] takes no files.
  auto off = upload(deployment, "globex", deployment.login("globex", "bob"), "hello");
  CHECK(off.status == 403);
  CHECK(error_code(off) == "attachments_disabled");
}

TEST_CASE("attachments: a visitor uploads only from the tenant's websites or the widget frame",
          "[attachments][access]") {
  TenantSpec shop = with_attachments(acme_tenant(), "");
  shop.extra_toml += "\n[widget]\nallowed_origins = [\"https://shop.example.com\"]\n";
  Deployment deployment({shop});
  auto visitor = deployment.connect_visitor("acme");
  auto from = [&](const std::string& origin) {
    Headers headers = bearer(visitor.visitor_token);
    headers.emplace_back("X-File-Name", "note.txt");
    headers.emplace_back("Origin", origin);
    return http_request(deployment.port(), "POST", "/v1/tenants/acme/attachments", "hello",
                        headers);
  };
  CHECK(from("https://shop.example.com").status == 201);
  CHECK(from("http://127.0.0.1:" + std::to_string(deployment.port())).status == 201);
  auto stranger = from("https://evil.example");
  CHECK(stranger.status == 403);
  CHECK(error_code(stranger) == "forbidden_origin");
}

TEST_CASE("attachments: files survive a restart, and a kill -9 leftover is swept and never counted",
          "[attachments][durability]") {
  Deployment deployment({with_attachments(acme_tenant(), R"(max_bytes = 1000
max_total_bytes = 2000
allowed_types = ["text/plain"])")});
  const auto agent = deployment.login("acme", "alice");
  const auto kept = uploaded(deployment, "acme", agent, std::string(1000, 'k'), "kept.txt");

  deployment.server().kill_hard();
  // What a kill -9 in the middle of an upload leaves in the tenant's storage:
  // a temp file being written. (Left long ago: younger ones may be in flight.)
  const fs::path files = deployment.server().options().data_dir / "tenants" / "acme" /
                         "storage-sqlite" / "attachments";
  REQUIRE(fs::is_directory(files / "tmp"));
  const fs::path leftover = files / "tmp" / "att_crashed.1-0.tmp";
  std::ofstream(leftover) << std::string(900, 'x');
  fs::last_write_time(leftover, fs::file_time_type::clock::now() - std::chrono::hours(1));
  deployment.server().start();

  CHECK_FALSE(fs::exists(leftover));
  const auto agent_again = deployment.login("acme", "alice");
  auto file = download(deployment, "acme", str(kept, "id"), agent_again);
  REQUIRE(file.status == 200);
  CHECK(file.body == std::string(1000, 'k'));
  // The leftover never counted: exactly the rest of the quota still fits.
  CHECK(upload(deployment, "acme", agent_again, std::string(1000, 'm')).status == 201);
  CHECK(upload(deployment, "acme", agent_again, std::string(10, 'n')).status == 507);
}

namespace {

// Sends a message frame with files (and text, when not empty); returns its answer.
json::object send_with_files(sb::test::WsClient& ws, const std::string& client_msg_id,
                             const json::array& files, const std::string& text = {},
                             const std::string& conversation_id = {}) {
  json::object frame{{"type", "message"},
                     {"client_msg_id", client_msg_id},
                     {"attachments", files},
                     {"ref", client_msg_id}};
  if (!text.empty()) frame["text"] = text;
  if (!conversation_id.empty()) frame["conversation_id"] = conversation_id;
  ws.send_json(frame);
  return reply_to(ws, client_msg_id);
}

const json::object& first_file(const json::object& message) {
  const auto& files = arr(message, "attachments");
  REQUIRE(files.size() == 1);
  return files[0].as_object();
}

}  // namespace

TEST_CASE("messages carry files: ack, fan-out, assignment history, replay, REST history, restart",
          "[attachments][chat]") {
  Deployment deployment({with_attachments(
      acme_tenant(), R"(allowed_types = ["image/png", "application/pdf", "text/plain"])")});
  auto agent = deployment.connect_agent("acme", "alice");
  auto visitor = deployment.connect_visitor("acme");
  const auto photo = uploaded(deployment, "acme", visitor.visitor_token, png(400, 200), "p.png");

  // A picture alone, no text; the next message keeps its place behind it.
  const auto ack = send_with_files(visitor.ws, "v1", json::array{photo.at("id")});
  REQUIRE(str(ack, "type") == "ack");
  CHECK(num(ack, "seq") == 1);
  CHECK(first_file(ack) == photo);
  const std::string conversation_id = str(ack, "conversation_id");
  auto next = visitor.send_message("did you get my picture?");
  CHECK(num(next, "seq") == 2);

  auto assigned = agent.ws.next_of_type("conversation.assigned");
  const auto& history = arr(assigned, "history");
  REQUIRE(history.size() >= 1);
  CHECK(str(history[0].as_object(), "text").empty());
  CHECK(first_file(history[0].as_object()) == photo);

  // An agent's file with text reaches the visitor, who may then download it.
  const auto pdf = uploaded(deployment, "acme", agent.token, kPdf, "invoice.pdf");
  const auto agent_ack = send_with_files(agent.ws, "a1", json::array{pdf.at("id")},
                                         "here is your invoice", conversation_id);
  REQUIRE(str(agent_ack, "type") == "ack");
  auto delivered = visitor.ws.next_where(
      [](const json::object& f) { return f.at("type") == "message" && f.contains("attachments"); },
      "a message with files");
  CHECK(str(delivered, "text") == "here is your invoice");
  CHECK(first_file(delivered) == pdf);
  CHECK(download(deployment, "acme", str(pdf, "id"), visitor.visitor_token).status == 200);
  auto stranger = deployment.connect_visitor("acme");
  CHECK(download(deployment, "acme", str(pdf, "id"), stranger.visitor_token).status == 404);

  // Replay on resume.
  auto back = deployment.connect_visitor(
      "acme",
      {{"visitor_token", visitor.visitor_token}, {"last_seq", json::object{{conversation_id, 0}}}});
  auto replayed = back.ws.next_of_type("message");
  CHECK(num(replayed, "seq") == 1);
  CHECK(first_file(replayed) == photo);

  // REST history, for the agent and the visitor, and after a restart.
  auto check_history = [&](const std::string& token) {
    auto page = deployment.full_history("acme", conversation_id, token);
    REQUIRE(page.size() == 3);
    CHECK(first_file(page[0].as_object()) == photo);
    CHECK_FALSE(page[1].as_object().contains("attachments"));
    CHECK(first_file(page[2].as_object()) == pdf);
  };
  check_history(agent.token);
  check_history(visitor.visitor_token);
  deployment.server().stop();
  deployment.server().start();
  check_history(deployment.login("acme", "alice"));
  CHECK(
      download(deployment, "acme", str(photo, "id"), visitor.visitor_token, "/thumbnail").status ==
      200);
}

TEST_CASE(
    "files that are unknown, someone else's or sent elsewhere are refused, and nothing is stored",
    "[attachments][chat]") {
  Deployment deployment({with_attachments(acme_tenant(), R"(allowed_types = ["text/plain"])")});
  auto agent = deployment.connect_agent("acme", "alice");
  auto vera = deployment.connect_visitor("acme");
  auto walt = deployment.connect_visitor("acme");
  const auto veras = uploaded(deployment, "acme", vera.visitor_token, "vera's notes\n");
  const auto first = walt.send_message("hello");
  const std::string walts_conversation = str(first, "conversation_id");

  auto refused = [](const json::object& answer, const std::string& code, const std::string& why) {
    INFO(sb::test::describe(answer));
    CHECK(str(answer, "type") == "error");
    CHECK(str(answer, "code") == code);
    CHECK_THAT(str(answer, "message"), Catch::Contains(why));
  };
  refused(send_with_files(walt.ws, "w1", json::array{veras.at("id")}, "look"), "forbidden",
          "uploaded by someone else");
  refused(send_with_files(walt.ws, "w2", json::array{"att_0123456789abcdef"}), "not_found",
          "does not exist");
  json::array eleven;
  for (int i = 0; i < 11; ++i) eleven.emplace_back("att_" + std::to_string(i));
  refused(send_with_files(walt.ws, "w3", eleven), "bad_field", "at most 10");
  walt.ws.send_json({{"type", "message"}, {"client_msg_id", "w4"}, {"ref", "w4"}});
  refused(reply_to(walt.ws, "w4"), "bad_field", "text");

  // An agent's file goes into one conversation only.
  (void)agent.ws.next_of_type("conversation.assigned");
  const auto note = uploaded(deployment, "acme", agent.token, "see attached\n");
  CHECK(str(send_with_files(agent.ws, "a1", json::array{note.at("id")}, "", walts_conversation),
            "type") == "ack");
  const auto veras_ack = vera.send_message("hi");
  (void)agent.ws.next_of_type("conversation.assigned");
  refused(send_with_files(agent.ws, "a2", json::array{note.at("id")}, "",
                          str(veras_ack, "conversation_id")),
          "forbidden", "already sent in another conversation");
  // Vera cannot read the agent's file: it was sent to Walt.
  CHECK(download(deployment, "acme", str(note, "id"), vera.visitor_token).status == 404);
  CHECK(download(deployment, "acme", str(note, "id"), walt.visitor_token).status == 200);

  // Nothing of the refused messages was stored: Walt's next message follows the agent's.
  CHECK(num(walt.send_message("still there?"), "seq") == 3);
  CHECK(deployment.full_history("acme", walts_conversation, agent.token).size() == 3);
}
