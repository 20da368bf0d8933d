#pragma once
// Reads a knowledge-base file:
//
//   [[entries]]
//   id = "refund-time"                       # unique in the file
//   questions = ["How long does a refund take?", "退款多久到账"]
//   answer = "Refunds reach your card within 5-7 business days."
//   tags = ["refunds"]                       # optional
//
// Any other key is an error (a typo such as `question =` would otherwise drop an
// entry's questions silently). Duplicate ids, a missing or empty id, question list,
// question or answer, and a question with no searchable words are errors too.
// Start-up and admin path: errors are thrown as FaqLoadError naming file, line, key.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "faq_index.hpp"

namespace switchboard::faq {

class FaqLoadError : public std::runtime_error {
 public:
  FaqLoadError(std::string file, std::uint32_t line, std::string key, const std::string& reason);
  const std::string& file() const { return file_; }
  std::uint32_t line() const { return line_; }  // 1-based; 0 when unknown
  const std::string& key() const {
    return key_;
  }  // e.g. "entries[3].answer"; empty for syntax errors

 private:
  std::string file_;
  std::uint32_t line_;
  std::string key_;
};

// Message format: "<file>:<line>: <key>: <reason>".
std::vector<FaqEntry> load_faq_file(const std::filesystem::path& path);

// The same from text already in memory (the admin API's upload); source_name is what
// errors call the file.
std::vector<FaqEntry> parse_faq(std::string_view toml_text, std::string_view source_name);

}  // namespace switchboard::faq
