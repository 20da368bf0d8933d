// Shared by the routing graph tests: groups with hours, and a rich graph in its
// JSON form that uses every condition and action.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "routing_graph/forms.hpp"

namespace sb::routing_graph::test {

// 2026-03-02 was a Monday. Wall milliseconds of a UTC time in March 2026.
inline int64_t utc_ms(int day, int hour, int minute = 0) {
  using namespace std::chrono;
  auto d = sys_days{year{2026} / March / day};
  return duration_cast<milliseconds>((d + hours(hour) + minutes(minute)).time_since_epoch())
      .count();
}

// support: Berlin office hours mon-fri 09:00-17:00; vip and sales: always open.
inline const groups::GroupMap& fixture_groups() {
  static const groups::GroupMap map = [] {
    groups::GroupMap m;
    groups::Group support;
    support.id = support.name = "support";
    support.hours = *groups::BusinessHours::in_zone("Europe/Berlin");
    for (int day = 0; day < 5; ++day) support.hours.add(day, {9 * 60, 17 * 60});
    m["support"] = support;
    groups::Group vip;
    vip.id = vip.name = "vip";
    m["vip"] = vip;
    groups::Group sales;
    sales.id = sales.name = "sales";
    m["sales"] = sales;
    return m;
  }();
  return map;
}

inline Catalog fixture_catalog() {
  Catalog c;
  c.groups = &fixture_groups();
  c.is_routing_plugin = [](std::string_view name) {
    return name == "routing-least-busy" || name == "routing-skills" || name == "routing-sticky" ||
           name == "routing-round-robin";
  };
  return c;
}

inline boost::json::value parse_json(std::string_view text) {
  return boost::json::parse(text);
}

// Every condition type and action type, positions (whole and fractional), ids an
// editor would make, and a fallback that queues with a message first.
inline const char* const kRichGraph = R"({
  "rules": [
    {"id": "vip", "name": "VIP visitors", "position": {"x": 80, "y": 40}, "match": "all",
     "conditions": [
       {"id": "vip-flag", "type": "attribute", "key": "vip", "op": "eq", "value": true},
       {"id": "vip-plan", "type": "attribute", "key": "plan", "op": "in", "value": ["gold", "platinum", 3]}
     ]},
    {"id": "closed", "name": "After hours", "position": {"x": 80.5, "y": -160.25}, "match": "all",
     "conditions": [{"id": "closed-hours", "type": "business_hours", "group": "support", "state": "closed"}]},
    {"id": "refunds", "match": "any",
     "conditions": [
       {"id": "refund-words", "type": "keywords", "words": ["refund", "退款"], "match": "any"},
       {"id": "refund-intent", "type": "intent", "intents": ["billing.refund"]},
       {"id": "refund-page", "type": "page", "glob": "https://shop.example/orders/*"}
     ]},
    {"id": "german", "name": "Deutsch", "match": "all",
     "conditions": [
       {"id": "german-lang", "type": "language", "languages": ["de"]},
       {"id": "has-account", "type": "attribute", "key": "account", "op": "exists"},
       {"id": "not-test", "type": "attribute", "key": "env", "op": "neq", "value": "test"}
     ]},
    {"id": "busy", "match": "all",
     "conditions": [
       {"id": "nobody", "type": "group_available", "group": "support", "available": false},
       {"id": "long-wait", "type": "waited", "seconds": 120}
     ]},
    {"id": "bot-first", "match": "all", "conditions": []}
  ],
  "actions": [
    {"id": "vip-hello", "type": "message", "text": "Welcome back! A senior agent is on the way.", "position": {"x": 300, "y": 40}},
    {"id": "vip-route", "type": "route", "group": "vip", "chain": ["routing-sticky", "routing-skills", "routing-least-busy"], "position": {"x": 520, "y": 40}},
    {"id": "closed-offline", "type": "offline", "group": "support", "text": "We are closed (mon-fri 9-17). Leave a message \"here\"."},
    {"id": "refund-queue", "type": "queue", "group": "sales"},
    {"id": "german-route", "type": "route", "group": "support"},
    {"id": "busy-bot", "type": "bot", "flow_node": "apology"},
    {"id": "bot-start", "type": "bot"}
  ],
  "fallback": {"id": "fallback", "position": {"x": 80, "y": 900}},
  "edges": [
    {"from": "vip", "to": "vip-hello"},
    {"from": "vip-hello", "to": "vip-route"},
    {"from": "closed", "to": "closed-offline"},
    {"from": "refunds", "to": "refund-queue"},
    {"from": "german", "to": "german-route"},
    {"from": "busy", "to": "busy-bot"},
    {"from": "bot-first", "to": "bot-start"}
  ]
})";

inline Graph rich_graph() {
  Errors errors;
  auto graph = from_json(parse_json(kRichGraph), fixture_catalog(), errors);
  if (!graph) throw std::runtime_error("the rich graph does not parse: " + errors.front().message);
  return *graph;
}

}  // namespace sb::routing_graph::test
