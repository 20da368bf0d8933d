#pragma once
// A tenant's FAQ knowledge base, indexed for retrieval by relevance.
//
// Each entry has several question variants (phrasings of the same question), an
// answer and optional tags. A visitor message is tokenized like the variants
// (tokenizer.hpp: words, plus character unigrams and bigrams for CJK) and ranked
// with BM25 (k1 = 1.2, b = 0.75). Term weights (IDF) count entries, not variants,
// so an entry with many phrasings of "refund" does not make "refund" look common.
//
// Scoring an entry: by its best-matching variant, by one field that concatenates
// all its variants, or a mean of the two (the default). Measured on the bilingual
// fixture in tests/unit/autoreply_faq (103 held-out paraphrases, 67 entries), top-1:
// best variant 0.854, concatenated 0.874, blended 0.874 with the best precision/recall
// balance at the recommended threshold (P 0.925 / R 0.718 against 0.928 / 0.621 and
// 0.908 / 0.767). Best variant alone misses paraphrases that combine words from two
// phrasings ("退款" from one, "几天" from another); the concatenated field alone lets a
// long entry win on many weak matches. Either way the reported source is the
// best-scoring variant, so the admin sees a real question, not a concatenation.
// (Figures printed by: unit_autoreply_faq "[.measure]".)
//
// Confidence, in [0, 1] and comparable across queries, is the product of two parts:
// - coverage: the entry's BM25 score divided by the query's self-score, the score an
//   average-length document containing each query term once would get (= the sum of
//   the query terms' IDF), clamped to 1. It reads "how much of what the visitor said
//   this entry explains": words the knowledge base never saw carry the highest IDF,
//   so "what's the weather in Paris" scores low even though "what" matches.
// - lead over the runner-up entry (1 - second / first), at weight margin_weight = 0.5:
//   coverage alone was confidently wrong on near-ties ("how many days for delivery"
//   matched "How many days do I have to return an item?" at 0.89) and put an
//   unrelated query at 0.38 ("what time is it in Tokyo" -> the refund-time entry), so
//   its only safe threshold (0.40: P 0.908, R 0.767) sat right on the unrelated ones.
//   With the lead, unrelated queries fall to <= 0.20 and at 0.30 precision is 0.925,
//   recall 0.718: a little recall traded for precision and a clear gap.
// An entry that has a near-duplicate therefore answers with lower confidence: merge
// them or give them tags.
//
// Thread-safety: immutable after construction; search() and answer() are const and
// safe from many threads at once. A knowledge-base edit builds a new FaqIndex and
// swaps a shared_ptr<const FaqIndex>.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "language/text_analyzer.hpp"
#include "tokenizer.hpp"

namespace switchboard::faq {

struct FaqEntry {
  std::string id;
  std::vector<std::string> questions;  // variants, at least one
  std::string answer;                  // the default answer
  std::vector<std::string> tags{};
  // The answer in other languages, by code ("zh", "en"), when the file gives one
  // per language; answer is then one of them (see faq_loader.hpp).
  std::map<std::string, std::string, std::less<>> answers_by_language = {};

