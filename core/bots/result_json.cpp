#include "bots/result_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/json_fields.hpp"

namespace sb::bots {

namespace json = boost::json;

namespace {

using json_fields::ObjectReader;
using Need = ObjectReader::Need;

// A string the stage may leave empty (an empty reply says nothing; the shared
// reader's string() refuses empty ones, which suits forms, not results).
void read_text(ObjectReader& r, std::string_view key, std::string& out) {
  const json::value* v = r.value(key, Need::optional);
  if (!v) return;
  if (v->is_string())
    out = std::string(v->get_string());
  else
    r.error("invalid_field", key, "must be a string, not " + json_fields::a_json_type(*v));
}

void read_object(ObjectReader& r, std::string_view key, json::object& out) {
  const json::value* v = r.value(key, Need::optional);
  if (!v) return;
  if (v->is_object())
    out = v->get_object();
  else
    r.error("invalid_field", key, "must be an object, not " + json_fields::a_json_type(*v));
}

std::string as_text(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

// Every problem found, "; "-separated, each named by its field path.
std::string joined(const json_fields::FieldErrors& errors) {
  std::string text;
  for (const auto& e : errors) text += (text.empty() ? "" : "; ") + e.message;
  return text;
}

}  // namespace

AutoreplyAnswer parse_autoreply_result(std::string_view text) {
  AutoreplyAnswer a;
  if (text.empty()) return a;
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) {
    a.error = "the result is not a JSON object";
    return a;
  }
  // Keys this host does not read are left alone, not refused: a stage built against a
  // newer SDK may say more (sb_plugin.h, the result JSON).
  json_fields::FieldErrors errors;
  ObjectReader r(root, "", "", errors);
  read_text(r, "reply", a.reply);
  a.close = r.boolean("close", Need::optional).value_or(false);
  a.ask_llm = r.boolean("ask_llm", Need::optional).value_or(false);
  read_object(r, "context", a.context);
  read_object(r, "set_attributes", a.set_attributes);
  if (const json::array* options = r.array("quick_replies", Need::optional)) {
    for (std::size_t i = 0; i < options->size(); ++i) {
      if (const auto& option = (*options)[i]; option.is_string())
        a.quick_replies.emplace_back(option.get_string());
      else
        r.error("invalid_field", "quick_replies[" + std::to_string(i) + "]",
                "must be a string, not " + json_fields::a_json_type(option));
    }
  }
  if (const json::value* h = r.value("handoff", Need::optional)) {
    if (h->is_bool()) {
      a.handoff = h->get_bool();
    } else if (h->is_object()) {
      a.handoff = true;
      ObjectReader handoff(*h, r.field("handoff"), "handoff", errors);
      read_text(handoff, "group", a.handoff_group);
      read_text(handoff, "reason", a.handoff_reason);
    } else {
      r.error("invalid_field", "handoff",
              "must be true, false or an object, not " + json_fields::a_json_type(*h));
    }
  }
  if (const json::value* s = r.value("state", Need::optional)) {
    a.has_state = true;
    if (!s->is_null()) a.state = json::serialize(*s);
  }
  if (const json::value* score = r.value("score", Need::optional)) {
    a.why += "score " + as_text(*score);
    if (score->is_number()) a.score = score->to_number<double>();
  }
  if (const json::value* source = r.value("source", Need::optional)) {
    a.why += (a.why.empty() ? "source " : ", source ") + as_text(*source);
    a.source = as_text(*source);
  }
  // Optional and only explanatory: anything but an array is ignored, not an error.
  if (const json::value* candidates = r.value("candidates", Need::optional);
      candidates && candidates->is_array())
    a.candidates = candidates->get_array();
  if (const json::value* declined = r.value("declined", Need::optional);
      declined && declined->is_object())
    a.declined = declined->get_object();
  a.error = joined(errors);
  return a;
}

LlmAnswer parse_llm_result(std::string_view text) {
  LlmAnswer a;
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) {
    a.error = "the result is not a JSON object";
    return a;
  }
  json_fields::FieldErrors errors;
  ObjectReader r(root, "", "", errors);
  const json::value* t = r.value("text", Need::required);
  if (t && !t->is_string())
    r.error("invalid_field", "text", "must be a string, not " + json_fields::a_json_type(*t));
  if (!errors.empty()) {
    a.error = joined(errors);
    return a;
  }
  a.text = std::string(t->get_string());
  if (a.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    a.error = "the answer is empty";
    return a;
  }
  if (const json::value* usage = r.value("usage", Need::optional); usage && usage->is_object()) {
    for (const char* key : {"prompt_tokens", "completion_tokens"}) {
      if (const auto* n = usage->get_object().if_contains(key)) {
        const auto tokens = n->to_number<uint64_t>(ec);
        if (!ec) a.tokens += tokens;
      }
    }
  }
  return a;
}

std::string llm_messages(const PipelineSettings& settings, const engine::BotTurn& turn,
                         const json::object& context) {
  std::string system = settings.system_prompt;
  if (const auto* faq = context.if_contains("faq"); faq && faq->is_array()) {
    std::string entries;
    uint32_t used = 0;
    for (const auto& entry : faq->get_array()) {
      if (used == settings.faq_context_entries) break;
      const auto* e = entry.if_object();
      const auto* q = e ? e->if_contains("question") : nullptr;
      const auto* a = e ? e->if_contains("answer") : nullptr;
      if (!q || !a || !q->is_string() || !a->is_string()) continue;
      entries +=
          "\nQ: " + std::string(q->get_string()) + "\nA: " + std::string(a->get_string()) + "\n";
      ++used;
    }
    if (used)
      system += (system.empty() ? "" : "\n\n") +
                std::string("Entries of our knowledge base that may help:\n") + entries;
  }
  json::array messages;
  if (!system.empty()) messages.push_back(json::object{{"role", "system"}, {"content", system}});
  for (const auto& line : turn.history)
    messages.push_back(json::object{{"role", line.role == "visitor" ? "user" : "assistant"},
                                    {"content", line.text}});
  messages.push_back(json::object{{"role", "user"}, {"content", turn.text}});
  return json::serialize(messages);
}

}  // namespace sb::bots
