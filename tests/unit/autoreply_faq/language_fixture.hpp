#pragma once
// What the language tests and the stage-decision tests share: the analyzer over the
// Debian data (built once per process), the fixture that keeps that data loaded from
// one test case to the next, whether a list of terms holds one, a stage's answer as
// the entry that gave it, and a temporary directory for a tenant's files.
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

// The fixture (TEST_CASE_METHOD) of every test case that reads the Debian data. The
// plugin loads each file once per process and shares it only while someone holds it
// (ChineseSegmenter::shared, WordNetSynonyms::shared, WordUsage::shared and the jieba
// word weights keep weak references), so a FaqStage or a WordNetSynonyms a test makes
// would otherwise read it all again and drop it at the end: half a second per stage,
// more under ASan. Holding the analyzer above keeps it loaded for the whole process; ctest
// runs these tests in a few processes (CMakeLists.txt), not one per test case.
//
// Safe to share: all of it is immutable after loading (const, every method const).
// And the same in any order: the analyzer loads it before the first test body runs,
// so a test asking for WordNetSynonyms::shared() with its own stemming function gets
// the analyzer's (the cache is keyed by directory), which stems every WordNet word
// (ASCII) with english_stem just the same.
struct LanguageData {
  LanguageData() { analyzer(); }
};

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

// An analyzer over the Debian data and a tenant synonyms file of the given text, written
// in dir.
inline std::unique_ptr<const switchboard::faq::TextAnalyzer> analyzer_with_synonyms(
    const Dir& dir, const std::string& toml) {
  dir.write("synonyms.toml", toml);
  switchboard::faq::TextAnalyzerFiles files;
  files.tenant_synonyms = dir.path / "synonyms.toml";
  return std::make_unique<const switchboard::faq::TextAnalyzer>(files);
}

}  // namespace faq_test
