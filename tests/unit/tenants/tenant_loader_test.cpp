#include <catch2/catch.hpp>

#include "tenant_test_support.hpp"

using namespace sb::tenants;
using namespace sb::tenants::test;

TEST_CASE("a file with only a name gets every default") {
  auto loaded = load("name = \"Shop\"\n");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  const auto& t = *loaded.config;
  CHECK(t.id == "shop");
  CHECK(t.name == "Shop");
  CHECK(t.file.filename() == "shop.toml");
  CHECK(t.limits.max_connections == 1000);
  CHECK(t.limits.messages_per_second == 200);
  CHECK(t.limits.connection_messages_per_second == 10);
  CHECK(t.limits.max_message_bytes == 65536);
  CHECK(t.agent_token_ttl_s == 43200);
  CHECK(t.visitor_token_ttl_s == 2592000);
  CHECK(t.storage_plugin == "storage-sqlite");
  CHECK(t.routing_chain == std::vector<std::string>{"routing-least-busy"});
  CHECK(t.plugin_sections.empty());
  CHECK(t.agents.empty());
}

TEST_CASE("every key is read") {
  auto loaded = load(R"(id = "shop"
name = "Shop"
[limits]
max_connections = 5
messages_per_second = 6
connection_messages_per_second = 7
max_message_bytes = 1048576
[auth]
agent_token_ttl_s = 60
visitor_token_ttl_s = 120
[storage]
plugin = "storage-postgres"
[routing]
chain = ["routing-round-robin", "routing-least-busy"]
[[agents]]
email = "Kim@Shop.Example"
name = "Kim"
password_hash = ")" + kHash +
                     R"("
[[agents]]
id = "lee"
email = "lee@shop.example"
name = "Lee"
role = "admin"
password_hash = ")" + kHash +
                     R"("
max_concurrent = 10000
groups = ["billing", "support"]
skills = { english = 1, french = 10 }
)");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  const auto& t = *loaded.config;
  CHECK(t.limits.max_connections == 5);
  CHECK(t.limits.messages_per_second == 6);
  CHECK(t.limits.connection_messages_per_second == 7);
  CHECK(t.limits.max_message_bytes == 1048576);
  CHECK(t.agent_token_ttl_s == 60);
  CHECK(t.visitor_token_ttl_s == 120);
  CHECK(t.storage_plugin == "storage-postgres");
  CHECK(t.routing_chain == std::vector<std::string>{"routing-round-robin", "routing-least-busy"});
  REQUIRE(t.agents.size() == 2);

  const AgentConfig& kim = t.agents[0];
  CHECK(kim.email == "kim@shop.example");
  CHECK(kim.id == "kim@shop.example");  // defaults to the email
  CHECK(kim.role == "agent");
  CHECK(kim.max_concurrent == 5);
  CHECK(kim.groups.empty());
  CHECK(kim.skills.empty());

  const AgentConfig* lee = t.agent_by_id("lee");
  REQUIRE(lee);
  CHECK(lee->role == "admin");
  CHECK(lee->password_hash == kHash);
  CHECK(lee->max_concurrent == 10000);
  CHECK(lee->groups == std::vector<std::string>{"billing", "support"});
  CHECK(lee->skills == std::map<std::string, int>{{"english", 1}, {"french", 10}});

  CHECK(t.agent_by_email("KIM@shop.example") == &kim);
  CHECK(t.agent_by_email("nobody@shop.example") == nullptr);
  CHECK(t.agent_by_id("nobody") == nullptr);
}

