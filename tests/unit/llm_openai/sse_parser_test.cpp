#include "sse_parser.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using switchboard::llm_openai::SseEvent;
using switchboard::llm_openai::SseParser;

namespace {

std::vector<SseEvent> parse_in_pieces(const std::string& stream, size_t piece) {
  SseParser parser;
  std::vector<SseEvent> events;
  for (size_t i = 0; i < stream.size(); i += piece)
    REQUIRE(parser.feed(std::string_view(stream).substr(i, piece), events));
  return events;
}

std::vector<std::string> data_of(const std::vector<SseEvent>& events) {
  std::vector<std::string> data;
  for (const auto& e : events) data.push_back(e.data);
  return data;
}

}  // namespace

TEST_CASE("SSE: data events end at a blank line, comments and ids are skipped") {
  const std::string stream =
      ": keep-alive\n\n"
      "id: 7\n"
      "data: {\"a\":1}\n\n"
      "retry: 100\n"
      "data:{\"b\":2}\n\n"
      "data: [DONE]\n\n";
  CHECK(data_of(parse_in_pieces(stream, stream.size())) ==
        std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "[DONE]"});
}

TEST_CASE("SSE: the same events whatever the chunk boundaries, with LF, CRLF or CR") {
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    const std::string stream = ":ping" + eol + eol + "data: one" + eol + eol + "event: x" + eol +
                               "data: two" + eol + "data: lines" + eol + eol + "data: [DONE]" +
                               eol + eol;
    for (size_t piece = 1; piece <= stream.size(); ++piece) {
      const auto events = parse_in_pieces(stream, piece);
      INFO("eol size " << eol.size() << ", pieces of " << piece);
      REQUIRE(data_of(events) == std::vector<std::string>{"one", "two\nlines", "[DONE]"});
      CHECK(events[0].type == "message");
      CHECK(events[1].type == "x");
      CHECK(events[2].type == "message");
    }
  }
}

TEST_CASE("SSE: a CRLF split between two chunks ends one line, not two") {
  SseParser parser;
  std::vector<SseEvent> events;
  REQUIRE(parser.feed("data: a\r", events));
  REQUIRE(parser.feed("\ndata: b\r", events));
  CHECK(events.empty());  // "a" and "b" are two data lines of one event so far
  REQUIRE(parser.feed("\n\r\n", events));
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "a\nb");
}

TEST_CASE("SSE: a leading BOM is skipped even when split") {
  const std::string stream =
      "\xEF\xBB\xBF"
      "data: x\n\n";
  for (size_t piece = 1; piece <= 4; ++piece)
    CHECK(data_of(parse_in_pieces(stream, piece)) == std::vector<std::string>{"x"});
}

TEST_CASE("SSE: an event without its blank line is not returned") {
  SseParser parser;
  std::vector<SseEvent> events;
  REQUIRE(parser.feed("data: complete\n\ndata: cut", events));
  CHECK(data_of(events) == std::vector<std::string>{"complete"});
}

TEST_CASE("SSE: a line longer than the limit fails the stream") {
  SseParser parser(16);
  std::vector<SseEvent> events;
  REQUIRE(parser.feed("data: 0123456789", events));
  CHECK_FALSE(parser.feed("abcdefghij", events));
  CHECK(parser.failed());
  CHECK_FALSE(parser.feed("\n\n", events));
  CHECK(events.empty());
}