  // The answer for a visitor's language ("zh-CN" finds "zh"), else the default.
  const std::string& answer_in(std::string_view language) const;
};

enum class EntryScoring {
  best_variant,           // each variant is a BM25 document; an entry scores as its best one
  concatenated_variants,  // all variants of an entry form one BM25 document
  blended,                // a weighted mean of the two (blend_best_variant_weight)
};

struct FaqIndexOptions {
  double k1 = 1.2;
  double b = 0.75;
  EntryScoring scoring = EntryScoring::blended;
  double blend_best_variant_weight = 0.5;
  // Weight of single CJK characters against bigrams. 0.5 seemed natural ("到" says less
  // than "到账") but measured worse (recall 0.680 against 0.718, same top-1), so 1.
  double cjk_unigram_weight = 1.0;
  // A query word the knowledge base does not know is matched to a known word one edit
  // away (two for words of 8+ letters), at a reduced weight: "refnud" -> "refund".
  bool correct_typos = true;
  // Share of the confidence that depends on the lead over the runner-up entry (0: none).
  double margin_weight = 0.5;
  TokenizerOptions tokenizer;
  // The language handling of language/text_analyzer.hpp (segmentation, folding,
  // stemming, synonyms, content weights); nullptr: tokenizer.hpp's terms alone.
  std::shared_ptr<const TextAnalyzer> analyzer;
  // With an analyzer: weight of the answer text against the questions (the answer
  // says what the entry is about in words visitors use too: "business days").
  double answer_weight = 0.3;
  // A query word the knowledge base lacks is matched to its WordNet synonyms that it
  // has, at this share of their weight.
  double related_weight = 0.6;
  // Failing a synonym, its WordNet hypernyms that the knowledge base has, at this
  // share of their weight (0: not used).
  double broader_weight = 0.0;
  // With broader_weight: a named place the knowledge base lacks (TextAnalyzer::
  // is_place_name: "Brazil", 日本) is matched as the country it is, the broader word
  // the entries' questions have where they have one, at this share (0: as any
  // broader word, at broader_weight).
  double place_weight = 0.0;
  // With place_weight: a named place the visitor says they are in (TextAnalyzer::
  // visitor_places: "I live in Brazil", 我在日本) is their own country: matched at this
  // share instead, at the content weight of a topic word (jieba's corpus weighs 日本
  // 0.5) and as a word of the visitor's (QueryTerm::typed), unless the message names
  // another thing the entries' questions lack (the locative's verb, numbers, question
  // words and places aside): "I live in Brazil, what is the weather like" is not about
  // shipping there. 0: at place_weight, as any named place.
  double visitor_place_weight = 0.0;
  // The lead over the runner-up (1 - second / first) at which an entry counts as a
  // clear winner: confidence's lead part is min(1, lead / clear_lead). 1 reproduces
  // the plain lead; smaller values let a clear lead count fully and a near tie not.
  double clear_lead = 1.0;
  // How much a query word the knowledge base has never seen (nor a synonym or typo of
  // it) weighs against coverage, as a multiple of the highest IDF: a message about
  // "bitcoin" is not explained by the entry that matches its "pay". With an analyzer,
  // an English word also weighs by how specific it is (TextAnalyzer::
  // english_specificity: "week" little, "bitcoin" fully), and an unknown character
  // of a longer Chinese word not at all (its word already counts).
  double unknown_word_weight = 1.0;
  // With an analyzer: weight of its phrase terms (neighbouring English words, Chinese
  // character bigrams) against single terms. They count only where they match.
  double phrase_weight = 0.0;
  // With an analyzer: a term the knowledge base has but the message attaches to a
  // noun it lacks ("router password", 医院的电话; TextAnalyzer::
  // attached_to_unknown_nouns) counts in the message's weight and matches nothing.
  bool owner_check = false;
  // With an analyzer: share of unknown_word_weight for a Chinese word the jieba
  // dictionary does not tag as a noun (a verb, an idiom, a place: 记不起来, 进去).
  double unknown_non_noun_weight = 1.0;
  // The same for an English word WordNet knows but not mostly as a noun of a thing
  // (WordNetSynonyms::is_noun: "late", "put", "today"), on top of how specific it is.
  double unknown_english_non_noun_weight = 1.0;
  // With an analyzer: an English word matched through a WordNet synonym or broader
  // word that only the entries' answers have (so at the highest IDF) weighs in the
  // message, and in the match, at most what it would weigh unmatched
  // (unknown_word_weight, its specificity, unknown_english_non_noun_weight): "still"
  // -> photo is no rare thing the message names.
  bool cap_answer_only_synonyms = false;
  // With an analyzer: a message that asks when or how long (TextAnalyzer::asks_when,
  // either language, however it is worded) asks what an entry with such a question
  // answers (FaqMatch::answers_the_ask), not only one that shares its amount word:
  // "What hours can I call you?" asks what "When are you open?" answers, which
  // "Can I call you?" does not.
  bool match_asks_when = false;
  // With an analyzer: an entry every question of which asks when or how long does not
  // answer the ask (FaqMatch::answers_the_ask) of a message that asks something
  // (asks_anything, tokenizer.hpp) but neither when or how long (TextAnalyzer::
  // asks_when) nor names a time or a span of time (TextAnalyzer::names_time: "shipping
  // time?", 明天能到吗). A message that asks nothing ("parcel arrive") keeps it. "Do you offer
  // next-day shipping?" and 我想把钱退回来，在哪里操作？ share their topic with "How long
  // does shipping take?" and 钱什么时候退回来, not what they ask.
  bool only_when_answers_when = false;
  // With an analyzer: an act the message shares with an entry ("arrive", 取消: a topic
  // term that names no thing) does not match the entry's questions when the message
  // names, in its own words, a thing the entries' questions have, the entry has none
  // of the things the message names (in its questions or answer), and every question
  // of the entry with the act names a thing of its own (one no other entry's
  // questions name) that the message does not. "My refund still has not arrived" names
  // the refund; "The password reset email did not arrive" is the password's arriving.
  // A question whose things every entry shares ("When will my order arrive?") or that
  // names none keeps its acts for any message.
  bool verb_with_its_thing = false;
  // With an analyzer: a word an entry's questions have only as the time of another act
  // (TextAnalyzer::times_of_acts: 下单 in 下单后怎么改地址) matches there but does not make
  // the entry about what the message is about (FaqMatch::on_topic): 可以下单吗 (can I
  // order at all) asks nothing of changing the address after ordering.
  bool times_of_acts_off_topic = false;
};

struct FaqMatch {
  std::string entry_id;
  std::size_t entry_index = 0;   // into FaqIndex::entries()
  std::string matched_question;  // the variant that matched best: why it answered
  double score = 0;              // raw BM25, comparable only within one query
  double confidence = 0;         // [0, 1], comparable across queries (see above)
  double coverage = 0;           // [0, 1], the first factor of confidence alone
  // How specific the most specific thing is that the message names and the knowledge
  // base lacks (a noun by WordNet or the jieba dictionary, weighed by
  // TextAnalyzer::english_specificity: "bitcoin", 航班 1; "week" little; 0: none).
  // The same for every match of one query; 0 without an analyzer.
  double unknown_thing = 0;
  // The same for English nouns that name no goods (WordNetSynonyms::is_goods): a
  // flight, Christmas, Australia, the post office, not a kettle or a zipper, which may
  // be what the shop sold.
  double unknown_subject = 0;
  // Share of the message's weight (coverage's denominator) in words the knowledge base
  // lacks, as written or as a synonym, broader word or typo of one it has, and in words
  // it has that belong to a noun it lacks ("router password"): how much of the message
  // no entry can explain. The same for every match of one query; 0 without an analyzer.
  double unknown_share = 0;
  // Whether the entry speaks of such a thing at least by what it is an instance of
  // (a broader word of it: "Hong Kong" -> region, in "ship to another region").
  bool speaks_of_unknown_thing = false;
  // Whether the entry has at least one of the message's words as the visitor typed it
  // or meant it (a typo's correction, a Chinese compound's head: 电子邮件 -> 邮件), not
  // only words WordNet relates to them ("visit" ~ see). Always true without an analyzer.
  bool meets_a_typed_word = true;
  // Share of what the entry matched (coverage) that it matched with the message's
  // own words, not a synonym, broader word or typo correction of them ("how old are
  // you" meets the opening hours only through "old" ~ time).
  double as_written = 0;
  // Whether the entry shares with the message a word about what it is about, not only
  // words for what kind of answer is wanted (TextAnalyzer::names_topic: "what time",
  // 几点, 周末). Always true without an analyzer.
  bool on_topic = true;
  // False when the message asks for an amount (多久, 几天, 多少: TextAnalyzer::
  // asks_amount) that another of the top_k candidates' questions ask for and this
  // entry's do not: "寄到国外要多久" shares its topic with "可以寄到国外吗" but asks
  // something else. With FaqIndexOptions::match_asks_when, also when it asks when or
  // how long, in any words, and another candidate has a question that does; with
  // only_when_answers_when, also when every question of the entry asks when or how long
  // and the message asks something else and names no time.
  bool answers_the_ask = true;
  // Whether the entry shares with the message a word that names a thing (TextAnalyzer::
  // names_thing: "refund", 订单), not only acts and manners ("track", 取消, "how many
  // days"). Always true without an analyzer.
  bool shares_thing = true;
  // The message's words about what it is about (TextAnalyzer::names_topic) that the
  // entry has, in its questions or its answer, as the index's term ids, sorted: which
  // of two close entries explains more of the topic (FaqStage, the intent's tag).
  // Empty without an analyzer.
  std::vector<std::uint32_t> topic_terms{};
};

// The threshold answer() uses unless told otherwise. On the fixture it answers 80 of
// 103 paraphrases, 74 of them right (precision 0.925, recall 0.718), and none of 24
// unrelated queries (weather, poems, jokes, recipes; the highest scores 0.20).
// 0.20 would give recall 0.845 at precision 0.897 with no room left for unrelated
// queries; a wrong answer is worse than none, so 0.30.
inline constexpr double kRecommendedConfidenceThreshold = 0.30;

// A text's distinct terms, each with what it weighs in retrieval, sorted by term
// (FaqIndex::term_weights).
using TermWeights = std::vector<std::pair<std::string, double>>;

// How alike two texts are by the terms they share: the weighted Jaccard index (the
// weight both share over the weight either has), in [0, 1]. Symmetric, and a term
// only one of them has counts against it: "How do I return something to Amazon?" is
// less like "How do I return an item?" than like "return an order to Amazon", since
// "amazon", a word the knowledge base never saw, weighs the most.
double likeness(const TermWeights& a, const TermWeights& b);

class FaqIndex {
 public:
  // Throws std::invalid_argument on an empty or duplicate id, an entry with no
  // question, an empty question or answer, or a question with no searchable words.
  explicit FaqIndex(std::vector<FaqEntry> entries, FaqIndexOptions options = {});

