#pragma once
// A map from words to values for the language data: hundreds of thousands of short
// words, added once at start-up and then only looked up.
//
// std::unordered_map<std::string, V> spends most of the start-up on one allocation
// per word (its node, and the string when longer than 15 bytes: most Chinese words)
// and on rehashing. Here the words are copied one after another into one buffer, the
// entries (where a word's bytes are, its value) sit in one vector in the order they
// were added, and an open-addressing table (linear probing, at most 3/4 full) holds
// each entry's index beside 32 bits of its word's hash, so a probe compares words
// only when those bits agree. Lookups take a string_view: no std::string is built.
//
// Not thread-safe while being filled; immutable afterwards, when find() and
// for_each() are safe from many threads.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::faq {

template <typename Value>
class StringTable {
 public:
  // Room for this many words, of this many bytes in all, without growing.
  void reserve(std::size_t words, std::size_t word_bytes = 0) {
    entries_.reserve(words);
    keys_.reserve(word_bytes);
    if (too_full(words)) rehash(capacity_for(words));
  }

  // The word's value, added (value-initialised) when the table lacks the word.
  Value& operator[](std::string_view word) { return *try_emplace(word).first; }

  // Adds the word with value unless it is there; returns its value and whether it
  // was added.
  std::pair<Value*, bool> try_emplace(std::string_view word, Value value = Value()) {
    if (too_full(entries_.size() + 1)) rehash(capacity_for(entries_.size() + 1));
    const std::size_t hash = hash_of(word);
    std::size_t at = hash & (slots_.size() - 1);
    for (;; at = (at + 1) & (slots_.size() - 1)) {
      const std::uint64_t slot = slots_[at];
      if (slot == 0) break;
      if (matches(slot, hash, word)) return {&entries_[index_of(slot)].value, false};
    }
    if (keys_.size() + word.size() > UINT32_MAX || entries_.size() >= UINT32_MAX - 1)
      throw std::length_error("language data too large for a StringTable");
    entries_.push_back({static_cast<std::uint32_t>(keys_.size()),
                        static_cast<std::uint32_t>(word.size()), std::move(value)});
    keys_.append(word);
    slots_[at] = slot_of(hash, entries_.size() - 1);
    return {&entries_.back().value, true};
  }

  // The word's value, or nullptr.
  const Value* find(std::string_view word) const {
    if (slots_.empty()) return nullptr;
    const std::size_t hash = hash_of(word);
    for (std::size_t at = hash & (slots_.size() - 1);; at = (at + 1) & (slots_.size() - 1)) {
      const std::uint64_t slot = slots_[at];
      if (slot == 0) return nullptr;
      if (matches(slot, hash, word)) return &entries_[index_of(slot)].value;
    }
  }
  bool contains(std::string_view word) const { return find(word) != nullptr; }

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // f(word, value) for every entry, in the order the words were added.
  template <typename F>
  void for_each(F&& f) const {
    for (const auto& e : entries_) f(key_of(e), e.value);
  }
  template <typename F>
  void for_each(F&& f) {
    for (auto& e : entries_) f(key_of(e), e.value);
  }

  // Frees what reserve() and growth left unused (once the table is complete).
  void shrink_to_fit() {
    keys_.shrink_to_fit();
    entries_.shrink_to_fit();
  }

 private:
  struct Entry {
    std::uint32_t key_offset;
    std::uint32_t key_size;
    Value value;
  };

  static std::size_t hash_of(std::string_view word) { return std::hash<std::string_view>{}(word); }
  // A slot: the entry's index + 1 (0 is an empty slot) in the low half, the high 32
  // bits of the word's hash in the high half.
  static std::uint64_t slot_of(std::size_t hash, std::size_t index) {
    return (static_cast<std::uint64_t>(hash) & 0xFFFFFFFF00000000ull) | (index + 1);
  }
  static std::size_t index_of(std::uint64_t slot) { return (slot & 0xFFFFFFFFull) - 1; }
  // At most 3/4 full: a lookup of a missing word (most of the segmenter's) then
  // probes a few slots, one or two cache lines, and the table stays small.
  bool too_full(std::size_t words) const { return words * 4 > slots_.size() * 3; }
  static std::size_t capacity_for(std::size_t words) {
    std::size_t capacity = 16;
    while (words * 4 > capacity * 3) capacity *= 2;
    return capacity;
  }

  std::string_view key_of(const Entry& e) const {
    return std::string_view(keys_).substr(e.key_offset, e.key_size);
  }
  bool matches(std::uint64_t slot, std::size_t hash, std::string_view word) const {
    if ((slot ^ static_cast<std::uint64_t>(hash)) & 0xFFFFFFFF00000000ull) return false;
    return key_of(entries_[index_of(slot)]) == word;
  }

  void rehash(std::size_t capacity) {
    std::vector<std::uint64_t> slots(capacity, 0);
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      const std::size_t hash = hash_of(key_of(entries_[i]));
      std::size_t at = hash & (capacity - 1);
      while (slots[at] != 0) at = (at + 1) & (capacity - 1);
      slots[at] = slot_of(hash, i);
    }
    slots_ = std::move(slots);
  }

  std::string keys_;                  // every word, one after another
  std::vector<Entry> entries_;        // in the order added
  std::vector<std::uint64_t> slots_;  // open addressing; size a power of two
};

}  // namespace switchboard::faq
