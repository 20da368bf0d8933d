// The admin dashboard's numbers, for the tenant's admins (docs/protocol.md, "Stats"):
//
//   GET /v1/tenants/ID/stats/live?tz=&minutes=      now, and today so far
//   GET /v1/tenants/ID/stats/report?from=&to=&tz=&format=json|csv
//
// What is true now (agents, open conversations, queues, messages per minute) is
// read from the engine on the tenant's strand; what needs history (today's times,
// CSAT, the bot's outcomes, conversations per day) from the stored conversation
// records, which the engine keeps with the times the dashboard needs; the live
// numbers read only the records changed since the last poll (stats/today_cache.hpp).
// Parsing and counting run on the blocking pool, never on the strand or an I/O thread.
#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "api/responses.hpp"
#include "api/rest_api.hpp"
#include "common/clock.hpp"
#include "stats/conversation_stats.hpp"

namespace sb::api {

namespace json = boost::json;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

// Records read for one answer. A day (or range) with more is answered from the
// newest this many and says "truncated": true. Reading this many takes storage-
// sqlite about 2-3 s on the reference machine (tests/bench/RESULTS.md), within
// the host's 5 s call timeout; twice as many did not always fit.
constexpr int64_t kMaxRecords = 50000;
// The range report covers at most this many days (a quarter and a bit).
constexpr int32_t kMaxReportDays = 92;
constexpr uint64_t kDefaultMinutes = 15;
constexpr uint64_t kMaxMinutes = 60;

std::optional<stats::Calendar> calendar_of(const HttpRequest& request, HttpResponse& refusal) {
  auto it = request.query.find("tz");
  const std::string zone = it == request.query.end() ? "UTC" : it->second;
  auto calendar = zone.size() <= 64 ? stats::Calendar::in_zone(zone) : std::nullopt;
  if (!calendar)
    refusal = error_response(
        422, "bad_field", "tz must be an IANA time zone name such as Asia/Shanghai or UTC", "tz");
  return calendar;
}

// The first query parameter not in `known`, if any, as a 422.
std::optional<HttpResponse> unknown_parameter(const HttpRequest& request,
                                              std::initializer_list<std::string_view> known,
                                              std::string_view known_text) {
  for (const auto& [key, value] : request.query)
    if (std::find(known.begin(), known.end(), key) == known.end())
      return error_response(422, "bad_field",
                            "unknown parameter (known: " + std::string(known_text) + ")", key);
  return std::nullopt;
}

json::array agents_json(const engine::TenantEngine::LiveStats& live) {
  json::array out;
  for (const auto& a : live.agents)
    out.push_back(json::object{{"id", a.id},
                               {"name", a.name},
                               {"status", engine::to_string(a.status)},
                               {"open_conversations", a.open_conversations},
                               {"capacity", a.capacity}});
  return out;
}

json::object live_json(const engine::TenantEngine::LiveStats& live, int64_t now_ms) {
  uint32_t online = 0, away = 0, open = 0, capacity = 0;
  for (const auto& a : live.agents) {
    if (a.status == engine::AgentStatus::online) ++online;
    if (a.status == engine::AgentStatus::away) ++away;
    if (a.status != engine::AgentStatus::offline) {
      open += a.open_conversations;
      capacity += a.capacity;
    }
  }
  json::array queues;
  for (const auto& q : live.queues)
    queues.push_back(json::object{
        {"group", q.group},
        {"length", q.length},
        {"longest_wait_ms", q.oldest_joined_ms
                                ? json::value(std::max<int64_t>(0, now_ms - q.oldest_joined_ms))
                                : json::value(nullptr)}});
  json::array minutes;
  for (const auto& m : live.messages_per_minute)
    minutes.push_back(json::object{{"minute", m.start_ms}, {"messages", m.count}});
  return {
      {"agents", json::object{{"online", online},
                              {"away", away},
                              {"offline", live.agents.size() - online - away},
                              {"open_conversations", open},
                              {"capacity", capacity},
                              {"list", agents_json(live)}}},
      {"conversations",
       json::object{{"bot", live.with_bot}, {"queued", live.queued}, {"assigned", live.assigned}}},
      {"queues", std::move(queues)},
      {"messages_per_minute", std::move(minutes)}};
}

}  // namespace

void RestApi::stats(const TenantView& tenant, std::string_view sub, const HttpRequest& request,
                    std::function<void(HttpResponse)> respond) {
  if (sub != "live" && sub != "report")
    return respond(error_response(404, "not_found", "no such endpoint"));
  if (request.method != "GET") return respond(error_response(405, "method_not_allowed", "use GET"));
  HttpResponse refusal;
  if (!authorize(tenant, request, true, false, refusal)) return respond(std::move(refusal));
  if (sub == "live") return live_stats(tenant, request, std::move(respond));
  report(tenant, request, std::move(respond));
}

