#include "hub/client_frames.hpp"

#include <algorithm>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "auth/token_signer.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "engine/frames.hpp"
#include "hub/visitor_identity.hpp"

namespace sb::hub {

namespace json = boost::json;
using metrics::ErrorCode;

namespace {

// After this many bad frames in a row, the connection is closed (1008).
constexpr uint32_t kMaxConsecutiveErrors = 20;
// A client that keeps sending past its rate is told each time; a burst (a paste,
// a reconnect flushing its outbox) is no abuse, but an endless flood is.
constexpr uint32_t kMaxConsecutiveRateLimited = 1000;
constexpr size_t kMaxIdBytes = 128;
constexpr size_t kMaxAttachmentsPerMessage = 10;
constexpr size_t kMaxNameBytes = 200;
// hello's meta: what the website says about the visitor, kept per visitor.
constexpr size_t kMaxMetaKeyBytes = 64;
constexpr size_t kMaxPageBytes = 2048;
constexpr size_t kMaxTokenBytes = 4096;
// RFC 5321's limits: a path of 254 bytes, a local part of 64, a domain label of 63.
constexpr size_t kMaxEmailBytes = 254;
// A transfer's note for the agent who takes it: plain text, a few lines.
constexpr size_t kMaxTransferNoteBytes = 1000;

struct FrameError {
  ErrorCode code;
  std::string message;
};

class Decoder {
 public:
  explicit Decoder(const json::object& o) : o_(o) {}

  const json::value* field(std::string_view key) const { return o_.if_contains(key); }

  // A required non-empty string field.
  bool string(std::string_view key, std::string& out, size_t max_bytes, FrameError& err) const {
    const json::value* v = o_.if_contains(key);
    if (!v || !v->is_string() || v->get_string().empty() || v->get_string().size() > max_bytes) {
      err = {ErrorCode::bad_field, std::string(key) + " must be a non-empty string of at most " +
                                       std::to_string(max_bytes) + " bytes"};
      return false;
    }
    out.assign(v->get_string().data(), v->get_string().size());
    return true;
  }

  // An optional string field: absent is fine, another type is not.
  bool optional_string(std::string_view key, std::string& out, size_t max_bytes,
                       FrameError& err) const {
    const json::value* v = o_.if_contains(key);
    if (!v || v->is_null()) return true;
    return string(key, out, max_bytes, err);
  }

  bool boolean(std::string_view key, bool& out, FrameError& err) const {
    const json::value* v = o_.if_contains(key);
    if (!v || !v->is_bool()) {
      err = {ErrorCode::bad_field, std::string(key) + " must be true or false"};
      return false;
    }
    out = v->get_bool();
    return true;
  }

  bool unsigned_int(std::string_view key, uint64_t& out, FrameError& err) const {
    const json::value* v = o_.if_contains(key);
    if (v && v->is_uint64()) {
      out = v->get_uint64();
      return true;
    }
    if (v && v->is_int64() && v->get_int64() >= 0) {
      out = static_cast<uint64_t>(v->get_int64());
      return true;
    }
    err = {ErrorCode::bad_field, std::string(key) + " must be a non-negative integer"};
    return false;
  }

  // An optional string that may be empty (absent or null: empty).
  bool optional_text(std::string_view key, std::string& out, size_t max_bytes,
                     FrameError& err) const {
    const json::value* v = o_.if_contains(key);
    if (!v || v->is_null()) return true;
    if (!v->is_string() || v->get_string().size() > max_bytes) {
      err = {ErrorCode::bad_field, std::string(key) + " must be a string of at most " +
                                       std::to_string(max_bytes) + " bytes"};
      return false;
    }
    out.assign(v->get_string().data(), v->get_string().size());
    return true;
  }

  // An optional array of strings (absent = empty); the engine checks each string.
  bool string_list(std::string_view key, std::vector<std::string>& out, FrameError& err) const {
    const json::value* v = o_.if_contains(key);
    if (!v || v->is_null()) return true;
    if (v->is_array()) {
      for (const auto& item : v->get_array()) {
        if (!item.is_string()) break;
        out.emplace_back(item.get_string());
      }
      if (out.size() == v->get_array().size()) return true;
    }
    err = {ErrorCode::bad_field, std::string(key) + " must be an array of strings"};
    return false;
  }

