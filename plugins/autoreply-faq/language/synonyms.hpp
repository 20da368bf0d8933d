#pragma once
// Words that mean the same, from two sources:
//
// - WordNet (Debian's wordnet-base: /usr/share/wordnet/index.* and data.*): for each
//   noun, verb and adjective, the other words of its most common sense (the first
//   synset its index line lists; later senses are rarer and would invent matches).
//   "purchase" -> buy; "parcel" -> package, bundle; "fault" -> defect... Used only for
//   query words the knowledge base does not contain, at a reduced weight. Phrases are
//   left out, except a verb with one of the particles off, up, out, down, over, away,
//   kept as the verb's term, "_" and the particle ("call_off" -> cancel), and a name
//   of several words ("new_zealand": is_name): the analyzer joins such words in a
//   text (text_analyzer.hpp).
// - The tenant's own words (synonyms file, see TenantSynonyms): groups that are the
//   same term everywhere, in both languages ("postage" = "shipping"; "邮费" = "运费").
//
// Both are keyed by analysed terms (stemmed English, simplified Chinese), so the
// caller passes a function that analyses one word.
//
// Thread-safety: immutable after construction; WordNet data is shared per directory
// (shared()), like the Chinese dictionary. Its terms are kept in StringTables
// (string_table.hpp), what WordNet says of each as bits.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "string_table.hpp"

namespace switchboard::faq {

using WordAnalysis = std::function<std::string(std::string_view word)>;

class WordNetSynonyms {
 public:
  // stem: maps a WordNet lemma to the term the index uses. Throws std::runtime_error
  // naming the directory when its files cannot be read.
  WordNetSynonyms(const std::filesystem::path& directory, const WordAnalysis& stem);
  static std::shared_ptr<const WordNetSynonyms> shared(const std::filesystem::path& directory,
                                                       const WordAnalysis& stem);

  // The terms of the term's most common senses; empty when WordNet has none.
  const std::vector<std::string>& of(const std::string& term) const;
  // The words of the broader meanings (hypernyms) of the term's most common noun
  // sense, one level up; a compound gives its head ("European country" -> country).
  // Verbs have none: their hypernyms are too general ("bill" -> charge).
  const std::vector<std::string>& broader(const std::string& term) const;
  // The base form of an irregular English word from WordNet's exception lists
  // (verb.exc, noun.exc, adj.exc: "bought" -> buy, "paid" -> pay, "children" ->
  // child), which no stemmer can find; "" for a word they do not list.
  const std::string& base_form(const std::string& word) const;
  // True for any WordNet word (as a term): a real word is not a typo to correct.
  bool knows(const std::string& term) const { return terms_.contains(term); }
  // True for a term WordNet uses mostly as a noun of a thing: its words (those with
  // this stem) list at least as many noun senses as verb and adjective ones together,
  // counting a word whose most common sense is a time or a place with the latter
  // ("hospital", "police", "router"; not "pay", "near", "send", "today", "Canada").
  bool is_noun(const std::string& term) const { return has_kind(term, kNoun); }
  // The same for a word as written (lower case, base form), judged by its own senses:
  // true also where its stem's root word is not a thing ("electricity", stem "electr"
  // of the adjective "electric"; "bill" of "electricity bill" then has an owner).
  bool is_noun_word(const std::string& word, const std::string& term) const {
    return is_noun(term) || noun_words_.contains(word);
  }
  // True for a term whose root word names a time more than anything else: most of its
  // noun senses are in WordNet's noun.time ("time", "day", "weekend", "Saturday",
  // "Christmas"; not "office", "refund"). Such a word says when, not what about.
  bool is_time_noun(const std::string& term) const { return has_kind(term, kTimeNoun); }
  // True for a term whose root word's commonest or second commonest noun sense is an
  // institution or group (noun.group: "hospital", "police", "bank", "office"; not
  // "shoe", "item", "order").
  bool is_institution(const std::string& term) const { return has_kind(term, kInstitution); }
  // True for a term whose root word's most common noun sense is a thing one can point
  // at, or an act (a service someone gives), that can own something (WordNet's
  // artifact, object, food, person, group, act...: "router", "police", "apple",
  // "support"; not "option", "information", "method", "status", which say what about
  // a thing is asked).
  bool is_concrete(const std::string& term) const { return has_kind(term, kConcrete); }
  // True for a term whose root word's most common noun sense is a thing a shop may
  // sell or a parcel hold (artifact, food, object, plant, substance: "kettle",
  // "zipper", "coffee"; not "flight", "Christmas", "Australia", "police").
  bool is_goods(const std::string& term) const { return has_kind(term, kGoods); }
  // True for a term one of whose verb senses is a kind of telecommunicating (WordNet's
  // hypernym "telecommunicate": "call", "phone", "email", "fax"; not "write", "ask").
  bool is_telecommunication_verb(const std::string& term) const { return has_kind(term, kTelecom); }
  // True for a name of several words as WordNet writes it, lower case with "_"
  // ("new_zealand", "south_korea", "united_states", "hong_kong"): a noun phrase whose
  // commonest sense is an instance (a pointer "@i") of something, one named thing. Its
  // term is the stem of those words, as any word's.
  bool is_name(std::string_view words) const { return names_.contains(words); }
  // True for the term of such a name whose commonest sense is a place (WordNet's
  // noun.location: "hong_kong", "new_york", "sri_lanka", "new_zealand"), a city as much
  // as a country. A place of one word is not asked here: one word may be a city and a
  // common word too ("Mobile", "Nice", "Reading"); a name of several words is a name.
  bool is_place_of_several_words(const std::string& term) const {
    return has_kind(term, kPlaceName);
  }
  // A verb and its particle as WordNet has them ("log_in", "sign_up": in, on, up, out),
  // as written with a space ("log in"), for the word that writes them as one ("login",
  // "signup"); nullptr for any other word. The caller asks only for a word WordNet
  // lacks: "checkout" and "setup" are nouns of their own.
  const std::string* solid_phrasal(std::string_view word) const {
    return solid_phrasal_.find(word);
  }
  // The number of terms that have synonyms.
  std::size_t size() const { return related_terms_; }

