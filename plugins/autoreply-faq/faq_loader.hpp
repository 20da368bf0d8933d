#pragma once
// Reads a knowledge-base file:
//
//   [[entries]]
//   id = "refund-time"                       # unique in the file
//   questions = ["How long does a refund take?", "退款多久到账"]
//   answer = "Refunds reach your card within 5-7 business days."
//   tags = ["refunds"]                       # optional
//
// or with the answer in each language the visitors use (the visitor's language
// picks one, see FaqEntry::answer_in; English, else the first, is the default):
//
//   answer = { en = "Refunds take 5-7 business days.", zh = "退款 5-7 个工作日到账。" }
//
// Any other key is an error (a typo such as `question =` would otherwise drop an
// entry's questions silently). Duplicate ids, a missing or empty id, question list,
// question or answer, and a question with no searchable words are errors too.
// Start-up and admin path: errors are thrown as FaqLoadError naming file, line, key
// (the reader is shared with the intents file: toml_list_reader.hpp).
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "faq_index.hpp"
#include "toml_list_reader.hpp"

namespace switchboard::faq {

// file(), line() (1-based; 0 when unknown) and key() (e.g. "entries[3].answer"; empty
// for syntax errors) say where the mistake is.
using FaqLoadError = autoreply::LoadError;

// A whole file: its entries and its dismissed questions.
struct FaqFile {
  std::vector<FaqEntry> entries;
  std::vector<std::string> not_for_bot;
};

// Message format: "[<code> <values>] <file>:<line>: <key>: <reason>"; problem() holds
// the code (duplicate, no_words, ...) and its values.
FaqFile load_faq(const std::filesystem::path& path);
std::vector<FaqEntry> load_faq_file(const std::filesystem::path& path);

// The same from text already in memory (the admin API's upload); source_name is what
// errors call the file.
FaqFile parse_faq_file(std::string_view toml_text, std::string_view source_name);
std::vector<FaqEntry> parse_faq(std::string_view toml_text, std::string_view source_name);

}  // namespace switchboard::faq
