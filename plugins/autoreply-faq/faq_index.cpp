#include "faq_index.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <unordered_set>

namespace switchboard::faq {
namespace {

// A corrected typo is a guess: it counts, but less than the word typed right.
constexpr double kTypoWeight = 0.7;

// Optimal string alignment distance (Levenshtein plus adjacent transpositions),
// giving up early once it must exceed max_distance.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t max_distance) {
  const std::size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > max_distance) return max_distance + 1;
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    std::size_t row_min = cur[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > max_distance) return max_distance + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

bool is_ascii_word(std::string_view w) {
  return std::all_of(w.begin(), w.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

// True when a phrase term (" a b", or " 话是" for Chinese) has a part in `terms`:
// a phrase of words that match nothing matches nothing either.
bool overlaps(const std::string& phrase, const std::unordered_set<std::string>& terms) {
  if (terms.empty()) return false;
  const auto space = phrase.find(' ', 1);
  if (space != std::string::npos)
    return terms.count(phrase.substr(1, space - 1)) || terms.count(phrase.substr(space + 1));
  for (std::size_t i = 1; i < phrase.size();) {
    const auto lead = static_cast<unsigned char>(phrase[i]);
    const std::size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (terms.count(phrase.substr(i, len))) return true;
    i += len;
  }
  return false;
}

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

}  // namespace

FaqIndex::FaqIndex(std::vector<FaqEntry> entries, FaqIndexOptions options)
    : entries_(std::move(entries)), options_(options) {
  std::unordered_set<std::string_view> ids;
  for (const auto& entry : entries_) {
    require(!entry.id.empty(), "FAQ entry with an empty id");
    require(ids.insert(entry.id).second, "duplicate FAQ entry id '" + entry.id + "'");
    require(!entry.questions.empty(), "FAQ entry '" + entry.id + "' has no question");
    require(!entry.answer.empty(), "FAQ entry '" + entry.id + "' has an empty answer");
  }

  auto term_id = [&](const std::string& text) {
    auto [it, inserted] = terms_.try_emplace(text, static_cast<std::uint32_t>(term_text_.size()));
    if (inserted) {
      term_text_.push_back(text);
      postings_.emplace_back();
    }
    return it->second;
  };
  // Adds one BM25 document made of `tokens` and returns its length.
  auto add_document = [&](std::size_t entry, std::size_t variant, bool entry_field,
                          const std::vector<std::string>& tokens, bool answer_field = false) {
    const auto doc = static_cast<std::uint32_t>(documents_.size());
    documents_.push_back(
        {entry, variant, entry_field, static_cast<double>(tokens.size()), answer_field});
    for (const auto& token : tokens) {
      auto& list = postings_[term_id(token)];
      if (!list.empty() && list.back().doc == doc) {
        ++list.back().term_frequency;
      } else {
        list.push_back({doc, 1});
      }
    }
  };

  std::vector<std::unordered_set<std::uint32_t>> entry_terms(entries_.size());
  for (std::size_t e = 0; e < entries_.size(); ++e) {
    std::vector<std::string> concatenated;
    for (std::size_t v = 0; v < entries_[e].questions.size(); ++v) {
      const auto& question = entries_[e].questions[v];
      auto tokens = indexed_terms_of(question);
      require(!tokens.empty(), "FAQ entry '" + entries_[e].id + "': question '" + question +
                                   "' has no searchable words");
      for (const auto& t : tokens) entry_terms[e].insert(term_id(t));
      add_document(e, v, false, tokens);
      if (options_.analyzer && options_.verb_with_its_thing) {
        auto& things = documents_.back().things;
        for (const auto& t : tokens)
          if (options_.analyzer->names_topic(t, false) && options_.analyzer->names_thing(t))
            things.push_back(term_id(t));
        std::sort(things.begin(), things.end());
        things.erase(std::unique(things.begin(), things.end()), things.end());
      }
      concatenated.insert(concatenated.end(), tokens.begin(), tokens.end());
    }
    add_document(e, 0, true, concatenated);
    if (options_.analyzer && options_.answer_weight > 0) {
      // Every language's answer; its terms do not count towards IDF (entry_terms):
      // answers repeat "My Orders" and the like, which say little about the question.
      std::vector<std::string> answer_terms;
      auto add_answer = [&](const std::string& text) {
        auto t = indexed_terms_of(text);
        answer_terms.insert(answer_terms.end(), t.begin(), t.end());
      };
      if (entries_[e].answers_by_language.empty()) add_answer(entries_[e].answer);
      for (const auto& [language, text] : entries_[e].answers_by_language) add_answer(text);
      add_document(e, 0, false, answer_terms, true);
    }
  }

  double variant_length = 0, entry_length = 0, answer_length = 0, variants = 0;
  for (const auto& d : documents_) {
    if (d.answer_field) {
      answer_length += d.length;
    } else {
      (d.entry_field ? entry_length : variant_length) += d.length;
      if (!d.entry_field) ++variants;
    }
  }
  if (!entries_.empty())
    average_answer_length_ = std::max(1.0, answer_length / static_cast<double>(entries_.size()));
  if (variants > 0) average_variant_length_ = variant_length / variants;
  if (!entries_.empty())
    average_entry_length_ = entry_length / static_cast<double>(entries_.size());

  // IDF over entries (Lucene's always-positive form).
  std::vector<std::size_t> entry_frequency(term_text_.size(), 0);
  for (const auto& terms : entry_terms) {
    for (auto t : terms) ++entry_frequency[t];
  }
  const auto n = static_cast<double>(entries_.size());
  auto idf = [n](double df) { return std::log(1.0 + (n - df + 0.5) / (df + 0.5)); };
  idf_.resize(term_text_.size());
  for (std::size_t t = 0; t < term_text_.size(); ++t)
    idf_[t] = idf(static_cast<double>(entry_frequency[t]));
  unknown_term_idf_ = idf(0);
  asks_when_.assign(entries_.size(), false);
  if (options_.analyzer && options_.match_asks_when)
    for (std::size_t e = 0; e < entries_.size(); ++e)
      for (const auto& question : entries_[e].questions)
        if (options_.analyzer->asks_when(question)) asks_when_[e] = true;
  // A question's own things are those no other entry's questions name: "order" in
  // "When will my order arrive?" is every order entry's, so its arriving is no one
  // thing's (verb_with_its_thing).
  for (auto& d : documents_)
    d.things.erase(std::remove_if(d.things.begin(), d.things.end(),
                                  [&](std::uint32_t t) { return entry_frequency[t] != 1; }),
                   d.things.end());
  time_only_.assign(entries_.size(), {});
  if (options_.analyzer && options_.times_of_acts_off_topic)
    for (std::size_t e = 0; e < entries_.size(); ++e) {
      std::unordered_set<std::string> times, elsewhere;
      for (const auto& question : entries_[e].questions) {
        const auto of_question = options_.analyzer->times_of_acts(question);
        times.insert(of_question.begin(), of_question.end());
        for (const auto& t : terms_of(question))
          if (!of_question.count(t)) elsewhere.insert(t);
      }
      for (const auto& t : times)
        if (!elsewhere.count(t))
          if (const auto it = terms_.find(t); it != terms_.end())
            time_only_[e].push_back(it->second);
      std::sort(time_only_[e].begin(), time_only_[e].end());
    }
  only_when_.assign(entries_.size(), false);
  if (options_.analyzer && options_.only_when_answers_when)
    for (std::size_t e = 0; e < entries_.size(); ++e)
      only_when_[e] =
          !entries_[e].questions.empty() &&
          std::all_of(entries_[e].questions.begin(), entries_[e].questions.end(),
                      [&](const std::string& q) { return options_.analyzer->asks_when(q); });
}

std::optional<std::uint32_t> FaqIndex::correct_typo(const std::string& word) const {
  if (word.size() < 4 || !is_ascii_word(word)) return std::nullopt;
  const std::size_t max_distance = word.size() >= 8 ? 2 : 1;
  std::optional<std::uint32_t> best;
  std::size_t best_distance = max_distance + 1;
  for (std::uint32_t t = 0; t < term_text_.size(); ++t) {
    const auto& candidate = term_text_[t];
    if (candidate.size() < 3 || !is_ascii_word(candidate)) continue;
    const auto d = edit_distance(word, candidate, max_distance);
    // Nearest wins; on a tie the more common word (lower IDF), then the first seen.
    if (d < best_distance || (d == best_distance && best && idf_[t] < idf_[*best])) {
      best = t;
      best_distance = d;
    }
  }
  if (best_distance > max_distance) return std::nullopt;
  return best;
}

void FaqIndex::note_unknown(UnknownThings& unknown, const std::string& token,
                            double specificity) const {
  unknown.any = std::max(unknown.any, specificity);
  if (is_ascii_word(token) && !options_.analyzer->is_goods(token))
    unknown.not_goods = std::max(unknown.not_goods, specificity);
}

double FaqIndex::unknown_weight(const std::string& token, double scale) const {
  const auto& analyzer = *options_.analyzer;
  if (TextAnalyzer::is_number(token) || analyzer.is_question_word(token)) return 0;
  scale *= analyzer.english_specificity(token);
  if (analyzer.is_known_word(token) && !analyzer.is_english_noun(token))
    scale *= options_.unknown_english_non_noun_weight;
  return unknown_term_idf_ * options_.unknown_word_weight * scale;
}

std::vector<FaqIndex::QueryTerm> FaqIndex::resolve_query(std::string_view query, double& self_score,
                                                         UnknownThings* unknown) const {
  std::vector<QueryTerm> resolved;
  std::unordered_set<std::string> seen;
  self_score = 0;
  std::vector<bool> within_word;
  auto tokens = options_.analyzer ? options_.analyzer->terms(query, &within_word) : terms_of(query);
  // Words the knowledge base has that belong to a thing it lacks ("router password",
  // 医院的电话): the message is about that thing, so they weigh in the message but
  // match nothing.
  std::unordered_set<std::string> attached;
  if (options_.analyzer && options_.owner_check) {
    const auto& analyzer = *options_.analyzer;
    attached = analyzer.attached_to_unknown_nouns(query, [&](const std::string& term) {
      if (terms_.count(term)) return true;
      for (const auto& r : analyzer.related(term))
        if (terms_.count(r)) return true;
      for (const auto& r : analyzer.broader(term))
        if (terms_.count(r)) return true;
      return false;
    });
  }
  // The abstract head of a known noun ("payment options", "contact info") says what
  // about it is asked: it weighs as a word that names no thing.
  std::unordered_set<std::string> aspects;
  if (options_.analyzer && options_.owner_check)
    aspects = options_.analyzer->aspects_of_known_nouns(
        query, [&](const std::string& term) { return terms_.count(term) > 0; });
  // Places the visitor says they are in (TextAnalyzer::visitor_places).
  std::unordered_set<std::string> visitor_places, frame;
  if (options_.analyzer && options_.place_weight > 0 && options_.visitor_place_weight > 0)
    visitor_places = options_.analyzer->visitor_places(query, &frame);
  // Where they are in (resolved index, weight and self-score as any named place's,
  // self-score as the visitor's place): kept only when the message names no other
  // thing the knowledge base lacks.
  struct VisitorPlace {
    std::size_t at;
    double place_weight, place_self, self;
  };
  std::vector<VisitorPlace> visitor_place_terms;
  bool other_unknown = false;
  const bool business_own = options_.analyzer && (options_.analyzer->speaks_of_business(query) ||
                                                  options_.analyzer->names_only_times(query));
  // Of the words the analyzer offers for one, the one the knowledge base has that is
  // rarest in it.
  auto rarest_known = [&](const auto& words) {
    std::optional<std::uint32_t> rarest;
    for (const auto& word : words)
      if (auto it = terms_.find(word);
          it != terms_.end() && (!rarest || idf_[it->second] > idf_[*rarest]))
        rarest = it->second;
    return rarest;
  };
  // Another thing the message names that the knowledge base lacks as written.
  if (!visitor_places.empty())
    for (std::size_t i = 0; i < tokens.size() && !other_unknown; ++i) {
      const auto& token = tokens[i];
      const auto known = terms_.find(token);
      if (within_word[i] || (known != terms_.end() && idf_[known->second] < unknown_term_idf_) ||
          frame.count(token) || TextAnalyzer::is_number(token) ||
          options_.analyzer->is_question_word(token) || options_.analyzer->is_place_name(token))
        continue;
      other_unknown = is_cjk_term(token) ? !options_.analyzer->names_no_thing(token) : true;
    }
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    auto& token = tokens[i];
    if (!seen.insert(token).second) continue;
    const bool cjk_unigram = is_cjk_term(token) && token.size() <= 4;  // one code point
    double scale = cjk_unigram ? options_.cjk_unigram_weight : 1.0;
    if (options_.analyzer) scale *= options_.analyzer->content_weight(token);
    if (auto it = terms_.find(token); it != terms_.end() && attached.count(token)) {
      self_score += idf_[it->second] * scale;
      if (unknown) unknown->weight += idf_[it->second] * scale;
      continue;
    }
    // A character of a longer word counts, but says what the message is about only
    // through its word.
    auto topic = [&](std::uint32_t term) {
      return !options_.analyzer ||
             (!within_word[i] && options_.analyzer->names_topic(term_text_[term], business_own));
    };
    if (auto it = terms_.find(token); it != terms_.end()) {
      resolved.push_back({it->second, idf_[it->second] * scale, true, topic(it->second),
                          options_.analyzer && options_.analyzer->asks_amount(token)});
      self_score += idf_[it->second] * scale;
      continue;
    }
    // A real word the knowledge base lacks is not a misspelling of one it has
    // ("bill" is not "will"): only words no dictionary knows are corrected.
    const bool real_word = options_.analyzer && options_.analyzer->is_known_word(token);
    if (options_.correct_typos && !real_word) {
      if (auto corrected = correct_typo(token)) {
        resolved.push_back({*corrected, idf_[*corrected] * kTypoWeight, false, topic(*corrected)});
        resolved.back().typed = true;
        self_score += idf_[*corrected];
        continue;
      }
    }
    if (options_.analyzer) {
      // A Chinese compound the knowledge base lacks, whose head it has (电子邮件 ->
      // 邮件): matched as the head, like a synonym.
      const auto parts = options_.analyzer->chinese_head(
          token, [&](const std::string& term) { return terms_.count(term) > 0; });
      if (!parts.empty()) {
        for (const auto& part : parts) {
          if (!seen.insert(part).second) continue;
          const auto t = terms_.at(part);
          const double share = scale / static_cast<double>(parts.size());
          resolved.push_back({t, idf_[t] * options_.related_weight * share, false, topic(t)});
          resolved.back().typed = true;  // the head is in the visitor's own word
          self_score += idf_[t] * share;
        }
        continue;
      }
      // An English word matched through a word that only the entries' answers have
      // weighs in the message what it would weigh unmatched, at most. Such a word has
      // the highest IDF there is (answers do not count towards it), so a general word
      // whose WordNet sense meets one ("still" -> photo, "process" -> origin, "two" ->
      // 2) had weighed as much as the rarest thing a message can name, and matched
      // none of the entries' questions.
      const auto as_mapped = [&](std::uint32_t mapped) {
        const double weight = idf_[mapped] * scale;
        if (!options_.cap_answer_only_synonyms || is_cjk_term(token) || weight <= 0 ||
            idf_[mapped] < unknown_term_idf_)
          return 1.0;
        return std::min(1.0, unknown_weight(token, scale) / weight);
      };
      // Synonyms the knowledge base knows ("purchase" -> "buy"), the best one only:
      // a word counts once, whatever it is matched as.
      if (const auto related = rarest_known(options_.analyzer->related(token));
          related && seen.insert(term_text_[*related]).second) {
        const double cap = as_mapped(*related);
        resolved.push_back({*related, idf_[*related] * options_.related_weight * scale * cap, false,
                            topic(*related)});
        self_score += idf_[*related] * scale * cap;
        continue;
      }
      // Else a broader word the knowledge base has ("reimburse" -> refund), for less.
      // A named place stands for a country (Brazil, 日本): the word the entries'
      // questions use for it, where they have one, rather than an answer's.
      const bool place = options_.place_weight > 0 && options_.analyzer->is_place_name(token);
      auto broader_known = [&]() -> std::optional<std::uint32_t> {
        if (options_.broader_weight <= 0) return std::nullopt;
        if (!place) return rarest_known(options_.analyzer->broader(token));
        const auto words = options_.analyzer->place_broader(token);
        std::vector<std::string> asked;  // by the questions (answer-only terms: unknown IDF)
        for (const auto& word : words)
          if (auto it = terms_.find(word);
              it != terms_.end() && idf_[it->second] < unknown_term_idf_)
            asked.push_back(word);
        return rarest_known(asked.empty() ? words : asked);
      };
      if (const auto broader = broader_known();
          broader && seen.insert(term_text_[*broader]).second) {
        const double cap = as_mapped(*broader);
        const bool visitors = place && visitor_places.count(token) > 0;
        const double plain_scale = scale;
        // Where the visitor is says what the message is about, however common a word
        // the place is in jieba's corpus (日本 0.5).
        if (visitors) scale = std::max(scale, 1.0);
        const double share = visitors ? options_.visitor_place_weight
                             : place  ? options_.place_weight
                                      : options_.broader_weight;
        if (visitors) {
          const double plain = idf_[*broader] * plain_scale * cap;
          visitor_place_terms.push_back({resolved.size(), plain * options_.place_weight, plain,
                                         idf_[*broader] * scale * cap});
        }
        resolved.push_back(
            {*broader, idf_[*broader] * share * scale * cap, false, topic(*broader)});
        // A thing named by what it is an instance of ("France" -> country) is still a
        // thing the knowledge base lacks; an entry with the broader word speaks of it.
        if (unknown) note_unknown(*unknown, token, options_.analyzer->english_specificity(token));
        resolved.back().stands_for_thing = true;
        if (place) {
          resolved.back().place = true;
          resolved.back().in_answer = options_.broader_weight / share;
          // The visitor's own country, in the visitor's words ("my country").
          if (visitors) resolved.back().typed = true;
        }
        self_score += idf_[*broader] * scale * cap;
        continue;
      }
    }
    if (options_.analyzer) {
      // A character of a longer Chinese word weighs nothing when unknown: the word
      // it belongs to already does (比特币 counts once, not four times).
      if (within_word[i]) continue;
      // A number the knowledge base lacks (an order number, an amount: "48213", "2nd")
      // says which order, not what about it; a question word ("why") what kind of
      // answer is wanted: they weigh nothing, as function words.
      if (TextAnalyzer::is_number(token) || options_.analyzer->is_question_word(token)) continue;
      // A general word ("week", "still", "seen") says less about what the message
      // is about than a specific one ("bitcoin", "hospital"): long questions full
      // of general words the knowledge base lacks are still about its entries.
      const double specificity = options_.analyzer->english_specificity(token);
      scale *= specificity;
      // A word no dictionary knows may be anything (bitcoin, 比特币).
      const bool aspect = aspects.count(token) > 0;
      const bool thing = is_cjk_term(token)
                             ? !options_.analyzer->names_no_thing(token)
                             : !aspect && (options_.analyzer->is_english_noun(token) ||
                                           !options_.analyzer->is_known_word(token));
      if (unknown && thing) note_unknown(*unknown, token, specificity);
      // A word that names no thing (记不起来, 进去, "late", "put") says less about the
      // topic than one that does (比特币, 医院, "hospital").
      if (is_cjk_term(token) ? options_.analyzer->names_no_thing(token)
                             : aspect || (options_.analyzer->is_known_word(token) &&
                                          !options_.analyzer->is_english_noun(token)))
        scale *= is_cjk_term(token) ? options_.unknown_non_noun_weight
                                    : options_.unknown_english_non_noun_weight;
    }
    self_score += unknown_term_idf_ * options_.unknown_word_weight * scale;
    if (unknown) unknown->weight += unknown_term_idf_ * options_.unknown_word_weight * scale;
  }
  if (other_unknown)
    for (const auto& v : visitor_place_terms) {
      resolved[v.at].weight = v.place_weight;
      resolved[v.at].typed = false;
      resolved[v.at].in_answer = options_.broader_weight / options_.place_weight;
      self_score += v.place_self - v.self;
    }
  // Phrase terms add to the message's weight only when the knowledge base has them:
  // an entry that shares the words but not the phrase then covers less of it.
  if (options_.analyzer && options_.phrase_weight > 0) {
    for (auto& phrase : options_.analyzer->phrase_terms(query)) {
      if (!seen.insert(phrase).second || overlaps(phrase, attached)) continue;
      const auto it = terms_.find(phrase);
      if (it == terms_.end()) continue;
      const double weight = idf_[it->second] * options_.phrase_weight;
      resolved.push_back({it->second, weight, true, false});  // counts only with its words
      self_score += weight;
    }
  }
  if (options_.analyzer)
    for (auto& r : resolved)
      r.thing = r.topic && options_.analyzer->names_thing(term_text_[r.term]);
  return resolved;
}

std::size_t FaqIndex::best_variant_for(std::size_t entry,
                                       const std::vector<QueryTerm>& terms) const {
  // Concatenated scoring has no per-variant score: name the variant that shares the
  // most query weight, so the admin still sees a source.
  std::size_t best = 0;
  double best_weight = -1;
  const auto& questions = entries_[entry].questions;
  for (std::size_t v = 0; v < questions.size(); ++v) {
    std::unordered_set<std::string> tokens;
    for (auto& t : indexed_terms_of(questions[v])) tokens.insert(std::move(t));
    double weight = 0;
    for (const auto& q : terms) {
      if (tokens.count(term_text_[q.term])) weight += q.weight;
    }
    if (weight > best_weight) {
      best_weight = weight;
      best = v;
    }
  }
  return best;
}

std::vector<std::string> FaqIndex::indexed_terms_of(std::string_view text) const {
  auto terms = terms_of(text);
  if (options_.analyzer && options_.phrase_weight > 0) {
    auto phrases = options_.analyzer->phrase_terms(text);
    terms.insert(terms.end(), phrases.begin(), phrases.end());
  }
  return terms;
}

TermWeights FaqIndex::term_weights(std::string_view text) const {
  std::map<std::string, double> weights;
  for (auto& term : terms_of(text)) {
    const auto known = terms_.find(term);
    double weight = known != terms_.end() ? idf_[known->second] : unknown_term_idf_;
    if (options_.analyzer) weight *= options_.analyzer->content_weight(term);
    weights.emplace(std::move(term), weight);
  }
  return {weights.begin(), weights.end()};
}

double likeness(const TermWeights& a, const TermWeights& b) {
  double shared = 0, either = 0;
  auto x = a.begin(), y = b.begin();
  while (x != a.end() || y != b.end()) {
    if (y == b.end() || (x != a.end() && x->first < y->first)) {
      either += (x++)->second;
    } else if (x == a.end() || y->first < x->first) {
      either += (y++)->second;
    } else {
      shared += std::min(x->second, y->second);
      either += std::max((x++)->second, (y++)->second);
    }
  }
  return either > 0 ? shared / either : 0.0;
}

std::vector<std::string> FaqIndex::terms_of(std::string_view text) const {
  return options_.analyzer ? options_.analyzer->terms(text) : tokenize(text, options_.tokenizer);
}

const std::string& FaqEntry::answer_in(std::string_view language) const {
  if (language.empty() || answers_by_language.empty()) return answer;
  if (auto it = answers_by_language.find(language); it != answers_by_language.end())
    return it->second;
  const auto primary = language.substr(0, language.find_first_of("-_"));
  if (auto it = answers_by_language.find(primary); it != answers_by_language.end())
    return it->second;
  return answer;
}

std::vector<FaqMatch> FaqIndex::search(std::string_view query, std::size_t top_k,
                                       std::optional<std::string_view> tag) const {
  double self_score = 0;
  UnknownThings unknown;
  const auto terms = resolve_query(query, self_score, &unknown);
  if (terms.empty() || top_k == 0) return {};

  std::vector<double> doc_score(documents_.size(), 0.0);
  const double k1 = options_.k1, b = options_.b;
  for (const auto& q : terms) {
    for (const auto& p : postings_[q.term]) {
      const double tf = p.term_frequency;
      const auto& doc = documents_[p.doc];
      const double average = doc.answer_field  ? average_answer_length_
                             : doc.entry_field ? average_entry_length_
                                               : average_variant_length_;
      const double norm = 1 - b + b * doc.length / average;
      doc_score[p.doc] +=
          (doc.answer_field ? q.weight * q.in_answer : q.weight) * tf * (k1 + 1) / (tf + k1 * norm);
    }
  }

  auto has_tag = [&](std::size_t entry) {
    if (!tag) return true;
    const auto& tags = entries_[entry].tags;
    return std::find(tags.begin(), tags.end(), *tag) != tags.end();
  };
  // Best variant and entry field per entry, then the configured mix of the two.
  std::vector<double> variant_score(entries_.size(), 0.0), field_score(entries_.size(), 0.0);
  std::vector<double> answer_score(entries_.size(), 0.0);
  std::vector<std::size_t> entry_variant(entries_.size(), 0);
  for (std::size_t d = 0; d < documents_.size(); ++d) {
    const auto& doc = documents_[d];
    if (doc.answer_field) {
      answer_score[doc.entry] = doc_score[d];
    } else if (doc.entry_field) {
      field_score[doc.entry] = doc_score[d];
    } else if (doc_score[d] > variant_score[doc.entry]) {
      variant_score[doc.entry] = doc_score[d];
      entry_variant[doc.entry] = doc.variant;
    }
  }
  const double variant_weight = options_.scoring == EntryScoring::best_variant ? 1.0
                                : options_.scoring == EntryScoring::concatenated_variants
                                    ? 0.0
                                    : options_.blend_best_variant_weight;
  std::vector<double> entry_score(entries_.size(), 0.0);
  for (std::size_t e = 0; e < entries_.size(); ++e) {
    if (has_tag(e))
      entry_score[e] = variant_weight * variant_score[e] + (1 - variant_weight) * field_score[e] +
                       options_.answer_weight * answer_score[e];
  }
  // With an analyzer, coverage is the share of the message's weight that the entry
  // contains at all (a word its answer alone has counts answer_weight): BM25's
  // length normalisation lets one word in a short question look like the whole
  // message ("pay" in "Can I pay with PayPal?" for "do I pay for delivery").
  std::vector<double> matched_weight(entries_.size(), 0.0), written_weight(entries_.size(), 0.0);
  std::vector<bool> on_topic(entries_.size(), !options_.analyzer);
  std::vector<bool> asks_like(entries_.size(), false);  // shares an amount word in questions
  std::vector<bool> shares_thing(entries_.size(), !options_.analyzer);
  std::vector<bool> speaks_of_unknown(entries_.size(), false);
  std::vector<bool> meets_typed(entries_.size(), !options_.analyzer);
  if (options_.analyzer) {
    std::vector<double> in_questions(entries_.size(), 0.0), in_answer(entries_.size(), 0.0);
    // The things the message names in its own words that the entries' questions have,
    // and by entry whether it has one of the things the message names in any way
    // (verb_with_its_thing).
    std::vector<std::uint32_t> message_things;
    std::vector<bool> names_message_thing(entries_.size(), false);
    if (options_.verb_with_its_thing) {
      for (const auto& q : terms)
        if (q.thing && (q.as_written || q.typed) && idf_[q.term] < unknown_term_idf_)
          message_things.push_back(q.term);
      std::sort(message_things.begin(), message_things.end());
      if (!message_things.empty())
        for (const auto& q : terms)
          if (q.thing)
            for (const auto& p : postings_[q.term])
              names_message_thing[documents_[p.doc].entry] = true;
    }
    // By entry, for one act the message names: 1 when only questions about their own
    // other things have it, 2 when a question that names no own thing or one of the
    // message's does.
    std::vector<unsigned char> act_context(entries_.size(), 0);
    for (const auto& q : terms) {
      const bool act = !message_things.empty() && q.topic && !q.thing;
      if (act)
        for (const auto& p : postings_[q.term]) {
          const auto& doc = documents_[p.doc];
          if (doc.answer_field || doc.entry_field) continue;
          const bool about_its_thing =
              doc.things.empty() ||
              std::any_of(doc.things.begin(), doc.things.end(), [&](std::uint32_t t) {
                return std::binary_search(message_things.begin(), message_things.end(), t);
              });
          act_context[doc.entry] =
              std::max<unsigned char>(act_context[doc.entry], about_its_thing ? 2 : 1);
        }
      for (const auto& p : postings_[q.term]) {
        const auto& doc = documents_[p.doc];
        // An act said of another thing than the message's matches in the entry's answer
        // at most (answer_weight), not in its questions.
        if (!doc.answer_field && act_context[doc.entry] == 1 && !names_message_thing[doc.entry])
          continue;
        (doc.answer_field ? in_answer : in_questions)[doc.entry] =
            doc.answer_field ? q.weight * q.in_answer : q.weight;
      }
      for (std::size_t e = 0; e < entries_.size(); ++e) {
        const double matched = std::max(in_questions[e], options_.answer_weight * in_answer[e]);
        matched_weight[e] += matched;
        if (q.as_written) written_weight[e] += matched;
        if (q.topic && matched > 0 &&
            !std::binary_search(time_only_[e].begin(), time_only_[e].end(), q.term))
          on_topic[e] = true;
        if (q.thing && matched > 0) shares_thing[e] = true;
        // A place's country in an answer may be the shop's own ("in the country").
        if (q.stands_for_thing && (q.place ? in_questions[e] : matched) > 0)
          speaks_of_unknown[e] = true;
        if ((q.as_written || q.typed) && matched > 0) meets_typed[e] = true;
        if (q.amount && in_questions[e] > 0) asks_like[e] = true;
        in_questions[e] = in_answer[e] = 0;
        act_context[e] = 0;
      }
    }
  }
  if (options_.analyzer && options_.match_asks_when && options_.analyzer->asks_when(query))
    for (std::size_t e = 0; e < entries_.size(); ++e)
      if (asks_when_[e]) asks_like[e] = true;
  // A message that neither asks when nor names a time or a span of time asks nothing
  // an entry that only says when answers ("Do you offer next-day shipping?" is no
  // question of "How long does shipping take?").
  // A message that asks nothing ("parcel arrive", "shipping time") names its topic, and
  // the entry's when may be all it wants.
  const bool asks_no_time = options_.analyzer && options_.only_when_answers_when &&
                            asks_anything(query) && !options_.analyzer->asks_when(query) &&
                            !options_.analyzer->names_time(query);
  std::vector<std::size_t> ranked;
  for (std::size_t e = 0; e < entries_.size(); ++e) {
    if (entry_score[e] > 0) ranked.push_back(e);
  }
  // Ties keep file order so results are deterministic.
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](std::size_t x, std::size_t y) { return entry_score[x] > entry_score[y]; });
  const double runner_up = ranked.size() > 1 ? entry_score[ranked[1]] : 0.0;
  if (ranked.size() > top_k) ranked.resize(top_k);

  // The amount asked for counts where a candidate shown asks for it too.
  const bool amount_asked =
      std::any_of(ranked.begin(), ranked.end(), [&](std::size_t e) { return asks_like[e]; });
  std::vector<FaqMatch> matches;
  matches.reserve(ranked.size());
  for (auto e : ranked) {
    // The concatenated field has no variant of its own; the best-scoring one is still
    // the best explanation, falling back to word overlap when no variant scored.
    const auto variant = variant_score[e] > 0 ? entry_variant[e] : best_variant_for(e, terms);
    FaqMatch m;
    m.entry_id = entries_[e].id;
    m.entry_index = e;
    m.matched_question = entries_[e].questions[variant];
    m.score = entry_score[e];
    const double covered = options_.analyzer ? matched_weight[e] : entry_score[e];
    const double coverage = self_score > 0 ? std::clamp(covered / self_score, 0.0, 1.0) : 0.0;
    m.coverage = coverage;
    m.confidence = confidence_against(m, runner_up);
    m.unknown_thing = unknown.any;
    m.unknown_subject = unknown.not_goods;
    if (options_.analyzer && self_score > 0)
      m.unknown_share = std::clamp(unknown.weight / self_score, 0.0, 1.0);
    m.speaks_of_unknown_thing = speaks_of_unknown[e];
    m.meets_a_typed_word = meets_typed[e];
    m.as_written = matched_weight[e] > 0 ? written_weight[e] / matched_weight[e] : 1.0;
    m.on_topic = on_topic[e];
    m.shares_thing = shares_thing[e];
    m.answers_the_ask = !amount_asked || asks_like[e];
    if (asks_no_time && only_when_[e]) m.answers_the_ask = false;
    if (options_.analyzer)
      for (const auto& q : terms)
        if (q.topic && std::any_of(postings_[q.term].begin(), postings_[q.term].end(),
                                   [&](const Posting& p) { return documents_[p.doc].entry == e; }))
          m.topic_terms.push_back(q.term);
    std::sort(m.topic_terms.begin(), m.topic_terms.end());
    m.topic_terms.erase(std::unique(m.topic_terms.begin(), m.topic_terms.end()),
                        m.topic_terms.end());
    matches.push_back(std::move(m));
  }
  return matches;
}

double FaqIndex::confidence_against(const FaqMatch& match, double runner_up) const {
  if (match.score <= 0) return 0;
  const double lead = std::clamp((1.0 - runner_up / match.score) / options_.clear_lead, 0.0, 1.0);
  return match.coverage * (1.0 - options_.margin_weight + options_.margin_weight * lead);
}

std::optional<FaqMatch> FaqIndex::answer(std::string_view query, double min_confidence,
                                         std::optional<std::string_view> tag) const {
  auto top = search(query, 1, tag);
  if (top.empty() || top.front().confidence < min_confidence) return std::nullopt;
  return std::move(top.front());
}

}  // namespace switchboard::faq
