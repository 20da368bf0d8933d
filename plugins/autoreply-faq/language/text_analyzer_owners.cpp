// Whose thing a text speaks of (TextAnalyzer, text_analyzer.hpp): the business's own
// ("your email", 你们的邮箱, "Can I email you?"), the visitor's place ("I live in Brazil",
// 我在日本), or a thing of another owner the knowledge base lacks ("router password",
// 医院的电话). Kept apart from text_analyzer.cpp, which turns text into terms.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ascii.hpp"
#include "text_analyzer.hpp"

namespace switchboard::faq {
namespace {

using detail::is_ascii;

// The words written with a capital inside a sentence (names: "Amazon", "Netflix"),
// lower-cased; not a sentence's first word.
std::unordered_set<std::string> capitalised_words(std::string_view text) {
  std::unordered_set<std::string> names;
  bool sentence_start = true;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!std::isalpha(c)) {
      if (c == '.' || c == '?' || c == '!' || c >= 0x80) sentence_start = true;
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]))) ++end;
    std::string word(text.substr(i, end - i));
    const bool capital = std::isupper(c) != 0;
    const bool all_capitals =
        std::all_of(word.begin(), word.end(), [](unsigned char x) { return std::isupper(x) != 0; });
    if (capital && !sentence_start && word != "I" && !all_capitals) {
      std::transform(word.begin(), word.end(), word.begin(),
                     [](unsigned char x) { return static_cast<char>(std::tolower(x)); });
      names.insert(std::move(word));
    }
    sentence_start = false;
    i = end;
  }
  return names;
}

// Auxiliaries that open a yes/no question about a subject ("does the bank open").
bool is_auxiliary(std::string_view w) {
  static constexpr std::string_view kAuxiliaries[] = {"do",   "does", "did",   "is",  "are",  "was",
                                                      "were", "will", "would", "can", "could"};
  return std::find(std::begin(kAuxiliaries), std::end(kAuxiliaries), w) != std::end(kAuxiliaries);
}

// An English word of a piece, lower-cased ("" for a Chinese run).
std::string lower_word(const TextPiece& piece) {
  if (piece.unsegmented) return {};
  std::string w = piece.word;
  std::transform(w.begin(), w.end(), w.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return w;
}

}  // namespace

