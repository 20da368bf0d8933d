// [groups.NAME]: time zones, business hours and queue limits as an admin writes them.
#include <catch2/catch.hpp>

#include "tenant_test_support.hpp"

using namespace sb::tenants;
using namespace sb::tenants::test;
using sb::groups::QueueLimitOutcome;

namespace {

// 2026-03-02 was a Monday. Milliseconds since the epoch of a UTC wall time.
int64_t utc_ms(int day_of_march_2026, int hour, int minute) {
  using namespace std::chrono;
  auto day = sys_days{year{2026} / March / day_of_march_2026};
  return duration_cast<milliseconds>((day + hours(hour) + minutes(minute)).time_since_epoch())
      .count();
}

}  // namespace

TEST_CASE("a group with every key is read") {
  auto loaded = load(R"(name = "Shop"
[groups.support]
name = "Customer support"
timezone = "Europe/Berlin"
max_queue_length = 20
max_wait_s = 600
on_queue_limit = "message_and_close"
queue_limit_message = "We are full, sorry."
[groups.support.hours]
mon-fri = ["09:00-12:30", "13:30-17:00"]
sat = "10:00-14:00"
)");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  REQUIRE(loaded.config->groups.count("support"));
  const auto& g = loaded.config->groups.at("support");
  CHECK(g.id == "support");
  CHECK(g.name == "Customer support");
  CHECK(g.hours.timezone() == "Europe/Berlin");
  CHECK(g.max_queue_length == 20);
  CHECK(g.max_wait_s == 600);
  CHECK(g.on_queue_limit == QueueLimitOutcome::message_and_close);
  CHECK(g.queue_limit_message == "We are full, sorry.");
  CHECK(g.hours.ranges(0).size() == 2);  // monday
  CHECK(g.hours.ranges(5).size() == 1);  // saturday
  CHECK(g.hours.ranges(6).empty());      // sunday: closed

  // Berlin is UTC+1 in early March: 09:00 local is 08:00 UTC.
  CHECK_FALSE(g.hours.is_open(utc_ms(2, 7, 59)));
  CHECK(g.hours.is_open(utc_ms(2, 8, 0)));
  CHECK_FALSE(g.hours.is_open(utc_ms(2, 11, 45)));  // the lunch break
  CHECK(g.hours.is_open(utc_ms(2, 15, 59)));
  CHECK_FALSE(g.hours.is_open(utc_ms(2, 16, 0)));
  CHECK(g.hours.is_open(utc_ms(7, 9, 0)));         // saturday 10:00 local
  CHECK_FALSE(g.hours.is_open(utc_ms(8, 10, 0)));  // sunday
}

TEST_CASE("business hours follow the zone's daylight saving time") {
  auto loaded = load(R"(name = "Shop"
[groups.support]
timezone = "Europe/Berlin"
hours = { mon-fri = "09:00-17:00" }
)");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  const auto& hours = loaded.config->groups.at("support").hours;
  // Monday 30 March 2026 is in summer time (UTC+2): 09:00 local is 07:00 UTC.
  CHECK(hours.is_open(utc_ms(30, 7, 0)));
  CHECK_FALSE(hours.is_open(utc_ms(30, 6, 59)));
  CHECK_FALSE(hours.is_open(utc_ms(30, 15, 0)));
}

TEST_CASE("holidays close the group for the whole local date") {
  auto loaded = load(R"(name = "Shop"
[groups.support]
timezone = "Asia/Shanghai"
holidays = ["2026-03-03", "2026-03-10"]
hours = { mon-fri = "09:00-18:00" }
[groups.sales]
timezone = "Europe/Berlin"
holidays = ["2026-03-04"]
)");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  const auto& support = loaded.config->groups.at("support").hours;
  CHECK(support.holidays() == std::vector<std::string>{"2026-03-03", "2026-03-10"});
  CHECK(support.is_open(utc_ms(2, 2, 0)));        // Monday 10:00 in Shanghai
  CHECK_FALSE(support.is_open(utc_ms(3, 2, 0)));  // Tuesday 3 March: a holiday
  CHECK(support.is_open(utc_ms(4, 2, 0)));        // Wednesday
  // Holidays alone: open every other day, all day; the date is Berlin's.
  const auto& sales = loaded.config->groups.at("sales").hours;
  CHECK_FALSE(sales.always_open());
  CHECK(sales.is_open(utc_ms(3, 22, 59)));       // 23:59 on the 3rd in Berlin
  CHECK_FALSE(sales.is_open(utc_ms(3, 23, 0)));  // 00:00 on the 4th
  CHECK(sales.is_open(utc_ms(4, 23, 0)));

  auto bad = load(R"(name = "Shop"
[groups.support]
timezone = "UTC"
holidays = ["2026-02-30", "2026-12-25", "2026-12-25", "25.12.2026"]
[groups.sales]
holidays = ["2026-12-25"]
)");
  CHECK_FALSE(bad.config);
  INFO(bad.all());
  CHECK(bad.error("groups.support.holidays[0]"));
  CHECK_FALSE(bad.error("groups.support.holidays[1]"));
  CHECK(bad.error("groups.support.holidays[2]"));
  CHECK(bad.error("groups.support.holidays[3]"));
  CHECK(bad.error("groups.sales.timezone"));
}

