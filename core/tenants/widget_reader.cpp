#include "tenants/widget_reader.hpp"

#include <algorithm>
#include <initializer_list>
#include <set>

#include "common/origin.hpp"

namespace sb::tenants {

namespace {

using config::TableReader;

constexpr std::size_t kMaxLogoBytes = 64 * 1024;  // a data: URI logo travels in every answer
constexpr std::size_t kMaxTitleBytes = 200;
constexpr std::size_t kMaxTextBytes = 2000;

void report(TableReader& table, std::string_view key, std::string message) {
  table.sink().add(table.where(key), table.key_path(key), std::move(message));
}

// A string key whose value must be one of `choices`.
void read_choice(TableReader& table, std::string_view key, std::string& out,
                 std::initializer_list<std::string_view> choices) {
  if (!table.string(key, out)) return;
  if (std::find(choices.begin(), choices.end(), out) != choices.end()) return;
  std::string list;
  for (auto choice : choices) list.append(list.empty() ? "" : " or ").append(choice);
  report(table, key, "must be " + list);
}

bool is_color(std::string_view text) {
  return (text.size() == 4 || text.size() == 7) && text.front() == '#' &&
         text.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string_view::npos;
}

// What the frame can show under its CSP (img-src 'self' data: blob: https:).
bool is_logo_url(std::string_view text) {
  const bool local_path = text.starts_with("/") && !text.starts_with("//");
  const bool clean = text.find_first_of(" \"'<>\\\n\r\t") == std::string_view::npos;
  return clean && (text.starts_with("https://") || local_path || text.starts_with("data:image/"));
}

void read_origins(TableReader& table, std::vector<std::string>& out) {
  const toml::array* list = table.array("allowed_origins");
  if (!list || !table.string_array("allowed_origins", out)) return;
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto normalized = normalize_origin(out[i]);
    if (!normalized) {
      table.sink().add(list->get(i)->source(),
                       table.key_path("allowed_origins") + "[" + std::to_string(i) + "]",
                       "'" + out[i] +
                           "' is not an origin: write scheme://host[:port], http or https, "
                           "without a path (e.g. \"https://shop.example.com\")");
      continue;
    }
    out[i] = std::move(*normalized);
  }
}

void read_pre_chat(TableReader& table, WidgetConfig& out) {
  table.boolean("enabled", out.pre_chat_enabled);
  const toml::array* list = table.array("fields");
  if (list && table.string_array("fields", out.pre_chat_fields)) {
    if (out.pre_chat_fields.empty()) report(table, "fields", "must name at least one field");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < out.pre_chat_fields.size(); ++i) {
      const std::string& field = out.pre_chat_fields[i];
      const std::string key = table.key_path("fields") + "[" + std::to_string(i) + "]";
      if (field != "name" && field != "email" && field != "question")
        table.sink().add(list->get(i)->source(), key,
                         "'" + field + "' is not a field (name, email or question)");
      else if (!seen.insert(field).second)
        table.sink().add(list->get(i)->source(), key, "'" + field + "' is named twice");
    }
  }
  table.reject_unknown();
}

void read_text(TableReader& table, std::string_view key, std::string& out, std::size_t max_bytes) {
  std::string value;
  if (!table.string(key, value)) return;
  if (value.empty() || value.size() > max_bytes)
    return report(table, key,
                  "must be 1 to " + std::to_string(max_bytes) + " bytes (it is " +
                      std::to_string(value.size()) + ")");
  out = std::move(value);
}

void read_texts(TableReader& table, std::map<std::string, WidgetTexts>& out) {
  for (auto& [language, texts] : out) {
    const toml::table* words = table.table(language);
    if (!words) continue;
    TableReader reader(*words, table.key_path(language), table.sink());
    read_text(reader, "title", texts.title, kMaxTitleBytes);
    read_text(reader, "greeting", texts.greeting, kMaxTextBytes);
    read_text(reader, "offline_message", texts.offline_message, kMaxTextBytes);
    reader.reject_unknown();
  }
  table.reject_unknown();
}

}  // namespace

WidgetConfig read_widget(TableReader& table) {
  WidgetConfig out;
  if (table.string("color", out.color) && !is_color(out.color))
    report(table, "color", "'" + out.color + "' is not a colour (#rgb or #rrggbb)");
  if (table.string("logo", out.logo) && (!is_logo_url(out.logo) || out.logo.size() > kMaxLogoBytes))
    report(table, "logo",
           "must be an https:// URL, a path on this server (/...) or a data:image/ URI of at "
           "most 64 KiB, without spaces or quotes");
  read_choice(table, "position", out.position, {"right", "left"});
  read_choice(table, "default_language", out.default_language, {"en", "zh"});
  read_origins(table, out.allowed_origins);
  if (const toml::table* pre_chat = table.table("pre_chat")) {
    TableReader reader(*pre_chat, table.key_path("pre_chat"), table.sink());
    read_pre_chat(reader, out);
  }
  if (const toml::table* texts = table.table("texts")) {
    TableReader reader(*texts, table.key_path("texts"), table.sink());
    read_texts(reader, out.texts);
  }
  table.reject_unknown();
  return out;
}

}  // namespace sb::tenants
