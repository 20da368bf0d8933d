#include "engine/frames.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <type_traits>

namespace sb::engine {

const char* to_string(ConversationStatus status) {
  switch (status) {
    case ConversationStatus::bot:
      return "bot";
    case ConversationStatus::queued:
      return "queued";
    case ConversationStatus::assigned:
      return "assigned";
    case ConversationStatus::closed:
      return "closed";
  }
  return "queued";
}

const char* to_string(AgentStatus status) {
  switch (status) {
    case AgentStatus::offline:
      return "offline";
    case AgentStatus::online:
      return "online";
    case AgentStatus::away:
      return "away";
  }
  return "offline";
}

namespace frames {

namespace json = boost::json;

namespace {
// A message's files as stored ([{"id","name",...}]), or nothing when it has none
// (or when what is stored is not an array).
std::optional<json::value> attachments(const std::string& attachments_json) {
  if (attachments_json.empty()) return std::nullopt;
  boost::system::error_code ec;
  json::value files = json::parse(attachments_json, ec);
  if (ec || !files.is_array()) return std::nullopt;
  return files;
}

void add_attachments(json::object& o, const std::string& attachments_json) {
  if (auto files = attachments(attachments_json)) o["attachments"] = std::move(*files);
}
}  // namespace

namespace {
// Writes one JSON object straight into its frame, for the frames sent once per
// message (ack, message): building a document first cost more than the rest of
// the frame's way (one allocation per member). Strings are escaped by Boost.JSON's
// serializer and members come in the documents' order, so the text is exactly what
// json::serialize wrote from the document (frames_test.cpp compares them).
class ObjectWriter {
 public:
  explicit ObjectWriter(size_t expected_bytes) {
    out_.reserve(expected_bytes);
    out_ += '{';
  }

  ObjectWriter& member(std::string_view key, std::string_view value) {
    name(key);
    string(value);
    return *this;
  }
  ObjectWriter& member(std::string_view key, const char* value) {
    return member(key, std::string_view(value));
  }
  template <typename Integer>
  requires std::is_integral_v<Integer> ObjectWriter& member(std::string_view key, Integer value) {
    name(key);
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out_.append(digits, end);
    return *this;
  }
  ObjectWriter& member(std::string_view key, bool value) {
    name(key);
    out_ += value ? "true" : "false";
    return *this;
  }
  ObjectWriter& member(std::string_view key, const json::value& value) {
    name(key);
    out_ += json::serialize(value);
    return *this;
  }
  ObjectWriter& member(std::string_view key, const std::vector<std::string>& strings) {
    name(key);
    out_ += '[';
    for (size_t i = 0; i < strings.size(); ++i) {
      if (i) out_ += ',';
      string(strings[i]);
    }
    out_ += ']';
    return *this;
  }
  // A nested object: its members follow, up to close_object().
  ObjectWriter& open_object(std::string_view key) {
    name(key);
    out_ += '{';
    first_ = true;
    return *this;
  }
  ObjectWriter& close_object() {
    out_ += '}';
    first_ = false;
    return *this;
  }

  Frame finish() {
    out_ += '}';
    return std::make_shared<const std::string>(std::move(out_));
  }