std::unordered_set<std::string> TextAnalyzer::attached_to_unknown_nouns(
    std::string_view text, const std::function<bool(const std::string&)>& known) const {
  std::unordered_set<std::string> attached;
  auto known_noun = [&](const std::string& term) {
    return !term.empty() && known(term) && wordnet_->is_noun(term);
  };
  // English words of one stretch of text (no Chinese between): raw word, term.
  std::vector<std::pair<std::string, std::string>> words;
  const auto names = capitalised_words(text);
  // A noun the knowledge base lacks, not said to be the business's own ("your
  // support email" is the shop's).
  auto owner_at = [&](std::size_t i) {
    const auto& [raw, term] = words[i];
    if (term.empty() || known(term)) return false;
    std::string word(raw);
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (const auto& base = wordnet_->base_form(word); !base.empty()) word = base;
    if (!wordnet_->is_noun_word(word, term)) return false;
    return i == 0 || (words[i - 1].first != "your" && words[i - 1].first != "our");
  };
  auto finish_english = [&] {
    for (std::size_t i = 0; i < words.size(); ++i) {
      const auto& [raw, term] = words[i];
      // "router password": a noun the knowledge base lacks, then a term it has; so too
      // a possessive ("my neighbour's phone number": the "s" after the apostrophe).
      const std::size_t next = i + 1 < words.size() && words[i + 1].first == "s" ? i + 2 : i + 1;
      if (next < words.size() && owner_at(i) && known_noun(words[next].second))
        attached.insert(words[next].second);
      // "email support": a term it has, then a noun it lacks that ends the phrase
      // (its head): the message is about the support, not the email. Only a head
      // that names a thing: "payment options", "contact info" ask about the payment
      // and the contact (an option, information: what is asked, not whose).
      if (i + 2 == words.size() && known_noun(term) && owner_at(i + 1) &&
          wordnet_->is_concrete(words[i + 1].second))
        attached.insert(term);
      // "...phone number for the police", "return an item to Amazon": the known nouns
      // right before "for", "to", "at" or "from" followed by an institution (WordNet's
      // noun.group: police, hospital, bank) or a name (capitalised inside the
      // sentence, not a place: "ship to Canada" is the shop's shipping). Not the shop's
      // own ("your", "our": owner_at), nor a thing the knowledge base has ("a receipt
      // for my order" is the shop's receipt).
      if ((raw == "for" || raw == "to" || raw == "at" || raw == "from") && i > 0) {
        std::size_t j = i + 1;
        while (j < words.size() &&
               (words[j].first == "the" || words[j].first == "a" || words[j].first == "an"))
          ++j;
        // One modifier may come first ("the city hospital").
        bool institution = false;
        for (std::size_t k = j; k < words.size() && k <= j + 1 && !institution; ++k) {
          const auto& [owner_raw, owner_term] = words[k];
          if (owner_term.empty() || !owner_at(k)) continue;
          const bool name = names.count(owner_raw) > 0;
          institution = wordnet_->is_institution(owner_term) || name;
        }
        if (institution)
          for (std::size_t k = i; k-- > 0 && !words[k].second.empty();)
            if (known_noun(words[k].second)) attached.insert(words[k].second);
      }
      // "does the post office open on Saturday", "is the bank open": after an
      // auxiliary, a subject the knowledge base lacks that is an institution or a name
      // owns the verb or adjective that follows it (not "do you open", "is my order
      // shipped", nor "is support available": the shop's support is no institution).
      if (is_auxiliary(raw)) {
        bool owner = false;
        for (std::size_t j = i + 1; j < words.size() && j <= i + 4; ++j) {
          const auto& term = words[j].second;
          if (term.empty()) {
            if (words[j].first == "the" || words[j].first == "a" || words[j].first == "an")
              continue;
            break;  // "you", "my", "your", "it": not a thing the knowledge base lacks
          }
          if (!owner && owner_at(j) &&
              (wordnet_->is_institution(term) || names.count(words[j].first) > 0)) {
            owner = true;  // the subject's head; words before it were its modifiers
            continue;
          }
          if (!owner) continue;
          if (known(term) && !wordnet_->is_noun(term)) attached.insert(term);
          break;
        }
      }
      if (raw != "of" || i == 0) continue;
      // "...number of the nearest hospital": the first noun after "of", past function
      // words and at most one other word.
      bool owned = false;
      int others = 0;
      for (std::size_t j = i + 1; j < words.size() && others <= 1; ++j) {
        if (words[j].second.empty()) continue;
        if (owner_at(j)) owned = true;
        if (owned || wordnet_->is_noun(words[j].second)) break;
        ++others;
      }
      if (!owned) continue;
      // The terms right before "of" ("phone number").
      for (std::size_t k = i; k-- > 0 && !words[k].second.empty();)
        if (known_noun(words[k].second)) attached.insert(words[k].second);
    }
    words.clear();
  };
  for (auto& piece : pieces_of(text)) {
    if (!piece.unsegmented) {
      if (!is_ascii(piece.word)) {
        finish_english();
        continue;
      }
      words.emplace_back(piece.word, english_term(piece.word));
      continue;
    }
    finish_english();
    const auto segmented = segmenter_->segment(piece.chars, &user_words_);
    auto attach_with_characters = [&](const std::string& word, const std::string& term) {
      attached.insert(term);
      if (word.size() <= 4) return;
      for (std::size_t k = 0; k < word.size();) {
        const auto lead = static_cast<unsigned char>(word[k]);
        const std::size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        attached.insert(word.substr(k, len));
        k += len;
      }
    };
    auto contains_known_word = [&](const std::string& word) {
      std::vector<std::size_t> starts;
      for (std::size_t k = 0; k < word.size(); ++k)
        if ((static_cast<unsigned char>(word[k]) & 0xC0) != 0x80) starts.push_back(k);
      starts.push_back(word.size());
      for (std::size_t a = 0; a + 2 < starts.size(); ++a)
        for (std::size_t b = a + 2; b < starts.size(); ++b)
          if (known(tenant_.canonical(word.substr(starts[a], starts[b] - starts[a])))) return true;
      return false;
    };
    for (std::size_t i = 0; i < segmented.size(); ++i) {
      const auto& owner = segmented[i];
      if (!segmenter_->is_noun(owner) || known(tenant_.canonical(owner))) continue;
      if (i > 0 && (segmented[i - 1] == "你们" || segmented[i - 1] == "您们" ||
                    segmented[i - 1] == "贵" || segmented[i - 1] == "你们的"))
        continue;  // the business's own (你们客服电话)
      // The characters of a thing the knowledge base lacks are that thing's (火车票's
      // 票 is not 发票's), unless a word it has is inside (电话号码 is a 电话).
      if (!contains_known_word(owner)) attach_with_characters(owner, tenant_.canonical(owner));
      if (i + 1 == segmented.size()) continue;
      std::size_t j = i + 1;
      if (segmented[j] == "的" && j + 1 < segmented.size()) ++j;
      const auto term = tenant_.canonical(segmented[j]);
      if (!known(term)) continue;
      attach_with_characters(segmented[j], term);
    }
  }
  finish_english();
  return attached;
}

