// The admin's view of the bot over REST: "try it" (POST /v1/tenants/ID/bot/try) runs
// the tenant's real pipeline (autoreply-flow, autoreply-faq, llm-openai against a
// fake provider) on a question and says which stage and entry answered, with what
// confidence, keeping nothing and calling no LLM; the flow files are readable (and
// replaceable, checked by the plugin) like the knowledge base. Admins of the tenant
// only; bad input is 422.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"
#include "support/fake_openai.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::FakeOpenAiServer;
using sb::test::http_get;
using sb::test::http_request;
namespace json = boost::json;

namespace {

constexpr const char* kBotTryKnowledgeBase = R"([[entries]]
id = "hours"
questions = ["When are you open?", "What are your opening hours?", "营业时间"]
answer = { en = "We are open 9 to 5.", zh = "我们九点到五点营业。" }

[[entries]]
id = "returns"
questions = ["How do I return an item?", "怎么退货"]
answer = { en = "Send it back within 30 days.", zh = "30 天内寄回即可。" }
)";

constexpr const char* kFlows = R"(# Acme's one flow
[flows.order_status]
start = "ask_number"
keywords = ["order status", "订单状态"]

[flows.order_status.nodes.ask_number]
message = { en = "Your order number?", zh = "您的订单号？" }
options = [{ label = { en = "Talk to a human", zh = "转人工" }, next = "human" }]
capture = { param = "order_id", pattern = '(?i)\b(AC-\d{4})\b', next = "done" }

[flows.order_status.nodes.done]
message = "Order {order_id} is on its way."

[flows.order_status.nodes.human]
message = "Handing you to a colleague."
handoff = true
)";

// bot_first: every new conversation starts with the bot.
// A second flow file, with a name that needs encoding; it leads into the first.
constexpr const char* kMoreFlowsName = "acme/more, flows.toml";
constexpr const char* kMoreFlows = R"([flows.greeting]
start = "hi"
keywords = ["hello there"]

[flows.greeting.nodes.hi]
message = "Hi! Shall I check an order?"
options = [{ label = "Yes", next = "order_status/ask_number" }]
)";

TenantSpec bot_try_bot_tenant(const FakeOpenAiServer& llm, bool bot_first = false) {
  TenantSpec tenant = acme_tenant();
  tenant.extra_toml = R"(
[bot]
pipeline = ["autoreply-flow", "autoreply-faq", "llm-openai"]
name = "Acmebot"
handoff_reply = "Connecting you to a person."
bot_first = )" + std::string(bot_first ? "true" : "false") +
                      R"(

[plugins.autoreply-flow]
files = ["acme/flows.toml", "acme/more, flows.toml"]

[plugins.autoreply-faq]
files = ["acme/kb.toml"]
threshold = 0.5

[plugins.llm-openai]
base_url = ")" + llm.base_url() +
                      R"("
model = "acme-model-1"
)";
  return tenant;
}

struct BotDeployment {
  FakeOpenAiServer llm;
  Deployment deployment;

  explicit BotDeployment(bool bot_first = false)
      : deployment({bot_try_bot_tenant(llm, bot_first), globex_tenant()},
                   DeploymentOptions{.start = false}) {
    const auto dir = deployment.tenants_dir() / "acme";
    std::filesystem::create_directories(dir);
    sb::test::write_file_atomically(dir / "kb.toml", kBotTryKnowledgeBase);
    sb::test::write_file_atomically(dir / "flows.toml", kFlows);
    sb::test::write_file_atomically(deployment.tenants_dir() / kMoreFlowsName, kMoreFlows);
    deployment.server().start();
  }

  sb::test::HttpResponse ask(const std::string& token, const std::string& body,
                             const std::string& tenant = "acme") {
    return http_request(deployment.port(), "POST", "/v1/tenants/" + tenant + "/bot/try", body,
                        bearer(token));
  }
};

json::object answer_of(const sb::test::HttpResponse& response) {
  INFO(response.body);
  REQUIRE(response.status == 200);
  return json::parse(response.body).as_object();
}

std::string text(const json::value& v) {
  return std::string(v.as_string());
}

// The stage's entry of "stages".
json::object stage_of(const json::object& answer, const std::string& name) {
  for (const auto& s : answer.at("stages").as_array())
    if (text(s.at("stage")) == name) return s.as_object();
  FAIL("no stage " << name);
  return {};
}

}  // namespace

