#include "text_analyzer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <future>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "ascii.hpp"
#include "english_stemmer.hpp"
#include "tokenizer.hpp"

namespace switchboard::faq {
namespace {

// Corpus IDF at or above this is a content word (weight 1); jieba's median is ~12,
// "退款" 10.1, "运费" 9.1, "多久" 7.5, "怎么" 4.4, "的" 0.9.
constexpr double kContentIdf = 10.0;
constexpr double kMinContentWeight = 0.1;
// English specificity, from the times a word is tagged in WordNet's corpus counts
// (about 260,000 words): at most this often, a specific word (weight 1: "refund" 9,
// "bitcoin" 0)...
constexpr double kRareUses = 2;
// ...at least this often, a general one (the minimum weight: "see" 1,250, "time"
// 603); in between, by the logarithm ("week" 107: 0.28, "lamp" 14: 0.65).
constexpr double kCommonUses = 500;
// The most words of a name joined into one ("united_states_of_america").
constexpr std::size_t kLongestName = 4;

using detail::is_ascii;

// English contractions spelled out, so that their halves are the function words
// they stand for ("haven't" -> "have not"; "you're" -> "you are") instead of
// fragments no dictionary knows ("haven", "re"), which would weigh as unknown,
// specific words. The apostrophe may be ' or ’.
std::string expand_contractions(std::string text) {
  static const std::pair<std::string_view, std::string_view> kSuffixes[] = {
      {"re", " are"}, {"ve", " have"}, {"ll", " will"}, {"m", " am"}, {"d", " would"}};
  std::string out;
  out.reserve(text.size() + 16);
  auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  for (std::size_t i = 0; i < text.size();) {
    const bool straight = text[i] == '\'';
    const bool curly = text.compare(i, 3, "\xE2\x80\x99") == 0;
    if (!(straight || curly) || out.empty() || !is_letter(out.back())) {
      out += text[i++];
      continue;
    }
    const std::size_t after = i + (curly ? 3 : 1);
    std::size_t end = after;
    while (end < text.size() && is_letter(text[end])) ++end;
    std::string suffix = text.substr(after, end - after);
    std::transform(suffix.begin(), suffix.end(), suffix.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (suffix == "t" && (out.back() == 'n' || out.back() == 'N')) {
      out.pop_back();  // "n't": "can't" -> ca, "won't" -> wo, "don't" -> do
      std::string stem_lower;
      for (auto k = out.size(); k > 0 && is_letter(out[k - 1]); --k)
        stem_lower.insert(stem_lower.begin(), static_cast<char>(std::tolower(out[k - 1])));
      if (stem_lower == "ca") out += 'n';
      if (stem_lower == "wo") out.replace(out.size() - 2, 2, "will");
      out += " not";
      i = end;
      continue;
    }
    bool expanded = false;
    for (const auto& [ending, words] : kSuffixes) {
      if (suffix == ending) {
        out += words;
        expanded = true;
        break;
      }
    }
    i = expanded ? end : i + 1;
    if (!expanded) out += ' ';  // "'s" and the like: a separator, as before
  }
  return out;
}

// A negative contraction typed without its apostrophe ("cant", "dont", "isnt") is
// the word "not" after an auxiliary, as "can't" is: not a noun ("cant", jargon) or
// a word no dictionary knows. The auxiliaries are the closed list below.
bool is_bare_negative_contraction(std::string_view w) {
  static constexpr std::string_view kAuxiliaries[] = {"ca",  "wo",  "do",    "does",  "did",
                                                      "is",  "are", "was",   "were",  "have",
                                                      "has", "had", "would", "could", "should"};
  if (w.size() < 4 || w.substr(w.size() - 2) != "nt") return false;
  const auto auxiliary = w.substr(0, w.size() - 2);
  return std::find(std::begin(kAuxiliaries), std::end(kAuxiliaries), auxiliary) !=
         std::end(kAuxiliaries);
}

// Whether two words are one edit apart: a letter changed, added or left out, or two
// neighbouring letters swapped ("lnog" / "long", "hw" / "how").
bool one_edit_apart(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (i == a.size()) return a.size() != b.size();  // equal words are no edit apart
  if (a.size() < b.size()) return a.substr(i) == b.substr(i + 1);
  if (a.substr(i + 1) == b.substr(i + 1)) return true;  // one letter changed
  return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
         a.substr(i + 2) == b.substr(i + 2);
}

// The question word a typed word misspells, or "": one edit from exactly one of the
// English question words (and the degree words "how" asks with), with its first letter
// ("lnog" -> long, "hw" -> how, "waht" -> what). Only a word no dictionary knows is
// such a typo (known(word): "hoe", "lone" are words), and a word that could be two of
// them is neither.
std::string_view misspelt_question_word(std::string_view word,
                                        const std::function<bool(std::string_view)>& known) {
  static constexpr std::string_view kQuestionWords[] = {"how",   "what", "when", "where",
                                                        "which", "why",  "who",  "whose",
                                                        "long",  "much", "many", "soon"};
  if (word.size() < 2 ||
      !std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    return {};
  std::string_view found;
  for (const auto q : kQuestionWords) {
    if (q == word) return {};
    if (q.front() != word.front() || !one_edit_apart(word, q)) continue;
    if (!found.empty()) return {};
    found = q;
  }
  if (found.empty() || known(word)) return {};
  return found;
}

// A pronoun that may stand between a verb and its particle ("call it off").
bool is_object_pronoun(std::string_view w) {
  return w == "it" || w == "them" || w == "this" || w == "that" || w == "him" || w == "her" ||
         w == "me" || w == "us";
}

// Whether a run of Chinese (folded to simplified characters) ends asking whether
// something has happened yet: ...了吗, ...了没, ...了没有 (发货了没: has it shipped yet), or
// 还没 and a verb of at most three characters before 吗 or 呢 (还没发货吗, 怎么还没发出去呢:
// has it still not shipped?). Not a condition before another question (还没发货可以取消吗:
// can I cancel while it has not shipped).
bool asks_whether_done(std::string_view run) {
  auto ends_with = [&run](std::string_view end) {
    return run.size() >= end.size() && run.substr(run.size() - end.size()) == end;
  };
  for (const std::string_view end : {"了没", "了没有", "了吗"})
    if (ends_with(end)) return true;
  constexpr std::string_view kStillNot = "还没";
  constexpr std::size_t kCharBytes = 3;  // a Chinese character in UTF-8
  constexpr std::size_t kLongestVerb = 3;
  if (!ends_with("吗") && !ends_with("呢")) return false;
  const auto at = run.rfind(kStillNot);
  if (at == std::string_view::npos) return false;
  const std::size_t between = run.size() - kCharBytes - (at + kStillNot.size());
  return between > 0 && between <= kLongestVerb * kCharBytes;
}

}  // namespace

std::vector<TextPiece> TextAnalyzer::pieces_of(std::string_view text) const {
  auto pieces = text_pieces(expand_contractions(folding_->fold(text)));
  for (auto& piece : pieces) {
    if (piece.unsegmented) continue;
    if (is_bare_negative_contraction(piece.word)) {
      piece.word = "not";
      continue;
    }
    // Chat spellings of the pronouns of address: "whats ur support email" asks for
    // "your support email" ("ur" as written is WordNet's Sumerian city).
    if (piece.word == "ur") piece.word = "your";
    if (piece.word == "u") piece.word = "you";
    // A misspelt question word asks what the word asks ("how lnog till I see my money"
    // asks how long): as written it would weigh as a thing the knowledge base lacks.
    const auto meant = misspelt_question_word(
        piece.word, [this](std::string_view w) { return wordnet_->knows(english_stem(w)); });
    if (!meant.empty()) piece.word = meant;
  }
  // A verb and its particle written as one word, which no dictionary has ("login",
  // "signup"): the two words WordNet has as one verb ("log in"), so "reset my login"
  // meets "I can't log in" rather than weighing as a thing the knowledge base lacks.
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    if (pieces[p].unsegmented || is_english_stop_word(pieces[p].word)) continue;
    const auto* phrasal = wordnet_->solid_phrasal(pieces[p].word);
    if (!phrasal || wordnet_->knows(english_stem(pieces[p].word))) continue;
    const auto space = phrasal->find(' ');
    TextPiece particle;
    particle.word = phrasal->substr(space + 1);
    pieces[p].word = phrasal->substr(0, space);
    pieces.insert(pieces.begin() + static_cast<std::ptrdiff_t>(p + 1), std::move(particle));
    ++p;
  }
  // "how fast" and "how quickly" ask what "how soon" asks, a time (asks_when): the
  // speed word is the question's, not a word about its topic.
  for (std::size_t p = 1; p < pieces.size(); ++p)
    if (!pieces[p].unsegmented && !pieces[p - 1].unsegmented && pieces[p - 1].word == "how" &&
        (pieces[p].word == "fast" || pieces[p].word == "quickly" || pieces[p].word == "quick"))
      pieces[p].word = "soon";
  // The business named as itself says no more than "you" does: the tenant's names for
  // itself ("your store", "the shop", business_names in its synonyms file) and the
  // plural of address after "you" ("you guys", "you folks") are dropped, as "you" is a
  // function word. Else they weigh as things the knowledge base lacks ("I live in
  // Canada, can I order from your store": a thing besides the visitor's place).
  std::vector<TextPiece> kept;
  kept.reserve(pieces.size());
  for (auto& piece : pieces) {
    if (!piece.unsegmented) {
      const auto& w = piece.word;
      const std::string previous =
          kept.empty() || kept.back().unsegmented ? std::string() : kept.back().word;
      if (((previous == "you" || previous == "u") &&
           (w == "guys" || w == "folks" || w == "people" || w == "lot")) ||
          business_names_.count(w) > 0 ||
          (w.size() > 1 && w.back() == 's' && business_names_.count(w.substr(0, w.size() - 1))))
        continue;
    }
    kept.push_back(std::move(piece));
  }
  pieces = std::move(kept);
  // A name of several words that WordNet has as one ("New Zealand", "South Korea",
  // "the United States of America": WordNetSynonyms::is_name) is one word, written as
  // WordNet writes it ("new_zealand"): its words apart are other things ("zealand" is a
  // Danish island, "new" a word of no place), and a place of two words is a place.
  // The longest name wins. A name does not start with a function word: the article
  // before one is the sentence's ("the United States"), and WordNet's few names that
  // start with it are everyday phrases too ("the city", "the states").
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    if (pieces[p].unsegmented || !is_ascii(pieces[p].word) || is_english_stop_word(pieces[p].word))
      continue;
    std::size_t words = 1;
    std::string joined = pieces[p].word, name;
    for (std::size_t n = 2; n <= kLongestName && p + n <= pieces.size(); ++n) {
      const auto& next = pieces[p + n - 1];
      if (next.unsegmented || !is_ascii(next.word)) break;
      joined += "_" + next.word;
      if (wordnet_->is_name(joined)) {
        words = n;
        name = joined;
      }
    }
    if (words == 1) continue;
    pieces[p].word = std::move(name);
    pieces.erase(pieces.begin() + static_cast<std::ptrdiff_t>(p + 1),
                 pieces.begin() + static_cast<std::ptrdiff_t>(p + words));
  }
  return pieces;
}

TextAnalyzer::TextAnalyzer(const TextAnalyzerFiles& files) {
  const WordAnalysis stem = [](std::string_view word) {
    return is_ascii(word) ? english_stem(word) : std::string(word);
  };
  // The English data (WordNet and its word counts) and the Chinese (the jieba files)
  // are independent and take about as long: the English loads on a second thread
  // meanwhile, which halves the server's start on two cores. Where no thread can be
  // started, here after the Chinese.
  auto load_english = [&] {
    return std::pair(WordNetSynonyms::shared(files.wordnet_directory, stem),
                     WordUsage::shared(files.wordnet_directory / "cntlist.rev", stem));
  };
  std::future<decltype(load_english())> english;
  try {
    english = std::async(std::launch::async, load_english);
  } catch (const std::system_error&) {
    english = std::async(std::launch::deferred, load_english);
  }
  std::exception_ptr failed;
  try {
    segmenter_ = ChineseSegmenter::shared(files.jieba_dictionary);
    corpus_idf_ = CorpusIdf::shared(files.jieba_idf);
    folding_ = std::make_unique<ScriptFolding>(files.opencc_config);
  } catch (...) {
    failed = std::current_exception();
  }
  // Wait for the English whatever happened here (it reads files and stem), and report
  // the first missing file in the order they were always loaded: Chinese first.
  try {
    std::tie(wordnet_, word_usage_) = english.get();
  } catch (...) {
    if (!failed) failed = std::current_exception();
  }
  if (failed) std::rethrow_exception(failed);
  if (!files.tenant_synonyms.empty()) {
    auto file = TenantSynonyms::read(files.tenant_synonyms);
    business_names_.insert(file.business_names.begin(), file.business_names.end());
    const auto& groups = file.groups;
    for (const auto& group : groups) {
      for (const auto& word : group) {
        const auto pieces = text_pieces(folding_->fold(word));
        if (pieces.size() == 1 && pieces.front().unsegmented && pieces.front().chars.size() > 1)
          user_words_.insert(folding_->fold(word));
      }
    }
    tenant_ = TenantSynonyms(groups, [this](std::string_view word) { return word_term(word); });
  }
  country_term_ = word_term("country");
  contact_term_ = word_term("contact");
}

std::string TextAnalyzer::word_term(std::string_view word) const {
  const auto t = terms(word);
  return t.empty() ? std::string() : t.front();
}

std::vector<std::string> TextAnalyzer::terms(std::string_view text,
                                             std::vector<bool>* within_word) const {
  std::vector<std::string> out;
  auto emit = [&](const std::string& term, bool part = false) {
    out.push_back(part && term.size() <= 4 ? term : tenant_.canonical(term));
    if (within_word) within_word->push_back(part);
  };
  const auto pieces = pieces_of(text);
  bool skip_particle = false;
  // Whether an act has been named so far (read_acts): a Chinese verb, or any English word
  // ("cancel 一下咋操作").
  bool act_named = false;
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    const auto& piece = pieces[p];
    if (!piece.unsegmented) {
      const auto& w = piece.word;
      if (std::exchange(skip_particle, false)) continue;
      const bool lone_letter = w.size() == 1 && !(w[0] >= '0' && w[0] <= '9');
      if (lone_letter || (is_ascii(w) && is_english_stop_word(w))) continue;
      if (!is_ascii(w)) {
        emit(w);
        continue;
      }
      const auto& base = wordnet_->base_form(w);
      if (!base.empty() && is_english_stop_word(base)) continue;  // "done" -> do
      act_named = true;
      const auto term = english_stem(base.empty() ? w : base);
      // The time of a thing or an act ("shipping time", "refund processing time") is
      // also how long it takes, which "how long" asks: both terms, so that "closing
      // time", a time of day, still meets "What time ...".
      if (term == "time" && p > 0 && !pieces[p - 1].unsegmented && is_ascii(pieces[p - 1].word) &&
          !is_english_stop_word(pieces[p - 1].word) &&
          wordnet_->is_noun_word(pieces[p - 1].word, english_stem(pieces[p - 1].word)))
        emit("long");
      // A verb and its particle that WordNet has as one verb ("call off" = cancel),
      // also with a pronoun as its object between them ("call it off", "send them
      // back"): English puts a pronoun object before the particle.
      if (p + 1 < pieces.size() && !pieces[p + 1].unsegmented) {
        const auto phrasal = term + "_" + pieces[p + 1].word;
        if (wordnet_->knows(phrasal)) {
          emit(phrasal);
          skip_particle = true;
          continue;
        }
        if (p + 2 < pieces.size() && !pieces[p + 2].unsegmented &&
            is_object_pronoun(pieces[p + 1].word)) {
          const auto split = term + "_" + pieces[p + 2].word;
          if (wordnet_->knows(split)) {
            emit(split);
            ++p;  // the pronoun; the particle is skipped next
            skip_particle = true;
            continue;
          }
        }
      }
      emit(term);
      // Telecommunicating with the business ("email you", "call you", "phone us") is
      // contacting it: also the term of "contact" (WordNet's verb of reaching someone).
      if (p + 1 < pieces.size() && !pieces[p + 1].unsegmented &&
          (pieces[p + 1].word == "you" || pieces[p + 1].word == "u" ||
           pieces[p + 1].word == "us") &&
          wordnet_->is_telecommunication_verb(term) && !contact_term_.empty())
        emit(contact_term_);
      continue;
    }
    const auto words = read_acts(segmenter_->segment(piece.chars, &user_words_), act_named);
    act_named = act_named || names_act(words);
    for (const auto& word : words) {
      emit(word);
      // A word of two or more characters: its characters count too.
      if (word.size() > 4) {
        for (std::size_t i = 0; i < word.size();) {
          const auto lead = static_cast<unsigned char>(word[i]);
          const std::size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
          emit(word.substr(i, len), true);
          i += len;
        }
      }
    }
  }
  return out;
}

