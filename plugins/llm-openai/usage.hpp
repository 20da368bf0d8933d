// Token counts for the host's per-tenant budget. The provider's own "usage" is used
// whenever it sends one; a server that sends none (a stream without
// stream_options support, some local servers) gets an estimate instead, marked
// "estimated": true in the result.
#pragma once

#include <cstdint>
#include <string_view>

namespace switchboard::llm_openai {

struct Usage {
  uint64_t prompt_tokens = 0;
  uint64_t completion_tokens = 0;
  bool estimated = false;
};

// The framing a chat template adds around each message (role markers), roughly
// what OpenAI's tokenizers charge.
inline constexpr uint64_t kEstimatedTokensPerMessage = 4;

// A tokenizer-free estimate: each CJK, kana or Hangul character counts as one token
// (BPE vocabularies mostly spend one or more on each), every other run of text one
// token per 4 bytes, rounded up, the usual rule of thumb for English. Good to
// within a few tens of percent, which is what a daily budget needs.
uint64_t estimate_tokens(std::string_view utf8);

}  // namespace switchboard::llm_openai
