#pragma once
// Turns a question or a visitor message into index terms.
//
// - ASCII is lower-cased; words split on anything that is not a letter or digit.
// - Full-width forms (U+FF01..U+FF5E, U+3000) fold to their ASCII counterparts first,
//   so "ＲＥＦＵＮＤ" and "refund" are the same term.
// - Unsegmented scripts (CJK ideographs, Hiragana, Katakana, Hangul, Thai, Lao, Khmer,
//   Myanmar) have no spaces between words, so each run of them yields character
//   unigrams and bigrams: "退款多久" -> 退 款 多 久 退款 款多 多久.
// - Other non-ASCII letters (accented Latin, Cyrillic, Greek, ...) are kept inside words
//   as they are; punctuation, symbols, emoji and invalid UTF-8 separate words.
// - English stop-words and one-letter ASCII words are dropped; optional suffix folding
//   maps plural -s/-es/-ies and -ing/-ed forms to one stem ("shipped", "shipping",
//   "ships" -> "ship").
//
// Pure function of its input: safe from any thread.
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::faq {

struct TokenizerOptions {
  bool fold_english_suffixes = true;
  bool drop_english_stop_words = true;
};

// Terms in the order they occur (duplicates kept: BM25 counts them).
std::vector<std::string> tokenize(std::string_view utf8_text, const TokenizerOptions& options = {});

// True for a term made of unsegmented-script characters (a CJK unigram or bigram).
bool is_cjk_term(std::string_view term);

// The text cut into the pieces tokenize() starts from, for analyzers that go
// further (language/text_analyzer.hpp): words (ASCII lower-cased, full-width
// folded) and runs of unsegmented-script characters, one code point per element of
// `chars`; punctuation, symbols and emoji dropped.
struct TextPiece {
  bool unsegmented = false;
  std::string word;                // when !unsegmented
  std::vector<std::string> chars;  // when unsegmented
};
std::vector<TextPiece> text_pieces(std::string_view utf8_text);

// True for an English function word tokenize() drops ("the", "is", "my"...).
bool is_english_stop_word(std::string_view word);

// The suffix folding on its own, for tests: "refunds" -> "refund".
std::string fold_english_suffix(std::string word);

// A message's clauses (cut at sentence and clause punctuation), as written.
std::vector<std::string_view> clauses_of(std::string_view text);

// Whether a clause of `whole` asks or requests something, rather than telling what
// happened: a question mark after it, a question word, an auxiliary opening it, or a
// word of wanting (English); a question or modal word or particle (Chinese).
bool asks_or_requests(std::string_view whole, std::string_view clause);

// Whether any clause of the text asks or requests something ("parcel arrive" does not;
// "Do you ship fast?", 能到吗 do).
bool asks_anything(std::string_view text);

}  // namespace switchboard::faq
