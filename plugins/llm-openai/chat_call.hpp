// One chat request in flight. It owns everything the request needs (no state shared
// with other requests, so no lock), is fed by the host's HTTP callbacks and turns
// what came back into the one completion the host gets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "chat_response.hpp"

namespace switchboard::llm_openai {

// What host->complete gets: SB_OK with result_json, or SB_ERROR with error.
struct Outcome {
  bool ok = false;
  std::string result_json;  // {"text":S,"usage":{...},"finish_reason"?:S}
  std::string error;
};

class ChatCall {
 public:
  ChatCall(bool stream, uint64_t estimated_prompt_tokens, uint32_t timeout_ms)
      : stream_(stream),
        estimated_prompt_tokens_(estimated_prompt_tokens),
        timeout_ms_(timeout_ms) {}

  // Body bytes as they arrive (streamed requests only). Never throws: running out
  // of memory here fails the call in on_done instead of silently losing text.
  void on_chunk(std::string_view bytes) noexcept;

  // The end of the request: the HTTP status (0 when no response came), the
  // buffered body (empty when streamed) and the transport's error, if any.
  Outcome on_done(int status, std::string_view body, std::string_view transport_error);

 private:
  Outcome answered(ChatAnswer answer) const;

  bool stream_;
  uint64_t estimated_prompt_tokens_;
  uint32_t timeout_ms_;
  StreamAssembler assembler_;
  // The start of a streamed body that carried no event yet: an error body, or a
  // whole JSON answer from a server that ignored "stream": true.
  std::string raw_;
  bool out_of_memory_ = false;
};

}  // namespace switchboard::llm_openai
