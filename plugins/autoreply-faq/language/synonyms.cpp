#include "synonyms.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "toml_list_reader.hpp"

namespace switchboard::faq {
namespace {

const std::vector<std::string> kNone;

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Synset {
  std::vector<std::string> words;
  std::vector<long> broader;   // hypernyms and instance hypernyms in the same file
  int lexicographer_file = 0;  // its lexicographer file: 15 noun.location, 28 noun.time
};

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

// Every synset of a data.* file, by byte offset (WordNet's synset id). A line:
// offset lex_filenum ss_type w_cnt(hex) [word lex_id]... p_cnt [symbol offset pos
// source/target]... | gloss.
std::unordered_map<long, Synset> read_synsets(const std::string& data, char pos) {
  std::unordered_map<long, Synset> out;
  std::size_t at = 0;
  while (at < data.size()) {
    const auto end = std::min(data.find('\n', at), data.size());
    if (data[at] != ' ') {  // lines starting with spaces are the licence header
      const auto gloss = std::min(data.find('|', at), end);
      std::istringstream line(data.substr(at, gloss - at));
      long offset = 0;
      std::string lex, type, count_hex;
      line >> offset >> lex >> type >> count_hex;
      const long count = std::strtol(count_hex.c_str(), nullptr, 16);
      Synset synset;
      synset.lexicographer_file = std::atoi(lex.c_str());
      for (long i = 0; i < count; ++i) {
        std::string word, lex_id;
        if (!(line >> word >> lex_id)) break;
        synset.words.push_back(std::move(word));
      }
      int pointers = 0;
      line >> pointers;
      for (int i = 0; i < pointers; ++i) {
        std::string symbol, target_pos, source_target;
        long target = 0;
        if (!(line >> symbol >> target >> target_pos >> source_target)) break;
        if ((symbol == "@" || symbol == "@i") && target_pos.size() == 1 && target_pos[0] == pos)
          synset.broader.push_back(target);
      }
      out.emplace(offset, std::move(synset));
    }
    at = end + 1;
  }
  return out;
}

// A hypernym as one word: itself, or the head of a compound ("European_country" ->
// "country"); "" for phrases whose head is not last ("source_of_illumination").
std::string head_word(const std::string& lemma) {
  if (lemma.find("_of_") != std::string::npos) return {};
  const auto last = lemma.rfind('_');
  return last == std::string::npos ? lemma : lemma.substr(last + 1);
}

std::string lower_lemma(const std::string& word) {
  std::string lower = word.substr(0, word.find('('));  // "a(p)" adjective markers
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

}  // namespace

WordNetSynonyms::WordNetSynonyms(const std::filesystem::path& directory, const WordAnalysis& stem) {
  // "inflected base [base]...": the first base form, one-word entries only; a verb's
  // reading wins over a noun's ("saw" -> see), as visitors ask what to do.
  for (const char* list : {"verb.exc", "noun.exc", "adj.exc"}) {
    std::ifstream in(directory / list);
    if (!in)
      throw std::runtime_error("WordNet: cannot read " + (directory / list).string() +
                               " (Debian: apt-get install wordnet-base)");
    std::string inflected, base;
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      if (!(fields >> inflected >> base)) continue;
      if (inflected.find_first_of("_-'.") != std::string::npos ||
          base.find_first_of("_-'.") != std::string::npos)
        continue;
      base_form_.emplace(inflected, base);
    }
  }
  // Per term: its root word, that word's senses as a thing, and its other senses.
  struct Senses {
    std::string root;
    int noun = 0, other = 0;
  };
  std::unordered_map<std::string, Senses> senses;
  // Per word as written: its own senses as a thing and its other ones.
  std::unordered_map<std::string, std::pair<int, int>> word_senses;
  // Per term: its root noun and whether that names a time or an institution.
  struct NounKind {
    std::string root;
    bool time = false, institution = false, concrete = false, goods = false;
  };
  std::unordered_map<std::string, NounKind> noun_kind;
  for (const auto& [pos, pos_letter] :
       {std::pair<const char*, char>{"noun", 'n'}, {"verb", 'v'}, {"adj", 'a'}}) {
    std::string data, index;
    try {
      data = read_all(directory / (std::string("data.") + pos));
      index = read_all(directory / (std::string("index.") + pos));
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("WordNet: ") + e.what() +
                               " (Debian: apt-get install wordnet-base)");
    }
    const auto synsets = read_synsets(data, pos_letter);
    std::istringstream lines(index);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty() || line[0] == ' ') continue;
      // lemma pos synset_cnt p_cnt [ptr]... sense_cnt tagsense_cnt offset [offset]...
      std::istringstream fields(line);
      std::string lemma, p;
      int synset_count = 0, pointer_count = 0;
      fields >> lemma >> p >> synset_count >> pointer_count;
      if (lemma.find('_') != std::string::npos) continue;  // phrases: not one term
      std::string skip;
      for (int i = 0; i < pointer_count; ++i) fields >> skip;
      fields >> skip >> skip;
      long first_sense = 0;
      if (!(fields >> first_sense)) continue;
      const auto it = synsets.find(first_sense);
      if (it == synsets.end()) continue;
      const std::string term = stem(lemma);
      if (term.empty()) continue;
      known_.insert(term);
      // The root word's noun senses: mostly times (is_time_noun), or an institution
      // among the two commonest (is_institution).
      if (pos_letter == 'n') {
        int senses_seen = 1, times = it->second.lexicographer_file == kNounTime;
        bool group = it->second.lexicographer_file == kNounGroup;
        for (long offset = 0; fields >> offset; ++senses_seen) {
          const auto sense = synsets.find(offset);
          if (sense == synsets.end()) continue;
          times += sense->second.lexicographer_file == kNounTime;
          if (senses_seen == 1) group = group || sense->second.lexicographer_file == kNounGroup;
        }
        auto& kind = noun_kind[term];
        if (kind.root.empty() || lemma.size() < kind.root.size())
          kind = {lemma, 2 * times > senses_seen, group,
                  is_concrete_file(it->second.lexicographer_file),
                  is_goods_file(it->second.lexicographer_file)};
      }
      // Whether the term is a noun of a thing (is_noun): words sharing a stem are told
      // apart by the shortest, the root one ("hospital", not "hospitalization" nor
      // "hospitable"); a time or a place is not a thing anyone owns ("order today",
      // "ship to Canada"), so such senses count against it.
      auto& count = senses[term];
      if (count.root.empty() || lemma.size() < count.root.size()) count = {lemma, 0, 0};
      if (lemma.size() == count.root.size()) {
        const bool thing = pos_letter == 'n' && it->second.lexicographer_file != kNounTime &&
                           it->second.lexicographer_file != kNounLocation;
        (thing ? count.noun : count.other) += synset_count;
      }
      {
        const bool thing = pos_letter == 'n' && it->second.lexicographer_file != kNounTime &&
                           it->second.lexicographer_file != kNounLocation;
        auto& own = word_senses[lemma];
        (thing ? own.first : own.second) += synset_count;
      }
      auto& related = related_[term];
      for (const auto& word : it->second.words) {
        if (word.find('_') != std::string::npos) continue;
        const std::string other = stem(lower_lemma(word));
        if (other.empty() || other == term) continue;
        if (std::find(related.begin(), related.end(), other) == related.end())
          related.push_back(other);
      }
      if (related.empty()) related_.erase(term);
      // One level up from the same sense, for nouns only: "Germany" -> (European)
      // country, "sneaker" -> shoe. A verb's hypernym is too general to say what a
      // message is about ("document" -> write, "bill" -> charge).
      if (pos_letter != 'n') continue;
      auto& broader = broader_[term];
      for (const long up : it->second.broader) {
        const auto parent = synsets.find(up);
        if (parent == synsets.end()) continue;
        for (const auto& word : parent->second.words) {
          const std::string head = head_word(lower_lemma(word));
          const std::string other = head.empty() ? std::string() : stem(head);
          if (other.empty() || other == term) continue;
          if (std::find(broader.begin(), broader.end(), other) == broader.end())
            broader.push_back(other);
        }
      }
      if (broader.empty()) broader_.erase(term);
    }
  }
  for (const auto& [term, counts] : senses)
    if (counts.noun > 0 && counts.noun >= counts.other) nouns_.insert(term);
  for (const auto& [term, kind] : noun_kind) {
    if (kind.time) time_nouns_.insert(term);
    if (kind.institution) institutions_.insert(term);
    if (kind.concrete) concrete_.insert(term);
    if (kind.goods) goods_.insert(term);
  }
  // The words that are things although their stem's root word is not ("electricity",
  // whose stem is the adjective "electric"'s): only those, the rest is in nouns_.
  for (const auto& [lemma, counts] : word_senses) {
    if (counts.first == 0 || counts.first < counts.second) continue;
    const std::string term = stem(lemma);
    if (!term.empty() && !nouns_.count(term)) noun_words_.insert(lemma);
  }
}