  static constexpr std::uint32_t kNoList = UINT32_MAX;

 private:
  // What WordNet says of a term (a bit each; see the accessors above).
  enum Kind : std::uint8_t {
    kKnown = 1,
    kNoun = 2,
    kTimeNoun = 4,
    kInstitution = 8,
    kConcrete = 16,
    kGoods = 32,
    kTelecom = 64,
    kPlaceName = 128,
  };
  struct TermInfo {
    std::uint8_t kinds = 0;           // Kind bits
    std::uint32_t related = kNoList;  // of(): an index into lists_
    std::uint32_t broader = kNoList;  // broader(): an index into lists_
  };
  bool has_kind(std::string_view term, Kind kind) const {
    const TermInfo* info = terms_.find(term);
    return info && (info->kinds & kind);
  }

  StringTable<TermInfo> terms_;                  // every WordNet term
  std::vector<std::vector<std::string>> lists_;  // the terms' synonyms and hypernyms
  std::size_t related_terms_ = 0;
  StringTable<std::string> base_form_;      // by inflected word
  StringTable<bool> noun_words_;            // see is_noun_word()
  StringTable<bool> names_;                 // see is_name()
  StringTable<std::string> solid_phrasal_;  // see solid_phrasal()
};

// A tenant's synonyms file (TOML):
//
//   # each group is one meaning; every word in it is matched as the first one
//   groups = [["shipping", "postage", "delivery"], ["运费", "邮费"]]   # one word each
//   # optional: English words visitors call the business itself by, read as "you"
//   business_names = ["shop", "store", "website"]
//
// Throws autoreply::LoadError naming file, line and key on a malformed file.
class TenantSynonyms {
 public:
  TenantSynonyms() = default;
  TenantSynonyms(const std::filesystem::path& file, const WordAnalysis& analyse);
  // The file as written (the analyzer also segments the groups' Chinese words whole).
  struct File {
    std::vector<std::vector<std::string>> groups;
    std::vector<std::string> business_names;  // lower case, one English word each
  };
  static File read(const std::filesystem::path& file);
  static std::vector<std::vector<std::string>> read_groups(const std::filesystem::path& file) {
    return read(file).groups;
  }
  // Groups given directly (tests).
  TenantSynonyms(const std::vector<std::vector<std::string>>& groups, const WordAnalysis& analyse);

  // The group's term for a term in a group, else the term itself.
  const std::string& canonical(const std::string& term) const;
  bool empty() const { return canonical_.empty(); }

 private:
  void add(const std::vector<std::vector<std::string>>& groups, const WordAnalysis& analyse);
  std::unordered_map<std::string, std::string> canonical_;
};

}  // namespace switchboard::faq