std::vector<std::string> TextAnalyzer::phrase_terms(std::string_view text) const {
  std::vector<std::string> out;
  std::string previous;  // the last English term, "" after anything else
  for (auto& piece : pieces_of(text)) {
    if (!piece.unsegmented) {
      const auto& w = piece.word;
      const bool lone_letter = w.size() == 1 && !(w[0] >= '0' && w[0] <= '9');
      if (lone_letter || (is_ascii(w) && is_english_stop_word(w))) continue;
      if (!is_ascii(w)) {
        previous.clear();
        continue;
      }
      const auto& base = wordnet_->base_form(w);
      if (!base.empty() && is_english_stop_word(base)) continue;
      const std::string term = tenant_.canonical(english_stem(base.empty() ? w : base));
      if (!previous.empty()) out.push_back(" " + previous + " " + term);
      previous = term;
      continue;
    }
    previous.clear();
    std::vector<std::string> words = segmenter_->segment(piece.chars, &user_words_);
    std::unordered_set<std::string> kept(words.begin(), words.end());
    for (std::size_t i = 0; i + 1 < piece.chars.size(); ++i) {
      std::string bigram = piece.chars[i] + piece.chars[i + 1];
      if (!kept.count(bigram)) out.push_back(" " + tenant_.canonical(bigram));
    }
  }
  return out;
}

