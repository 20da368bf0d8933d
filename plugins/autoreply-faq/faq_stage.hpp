#pragma once
// The FAQ stage of a tenant's auto-reply pipeline: its knowledge base, loaded once
// from the files its config names, and the decision for one visitor message.
//
// Config ([plugins.autoreply-faq] in the tenant file):
//   files = ["demo/faq.toml"]  knowledge-base files (faq_loader.hpp), relative to the
//                              tenant file's directory; ids unique across all of them
//   threshold = 0.3            answer only at or above this confidence (0..1)
//   context_entries = 3        entries handed to later stages when it does not answer
//                              (0..20)
//   synonyms = "demo/synonyms.toml"  the business's own synonym groups (optional;
//                              language/synonyms.hpp)
//   clarify = true             ask which entry is meant when two are close
//   long_message_words = 13    a message this long (words, Chinese characters) is
//   long_message_threshold = 0.2  answered from this threshold instead (0: off)
//   clear_winner_threshold = 0 a clear winner of a message the knowledge base knows
//                              answers from this threshold (0: off; see FaqStageOptions)
//   second_look_band = 0       see FaqStageOptions
//   not_for_bot_likeness = 0.5 see FaqStageOptions (0: dismissed questions not used)
//   flow_offers = true         show an offered flow as an option (see below)
//   flow_offer_alone = 0.6     ...and alone, instead of not answering (0: never)
//
// Text is analysed with language/text_analyzer.hpp: the jieba dictionary, OpenCC,
// libstemmer and WordNet from their Debian packages (python3-jieba, libopencc1.1 +
// opencc data, libstemmer0d, wordnet-base); a missing one refuses the instance
// with the file and the package to install.
//
// Two close candidates, neither confident enough to answer, both covering most of
// the message: a clarifying question (SB_OK) {"reply": "Which one do you mean?",
// "quick_replies": [one question of each, in the visitor's language], "source":
// "clarify", "candidates": [...]}; choosing a quick reply sends that question,
// which the entry then answers. A flow an earlier stage offers (context.flow_offers,
// from autoreply-flow: its intent was among the intent stage's guesses, too unsure to
// start it) is one more option when its guess was strong enough (flow_offer_rank,
// flow_offer_confidence): its text, a keyword that starts the flow when sent ("订单状态"
// for 发货了没？), and {"id": "flow:order_status", "score": the intent's confidence,
// "intent": "order_status"} among the candidates. When the stage would neither answer
// nor ask, an offer that was the intent stage's best guess at flow_offer_alone or more
// is asked about alone: {"reply": "Do you mean this?", "quick_replies": [its text],
// "source": "clarify", "candidates": [the flow]}, rather than a hand-off; only for a
// message about the shop, one that shares a word about what it is about with some
// entry (FaqMatch::on_topic): "what is the order of the planets" is not asked about the
// order-status flow.
//
// A message answered: {"reply": answer, "score": confidence, "source": "file#id"},
// the answer in the visitor's language when the entry has one per language (the
// widget's language, else "zh" for a message in Chinese characters, else the default).
// Otherwise no answer (SB_DEFER) with {"context": {"faq": [{"id", "question" (the
// best-matching variant), "answer", "score", "source"}...]}}, best first, for the
// LLM stage to ground its answer in; no "context" when nothing matched at all.
//
// A message closer to a question an admin dismissed (the files' not_for_bot,
// faq_loader.hpp) than to every candidate entry's questions is left alone: no
// answer, no clarifying question, no context (SB_DEFER) with {"declined": {"why":
// "not_for_bot", "example": the dismissed question, "likeness": ...}}, which the
// host reports in bot.turn.
//
// With context.intent.handoff = "unless_answered" (autoreply-intent's handoff_about_tag:
// the visitor asked for a person in a message that says more) only the entries with
// the intent's faq_tag may answer; otherwise it defers, asking nothing.
//
// It reads context.intent.faq_tag (set by autoreply-intent for an intent whose
// action is { faq_tag = "..." }): the entries with that tag are tried first, and the
// whole knowledge base when none of them is confident enough, or when a close entry
// without the tag has every word about the topic the tagged one has, and more
// (explained_more_elsewhere).
//
// Thread-safety: immutable after construction; reply() is const and runs from many
// threads at once without a lock. An edited knowledge base is a new instance.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faq_index.hpp"

