// The dashboard's figures from stored records: local days across daylight-saving
// changes, nearest-rank percentiles, what counts as today's, the bot's outcomes,
// and a CSV a spreadsheet opens without running anything.
#include <catch2/catch.hpp>

#include "stats/calendar.hpp"
#include "stats/conversation_stats.hpp"
#include "stats/today_cache.hpp"

using namespace sb::stats;

namespace {
constexpr int64_t kHour = 3600 * 1000;
// 2026-03-29 00:00 UTC: the night Berlin moves its clocks forward (02:00 -> 03:00).
constexpr int64_t kMarch29 = 1774742400000;

// A record that was only created (and last written then).
Record created(std::string id, std::string status, std::string group, std::string agent,
               int64_t created_ms) {
  Record r;
  r.id = std::move(id);
  r.status = std::move(status);
  r.group = std::move(group);
  r.agent = std::move(agent);
  r.created_ms = created_ms;
  r.updated_ms = created_ms;
  return r;
}
}  // namespace

TEST_CASE("days are local to the zone, across daylight saving") {
  const auto berlin = Calendar::in_zone("Europe/Berlin");
  REQUIRE(berlin);
  const DayNumber day = *parse_day("2026-03-29");
  CHECK(format_day(day) == "2026-03-29");
  // Midnight in Berlin is 23:00 UTC the day before (CET, +1); the day is 23 hours long.
  CHECK(berlin->start_of(day) == kMarch29 - kHour);
  CHECK(berlin->start_of(day + 1) - berlin->start_of(day) == 23 * kHour);
  CHECK(berlin->day_of(kMarch29 - kHour) == day);
  CHECK(berlin->day_of(kMarch29 - kHour - 1) == day - 1);
  const auto shanghai = Calendar::in_zone("Asia/Shanghai");
  REQUIRE(shanghai);
  CHECK(shanghai->start_of(day) == kMarch29 - 8 * kHour);
  CHECK(!Calendar::in_zone("Mars/Olympus"));
  CHECK(!Calendar::in_zone(""));
}

TEST_CASE("only real YYYY-MM-DD dates parse") {
  CHECK(parse_day("1970-01-02") == 1);
  CHECK(parse_day("2024-02-29"));
  CHECK(!parse_day("2026-02-29"));
  CHECK(!parse_day("2026-13-01"));
  CHECK(!parse_day("2026-1-01"));
  CHECK(!parse_day("2026-01-01x"));
  CHECK(!parse_day("+026-01-01"));
  CHECK(!parse_day(""));
}

TEST_CASE("p50 and p90 are nearest-rank") {
  CHECK(spread_of({}).count == 0);
  const Spread one = spread_of({7});
  CHECK((one.p50_ms == 7 && one.p90_ms == 7));
  const Spread ten = spread_of({10, 1, 9, 2, 8, 3, 7, 4, 6, 5});
  CHECK(ten.count == 10);
  CHECK(ten.p50_ms == 5);
  CHECK(ten.p90_ms == 9);
}

TEST_CASE("a period counts what happened in it") {
  const int64_t day = 1000 * kHour, next = day + 24 * kHour;
  std::vector<Record> records(5);
  // Opened yesterday, waited 10 s, answered 20 s after it queued, closed and rated today.
  records[0] = {"c0",
                "closed",
                "",
                "alice",
                day - kHour,
                day + kHour,
                day - kHour,
                day - kHour + 10000,
                day - kHour + 20000,
                "",
                5,
                day + 2 * kHour,
                day + 2 * kHour};
  // Opened today, the bot handed it to a human who answered after 60 s.
  records[1] = {"c1",       "assigned",  "sales",      "bob", day + 1000, 0,          day + 5000,
                day + 6000, day + 65000, "handed_off", 0,     0,          day + 65000};
  // Opened today, the bot resolved it.
  records[2] = {"c2", "closed", "",         "", day + 2000, day + 3000, 0,
                0,    0,        "resolved", 0,  0,          day + 3000};
  // Still with the bot.
  records[3] = {"c3", "bot", "", "", day + 3000, 0, 0, 0, 0, "bot", 0, 0, day + 3000};
  // Tomorrow: nothing of it counts.
  records[4] = {"c4", "closed", "", "alice", next, next + 1, next, next, next, "", 1, next, next};
  const Period p = period_figures(records, day, next);
  CHECK(p.opened == 3);
  CHECK(p.closed == 2);
  CHECK(p.bot_resolved == 1);
  CHECK(p.bot_handed_off == 1);
  CHECK(p.bot_active == 1);
  CHECK(p.first_response.count == 1);  // c0's was yesterday
  CHECK(p.first_response.p50_ms == 60000);
  CHECK(p.wait.count == 1);
  CHECK(p.wait.p50_ms == 1000);
  CHECK(p.resolution.count == 2);
  CHECK(p.resolution.p90_ms == 2 * kHour);
  CHECK(p.csat_count == 1);
  CHECK(p.csat_average == 5.0);
}