 private:
  // The keys are this file's own literals, none with a character to escape: they
  // are copied between quotes without the scan string() makes of every byte (a
  // frame has 5-10 of them; frames_test compares each frame with Boost.JSON's).
  void name(std::string_view key) {
    assert(std::none_of(key.begin(), key.end(), needs_escape));
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += key;
    out_ += "\":";
  }
  // Escaped by Boost.JSON straight into the frame's string. The serializer keeps
  // the memory it allocated once, so one per thread allocates nothing per frame.
  // Most strings (the keys, ids, names, most texts) have nothing to escape: those
  // are copied between quotes, which is what Boost.JSON writes for them (it escapes
  // only control characters, '"' and '\\'), without its state machine per string.
  void string(std::string_view text) {
    if (!any_to_escape(text)) {
      out_ += '"';
      out_ += text;
      out_ += '"';
      return;
    }
    static thread_local json::serializer escaper;
    escaper.reset(text);
    while (!escaper.done()) {
      const size_t at = out_.size();
      out_.resize(at + text.size() + 16);  // fits unless it needs many escapes
      out_.resize(at + escaper.read(out_.data() + at, out_.size() - at).size());
    }
  }
  static bool needs_escape(char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\';
  }
  // needs_escape of any byte, eight bytes at a time (the byte-wise scan was the
  // largest cost of the ack and message frames: RESULTS.md, the eighteenth pass).
  // In a word w, (w - 0x20 in every byte) & ~w has a byte's top bit set for some
  // byte when, and only when, one byte is below 0x20 (a borrow may also mark the
  // bytes above a marked one, never a word without one); a byte equal to '"' or
  // '\\' is a zero byte of w ^ that byte in every byte, found the same way.
  static bool any_to_escape(std::string_view text) {
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kTops = 0x8080808080808080ull;
    const char* p = text.data();
    size_t left = text.size();
    for (; left >= sizeof(uint64_t); p += sizeof(uint64_t), left -= sizeof(uint64_t)) {
      uint64_t w;
      std::memcpy(&w, p, sizeof w);
      const uint64_t quote = w ^ (kOnes * '"');
      const uint64_t backslash = w ^ (kOnes * '\\');
      const uint64_t marked = ((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) |
                              ((backslash - kOnes) & ~backslash);
      if (marked & kTops) return true;
    }
    // The last few bytes: as the last whole word again when there is one.
    if (left && text.size() >= sizeof(uint64_t))
      return any_to_escape(text.substr(text.size() - sizeof(uint64_t)));
    return std::any_of(p, p + left, needs_escape);
  }

  std::string out_;
  bool first_ = true;
};

// The members of message_object(m, true), in its order.
void message_members(ObjectWriter& w, const StoredMessage& m) {
  w.member("type", "message")
      .member("conversation_id", m.conversation_id)
      .member("message_id", m.message_id)
      .member("seq", m.seq)
      .open_object("from")
      .member("role", m.sender_role)
      .member("id", m.sender_id);
  if (!m.sender_name.empty()) w.member("name", m.sender_name);
  w.close_object().member("text", m.text);
  if (auto files = attachments(m.attachments_json)) w.member("attachments", *files);
  w.member("ts", m.ts_ms);
  if (m.flags & kPrivateNote) w.member("private", true);
}

// The frame's length with room to spare, so that building it allocates once: the
// members' names and punctuation (at most 185 bytes with every optional one and
// two 20-digit numbers) and every field.
size_t message_bytes(const StoredMessage& m) {
  return 192 + m.conversation_id.size() + m.message_id.size() + m.sender_role.size() +
         m.sender_id.size() + m.sender_name.size() + m.text.size() + m.attachments_json.size();
}

// A queued visitor's estimated wait, or that nobody who could serve them is online.
void put_estimate(json::object& o, uint32_t eta_s) {
  if (eta_s == kNoEstimate) {
    o["eta_s"] = nullptr;
    o["nobody_online"] = true;
  } else {
    o["eta_s"] = eta_s;
  }
}
}  // namespace

Frame make_frame(const json::value& value) {
  return std::make_shared<const std::string>(json::serialize(value));
}

const char* role_name(Role role) {
  return role == Role::agent ? "agent" : "visitor";
}

json::object visitor_object(std::string_view id, std::string_view name, const VisitorMeta* meta) {
  json::object o{{"id", id}, {"name", name}};
  json::object about;
  if (meta) {
    if (!meta->email.empty()) o["email"] = meta->email;
    boost::system::error_code ec;
    json::value attributes = json::parse(meta->attributes_json, ec);
    if (!ec && attributes.is_object()) about = std::move(attributes.get_object());
    // hello keeps page and lang out of the attributes; they win all the same.
    if (!meta->page.empty()) about["page"] = meta->page;
    if (!meta->language.empty()) about["lang"] = meta->language;
  }
  o["meta"] = std::move(about);
  return o;
}

json::object csat_object(const Csat& csat) {
  return json::object{{"score", csat.score}, {"comment", csat.comment}, {"ts", csat.ts_ms}};
}

json::object conversation_object(const Conversation& c, const VisitorState* visitor) {
  json::object o;
  o["id"] = c.id;
  o["status"] = to_string(c.status);
  o["visitor"] = visitor_object(c.visitor_id, c.visitor_name, visitor ? &visitor->meta() : nullptr);
  if (c.assignee.empty()) {
    o["assignee"] = nullptr;
  } else {
    o["assignee"] = c.assignee;
  }
  o["created_at"] = c.created_ms;
  o["last_seq"] = c.next_seq - 1;
  // The group it waits for or was routed to, as the REST record has it: the
  // console's header names it from the first frame on.
  if (!c.group.empty()) o["group"] = c.group;
  json::array tags;
  for (const auto& t : c.tags) tags.emplace_back(t);
  o["tags"] = std::move(tags);
  if (c.csat) o["csat"] = csat_object(*c.csat);
  return o;
}

json::object visitor_conversation(const Conversation& c, const AgentState* agent, uint32_t position,
                                  uint32_t eta_s) {
  json::object o{{"id", c.id}, {"status", to_string(c.status)}};
  if (agent) {
    o["agent"] = json::object{{"id", agent->id}, {"name", agent->name}};
  } else {
    o["agent"] = nullptr;
  }
  if (position > 0) {
    o["position"] = position;
    put_estimate(o, eta_s);
  }
  o["created_at"] = c.created_ms;
  o["last_seq"] = c.next_seq - 1;
  return o;
}

json::object message_object(const StoredMessage& m, bool as_frame) {
  json::object o;
  if (as_frame) {
    o["type"] = "message";
    o["conversation_id"] = m.conversation_id;
  }
  o["message_id"] = m.message_id;
  o["seq"] = m.seq;
  json::object from{{"role", m.sender_role}, {"id", m.sender_id}};
  if (!m.sender_name.empty()) from["name"] = m.sender_name;
  o["from"] = std::move(from);
  o["text"] = m.text;
  add_attachments(o, m.attachments_json);
  o["ts"] = m.ts_ms;
  if (m.flags & kPrivateNote) o["private"] = true;
  return o;
}

Frame error(std::string_view code, std::string_view message, std::string_view ref) {
  json::object o{{"type", "error"}, {"code", code}, {"message", message}};
  if (!ref.empty()) o["ref"] = ref;
  return make_frame(o);
}

Frame pong() {
  static const Frame frame = std::make_shared<const std::string>(R"({"type":"pong"})");
  return frame;
}

Frame visitor_welcome(std::string_view visitor_id, std::string_view visitor_token,
                      const json::object* open) {
  json::object o{{"type", "welcome"}, {"visitor_id", visitor_id}, {"visitor_token", visitor_token}};
  if (open) {
    o["conversation_id"] = open->at("id");
    o["conversation"] = *open;
  } else {
    o["conversation_id"] = nullptr;
    o["conversation"] = nullptr;
  }
  return make_frame(o);
}

Frame agent_welcome(const AgentState& agent, const json::array& conversations,
                    uint32_t max_message_bytes) {
  json::object o{
      {"type", "welcome"},
      {"agent", json::object{{"id", agent.id}, {"name", agent.name}, {"role", agent.role}}},
      {"status", to_string(agent.status)},
      {"conversations", conversations},
      {"max_message_bytes", max_message_bytes}};
  return make_frame(o);
}

Frame ack(std::string_view client_msg_id, const AckRecord& ack, std::string_view conversation_id,
          std::string_view ref) {
  // Names and punctuation take at most 121 bytes with every optional member (as
  // message_bytes): one allocation for the frame's text.
  ObjectWriter w(128 + client_msg_id.size() + ack.message_id.size() + conversation_id.size() +
                 ack.attachments_json.size() + ref.size());
  w.member("type", "ack")
      .member("client_msg_id", client_msg_id)
      .member("message_id", ack.message_id)
      .member("conversation_id", conversation_id)
      .member("seq", ack.seq);
  if (auto files = attachments(ack.attachments_json)) w.member("attachments", *files);
  if (!ref.empty()) w.member("ref", ref);
  return w.finish();
}

Frame message(const StoredMessage& m) {
  ObjectWriter w(message_bytes(m));
  message_members(w, m);
  return w.finish();
}

Frame message(const StoredMessage& m, const std::vector<std::string>& quick_replies) {
  ObjectWriter w(message_bytes(m) + 64 * quick_replies.size());
  message_members(w, m);
  w.member("quick_replies", quick_replies);
  return w.finish();
}

Frame queue_joined(const Conversation& c, const VisitorState* visitor) {
  json::object conversation = conversation_object(c, visitor);
  if (!c.first_message.empty()) conversation["first_message"] = c.first_message;
  return make_frame(
      json::object{{"type", "queue.joined"}, {"conversation", std::move(conversation)}});
}

Frame queue_left(std::string_view conversation_id, std::string_view status,
                 std::string_view assignee, int64_t abandoned_ms) {
  json::object o{{"type", "queue.left"}, {"conversation_id", conversation_id}, {"status", status}};
  if (!assignee.empty()) o["assignee"] = assignee;
  if (abandoned_ms) o["abandoned_at"] = abandoned_ms;
  return make_frame(std::move(o));
}

Frame queued(std::string_view conversation_id, uint32_t position, uint32_t eta_s) {
  json::object o{{"type", "conversation.queued"},
                 {"conversation_id", conversation_id},
                 {"position", position}};
  put_estimate(o, eta_s);
  return make_frame(std::move(o));
}

Frame assigned_to_agent(const Conversation& c, const VisitorState* visitor, json::array history) {
  json::object o{{"type", "conversation.assigned"},
                 {"conversation", conversation_object(c, visitor)},
                 {"history", std::move(history)}};
  if (c.transferred) o["transfer"] = records::transfer_json(*c.transferred);
  return make_frame(o);
}

Frame assigned_to_visitor(const Conversation& c, const AgentState& agent) {
  return make_frame(json::object{{"type", "conversation.assigned"},
                                 {"conversation_id", c.id},
                                 {"agent", json::object{{"id", agent.id}, {"name", agent.name}}},
                                 {"last_seq", c.next_seq - 1}});
}

Frame offered(const Conversation& c, const VisitorState* visitor, const AgentState* from) {
  json::object o{{"type", "conversation.offered"},
                 {"conversation", conversation_object(c, visitor)}};
  if (c.transfer_offer) {
    json::object agent{{"id", c.transfer_offer->from}};
    if (from) agent["name"] = from->name;
    o["transfer"] = json::object{{"group", c.transfer_offer->group}, {"from", std::move(agent)}};
  }
  return make_frame(o);
}

Frame offer_withdrawn(std::string_view conversation_id, std::string_view reason) {
  return make_frame(json::object{{"type", "conversation.offer_withdrawn"},
                                 {"conversation_id", conversation_id},
                                 {"reason", reason}});
}

Frame closed(std::string_view conversation_id, std::string_view by) {
  return make_frame(json::object{
      {"type", "conversation.closed"}, {"conversation_id", conversation_id}, {"by", by}});
}

Frame typing(std::string_view conversation_id, bool on, Role from_role, std::string_view from_id) {
  return make_frame(
      json::object{{"type", "typing"},
                   {"conversation_id", conversation_id},
                   {"on", on},
                   {"from", json::object{{"role", role_name(from_role)}, {"id", from_id}}}});
}

Frame read(std::string_view conversation_id, uint64_t seq, Role from_role,
           std::string_view from_id) {
  return make_frame(
      json::object{{"type", "read"},
                   {"conversation_id", conversation_id},
                   {"seq", seq},
                   {"from", json::object{{"role", role_name(from_role)}, {"id", from_id}}}});
}

Frame agent_status(AgentStatus status) {
  return make_frame(json::object{{"type", "status"}, {"status", to_string(status)}});
}

Frame agent_status_changed(AgentStatus status) {
  return make_frame(json::object{{"type", "agent.status"}, {"status", to_string(status)}});
}

Frame rated(std::string_view conversation_id, int score, std::string_view ref) {
  json::object o{{"type", "rated"}, {"conversation_id", conversation_id}, {"score", score}};
  if (!ref.empty()) o["ref"] = ref;
  return make_frame(o);
}

Frame conversation_rated(std::string_view conversation_id, const Csat& csat) {
  return make_frame(json::object{{"type", "conversation.rated"},
                                 {"conversation_id", conversation_id},
                                 {"score", csat.score},
                                 {"comment", csat.comment},
                                 {"ts", csat.ts_ms}});
}

}  // namespace frames
}  // namespace sb::engine