std::string TextAnalyzer::english_term(const std::string& w) const {
  const bool lone_letter = w.size() == 1 && !(w[0] >= '0' && w[0] <= '9');
  if (lone_letter || is_english_stop_word(w)) return {};
  const auto& base = wordnet_->base_form(w);
  if (!base.empty() && is_english_stop_word(base)) return {};
  return tenant_.canonical(english_stem(base.empty() ? w : base));
}

std::vector<std::string> TextAnalyzer::chinese_head(
    const std::string& term, const std::function<bool(const std::string&)>& known) const {
  if (is_ascii(term) || !segmenter_->is_noun(term)) return {};
  std::vector<std::size_t> starts;  // of each character
  for (std::size_t k = 0; k < term.size(); ++k)
    if ((static_cast<unsigned char>(term[k]) & 0xC0) != 0x80) starts.push_back(k);
  // Endings of at least two characters, longest first, never the whole word.
  for (std::size_t c = 1; c + 2 <= starts.size(); ++c) {
    auto head = tenant_.canonical(term.substr(starts[c]));
    if (!known(head)) continue;
    // A modifier of two or more characters that is known too is kept: 邮箱地址 is an
    // email address (邮箱 + 地址), not any address.
    auto modifier = c >= 2 ? tenant_.canonical(term.substr(0, starts[c])) : std::string();
    if (!modifier.empty() && known(modifier)) return {std::move(modifier), std::move(head)};
    return {std::move(head)};
  }
  return {};
}

