// bench_faq_load: how long each part of the FAQ stage's start takes, each loaded on
// its own (not through the process-wide caches, which would hand out the first copy):
// the jieba dictionary, the jieba word weights, WordNet, WordNet's word counts,
// OpenCC, then a whole TextAnalyzer and the demo tenant's FaqStage (its knowledge
// base indexed) over data already loaded. Prints milliseconds, best of --runs.
//
//   build/bench_faq_load [--runs N] [--repo DIR]
//
// The figures are in tests/bench/RESULTS.md ("FAQ stage start").
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "faq_stage.hpp"
#include "language/chinese_segmenter.hpp"
#include "language/corpus_idf.hpp"
#include "language/english_stemmer.hpp"
#include "language/script_folding.hpp"
#include "language/synonyms.hpp"
#include "language/text_analyzer.hpp"
#include "language/word_usage.hpp"

namespace {

using namespace switchboard::faq;

double best_ms(int runs, const std::function<void()>& step) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    step();
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  std::string repo = BENCH_SOURCE_DIR;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--repo") == 0) repo = argv[i + 1];
  }
  const TextAnalyzerFiles files;
  // The analyzer's own stemming function (text_analyzer.cpp): WordNet's words are ASCII.
  const WordAnalysis stem = [](std::string_view word) { return english_stem(word); };
  auto line = [](const char* what, double ms) { std::printf("%-34s %9.1f ms\n", what, ms); };

  line("jieba dictionary (dict.txt)",
       best_ms(runs, [&] { ChineseSegmenter segmenter(files.jieba_dictionary); }));
  line("jieba word weights (idf.txt)", best_ms(runs, [&] { CorpusIdf idf(files.jieba_idf); }));
  line("WordNet synonyms (index/data)",
       best_ms(runs, [&] { WordNetSynonyms wordnet(files.wordnet_directory, stem); }));
  line("WordNet word usage (cntlist.rev)",
       best_ms(runs, [&] { WordUsage usage(files.wordnet_directory / "cntlist.rev", stem); }));
  line("OpenCC t2s", best_ms(runs, [&] { ScriptFolding folding(files.opencc_config); }));

  // Everything an analyzer loads, once: the shared copies stay alive while it does.
  std::shared_ptr<const TextAnalyzer> held;
  line("TextAnalyzer, all data cold",
       best_ms(1, [&] { held = std::make_shared<const TextAnalyzer>(files); }));
  FaqStageOptions options;
  options.files = {"demo/faq.toml"};
  options.synonyms = "demo/synonyms.toml";
  line("demo FaqStage, data shared",
       best_ms(runs, [&] { FaqStage stage(options, std::filesystem::path(repo) / "tenants"); }));
  return 0;
}
