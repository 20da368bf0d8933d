#include "synonyms.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "data_file.hpp"
#include "shared_data.hpp"
#include "toml_list_reader.hpp"

namespace switchboard::faq {
namespace {

const std::vector<std::string> kNone;

constexpr int kNounGroup = 14;
constexpr int kNounLocation = 15;
constexpr int kNounTime = 28;

// Lexicographer files of things a shop may sell or a parcel hold: artifact, food,
// object, plant, substance ("kettle", "zipper", "coffee", "stone"; not "flight", a
// time, a place, an institution).
bool is_goods_file(int file) {
  return file == 6 || file == 13 || file == 17 || file == 20 || file == 27;
}

// Lexicographer files of things one can point at or belong to, and of acts (a
// service someone gives: "support", "repair"): act, animal, artifact, body, food,
// group, object, person, plant, substance. Not attribute, cognition, communication,
// possession, state...: "option", "information", "method", "status".
bool is_concrete_file(int file) {
  switch (file) {
    case 4:
    case 5:
    case 6:
    case 8:
    case 13:
    case 14:
    case 17:
    case 18:
    case 20:
    case 27:
      return true;
    default:
      return false;
  }
}

// A whole field as an integer in base; false (and value untouched) otherwise.
template <typename Int>
bool parse_integer(std::string_view field, Int& value, int base = 10) {
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value, base);
  return error == std::errc() && end == field.data() + field.size() && !field.empty();
}

// The synsets of one data.* file, by byte offset (WordNet's synset id). A line:
// offset lex_filenum ss_type w_cnt(hex) [word lex_id]... p_cnt [symbol offset pos
// source/target]... | gloss.
//
// Only each line's offset and lexicographer file are read up front: most synsets are
// needed only for that (the senses after a word's first), and the rest of a line is
// read when a word's first sense or its hypernym asks for it (words()).
class SynsetFile {
 public:
  struct Synset {
    long offset = 0;
    int lexicographer_file = 0;  // its lexicographer file: 15 noun.location, 28 noun.time
    std::string_view line;       // up to the gloss
  };

  SynsetFile(std::string_view data, char pos) : pos_(pos) {
    synsets_.reserve(data.size() / 150);
    std::string_view rest = data, line;
    while (next_line(rest, line)) {
      if (line.empty() || line[0] == ' ') continue;  // the licence header
      Synset synset;
      synset.line = line.substr(0, line.find('|'));
      std::string_view fields = synset.line;
      parse_integer(next_field(fields), synset.offset);
      parse_integer(next_field(fields), synset.lexicographer_file);
      synsets_.push_back(synset);
    }
    // The file lists them by offset; kept in that order, the first of any repeat wins.
    std::stable_sort(synsets_.begin(), synsets_.end(),
                     [](const Synset& a, const Synset& b) { return a.offset < b.offset; });
  }

  const Synset* find(long offset) const {
    const auto it =
        std::lower_bound(synsets_.begin(), synsets_.end(), offset,
                         [](const Synset& synset, long value) { return synset.offset < value; });
    return it == synsets_.end() || it->offset != offset ? nullptr : &*it;
  }

  // The synset's words (as written: "European_country", "a(p)") and the offsets of its
  // hypernyms and instance hypernyms in the same file, into the vectors given.
  void words(const Synset& synset, std::vector<std::string_view>& words,
             std::vector<long>* broader) const {
    words.clear();
    if (broader) broader->clear();
    std::string_view line = synset.line;
    for (int i = 0; i < 3; ++i) next_field(line);  // offset, lexicographer file, type
    long count = 0;
    parse_integer(next_field(line), count, 16);
    for (long i = 0; i < count; ++i) {
      const auto word = next_field(line);
      if (word.empty() || next_field(line).empty()) return;  // the word and its lex_id
      words.push_back(word);
    }
    if (!broader) return;
    int pointers = 0;
    parse_integer(next_field(line), pointers);
    for (int i = 0; i < pointers; ++i) {
      const auto symbol = next_field(line);
      long target = 0;
      if (symbol.empty() || !parse_integer(next_field(line), target)) return;
      const auto target_pos = next_field(line);
      if (target_pos.empty() || next_field(line).empty()) return;  // source/target
      if ((symbol == "@" || symbol == "@i") && target_pos.size() == 1 && target_pos[0] == pos_)
        broader->push_back(target);
    }
  }