bool TextAnalyzer::names_only_times(std::string_view text) const {
  std::vector<bool> within_word;
  const auto all = terms(text, &within_word);
  if (all.empty()) return false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& term = all[i];
    if (within_word[i]) continue;  // a character of a word: its word says it
    if (!is_ascii(term)) {
      if (!segmenter_->is_time_word(term)) return false;
    } else if (!wordnet_->is_time_noun(term) || !names_topic(term, true)) {
      return false;  // not a time, or a question word ("how long")
    }
  }
  return true;
}

bool TextAnalyzer::asks_when(std::string_view text) const {
  // Chinese: the question words of a time or a duration, as written (folded to
  // simplified characters), wherever segmentation cuts them (几个工作日 is 几个 + 工作日).
  // 几 also means "a few": within two characters after 才, 过, 了 and the like it tells,
  // not asks (才买几天就坏了: bought only a few days ago), and months and weeks are told
  // more than asked (才买几个月), so they are not here.
  static constexpr std::string_view kChinese[] = {
      "多久", "多长时间", "多少时间",   "多少天",   "什么时候", "啥时候", "何时",
      "哪天", "几天",     "几个工作日", "几个小时", "几小时",   "几点",   "几号"};
  static constexpr std::string_view kTellsFew[] = {"才", "过", "了", "这", "那", "好", "前", "没"};
  // English: "how" asking for a duration or a speed, "how many" days (hours, weeks),
  // "when" asking (followed by an auxiliary, or ending the question: "refund when?"),
  // not "when" opening a clause ("do I get a tracking number when it ships"); "what
  // time", "what hours", "what day".
  static constexpr std::string_view kHowWhen[] = {"long", "soon", "fast", "quickly"};
  static constexpr std::string_view kAuxiliaries[] = {
      "will", "would", "do",   "does",  "did",    "can", "could", "is",
      "are",  "was",   "were", "shall", "should", "may", "might", "must"};
  static constexpr std::string_view kWhatWhen[] = {"time", "hours", "hour", "day", "days"};
  static constexpr std::string_view kAskWhen[] = {"know", "wondering", "wonder",
                                                  "tell", "sure",      "idea"};
  auto in = [](const auto& list, std::string_view word) {
    return std::find(std::begin(list), std::end(list), word) != std::end(list);
  };
  const auto pieces = pieces_of(text);
  std::vector<std::string> words;  // English words in order; "" between Chinese runs
  for (const auto& piece : pieces) {
    if (!piece.unsegmented) {
      words.push_back(piece.word);
      continue;
    }
    std::string run;
    for (const auto& c : piece.chars) run += c;
    for (const auto word : kChinese)
      for (auto at = run.find(word); at != std::string::npos; at = run.find(word, at + 1)) {
        // One of the two characters before (才买几天): each is three bytes.
        const bool few =
            word.substr(0, 3) == "几" && ((at >= 3 && in(kTellsFew, run.substr(at - 3, 3))) ||
                                          (at >= 6 && in(kTellsFew, run.substr(at - 6, 3))));
        if (!few) return true;
      }
    // A question whether something has happened yet asks about its time too (发货了没:
    // has it shipped yet), at the end of the text or of one of its clauses
    // (asks_whether_done).
    if (&piece == &pieces.back() && asks_whether_done(run)) return true;
    // So does a complaint that it has not come yet (钱还没到, 还没收到退款, 怎么还没看到).
    for (const std::string_view late : {"还没到", "还没收到", "还没看到", "还没来"})
      if (run.find(late) != std::string::npos) return true;
    words.emplace_back();
  }
  // ...or at the end of one of its clauses (東西寄出了嗎？訂單號 77120).
  for (const auto clause : clauses_of(text)) {
    const auto parts = pieces_of(clause);
    if (parts.empty() || !parts.back().unsegmented) continue;
    std::string run;
    for (const auto& c : parts.back().chars) run += c;
    if (asks_whether_done(run)) return true;
  }
  if (!words.empty() && words.back() == "yet") return true;  // "has it shipped yet?"
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto& w = words[i];
    const std::string_view next = i + 1 < words.size() ? std::string_view(words[i + 1]) : "";
    if (w == "how" && in(kHowWhen, next)) return true;
    if (w == "how" && next == "many") {
      // "how many days", "how many business days"
      for (std::size_t j = i + 2; j < words.size() && j <= i + 3; ++j)
        if (!words[j].empty() && wordnet_->is_time_noun(english_stem(words[j]))) return true;
    }
    if (w == "when" && (next.empty() || in(kAuxiliaries, next))) return true;
    // "when" asked within a sentence: "I want to know when the money comes back".
    if (w == "when" && i > 0 && in(kAskWhen, words[i - 1])) return true;
    if ((w == "what" || w == "which") && in(kWhatWhen, next)) return true;
  }
  return false;
}