TEST_CASE("unknown keys and tables are errors wherever they are, with their line") {
  auto loaded = load(R"(name = "Shop"
colour = "blue"
[limits]
max_conections = 5
[auth]
token_ttl = 5
[storage]
path = "x"
[routing]
strategy = "x"
[extras]
a = 1
[[agents]]
email = "a@b.c"
name = "A"
password_hash = ")" + kHash +
                     R"("
nickname = "x"
)");
  INFO(loaded.all());
  CHECK_FALSE(loaded.config);
  CHECK(loaded.errors.size() == 7);
  struct Expected {
    const char* key;
    uint32_t line, column;
  };
  // A table's name sits inside its brackets, at column 2.
  for (auto [key, line, column] :
       {Expected{"colour", 2, 1}, Expected{"limits.max_conections", 4, 1},
        Expected{"auth.token_ttl", 6, 1}, Expected{"storage.path", 8, 1},
        Expected{"routing.strategy", 10, 1}, Expected{"extras", 11, 2},
        Expected{"agents[0].nickname", 17, 1}}) {
    INFO(key);
    auto* error = loaded.error(key);
    REQUIRE(error);
    CHECK(error->line == line);
    CHECK(error->column == column);
    CHECK(error->file.ends_with("shop.toml"));
  }
  CHECK_THAT(loaded.error("limits.max_conections")->message,
             Catch::Contains("did you mean 'max_connections'"));
  CHECK_THAT(loaded.error("extras")->message, Catch::Contains("unknown table"));
  // Reported top to bottom, as a user fixes them.
  CHECK(loaded.errors.front().key == "colour");
  CHECK(loaded.errors.back().key == "agents[0].nickname");
}

TEST_CASE("wrong types are errors naming both types") {
  auto loaded = load(R"(name = 5
[limits]
max_connections = "many"
[routing]
chain = "routing-least-busy"
[[agents]]
email = "a@b.c"
name = "A"
password_hash = ")" + kHash +
                     R"("
groups = "support"
skills = { english = "good" }
max_concurrent = 2.0
)");
  INFO(loaded.all());
  CHECK_FALSE(loaded.config);
  CHECK(loaded.errors.size() == 6);
  CHECK(loaded.error("name")->line == 1);
  CHECK_THAT(loaded.error("name")->message,
             Catch::Contains("string") && Catch::Contains("integer"));
  CHECK(loaded.error("limits.max_connections")->line == 3);
  CHECK(loaded.error("routing.chain")->line == 5);
  CHECK(loaded.error("agents[0].groups")->line == 10);
  CHECK(loaded.error("agents[0].skills.english")->line == 11);
  CHECK(loaded.error("agents[0].max_concurrent")->line == 12);
}

TEST_CASE("numbers out of range are errors naming the range") {
  auto loaded = load(R"(name = "Shop"
[limits]
max_message_bytes = 1048577
connection_messages_per_second = 0
[auth]
agent_token_ttl_s = 10
[[agents]]
email = "a@b.c"
name = "A"
password_hash = ")" + kHash +
                     R"("
max_concurrent = 0
skills = { english = 11 }
)");
  INFO(loaded.all());
  CHECK_FALSE(loaded.config);
  CHECK(loaded.errors.size() == 5);
  auto* size = loaded.error("limits.max_message_bytes");
  REQUIRE(size);
  CHECK(size->line == 3);
  CHECK(size->column == 21);
  CHECK_THAT(size->message, Catch::Contains("between 1 and 1048576"));
  CHECK(loaded.error("limits.connection_messages_per_second")->line == 4);
  CHECK(loaded.error("auth.agent_token_ttl_s")->line == 6);
  CHECK(loaded.error("agents[0].max_concurrent")->line == 11);
  CHECK_THAT(loaded.error("agents[0].skills.english")->message,
             Catch::Contains("between 1 and 10"));
}

TEST_CASE("a bad tenant id, or one that differs from the file name, is an error") {
  SECTION("bad characters") {
    auto loaded = load("\nid = \"Shop!\"\nname = \"Shop\"\n");
    REQUIRE(loaded.error("id"));
    CHECK(loaded.error("id")->line == 2);
    CHECK_THAT(loaded.error("id")->message, Catch::Contains("not a valid tenant id"));
  }
  SECTION("another file's name") {
    auto loaded = load("name = \"Shop\"\nid = \"other\"\n");
    REQUIRE(loaded.error("id"));
    CHECK(loaded.error("id")->line == 2);
    CHECK_THAT(loaded.error("id")->message, Catch::Contains("shop.toml"));
  }
  SECTION("a file name that is no valid id") {
    auto loaded = load("name = \"Shop\"\n", "My Shop.toml");
    CHECK_FALSE(loaded.config);
    REQUIRE(loaded.error("id"));
    CHECK_THAT(loaded.error("id")->message, Catch::Contains("My Shop"));
  }
  CHECK(is_valid_tenant_id("a"));
  CHECK(is_valid_tenant_id("acme-2"));
  CHECK(is_valid_tenant_id(std::string(63, 'x')));
  CHECK_FALSE(is_valid_tenant_id(std::string(64, 'x')));
  CHECK_FALSE(is_valid_tenant_id("-acme"));
  CHECK_FALSE(is_valid_tenant_id("Acme"));
  CHECK_FALSE(is_valid_tenant_id("ac_me"));
  CHECK_FALSE(is_valid_tenant_id(""));
}