  // {"conversation id": seq, ...}
  bool last_seq(std::map<std::string, uint64_t>& out, FrameError& err) const {
    const json::value* v = o_.if_contains("last_seq");
    if (!v || v->is_null()) return true;
    if (!v->is_object()) {
      err = {ErrorCode::bad_field, "last_seq must be an object of conversation id -> seq"};
      return false;
    }
    for (const auto& [id, seq] : v->get_object()) {
      if (seq.is_uint64()) {
        out[std::string(id)] = seq.get_uint64();
      } else if (seq.is_int64() && seq.get_int64() >= 0) {
        out[std::string(id)] = static_cast<uint64_t>(seq.get_int64());
      } else {
        err = {ErrorCode::bad_field, "last_seq values must be non-negative integers"};
        return false;
      }
    }
    return true;
  }

 private:
  const json::object& o_;
};

// hello's "meta": {"page":S, "lang":S, ...the website's own attributes}, flat and
// bounded, for the routing graph's conditions. The attributes are the visitor's own
// claim; visitor_hello decides which of them the tenant trusts.
bool read_meta(const Decoder& d, engine::VisitorMeta& out, json::object& attributes,
               FrameError& err) {
  const json::value* v = d.field("meta");
  if (!v || v->is_null()) return true;
  if (!v->is_object() || v->get_object().size() > kMaxVisitorAttributes) {
    err = {ErrorCode::bad_field, "meta must be an object of at most 64 keys"};
    return false;
  }
  for (const auto& [key, value] : v->get_object()) {
    const std::string name(key);
    if (key == "page" || key == "lang") {
      if (!value.is_string() || value.get_string().size() > kMaxPageBytes) {
        err = {ErrorCode::bad_field, "meta." + name + " must be a string of at most 2048 bytes"};
        return false;
      }
      (key == "page" ? out.page : out.language) = std::string(value.get_string());
    } else if (is_visitor_attribute(key, value)) {
      attributes[key] = value;
    } else {
      err = {ErrorCode::bad_field, "meta." + name.substr(0, kMaxMetaKeyBytes) + ": " +
                                       std::string(kVisitorAttributeRule)};
      return false;
    }
  }
  return true;
}

// An address a person could have typed: local@domain.tld, no spaces, quotes or
// brackets, a dotted domain of letters, digits and hyphens (or UTF-8: IDNs). Not a
// proof that it exists; agents only read it.
bool plausible_email(std::string_view email) {
  if (email.size() > kMaxEmailBytes) return false;
  const size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos)
    return false;
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos)
    return false;
  for (const unsigned char ch : local)
    if (ch <= 0x20 || ch == 0x7f ||
        std::string_view("\"(),:;<>[\\]").find(static_cast<char>(ch)) != std::string_view::npos)
      return false;
  size_t labels = 0;
  for (size_t start = 0; start <= domain.size();) {
    size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (const unsigned char ch : label)
      if (!(std::isalnum(ch) || ch == '-' || ch >= 0x80)) return false;
    ++labels;
    start = end + 1;
  }
  return labels >= 2;
}

int64_t now_s() {
  return wall_clock_ms() / 1000;
}

FrameVerdict fail(ConnectionState& state, const engine::PeerPtr& peer, const FrameError& err,
                  std::string_view ref) {
  state.gate->metrics().count_error(err.code);
  peer->send(engine::frames::error(metrics::to_string(err.code), err.message, ref));
  const bool abuse = err.code == ErrorCode::rate_limited
                         ? ++state.consecutive_rate_limited >= kMaxConsecutiveRateLimited
                         : ++state.consecutive_errors >= kMaxConsecutiveErrors;
  return abuse ? FrameVerdict::close_policy : FrameVerdict::ok;
}