bool TextAnalyzer::names_time(std::string_view text) const {
  // Spans, days a visitor may be bounded by, and how fast or slow (快 as a word of its
  // own: 快递 is the courier, not speed).
  static constexpr std::string_view kChinese[] = {
      "时间", "时效", "时长", "周期", "今天", "明天", "后天", "周末",   "下周", "月底",
      "周一", "周二", "周三", "周四", "周五", "周六", "周日", "星期",   "礼拜", "当天",
      "很久", "久吗", "慢",   "快吗", "多快", "很快", "尽快", "快不快", "快点", "及时"};
  static constexpr std::string_view kEnglish[] = {
      "time",     "times",    "timeframe", "timeline",  "turnaround", "duration",  "today",
      "tomorrow", "tonight",  "weekend",   "monday",    "tuesday",    "wednesday", "thursday",
      "friday",   "saturday", "sunday",    "christmas", "quick",      "quickly",   "fast",
      "faster",   "soon",     "sooner",    "slow",      "instant",    "instantly", "immediately"};
  auto in = [](const auto& list, std::string_view word) {
    return std::find(std::begin(list), std::end(list), word) != std::end(list);
  };
  std::string previous;
  for (const auto& piece : pieces_of(text)) {
    if (!piece.unsegmented) {
      if (in(kEnglish, piece.word)) return true;
      // "does it take long", "the same day"
      if (piece.word == "long" &&
          (previous == "take" || previous == "takes" || previous == "taking" || previous == "too"))
        return true;
      if (piece.word == "day" && previous == "same") return true;
      previous = piece.word;
      continue;
    }
    previous.clear();
    std::string run;
    for (const auto& c : piece.chars) run += c;
    for (const auto word : kChinese)
      if (run.find(word) != std::string::npos) return true;
  }
  return false;
}

