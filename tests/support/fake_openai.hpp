// A fake OpenAI-compatible chat-completions server for tests that exercise an LLM
// provider end to end: the LLM plugin's unit tests, and integration tests of the
// bot pipeline through a real switchboard process.
//
//   sb::test::FakeOpenAiServer llm;                 // listens on 127.0.0.1:0
//   llm.enqueue(FakeReply::answer("Your order ships today."));
//   llm.enqueue(FakeReply::stream({"Your order ", "ships today."}));
//   llm.enqueue(FakeReply::error(500, "model overloaded"));
//   llm.enqueue(FakeReply::answer("late").after(std::chrono::seconds(5)));
//   ... point the provider at llm.base_url() ("http://127.0.0.1:PORT/v1") ...
//   REQUIRE(llm.wait_for_requests(1));
//   auto r = llm.requests()[0];   // r.headers["authorization"], r.json()["model"]
//
// It runs its own I/O thread, so the test may block while the fake serves. POST
// /v1/chat/completions gets the queued replies in order, then the default reply
// (an answer "ok"); any other path gets an OpenAI-style 404. Connections are kept
// alive between requests, as real providers do. No Beast types leak out of here.
//
// Any other small HTTP endpoint a plugin calls is faked the same way, on its own
// path: FakeOpenAiServer hook("/route"); hook.set_default(FakeReply::raw(200,
// "application/json", R"({"agent_id":"ben"})")); ... url = hook.url().
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sb::test {

// What the fake does with one request.
struct FakeReply {
  int status = 200;
  std::string content_type = "application/json";
  // The body in one write, with a Content-Length...
  std::string body;
  // ...or, when chunks is not empty, a chunked body: each chunk in its own write,
  // chunk_pause apart (so a client really gets them one by one).
  std::vector<std::string> chunks;
  std::chrono::milliseconds chunk_pause{0};
  // How long to wait before sending anything (the status line included).
  std::chrono::milliseconds delay{0};

  // A chat.completion with content text (may be empty) and the given usage.
  static FakeReply answer(const std::string& text, int prompt_tokens = 11,
                          int completion_tokens = 7);
  // Server-sent events as OpenAI sends them: a role delta, one delta.content event
  // per piece, a finish_reason "stop" event, a usage event (with_usage:
  // prompt_tokens 13, completion_tokens a quarter of each piece's bytes, rounded
  // up), then "data: [DONE]"; each event in its own write, pause apart.
  static FakeReply stream(const std::vector<std::string>& pieces, bool with_usage = true,
                          std::chrono::milliseconds pause = std::chrono::milliseconds(20));
  // Raw event-stream bytes written as given, one write per element (to send
  // comments, CRLF line ends, lines split across writes, a stream cut short...).
  static FakeReply sse(std::vector<std::string> writes,
                       std::chrono::milliseconds pause = std::chrono::milliseconds(20));
  // An OpenAI-style error: {"error":{"message":message,"type":...,"code":...}}.
  static FakeReply error(int status, const std::string& message);
  // Anything else: a status, a content type and a body as given (malformed JSON).
  static FakeReply raw(int status, std::string content_type, std::string body);

  // The same reply, sent only after delay (past a client's time limit, say).
  FakeReply after(std::chrono::milliseconds wait) &&;
};

struct RecordedRequest {
  std::string method;
  std::string target;                          // "/v1/chat/completions"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  // The body as JSON; throws with the body in the message if it is not JSON.
  boost::json::value json() const;
};

class FakeOpenAiServer {
 public:
  // Serves POST served_path (the chat completions path unless told otherwise).
  explicit FakeOpenAiServer(std::string served_path = "/v1/chat/completions");
  ~FakeOpenAiServer();
  FakeOpenAiServer(const FakeOpenAiServer&) = delete;
  FakeOpenAiServer& operator=(const FakeOpenAiServer&) = delete;

  uint16_t port() const;
  // "http://127.0.0.1:PORT/v1", what a provider's base_url is set to.
  std::string base_url() const;
  // "http://127.0.0.1:PORT" + the served path.
  std::string url() const;

  // The reply to the next chat request not yet answered (replies queue in order).
  void enqueue(FakeReply reply);
  // The reply once the queue is empty. Initially FakeReply::answer("ok").
  void set_default(FakeReply reply);

  // Every request received so far (any path), in arrival order.
  std::vector<RecordedRequest> requests() const;
  // Waits until at least n requests arrived; false at the timeout.
  bool wait_for_requests(size_t n,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // Connections accepted so far (keep-alive reuse shows as fewer connections than
  // requests).
  size_t connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::test
