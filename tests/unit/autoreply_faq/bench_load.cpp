// bench_faq_load: how long each part of the FAQ stage's start takes, each loaded on
// its own (not through the process-wide caches, which would hand out the first copy):
// the jieba dictionary, the jieba word weights, WordNet, WordNet's word counts,
// OpenCC, then a whole TextAnalyzer and the demo tenant's FaqStage (its knowledge
// base indexed) over data already loaded. Prints milliseconds, wall clock and CPU
// time, the best of --runs each.
//
//   build/bench_faq_load [--runs N] [--repo DIR]
//
// The figures are in tests/bench/RESULTS.md ("FAQ stage start").
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
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

// The process's CPU time (user and system) in milliseconds: steadier than the wall
// clock on a shared machine, and the same while the loads run on one thread.
double cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

struct Took {
  double wall_ms = 1e300;
  double cpu_ms = 1e300;
};

// The best of runs, wall clock and CPU time each.
Took best_of(int runs, const std::function<void()>& step) {
  Took best;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_ms();
    step();
    const double cpu = cpu_ms() - cpu_start;
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    best.wall_ms = std::min(best.wall_ms, took.count());
    best.cpu_ms = std::min(best.cpu_ms, cpu);
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
  std::printf("%-34s %9s %9s\n", "best of runs, ms", "wall", "cpu");
  auto line = [](const char* what, Took took) {
    std::printf("%-34s %9.1f %9.1f\n", what, took.wall_ms, took.cpu_ms);
  };

  line("jieba dictionary (dict.txt)",
       best_of(runs, [&] { ChineseSegmenter segmenter(files.jieba_dictionary); }));
  line("jieba word weights (idf.txt)", best_of(runs, [&] { CorpusIdf idf(files.jieba_idf); }));
  line("WordNet synonyms (index/data)",
       best_of(runs, [&] { WordNetSynonyms wordnet(files.wordnet_directory, stem); }));
  line("WordNet word usage (cntlist.rev)",
       best_of(runs, [&] { WordUsage usage(files.wordnet_directory / "cntlist.rev", stem); }));
  line("OpenCC t2s", best_of(runs, [&] { ScriptFolding folding(files.opencc_config); }));

  // Everything an analyzer loads, once: the shared copies stay alive while it does.
  std::shared_ptr<const TextAnalyzer> held;
  line("TextAnalyzer, all data cold",
       best_of(1, [&] { held = std::make_shared<const TextAnalyzer>(files); }));
  FaqStageOptions options;
  options.files = {"demo/faq.toml"};
  options.synonyms = "demo/synonyms.toml";
  line("demo FaqStage, data shared",
       best_of(runs, [&] { FaqStage stage(options, std::filesystem::path(repo) / "tenants"); }));
  return 0;
}
