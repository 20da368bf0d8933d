// Edits of a knowledge-base file's text (plugins/autoreply-faq/faq_loader.hpp) that
// keep everything else as written, comments and layout included: the unanswered
// questions' "attach" (one more question for an entry) and "create" (one more
// entry). TOML is read and values are quoted by toml++; the result still goes
// through the plugin's own check (Backend::replace_plugin_file) before it is saved.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::api {

// The ids of the file's [[entries]], in order; nullopt when the text is not TOML.
std::optional<std::vector<std::string>> kb_entry_ids(std::string_view text);

// The entry's questions, as written; empty when there is no such entry.
std::vector<std::string> kb_entry_questions(std::string_view text, std::string_view entry_id);

// text with question added as the last of entry_id's questions; nullopt (and why)
// when the text is not TOML or has no such entry with a questions array.
std::optional<std::string> kb_with_question(std::string_view text, std::string_view entry_id,
                                            std::string_view question, std::string& why);

// The file's not_for_bot questions (an admin dismissed them: the bot leaves alike
// messages alone, plugins/autoreply-faq/faq_loader.hpp), as written.
std::vector<std::string> kb_not_for_bot(std::string_view text);

// text with question added as the last of not_for_bot, the list made (before the
// first table, so it stays a top-level key) when the file has none; nullopt (and
// why) when the text is not TOML or not_for_bot is not an array.
std::optional<std::string> kb_with_not_for_bot(std::string_view text, std::string_view question,
                                               std::string& why);

// text without the not_for_bot question at `index` (kb_not_for_bot's order), its
// separating comma with it; nullopt (and why) when there is no such question.
std::optional<std::string> kb_without_not_for_bot(std::string_view text, std::size_t index,
                                                  std::string& why);

// A new entry for the end of a file: id, its questions and its answer (one text,
// or one per language as {language, text} pairs), tags if any.
struct NewKbEntry {
  std::string id;
  std::vector<std::string> questions;
  std::vector<std::pair<std::string, std::string>> answers;  // {"", text} for one answer
  std::vector<std::string> tags;
};
std::string kb_with_entry(std::string_view text, const NewKbEntry& entry);

}  // namespace sb::api
