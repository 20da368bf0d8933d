// The real llm-openai plugin as the last stage of a tenant's bot, through the real
// server and its sb_http_v1 host service, against a fake OpenAI-compatible server
// (tests/support/fake_openai.hpp) on port 0: what the visitor sees, and what the
// provider is sent. The pipeline's guards with scripted stages are in bot_test.cpp;
// these check them once more with a real provider over real HTTP.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"
#include "support/fake_openai.hpp"

using namespace sb::it;
using sb::test::FakeOpenAiServer;
using sb::test::FakeReply;

namespace {

// The server inherits the test's environment; the tenant names this variable.
constexpr const char* kKeyVariable = "SB_IT_LLM_KEY";
constexpr const char* kKey = "sk-it-4242";

constexpr const char* kSystemPrompt = "You are the assistant of Acme. Answer in one sentence.";
constexpr const char* kRefundAnswer = "Refunds take 5-7 business days.";
constexpr const char* kShippingAnswer = "Shipping takes 2-4 business days.";
// Shares words with both entries below, but is neither.
constexpr const char* kOpenQuestion = "Can I get a refund on the shipping costs?";

constexpr const char* kKnowledgeBase = R"([[entries]]
id = "refund-time"
questions = ["How long does a refund take?", "When do I get my money back?"]
answer = "Refunds take 5-7 business days."

[[entries]]
id = "shipping-time"
questions = ["How long does shipping take?", "When will my parcel arrive?"]
answer = "Shipping takes 2-4 business days."
)";

struct LlmTenant {
  bool stream = false;
  std::string bot_extra = {};  // more [bot] keys
};

TenantSpec llm_tenant(const FakeOpenAiServer& llm, const LlmTenant& options) {
  TenantSpec tenant = acme_tenant();
  tenant.extra_toml = std::string(R"(
[bot]
pipeline = ["autoreply-faq", "llm-openai"]
name = "Acmebot"
bot_first = true
timeout_ms = 600
stage_timeout_ms = 4000
holding_reply = "One moment please."
handoff_reply = "Connecting you to a person."
system_prompt = ")") + kSystemPrompt +
                      R"("
faq_context_entries = 2
breaker_failures = 2
breaker_cooldown_s = 1
)" + options.bot_extra +
                      R"(
[plugins.autoreply-faq]
files = ["acme/kb.toml"]
threshold = 0.6

[plugins.llm-openai]
base_url = ")" + llm.base_url() +
                      R"("
model = "acme-model-1"
api_key_env = ")" + kKeyVariable +
                      R"("
stream = )" + (options.stream ? "true" : "false") +
                      R"(
timeout_ms = 10000
)";
  return tenant;
}

// A server with the tenant above; its knowledge base is written before it starts.
struct LlmDeployment {
  FakeOpenAiServer llm;
  Deployment deployment;

  explicit LlmDeployment(const LlmTenant& options = {})
      : deployment({llm_tenant(llm, options)}, DeploymentOptions{.start = false}) {
    ::setenv(kKeyVariable, kKey, 1);
    const auto dir = deployment.tenants_dir() / "acme";
    std::filesystem::create_directories(dir);
    sb::test::write_file_atomically(dir / "kb.toml", kKnowledgeBase);
    deployment.server().start();
  }
};

json::object bot_says(sb::test::WsClient& ws, std::chrono::milliseconds timeout = 5000ms) {
  return message_from(ws, "bot", timeout);
}

std::string bot_text(sb::test::WsClient& ws, std::chrono::milliseconds timeout = 5000ms) {
  return str(bot_says(ws, timeout), "text");
}

// The request's messages: [{"role":..., "content":...}...].
const json::array& messages_of(const json::value& request) {
  return request.at("messages").as_array();
}

}  // namespace