std::unordered_set<std::string> TextAnalyzer::aspects_of_known_nouns(
    std::string_view text, const std::function<bool(const std::string&)>& known) const {
  std::unordered_set<std::string> aspects;
  // The last English term when it is a known noun that begins its noun phrase, else
  // "". Not one after another noun: in "gift card balance" the card is the gift
  // card, a thing of its own the knowledge base may not know, and its balance is no
  // aspect of anything the shop has.
  std::string previous;
  bool after_noun = false;
  for (auto& piece : pieces_of(text)) {
    if (piece.unsegmented || !is_ascii(piece.word)) {
      previous.clear();
      after_noun = false;
      continue;
    }
    std::string word = piece.word;
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto term = english_term(word);
    if (term.empty()) {
      previous.clear();
      after_noun = false;
      continue;
    }
    const bool noun = wordnet_->is_noun(term);
    if (!previous.empty() && !known(term) && noun && !wordnet_->is_concrete(term))
      aspects.insert(term);
    previous = known(term) && noun && !after_noun ? term : std::string();
    after_noun = noun;
  }
  return aspects;
}

bool TextAnalyzer::names_topic(const std::string& term, bool business_own) const {
  if (!is_ascii(term))
    return !segmenter_->is_asking_word(term) || (business_own && segmenter_->is_time_word(term));
  // Question words are a closed class, like the stop words (tokenizer.cpp keeps them
  // as terms: "how long" and "where is" tell entries apart).
  // With the degree words a "how" asks with ("how many", "how long", "how soon").
  if (is_question_word(term)) return false;
  // The prepositions of time the stop words keep ("how many days until ...", "since
  // when"): like a time noun, they say a time is asked about, not whose or what's.
  static constexpr std::string_view kTimePrepositions[] = {"until", "till", "sinc"};
  if (std::find(std::begin(kTimePrepositions), std::end(kTimePrepositions), term) !=
      std::end(kTimePrepositions))
    return business_own;
  return business_own || !wordnet_->is_time_noun(term);
}

