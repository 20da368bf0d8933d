#include "tenants/groups_reader.hpp"

#include <algorithm>

namespace sb::tenants {

namespace {

using config::TableReader;
using groups::BusinessHours;
using groups::Group;

// One weekday key of [groups.NAME.hours]: "09:00-17:00" or ["09:00-12:00", "13:00-17:00"].
void read_day(const toml::key& key, const toml::node& value, const std::string& path,
              std::array<std::string, 7>& set_by, BusinessHours& hours, config::ErrorSink& sink) {
  const std::string day_key = path + "." + std::string(key.str());
  std::vector<int> days = groups::parse_weekdays(key.str());
  if (days.empty()) {
    sink.add(key.source(), day_key,
             "'" + std::string(key.str()) +
                 "' is not a weekday or weekday range (mon, tue, wed, thu, fri, sat, sun, or a "
                 "range like mon-fri)");
    return;
  }
  for (int day : days) {
    if (!set_by[day].empty()) {
      sink.add(key.source(), day_key,
               std::string(groups::weekday_name(day)) + " is already set by " + set_by[day]);
      return;
    }
  }
  std::vector<std::pair<const toml::node*, std::string>> ranges;  // node, its key path
  if (value.is_string()) {
    ranges.emplace_back(&value, day_key);
  } else if (const toml::array* list = value.as_array()) {
    for (std::size_t i = 0; i < list->size(); ++i)
      ranges.emplace_back(list->get(i), day_key + "[" + std::to_string(i) + "]");
  } else {
    sink.add(value.source(), day_key,
             "must be a time range (\"09:00-17:00\") or an array of them, not " +
                 config::a_type_name(value.type()));
    return;
  }
  std::vector<groups::MinuteRange> parsed;
  for (const auto& [node, node_key] : ranges) {
    const auto* text = node->as_string();
    std::string why = text ? ""
                           : "must be a time range like \"09:00-17:00\", not " +
                                 config::a_type_name(node->type());
    auto range = text ? groups::parse_range(text->get(), why) : std::nullopt;
    if (!range) {
      sink.add(node->source(), node_key, why);
      return;
    }
    for (const auto& other : parsed) {
      if (range->begin < other.end && other.begin < range->end) {
        sink.add(node->source(), node_key,
                 "'" + text->get() + "' overlaps another range of the same day");
        return;
      }
    }
    parsed.push_back(*range);
  }
  for (int day : days) {
    set_by[day] = day_key;
    for (const auto& range : parsed) hours.add(day, range);
  }
}

void read_group(TableReader& table, Group& out) {
  auto& sink = table.sink();
  out.name = out.id;
  if (table.string("name", out.name) && out.name.empty())
    sink.add(table.where("name"), table.key_path("name"), "must not be empty");

  std::string timezone;
  bool has_zone = table.string("timezone", timezone);
  if (has_zone) {
    if (auto zoned = BusinessHours::in_zone(timezone))
      out.hours = std::move(*zoned);
    else
      sink.add(table.where("timezone"), table.key_path("timezone"),
               "'" + timezone +
                   "' is not a time zone of the tz database (use an IANA name like "
                   "\"Europe/Berlin\" or \"UTC\")");
  }
  if (const toml::table* hours = table.table("hours")) {
    if (!table.toml_table().contains("timezone"))
      sink.add(table.where("hours"), table.key_path("timezone"),
               "is required when hours are set (e.g. \"Europe/Berlin\"), so they mean the "
               "group's local time");
    std::array<std::string, 7> set_by;
    for (auto&& [key, value] : *hours)
      read_day(key, value, table.key_path("hours"), set_by, out.hours, sink);
    if (hours->empty())
      sink.add(table.where("hours"), table.key_path("hours"),
               "names no day; leave the table out for a group that is always open");
  }

  if (const toml::array* list = table.array("holidays")) {
    if (!table.toml_table().contains("timezone"))
      sink.add(table.where("holidays"), table.key_path("timezone"),
               "is required when holidays are set (e.g. \"Europe/Berlin\"), so a holiday "
               "means the group's local date");
    std::vector<std::string> dates;
    if (table.string_array("holidays", dates)) {
      for (std::size_t i = 0; i < dates.size(); ++i) {
        const std::string key = table.key_path("holidays") + "[" + std::to_string(i) + "]";
        if (!groups::is_iso_date(dates[i]))
          sink.add(list->get(i)->source(), key,
                   "'" + dates[i] + "' is not a date like \"2026-12-25\" (YYYY-MM-DD)");
        else if (!out.hours.add_holiday(dates[i]))
          sink.add(list->get(i)->source(), key, "'" + dates[i] + "' is listed twice");
      }
    }
  }

  table.integer("max_queue_length", out.max_queue_length, 0, 1'000'000);
  table.integer("max_wait_s", out.max_wait_s, 0, 7 * 86'400);
  std::string outcome;
  if (table.string("on_queue_limit", outcome)) {
    if (outcome == "offline_message")
      out.on_queue_limit = groups::QueueLimitOutcome::offline_message;
    else if (outcome == "message_and_close")
      out.on_queue_limit = groups::QueueLimitOutcome::message_and_close;
    else
      sink.add(table.where("on_queue_limit"), table.key_path("on_queue_limit"),
               "must be \"offline_message\" or \"message_and_close\"");
  }
  out.queue_limit_message = groups::kDefaultQueueLimitMessage;
  if (table.string("queue_limit_message", out.queue_limit_message) &&
      out.queue_limit_message.empty())
    sink.add(table.where("queue_limit_message"), table.key_path("queue_limit_message"),
             "must not be empty");
  table.reject_unknown();
}

}  // namespace

bool is_valid_group_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return c > ' ' && c < 0x7f && c != '/' && c != '?' && c != '#' && c != '%';
  });
}

groups::GroupMap read_groups(const toml::table& groups_table, config::ErrorSink& sink) {
  groups::GroupMap result;
  for (auto&& [key, node] : groups_table) {
    std::string id(key.str());
    std::string path = "groups." + id;
    const toml::table* table = node.as_table();
    if (!table) {
      sink.add(node.source(), path,
               "must be a table ([groups." + id + "]), not " + config::a_type_name(node.type()));
      continue;
    }
    if (!is_valid_group_id(id)) {
      sink.add(key.source(), path,
               "'" + id +
                   "' is not a valid group id (1-64 printable characters, no spaces, '/', '?', "
                   "'#', '%')");
      continue;
    }
    std::size_t errors_before = sink.count();
    TableReader reader(*table, path, sink);
    Group group;
    group.id = id;
    read_group(reader, group);
    if (sink.count() == errors_before) result.emplace(id, std::move(group));
  }
  return result;
}

}  // namespace sb::tenants