TEST_CASE("the LLM answers what the FAQ cannot, sent the tenant's prompt, context, model and key",
          "[bots][llm]") {
  LlmDeployment setup;
  setup.llm.enqueue(FakeReply::answer("Shipping costs are refunded for faulty items."));
  auto visitor = setup.deployment.connect_visitor("acme");

  // The FAQ knows this one: the model is not asked.
  visitor.send_message("How long does shipping take?");
  CHECK(bot_text(visitor.ws) == kShippingAnswer);
  CHECK(setup.llm.requests().empty());

  visitor.send_message(kOpenQuestion);
  const auto reply = bot_says(visitor.ws);
  CHECK(str(reply, "text") == "Shipping costs are refunded for faulty items.");
  CHECK(str(obj(reply, "from"), "name") == "Acmebot");

  REQUIRE(setup.llm.wait_for_requests(1));
  const auto request = setup.llm.requests().at(0);
  CHECK(request.method == "POST");
  CHECK(request.target == "/v1/chat/completions");
  CHECK(request.headers.at("authorization") == std::string("Bearer ") + kKey);
  const auto body = request.json();
  CHECK(body.at("model") == "acme-model-1");
  const auto& messages = messages_of(body);
  REQUIRE(messages.size() >= 2);
  CHECK(messages.front().at("role") == "system");
  const std::string system(messages.front().at("content").as_string());
  CHECK_THAT(system, Catch::StartsWith(kSystemPrompt));
  // The closest knowledge-base entries, as context.
  CHECK_THAT(system, Catch::Contains(kRefundAnswer) && Catch::Contains(kShippingAnswer));
  // The conversation so far, then the question.
  CHECK(messages.back().at("role") == "user");
  CHECK(messages.back().at("content") == kOpenQuestion);
  CHECK(messages.size() == 4);  // system, the FAQ question, its answer, the question
}

TEST_CASE("a streamed answer reaches the visitor as one bot message", "[bots][llm]") {
  LlmDeployment setup(LlmTenant{.stream = true});
  setup.llm.enqueue(FakeReply::stream({"Shipping costs ", "are refunded ", "for faulty items."}));
  auto visitor = setup.deployment.connect_visitor("acme");
  visitor.send_message(kOpenQuestion);
  CHECK(bot_text(visitor.ws) == "Shipping costs are refunded for faulty items.");
  REQUIRE(setup.llm.wait_for_requests(1));
  CHECK(setup.llm.requests().at(0).json().at("stream") == true);
  visitor.ws.expect_no_frame_of_type("message", 300ms);
}

TEST_CASE("a model slower than the tenant's time limit: the holding reply, then its answer",
          "[bots][llm]") {
  LlmDeployment setup;
  setup.llm.enqueue(FakeReply::answer("Worth the wait.").after(1500ms));
  auto visitor = setup.deployment.connect_visitor("acme");
  const auto sent = std::chrono::steady_clock::now();
  visitor.send_message(kOpenQuestion);
  CHECK(bot_text(visitor.ws, 1500ms) == "One moment please.");
  CHECK(std::chrono::steady_clock::now() - sent < 1200ms);
  CHECK(bot_text(visitor.ws, 3000ms) == "Worth the wait.");
}

TEST_CASE("failing and malformed answers open the LLM's breaker, which closes after its cool-down",
          "[bots][llm]") {
  LlmDeployment setup;
  setup.llm.enqueue(FakeReply::error(500, "model overloaded"));
  setup.llm.enqueue(FakeReply::raw(200, "application/json", R"({"choices": [)"));

  // Each failure: nothing else can answer, so a human takes over.
  for (int i = 0; i < 2; ++i) {
    auto visitor = setup.deployment.connect_visitor("acme");
    visitor.send_message(kOpenQuestion);
    CHECK(bot_text(visitor.ws) == "Connecting you to a person.");
    CHECK(num(visitor.ws.next_of_type("conversation.queued"), "position") == i + 1);
  }
  REQUIRE(setup.llm.requests().size() == 2);

  // Open: the model is not asked; the FAQ still answers what it knows.
  auto skipped = setup.deployment.connect_visitor("acme");
  skipped.send_message("How long does a refund take?");
  CHECK(bot_text(skipped.ws) == kRefundAnswer);
  skipped.send_message(kOpenQuestion);
  CHECK(bot_text(skipped.ws) == "Connecting you to a person.");
  CHECK(setup.llm.requests().size() == 2);

  // After the cool-down the model is asked again, and answers.
  std::this_thread::sleep_for(1200ms);
  setup.llm.enqueue(FakeReply::answer("Back in service."));
  auto later = setup.deployment.connect_visitor("acme");
  later.send_message(kOpenQuestion);
  CHECK(bot_text(later.ws) == "Back in service.");
  CHECK(setup.llm.requests().size() == 3);
}

TEST_CASE("past the day's token budget the model is not asked", "[bots][llm]") {
  LlmDeployment setup(LlmTenant{.bot_extra = "daily_token_budget = 20\n"});
  setup.llm.enqueue(FakeReply::answer("Yes, for faulty items.", 15, 10));  // 25 tokens
  auto visitor = setup.deployment.connect_visitor("acme");
  visitor.send_message(kOpenQuestion);
  CHECK(bot_text(visitor.ws) == "Yes, for faulty items.");

  visitor.send_message("And can the refund go to another card?");
  CHECK(bot_text(visitor.ws) == "Connecting you to a person.");
  CHECK(setup.llm.requests().size() == 1);
}