bool TextAnalyzer::names_thing(const std::string& term) const {
  if (!is_ascii(term)) return segmenter_->is_thing_word(term);
  return wordnet_->is_noun(term) && !is_question_word(term);
}

bool TextAnalyzer::is_question_word(const std::string& term) const {
  // As terms: Snowball stems "why" to "whi", "many" to "mani".
  static constexpr std::string_view kQuestionWords[] = {"what",  "how",  "when", "where",
                                                        "which", "whi",  "who",  "whose",
                                                        "mani",  "much", "long", "soon"};
  return std::find(std::begin(kQuestionWords), std::end(kQuestionWords), term) !=
         std::end(kQuestionWords);
}

bool TextAnalyzer::is_number(const std::string& term) {
  // Digits, with an ordinal's ending at most: "48213", "5", "2nd", "3rd".
  std::size_t digits = 0;
  while (digits < term.size() && term[digits] >= '0' && term[digits] <= '9') ++digits;
  if (digits == 0) return false;
  const auto rest = std::string_view(term).substr(digits);
  return rest.empty() || rest == "st" || rest == "nd" || rest == "rd" || rest == "th";
}

double TextAnalyzer::content_weight(const std::string& term) const {
  if (is_ascii(term)) return 1.0;
  const double* idf = corpus_idf_->find(term);
  if (!idf) return 1.0;
  return std::clamp(*idf / kContentIdf, kMinContentWeight, 1.0);
}