// Visitor hello: resume the identity of a valid visitor token of this tenant, or
// start a new anonymous visitor. The welcome always carries a fresh token.
bool visitor_hello(ConnectionState& state, const engine::PeerPtr& peer, const Decoder& d,
                   FrameError& err) {
  if (state.registered) {
    err = {ErrorCode::forbidden, "hello was already said on this connection"};
    return false;
  }
  std::string token, name, identity_token;
  std::map<std::string, uint64_t> last_seq;
  engine::VisitorMeta meta;
  json::object meta_attributes;
  if (!d.optional_string("visitor_token", token, kMaxTokenBytes, err) ||
      !d.optional_string("name", name, kMaxNameBytes, err) || !d.last_seq(last_seq, err) ||
      !d.optional_string("identity", identity_token, kMaxTokenBytes, err) ||
      !read_meta(d, meta, meta_attributes, err))
    return false;
  // "email": absent, null or "" is none given.
  if (const auto* email = d.field("email"); email && !email->is_null()) {
    if (!email->is_string() ||
        (!email->get_string().empty() && !plausible_email(email->get_string()))) {
      err = {ErrorCode::bad_field,
             "email must be an email address (name@example.com) of at most 254 bytes"};
      return false;
    }
    meta.email = std::string(email->get_string());
  }
  const auto trust = state.gate->visitor_trust();
  std::optional<VisitorIdentity> identity;
  if (!identity_token.empty()) {
    std::string why;
    identity = read_identity(identity_token, *trust, now_s(), why);
    if (!identity) {
      err = {ErrorCode::forbidden, std::move(why)};
      return false;
    }
    if (!identity->name.empty()) name = identity->name;
  }
  meta.attributes_json = json::serialize(
      trusted_attributes(*trust, std::move(meta_attributes), identity ? &*identity : nullptr));

  std::string visitor_id;
  if (!token.empty()) {
    auto claims = state.signer->verify(token, now_s());
    if (claims && claims->kind == "visitor" && claims->tenant == state.gate->id())
      visitor_id = claims->subject;
  }
  if (visitor_id.empty()) visitor_id = new_id("v");
  auth::Claims claims;
  claims.kind = "visitor";
  claims.tenant = state.gate->id();
  claims.subject = visitor_id;
  claims.role = "visitor";
  claims.expires_at_s = now_s() + state.gate->limits().visitor_token_ttl_s;

  state.who.id = visitor_id;
  state.who.name = name;
  state.registered = true;
  state.gate->engine()->visitor_hello(peer, state.who, state.signer->issue(claims),
                                      std::move(last_seq), std::move(meta));
  return true;
}

// A message's "attachments": ids of uploaded files, at most 10; the engine checks
// that each exists and is the sender's.
bool attachment_ids(const Decoder& d, std::vector<std::string>& out, FrameError& err) {
  if (!d.string_list("attachments", out, err)) return false;
  if (out.size() > kMaxAttachmentsPerMessage) {
    err = {ErrorCode::bad_field, "a message carries at most 10 attachments"};
    return false;
  }
  for (const auto& id : out) {
    if (id.empty() || id.size() > kMaxIdBytes) {
      err = {ErrorCode::bad_field, "attachments must be ids of uploaded files"};
      return false;
    }
  }
  return true;
}

// ref is taken (moved into the command) only once the message is accepted: a
// refusal still echoes it, and the frame's one copy is not copied again.
bool message(ConnectionState& state, const engine::PeerPtr& peer, const Decoder& d,
             std::string& ref, int64_t now_us, FrameError& err) {
  engine::MessageCommand command;
  if (!d.string("client_msg_id", command.client_msg_id, kMaxIdBytes, err)) return false;
  if (state.who.role == engine::Role::agent &&
      !d.string("conversation_id", command.conversation_id, kMaxIdBytes, err))
    return false;
  if (!attachment_ids(d, command.attachments, err)) return false;
  // Text is optional with files: a picture may say it all.
  const bool text_required = command.attachments.empty();
  if (!(text_required
            ? d.string("text", command.text, state.gate->max_message_bytes(), err)
            : d.optional_text("text", command.text, state.gate->max_message_bytes(), err)))
    return false;
  if (const auto* note = d.field("private"); note && !note->is_null()) {
    if (!note->is_bool()) {
      err = {ErrorCode::bad_field, "private must be true or false"};
      return false;
    }
    if (note->get_bool() && state.who.role != engine::Role::agent) {
      err = {ErrorCode::forbidden, "private notes are for agents"};
      return false;
    }
    command.is_private = note->get_bool();
  }
  // Per connection first, so one noisy client cannot spend the whole tenant's rate.
  if (!state.rate.try_take(now_us, state.gate->connection_messages_per_second()) ||
      !state.gate->try_take_message(now_us)) {
    err = {ErrorCode::rate_limited, "too many messages; slow down"};
    return false;
  }
  command.ref = std::move(ref);
  command.received_us = now_us;
  state.gate->engine()->post_message(peer, state.who, std::move(command));
  return true;
}