TEST_CASE("a chat whose visitor left the queue is missed, not resolved") {
  const int64_t day = 1000 * kHour, next = day + 24 * kHour;
  Record served = created("c1", "closed", "", "alice", day + 1000);
  served.closed_ms = day + 61000;
  Record missed = created("c2", "closed", "sales", "", day + 2000);
  missed.closed_ms = missed.abandoned_ms = day + 92000;
  Record yesterday = created("c3", "closed", "", "", day - kHour);
  yesterday.closed_ms = yesterday.abandoned_ms = day - 1000;
  const Period p = period_figures(std::vector<Record>{served, missed, yesterday}, day, next);
  CHECK(p.closed == 2);
  CHECK(p.missed == 1);
  CHECK(p.resolution.count == 1);
  CHECK(p.resolution.p50_ms == 60000);
  CHECK(period_json(p).at("missed") == 1);
}

TEST_CASE("the report buckets by local creation day, agent and group, its CSV is defused") {
  const auto tokyo = Calendar::in_zone("Asia/Tokyo");
  REQUIRE(tokyo);
  const DayNumber first = *parse_day("2026-03-01");
  const int64_t start = tokyo->start_of(first);
  std::vector<Record> records(3);
  records[0] = created("a", "closed", "=cmd|' /C calc'!A0", "alice", start + kHour);
  records[1] = created("b", "queued", "", "", start + 25 * kHour);
  records[2] = created("c", "closed", "", "alice", start - 1);  // the day before, in Tokyo
  const Report report = build_report(records, *tokyo, first, first + 2);
  REQUIRE(report.days.size() == 3);
  CHECK(report.days[0].conversations == 1);
  CHECK(report.days[0].closed == 1);
  CHECK(report.days[1].conversations == 1);
  CHECK(report.days[2].conversations == 0);
  CHECK(report.total.conversations == 2);
  CHECK(report.by_agent.at("alice").conversations == 1);
  CHECK(report.by_agent.at("").conversations == 1);

  const auto name_of = [](const std::string& id) { return id == "alice" ? "@Alice, \"A\"" : id; };
  CHECK(report_csv(report, name_of) ==
        "date,group,agent_id,agent_name,conversations,closed,bot_resolved,handed_off\r\n"
        "2026-03-01,'=cmd|' /C calc'!A0,alice,\"'@Alice, \"\"A\"\"\",1,1,0,0\r\n"
        "2026-03-02,,,,1,0,0,0\r\n");
  CHECK(csv_field("+1") == "'+1");
  CHECK(csv_field("-2") == "'-2");
  CHECK(csv_field("\tx") == "'\tx");
  CHECK(csv_field("a\nb") == "\"a\nb\"");
  CHECK(csv_field("plain") == "plain");
}

TEST_CASE("today's records are read once and then only what changed") {
  TodayCache cache;
  const int64_t day = 1000 * kHour, next = day + 24 * kHour;
  const std::string key = "acme\nUTC";
  // The first poll reads the whole day.
  CHECK(cache.read_since(key, day) == day);
  Record a = created("a", "assigned", "", "alice", day + kHour);
  a.updated_ms = day + kHour;
  bool truncated = true;
  Period p = cache.merge(key, day, next, day + 10 * kHour, {a}, true, truncated);
  CHECK(!truncated);
  CHECK(p.opened == 1);
  CHECK(p.closed == 0);
  // The next reads from just before the last read began.
  CHECK(cache.read_since(key, day) == day + 10 * kHour - TodayCache::kOverlap_ms);
  // Another zone is another day of records.
  CHECK(cache.read_since("acme\nAsia/Tokyo", day - 9 * kHour) == day - 9 * kHour);

  // Two polls answer out of order: the older copy of a record does not win.
  Record closed = a;
  closed.status = "closed";
  closed.closed_ms = day + 11 * kHour;
  closed.updated_ms = day + 11 * kHour;
  Record b = created("b", "queued", "", "", day + 11 * kHour);
  b.updated_ms = day + 11 * kHour;
  p = cache.merge(key, day, next, day + 12 * kHour, {closed, b}, true, truncated);
  CHECK(p.opened == 2);
  CHECK(p.closed == 1);
  p = cache.merge(key, day, next, day + 11 * kHour, {a}, true, truncated);
  CHECK(p.closed == 1);
  CHECK(cache.read_since(key, day) == day + 12 * kHour - TodayCache::kOverlap_ms);

  // A read that hit its limit leaves the day marked incomplete.
  cache.merge(key, day, next, day + 13 * kHour, {}, false, truncated);
  CHECK(truncated);
  // The next day starts over.
  CHECK(cache.read_since(key, next) == next);
  p = cache.merge(key, next, next + 24 * kHour, next + kHour, {}, true, truncated);
  CHECK(!truncated);
  CHECK(p.opened == 0);
}