  // Up to top_k entries ranked by score (one result per entry), only those sharing at
  // least one term with the query; only entries carrying `tag` when it is given.
  std::vector<FaqMatch> search(std::string_view query, std::size_t top_k,
                               std::optional<std::string_view> tag = std::nullopt) const;

  // The top entry when its confidence reaches min_confidence, else nothing (the
  // auto-reply pipeline then goes on to its next stage).
  std::optional<FaqMatch> answer(std::string_view query,
                                 double min_confidence = kRecommendedConfidenceThreshold,
                                 std::optional<std::string_view> tag = std::nullopt) const;

  // The text's terms as this index weighs them: a term it has at its IDF, one it
  // lacks at what an unknown word weighs (the rarest's), each times the analyzer's
  // content weight (function words little). For likeness() between a message and
  // other texts, e.g. the questions an admin dismissed.
  TermWeights term_weights(std::string_view text) const;

  // A match's confidence had the runner-up scored runner_up (the same two parts as in
  // search(): its coverage, and its lead over that score).
  double confidence_against(const FaqMatch& match, double runner_up) const;

  const std::vector<FaqEntry>& entries() const { return entries_; }
  const FaqEntry& entry(const FaqMatch& match) const { return entries_.at(match.entry_index); }
  std::size_t vocabulary_size() const { return terms_.size(); }
  // The language handling it was built with, or nullptr.
  const TextAnalyzer* analyzer() const { return options_.analyzer.get(); }