std::shared_ptr<const WordNetSynonyms> WordNetSynonyms::shared(
    const std::filesystem::path& directory, const WordAnalysis& stem) {
  // Process-wide cache of immutable data, as for the Chinese dictionary.
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::weak_ptr<const WordNetSynonyms>> loaded;
  std::lock_guard lock(mutex);
  if (auto existing = loaded[directory].lock()) return existing;
  auto made = std::make_shared<const WordNetSynonyms>(directory, stem);
  loaded[directory] = made;
  return made;
}

const std::string& WordNetSynonyms::base_form(const std::string& word) const {
  static const std::string none;
  const auto it = base_form_.find(word);
  return it == base_form_.end() ? none : it->second;
}

const std::vector<std::string>& WordNetSynonyms::broader(const std::string& term) const {
  const auto it = broader_.find(term);
  return it == broader_.end() ? kNone : it->second;
}

const std::vector<std::string>& WordNetSynonyms::of(const std::string& term) const {
  const auto it = related_.find(term);
  return it == related_.end() ? kNone : it->second;
}

TenantSynonyms::TenantSynonyms(const std::filesystem::path& file, const WordAnalysis& analyse) {
  add(read_groups(file), analyse);
}

std::vector<std::vector<std::string>> TenantSynonyms::read_groups(
    const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw autoreply::LoadError(file.string(), e.source().begin.line, "",
                               std::string(e.description()));
  }
  std::vector<std::vector<std::string>> groups;
  for (auto&& [key, value] : root) {
    if (key.str() != "groups")
      throw autoreply::LoadError(file.string(), value.source().begin.line, std::string(key.str()),
                                 "unknown key (only groups)");
  }
  const auto* list = root["groups"].as_array();
  if (!list) throw autoreply::LoadError(file.string(), 0, "groups", "missing: a list of lists");
  for (std::size_t g = 0; g < list->size(); ++g) {
    const auto* group = (*list)[g].as_array();
    const std::string key = "groups[" + std::to_string(g) + "]";
    if (!group || group->size() < 2)
      throw autoreply::LoadError(file.string(), (*list)[g].source().begin.line, key,
                                 "must be a list of at least two words");
    std::vector<std::string> words;
    for (const auto& word : *group) {
      const auto* text = word.as_string();
      if (!text || text->get().empty())
        throw autoreply::LoadError(file.string(), word.source().begin.line, key,
                                   "words must be non-empty strings");
      words.push_back(text->get());
    }
    groups.push_back(std::move(words));
  }
  return groups;
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