namespace switchboard::faq {

struct FaqStageOptions {
  std::vector<std::string> files;
  // Measured on tests/bench/quality/dev.tsv and dev_long.tsv with the language handling below (the
  // index's own kRecommendedConfidenceThreshold is for its plain tokenizer).
  double threshold = 0.3;
  std::size_t context_entries = 3;
  std::string synonyms;  // file, relative to the config dir; "" = none
  bool clarify = true;
  // Clarify only when the best entry covers at least this much of the message and
  // the runner-up scores at least clarify_ratio of it. A runner-up that scores as close
  // but explains less than clarify_ratio of what the best explains (coverage) is no
  // near tie: the best answers, from the ordinary threshold.
  double clarify_coverage = 0.45;
  double clarify_ratio = 0.75;
  // No clarifying question when the message names a thing the knowledge base lacks at
  // least this specific (FaqMatch::unknown_thing) and none of the entries it would
  // offer speaks of it, even by a broader word (FaqMatch::speaks_of_unknown_thing):
  // none of its options can be what the visitor asks. 0: no such rule. Chosen on the
  // eight development sets (RESULTS.md, "Precision pass"): 0.5-0.95 took away the same
  // two clarifying questions without a right option and no other outcome.
  double clarify_unknown_thing = 0.8;
  // A second look just below the threshold: a clear winner (no near tie) within
  // second_look_band of it answers when the message names no thing the knowledge
  // base lacks more specific than second_look_unknown_thing (FaqMatch::unknown_thing):
  // "locked out of my account because I forgot the password" is the password entry's,
  // "can I pay with bitcoin" is not the payment one. 0: no second look. Chosen on the
  // three development sets (RESULTS.md, issue 15, fifth pass): 0.05 and 0.3 answered
  // 7 more right, 1 more wrong, no more off-topic; 0.04 5 more right, none wrong;
  // 0.08 and more answered off-topic ones. Off by default: on the two held-out sets
  // (measured after that pass, RESULTS.md "Held-out set 3") 0.05 answered 4 more
  // right and 3 more wrong, and a wrong answer costs a visitor more than a hand-off.
  // A long message (long_message_words or more words, each Chinese character counting
  // as one) is answered from long_message_threshold: what it says around its question
  // ("I sent my return back last week...") lowers the share an entry explains, and
  // the off-topic questions that reach the threshold are short ("what time is it in
  // Tokyo", 现在几点了). 0: no such rule. Chosen on the six question sets (RESULTS.md,
  // issue 15, sixth pass): from 13 words at 0.2, 17 more right, 1 more wrong, no more
  // off-topic answered.
  std::size_t long_message_words = 13;
  double long_message_threshold = 0.2;
  double second_look_band = 0;
  double second_look_unknown_thing = 0.3;
  // ...and when at least this share of what it matched is the message's own words
  // (FaqMatch::as_written).
  double second_look_as_written = 0.5;
  // A clear winner of a message the knowledge base knows answers from a lower
  // threshold: the best entry leads the runner-up by at least clear_winner_lead in score
  // (1 - second / first) and the runner-up explains less than clear_winner_coverage_ratio
  // of what it explains (coverage), in a message whose words the knowledge base lacks
  // weigh less than clear_winner_unknown_share of it (FaqMatch::unknown_share); then
  // clear_winner_threshold is enough. Such a message is low in confidence because it
  // says more than the entry's questions ("Is it too late to cancel if it already
  // shipped?"), not because it is about something the shop has no entry for, which
  // weighs as words the knowledge base lacks ("cancel my gym membership"). 0 (or the
  // threshold or more): no such rule, the default, so that a tenant's threshold stays
  // what it says; the demo tenant sets 0.2. Chosen on the eight development sets
  // (RESULTS.md, "A clear winner of a message the knowledge base knows"): 6 more right,
  // no more wrong or off-topic answered, on a narrow edge (a lead of 0.35 answered one
  // wrong, a share of 0.45 two off-topic).
  double clear_winner_threshold = 0;
  double clear_winner_lead = 0.4;
  double clear_winner_coverage_ratio = 0.8;
  double clear_winner_unknown_share = 0.4;
  // The least FaqMatch::unknown_subject at which a best entry that shares no thing
  // with the message (FaqMatch::shares_thing) is deferred instead of answered, from
  // the ordinary threshold or the tag's. 0: no such rule. Chosen on the seven
  // development sets (RESULTS.md, issue 15, eighth pass): 0.8 avoided one wrong answer
  // and lost no right one; 0.5 lost one right, 0.3 eleven.
  double unknown_subject = 0.8;
  // A best entry that meets none of the message's words as written or as a typo's
  // correction makes them (FaqMatch::meets_a_typed_word: every word it shares came
  // through a WordNet synonym or broader word) is deferred instead of answered: the match
  // is the analyzer's association, not the visitor's words. false: no such rule. On the
  // eight development sets (RESULTS.md, "Precision pass") it left one more off-topic
  // question alone and changed nothing else.
  bool need_a_word_as_written = true;
  // A message is left alone when it is at least this alike (likeness(), faq_index.hpp)
  // to a question an admin dismissed, and more alike to it than to any question of
  // the entries that could answer it (the candidates searched). The second part keeps
  // the entries' own questions and close paraphrases answered: a question as written
  // in an entry is alike 1 to it, and a dismissed question that equals one does not
  // win a tie. The first keeps a dismissed question from taking along messages that
  // share little with it but share even less with a short entry question. 0: the
  // dismissed questions are not used.
  double not_for_bot_likeness = 0.5;
  // A flow offered by an earlier stage (context.flow_offers, autoreply-flow: one of the
  // flow's intents among the intent stage's guesses, too unsure to start it) is shown as
  // one more option of a clarifying question when its intent was among the best
  // flow_offer_rank + 1 guesses with at least flow_offer_confidence. flow_offers = false
  // (the config key) ignores them.
  bool flow_offers = true;
  std::size_t flow_offer_rank = 1;
  double flow_offer_confidence = 0.25;
  // When the stage would neither answer nor ask, an offered flow that was the intent
  // stage's best guess with at least this confidence is asked about on its own ("Do
  // you mean this?" with the flow's keyword as the one option) instead of handing
  // the visitor over (or leaving the turn to an LLM stage after this one). 0: never.
  // Chosen on the development sets (RESULTS.md, "The order-status flow offered"): 0.6
  // asked 9 questions the stage left, 8 of them the flow's; the off-topic questions
  // left alone had the flow's intent as best guess at 0.55 at most.
  double flow_offer_alone = 0.6;
  // A message that tells something (a clause that asks nothing) and asks something
  // (a clause with a question mark, a question word, a wish) is not answered by an
  // entry that shares no thing with what it asks when what it asks, on its own, meets
  // another entry through a thing named in the visitor's own words: "Shipped the item
  // back to you, how long till I see my money?" is not the return policy's (which the
  // context's "shipped back" reached). The same for the entry the intent's tag picks.
  // false: no such rule. On the eight development sets (RESULTS.md, "Context, owners
  // and phrasal verbs") it turned two wrong answers into hand-offs and changed nothing
  // else; looser forms lost up to 20 right answers.
  bool request_clause = true;
  // A message about the business's own thing ("your email", 你们的邮箱, "Can I email
  // you?": TextAnalyzer::speaks_of_business_thing) is not answered by an entry none of
  // whose questions speaks to the business, when another candidate's does and shares a
  // word about the topic with it: "How do I change my email address?" answers the
  // visitor's email, "What is your email address?" the shop's. false: no such rule.
  bool whose_thing = true;
  // ...and is answered instead by that other candidate, the one whose questions speak to
  // the business, when it is confident enough with the first set aside
  // (FaqStage::the_business_own): 你们的邮箱是啥 gets the contact entry. false: left to a
  // person, as before.
  bool business_own_instead = true;
  // An entry every question of which asks when or how long ("How long does shipping
  // take?", 钱什么时候退回来) does not answer a message that asks something else and names
  // no time (FaqIndexOptions::only_when_answers_when): "Do you offer next-day shipping?",
  // 我想把钱退回来，在哪里操作？. false: no such rule. On the eight development sets
  // (RESULTS.md, "Entries that only say when") it left three more off-topic questions
  // alone and turned one wrong answer into a hand-off, no right answer lost.
  bool only_when_answers_when = true;
  // An act the message shares with an entry only through questions about another
  // thing, the entry's own, does not count for it (FaqIndexOptions::
  // verb_with_its_thing): "my refund still has not arrived" is not "The password reset
  // email did not arrive". false: no such rule. On the eight development sets
  // (RESULTS.md, "An act and its thing") it changed no outcome; looser forms lost up to
  // 7 right answers.
  bool verb_with_its_thing = true;
  // A word an entry's questions have only as the time of another act (下单 in
  // 下单后怎么改地址) does not make the entry about the message (FaqIndexOptions::
  // times_of_acts_off_topic): 可以下单吗 is not answered with changing the address.
  // false: no such rule.
  bool times_of_acts_off_topic = true;
  // A named place the knowledge base lacks ("I live in Brazil", 我在日本, 台灣) is matched
  // as the country it is, the word the entries' questions use for one in either
  // language ("Which countries do you ship to?"), at this share of that word's weight;
  // an entry's answer meets it only as any broader word (FaqIndexOptions::
  // place_weight); 0: as any broader word (tests/bench/RESULTS.md, "A named place").
  double place_weight = 0.7;
  // A named place the visitor says they are in (TextAnalyzer::visitor_places: "I live
  // in Brazil", 我在日本) is their country, what "Do you deliver to my country?" asks:
  // matched at this share of the entries' word for a country, as a word of the visitor's
  // own, when the message names no other thing the knowledge base lacks
  // (FaqIndexOptions::visitor_place_weight); and the clause that says so belongs to what
  // the message asks (request_clause). 0: as any named place. Chosen on the eight
  // development sets (tests/bench/RESULTS.md, "Where the visitor is"): 1.0 answered 7
  // more right, 1.5 11, 2.0 12, none wrong and no off-topic one at any of them; 2.0
  // answered own off-topic probes (我住在澳大利亚，怎么办签证).
  double visitor_place_weight = 1.5;
};

// A flow the visitor may mean, as autoreply-flow offered it (context.flow_offers).
struct FlowOfferHint {
  std::string flow;
  std::string intent;
  double confidence = 0;
  std::size_t rank = 0;
  std::string text;  // sent back, it starts the flow
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
  // The index the stage searches, with its language handling (tests read its scores).
  const FaqIndex& index() const { return index_; }

