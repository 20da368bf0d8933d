// routing-skills: gives the conversation to the best-skilled free agent of the group
// the visitor asked for.
//
// Reads from the request:
//   group            the group (department) asked for; empty = any group. An agent
//                    qualifies when its groups_json array holds that exact name.
//   attributes_json  key "skills": an object of skill name -> minimum level, e.g.
//                    {"skills":{"billing":2,"chinese":1}} (what a bot can set), and
//                    flat keys "skill.NAME" -> minimum level, e.g. {"skill.billing":2}
//                    (what a website can send in the hello meta, whose attributes
//                    are flat); both count, the higher minimum when a skill is named
//                    twice. None = no skill needed. An agent qualifies when its
//                    skills_json object has every needed skill at a level >= the
//                    minimum (a level-0 need still asks that the agent has the skill
//                    at all).
//   candidates       agent_id, open_conversations, last_assigned_ms, groups_json,
//                    skills_json. The host offers only agents who are online and
//                    below max_concurrent, and checks the answer again.
//
// Among qualifying agents the best is: the highest sum of the needed skills' levels,
// then the fewest open conversations, then the longest since the last assignment
// (last_assigned_ms smallest; 0 = never = longest), then the smallest agent id.
//
// SB_DEFER when no candidate qualifies, so a chain can fall back to a broader
// strategy. SB_REFUSED (ABI 1.11), with a message saying what is wrong, when
// attributes_json is not a JSON object or "skills" is not an object of non-negative
// numbers: a request the visitor's website got wrong, which the host's circuit
// breaker does not count (as SB_ERROR, a few such visitors made the strategy
// unavailable for the whole tenant). A candidate
// whose own groups_json or skills_json is malformed (a host-side bug) does not
// qualify and is logged, so one bad agent record never stops routing for the tenant.
//
// Config: none.
#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "switchboard/sb_routing_cpp.hpp"

namespace {

namespace json = boost::json;

// What the visitor needs.
struct Needs {
  std::string_view group;                              // empty = any
  std::vector<std::pair<std::string, double>> skills;  // name, minimum level
};

// A skill level: any finite JSON number.
std::optional<double> level_of(const json::value& value) {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  if (value.is_double() && std::isfinite(value.get_double())) return value.get_double();
  return std::nullopt;
}

// An empty slice stands for the empty JSON value of its kind ("[]" or "{}").
std::optional<json::value> parse_or_empty(std::string_view text, json::value empty) {
  if (text.empty()) return empty;
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) return std::nullopt;
  return parsed;
}

constexpr std::string_view kFlatSkillPrefix = "skill.";

// Adds a needed skill; a skill needed twice keeps the higher minimum.
void need(Needs& needs, std::string_view name, double minimum) {
  for (auto& [known, level] : needs.skills) {
    if (known == name) {
      level = std::max(level, minimum);
      return;
    }
  }
  needs.skills.emplace_back(std::string(name), minimum);
}

// Reads the needs from the request; on a malformed request returns nullopt and sets
// error.
std::optional<Needs> parse_needs(const sb_route_request& req, std::string& error) {
  Needs needs;
  needs.group = sb::view(req.group);

  const std::string_view attributes = sb::view(req.attributes_json);
  if (attributes.empty()) return needs;
  boost::system::error_code ec;
  const json::value parsed = json::parse(attributes, ec);
  if (ec) {
    error = "attributes_json is not valid JSON: " + ec.message();
    return std::nullopt;
  }
  const json::object* object = parsed.if_object();
  if (!object) {
    error = "attributes_json must be a JSON object";
    return std::nullopt;
  }
  const json::value* skills = object->if_contains("skills");
  if (skills && !skills->is_null()) {
    const json::object* skill_levels = skills->if_object();
    if (!skill_levels) {
      error = "attributes_json \"skills\" must be an object of skill name to minimum level";
      return std::nullopt;
    }
    for (const auto& [name, value] : *skill_levels) {
      const std::optional<double> level = level_of(value);
      if (!level || *level < 0) {
        error = "attributes_json skills.\"" + std::string(name) +
                "\" must be a non-negative number, got " + json::serialize(value);
        return std::nullopt;
      }
      need(needs, name, *level);
    }
  }
  for (const auto& [key, value] : *object) {
    const std::string_view name(key.data(), key.size());
    if (!name.starts_with(kFlatSkillPrefix) || name.size() == kFlatSkillPrefix.size()) continue;
    const std::optional<double> level = level_of(value);
    if (!level || *level < 0) {
      error = "attributes_json \"" + std::string(name) +
              "\" must be a non-negative number (the minimum level), got " + json::serialize(value);
      return std::nullopt;
    }
    need(needs, name.substr(kFlatSkillPrefix.size()), *level);
  }
  return needs;
}

class Skills {
 public:
  static constexpr const char* kName = "routing-skills";
  static constexpr const char* kVersion = "1.1.0";
  static constexpr uint16_t kAbiMinor = 11;  // refuses with SB_REFUSED

  Skills(const sb_host_api* host, const sb_instance_args& args) : host_(host), ctx_(args.ctx) {}

  int32_t choose(const sb_route_request& req, size_t& index, sb_error* err) const {
    std::string error;
    const std::optional<Needs> needs = parse_needs(req, error);
    if (!needs) return sb::routing::refuse(err, error);

    // Sort key of a qualifying agent, smaller is better: the highest score (negated),
    // the fewest open conversations, the longest since the last assignment, the
    // smallest id. nullopt: does not qualify.
    using Key = std::tuple<double, uint32_t, int64_t, std::string_view>;
    return sb::routing::choose_smallest(req, index, [&](const sb_agent_candidate& c) {
      std::optional<Key> key;
      if (!needs->group.empty() && !in_group(c, needs->group)) return key;
      const std::optional<double> score = skill_score(c, *needs);
      if (score)
        key.emplace(-*score, c.open_conversations, c.last_assigned_ms, sb::view(c.agent_id));
      return key;
    });
  }

 private:
  void warn_malformed(const sb_agent_candidate& c, std::string_view field) const {
    sb::log(host_, ctx_, SB_LOG_WARN,
            "agent " + std::string(sb::view(c.agent_id)) + " has malformed " + std::string(field) +
                "; not offered by routing-skills");
  }

  bool in_group(const sb_agent_candidate& c, std::string_view group) const {
    const auto groups = parse_or_empty(sb::view(c.groups_json), json::array());
    if (!groups || !groups->is_array()) {
      warn_malformed(c, "groups_json");
      return false;
    }
    for (const json::value& g : groups->get_array()) {
      const json::string* name = g.if_string();
      if (name && std::string_view(name->data(), name->size()) == group) return true;
    }
    return false;
  }

  // The sum of the needed skills' levels when the candidate has all of them high
  // enough, else nullopt.
  std::optional<double> skill_score(const sb_agent_candidate& c, const Needs& needs) const {
    if (needs.skills.empty()) return 0.0;
    const auto skills = parse_or_empty(sb::view(c.skills_json), json::object());
    if (!skills || !skills->is_object()) {
      warn_malformed(c, "skills_json");
      return std::nullopt;
    }
    double score = 0;
    for (const auto& [name, minimum] : needs.skills) {
      const json::value* held = skills->get_object().if_contains(name);
      const std::optional<double> level = held ? level_of(*held) : std::nullopt;
      if (!level || *level < minimum) return std::nullopt;
      score += *level;
    }
    return score;
  }

  const sb_host_api* host_;
  sb_host_ctx* ctx_;
};

}  // namespace

SB_ROUTING_PLUGIN(Skills)
