// Files and images in the chat, over REST.
//
//   POST /v1/tenants/ID/attachments                 the bytes as the body; X-File-Name:
//     -> 201 {"id","name","content_type","size","thumbnail"}   the percent-encoded name
//   GET  /v1/tenants/ID/attachments/AID             the file
//   GET  /v1/tenants/ID/attachments/AID/thumbnail   its thumbnail (images only)
//
// Uploads: an agent, or a visitor with their visitor token. Downloads: any agent of
// the tenant, and the visitor who uploaded the file or whose conversation it was
// sent in (others get 404, which says nothing about whether it exists). The type
// is read from the bytes (libmagic) on the blocking pool, where thumbnails are made
// too; the storage plugin keeps the file durably before the id is answered.
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "attachments/attachment.hpp"
#include "attachments/file_type.hpp"
#include "attachments/thumbnail.hpp"
#include "common/ids.hpp"
#include "common/origin.hpp"

namespace sb::api {

namespace json = boost::json;
using attachments::Attachment;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

using Respond = std::function<void(HttpResponse)>;
using StorePtr = std::shared_ptr<engine::Store>;

// Files never change under their id, but who may read them can: browsers keep them
// an hour, privately.
constexpr const char* kCacheControl = "private, max-age=3600";

// Hook for the tenant's allowed origins: a visitor's upload from a page the tenant
// does not list is refused like its WebSocket (403 forbidden_origin).
// The same websites as the visitor socket: the tenant's, or the widget's frame.
bool visitor_origin_allowed(const TenantView& tenant, const HttpRequest& request) {
  return widget_origin_allowed(tenant.config->widget.allowed_origins, request.origin, request.host);
}

HttpResponse storage_failed(const engine::StoreResult& r) {
  if (r.status == engine::kStoreNotSupported)
    return error_response(503, "unavailable", "this tenant's storage plugin keeps no files");
  if (r.refused) return refused_by_storage(r);
  return error_response(503, "unavailable", "storage did not answer: " + r.error);
}

HttpResponse quota_exceeded(const tenants::AttachmentPolicy& policy, uint64_t used, uint64_t size) {
  return error_response(
      507, "quota_exceeded",
      "this tenant's files may take " + attachments::human_bytes(policy.max_total_bytes) +
          " together (max_total_bytes) and " + attachments::human_bytes(used) +
          " are taken; this file of " + attachments::human_bytes(size) + " does not fit");
}

// blob_put's answer: stored, refused by the quota (used = the total then), or failed.
enum class PutOutcome { stored, over_quota, failed };
PutOutcome put_outcome(const engine::StoreResult& r, uint64_t& used) {
  if (!r.ok()) return PutOutcome::failed;
  boost::system::error_code ec;
  const json::value v = json::parse(r.body, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* stored = o ? o->if_contains("stored") : nullptr;
  if (!stored || !stored->is_bool()) return PutOutcome::failed;
  if (const json::value* total = o->if_contains("total_bytes"); total && total->is_number())
    used = total->to_number<uint64_t>();
  return stored->get_bool() ? PutOutcome::stored : PutOutcome::over_quota;
}

// The file (after its thumbnail, when it has one): only once the file is stored is
// the id answered. A refused file takes its thumbnail with it.
void put_file(StorePtr store, tenants::AttachmentPolicy policy, Attachment a,
              std::shared_ptr<const std::string> bytes, Respond respond) {
  engine::BlobPut put{a.id, a.meta_json(), bytes, policy.max_total_bytes};
  store->blob_put(put, [store, policy, a, respond](engine::StoreResult r) {
    uint64_t used = 0;
    const PutOutcome outcome = put_outcome(r, used);
    if (outcome != PutOutcome::stored && a.thumbnail)
      store->blob_delete(a.id + std::string(attachments::kThumbnailSuffix), [](auto) {});
    if (outcome == PutOutcome::over_quota) return respond(quota_exceeded(policy, used, a.size));
    if (outcome == PutOutcome::failed) return respond(storage_failed(r));
    respond(json_response(201, a.summary()));
  });
}

void store_upload(StorePtr store, tenants::AttachmentPolicy policy, Attachment a,
                  std::shared_ptr<const std::string> bytes,
                  std::optional<attachments::Thumbnail> thumbnail, Respond respond) {
  if (!thumbnail) return put_file(store, policy, std::move(a), std::move(bytes), respond);
  a.thumbnail = true;
  a.thumbnail_type = thumbnail->content_type;
  const std::string meta = json::serialize(
      json::object{{"thumbnail_of", a.id}, {"content_type", thumbnail->content_type}});
  engine::BlobPut put{a.id + std::string(attachments::kThumbnailSuffix), meta,
                      std::make_shared<const std::string>(std::move(thumbnail->bytes)),
                      policy.max_total_bytes};
  store->blob_put(put, [store, policy, a = std::move(a), bytes = std::move(bytes),
                        respond](engine::StoreResult r) mutable {
    uint64_t used = 0;
    const PutOutcome outcome = put_outcome(r, used);
    if (outcome == PutOutcome::over_quota) return respond(quota_exceeded(policy, used, a.size));
    if (outcome == PutOutcome::failed) return respond(storage_failed(r));
    put_file(store, policy, std::move(a), std::move(bytes), respond);
  });
}

// Whether the visitor may read a: they uploaded it, or it was sent in their
// conversation. checked runs on the storage's strand.
void visitor_may_read(const StorePtr& store, const Attachment& a, const std::string& visitor_id,
                      std::function<void(bool)> checked) {
  if (a.uploader_role == "visitor" && a.uploader_id == visitor_id) return checked(true);
  store->kv_get(std::string(attachments::kBindingNamespace), a.id,
                [visitor_id, checked = std::move(checked)](engine::StoreResult r) {
                  boost::system::error_code ec;
                  const json::value binding = r.ok() ? json::parse(r.body, ec) : json::value();
                  const json::object* o = ec ? nullptr : binding.if_object();
                  const json::value* owner = o ? o->if_contains("visitor_id") : nullptr;
                  checked(owner && owner->is_string() && owner->get_string() == visitor_id);
                });
}

void send_file(const StorePtr& store, const Attachment& a, bool thumbnail, Respond respond) {
  const std::string blob_id = thumbnail ? a.id + std::string(attachments::kThumbnailSuffix) : a.id;
  const std::string type = thumbnail ? a.thumbnail_type : a.content_type;
  store->blob_get(blob_id, [a, type, respond = std::move(respond)](engine::StoreResult r) {
    if (!r.ok()) return respond(storage_failed(r));
    if (r.body.empty()) return respond(error_response(404, "not_found", "no such attachment"));
    HttpResponse file{200, type, std::move(r.body)};
    file.headers = {{"Content-Disposition",
                     attachments::content_disposition(a.name, attachments::is_inline_image(type))},
                    {"X-Content-Type-Options", "nosniff"},
                    {"Content-Security-Policy", "sandbox; default-src 'none'"},
                    {"Cache-Control", kCacheControl}};
    respond(std::move(file));
  });
}

}  // namespace

void RestApi::attachments(const TenantView& tenant, std::string_view id, std::string_view sub,
                          HttpRequest request, Respond respond) {
  if (id.empty()) {
    if (request.method != "POST")
      return respond(error_response(405, "method_not_allowed", "use POST"));
    return upload_attachment(tenant, std::move(request), std::move(respond));
  }
  if (request.method != "GET") return respond(error_response(405, "method_not_allowed", "use GET"));
  if (!attachments::is_attachment_id(id) || (!sub.empty() && sub != "thumbnail"))
    return respond(error_response(404, "not_found", "no such attachment"));
  download_attachment(tenant, std::string(id), sub == "thumbnail", request, std::move(respond));
}

void RestApi::upload_attachment(const TenantView& tenant, HttpRequest request, Respond respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, false, true, refusal);
  if (!claims) return respond(std::move(refusal));
  const bool visitor = claims->kind == "visitor";
  if (visitor && !visitor_origin_allowed(tenant, request))
    return respond(error_response(403, "forbidden_origin",
                                  "this website may not upload files to this tenant"));
  const tenants::AttachmentPolicy& policy = tenant.config->attachments;
  if (!policy.enabled)
    return respond(error_response(403, "attachments_disabled",
                                  "this tenant does not take files ([attachments] enabled)"));
  if (request.body.empty())
    return respond(error_response(400, "empty_file", "the file is empty; send its bytes"));
  if (request.body.size() > policy.max_bytes)
    return respond(error_response(
        413, "too_large",
        "files may be at most " + attachments::human_bytes(policy.max_bytes) +
            " in this tenant; this one is " + attachments::human_bytes(request.body.size())));

