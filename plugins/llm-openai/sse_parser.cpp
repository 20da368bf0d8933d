#include "sse_parser.hpp"

namespace switchboard::llm_openai {

bool SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  if (failed_) return false;
  if (at_start_ && !bytes.empty()) {
    // A UTF-8 BOM may open the stream, and may itself arrive split.
    static constexpr std::string_view kBom = "\xEF\xBB\xBF";
    std::string head = line_ + std::string(bytes);
    if (head.size() < kBom.size() && kBom.starts_with(head)) {
      line_ = std::move(head);
      return true;
    }
    at_start_ = false;
    line_.clear();
    if (head.starts_with(kBom)) head.erase(0, kBom.size());
    return feed(head, out);
  }
  while (!bytes.empty()) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (bytes.front() == '\n') {
        bytes.remove_prefix(1);
        continue;
      }
    }
    const size_t end = bytes.find_first_of("\r\n");
    if (end == std::string_view::npos) {
      if (line_.size() + bytes.size() > max_line_bytes_) {
        failed_ = true;
        return false;
      }
      line_.append(bytes);
      return true;
    }
    if (line_.empty()) {
      take_line(bytes.substr(0, end), out);
    } else {
      line_.append(bytes.substr(0, end));
      take_line(line_, out);
      line_.clear();
    }
    // A CR may be the first half of a CRLF whose LF is in the next chunk.
    skip_lf_ = bytes[end] == '\r';
    bytes.remove_prefix(end + 1);
  }
  return true;
}

void SseParser::take_line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    // A blank line ends the event; one without data is not dispatched.
    if (has_data_) {
      event_.data.pop_back();  // the '\n' after the last data line
      out.push_back(std::move(event_));
    }
    event_ = SseEvent();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // a comment: keep-alive pings and the like
  const size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);
  if (field == "data") {
    event_.data.append(value);
    event_.data.push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    event_.type = std::string(value);
  }
  // "id", "retry" and unknown fields mean nothing to a one-shot completion stream.
}

}  // namespace switchboard::llm_openai
