// The frames sent once per message (ack, message) are written without building a
// JSON document: a client must read exactly what the document gave, for any text.
#include "engine/frames.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <string>

namespace json = boost::json;
namespace frames = sb::engine::frames;

namespace {
sb::engine::StoredMessage sample(std::string text) {
  sb::engine::StoredMessage m;
  m.conversation_id = "c-1";
  m.message_id = "m-9";
  m.seq = 18446744073709551615ull;  // the largest seq still reads back whole
  m.sender_role = "visitor";
  m.sender_id = "v\"1";
  m.sender_name = "Zoë \\ \"quoted\"";
  m.client_msg_id = "cm-1";
  m.text = std::move(text);
  m.ts_ms = -5;
  return m;
}

// Texts a visitor may send: quotes, backslashes, control characters, non-ASCII,
// and text long enough to need more than one escaping chunk; around the edge of
// what needs escaping (DEL and '/' do not, 0x1f does, also as the last byte).
const std::string kTexts[] = {
    "",
    "hello",
    "a/b \x7f c\x7f",
    "ends in a control character\x1f",
    " ~ and the space before it",
    "say \"hi\" \\ then\nnew line\ttab\x01\x1f end",
    "你好，世界 — ünïcödé 🙂",
    std::string(600, '"') + std::string(300, 'x'),
};
}  // namespace

TEST_CASE("a message frame is the message document's serialization") {
  for (const auto& text : kTexts) {
    auto m = sample(text);
    CHECK(*frames::message(m) == json::serialize(frames::message_object(m, true)));
    m.sender_name.clear();
    m.flags = sb::engine::kPrivateNote;
    m.attachments_json = R"([{"id":"f1","name":"a \"b\".png","size":3}])";
    CHECK(*frames::message(m) == json::serialize(frames::message_object(m, true)));
    const auto parsed = json::parse(*frames::message(m)).as_object();
    CHECK(parsed.at("text").as_string() == text);
    CHECK(parsed.at("attachments").as_array().size() == 1);
    CHECK(parsed.at("private").as_bool());
  }
}

TEST_CASE("a message frame leaves out stored files that are not a list") {
  auto m = sample("x");
  m.attachments_json = "{not json";
  CHECK_FALSE(json::parse(*frames::message(m)).as_object().contains("attachments"));
  m.attachments_json = R"({"id":"f1"})";
  CHECK_FALSE(json::parse(*frames::message(m)).as_object().contains("attachments"));
}

TEST_CASE("a bot message frame adds its quick replies after the message") {
  const auto m = sample("pick one");
  json::object expected = frames::message_object(m, true);
  expected["quick_replies"] = json::array{"Yes \"please\"", "No"};
  CHECK(*frames::message(m, {"Yes \"please\"", "No"}) == json::serialize(expected));
}

TEST_CASE("an ack frame names the message, its seq, its files and the ref") {
  const sb::engine::AckRecord plain{"m-1", 42, ""};
  CHECK(
      *frames::ack("cm \"1\"", plain, "c-1") ==
      R"({"type":"ack","client_msg_id":"cm \"1\"","message_id":"m-1","conversation_id":"c-1","seq":42})");
  const sb::engine::AckRecord with_files{"m-2", 7, R"([{"id":"f1"}])"};
  CHECK(
      *frames::ack("cm", with_files, "c-1", "r\n1") ==
      R"({"type":"ack","client_msg_id":"cm","message_id":"m-2","conversation_id":"c-1","seq":7,"attachments":[{"id":"f1"}],"ref":"r\n1"})");
}

// Strings are scanned for what to escape eight bytes at a time: every byte value at
// every place of a word, and in the bytes after the last whole word, must come out
// as Boost.JSON writes it (a byte to escape that the scan missed would break the
// frame; one it flags without cause only takes the slower way to the same text).
TEST_CASE("every byte at every place of a text is escaped as Boost.JSON escapes it") {
  const sb::engine::AckRecord plain{"m-1", 42, ""};
  size_t checked = 0;
  for (size_t length = 1; length <= 19; ++length) {
    for (size_t at = 0; at < length; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        for (const char filler : {'a', '\x7f', '\xe4'}) {
          std::string text(length, filler);
          text[at] = static_cast<char>(byte);
          // A UTF-8 byte on its own is not valid UTF-8, which Boost.JSON copies as it is.
          const std::string expected = R"({"type":"ack","client_msg_id":)" +
                                       json::serialize(json::string(text)) +
                                       R"(,"message_id":"m-1","conversation_id":"c-1","seq":42})";
          if (*frames::ack(text, plain, "c-1") != expected) {
            FAIL("length " << length << ", byte " << byte << " at " << at);
          }
          ++checked;
        }
      }
    }
  }
  CHECK(checked == 3 * 256 * (19 * 20 / 2));
}