TEST_CASE("try it: which stage and entry answer, with what confidence, nothing kept",
          "[bots][admin]") {
  BotDeployment setup;
  const auto admin = setup.deployment.login("acme", "root");

  SECTION("a knowledge-base question is answered by the FAQ stage with its entry and score") {
    auto a = answer_of(setup.ask(admin, R"({"text":"What are your opening hours?"})"));
    CHECK(text(a.at("outcome")) == "answered");
    REQUIRE(a.at("replies").as_array().size() == 1);
    CHECK(text(a.at("replies").as_array()[0].at("text")) == "We are open 9 to 5.");
    const auto& by = a.at("answered_by").as_object();
    CHECK(text(by.at("stage")) == "autoreply-faq");
    CHECK(text(by.at("source")) == "acme/kb.toml#hours");
    CHECK(by.at("score").to_number<double>() >= 0.5);
    CHECK(by.at("score").to_number<double>() <= 1.0);
    // The pipeline in order: the flow passed, the FAQ answered, the LLM was not asked.
    const auto& stages = a.at("stages").as_array();
    REQUIRE(stages.size() == 3);
    CHECK(text(stages[0].at("stage")) == "autoreply-flow");
    CHECK(text(stages[0].at("status")) == "deferred");
    CHECK(text(stages[1].at("status")) == "answered");
    CHECK(text(stages[2].at("kind")) == "llm");
    CHECK(text(stages[2].at("status")) == "not_called");

    // In the language asked for.
    auto zh = answer_of(setup.ask(admin, R"({"text":"营业时间","language":"zh-CN"})"));
    CHECK(text(zh.at("replies").as_array()[0].at("text")) == "我们九点到五点营业。");
  }

  SECTION("a flow's keyword starts it, with its quick replies; its state is not kept") {
    auto a = answer_of(setup.ask(admin, R"({"text":"what is my order status"})"));
    CHECK(text(a.at("outcome")) == "answered");
    CHECK(text(a.at("answered_by").at("stage")) == "autoreply-flow");
    CHECK(text(a.at("answered_by").at("source")) == "flow:order_status/ask_number");
    const auto& reply = a.at("replies").as_array()[0].as_object();
    CHECK(text(reply.at("text")) == "Your order number?");
    CHECK(reply.at("quick_replies").as_array() == json::array{"Talk to a human"});
    CHECK(text(stage_of(a, "autoreply-faq").at("status")) == "not_called");

    // The next question is a first message again: the flow is not waiting for it.
    auto next = answer_of(setup.ask(admin, R"({"text":"AC-1234"})"));
    CHECK(text(stage_of(next, "autoreply-flow").at("status")) == "deferred");
    CHECK(text(next.at("outcome")) != "answered");
  }

  SECTION("what nothing answers would go to the LLM, which a trial never calls") {
    auto a = answer_of(setup.ask(admin, R"({"text":"Can I pay with a cheque?"})"));
    CHECK(text(a.at("outcome")) == "llm");
    CHECK(a.at("answered_by").is_null());
    CHECK(a.at("replies").as_array().empty());
    CHECK(text(stage_of(a, "autoreply-faq").at("status")) == "deferred");
    CHECK(text(stage_of(a, "llm-openai").at("status")) == "not_called");
    CHECK(setup.llm.requests().empty());
  }

  SECTION("a near miss: the closest knowledge entries, with their scores, below the threshold") {
    auto a = answer_of(setup.ask(admin, R"({"text":"return policy for damaged boxes"})"));
    INFO(json::serialize(a));
    CHECK(text(stage_of(a, "autoreply-faq").at("status")) == "deferred");
    const auto& candidates = a.at("candidates").as_array();
    REQUIRE(!candidates.empty());
    const auto& first = candidates[0].as_object();
    CHECK(text(first.at("id")) == "returns");
    CHECK(text(first.at("source")) == "acme/kb.toml#returns");
    CHECK(text(first.at("answer")) == "Send it back within 30 days.");
    CHECK(first.at("score").to_number<double>() > 0);
    CHECK(first.at("score").to_number<double>() < 0.5);
  }

  SECTION("a hand-off phrase hands off before any stage") {
    auto a = answer_of(setup.ask(admin, R"({"text":"I want to talk to a human please"})"));
    CHECK(text(a.at("outcome")) == "handoff");
    CHECK(text(a.at("handoff").at("reason")) == "the visitor asked for a human");
    CHECK(text(a.at("replies").as_array()[0].at("text")) == "Connecting you to a person.");
    CHECK(text(stage_of(a, "autoreply-flow").at("status")) == "not_called");
  }

  // Whatever was asked, no conversation exists and the LLM heard nothing.
  auto list = http_get(setup.deployment.port(), "/v1/tenants/acme/conversations", bearer(admin));
  REQUIRE(list.status == 200);
  CHECK(json::parse(list.body).at("conversations").as_array().empty());
  CHECK(setup.llm.requests().empty());
}