void RestApi::live_stats(const TenantView& tenant, const HttpRequest& request,
                         std::function<void(HttpResponse)> respond) {
  if (auto bad = unknown_parameter(request, {"tz", "minutes"}, "tz, minutes"))
    return respond(std::move(*bad));
  HttpResponse refusal;
  auto calendar = calendar_of(request, refusal);
  if (!calendar) return respond(std::move(refusal));
  uint64_t minutes = kDefaultMinutes;
  if (auto it = request.query.find("minutes"); it != request.query.end()) {
    const auto& s = it->second;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), minutes);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || minutes == 0 ||
        minutes > kMaxMinutes)
      return respond(
          error_response(422, "bad_field", "minutes must be between 1 and 60", "minutes"));
  }

  const int64_t now_ms = wall_clock_ms();
  const stats::DayNumber today = calendar->day_of(now_ms);
  const int64_t since_ms = calendar->start_of(today), until_ms = calendar->start_of(today + 1);
  auto engine = tenant.gate->engine();
  // Only what changed since this tenant's last poll in this zone is read (TodayCache).
  std::string key = tenant.config->id + '\n' + calendar->timezone();
  const int64_t read_since = today_cache_.read_since(key, since_ms);
  // Engine state first (on the strand), then the day's records as they are once
  // what the engine has done is stored: everything that happened today updated
  // its record today.
  engine->live_stats(minutes, [this, engine, respond = std::move(respond), key = std::move(key),
                               calendar = *calendar, since_ms, until_ms, read_since,
                               now_ms](engine::TenantEngine::LiveStats live) mutable {
    const json::object filter{{"updated_since", read_since}, {"limit", kMaxRecords}};
    engine->stored_records(json::serialize(filter), [this, respond = std::move(respond),
                                                     live = std::move(live), key = std::move(key),
                                                     calendar, since_ms, until_ms,
                                                     now_ms](engine::StoreResult r) mutable {
      if (!r.ok()) return respond(error_response(503, "unavailable", "storage failed: " + r.error));
      boost::asio::post(blocking_pool_, [this, respond = std::move(respond), live = std::move(live),
                                         key = std::move(key), body = std::move(r.body), calendar,
                                         since_ms, until_ms, now_ms] {
        auto records = stats::parse_records(body);
        if (!records)
          return respond(error_response(503, "unavailable", "storage answered nonsense"));
        const bool complete = static_cast<int64_t>(records->size()) < kMaxRecords;
        bool truncated = false;
        const stats::Period period = today_cache_.merge(key, since_ms, until_ms, now_ms,
                                                        std::move(*records), complete, truncated);
        json::object out = live_json(live, now_ms);
        json::object today = stats::period_json(period);
        today["date"] = stats::format_day(calendar.day_of(now_ms));
        today["timezone"] = calendar.timezone();
        today["since"] = since_ms;
        today["truncated"] = truncated;
        out["today"] = std::move(today);
        out["generated_at"] = now_ms;
        respond(json_response(200, out));
      });
    });
  });
}

void RestApi::report(const TenantView& tenant, const HttpRequest& request,
                     std::function<void(HttpResponse)> respond) {
  if (auto bad = unknown_parameter(request, {"from", "to", "tz", "format"}, "from, to, tz, format"))
    return respond(std::move(*bad));
  HttpResponse refusal;
  auto calendar = calendar_of(request, refusal);
  if (!calendar) return respond(std::move(refusal));
  std::optional<stats::DayNumber> days[2];
  const char* names[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    auto it = request.query.find(names[i]);
    if (it != request.query.end()) days[i] = stats::parse_day(it->second);
    if (!days[i])
      return respond(error_response(
          422, "bad_field", std::string(names[i]) + " must be a date as YYYY-MM-DD", names[i]));
  }
  const stats::DayNumber first = *days[0], last = *days[1];
  if (last < first)
    return respond(error_response(422, "bad_field", "to must not be before from", "to"));
  if (last - first + 1 > kMaxReportDays)
    return respond(error_response(
        422, "bad_field", "the range is longer than " + std::to_string(kMaxReportDays) + " days",
        "to"));
  std::string format = "json";
  if (auto it = request.query.find("format"); it != request.query.end()) format = it->second;
  if (format != "json" && format != "csv")
    return respond(error_response(422, "bad_field", "format must be json or csv", "format"));

  const json::object filter{{"created_since", calendar->start_of(first)},
                            {"created_until", calendar->start_of(last + 1)},
                            {"limit", kMaxRecords}};
  tenant.gate->engine()->stored_records(
      json::serialize(filter),
      [this, respond = std::move(respond), calendar = *calendar, first, last, format,
       agents = tenant.agents, tenant_id = tenant.config->id](engine::StoreResult r) mutable {
        if (!r.ok())
          return respond(error_response(503, "unavailable", "storage failed: " + r.error));
        boost::asio::post(blocking_pool_, [respond = std::move(respond), body = std::move(r.body),
                                           calendar, first, last, format, agents, tenant_id] {
          auto records = stats::parse_records(body);
          if (!records)
            return respond(error_response(503, "unavailable", "storage answered nonsense"));
          const stats::Report report = stats::build_report(*records, calendar, first, last);
          const stats::AgentName name_of = [&agents](const std::string& id) {
            auto agent = agents->by_id(id);
            return agent ? agent->name : id;
          };
          if (format == "csv") {
            HttpResponse csv{200, "text/csv; charset=utf-8", stats::report_csv(report, name_of)};
            csv.headers = {{"Content-Disposition", "attachment; filename=\"conversations-" +
                                                       tenant_id + "-" + stats::format_day(first) +
                                                       "-to-" + stats::format_day(last) +
                                                       ".csv\""}};
            return respond(std::move(csv));
          }
          json::object out = stats::report_json(report, name_of);
          out["truncated"] = static_cast<int64_t>(records->size()) >= kMaxRecords;
          respond(json_response(200, out));
        });
      });
}

}  // namespace sb::api