 private:
  char pos_;
  std::vector<Synset> synsets_;
};

// True for a synset that is an instance of another (a pointer "@i": "New_Zealand" ->
// country): one named thing rather than a kind of things. "@i" is a pointer's symbol
// field; no word or number of a synset line is written so.
bool is_instance(const SynsetFile::Synset& synset) {
  return synset.line.find(" @i ") != std::string_view::npos;
}

// The particles of the phrasal verbs kept as one term ("call off" = cancel).
constexpr std::string_view kParticles[] = {"off", "up", "out", "down", "over", "away"};

// The particle of a verb lemma of two words whose second is one ("call_off" -> "off"),
// else "".
// The particles a verb is written together with in a noun of its act ("login",
// "signup", "logout", "checkin").
constexpr std::string_view kSolidParticles[] = {"in", "on", "up", "out"};

std::string_view particle_of(std::string_view lemma) {
  const auto cut = lemma.find('_');
  if (cut == std::string_view::npos || lemma.find('_', cut + 1) != std::string_view::npos)
    return {};
  const auto particle = lemma.substr(cut + 1);
  return std::find(std::begin(kParticles), std::end(kParticles), particle) != std::end(kParticles)
             ? particle
             : std::string_view();
}

// A hypernym as one word: itself, or the head of a compound ("European_country" ->
// "country"); "" for phrases whose head is not last ("source_of_illumination").
std::string_view head_word(std::string_view lemma) {
  if (lemma.find("_of_") != std::string_view::npos) return {};
  const auto last = lemma.rfind('_');
  return last == std::string_view::npos ? lemma : lemma.substr(last + 1);
}

std::string lower_lemma(std::string_view word) {
  std::string lower(word.substr(0, word.find('(')));  // "a(p)" adjective markers
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// The file, or std::runtime_error naming it and the package.
std::unique_ptr<DataFile> open_wordnet_file(const std::filesystem::path& file) {
  auto data = std::make_unique<DataFile>(file);
  if (!data->ok())
    throw std::runtime_error("WordNet: cannot read " + file.string() +
                             " (Debian: apt-get install wordnet-base)");
  return data;
}

// What is gathered about a term while reading the index files; kept afterwards are
// its TermInfo bits and lists.
struct TermBuilding {
  // The shortest lemma with this stem (the root word), its senses as a thing and its
  // other senses (is_noun).
  std::string_view sense_root;
  int noun_senses = 0, other_senses = 0;
  // The root noun's kind (is_time_noun, is_institution, is_concrete, is_goods).
  std::string_view kind_root;
  bool time = false, institution = false, concrete = false, goods = false;
  bool telecom = false;     // is_telecommunication_verb
  bool place_name = false;  // is_place_of_several_words
  std::uint32_t related = WordNetSynonyms::kNoList;
  std::uint32_t broader = WordNetSynonyms::kNoList;
};

// Per word as written: its own senses as a thing and its other ones, and its term.
struct WordBuilding {
  int thing_senses = 0, other_senses = 0;
  std::string term;
};

}  // namespace

WordNetSynonyms::WordNetSynonyms(const std::filesystem::path& directory, const WordAnalysis& stem) {
  // "inflected base [base]...": the first base form, one-word entries only; a verb's
  // reading wins over a noun's ("saw" -> see), as visitors ask what to do.
  for (const char* list : {"verb.exc", "noun.exc", "adj.exc"}) {
    const auto data = open_wordnet_file(directory / list);
    std::string_view rest = data->text(), line;
    while (next_line(rest, line)) {
      const auto inflected = next_field(line);
      const auto base = next_field(line);
      if (base.empty()) continue;
      if (inflected.find_first_of("_-'.") != std::string_view::npos ||
          base.find_first_of("_-'.") != std::string_view::npos)
        continue;
      base_form_.try_emplace(inflected, std::string(base));
    }
  }
  // Every file first, in the order they were always read (the first missing one is the
  // one named); the lemmas gathered below are views into the index files.
  struct PartOfSpeech {
    const char* name;
    char letter;
    std::unique_ptr<DataFile> data, index;
  };
  PartOfSpeech parts[] = {{"noun", 'n', {}, {}}, {"verb", 'v', {}, {}}, {"adj", 'a', {}, {}}};
  for (auto& part : parts) {
    part.data = open_wordnet_file(directory / (std::string("data.") + part.name));
    part.index = open_wordnet_file(directory / (std::string("index.") + part.name));
  }
  StringTable<TermBuilding> terms;
  StringTable<WordBuilding> words;  // by lemma
  terms.reserve(160000);
  words.reserve(160000);
  // Each word is stemmed once: WordNet names most words many times over (in every
  // synset it is in, and every hypernym's), and stemming them all again took a third
  // of the time. (stem, the caller's, maps a word to the same term every time.)
  StringTable<std::string> stems;
  stems.reserve(200000);
  auto stem_of = [&](std::string_view word) {
    auto [found, added] = stems.try_emplace(word);
    if (added) *found = stem(word);
    return *found;
  };
  std::vector<std::string_view> synset_words;
  std::vector<std::string_view> parent_words;
  std::vector<long> broader_offsets;
  std::vector<std::string_view> verb_words;
  std::vector<long> verb_parents;
  // Appends term to the list at index (a new list when there is none), once.
  auto add_to_list = [&](std::uint32_t& index, std::string other) {
    if (index == kNoList) {
      index = static_cast<std::uint32_t>(lists_.size());
      lists_.emplace_back();
    }
    auto& list = lists_[index];
    if (std::find(list.begin(), list.end(), other) == list.end()) list.push_back(std::move(other));
  };
  for (const auto& part : parts) {
    const char pos_letter = part.letter;
    const SynsetFile synsets(part.data->text(), pos_letter);
    std::string_view rest = part.index->text(), line;
    while (next_line(rest, line)) {
      if (line.empty() || line[0] == ' ') continue;
      // lemma pos synset_cnt p_cnt [ptr]... sense_cnt tagsense_cnt offset [offset]...
      const auto lemma = next_field(line);
      next_field(line);  // pos
      int synset_count = 0, pointer_count = 0;
      if (!parse_integer(next_field(line), synset_count) ||
          !parse_integer(next_field(line), pointer_count))
        continue;
      // Phrases are not one term, except a verb and its particle ("call_off") and a
      // name of several words (is_name: "new_zealand"), checked below.
      const auto particle = pos_letter == 'v' ? particle_of(lemma) : std::string_view();
      const bool phrase = lemma.find('_') != std::string_view::npos;
      // A verb and its particle written as one word (solid_phrasal: "login").
      if (pos_letter == 'v' && phrase) {
        const auto cut = lemma.find('_');
        const auto verb = lemma.substr(0, cut), rest = lemma.substr(cut + 1);
        if (std::find(std::begin(kSolidParticles), std::end(kSolidParticles), rest) !=
                std::end(kSolidParticles) &&
            std::all_of(verb.begin(), verb.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
          solid_phrasal_.try_emplace(std::string(verb) + std::string(rest),
                                     std::string(verb) + " " + std::string(rest));
      }
      if (phrase && particle.empty() && pos_letter != 'n') continue;
      for (int i = 0; i < pointer_count; ++i) next_field(line);
      next_field(line);  // sense_cnt
      next_field(line);  // tagsense_cnt
      long first_sense = 0;
      if (!parse_integer(next_field(line), first_sense)) continue;
      const auto* sense = synsets.find(first_sense);
      if (!sense) continue;
      // A noun phrase is kept when it is a name: its commonest sense is an instance
      // of something ("New_Zealand" is an instance of "country"), not a kind of it
      // ("credit_card", "post_office" stay their words).
      const bool name = phrase && pos_letter == 'n';
      if (name && !is_instance(*sense)) continue;
      const std::string term = particle.empty()
                                   ? stem_of(lemma)
                                   : stem_of(lemma.substr(0, lemma.size() - particle.size() - 1)) +
                                         "_" + std::string(particle);
      if (term.empty() || term.front() == '_') continue;
      TermBuilding& building = terms[term];
      // The root word's noun senses: mostly times (is_time_noun), or an institution
      // among the two commonest (is_institution).
      if (pos_letter == 'n') {
        int senses_seen = 1, times = sense->lexicographer_file == kNounTime;
        bool group = sense->lexicographer_file == kNounGroup;
        for (long offset = 0; parse_integer(next_field(line), offset); ++senses_seen) {
          const auto* other = synsets.find(offset);
          if (!other) continue;
          times += other->lexicographer_file == kNounTime;
          if (senses_seen == 1) group = group || other->lexicographer_file == kNounGroup;
        }
        if (building.kind_root.empty() || lemma.size() < building.kind_root.size()) {
          building.kind_root = lemma;
          building.time = 2 * times > senses_seen;
          building.institution = group;
          building.concrete = is_concrete_file(sense->lexicographer_file);
          building.goods = is_goods_file(sense->lexicographer_file);
        }
      }
      if (name) names_.try_emplace(lemma);
      if (name && sense->lexicographer_file == kNounLocation) building.place_name = true;
      // A verb with a sense under "telecommunicate" (is_telecommunication_verb).
      if (pos_letter == 'v' && !building.telecom) {
        std::vector<const SynsetFile::Synset*> senses{sense};
        for (long offset = 0; parse_integer(next_field(line), offset);)
          if (const auto* other = synsets.find(offset)) senses.push_back(other);
        for (const auto* verb_sense : senses) {
          synsets.words(*verb_sense, verb_words, &verb_parents);
          for (const long up : verb_parents)
            if (const auto* parent = synsets.find(up)) {
              synsets.words(*parent, verb_words, nullptr);
              if (std::find(verb_words.begin(), verb_words.end(), "telecommunicate") !=
                  verb_words.end())
                building.telecom = true;
            }
        }
      }
      // Whether the term is a noun of a thing (is_noun): words sharing a stem are told
      // apart by the shortest, the root one ("hospital", not "hospitalization" nor
      // "hospitable"); a time or a place is not a thing anyone owns ("order today",
      // "ship to Canada"), so such senses count against it.
      const bool thing = pos_letter == 'n' && sense->lexicographer_file != kNounTime &&
                         sense->lexicographer_file != kNounLocation;
      if (building.sense_root.empty() || lemma.size() < building.sense_root.size()) {
        building.sense_root = lemma;
        building.noun_senses = building.other_senses = 0;
      }
      if (lemma.size() == building.sense_root.size())
        (thing ? building.noun_senses : building.other_senses) += synset_count;
      {
        auto [own, added] = words.try_emplace(lemma);
        if (added) own->term = term;
        (thing ? own->thing_senses : own->other_senses) += synset_count;
      }
      synsets.words(*sense, synset_words, pos_letter == 'n' ? &broader_offsets : nullptr);
      for (const auto word : synset_words) {
        if (word.find('_') != std::string_view::npos) continue;
        std::string other = stem_of(lower_lemma(word));
        if (other.empty() || other == term) continue;
        add_to_list(building.related, std::move(other));
      }
      // One level up from the same sense, for nouns only: "Germany" -> (European)
      // country, "sneaker" -> shoe. A verb's hypernym is too general to say what a
      // message is about ("document" -> write, "bill" -> charge).
      if (pos_letter != 'n') continue;
      for (const long up : broader_offsets) {
        const auto* parent = synsets.find(up);
        if (!parent) continue;
        synsets.words(*parent, parent_words, nullptr);
        for (const auto word : parent_words) {
          const std::string lower = lower_lemma(word);
          const auto head = head_word(lower);
          std::string other = head.empty() ? std::string() : stem_of(head);
          if (other.empty() || other == term) continue;
          add_to_list(building.broader, std::move(other));
        }
      }
    }
  }
  // What is kept of each term.
  terms_.reserve(terms.size());
  terms.for_each([&](std::string_view term, const TermBuilding& building) {
    TermInfo info;
    info.kinds = kKnown;
    if (building.noun_senses > 0 && building.noun_senses >= building.other_senses)
      info.kinds |= kNoun;
    if (!building.kind_root.empty()) {
      if (building.time) info.kinds |= kTimeNoun;
      if (building.institution) info.kinds |= kInstitution;
      if (building.concrete) info.kinds |= kConcrete;
      if (building.goods) info.kinds |= kGoods;
    }
    if (building.telecom) info.kinds |= kTelecom;
    if (building.place_name) info.kinds |= kPlaceName;
    info.related = building.related;
    info.broader = building.broader;
    if (info.related != kNoList) ++related_terms_;
    terms_.try_emplace(term, info);
  });
  // The words that are things although their stem's root word is not ("electricity",
  // whose stem is the adjective "electric"'s): only those, the rest is a noun term.
  words.for_each([&](std::string_view lemma, const WordBuilding& counts) {
    if (counts.thing_senses == 0 || counts.thing_senses < counts.other_senses) return;
    if (!counts.term.empty() && !is_noun(counts.term)) noun_words_.try_emplace(lemma);
  });
  terms_.shrink_to_fit();
  noun_words_.shrink_to_fit();
  names_.shrink_to_fit();
  solid_phrasal_.shrink_to_fit();
  base_form_.shrink_to_fit();
  lists_.shrink_to_fit();
}

std::shared_ptr<const WordNetSynonyms> WordNetSynonyms::shared(
    const std::filesystem::path& directory, const WordAnalysis& stem) {
  return shared_data<WordNetSynonyms>(directory, stem);
}

const std::string& WordNetSynonyms::base_form(const std::string& word) const {
  static const std::string none;
  const std::string* found = base_form_.find(word);
  return found ? *found : none;
}

const std::vector<std::string>& WordNetSynonyms::broader(const std::string& term) const {
  const TermInfo* info = terms_.find(term);
  return info && info->broader != kNoList ? lists_[info->broader] : kNone;
}

const std::vector<std::string>& WordNetSynonyms::of(const std::string& term) const {
  const TermInfo* info = terms_.find(term);
  return info && info->related != kNoList ? lists_[info->related] : kNone;
}

TenantSynonyms::TenantSynonyms(const std::filesystem::path& file, const WordAnalysis& analyse) {
  add(read_groups(file), analyse);
}

TenantSynonyms::File TenantSynonyms::read(const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw autoreply::LoadError(file.string(), e.source().begin.line, "",
                               std::string(e.description()), {"syntax", {}});
  }
  for (auto&& [key, value] : root) {
    if (key.str() != "groups" && key.str() != "business_names")
      throw autoreply::LoadError(file.string(), value.source().begin.line, std::string(key.str()),
                                 "unknown key (only groups, business_names)",
                                 {"unknown_key", {{"expected", "groups, business_names"}}});
  }
  File out;
  const auto* list = root["groups"].as_array();
  if (!list)
    throw autoreply::LoadError(file.string(), 0, "groups", "missing: a list of lists",
                               {root.contains("groups") ? "not_list_of_lists" : "missing", {}});
  for (std::size_t g = 0; g < list->size(); ++g) {
    const auto* group = (*list)[g].as_array();
    const std::string key = "groups[" + std::to_string(g) + "]";
    if (!group || group->size() < 2)
      throw autoreply::LoadError(file.string(), (*list)[g].source().begin.line, key,
                                 "must be a list of at least two words",
                                 group ? autoreply::Problem{"too_few_words", {{"min", "2"}}}
                                       : autoreply::Problem{"not_string_list", {}});
    std::vector<std::string> words;
    for (const auto& word : *group) {
      const auto* text = word.as_string();
      if (!text || text->get().empty())
        throw autoreply::LoadError(file.string(), word.source().begin.line, key,
                                   "words must be non-empty strings",
                                   {text ? "empty" : "not_string", {}});
      words.push_back(text->get());
    }
    out.groups.push_back(std::move(words));
  }
  if (const auto* node = root.get("business_names")) {
    const auto* names = node->as_array();
    if (!names)
      throw autoreply::LoadError(file.string(), node->source().begin.line, "business_names",
                                 "must be a list of English words", {"not_string_list", {}});
    for (const auto& name : *names) {
      const auto* text = name.as_string();
      // One English word: the analyzer drops it where a visitor writes it, as "you".
      const bool one_word =
          text && !text->get().empty() &&
          std::all_of(text->get().begin(), text->get().end(), [](unsigned char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
          });
      if (!one_word)
        throw autoreply::LoadError(file.string(), name.source().begin.line, "business_names",
                                   "one English word each (letters only)",
                                   {text ? "not_one_word" : "not_string", {}});
      std::string word = text->get();
      std::transform(word.begin(), word.end(), word.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      out.business_names.push_back(std::move(word));
    }
  }
  return out;
}

TenantSynonyms::TenantSynonyms(const std::vector<std::vector<std::string>>& groups,
                               const WordAnalysis& analyse) {
  add(groups, analyse);
}

void TenantSynonyms::add(const std::vector<std::vector<std::string>>& groups,
                         const WordAnalysis& analyse) {
  for (const auto& group : groups) {
    const std::string first = analyse(group.front());
    if (first.empty()) continue;
    for (std::size_t i = 1; i < group.size(); ++i) {
      const std::string term = analyse(group[i]);
      if (!term.empty() && term != first) canonical_.emplace(term, first);
    }
  }
}

const std::string& TenantSynonyms::canonical(const std::string& term) const {
  const auto it = canonical_.find(term);
  return it == canonical_.end() ? term : it->second;
}

}  // namespace switchboard::faq
