#include "bots/result_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sb::bots {

namespace json = boost::json;

namespace {

bool read_string(const json::object& o, std::string_view key, std::string& out,
                 std::string& error) {
  const auto* v = o.if_contains(key);
  if (!v) return true;
  if (!v->is_string()) {
    error = "\"" + std::string(key) + "\" must be a string";
    return false;
  }
  out = std::string(v->get_string());
  return true;
}

bool read_flag(const json::object& o, std::string_view key, bool& out, std::string& error) {
  const auto* v = o.if_contains(key);
  if (!v) return true;
  if (!v->is_bool()) {
    error = "\"" + std::string(key) + "\" must be true or false";
    return false;
  }
  out = v->get_bool();
  return true;
}

bool read_object(const json::object& o, std::string_view key, json::object& out,
                 std::string& error) {
  const auto* v = o.if_contains(key);
  if (!v) return true;
  if (!v->is_object()) {
    error = "\"" + std::string(key) + "\" must be an object";
    return false;
  }
  out = v->get_object();
  return true;
}

std::string as_text(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
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
  const json::object& o = root.get_object();
  if (!read_string(o, "reply", a.reply, a.error) || !read_flag(o, "close", a.close, a.error) ||
      !read_flag(o, "ask_llm", a.ask_llm, a.error) ||
      !read_object(o, "context", a.context, a.error) ||
      !read_object(o, "set_attributes", a.set_attributes, a.error))
    return a;
  if (const auto* q = o.if_contains("quick_replies")) {
    if (!q->is_array()) {
      a.error = "\"quick_replies\" must be an array of strings";
      return a;
    }
    for (const auto& option : q->get_array()) {
      if (!option.is_string()) {
        a.error = "\"quick_replies\" must be an array of strings";
        return a;
      }
      a.quick_replies.emplace_back(option.get_string());
    }
  }
  if (const auto* h = o.if_contains("handoff")) {
    if (h->is_bool()) {
      a.handoff = h->get_bool();
    } else if (h->is_object()) {
      a.handoff = true;
      if (!read_string(h->get_object(), "group", a.handoff_group, a.error) ||
          !read_string(h->get_object(), "reason", a.handoff_reason, a.error))
        return a;
    } else {
      a.error = "\"handoff\" must be an object";
      return a;
    }
  }
  if (const auto* s = o.if_contains("state")) {
    a.has_state = true;
    if (!s->is_null()) a.state = json::serialize(*s);
  }
  if (const auto* score = o.if_contains("score")) {
    a.why += "score " + as_text(*score);
    if (score->is_number()) a.score = score->to_number<double>();
  }
  if (const auto* source = o.if_contains("source")) {
    a.why += (a.why.empty() ? "source " : ", source ") + as_text(*source);
    a.source = as_text(*source);
  }
  // Optional and only explanatory: anything but an array is ignored, not an error.
  if (const auto* candidates = o.if_contains("candidates"); candidates && candidates->is_array())
    a.candidates = candidates->get_array();
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
  const json::object& o = root.get_object();
  const auto* t = o.if_contains("text");
  if (!t || !t->is_string()) {
    a.error = "the result has no \"text\" string";
    return a;
  }
  a.text = std::string(t->get_string());
  if (a.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    a.error = "the answer is empty";
    return a;
  }
  if (const auto* usage = o.if_contains("usage"); usage && usage->is_object()) {
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
