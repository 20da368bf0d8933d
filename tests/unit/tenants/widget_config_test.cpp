// The [widget] table: defaults, every key read, and each bad value an error naming
// its key and line.
#include <catch2/catch.hpp>

#include "tenant_test_support.hpp"

using namespace sb::tenants;
using namespace sb::tenants::test;

namespace {

// The one error a tenant file with this [widget] part gets.
sb::ConfigError widget_error(const std::string& widget_toml) {
  auto loaded = load("name = \"Shop\"\n" + widget_toml);
  INFO(widget_toml);
  INFO(loaded.all());
  REQUIRE_FALSE(loaded.config);
  REQUIRE(loaded.errors.size() == 1);
  return loaded.errors.front();
}

}  // namespace

TEST_CASE("a tenant without [widget] gets the default widget, open to any website") {
  auto loaded = load("name = \"Shop\"\n");
  REQUIRE(loaded.config);
  const WidgetConfig& w = loaded.config->widget;
  CHECK(w.color == "#2f6fed");
  CHECK(w.logo.empty());
  CHECK(w.position == "right");
  CHECK(w.default_language == "en");
  CHECK(w.allowed_origins.empty());
  CHECK_FALSE(w.pre_chat_enabled);
  CHECK(w.pre_chat_fields == std::vector<std::string>{"name", "email", "question"});
  REQUIRE(w.texts.size() == 2);
  CHECK(w.texts.at("en").title == "Chat with us");
  CHECK(w.texts.at("zh").title == "在线咨询");
  CHECK_FALSE(w.texts.at("zh").offline_message.empty());
  CHECK(origin_allowed(*loaded.config, "https://anywhere.example"));
}

TEST_CASE("every [widget] key is read, origins are kept normalized, texts filled per language") {
  auto loaded = load(R"(name = "Shop"
[widget]
color = "#A1b2C3"
logo = "https://shop.example.com/logo.png"
position = "left"
default_language = "zh"
allowed_origins = ["https://Shop.Example.com:443", "http://localhost:3000"]
[widget.pre_chat]
enabled = true
fields = ["email", "name"]
[widget.texts.en]
title = "Talk to Shop"
[widget.texts.zh]
greeting = "你好"
offline_message = "请留言"
)");
  INFO(loaded.all());
  REQUIRE(loaded.config);
  const WidgetConfig& w = loaded.config->widget;
  CHECK(w.color == "#A1b2C3");
  CHECK(w.logo == "https://shop.example.com/logo.png");
  CHECK(w.position == "left");
  CHECK(w.default_language == "zh");
  CHECK(w.allowed_origins ==
        std::vector<std::string>{"https://shop.example.com", "http://localhost:3000"});
  CHECK(w.pre_chat_enabled);
  CHECK(w.pre_chat_fields == std::vector<std::string>{"email", "name"});
  CHECK(w.texts.at("en").title == "Talk to Shop");
  CHECK(w.texts.at("en").greeting == "Hi! How can we help?");  // the default stays
  CHECK(w.texts.at("zh").title == "在线咨询");
  CHECK(w.texts.at("zh").greeting == "你好");
  CHECK(w.texts.at("zh").offline_message == "请留言");

  CHECK(origin_allowed(*loaded.config, "https://shop.example.com"));
  CHECK(origin_allowed(*loaded.config, "HTTPS://SHOP.EXAMPLE.COM:443"));
  CHECK(origin_allowed(*loaded.config, ""));  // not a browser
  CHECK_FALSE(origin_allowed(*loaded.config, "https://evil.example"));
  CHECK_FALSE(origin_allowed(*loaded.config, "http://shop.example.com"));
  CHECK_FALSE(origin_allowed(*loaded.config, "null"));
}

TEST_CASE("logos may be https URLs, paths on this server or data: images") {
  for (const char* logo : {"/assets/logo.svg", "data:image/png;base64,iVBORw0KGgo="}) {
    auto loaded = load(std::string("name = \"Shop\"\n[widget]\nlogo = \"") + logo + "\"\n");
    INFO(loaded.all());
    CHECK(loaded.config);
  }
}

TEST_CASE("each bad [widget] value is an error naming its key and line") {
  struct Case {
    std::string toml;
    std::string key;
    uint32_t line;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"[widget]\ncolor = \"blue\"\n", "widget.color", 3, "#rgb or #rrggbb"},
      {"[widget]\ncolor = \"#12345\"\n", "widget.color", 3, "#rgb or #rrggbb"},
      {"[widget]\ncolor = 5\n", "widget.color", 3, "string"},
      {"[widget]\nlogo = \"http://shop.example/logo.png\"\n", "widget.logo", 3, "https://"},
      {"[widget]\nlogo = \"//cdn.example/logo.png\"\n", "widget.logo", 3, "https://"},
      {"[widget]\nlogo = \"javascript:alert(1)\"\n", "widget.logo", 3, "https://"},
      {"[widget]\nposition = \"top\"\n", "widget.position", 3, "right or left"},
      {"[widget]\ndefault_language = \"fr\"\n", "widget.default_language", 3, "en or zh"},
      {"[widget]\nallowed_origins = [\"https://ok.example\", \"https://shop.example/page\"]\n",
       "widget.allowed_origins[1]", 3, "not an origin"},
      {"[widget]\nallowed_origins = [\"shop.example\"]\n", "widget.allowed_origins[0]", 3,
       "not an origin"},
      {"[widget]\nallowed_origins = \"https://shop.example\"\n", "widget.allowed_origins", 3,
       "array"},
      {"[widget]\ncolour = \"#fff\"\n", "widget.colour", 3, "unknown"},
      {"[widget.pre_chat]\nenabled = \"yes\"\n", "widget.pre_chat.enabled", 3, "true or false"},
      {"[widget.pre_chat]\nfields = [\"name\", \"phone\"]\n", "widget.pre_chat.fields[1]", 3,
       "'phone' is not a field"},
      {"[widget.pre_chat]\nfields = [\"name\", \"name\"]\n", "widget.pre_chat.fields[1]", 3,
       "named twice"},
      {"[widget.pre_chat]\nfields = []\n", "widget.pre_chat.fields", 3, "at least one"},
      {"[widget.texts.fr]\ntitle = \"Bonjour\"\n", "widget.texts.fr", 2, "unknown"},
      {"[widget.texts.en]\ntitle = \"\"\n", "widget.texts.en.title", 3, "1 to 200 bytes"},
      {"[widget.texts.en]\nsubtitle = \"x\"\n", "widget.texts.en.subtitle", 3, "unknown"},
  };
  for (const auto& c : cases) {
    const sb::ConfigError error = widget_error(c.toml);
    INFO(error.to_string());
    CHECK(error.key == c.key);
    CHECK(error.line == c.line);
    CHECK(error.message.find(c.says) != std::string::npos);
  }
}
