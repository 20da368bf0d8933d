// Reading what a chat-completions endpoint sent back: a whole JSON answer, a
// stream of server-sent events carrying deltas, or an error body.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sse_parser.hpp"
#include "usage.hpp"

namespace switchboard::llm_openai {

struct ChatAnswer {
  std::string text;
  std::string finish_reason;   // "stop", "length", ...; empty when not sent
  std::optional<Usage> usage;  // the provider's, when it sent one
};

// A whole answer: {"choices":[{"message":{"content":S},"finish_reason":S}],
// "usage":{"prompt_tokens":N,"completion_tokens":N}}. False with error set when the
// body is not JSON or has no text content in choices[0]. An empty text is returned
// as it is (the caller decides that it is a failure).
bool parse_answer(std::string_view body, ChatAnswer& answer, std::string& error);

// The provider's own explanation in an error body: {"error":{"message":S}} (OpenAI,
// DeepSeek, vLLM), {"error":S} (Ollama), {"message":S} or {"detail":S}; otherwise
// the start of the body. At most ~300 bytes, on one line.
std::string provider_error(std::string_view body);

// A streamed answer assembled from "data: {...}" events, each carrying
// choices[0].delta.content, until "data: [DONE]". Fed raw body bytes in any
// pieces. Usage comes from the event that carries one (stream_options).
class StreamAssembler {
 public:
  // False once the stream is known to be bad; error() says why and further
  // input is ignored.
  bool feed(std::string_view bytes);
  // True when at least one data event came (a server that ignored "stream": true
  // sends none).
  bool saw_events() const { return events_seen_ > 0; }
  // At the end of the body. False with error set when the stream failed or ended
  // before "[DONE]" and without a finish_reason (a cut-off answer is not sent to a
  // visitor).
  bool finish(ChatAnswer& answer, std::string& error);
  const std::string& error() const { return error_; }

 private:
  void take_event(const SseEvent& event);
  void fail(std::string why);

  SseParser parser_;
  std::vector<SseEvent> events_;  // reused between feeds
  ChatAnswer answer_;
  size_t events_seen_ = 0;
  bool done_ = false;  // "[DONE]" came
  std::string error_;
};

}  // namespace switchboard::llm_openai
