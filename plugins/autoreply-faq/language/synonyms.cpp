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

// The words of every synset in a data.* file, by byte offset (WordNet's synset id).
// A line: offset lex_filenum ss_type w_cnt(hex) word lex_id [word lex_id]... rest.
std::unordered_map<long, std::vector<std::string>> synset_words(const std::string& data) {
  std::unordered_map<long, std::vector<std::string>> out;
  std::size_t pos = 0;
  while (pos < data.size()) {
    const auto end = std::min(data.find('\n', pos), data.size());
    if (data[pos] != ' ') {  // lines starting with spaces are the licence header
      std::istringstream line(data.substr(pos, std::min<std::size_t>(end - pos, 400)));
      long offset = 0;
      std::string lex, type, count_hex;
      line >> offset >> lex >> type >> count_hex;
      const long count = std::strtol(count_hex.c_str(), nullptr, 16);
      std::vector<std::string> words;
      for (long i = 0; i < count; ++i) {
        std::string word, lex_id;
        if (!(line >> word >> lex_id)) break;
        words.push_back(std::move(word));
      }
      out.emplace(offset, std::move(words));
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace

WordNetSynonyms::WordNetSynonyms(const std::filesystem::path& directory, const WordAnalysis& stem) {
  for (const char* pos : {"noun", "verb", "adj"}) {
    std::string data, index;
    try {
      data = read_all(directory / (std::string("data.") + pos));
      index = read_all(directory / (std::string("index.") + pos));
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("WordNet: ") + e.what() +
                               " (Debian: apt-get install wordnet-base)");
    }
    const auto synsets = synset_words(data);
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
      auto& related = related_[term];
      for (const auto& word : it->second) {
        if (word.find('_') != std::string::npos) continue;
        std::string lower = word.substr(0, word.find('('));  // "a(p)" adjective markers
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const std::string other = stem(lower);
        if (other.empty() || other == term) continue;
        if (std::find(related.begin(), related.end(), other) == related.end())
          related.push_back(other);
      }
      if (related.empty()) related_.erase(term);
    }
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

const std::vector<std::string>& WordNetSynonyms::of(const std::string& term) const {
  const auto it = related_.find(term);
  return it == related_.end() ? kNone : it->second;
}

TenantSynonyms::TenantSynonyms(const std::filesystem::path& file, const WordAnalysis& analyse) {
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
  add(groups, analyse);
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
