// A server-sent-events reader (the WHATWG "text/event-stream" framing) fed bytes in
// whatever pieces the network delivers: a line, or even a CRLF, may be split across
// two chunks. Comment lines (": keep-alive"), "id:" and "retry:" are skipped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::llm_openai {

struct SseEvent {
  std::string type = "message";  // the "event:" field, "message" when absent
  std::string data;              // the "data:" lines joined with '\n'
};

class SseParser {
 public:
  // A line longer than this fails the stream: a peer that never ends a line must
  // not make us buffer without bound.
  explicit SseParser(size_t max_line_bytes = 1 << 20) : max_line_bytes_(max_line_bytes) {}

  // Appends every event completed by bytes to out. False once a line was too long
  // (the parser then ignores further input).
  bool feed(std::string_view bytes, std::vector<SseEvent>& out);

  // True once a line was too long. At the end of the stream, an event whose blank
  // line never came is simply never returned (the spec drops it: it may be cut short).
  bool failed() const { return failed_; }

 private:
  void take_line(std::string_view line, std::vector<SseEvent>& out);

  size_t max_line_bytes_;
  std::string line_;       // a line whose end has not arrived yet
  SseEvent event_;         // the event being assembled
  bool has_data_ = false;  // event_ got at least one data line
  bool skip_lf_ = false;   // the last chunk ended in CR: a leading LF ends nothing
  bool at_start_ = true;   // nothing fed yet: a UTF-8 BOM would be skipped
  bool failed_ = false;
};

}  // namespace switchboard::llm_openai