TEST_CASE("required keys are reported when missing") {
  auto loaded = load(R"(id = "shop"
[[agents]]
role = "agent"
)");
  INFO(loaded.all());
  CHECK_FALSE(loaded.config);
  CHECK(loaded.errors.size() == 4);
  for (const char* key : {"name", "agents[0].email", "agents[0].name", "agents[0].password_hash"}) {
    INFO(key);
    auto* error = loaded.error(key);
    REQUIRE(error);
    CHECK_THAT(error->message, Catch::Contains("required"));
  }
  CHECK(loaded.error("agents[0].email")->line == 2);
}

TEST_CASE("agent emails and ids must be unique, emails ignoring case") {
  auto agent = [](const std::string& fields) {
    return "[[agents]]\nname = \"A\"\npassword_hash = \"" + kHash + "\"\n" + fields + "\n";
  };
  auto loaded = load("name = \"Shop\"\n" +                                // line 1
                     agent("email = \"a@shop.example\"") +                // lines 2-5
                     agent("email = \"A@Shop.Example\"") +                // lines 6-9: same email
                     agent("email = \"b@shop.example\"\nid = \"bee\"") +  // lines 10-14
                     agent("email = \"c@shop.example\"\nid = \"bee\"") +  // lines 15-19: same id
                     agent("email = \"d@shop.example\"\nid = \"e@shop.example\"") +  // 20-24
                     agent("email = \"e@shop.example\""));  // 25-28: id defaults to a taken one
  INFO(loaded.all());
  CHECK_FALSE(loaded.config);
  REQUIRE(loaded.errors.size() == 3);
  auto* email = loaded.error("agents[1].email");
  REQUIRE(email);
  CHECK(email->line == 9);
  CHECK_THAT(email->message, Catch::Contains("agents[0]"));
  auto* id = loaded.error("agents[3].id");
  REQUIRE(id);
  CHECK(id->line == 19);
  CHECK_THAT(id->message, Catch::Contains("agents[2]"));
  auto* defaulted = loaded.error("agents[5].id");
  REQUIRE(defaulted);
  CHECK(defaulted->line == 28);
}

TEST_CASE("roles, emails and password hashes are checked") {
  auto loaded = load(R"(name = "Shop"
[[agents]]
email = "not-an-email"
name = "A"
role = "boss"
password_hash = "hunter2"
)");
  INFO(loaded.all());
  CHECK_FALSE(loaded.config);
  CHECK(loaded.errors.size() == 3);
  CHECK(loaded.error("agents[0].email")->line == 3);
  CHECK(loaded.error("agents[0].role")->line == 5);
  CHECK_THAT(loaded.error("agents[0].role")->message, Catch::Contains("\"agent\" or \"admin\""));
  CHECK(loaded.error("agents[0].password_hash")->line == 6);
  CHECK_THAT(loaded.error("agents[0].password_hash")->message, Catch::Contains("hash-password"));

  auto argon2i = load(
      "name = \"Shop\"\n[[agents]]\nemail = \"a@b.c\"\nname = \"A\"\n"
      "password_hash = \"$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA\"\n");
  CHECK_FALSE(argon2i.config);
  CHECK(argon2i.error("agents[0].password_hash"));
}

