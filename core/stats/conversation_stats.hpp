// The admin dashboard's figures over stored conversation records (the JSON the
// engine writes; see docs/protocol.md, "Stats"): the day's times as p50/p90, CSAT, what the
// bot did, and conversations per day, agent and group over a range of local days.
// Pure: records and times in, figures out; the API reads the records and answers.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "stats/calendar.hpp"

namespace sb::stats {

// One stored conversation, as the figures need it. Times are wall clock ms, 0 = never.
struct Record {
  std::string id;
  std::string status;  // bot | queued | assigned | closed
  std::string group;   // "" = the tenant's default queue
  std::string agent;   // who had it last (last_agent, else assignee); "" = nobody yet
  int64_t created_ms = 0;
  int64_t closed_ms = 0;
  int64_t queued_ms = 0;  // it first needed a human
  int64_t assigned_ms = 0;
  int64_t first_response_ms = 0;
  std::string bot_outcome;  // "" (no bot) | bot | resolved | handed_off
  int csat_score = 0;       // 1..5, 0 = not rated
  int64_t csat_ms = 0;
  int64_t updated_ms = 0;    // when the record was last written
  int64_t abandoned_ms = 0;  // its visitor left the queue unserved (a missed chat)
};

// The conversations of a list_conversations answer ({"conversations":[...]}),
// nullopt when the body is not that.
std::optional<std::vector<Record>> parse_records(std::string_view body);

// Nearest-rank percentiles of durations.
struct Spread {
  size_t count = 0;
  int64_t p50_ms = 0;
  int64_t p90_ms = 0;
};
Spread spread_of(std::vector<int64_t> samples_ms);

// What happened in [since_ms, until_ms) (the dashboard: today, local time).
struct Period {
  uint32_t opened = 0;  // created in it
  uint32_t closed = 0;  // closed in it
  uint32_t missed = 0;  // of those, closed because the visitor left the queue unserved
  // Of those opened in it that the bot took: closed by the bot, handed to a
  // human, still with the bot.
  uint32_t bot_resolved = 0;
  uint32_t bot_handed_off = 0;
  uint32_t bot_active = 0;
  // Each timed by the step that ends in the period.
  Spread first_response;    // queued_at -> first_response_at
  Spread wait;              // queued_at -> assigned_at
  Spread resolution;        // created_at -> closed_at
  uint32_t csat_count = 0;  // ratings given in it
  double csat_average = 0;
};
Period period_figures(const std::vector<Record>& records, int64_t since_ms, int64_t until_ms);
Period period_figures(const std::unordered_map<std::string, Record>& records, int64_t since_ms,
                      int64_t until_ms);
boost::json::object period_json(const Period& period);

// Conversations by the local day they were created on, [first, last].
struct Counts {
  uint32_t conversations = 0;
  uint32_t closed = 0;  // of those, closed by now
  uint32_t bot_resolved = 0;
  uint32_t handed_off = 0;
  void add(const Record& r);
};
struct Report {
  std::string timezone;
  DayNumber first = 0;
  DayNumber last = 0;
  std::vector<Counts> days;  // one per day, first to last
  Counts total;
  std::map<std::string, Counts> by_agent;  // "" = never had an agent
  std::map<std::string, Counts> by_group;  // "" = the default queue
  // (day, group, agent) -> counts: the CSV's rows.
  std::map<std::tuple<DayNumber, std::string, std::string>, Counts> cells;
};
Report build_report(const std::vector<Record>& records, const Calendar& calendar, DayNumber first,
                    DayNumber last);

// An agent id's display name (the id itself when the agent is gone).
using AgentName = std::function<std::string(const std::string& agent_id)>;
boost::json::object report_json(const Report& report, const AgentName& name_of);
// One row per (day, group, agent) with conversations; header first, CRLF lines.
std::string report_csv(const Report& report, const AgentName& name_of);

// One CSV field: quoted when it holds a comma, quote or line break, and a text that
// a spreadsheet would take for a formula (= + - @, tab, CR first) starts with '.
std::string csv_field(std::string_view text);

}  // namespace sb::stats