bool TextAnalyzer::speaks_of_business(std::string_view text) const {
  for (auto& piece : pieces_of(text)) {
    if (!piece.unsegmented) {
      std::string w = piece.word;
      std::transform(w.begin(), w.end(), w.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (w == "your" || w == "yours") return true;
      continue;
    }
    for (const auto& word : segmenter_->segment(piece.chars, &user_words_))
      if (word == "你们" || word == "您们" || word == "你们的" || word == "贵公司" ||
          word == "贵司" || word == "贵店")
        return true;
  }
  return false;
}

bool TextAnalyzer::speaks_of_business_thing(std::string_view text) const {
  if (speaks_of_business(text)) return true;
  std::string previous;
  const auto pieces = pieces_of(text);
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    const auto w = lower_word(pieces[p]);
    if (w == "you" && !previous.empty() && !is_auxiliary(previous) && previous != "thank" &&
        previous != "are" && previous != "have" && previous != "if")
      return true;
    // What the business has is its own: "do you have an email address?" asks for
    // "your email address" (not "do you have to ...", a need).
    if (w == "you" && p + 1 < pieces.size() && lower_word(pieces[p + 1]) == "have" &&
        (p + 2 >= pieces.size() || lower_word(pieces[p + 2]) != "to"))
      return true;
    previous = w;
  }
  return false;
}

bool TextAnalyzer::speaks_to_business(std::string_view text) const {
  if (speaks_of_business(text)) return true;
  for (const auto& piece : pieces_of(text)) {
    if (!piece.unsegmented) {
      if (lower_word(piece) == "you") return true;
      continue;
    }
    for (const auto& c : piece.chars)
      if (c == "您") return true;
  }
  return false;
}

std::unordered_set<std::string> TextAnalyzer::visitor_places(
    std::string_view text, std::unordered_set<std::string>* frame) const {
  std::unordered_set<std::string> places;
  for (const auto clause : clauses_of(text)) {
    bool self = false;  // the visitor has spoken of themselves in the clause
    std::string previous, before;
    for (const auto& piece : pieces_of(clause)) {
      if (!piece.unsegmented) {
        const auto w = lower_word(piece);
        // The article of a place's name ("I'm in the United States", "from the UK")
        // stands between the locative and the place.
        if (w == "the" && (previous == "in" || previous == "from")) continue;
        if (self && (previous == "in" || previous == "from")) {
          const auto term = english_term(w);
          if (!term.empty() && is_place_name(term)) {
            places.insert(term);
            if (frame && !before.empty()) {
              const auto& base = wordnet_->base_form(before);
              const auto verb = english_term(base.empty() ? before : base);
              if (!verb.empty()) frame->insert(verb);
            }
          }
        }
        if (w == "i" || w == "we") self = true;
        before = std::exchange(previous, w);
        continue;
      }
      for (const auto& word : segmenter_->segment(piece.chars, &user_words_)) {
        if (self && (previous == "在" || previous == "住在") && segmenter_->is_place(word))
          places.insert(word);
        if (word == "我" || word == "我们" || word == "本人") self = true;
        before = std::exchange(previous, word);
      }
    }
  }
  return places;
}

}  // namespace switchboard::faq