TEST_CASE("a syntax error is reported with its line") {
  auto loaded = load("name = \"Shop\"\n[limits\nmax_connections = 5\n");
  CHECK_FALSE(loaded.config);
  REQUIRE(loaded.errors.size() == 1);
  CHECK(loaded.errors[0].line == 2);
}

TEST_CASE("an unreadable file is reported without a line") {
  sb::ConfigErrors errors;
  CHECK_FALSE(load_tenant_file("/nonexistent/shop.toml", fake_plugins(), "storage-sqlite", errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 0);
}

TEST_CASE("the conversation policy is read, and a bad value names its line") {
  auto good = load(R"(name = "Shop"
[conversation]
agent_offline_grace_s = 0
visitor_offline_grace_s = 2
on_agent_offline = "keep"
reroute_unanswered_s = 90
transfer_offer_s = 30
)");
  INFO(good.all());
  REQUIRE(good.config);
  CHECK(good.config->conversation.agent_offline_grace_s == 0);
  CHECK(good.config->conversation.visitor_offline_grace_s == 2);
  CHECK(good.config->conversation.on_agent_offline == "keep");
  CHECK(good.config->conversation.reroute_unanswered_s == 90);
  CHECK(good.config->conversation.transfer_offer_s == 30);

  auto defaults = load("name = \"Shop\"\n");
  REQUIRE(defaults.config);
  CHECK(defaults.config->conversation.agent_offline_grace_s == 60);
  CHECK(defaults.config->conversation.visitor_offline_grace_s == 60);
  CHECK(defaults.config->conversation.on_agent_offline == "requeue");
  CHECK(defaults.config->conversation.reroute_unanswered_s == 0);
  CHECK(defaults.config->conversation.transfer_offer_s == 120);

  auto bad = load(R"(name = "Shop"
[conversation]
on_agent_offline = "forget"
reroute_unanswered_s = -1
grace = 5
transfer_offer_s = 0
)");
  INFO(bad.all());
  CHECK_FALSE(bad.config);
  REQUIRE(bad.error("conversation.on_agent_offline"));
  CHECK(bad.error("conversation.on_agent_offline")->line == 3);
  REQUIRE(bad.error("conversation.reroute_unanswered_s"));
  CHECK(bad.error("conversation.reroute_unanswered_s")->line == 4);
  REQUIRE(bad.error("conversation.grace"));
  REQUIRE(
      bad.error("conversation.transfer_offer_s"));  // never offered would mean never transferred
  CHECK(bad.error("conversation.transfer_offer_s")->line == 6);
}

TEST_CASE("[visitors] reads the identity secret from the variable it names") {
  ::setenv("SB_TEST_IDENTITY_SECRET", "website-shared-secret", 1);
  ::unsetenv("SB_TEST_IDENTITY_UNSET");
  auto good = load(R"(name = "Shop"
[visitors]
identity_secret_env = "SB_TEST_IDENTITY_SECRET"
unsigned_attributes = ["cart", "page_type"]
)");
  INFO(good.all());
  REQUIRE(good.config);
  CHECK(good.config->visitors.identity_secret == "website-shared-secret");
  CHECK(good.config->visitors.unsigned_attributes == std::vector<std::string>{"cart", "page_type"});

  auto defaults = load("name = \"Shop\"\n");
  REQUIRE(defaults.config);
  CHECK(defaults.config->visitors.identity_secret.empty());

  // A secret that is not there would silently trust nobody: the tenant does not load.
  auto unset = load(R"(name = "Shop"
[visitors]
identity_secret_env = "SB_TEST_IDENTITY_UNSET"
)");
  CHECK_FALSE(unset.config);
  REQUIRE(unset.error("visitors.identity_secret_env"));
  CHECK(unset.error("visitors.identity_secret_env")->line == 3);
  CHECK(unset.error("visitors.identity_secret_env")->message.find("SB_TEST_IDENTITY_UNSET") !=
        std::string::npos);

  auto pointless = load(R"(name = "Shop"
[visitors]
unsigned_attributes = ["cart"]
)");
  CHECK_FALSE(pointless.config);
  REQUIRE(pointless.error("visitors.unsigned_attributes"));
}

TEST_CASE("the attachments table is read, off by default, and a bad value names its line") {
  auto defaults = load("name = \"Shop\"\n");
  REQUIRE(defaults.config);
  CHECK_FALSE(defaults.config->attachments.enabled);
  CHECK(defaults.config->attachments.max_bytes == 10485760);
  CHECK(defaults.config->attachments.max_total_bytes == 1073741824);
  CHECK(defaults.config->attachments.allowed_types.size() == 6);

  auto good = load(R"(name = "Shop"
[attachments]
enabled = true
max_bytes = 33554432
max_total_bytes = 100000000
allowed_types = ["image/*", "application/pdf"]
)");
  INFO(good.all());
  REQUIRE(good.config);
  CHECK(good.config->attachments.enabled);
  CHECK(good.config->attachments.max_bytes == 33554432);
  CHECK(good.config->attachments.max_total_bytes == 100000000);
  CHECK(good.config->attachments.allowed_types ==
        std::vector<std::string>{"image/*", "application/pdf"});

  auto bad = load(R"(name = "Shop"
[attachments]
enabled = "yes"
max_bytes = 33554433
allowed_types = ["image/png", "Image/PNG", "pdf"]
size = 1
)");
  INFO(bad.all());
  CHECK_FALSE(bad.config);
  REQUIRE(bad.error("attachments.enabled"));
  CHECK(bad.error("attachments.enabled")->line == 3);
  REQUIRE(bad.error("attachments.max_bytes"));  // the hub reads no larger upload
  CHECK(bad.error("attachments.max_bytes")->line == 4);
  REQUIRE(bad.error("attachments.allowed_types[1]"));
  CHECK(bad.error("attachments.allowed_types[1]")->line == 5);
  REQUIRE(bad.error("attachments.allowed_types[2]"));
  REQUIRE(bad.error("attachments.size"));

  auto small_total = load(R"(name = "Shop"
[attachments]
max_bytes = 1000
max_total_bytes = 999
)");
  CHECK_FALSE(small_total.config);
  REQUIRE(small_total.error("attachments.max_total_bytes"));
  CHECK(small_total.error("attachments.max_total_bytes")->line == 4);
}

TEST_CASE("[retention] is read, kept for ever without it, and checked") {
  auto none = load("name = \"Shop\"\n");
  REQUIRE(none.config);
  CHECK(none.config->retention.closed_conversations_days == 0);
  CHECK(none.config->retention.audit_days == 0);

  auto set = load(R"(name = "Shop"
[retention]
closed_conversations_days = 30
audit_days = 365
)");
  INFO(set.all());
  REQUIRE(set.config);
  CHECK(set.config->retention.closed_conversations_days == 30);
  CHECK(set.config->retention.audit_days == 365);

  auto bad = load(R"(name = "Shop"
[retention]
closed_conversations_days = -1
audit_days = 4000
keep_forever = true
)");
  CHECK_FALSE(bad.config);
  REQUIRE(bad.error("retention.closed_conversations_days"));
  CHECK_THAT(bad.error("retention.audit_days")->message, Catch::Contains("between 0 and 3650"));
  CHECK(bad.error("retention.keep_forever"));
}

TEST_CASE(
    "a reopen window longer than the retention of closed conversations is served, with a note") {
  auto file = [](int window_s, int days) {
    return "name = \"Shop\"\n[conversation]\nreopen_window_s = " + std::to_string(window_s) +
           "\n[retention]\nclosed_conversations_days = " + std::to_string(days) + "\n";
  };
  auto longer = load(file(7 * 86'400, 1));
  INFO(longer.all());
  REQUIRE(longer.config);
  const std::string note = sb::tenants::config_note(*longer.config);
  CHECK_THAT(note, Catch::Contains("reopen_window_s = 604800") &&
                       Catch::Contains("closed_conversations_days = 1") &&
                       Catch::Contains("only within that time"));
  // Within the period, or kept for ever: nothing to say.
  CHECK(sb::tenants::config_note(*load(file(86'400, 1)).config).empty());
  CHECK(sb::tenants::config_note(*load(file(7 * 86'400, 0)).config).empty());
}
