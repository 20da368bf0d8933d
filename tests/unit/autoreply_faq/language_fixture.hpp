#pragma once
// What the language tests and the stage-decision tests share: the analyzer over the
// Debian data (built once), whether a list of terms holds one, a stage's answer as the entry that
// gave it, and a temporary directory for a tenant's files.
#include <algorithm>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "faq_stage.hpp"
#include "language/text_analyzer.hpp"

namespace faq_test {

inline std::shared_ptr<const switchboard::faq::TextAnalyzer> analyzer() {
  static const auto shared =
      std::make_shared<const switchboard::faq::TextAnalyzer>(switchboard::faq::TextAnalyzerFiles{});
  return shared;
}

inline bool contains(const std::vector<std::string>& terms, const std::string& term) {
  return std::find(terms.begin(), terms.end(), term) != terms.end();
}

// The entry that answered text ("file#id"), or "" when the stage did not answer.
inline std::string answered_by(const switchboard::faq::FaqStage& stage, const char* text,
                               const char* context = "{}") {
  const auto turn = stage.reply(text, "", context);
  if (!turn.answered) return "";
  return std::string(boost::json::parse(turn.result_json).at("source").as_string());
}

// A temporary directory with files, removed afterwards.
struct Dir {
  std::filesystem::path path;
  Dir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("faq-language-" + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~Dir() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
  }
};

}  // namespace faq_test