 private:
  struct Posting {
    std::uint32_t doc;
    std::uint32_t term_frequency;
  };
  struct Document {
    std::size_t entry;
    std::size_t variant;  // which question; unused for an entry field
    bool entry_field;     // all the entry's variants concatenated
    double length;
    bool answer_field = false;  // the entry's answer text (with an analyzer only)
    // A question's terms that name a thing (TextAnalyzer::names_thing), sorted: what
    // its acts are done to or by (verb_with_its_thing).
    std::vector<std::uint32_t> things{};
  };
  // How specific the things are that a message names and the knowledge base lacks
  // (FaqMatch::unknown_thing, FaqMatch::unknown_subject).
  struct UnknownThings {
    double any = 0;
    double not_goods = 0;
    double weight = 0;  // what the words it lacks weigh in the message (FaqMatch::unknown_share)
  };
  struct QueryTerm {
    std::uint32_t term;
    double weight;           // IDF, lowered for a typo-corrected word
    bool as_written = true;  // false: a typo's correction, a synonym or a broader word
    bool topic = true;       // TextAnalyzer::names_topic, and not a character of a word
    bool amount = false;     // TextAnalyzer::asks_amount
    bool thing = false;      // a topic term that TextAnalyzer::names_thing
    // A broader word standing for a thing the knowledge base lacks ("Australia" ->
    // country, 澳大利亚 -> 国家).
    bool stands_for_thing = false;
    // Share of weight where an entry's answer has the term: a named place's country
    // (place_weight) meets an answer only as any broader word does (broader_weight),
    // as an answer's country is as often the shop's own ("2-4 days in the country").
    double in_answer = 1.0;
    bool place = false;  // a named place's country
    // A typo's correction or a Chinese compound's head: the visitor's word as meant, not
    // a related one.
    bool typed = false;
  };

  std::optional<std::uint32_t> correct_typo(const std::string& word) const;
  void note_unknown(UnknownThings& unknown, const std::string& token, double specificity) const;
  // What an English word the knowledge base lacks weighs in a message (scale: its
  // content weight): unknown_word_weight times the rarest IDF, by how specific the
  // word is, less for a word that names no thing; nothing for a number or a question
  // word.
  double unknown_weight(const std::string& token, double scale) const;
  std::vector<QueryTerm> resolve_query(std::string_view query, double& self_score,
                                       UnknownThings* unknown = nullptr) const;
  std::size_t best_variant_for(std::size_t entry, const std::vector<QueryTerm>& terms) const;

  std::vector<FaqEntry> entries_;
  FaqIndexOptions options_;
  std::unordered_map<std::string, std::uint32_t> terms_;
  std::vector<std::string> term_text_;
  std::vector<std::vector<Posting>> postings_;  // by term
  std::vector<double> idf_;                     // by term
  std::vector<Document> documents_;
  double average_variant_length_ = 1;
  double average_entry_length_ = 1;
  double average_answer_length_ = 1;
  std::vector<std::string> terms_of(std::string_view text) const;
  std::vector<std::string> indexed_terms_of(std::string_view text) const;
  double unknown_term_idf_ = 0;  // what a word the knowledge base never saw weighs
  // By entry: whether one of its questions asks when or how long (match_asks_when).
  std::vector<bool> asks_when_;
  // By entry: whether every one of its questions asks when or how long
  // (only_when_answers_when).
  std::vector<bool> only_when_;
  // By entry: the terms its questions have only as the time of another act, sorted
  // (times_of_acts_off_topic).
  std::vector<std::vector<std::uint32_t>> time_only_;
};

}  // namespace switchboard::faq
