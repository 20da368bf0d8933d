#include "message_codec.hpp"

#include <charconv>

namespace loadgen {

namespace {

std::optional<int64_t> leading_number(std::string_view s) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end == s.data()) return std::nullopt;
  return value;
}

}  // namespace

std::string encode_visitor_message(int64_t scheduled_ns, int visitor, uint64_t n,
                                   int message_bytes) {
  const std::string stamp = std::to_string(scheduled_ns);
  const std::string id = stamp + "." + std::to_string(visitor) + "." + std::to_string(n);
  std::string text = "t" + stamp + "|";
  if (static_cast<int>(text.size()) < message_bytes) text.append(message_bytes - text.size(), 'x');

  std::string frame;
  frame.reserve(text.size() + 2 * id.size() + 64);
  frame += R"({"type":"message","client_msg_id":")";
  frame += id;
  frame += R"(","ref":")";
  frame += id;
  frame += R"(","text":")";
  frame += text;
  frame += R"("})";
  return frame;
}

std::optional<int64_t> scheduled_ns_from_client_msg_id(std::string_view client_msg_id) {
  return leading_number(client_msg_id);
}

std::optional<int64_t> scheduled_ns_from_text(std::string_view text) {
  if (text.empty() || text.front() != 't') return std::nullopt;
  return leading_number(text.substr(1));
}

}  // namespace loadgen
