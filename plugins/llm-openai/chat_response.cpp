#include "chat_response.hpp"

#include <boost/json.hpp>

namespace switchboard::llm_openai {

namespace json = boost::json;

namespace {

constexpr size_t kMaxErrorText = 300;
// No chat answer is this long; a stream that keeps going is broken, not chatty.
constexpr size_t kMaxAnswerBytes = 1 << 20;

// Cuts text to one short line for an error message (at a UTF-8 boundary).
std::string one_line(std::string_view text) {
  std::string line;
  for (char c : text) {
    if (line.size() >= kMaxErrorText && (static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      line += "...";
      break;
    }
    line.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

const json::value* at_path(const json::value& root, std::initializer_list<std::string_view> keys) {
  const json::value* node = &root;
  for (std::string_view key : keys) {
    const json::object* object = node->if_object();
    node = object ? object->if_contains(key) : nullptr;
    if (!node) return nullptr;
  }
  return node;
}

// choices[0] when it is an object. A pointer into root (a json::object would convert
// to a temporary json::value when passed to at_path).
const json::value* first_choice(const json::value& root) {
  const json::value* choices = at_path(root, {"choices"});
  if (!choices || !choices->is_array() || choices->get_array().empty()) return nullptr;
  const json::value& choice = choices->get_array()[0];
  return choice.is_object() ? &choice : nullptr;
}

std::optional<Usage> read_usage(const json::value& root) {
  const json::value* prompt = at_path(root, {"usage", "prompt_tokens"});
  const json::value* completion = at_path(root, {"usage", "completion_tokens"});
  if (!prompt || !completion) return std::nullopt;
  const auto* p = prompt->if_int64();
  const auto* c = completion->if_int64();
  if (!p || !c || *p < 0 || *c < 0) return std::nullopt;
  return Usage{static_cast<uint64_t>(*p), static_cast<uint64_t>(*c), false};
}

void read_finish_reason(const json::value& choice, std::string& out) {
  if (const json::value* reason = at_path(choice, {"finish_reason"}); reason && reason->is_string())
    out = std::string(reason->get_string());
}

// {"error":{"message":S}} or {"error":S} inside an answer or a stream event.
std::optional<std::string> embedded_error(const json::value& root) {
  const json::value* error = at_path(root, {"error"});
  if (!error || error->is_null()) return std::nullopt;
  if (error->is_string()) return one_line(error->get_string());
  if (const json::value* message = at_path(*error, {"message"}); message && message->is_string())
    return one_line(message->get_string());
  return one_line(json::serialize(*error));
}

}  // namespace

bool parse_answer(std::string_view body, ChatAnswer& answer, std::string& error) {
  boost::system::error_code ec;
  const json::value root = json::parse(body, ec);
  if (ec) {
    error = "malformed answer: not JSON (" + ec.message() + "): " + one_line(body);
    return false;
  }
  if (auto provider = embedded_error(root)) {
    error = "the provider answered with an error: " + *provider;
    return false;
  }
  const json::value* choice = first_choice(root);
  const json::value* content = choice ? at_path(*choice, {"message", "content"}) : nullptr;
  if (!content || !content->is_string()) {
    error = "malformed answer: no text in choices[0].message.content";
    return false;
  }
  answer.text = std::string(content->get_string());
  read_finish_reason(*choice, answer.finish_reason);
  answer.usage = read_usage(root);
  return true;
}

std::string provider_error(std::string_view body) {
  boost::system::error_code ec;
  const json::value root = json::parse(body, ec);
  if (!ec) {
    if (auto message = embedded_error(root)) return *message;
    for (std::string_view key : {"message", "detail"}) {
      if (const json::value* text = at_path(root, {key}); text && text->is_string())
        return one_line(text->get_string());
    }
  }
  if (body.empty()) return "(empty body)";
  return one_line(body);
}

bool StreamAssembler::feed(std::string_view bytes) {
  if (!error_.empty()) return false;
  events_.clear();
  if (!parser_.feed(bytes, events_)) fail("malformed stream: a line longer than 1 MiB");
  for (const SseEvent& event : events_) {
    if (!error_.empty()) break;
    take_event(event);
  }
  return error_.empty();
}

void StreamAssembler::take_event(const SseEvent& event) {
  ++events_seen_;
  if (done_) return;  // nothing after [DONE] counts
  if (event.type == "error") {
    fail("the provider sent an error in the stream: " + provider_error(event.data));
    return;
  }
  if (event.data == "[DONE]") {
    done_ = true;
    return;
  }
  boost::system::error_code ec;
  const json::value root = json::parse(event.data, ec);
  if (ec) {
    fail("malformed stream: event " + std::to_string(events_seen_) + " is not JSON (" +
         ec.message() + "): " + one_line(event.data));
    return;
  }
  if (auto provider = embedded_error(root)) {
    fail("the provider sent an error in the stream: " + *provider);
    return;
  }
  if (auto usage = read_usage(root)) answer_.usage = usage;
  // The usage event has "choices": []; role-only and empty deltas add nothing.
  if (const json::value* choice = first_choice(root)) {
    if (const json::value* content = at_path(*choice, {"delta", "content"});
        content && content->is_string())
      answer_.text.append(content->get_string());
    if (answer_.text.size() > kMaxAnswerBytes) {
      fail("malformed stream: the answer grew past 1 MiB");
      return;
    }
    read_finish_reason(*choice, answer_.finish_reason);
  }
}

void StreamAssembler::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
}

bool StreamAssembler::finish(ChatAnswer& answer, std::string& error) {
  if (error_.empty() && !done_ && answer_.finish_reason.empty())
    fail("the stream ended before \"data: [DONE]\" (the answer may be cut off)");
  if (!error_.empty()) {
    error = error_;
    return false;
  }
  answer = std::move(answer_);
  return true;
}

}  // namespace switchboard::llm_openai
