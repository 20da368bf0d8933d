// What routing-external tells the endpoint, and how it reads every kind of answer.
#include "exchange.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "switchboard/sb_plugin_cpp.hpp"

namespace json = boost::json;
using switchboard::routing_external::read_answer;
using switchboard::routing_external::Verdict;

namespace {

sb_agent_candidate candidate(const char* id, uint32_t open, int64_t last_assigned_ms,
                             const char* groups, const char* skills) {
  sb_agent_candidate c{};
  c.struct_size = sizeof(c);
  c.open_conversations = open;
  c.max_concurrent = 4;
  c.agent_id = sb_str_from(id);
  c.name = sb_str_from(id);
  c.last_assigned_ms = last_assigned_ms;
  c.groups_json = sb_str_from(groups);
  c.skills_json = sb_str_from(skills);
  return c;
}

const std::vector<std::string> kFree = {"ann", "ben"};

Verdict answer(int32_t status, const std::string& body, const std::string& error = {}) {
  return read_answer(status, body, error, kFree, 300);
}

}  // namespace

TEST_CASE("exchange: the request carries the conversation, the visitor and the candidates") {
  const sb_agent_candidate ann = candidate("ann", 2, 0, R"(["support"])", R"({"german":3})");
  const sb_agent_candidate ben = candidate("ben", 0, 9000, "", "");
  const sb_agent_candidate* list[] = {&ann, &ben};
  sb_route_request req{};
  req.struct_size = sizeof(req);
  req.conversation_id = sb_str_from("c_1");
  req.visitor_id = sb_str_from("v_1");
  req.attributes_json = sb_str_from(
      R"({"plan":"gold","page":"https://shop.test/","lang":"de","last_agent_id":"ann"})");
  req.candidates = list;
  req.candidate_count = 2;

  const json::object body =
      json::parse(switchboard::routing_external::request_body("acme", req, 10000)).as_object();
  CHECK(body.at("tenant") == "acme");
  CHECK(body.at("conversation_id") == "c_1");
  CHECK(body.at("visitor_id") == "v_1");
  CHECK(body.at("group").is_null());
  CHECK(body.at("page") == "https://shop.test/");
  CHECK(body.at("language") == "de");
  CHECK(body.at("attributes").at("plan") == "gold");
  CHECK(body.at("attributes").at("last_agent_id") == "ann");
  const json::array& candidates = body.at("candidates").as_array();
  REQUIRE(candidates.size() == 2);
  CHECK(candidates[0].at("id") == "ann");
  CHECK(candidates[0].at("status") == "online");
  CHECK(candidates[0].at("open_conversations") == 2);
  CHECK(candidates[0].at("max_concurrent") == 4);
  CHECK(candidates[0].at("idle_ms").is_null());  // never assigned
  CHECK(candidates[0].at("groups") == json::array{"support"});
  CHECK(candidates[0].at("skills").at("german") == 3);
  CHECK(candidates[1].at("idle_ms") == 1000);
  CHECK(candidates[1].at("groups") == json::array{});
  CHECK(candidates[1].at("skills") == json::object{});
}

TEST_CASE("exchange: a group asked for, and no attributes at all") {
  const sb_agent_candidate ann = candidate("ann", 0, 0, "[]", "{}");
  const sb_agent_candidate* list[] = {&ann};
  sb_route_request req{};
  req.struct_size = sizeof(req);
  req.conversation_id = sb_str_from("c_2");
  req.group = sb_str_from("billing");
  req.candidates = list;
  req.candidate_count = 1;
  const json::object body =
      json::parse(switchboard::routing_external::request_body("acme", req, 1)).as_object();
  CHECK(body.at("group") == "billing");
  CHECK(body.at("page").is_null());
  CHECK(body.at("language").is_null());
  CHECK(body.at("attributes") == json::object{});
}

TEST_CASE("exchange: a candidate named in a 2xx answer is the choice") {
  CHECK(answer(200, R"({"agent_id":"ben"})").agent_id == "ben");
  CHECK(answer(201, R"({"agent_id":"ann","why":"account manager"})").agent_id == "ann");
}

TEST_CASE("exchange: every other answer defers, with a reason") {
  auto defers = [](const Verdict& v, const std::string& says) {
    CHECK_FALSE(v.agent_id);
    CHECK_THAT(v.reason, Catch::Contains(says));
  };
  defers(answer(0, "", "timeout"), "no answer within 300 ms (timeout)");
  defers(answer(0, "", "connect: Connection refused"),
         "the request failed: connect: Connection refused");
  defers(answer(500, "router crashed"), "the endpoint answered HTTP 500: router crashed");
  defers(answer(302, ""), "HTTP 302");
  defers(answer(200, "{\"agent_id\": "), "malformed answer");
  defers(answer(200, "[\"ben\"]"), "malformed answer");
  defers(answer(200, R"({"agent_id":7})"), "agent_id must be a string, got 7");
  defers(answer(200, R"({"agent_id":"zed"})"), "named agent \"zed\", who cannot take");
  const Verdict declined = answer(200, R"({"agent_id":null})");
  CHECK(declined.declined);
  CHECK_FALSE(declined.agent_id);
  CHECK(answer(200, "{}").declined);
  CHECK_FALSE(answer(500, "").declined);
}

TEST_CASE("exchange: a long body is cut short in the reason") {
  const Verdict v = answer(503, std::string(5000, 'x') + "\n");
  CHECK(v.reason.size() < 300);
  CHECK(v.reason.find('\n') == std::string::npos);
}