TEST_CASE("a group without hours is always open, and defaults the rest") {
  auto loaded = load("name = \"Shop\"\n[groups.sales]\n");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  const auto& g = loaded.config->groups.at("sales");
  CHECK(g.name == "sales");
  CHECK(g.hours.always_open());
  CHECK(g.hours.is_open(utc_ms(8, 3, 0)));
  CHECK(g.max_queue_length == 0);
  CHECK(g.max_wait_s == 0);
  CHECK(g.on_queue_limit == QueueLimitOutcome::offline_message);
  CHECK_FALSE(g.queue_limit_message.empty());
}

TEST_CASE("a day range may wrap around the week end") {
  auto loaded = load(R"(name = "Shop"
[groups.weekend]
timezone = "UTC"
hours = { fri-mon = "00:00-24:00" }
)");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  const auto& hours = loaded.config->groups.at("weekend").hours;
  CHECK(hours.is_open(utc_ms(6, 23, 59)));        // friday
  CHECK(hours.is_open(utc_ms(9, 0, 0)));          // monday
  CHECK_FALSE(hours.is_open(utc_ms(10, 12, 0)));  // tuesday
}

TEST_CASE("group mistakes are reported with file, line and key") {
  struct Case {
    std::string body;
    std::string key;
    std::string says;
    uint32_t line;
  };
  auto [body, key, says, line] = GENERATE(values<Case>({
      {"timezone = \"Mars/Olympus\"", "groups.g.timezone", "not a time zone", 3},
      {"hours = { mon = \"09:00-17:00\" }", "groups.g.timezone", "required when hours", 3},
      {"timezone = \"UTC\"\nhours = { mon = \"9-17\" }", "groups.g.hours.mon", "not a time range",
       4},
      {"timezone = \"UTC\"\nhours = { mon = \"17:00-09:00\" }", "groups.g.hours.mon",
       "ends before it begins", 4},
      {"timezone = \"UTC\"\nhours = { mon = \"09:00-25:00\" }", "groups.g.hours.mon",
       "not a time range", 4},
      {"timezone = \"UTC\"\nhours = { monday = \"09:00-17:00\" }", "groups.g.hours.monday",
       "not a weekday", 4},
      {"timezone = \"UTC\"\nhours = { mon-fri = \"09:00-17:00\", wed = \"10:00-11:00\" }",
       "groups.g.hours.wed", "already set by groups.g.hours.mon-fri", 4},
      {"timezone = \"UTC\"\nhours = { mon = [\"09:00-12:00\", \"11:00-13:00\"] }",
       "groups.g.hours.mon[1]", "overlaps", 4},
      {"timezone = \"UTC\"\nhours = { mon = 9 }", "groups.g.hours.mon", "must be a time range", 4},
      {"on_queue_limit = \"drop\"", "groups.g.on_queue_limit", "offline_message", 3},
      {"max_queue_length = -1", "groups.g.max_queue_length", "between 0", 3},
      {"max_wait = 10", "groups.g.max_wait", "did you mean 'max_wait_s'", 3},
      {"queue_limit_message = \"\"", "groups.g.queue_limit_message", "must not be empty", 3},
  }));
  auto loaded = load("name = \"Shop\"\n[groups.g]\n" + body + "\n");
  INFO(loaded.all());
  CHECK_FALSE(loaded.config);
  const auto* error = loaded.error(key);
  REQUIRE(error);
  CHECK(error->message.find(says) != std::string::npos);
  CHECK(error->line == line);
  CHECK(error->file.ends_with("shop.toml"));
}