// CSAT: {"type":"rate","conversation_id","score":1..5,"comment"?:S}, for visitors.
bool rate(ConnectionState& state, const engine::PeerPtr& peer, const Decoder& d, std::string ref,
          int64_t now_us, FrameError& err) {
  std::string conversation_id, comment;
  if (!d.string("conversation_id", conversation_id, kMaxIdBytes, err)) return false;
  const json::value* score = d.field("score");
  // An integer (3, not 3.0 or "3"); JSON's small integers parse as int64.
  const int64_t value = score && score->is_int64() ? score->get_int64() : 0;
  if (value < 1 || value > 5) {
    err = {ErrorCode::bad_field, "score must be an integer from 1 to 5"};
    return false;
  }
  if (const auto* c = d.field("comment"); c && !c->is_null()) {
    if (!c->is_string() || c->get_string().size() > engine::TenantEngine::kMaxRatingCommentBytes) {
      err = {ErrorCode::bad_field, "comment must be a string of at most 1000 bytes"};
      return false;
    }
    comment = std::string(c->get_string());
  }
  // Each rating is a storage read and write: paced like messages.
  if (!state.rate.try_take(now_us, state.gate->connection_messages_per_second())) {
    err = {ErrorCode::rate_limited, "too many ratings; slow down"};
    return false;
  }
  state.gate->engine()->rate_conversation(peer, state.who, std::move(conversation_id),
                                          static_cast<int>(value), std::move(comment),
                                          std::move(ref));
  return true;
}

// A transfer's "note": absent, null or "" is none. Plain text for a person: line
// breaks and tabs, no other control characters.
bool transfer_note(const Decoder& d, std::string& out, FrameError& err) {
  const json::value* v = d.field("note");
  if (!v || v->is_null() || (v->is_string() && v->get_string().empty())) return true;
  const auto refuse = [&] {
    err = {ErrorCode::bad_field, "note must be text of at most " +
                                     std::to_string(kMaxTransferNoteBytes) +
                                     " bytes, without control characters but line breaks"};
    return false;
  };
  if (!v->is_string() || v->get_string().size() > kMaxTransferNoteBytes) return refuse();
  const std::string_view note = v->get_string();
  if (std::any_of(note.begin(), note.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && c != '\n' && c != '\t') || byte == 0x7f;
      }))
    return refuse();
  out.assign(note.data(), note.size());
  return true;
}

bool agent_status(ConnectionState& state, const engine::PeerPtr& peer, const Decoder& d,
                  FrameError& err) {
  std::string status;
  if (!d.string("status", status, 16, err)) return false;
  engine::AgentStatus value;
  if (status == "online") {
    value = engine::AgentStatus::online;
  } else if (status == "away") {
    value = engine::AgentStatus::away;
  } else if (status == "offline") {
    value = engine::AgentStatus::offline;
  } else {
    err = {ErrorCode::bad_field, "status must be online, away or offline"};
    return false;
  }
  state.gate->engine()->set_status(peer, state.who, value);
  return true;
}

}  // namespace

FrameVerdict reject_frame(ConnectionState& state, const engine::PeerPtr& peer, ErrorCode code,
                          std::string_view message) {
  return fail(state, peer, FrameError{code, std::string(message)}, {});
}

