#include "chat_call.hpp"

#include <boost/json.hpp>

namespace switchboard::llm_openai {

namespace json = boost::json;

namespace {

constexpr size_t kMaxRawBytes = 1 << 20;

Outcome failure(std::string why) {
  return Outcome{false, {}, std::move(why)};
}

}  // namespace

void ChatCall::on_chunk(std::string_view bytes) noexcept {
  try {
    assembler_.feed(bytes);
    if (!assembler_.saw_events() && raw_.size() < kMaxRawBytes)
      raw_.append(bytes.substr(0, kMaxRawBytes - raw_.size()));
  } catch (...) {
    out_of_memory_ = true;
  }
}

Outcome ChatCall::on_done(int status, std::string_view body, std::string_view transport_error) {
  // A transport error may also end a stream whose 200 header already came.
  if (!transport_error.empty()) {
    if (transport_error.find("timeout") != std::string_view::npos ||
        transport_error.find("timed out") != std::string_view::npos)
      return failure("no complete answer within " + std::to_string(timeout_ms_) + " ms (" +
                     std::string(transport_error) + ")");
    return failure("the request failed: " + std::string(transport_error));
  }
  if (out_of_memory_) return failure("out of memory while receiving the answer");
  if (body.empty()) body = raw_;
  if (status < 200 || status > 299)
    return failure("the provider answered HTTP " + std::to_string(status) + ": " +
                   provider_error(body));

  ChatAnswer answer;
  std::string error;
  if (stream_ && assembler_.saw_events()) {
    if (!assembler_.finish(answer, error)) return failure(error);
  } else if (stream_ && !assembler_.error().empty()) {
    return failure(assembler_.error());
  } else if (body.empty()) {
    return failure("the provider answered HTTP " + std::to_string(status) + " with an empty body");
  } else if (!parse_answer(body, answer, error)) {
    return failure(error);
  }
  return answered(std::move(answer));
}

Outcome ChatCall::answered(ChatAnswer answer) const {
  if (answer.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return failure("the provider returned an empty answer" +
                   (answer.finish_reason.empty()
                        ? std::string()
                        : " (finish_reason " + answer.finish_reason + ")"));
  }
  const Usage usage = answer.usage.value_or(
      Usage{estimated_prompt_tokens_, estimate_tokens(answer.text), /*estimated=*/true});
  json::object usage_json{{"prompt_tokens", usage.prompt_tokens},
                          {"completion_tokens", usage.completion_tokens}};
  if (usage.estimated) usage_json["estimated"] = true;
  json::object result{{"text", answer.text}, {"usage", std::move(usage_json)}};
  if (!answer.finish_reason.empty()) result["finish_reason"] = answer.finish_reason;
  return Outcome{true, json::serialize(result), {}};
}

}  // namespace switchboard::llm_openai
