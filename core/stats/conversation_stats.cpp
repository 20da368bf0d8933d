#include "stats/conversation_stats.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cmath>

#include "records/conversation_record.hpp"

namespace sb::stats {

namespace json = boost::json;

namespace {

bool within(int64_t t, int64_t since_ms, int64_t until_ms) {
  return t && t >= since_ms && t < until_ms;
}

json::value spread_json(const Spread& s) {
  if (!s.count) return json::object{{"count", 0}, {"p50_ms", nullptr}, {"p90_ms", nullptr}};
  return json::object{{"count", s.count}, {"p50_ms", s.p50_ms}, {"p90_ms", s.p90_ms}};
}

json::object counts_json(const Counts& c) {
  return {{"conversations", c.conversations},
          {"closed", c.closed},
          {"bot_resolved", c.bot_resolved},
          {"handed_off", c.handed_off}};
}

}  // namespace

std::optional<std::vector<Record>> parse_records(std::string_view body) {
  const auto list = records::parse_conversation_list(body);
  if (!list) return std::nullopt;
  std::vector<Record> out;
  out.reserve(list->size());
  for (const records::ConversationRecord& c : *list) {
    Record r;
    r.id = c.id;
    r.status = c.status;
    r.group = c.group;
    r.agent = c.last_agent.empty() ? c.assignee : c.last_agent;
    r.created_ms = c.created_ms;
    r.closed_ms = c.closed_ms;
    r.queued_ms = c.queued_ms;
    r.assigned_ms = c.assigned_ms;
    r.first_response_ms = c.first_response_ms;
    r.bot_outcome = c.bot_outcome;
    r.updated_ms = c.updated_ms;
    r.abandoned_ms = c.abandoned_ms;
    if (c.csat) {
      r.csat_score = c.csat->score;
      r.csat_ms = c.csat->ts_ms;
    }
    out.push_back(std::move(r));
  }
  return out;
}

Spread spread_of(std::vector<int64_t> samples_ms) {
  Spread s;
  s.count = samples_ms.size();
  if (samples_ms.empty()) return s;
  std::sort(samples_ms.begin(), samples_ms.end());
  // Nearest rank: the smallest sample with at least p% of them at or below it.
  const auto rank = [&](double p) {
    const auto n = static_cast<size_t>(std::ceil(p * static_cast<double>(samples_ms.size())));
    return samples_ms[std::max<size_t>(n, 1) - 1];
  };
  s.p50_ms = rank(0.5);
  s.p90_ms = rank(0.9);
  return s;
}

namespace {

template <class Each>
Period figures_of(const Each& each, int64_t since_ms, int64_t until_ms) {
  Period p;
  std::vector<int64_t> first_response, wait, resolution;
  int64_t csat_sum = 0;
  each([&](const Record& r) {
    if (within(r.created_ms, since_ms, until_ms)) {
      ++p.opened;
      if (r.bot_outcome == "resolved") ++p.bot_resolved;
      if (r.bot_outcome == "handed_off") ++p.bot_handed_off;
      if (r.bot_outcome == "bot") ++p.bot_active;
    }
    if (within(r.closed_ms, since_ms, until_ms) && r.status == "closed") {
      ++p.closed;
      if (r.abandoned_ms) ++p.missed;  // never resolved: no resolution time
      if (r.created_ms && r.closed_ms >= r.created_ms && !r.abandoned_ms)
        resolution.push_back(r.closed_ms - r.created_ms);
    }
    // Waiting for a human starts when it first needed one (older records: creation).
    const int64_t waiting_since = r.queued_ms ? r.queued_ms : r.created_ms;
    if (within(r.first_response_ms, since_ms, until_ms) && waiting_since &&
        r.first_response_ms >= waiting_since)
      first_response.push_back(r.first_response_ms - waiting_since);
    if (within(r.assigned_ms, since_ms, until_ms) && waiting_since &&
        r.assigned_ms >= waiting_since)
      wait.push_back(r.assigned_ms - waiting_since);
    if (r.csat_score && within(r.csat_ms, since_ms, until_ms)) {
      ++p.csat_count;
      csat_sum += r.csat_score;
    }
  });
  p.first_response = spread_of(std::move(first_response));
  p.wait = spread_of(std::move(wait));
  p.resolution = spread_of(std::move(resolution));
  if (p.csat_count) p.csat_average = static_cast<double>(csat_sum) / p.csat_count;
  return p;
}

}  // namespace

Period period_figures(const std::vector<Record>& records, int64_t since_ms, int64_t until_ms) {
  return figures_of(
      [&](const auto& fn) {
        for (const Record& r : records) fn(r);
      },
      since_ms, until_ms);
}

Period period_figures(const std::unordered_map<std::string, Record>& records, int64_t since_ms,
                      int64_t until_ms) {
  return figures_of(
      [&](const auto& fn) {
        for (const auto& [id, r] : records) fn(r);
      },
      since_ms, until_ms);
}

json::object period_json(const Period& p) {
  json::object csat{{"count", p.csat_count}};
  csat["average"] =
      p.csat_count ? json::value(std::round(p.csat_average * 100) / 100) : json::value(nullptr);
  return {{"opened", p.opened},
          {"closed", p.closed},
          {"missed", p.missed},
          {"bot", json::object{{"resolved", p.bot_resolved},
                               {"handed_off", p.bot_handed_off},
                               {"active", p.bot_active}}},
          {"first_response", spread_json(p.first_response)},
          {"wait", spread_json(p.wait)},
          {"resolution", spread_json(p.resolution)},
          {"csat", std::move(csat)}};
}

void Counts::add(const Record& r) {
  ++conversations;
  if (r.status == "closed") ++closed;
  if (r.bot_outcome == "resolved") ++bot_resolved;
  if (r.bot_outcome == "handed_off") ++handed_off;
}

Report build_report(const std::vector<Record>& records, const Calendar& calendar, DayNumber first,
                    DayNumber last) {
  Report report;
  report.timezone = calendar.timezone();
  report.first = first;
  report.last = last;
  report.days.resize(static_cast<size_t>(last - first + 1));
  for (const Record& r : records) {
    if (!r.created_ms) continue;
    const DayNumber day = calendar.day_of(r.created_ms);
    if (day < first || day > last) continue;
    report.days[static_cast<size_t>(day - first)].add(r);
    report.total.add(r);
    report.by_agent[r.agent].add(r);
    report.by_group[r.group].add(r);
    report.cells[{day, r.group, r.agent}].add(r);
  }
  return report;
}

json::object report_json(const Report& report, const AgentName& name_of) {
  json::array days;
  for (size_t i = 0; i < report.days.size(); ++i) {
    json::object row = counts_json(report.days[i]);
    row.emplace("date", format_day(report.first + static_cast<DayNumber>(i)));
    days.push_back(std::move(row));
  }
  json::array agents;
  for (const auto& [id, counts] : report.by_agent) {
    json::object row = counts_json(counts);
    row.emplace("agent_id", id);
    row.emplace("name", id.empty() ? std::string() : name_of(id));
    agents.push_back(std::move(row));
  }
  json::array groups;
  for (const auto& [id, counts] : report.by_group) {
    json::object row = counts_json(counts);
    row.emplace("group", id);
    groups.push_back(std::move(row));
  }
  return {{"from", format_day(report.first)}, {"to", format_day(report.last)},
          {"timezone", report.timezone},      {"total", counts_json(report.total)},
          {"days", std::move(days)},          {"agents", std::move(agents)},
          {"groups", std::move(groups)}};
}

}  // namespace sb::stats