FrameVerdict handle_text_frame(ConnectionState& state, const engine::PeerPtr& peer,
                               std::string_view text, int64_t now_us) {
  if (text.size() > state.gate->max_message_bytes()) {
    // Rare and bounded by the hard frame cap: worth a parse to echo the client's ref.
    std::string ref;
    boost::system::error_code ignored;
    json::value whole = json::parse(text, ignored);
    if (const auto* o = whole.if_object())
      if (const auto* r = o->if_contains("ref");
          r && r->is_string() && r->get_string().size() <= kMaxIdBytes)
        ref.assign(r->get_string().data(), r->get_string().size());
    return fail(
        state, peer,
        {ErrorCode::too_large, "frame larger than this tenant's limit of " +
                                   std::to_string(state.gate->max_message_bytes()) + " bytes"},
        ref);
  }

  // Small frames parse into a stack buffer: no heap allocation for the DOM.
  unsigned char scratch[4096];
  json::monotonic_resource arena(scratch, sizeof scratch);
  boost::system::error_code ec;
  json::value root = json::parse(text, ec, &arena);
  if (ec) return fail(state, peer, {ErrorCode::bad_json, "not valid JSON: " + ec.message()}, {});
  if (!root.is_object())
    return fail(state, peer, {ErrorCode::bad_json, "a frame must be a JSON object"}, {});
  const json::object& o = root.get_object();

  std::string ref;
  if (const json::value* r = o.if_contains("ref");
      r && r->is_string() && r->get_string().size() <= kMaxIdBytes)
    ref.assign(r->get_string().data(), r->get_string().size());
  const json::value* type_value = o.if_contains("type");
  if (!type_value || !type_value->is_string())
    return fail(state, peer, {ErrorCode::bad_field, "type must be a string"}, ref);
  const std::string_view type(type_value->get_string().data(), type_value->get_string().size());

  const Decoder d(o);
  FrameError err{ErrorCode::bad_field, {}};
  const bool is_agent = state.who.role == engine::Role::agent;
  auto& engine = *state.gate->engine();
  bool ok = true;

  if (type == "ping") {
    peer->send(engine::frames::pong());
  } else if (type == "hello") {
    if (is_agent) {
      std::map<std::string, uint64_t> last_seq;
      ok = d.last_seq(last_seq, err);
      if (ok && !last_seq.empty()) engine.replay(peer, state.who, std::move(last_seq));
    } else {
      ok = visitor_hello(state, peer, d, err);
    }
  } else if (!state.registered) {
    err = {ErrorCode::forbidden, "say hello first"};
    ok = false;
  } else if (type == "message") {
    ok = message(state, peer, d, ref, now_us, err);
  } else if (type == "typing" || type == "read" || type == "close") {
    std::string conversation_id;
    ok = d.string("conversation_id", conversation_id, kMaxIdBytes, err);
    if (ok && type == "typing") {
      bool on = false;
      ok = d.boolean("on", on, err);
      if (ok) engine.typing(peer, state.who, std::move(conversation_id), on);
    } else if (ok && type == "read") {
      uint64_t seq = 0;
      ok = d.unsigned_int("seq", seq, err);
      if (ok) engine.mark_read(peer, state.who, std::move(conversation_id), seq, ref);
    } else if (ok) {
      engine.close_conversation(peer, state.who, std::move(conversation_id), ref);
    }
  } else if (type == "rate") {
    if (is_agent) {
      err = {ErrorCode::forbidden, "rate is for visitors"};
      ok = false;
    } else {
      ok = rate(state, peer, d, ref, now_us, err);
    }
  } else if (type == "status" || type == "accept" || type == "transfer" || type == "tag") {
    if (!is_agent) {
      err = {ErrorCode::forbidden, std::string(type) + " is for agents"};
      ok = false;
    } else if (type == "status") {
      ok = agent_status(state, peer, d, err);
    } else {
      std::string conversation_id, to_agent, to_group;
      ok = d.string("conversation_id", conversation_id, kMaxIdBytes, err);
      if (ok && type == "accept") {
        engine.accept_conversation(peer, state.who, std::move(conversation_id), ref);
      } else if (ok && type == "tag") {
        engine::TenantEngine::TagChange change;
        ok = d.string_list("add", change.add, err) && d.string_list("remove", change.remove, err);
        if (ok)
          engine.tag_conversation(peer, state.who, std::move(conversation_id), std::move(change),
                                  ref);
      } else if (ok) {
        std::string note;
        ok = d.optional_string("to_agent", to_agent, kMaxIdBytes, err) &&
             d.optional_string("to_group", to_group, kMaxIdBytes, err) &&
             transfer_note(d, note, err);
        if (ok)
          engine.transfer_conversation(peer, state.who, std::move(conversation_id),
                                       std::move(to_agent), std::move(to_group), ref,
                                       std::move(note));
      }
    }
  } else {
    err = {ErrorCode::unknown_type, "unknown frame type '" + std::string(type.substr(0, 64)) + "'"};
    ok = false;
  }

  if (!ok) return fail(state, peer, err, ref);
  state.consecutive_errors = 0;
  state.consecutive_rate_limited = 0;
  return FrameVerdict::ok;
}

}  // namespace sb::hub
