#pragma once
// The FAQ stage of a tenant's auto-reply pipeline: its knowledge base, loaded once
// from the files its config names, and the decision for one visitor message.
//
// Config ([plugins.autoreply-faq] in the tenant file):
//   files = ["demo/faq.toml"]  knowledge-base files (faq_loader.hpp), relative to the
//                              tenant file's directory; ids unique across all of them
//   threshold = 0.30           answer only at or above this confidence (0..1)
//   context_entries = 3        entries handed to later stages when it does not answer
//                              (0..20)
//
// A message answered: {"reply": answer, "score": confidence, "source": "file#id"},
// the answer in the visitor's language when the entry has one per language (the
// widget's language, else "zh" for a message in Chinese characters, else the default).
// Otherwise no answer (SB_DEFER) with {"context": {"faq": [{"id", "question" (the
// best-matching variant), "answer", "score", "source"}...]}}, best first, for the
// LLM stage to ground its answer in; no "context" when nothing matched at all.
//
// It reads context.intent.faq_tag (set by autoreply-intent for an intent whose
// action is { faq_tag = "..." }): the entries with that tag are tried first, and the
// whole knowledge base when none of them is confident enough.
//
// Thread-safety: immutable after construction; reply() is const and runs from many
// threads at once without a lock. An edited knowledge base is a new instance.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "faq_index.hpp"

namespace switchboard::faq {

struct FaqStageOptions {
  std::vector<std::string> files;
  double threshold = kRecommendedConfidenceThreshold;
  std::size_t context_entries = 3;
};

// Throws std::invalid_argument naming the key.
FaqStageOptions read_faq_stage_options(std::string_view config_json);

struct FaqTurn {
  bool answered = false;
  std::string result_json;  // "" when there is nothing to say
};

class FaqStage {
 public:
  // Loads and indexes every file. Throws FaqLoadError naming file, line and key.
  FaqStage(FaqStageOptions options, const std::filesystem::path& config_dir);

  // language: the visitor's, as the widget reported it ("zh-CN"), or empty.
  FaqTurn reply(std::string_view text, std::string_view language,
                std::string_view context_json) const;

  std::size_t entry_count() const { return index_.entries().size(); }

 private:
  FaqTurn answer_with(const FaqMatch& match, std::string_view language) const;

  FaqStageOptions options_;
  std::vector<std::string> sources_;  // "file#id", by entry index
  FaqIndex index_;
};

}  // namespace switchboard::faq
