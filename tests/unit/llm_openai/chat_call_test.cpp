// What one request turns into, from the bytes the provider sent: the completion the
// host gets (text and usage, or an error a tenant admin can act on).
#include "chat_call.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using switchboard::llm_openai::ChatCall;
using switchboard::llm_openai::Outcome;

namespace {

const std::string kAnswer =
    R"({"id":"c1","object":"chat.completion","choices":[{"index":0,
        "message":{"role":"assistant","content":"Your order ships today."},
        "finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":6,"total_tokens":48}})";

std::string delta_event(const std::string& content) {
  return "data: " +
         boost::json::serialize(boost::json::object{
             {"choices", boost::json::array{boost::json::object{
                             {"index", 0}, {"delta", {{"content", content}}}}}}}) +
         "\n\n";
}

const std::string kStream =
    ": keep-alive\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n" +
    delta_event("Your order ") + delta_event("ships 今天.") +
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":5}}\n\n"
    "data: [DONE]\n\n";

boost::json::object result_of(const Outcome& completion) {
  INFO(completion.error);
  REQUIRE(completion.ok);
  return boost::json::parse(completion.result_json).as_object();
}

Outcome whole(int status, const std::string& body) {
  ChatCall call(/*stream=*/false, /*estimated_prompt_tokens=*/30, /*timeout_ms=*/1000);
  return call.on_done(status, body, "");
}

Outcome streamed(const std::string& body, size_t piece, int status = 200) {
  ChatCall call(/*stream=*/true, /*estimated_prompt_tokens=*/30, /*timeout_ms=*/1000);
  for (size_t i = 0; i < body.size(); i += piece) call.on_chunk(body.substr(i, piece));
  return call.on_done(status, "", "");
}

}  // namespace

TEST_CASE("call: a whole answer gives its text and the provider's usage") {
  const auto result = result_of(whole(200, kAnswer));
  CHECK(result.at("text") == "Your order ships today.");
  CHECK(result.at("usage").at("prompt_tokens") == 42);
  CHECK(result.at("usage").at("completion_tokens") == 6);
  CHECK_FALSE(result.at("usage").as_object().contains("estimated"));
  CHECK(result.at("finish_reason") == "stop");
}

TEST_CASE("call: a stream is assembled whatever the chunk boundaries") {
  for (size_t piece : {size_t{1}, size_t{2}, size_t{7}, size_t{64}, kStream.size()}) {
    INFO("pieces of " << piece);
    const auto result = result_of(streamed(kStream, piece));
    CHECK(result.at("text") == "Your order ships 今天.");
    CHECK(result.at("usage").at("prompt_tokens") == 40);
    CHECK(result.at("usage").at("completion_tokens") == 5);
  }
}

TEST_CASE("call: a stream with CRLF line ends is read the same") {
  std::string crlf;
  for (char c : kStream) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(result_of(streamed(crlf, 5)).at("text") == "Your order ships 今天.");
}

TEST_CASE("call: without usage from the provider the usage is estimated and marked") {
  const std::string stream = delta_event("abcdefgh") + delta_event("你好") + "data: [DONE]\n\n";
  const auto result = result_of(streamed(stream, 3));
  CHECK(result.at("usage").at("prompt_tokens") == 30);
  CHECK(result.at("usage").at("completion_tokens") == 2 + 2);  // 8 ASCII bytes, 2 CJK
  CHECK(result.at("usage").at("estimated") == true);
}

TEST_CASE("call: an HTTP error carries the provider's message") {
  const auto completion =
      whole(500, R"({"error":{"message":"model overloaded","type":"server_error"}})");
  REQUIRE_FALSE(completion.ok);
  CHECK(completion.error == "the provider answered HTTP 500: model overloaded");
  // Ollama's shape, and a plain-text body, and the same through a stream.
  CHECK(whole(404, R"({"error":"model 'x' not found"})").error ==
        "the provider answered HTTP 404: model 'x' not found");
  CHECK(whole(502, "Bad gateway\n").error == "the provider answered HTTP 502: Bad gateway");
  CHECK(streamed(R"({"error":{"message":"slow down"}})", 4, 429).error ==
        "the provider answered HTTP 429: slow down");
}

TEST_CASE("call: malformed JSON, a missing content and an empty answer are failures") {
  CHECK_THAT(whole(200, "{\"choices\":[{\"message\":").error,
             Catch::StartsWith("malformed answer: not JSON"));
  CHECK_THAT(whole(200, R"({"choices":[]})").error, Catch::Contains("no text in choices[0]"));
  CHECK_THAT(whole(200, R"({"choices":[{"message":{"content":null}}]})").error,
             Catch::Contains("no text in choices[0]"));
  CHECK(whole(200, R"({"choices":[{"message":{"content":""},"finish_reason":"length"}]})").error ==
        "the provider returned an empty answer (finish_reason length)");
  CHECK_THAT(whole(200, R"({"choices":[{"message":{"content":" \n"}}]})").error,
             Catch::Contains("empty answer"));
  CHECK_THAT(whole(200, "").error, Catch::Contains("empty body"));
}

TEST_CASE("call: a broken stream is a failure, never a partial answer") {
  // A malformed event.
  CHECK_THAT(streamed(delta_event("Hi") + "data: {oops\n\n" + "data: [DONE]\n\n", 3).error,
             Catch::StartsWith("malformed stream: event 2 is not JSON"));
  // Cut before [DONE] and without a finish_reason.
  CHECK_THAT(streamed(delta_event("Your order"), 4).error, Catch::Contains("ended before"));
  // Only a finish_reason, no [DONE]: complete.
  CHECK(
      result_of(streamed(delta_event("Done.") +
                             "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
                         9))
          .at("text") == "Done.");
  // An error inside the stream, in both shapes providers use.
  CHECK(streamed(delta_event("Hi") + "data: {\"error\":{\"message\":\"quota\"}}\n\n", 5).error ==
        "the provider sent an error in the stream: quota");
  CHECK(streamed("event: error\ndata: overloaded\n\n", 5).error ==
        "the provider sent an error in the stream: overloaded");
  // Only deltas without text.
  CHECK_THAT(streamed("data: {\"choices\":[{\"delta\":{}}]}\n\ndata: [DONE]\n\n", 6).error,
             Catch::Contains("empty answer"));
}

TEST_CASE("call: a server that ignores stream=true and answers JSON is still understood") {
  CHECK(result_of(streamed(kAnswer, 10)).at("text") == "Your order ships today.");
}

TEST_CASE("call: a transport error wins, even after a 200 header") {
  ChatCall call(true, 1, 1500);
  call.on_chunk(delta_event("partial"));
  const auto completion = call.on_done(200, "", "timeout");
  REQUIRE_FALSE(completion.ok);
  CHECK(completion.error == "no complete answer within 1500 ms (timeout)");
  CHECK(ChatCall(false, 1, 1500).on_done(0, "", "connect: Connection refused").error ==
        "the request failed: connect: Connection refused");
}

TEST_CASE("call: a stream that never stops growing is cut off at 1 MiB") {
  const std::string piece(64 * 1024, 'x');
  ChatCall call(true, 1, 1000);
  for (int i = 0; i < 17; ++i) call.on_chunk(delta_event(piece));
  call.on_chunk("data: [DONE]\n\n");
  CHECK(call.on_done(200, "", "").error == "malformed stream: the answer grew past 1 MiB");
}
