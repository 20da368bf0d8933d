// Files in messages: a message may name up to 10 files its sender uploaded
// (POST /v1/tenants/ID/attachments). Before it gets a seq, each is read back from
// storage: it must exist, be the sender's own, and not have been sent in another
// conversation. Then it is bound to this conversation (so its visitor may download
// it) and the message carries the files' summaries wherever it goes.
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "attachments/attachment.hpp"
#include "engine/internal.hpp"

namespace sb::engine {

namespace json = boost::json;
using attachments::Attachment;

namespace {

// What storage said about one file: its record and the conversation it was sent in.
struct FileLookup {
  std::string id;
  std::optional<Attachment> record;
  std::string bound_to;  // conversation id, "" when not sent yet
  bool failed = false;   // storage did not answer
};

std::string bound_conversation(const StoreResult& r) {
  boost::system::error_code ec;
  const json::value v = r.body.empty() ? json::value() : json::parse(r.body, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* id = o ? o->if_contains("conversation_id") : nullptr;
  return id && id->is_string() ? std::string(id->get_string()) : std::string();
}

// Why the sender may not send this file in conversation_id, or "" when they may.
std::string refusal(const FileLookup& file, const Identity& who, const std::string& conversation_id,
                    metrics::ErrorCode& code) {
  code = metrics::ErrorCode::not_found;
  if (!file.record || !attachments::is_attachment_id(file.id))
    return "attachment " + file.id + " does not exist; upload it first";
  code = metrics::ErrorCode::forbidden;
  if (file.record->uploader_role != frames::role_name(who.role) ||
      file.record->uploader_id != who.id)
    return "attachment " + file.id + " was uploaded by someone else; only its uploader may send it";
  if (!file.bound_to.empty() && file.bound_to != conversation_id)
    return "attachment " + file.id + " was already sent in another conversation";
  return {};
}

}  // namespace

void TenantEngine::accept_with_attachments(Conversation& c, const PeerPtr& peer,
                                           const Identity& who, MessageCommand command) {
  c.checking_attachments = true;
  const std::vector<std::string> ids = command.attachments;
  check_attachments(
      c, who, ids,
      [this, peer, sender = who, command = std::move(command), id = c.id](
          std::string attachments_json, metrics::ErrorCode code, std::string why) mutable {
        Conversation* c = find_conversation(id);
        if (!c) return;  // never forgotten while checking (forget_if_done)
        c->checking_attachments = false;
        if (c->status == ConversationStatus::closed) {
          send_error(peer, metrics::ErrorCode::not_found, "the conversation was closed meanwhile",
                     command.ref);
        } else if (why.empty()) {
          command.attachments_json = std::move(attachments_json);
          accept_message(*c, peer, sender, std::move(command));
        } else {
          send_error(peer, code, why, command.ref);
        }
        // Those that waited go on in order; one with files waits again.
        auto behind = std::move(c->behind_attachments);
        c->behind_attachments.clear();
        for (auto& next : behind) next();
        forget_if_done(id);
      });
}

void TenantEngine::check_attachments(const Conversation& c, const Identity& who,
                                     const std::vector<std::string>& ids, AttachmentsChecked done) {
  if (ids.size() > attachments::kMaxPerMessage)
    return done({}, metrics::ErrorCode::bad_field,
                "a message carries at most " + std::to_string(attachments::kMaxPerMessage) +
                    " attachments");
  if (std::set<std::string>(ids.begin(), ids.end()).size() != ids.size())
    return done({}, metrics::ErrorCode::bad_field, "an attachment is listed twice");

  // Two reads per file, answered on the strand in any order; the last one decides.
  auto files = std::make_shared<std::vector<FileLookup>>();
  for (const auto& id : ids) files->emplace_back().id = id;
  auto outstanding = std::make_shared<size_t>(ids.size() * 2);
  auto finish = [this, self = shared_from_this(), files, outstanding, who, id = c.id,
                 done = std::move(done)]() {
    if (--*outstanding > 0) return;
    Conversation* c = find_conversation(id);
    json::array summaries;
    for (const FileLookup& file : *files) {
      if (file.failed)
        return done({}, metrics::ErrorCode::unavailable,
                    "storage did not answer about attachment " + file.id + "; send it again");
      metrics::ErrorCode code;
      if (auto why = refusal(file, who, id, code); !why.empty()) return done({}, code, why);
      summaries.push_back(file.record->summary());
    }
    // Bound before the message is written; storage applies writes in order.
    const std::string binding = json::serialize(
        json::object{{"conversation_id", id}, {"visitor_id", c ? c->visitor_id : ""}});
    for (const FileLookup& file : *files)
      if (file.bound_to.empty())
        store_->kv_put(std::string(attachments::kBindingNamespace), file.id, binding,
                       [tenant = tenant_id_, file_id = file.id](StoreResult r) {
                         if (!r.ok())
                           spdlog::warn("tenant {}: binding attachment {} failed: {}", tenant,
                                        file_id, r.error);
                       });
    done(json::serialize(summaries), metrics::ErrorCode::bad_field, {});
  };
  for (size_t i = 0; i < files->size(); ++i) {
    const std::string& file_id = (*files)[i].id;
    store_->blob_meta(file_id, [files, i, finish](StoreResult r) {
      FileLookup& file = (*files)[i];
      file.failed = file.failed || (!r.ok() && r.status != kStoreNotSupported);
      if (r.ok() && !r.body.empty()) file.record = Attachment::from_blob_meta(r.body);
      finish();
    });
    store_->kv_get(std::string(attachments::kBindingNamespace), file_id,
                   [files, i, finish](StoreResult r) {
                     FileLookup& file = (*files)[i];
                     file.failed = file.failed || (!r.ok() && r.status != kStoreNotSupported);
                     file.bound_to = bound_conversation(r);
                     finish();
                   });
  }
}

}  // namespace sb::engine
