// The FAQ knowledge base and the intents over the admin REST API: admins read and
// replace them, the plugin (autoreply-faq, autoreply-intent) checks every upload (a
// broken one is refused with file, line and entry, and changes nothing), and a
// replaced file reloads the tenant.
#include <catch2/catch.hpp>
#include <thread>

#include "harness/deployment.hpp"
#include "harness/standard_tenants.hpp"
#include "support/build_speed.hpp"

using namespace sb::it;
using sb::test::bearer;
using sb::test::http_get;
using sb::test::http_request;

namespace {

constexpr const char* kKnowledgeBase = R"(# Acme's answers
[[entries]]
id = "hours"
questions = ["When are you open?", "营业时间"]
answer = { en = "9 to 5.", zh = "九点到五点。" }
)";

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Waits until the server's log has more than `before` lines saying acme reloaded (a
// reload re-indexes the knowledge base: slower in a sanitized build).
bool reloaded_since(Deployment& deployment, int before) {
  const auto deadline =
      std::chrono::steady_clock::now() + sb::test::harness_deadline(std::chrono::seconds(10));
  while (std::chrono::steady_clock::now() < deadline) {
    if (count_of(deployment.server().log(), "tenant acme: reloaded") > before) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Gives acme the knowledge base above (acme/faq.toml) and starts the server.
void start_with_knowledge_base(Deployment& deployment) {
  std::filesystem::create_directories(deployment.tenants_dir() / "acme");
  sb::test::write_file_atomically(deployment.tenants_dir() / "acme" / "faq.toml", kKnowledgeBase);
  deployment.write_tenant_text("acme",
                               render_tenant_toml(deployment.tenant("acme")) +
                                   "\n[plugins.autoreply-faq]\nfiles = [\"acme/faq.toml\"]\n");
  deployment.server().start();
}

}  // namespace

TEST_CASE("the FAQ knowledge base over REST: admins replace it, the plugin checks it", "[kb]") {
  Deployment deployment({acme_tenant(), globex_tenant()}, DeploymentOptions{.start = false});
  start_with_knowledge_base(deployment);
  const std::string path = "/v1/tenants/acme/kb";
  const auto admin = deployment.login("acme", "root");

  // Read back as written, comments and all.
  auto read = http_get(deployment.port(), path, bearer(admin));
  REQUIRE(read.status == 200);
  CHECK(read.body == kKnowledgeBase);

  // Admins only, of this tenant; a tenant without a knowledge base has none.
  CHECK(http_get(deployment.port(), path, bearer(deployment.login("acme", "alice"))).status == 403);
  CHECK(http_get(deployment.port(), path, bearer(deployment.login("globex", "groot"))).status ==
        403);
  CHECK(http_get(deployment.port(), "/v1/tenants/globex/kb",
                 bearer(deployment.login("globex", "groot")))
            .status == 404);
  CHECK(http_get(deployment.port(), path + "?file=other.toml", bearer(admin)).status == 404);

  // A broken upload: refused with where the mistake is, and nothing changes.
  const int reloads = count_of(deployment.server().log(), "tenant acme: reloaded");
  auto broken = http_request(
      deployment.port(), "PUT", path,
      std::string(kKnowledgeBase) + "\n[[entries]]\nid = \"refunds\"\nquestions = [\"refund?\"]\n",
      bearer(admin));
  INFO(broken.body);
  CHECK(broken.status == 422);
  CHECK_THAT(broken.body, Catch::Contains("invalid_kb") &&
                              Catch::Contains("acme/faq.toml:7: entries[1].answer: missing"));
  // The same as fields, for a page that says it on the entry and in its own language.
  const auto kb_refusal = json::parse(broken.body).at("error").as_object();
  CHECK(kb_refusal.at("file") == "acme/faq.toml");
  CHECK(kb_refusal.at("line") == 7);
  CHECK(kb_refusal.at("field") == "entries[1].answer");
  CHECK(kb_refusal.at("reason") == "missing");
  CHECK(kb_refusal.at("problem") == "missing");
  CHECK_THAT(broken.body, !Catch::Contains(".tmp"));
  CHECK(http_get(deployment.port(), path, bearer(admin)).body == kKnowledgeBase);

  // A good one replaces the file and reloads the tenant at once.
  const std::string edited = std::string(kKnowledgeBase) +
                             "\n[[entries]]\nid = \"refunds\"\nquestions = [\"How do refunds "
                             "work?\"]\nanswer = \"Within 5 days.\"\n";
  auto saved = http_request(deployment.port(), "PUT", path, edited, bearer(admin));
  INFO(saved.body);
  REQUIRE(saved.status == 200);
  CHECK(str(json::parse(saved.body).as_object(), "file") == "acme/faq.toml");
  CHECK(sb::test::read_file(deployment.tenants_dir() / "acme" / "faq.toml") == edited);
  CHECK(http_get(deployment.port(), path, bearer(admin)).body == edited);
  CHECK(reloaded_since(deployment, reloads));
  // No upload is left behind.
  for (const auto& entry : std::filesystem::directory_iterator(deployment.tenants_dir() / "acme"))
    CHECK(entry.path().filename() == "faq.toml");

  // An edit by hand in the tenant's directory reloads it too.
  const int before_hand_edit = count_of(deployment.server().log(), "tenant acme: reloaded");
  sb::test::write_file_atomically(deployment.tenants_dir() / "acme" / "faq.toml", kKnowledgeBase);
  CHECK(reloaded_since(deployment, before_hand_edit));
}

// A PUT with an empty body emptied the knowledge base: the plugin loads a file of
// nothing as one with no entries, so a script whose `curl --data-binary @file` named
// a missing file (curl then sends nothing) silently took every answer from the bot.
TEST_CASE("a bot file PUT with an empty body is refused and the file is kept", "[kb]") {
  Deployment deployment({acme_tenant(), globex_tenant()}, DeploymentOptions{.start = false});
  start_with_knowledge_base(deployment);
  const std::string path = "/v1/tenants/acme/kb";
  const auto admin = deployment.login("acme", "root");

  for (const std::string body : {"", "\n  \r\n\t\n"}) {
    auto refused = http_request(deployment.port(), "PUT", path, body, bearer(admin));
    INFO(refused.body);
    CHECK(refused.status == 400);
    CHECK(json::parse(refused.body).at("error").at("code") == "empty_file");
  }
  CHECK(sb::test::read_file(deployment.tenants_dir() / "acme" / "faq.toml") == kKnowledgeBase);
  CHECK(http_get(deployment.port(), path, bearer(admin)).body == kKnowledgeBase);
  // A file that says it holds no entries is still taken: emptying on purpose works.
  auto emptied = http_request(deployment.port(), "PUT", path, "entries = []\n", bearer(admin));
  INFO(emptied.body);
  CHECK(emptied.status == 200);
}

// README's quick start runs the server from the checkout with `--tenants-dir tenants`:
// an upload was then checked under a relative trial path that the plugin resolved
// against the tenant's directory a second time, and every edit answered 422 "cannot
// open the file".
TEST_CASE("with relative directories, as from a checkout, an admin's knowledge-base edit applies",
          "[kb]") {
  Deployment deployment({acme_tenant()}, DeploymentOptions{.start = false, .relative_dirs = true});
  start_with_knowledge_base(deployment);
  REQUIRE(deployment.server().options().tenants_dir.is_relative());
  const std::string path = "/v1/tenants/acme/kb";
  const auto admin = deployment.login("acme", "root");
  REQUIRE(http_get(deployment.port(), path, bearer(admin)).body == kKnowledgeBase);

  const int reloads = count_of(deployment.server().log(), "tenant acme: reloaded");
  const std::string edited = std::string(kKnowledgeBase) +
                             "\n[[entries]]\nid = \"refunds\"\nquestions = [\"How do refunds "
                             "work?\"]\nanswer = \"Within 5 days.\"\n";
  auto saved = http_request(deployment.port(), "PUT", path, edited, bearer(admin));
  INFO(saved.body);
  REQUIRE(saved.status == 200);
  CHECK(sb::test::read_file(deployment.tenants_dir() / "acme" / "faq.toml") == edited);
  CHECK(reloaded_since(deployment, reloads));
  // A broken one is still refused for what is wrong with it, not for where it is.
  auto broken = http_request(
      deployment.port(), "PUT", path,
      edited + "\n[[entries]]\nid = \"pay\"\nquestions = [\"How do I pay?\"]\n", bearer(admin));
  CHECK(broken.status == 422);
  CHECK_THAT(broken.body, Catch::Contains("entries[2].answer: missing"));
}

TEST_CASE("a knowledge-base save made from an old version is refused, not written over another",
          "[kb]") {
  Deployment deployment({acme_tenant()}, DeploymentOptions{.start = false});
  start_with_knowledge_base(deployment);
  const std::string path = "/v1/tenants/acme/kb";
  const auto admin = deployment.login("acme", "root");
  const auto if_match = [&](const std::string& etag) {
    auto headers = bearer(admin);
    headers.emplace_back("If-Match", etag);
    return headers;
  };
  auto first = http_get(deployment.port(), path, bearer(admin));
  REQUIRE(first.status == 200);
  const std::string v1 = first.headers["etag"];
  REQUIRE(v1.size() > 2);
  CHECK(v1.front() == '"');

  // Someone else saves an entry over v1 (another tab, an unanswered question's new
  // entry): accepted, with the new version.
  const std::string theirs = std::string(kKnowledgeBase) +
                             "\n[[entries]]\nid = \"refunds\"\nquestions = [\"How do refunds "
                             "work?\"]\nanswer = \"Within 5 days.\"\n";
  auto saved = http_request(deployment.port(), "PUT", path, theirs, if_match(v1));
  INFO(saved.body);
  REQUIRE(saved.status == 200);
  const std::string v2 = saved.headers["etag"];
  CHECK(v2 != v1);
  CHECK(http_get(deployment.port(), path, bearer(admin)).headers["etag"] == v2);

  // The admin still on v1 is told, and their save does not drop the other entry.
  const std::string mine = std::string(kKnowledgeBase) +
                           "\n[[entries]]\nid = \"pay\"\nquestions = [\"How do I "
                           "pay?\"]\nanswer = \"By card.\"\n";
  auto stale = http_request(deployment.port(), "PUT", path, mine, if_match(v1));
  INFO(stale.body);
  CHECK(stale.status == 412);
  CHECK(json::parse(stale.body).at("error").at("code") == "kb_changed");
  CHECK(stale.headers["etag"] == v2);
  CHECK(sb::test::read_file(deployment.tenants_dir() / "acme" / "faq.toml") == theirs);

  // A hand edit is a change too; with the current version (or none) it saves.
  sb::test::write_file_atomically(deployment.tenants_dir() / "acme" / "faq.toml", kKnowledgeBase);
  CHECK(http_request(deployment.port(), "PUT", path, mine, if_match(v2)).status == 412);
  CHECK(http_request(deployment.port(), "PUT", path, mine, if_match(v1)).status == 200);
  CHECK(http_request(deployment.port(), "PUT", path, theirs, bearer(admin)).status == 200);
  CHECK(sb::test::read_file(deployment.tenants_dir() / "acme" / "faq.toml") == theirs);
}

TEST_CASE("the intents file over REST: admins replace it, the plugin checks it", "[kb]") {
  constexpr const char* kIntents = R"(# Acme's intents
[[intents]]
name = "human"
examples = ["talk to a human", "I want an agent", "a real person please"]

[[intents]]
name = "hours"
examples = ["when are you open", "opening hours", "are you open on sunday"]
)";
  Deployment deployment({acme_tenant()}, DeploymentOptions{.start = false});
  std::filesystem::create_directories(deployment.tenants_dir() / "acme");
  sb::test::write_file_atomically(deployment.tenants_dir() / "acme" / "intents.toml", kIntents);
  deployment.write_tenant_text("acme",
                               render_tenant_toml(deployment.tenant("acme")) +
                                   "\n[plugins.autoreply-intent]\nfile = \"acme/intents.toml\"\n");
  deployment.server().start();
  const std::string path = "/v1/tenants/acme/intents";
  const auto admin = deployment.login("acme", "root");

  auto read = http_get(deployment.port(), path, bearer(admin));
  REQUIRE(read.status == 200);
  CHECK(read.body == kIntents);
  CHECK(http_get(deployment.port(), path, bearer(deployment.login("acme", "alice"))).status == 403);
  CHECK(http_get(deployment.port(), path + "?file=acme/faq.toml", bearer(admin)).status == 404);

  // Too few examples to learn from: refused with where, and nothing changes.
  const int reloads = count_of(deployment.server().log(), "tenant acme: reloaded");
  auto broken = http_request(
      deployment.port(), "PUT", path,
      std::string(kIntents) + "\n[[intents]]\nname = \"refund\"\nexamples = [\"refund\"]\n",
      bearer(admin));
  INFO(broken.body);
  CHECK(broken.status == 422);
  CHECK_THAT(broken.body, Catch::Contains("invalid_intents") &&
                              Catch::Contains("acme/intents.toml:12: intents[2].examples: needs "
                                              "at least 3 examples (has 1)"));
  const auto intents_refusal = json::parse(broken.body).at("error").as_object();
  CHECK(intents_refusal.at("line") == 12);
  CHECK(intents_refusal.at("field") == "intents[2].examples");
  CHECK(intents_refusal.at("reason") == "needs at least 3 examples (has 1)");
  // Only the plugin knows the rule: its code, with the numbers a page words it with.
  CHECK(intents_refusal.at("problem") == "too_few_examples");
  CHECK(intents_refusal.at("values") == json::object{{"min", "3"}, {"has", "1"}});
  CHECK_THAT(std::string(intents_refusal.at("message").as_string()),
             Catch::EndsWith(": acme/intents.toml:12: intents[2].examples: needs at least 3 "
                             "examples (has 1)"));
  CHECK(http_get(deployment.port(), path, bearer(admin)).body == kIntents);

  const std::string edited =
      std::string(kIntents) +
      "\n[[intents]]\nname = \"refund\"\nexamples = [\"refund\", \"money back\", \"return it\"]\n";
  auto saved = http_request(deployment.port(), "PUT", path, edited, bearer(admin));
  INFO(saved.body);
  REQUIRE(saved.status == 200);
  CHECK(str(json::parse(saved.body).as_object(), "file") == "acme/intents.toml");
  CHECK(sb::test::read_file(deployment.tenants_dir() / "acme" / "intents.toml") == edited);
  CHECK(reloaded_since(deployment, reloads));
}