 private:
  FaqTurn answer_with(const FaqMatch& match, std::string_view language,
                      const std::vector<FaqMatch>& candidates) const;
  // offer: a flow shown as one more option (its text), or nullptr.
  FaqTurn clarify(const std::vector<FaqMatch>& close, std::string_view language,
                  const FlowOfferHint* offer) const;
  // The first of the offers strong enough to show (options_.flow_offer_*), if any.
  const FlowOfferHint* offer_to_show(const std::vector<FlowOfferHint>& offers) const;
  // Whether the message names a thing none of the entries of a clarifying question
  // speaks of (options_.clarify_unknown_thing).
  bool misses_the_thing(const std::vector<FaqMatch>& close) const;
  // The clauses of a message that ask or request something, joined, when it also has
  // a clause that only tells (context: "Shipped the item back to you, how long till I
  // see my money?"); nothing for a message of one clause or of asking clauses only.
  std::optional<std::string> request_part(std::string_view text) const;
  // Whether a clause says where the visitor is (TextAnalyzer::visitor_places), with
  // the visitor's place rule on: it belongs to the request.
  bool places_the_visitor(std::string_view clause) const;
  // Whether the message's request alone points to another entry than the best match
  // of the whole message (its context outweighed its request).
  bool request_points_elsewhere(std::string_view text, const FaqMatch& best) const;
  // Whether the message is about the business's own thing and the match, which does not
  // speak to the business, is about the visitor's while another candidate speaks to the
  // business about the same topic (options_.whose_thing).
  // When about_another_owner holds for best: the candidate whose questions speak to the
  // business and share a topic word with best, confident enough (from threshold) once
  // best is set aside: "你们的邮箱是啥" asks for the shop's email (contact), not how to
  // change the visitor's own.
  std::optional<FaqMatch> the_business_own(const FaqMatch& best,
                                           const std::vector<FaqMatch>& candidates,
                                           double threshold) const;
  bool about_another_owner(std::string_view text, const FaqMatch& best,
                           const std::vector<FaqMatch>& candidates) const;
  // Whether the best of the matches is a clear winner of a message the knowledge base
  // knows (options_.clear_winner_*), confident enough for that.
  bool clear_winner(const std::vector<FaqMatch>& matches) const;
  // Whether the match shares none of the message's words as written (options_.
  // need_a_word_as_written).
  bool meets_no_word_as_written(const FaqMatch& match) const;
  // Whether the message is about a thing the match does not speak of (options_.
  // unknown_subject).
  bool speaks_of_something_else(const FaqMatch& match) const;
  // Whether a candidate without the intent's tag scores as close as a near tie to the
  // tagged entry and has every word about the topic that it has, and more ("how much
  // is return shipping": the return policy has "return" and "shipping", the shipping
  // costs only "shipping"): the tag, which breaks near ties, does not decide then.
  bool explained_more_elsewhere(const FaqMatch& tagged, std::string_view tag,
                                const std::vector<FaqMatch>& candidates) const;
  // The dismissed question the message is closer to than to any candidate's
  // questions (options_.not_for_bot_likeness), if any.
  struct DismissedLike {
    std::size_t example;  // into not_for_bot_
    double likeness;
  };
  std::optional<DismissedLike> dismissed_like(std::string_view text,
                                              const std::vector<FaqMatch>& candidates) const;
  // No answer because of a dismissed question, and nothing for later stages to ground
  // an answer in: the entries it resembles are what the admin said it is not.
  FaqTurn decline(const DismissedLike& like) const;
  // No answer: the best candidates as context for later stages.
  FaqTurn defer(const std::vector<FaqMatch>& matches, const std::string& answer_in) const;
  // No answer and no question between entries: a flow offered as the intent stage's
  // best guess at flow_offer_alone or more is asked about (ask_about), else defer().
  FaqTurn not_answered(const std::vector<FaqMatch>& matches, const std::string& answer_in,
                       const std::vector<FlowOfferHint>& offers) const;
  FaqTurn ask_about(const FlowOfferHint& offer, std::string_view language) const;

  static FaqIndexOptions index_options(const FaqStageOptions& options,
                                       const std::filesystem::path& config_dir);

  FaqStageOptions options_;
  std::vector<std::string> sources_;      // "file#id", by entry index
  std::vector<std::string> not_for_bot_;  // the files' dismissed questions
  FaqIndex index_;
  // Weighed once, by the index (only when there are dismissed questions).
  std::vector<TermWeights> not_for_bot_weights_;
  std::vector<std::vector<TermWeights>> question_weights_;  // by entry, by question
  // By entry: whether one of its questions speaks to the business (whose_thing).
  std::vector<bool> speaks_to_business_;
};

}  // namespace switchboard::faq