TEST_CASE("try it refuses bad input, agents and other tenants", "[bots][admin]") {
  BotDeployment setup;
  const auto admin = setup.deployment.login("acme", "root");
  auto error_of = [](const sb::test::HttpResponse& r) {
    INFO(r.body);
    return json::parse(r.body).at("error").as_object();
  };

  for (const char* body : {R"({})", R"({"text":""})", R"({"text":"   "})", R"({"text":42})",
                           R"({"text":"hi","language":"<b>en</b>"})",
                           R"({"text":"hi","language":7})", R"({"text":"hi","visitor":"x"})"}) {
    INFO(body);
    auto r = setup.ask(admin, body);
    CHECK(r.status == 422);
    CHECK(text(error_of(r).at("code")) == "bad_field");
  }
  auto long_text =
      setup.ask(admin, json::serialize(json::object{{"text", std::string(4001, 'a')}}));
  CHECK(long_text.status == 422);
  CHECK(setup.ask(admin, "not json").status == 400);
  CHECK(http_get(setup.deployment.port(), "/v1/tenants/acme/bot/try", bearer(admin)).status == 405);

  const std::string question = R"({"text":"When are you open?"})";
  auto agent = setup.ask(setup.deployment.login("acme", "alice"), question);
  CHECK(agent.status == 403);
  CHECK(text(error_of(agent).at("code")) == "forbidden");
  CHECK(
      http_request(setup.deployment.port(), "POST", "/v1/tenants/acme/bot/try", question).status ==
      401);
  // Another tenant's admin cannot ask acme's bot; globex has none.
  const auto globex_admin = setup.deployment.login("globex", "groot");
  CHECK(setup.ask(globex_admin, question).status == 403);
  CHECK(setup.ask(globex_admin, question, "globex").status == 404);
  CHECK(setup.llm.requests().empty());
}

TEST_CASE("the flow files over REST: admins read them and the plugin checks a replacement",
          "[bots][admin]") {
  BotDeployment setup;
  const auto port = setup.deployment.port();
  const auto admin = setup.deployment.login("acme", "root");
  const std::string path = "/v1/tenants/acme/flows";

  auto read = http_get(port, path, bearer(admin));
  REQUIRE(read.status == 200);
  CHECK(read.body == kFlows);
  // Every file of the config, in order, so the page finds the others.
  CHECK(read.headers["x-switchboard-files"] == "acme/flows.toml,acme/more%2C%20flows.toml");
  auto second = http_get(port, path + "?file=acme/more%2C%20flows.toml", bearer(admin));
  REQUIRE(second.status == 200);
  CHECK(second.body == kMoreFlows);

  CHECK(http_get(port, path, bearer(setup.deployment.login("acme", "alice"))).status == 403);
  const auto globex_admin = setup.deployment.login("globex", "groot");
  CHECK(http_get(port, path, bearer(globex_admin)).status == 403);
  CHECK(http_get(port, "/v1/tenants/globex/flows", bearer(globex_admin)).status == 404);

  // A target that does not exist: refused with file, line and key; nothing changes.
  auto broken = http_request(port, "PUT", path,
                             std::string(kFlows) +
                                 "\n[flows.order_status.nodes.extra]\n"
                                 "message = \"x\"\nnext = \"nowhere\"\n",
                             bearer(admin));
  INFO(broken.body);
  CHECK(broken.status == 422);
  CHECK_THAT(broken.body, Catch::Contains("invalid_flows") && Catch::Contains("acme/flows.toml"));
  // What is wrong as a code with the names a page says it with, not only English.
  const auto refusal = json::parse(broken.body).at("error").as_object();
  CHECK(refusal.at("file") == "acme/flows.toml");
  CHECK(refusal.at("field") == "flows.order_status.nodes.extra.next");
  CHECK(refusal.at("problem") == "unknown_node");
  CHECK(refusal.at("values") == json::object{{"flow", "order_status"}, {"node", "nowhere"}});
  CHECK_THAT(broken.body, !Catch::Contains(".tmp"));
  CHECK(http_get(port, path, bearer(admin)).body == kFlows);
}

TEST_CASE("the conversation list filters the conversations the bot holds", "[bots][admin]") {
  BotDeployment setup(true);
  const auto port = setup.deployment.port();
  const auto admin = setup.deployment.login("acme", "root");
  auto visitor = setup.deployment.connect_visitor("acme");
  visitor.send_message("What are your opening hours?");
  CHECK(str(message_from(visitor.ws, "bot"), "text") == "We are open 9 to 5.");

  auto list = [&](const std::string& query) {
    auto r = http_get(port, "/v1/tenants/acme/conversations?" + query, bearer(admin));
    INFO(r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body).at("conversations").as_array();
  };
  const auto with_bot = list("status=bot");
  REQUIRE(with_bot.size() == 1);
  CHECK(text(with_bot[0].at("status")) == "bot");
  CHECK(list("status=queued").empty());
  CHECK(list("status=assigned").empty());
  auto bad = http_get(port, "/v1/tenants/acme/conversations?status=robot", bearer(admin));
  CHECK(bad.status == 422);
  CHECK_THAT(bad.body, Catch::Contains("bot, queued, assigned or closed"));
}
