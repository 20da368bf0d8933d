#include "result_json.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace switchboard::sqlite {

namespace json = boost::json;

namespace {
// Stored JSON (checked when it was written); a hand-edited file answers with
// nothing rather than failing the read.
json::value parsed_or(std::string_view text, json::value fallback) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  return ec ? fallback : value;
}
}  // namespace

json::value message_from_row(const Statement& row) {
  json::object message{
      {"id", row.column_text(0)},
      {"seq", row.column_int(1)},
      {"from",
       json::object{
           {"role", row.column_text(2)}, {"id", row.column_text(3)}, {"name", row.column_text(4)}}},
      {"client_msg_id", row.column_text(5)},
      {"text", row.column_text(6)},
      {"ts", row.column_int(7)},
      {"flags", row.column_int(8)},
  };
  if (const std::string_view attachments = row.column_text(9); !attachments.empty())
    message["attachments"] = parsed_or(attachments, json::array{});
  return message;
}

std::string blob_meta_result(const Statement& row) {
  return json::serialize(json::object{{"id", row.column_text(0)},
                                      {"size", row.column_int(1)},
                                      {"created_at", row.column_int(2)},
                                      {"meta", parsed_or(row.column_text(3), json::object{})}});
}

std::string messages_result(json::array messages) {
  return json::serialize(json::object{{"messages", std::move(messages)}});
}

json::value conversation_with_last_seq(std::string_view doc, int64_t last_seq) {
  boost::system::error_code ec;
  json::value record = json::parse(doc, ec);
  // put_conversation stored only JSON objects; anything else means the file was
  // edited by hand: answer with what can be said rather than failing the list.
  if (ec || !record.is_object()) record = json::object{};
  record.get_object()["last_seq"] = last_seq;
  return record;
}

std::string conversations_result(json::array conversations) {
  return json::serialize(json::object{{"conversations", std::move(conversations)}});
}

void append_kv_item(std::string& out, std::string_view key, std::string_view value_json) {
  out += R"({"key":)";
  out += json::serialize(json::string(key));
  out += R"(,"value":)";
  out += value_json;
  out += '}';
}

}  // namespace switchboard::sqlite