double TextAnalyzer::english_specificity(const std::string& term) const {
  if (!is_ascii(term)) return 1.0;
  const double used = word_usage_->count(term);
  if (used <= kRareUses) return 1.0;
  const double share =
      (std::log(kCommonUses) - std::log(used)) / (std::log(kCommonUses) - std::log(kRareUses));
  return std::clamp(share, kMinContentWeight, 1.0);
}

const std::vector<std::string>& TextAnalyzer::broader(const std::string& term) const {
  static const std::vector<std::string> kPlace{"国家", "地区"};
  if (segmenter_->is_place(term)) return kPlace;
  return wordnet_->broader(term);
}

bool TextAnalyzer::is_place_name(const std::string& term) const {
  if (segmenter_->is_place(term) || wordnet_->is_place_of_several_words(term)) return true;
  const auto& words = wordnet_->broader(term);
  return std::find(words.begin(), words.end(), country_term_) != words.end();
}

std::vector<std::string> TextAnalyzer::place_broader(const std::string& term) const {
  auto words = broader(term);
  words.push_back(is_ascii(term) ? "国家" : country_term_);
  // A city of several words ("Hong Kong": city, port) is where a parcel goes abroad
  // as a country is.
  if (is_ascii(term) && std::find(words.begin(), words.end(), country_term_) == words.end())
    words.push_back(country_term_);
  return words;
}

const std::vector<std::string>& TextAnalyzer::related(const std::string& term) const {
  return wordnet_->of(term);
}

}  // namespace switchboard::faq