  Attachment a;
  a.id = new_id(attachments::kIdPrefix);
  a.name = attachments::clean_file_name(request.file_name);
  a.size = request.body.size();
  a.uploader_role = visitor ? "visitor" : "agent";
  a.uploader_id = claims->subject;
  auto bytes = std::make_shared<const std::string>(std::move(request.body));
  // Reading the type and decoding an image take milliseconds: not on an I/O thread.
  boost::asio::post(blocking_pool_, [store = tenant.store, policy, a = std::move(a),
                                     bytes = std::move(bytes),
                                     respond = std::move(respond)]() mutable {
    a.content_type = attachments::detect_content_type(*bytes);
    if (!attachments::type_allowed(policy, a.content_type))
      return respond(error_response(
          415, "unsupported_type",
          "files of type " + a.content_type + " are not accepted here (allowed_types: " +
              json::serialize(attachments::attachments_summary(policy).at("allowed_types")) + ")"));
    auto thumbnail = attachments::make_thumbnail(*bytes, a.content_type);
    store_upload(store, policy, std::move(a), std::move(bytes), std::move(thumbnail), respond);
  });
}

void RestApi::download_attachment(const TenantView& tenant, std::string id, bool thumbnail,
                                  const HttpRequest& request, Respond respond) {
  HttpResponse refusal;
  auto claims = authorize(tenant, request, false, true, refusal);
  if (!claims) return respond(std::move(refusal));
  const std::string visitor_id = claims->kind == "visitor" ? claims->subject : "";
  StorePtr store = tenant.store;
  store->blob_meta(id, [store, visitor_id, thumbnail,
                        respond = std::move(respond)](engine::StoreResult r) mutable {
    if (!r.ok()) return respond(storage_failed(r));
    auto a = r.body.empty() ? std::nullopt : Attachment::from_blob_meta(r.body);
    if (!a || (thumbnail && !a->thumbnail))
      return respond(error_response(404, "not_found",
                                    a ? "this attachment has no thumbnail" : "no such attachment"));
    if (visitor_id.empty()) return send_file(store, *a, thumbnail, std::move(respond));
    visitor_may_read(store, *a, visitor_id,
                     [store, a = *a, thumbnail, respond = std::move(respond)](bool allowed) {
                       if (!allowed)
                         return respond(error_response(404, "not_found", "no such attachment"));
                       send_file(store, a, thumbnail, respond);
                     });
  });
}

}  // namespace sb::api
