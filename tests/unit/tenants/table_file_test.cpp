// Writing one table of a tenant file ([widget], [groups.NAME]) as a person would:
// unchanged keys keep their lines, comments stay, other tables are not touched.
#include "tenants/table_file.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tenant_test_support.hpp"

using namespace sb::tenants;
using namespace sb::tenants::test;

namespace {

std::string table_file_write(const std::string& text, const std::vector<std::string>& path,
                             const std::string& content_toml) {
  toml::table content = toml::parse(content_toml);
  std::string why;
  auto out = with_table(text, path, &content, why);
  INFO(why);
  REQUIRE(out);
  return *out;
}

std::string taken_out(const std::string& text, const std::vector<std::string>& path) {
  std::string why;
  auto out = with_table(text, path, nullptr, why);
  INFO(why);
  REQUIRE(out);
  return *out;
}

bool text_is_comment(const std::string& line) {
  auto first = line.find_first_not_of(" \t");
  return first != std::string::npos && line[first] == '#';
}

std::string demo_file() {
  std::ifstream in(std::string(SWITCHBOARD_SOURCE_DIR) + "/tenants/demo.toml");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

const std::string kShop =
    "# My shop\nname = \"Shop\"\n\n"
    "# The widget\n[widget]\n# brand colour\ncolor = \"#123456\"  # dark blue\n"
    "position = \"right\"\n"
    "allowed_origins = [\n  \"https://a.example\",\n  \"https://b.example\",\n]\n\n"
    "[widget.texts.en]\n# what the header says\ntitle = \"Hello\"\n\n"
    "# Groups follow\n[groups.support]\nname = \"Support\"  # the desk\n\n"
    "[groups.sales]\nname = \"Sales\"\n";

}  // namespace

TEST_CASE("a changed key gets its new value in its place, comments and other keys stay") {
  std::string out = table_file_write(kShop, {"widget"},
                                     "color = \"#abcdef\"\nposition = \"right\"\n"
                                     "allowed_origins = [\"https://a.example\"]\n"
                                     "[texts.en]\ntitle = \"Hello\"\n");
  CHECK(out.find("# brand colour\ncolor = \"#abcdef\"  # dark blue\nposition = \"right\"\n"
                 "allowed_origins = [ \"https://a.example\" ]\n") != std::string::npos);
  CHECK(out.find("https://b.example") == std::string::npos);
  // Everything else, byte for byte.
  CHECK(out.starts_with("# My shop\nname = \"Shop\"\n\n# The widget\n[widget]\n"));
  CHECK(
      out.ends_with("\n[widget.texts.en]\n# what the header says\ntitle = \"Hello\"\n\n"
                    "# Groups follow\n[groups.support]\nname = \"Support\"  # the desk\n\n"
                    "[groups.sales]\nname = \"Sales\"\n"));
  auto loaded = load(out);
  INFO(loaded.all());
  REQUIRE(loaded.config);
  CHECK(loaded.config->widget.color == "#abcdef");
  CHECK(loaded.config->widget.allowed_origins == std::vector<std::string>{"https://a.example"});
  CHECK(loaded.config->widget.texts.at("en").title == "Hello");
}

TEST_CASE("the same content writes the same file") {
  std::string once =
      table_file_write(kShop, {"widget"},
                       "color = \"#123456\"\nposition = \"left\"\n[texts.zh]\ntitle = \"您好\"\n");
  CHECK(table_file_write(
            once, {"widget"},
            "color = \"#123456\"\nposition = \"left\"\n[texts.zh]\ntitle = \"您好\"\n") == once);
  // A key not wanted any more goes; a new table joins under its parent.
  CHECK(once.find("allowed_origins") == std::string::npos);
  CHECK(once.find("[widget.texts.en]") == std::string::npos);
  CHECK(once.find("[widget.texts.zh]\ntitle = \"您好\"\n") != std::string::npos);
  CHECK(once.find("# Groups follow\n[groups.support]") != std::string::npos);
  auto loaded = load(once);
  INFO(loaded.all());
  REQUIRE(loaded.config);
  CHECK(loaded.config->widget.position == "left");
  CHECK(loaded.config->widget.texts.at("zh").title == "您好");
}

TEST_CASE("a new group goes after the others, a group taken out leaves the rest") {
  std::string out = table_file_write(kShop, {"groups", "vip"},
                                     "name = \"VIP desk\"\ntimezone = \"Europe/Berlin\"\n"
                                     "[hours]\nmon-fri = \"09:00-17:00\"\n");
  CHECK(
      out.ends_with("[groups.sales]\nname = \"Sales\"\n\n[groups.vip]\n"
                    "name = \"VIP desk\"\ntimezone = \"Europe/Berlin\"\n\n"
                    "[groups.vip.hours]\nmon-fri = \"09:00-17:00\"\n"));
  auto loaded = load(out);
  INFO(loaded.all());
  REQUIRE(loaded.config);
  REQUIRE(loaded.config->groups.count("vip"));
  CHECK_FALSE(loaded.config->groups.at("vip").hours.always_open());

  std::string without_sales = taken_out(out, {"groups", "sales"});
  CHECK(without_sales.find("Sales") == std::string::npos);
  CHECK(without_sales.find("# Groups follow\n[groups.support]\nname = \"Support\"  # the desk\n") !=
        std::string::npos);
  CHECK(without_sales.find("[groups.vip.hours]") != std::string::npos);
  // Taking out what is not there changes nothing.
  CHECK(taken_out(without_sales, {"groups", "sales"}) == without_sales);
}

TEST_CASE("group ids that need quotes are written quoted") {
  std::string out = table_file_write(kShop, {"groups", "2nd.line"}, "name = \"Second line\"\n");
  CHECK(out.find("[groups.\"2nd.line\"]") != std::string::npos);
  auto loaded = load(out);
  INFO(loaded.all());
  REQUIRE(loaded.config);
  CHECK(loaded.config->groups.count("2nd.line"));
}

TEST_CASE("a table in a form that cannot be edited line by line is written anew in its place") {
  const std::string file =
      "name = \"Shop\"\nwidget = { color = \"#111\", position = \"left\" }\n# after\n"
      "[groups.support]\ntexts.en = 1\n";
  std::string out = table_file_write(file, {"widget"}, "color = \"#222\"\n");
  CHECK(out.starts_with("name = \"Shop\"\n[widget]\ncolor = \"#222\"\n# after\n"));
  auto root = toml::parse(out);
  CHECK(root["widget"]["color"].value_or(std::string()) == "#222");
  CHECK_FALSE(root["widget"]["position"]);
  CHECK(root["groups"]["support"]["texts"]["en"].value_or(0) == 1);
}

TEST_CASE("the demo tenant's widget and groups are edited with their documentation kept") {
  const std::string demo = demo_file();
  REQUIRE(!demo.empty());
  auto before = load(demo, "demo.toml");
  REQUIRE(before.config);
  std::string out =
      table_file_write(demo, {"widget"},
                       "color = \"#aa0000\"\nposition = \"left\"\ndefault_language = \"zh\"\n"
                       "[pre_chat]\nenabled = true\nfields = [\"name\", \"email\"]\n"
                       "[texts.en]\ntitle = \"New title\"\ngreeting = \"Hi\"\n"
                       "offline_message = \"Away\"\n"
                       "[texts.zh]\ntitle = \"新标题\"\ngreeting = \"您好\"\n"
                       "offline_message = \"不在\"\n");
  out = table_file_write(
      out, {"groups", "support"},
      "name = \"Customer support\"\ntimezone = \"Asia/Shanghai\"\n"
      "max_queue_length = 10\nmax_wait_s = 900\non_queue_limit = \"offline_message\"\n"
      "queue_limit_message = \"Busy\"\n[hours]\nmon-fri = \"09:00-18:00\"\n");
  // Every comment line of the demo file is still there.
  std::istringstream lines(demo);
  for (std::string line; std::getline(lines, line);)
    if (text_is_comment(line)) CHECK(out.find(line) != std::string::npos);
  auto after = load(out, "demo.toml");
  INFO(after.all());
  REQUIRE(after.config);
  CHECK(after.config->widget.color == "#aa0000");
  CHECK(after.config->widget.pre_chat_enabled);
  CHECK(after.config->widget.texts.at("zh").title == "新标题");
  CHECK(after.config->groups.at("support").hours.timezone() == "Asia/Shanghai");
  CHECK(after.config->groups.at("support").max_queue_length == 10);
  CHECK(after.config->routing_graph == before.config->routing_graph);
  CHECK(after.config->agents == before.config->agents);
}

TEST_CASE("a file that does not parse is not touched by a table write") {
  toml::table content;
  std::string why;
  CHECK_FALSE(with_table("name = \n", {"widget"}, &content, why));
  CHECK(why.find("line 1") != std::string::npos);
}
