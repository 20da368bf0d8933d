// MessageFields (plugins/storage-sqlite/message_fields.hpp): a message's eight text
// fields held in one buffer come back exactly as given, whatever their sizes.
#include "message_fields.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <utility>

using switchboard::sqlite::MessageFields;

namespace {

MessageFields::Views views_of(const std::array<std::string, MessageFields::kFieldCount>& s) {
  MessageFields::Views v;
  for (size_t i = 0; i < s.size(); ++i) v[i] = s[i];
  return v;
}

void require_fields(const MessageFields& f,
                    const std::array<std::string, MessageFields::kFieldCount>& want) {
  size_t total = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    REQUIRE(f.get(static_cast<MessageFields::Field>(i)) == want[i]);
    total += want[i].size();
  }
  REQUIRE(f.size() == total);
}

}  // namespace

TEST_CASE("message fields: each field round-trips in its place", "[message_fields]") {
  const std::array<std::string, MessageFields::kFieldCount> in{
      "c-0123456789abcdef", "m-42",     "visitor",     "v-7",
      "Ada Lovelace",       "client-1", "hello there", R"([{"id":"b1"}])"};
  const MessageFields f(views_of(in));
  require_fields(f, in);
}

TEST_CASE("message fields: empty fields, alone and between others", "[message_fields]") {
  SECTION("all empty") {
    const std::array<std::string, MessageFields::kFieldCount> in{};
    require_fields(MessageFields(views_of(in)), in);
    require_fields(MessageFields(), in);
  }
  SECTION("empty first, last and in the middle") {
    const std::array<std::string, MessageFields::kFieldCount> in{"",     "m", "",     "",
                                                                 "name", "",  "text", ""};
    require_fields(MessageFields(views_of(in)), in);
  }
}

TEST_CASE("message fields: large fields", "[message_fields]") {
  std::array<std::string, MessageFields::kFieldCount> in{
      "c", "m", "agent", "a-1", std::string(70000, 'n'), "", std::string(1 << 20, 'x'), "[]"};
  in[6][12345] = 'y';  // a field's bytes are its own, not a repeat
  require_fields(MessageFields(views_of(in)), in);
}

TEST_CASE("message fields: non-ASCII and NUL bytes are kept byte for byte", "[message_fields]") {
  const std::array<std::string, MessageFields::kFieldCount> in{
      "对话-1",
      "ид-сообщения",
      "visitor",
      "v-ü",
      "José 🙂",
      std::string("a\0b", 3),
      "你好，我的订单在哪里？ \xF0\x9F\x93\xA6",
      "[]"};
  require_fields(MessageFields(views_of(in)), in);
}

TEST_CASE("message fields: moved, copied and reassigned, views stay right", "[message_fields]") {
  // Small enough for std::string's inline buffer (a move copies the bytes) and large.
  for (const std::string& text : {std::string("hi"), std::string(300, 't')}) {
    const std::array<std::string, MessageFields::kFieldCount> in{"c", "m", "",   "",
                                                                 "",  "",  text, ""};
    MessageFields original(views_of(in));
    const MessageFields copy = original;
    MessageFields moved = std::move(original);
    require_fields(copy, in);
    require_fields(moved, in);

    // Reassigning (shorter, then longer) leaves no trace of the earlier fields.
    const std::array<std::string, MessageFields::kFieldCount> shorter{"x", "", "", "",
                                                                      "",  "", "", "y"};
    moved.assign(views_of(shorter));
    require_fields(moved, shorter);
    const std::array<std::string, MessageFields::kFieldCount> longer{
        std::string(40, 'c'), "m2", "agent", "a", "B", "cm", std::string(500, 'z'), "[1]"};
    moved.assign(views_of(longer));
    require_fields(moved, longer);
    require_fields(copy, in);
  }
}
