// Writing the routing graph into a tenant file: the rest of the file, comments
// included, stays; a hand-written graph is replaced wherever it was.
#include "tenants/routing_file.hpp"

#include <catch2/catch.hpp>

#include "tenant_test_support.hpp"

using namespace sb::tenants;
using namespace sb::tenants::test;

namespace {

const std::string kGraph =
    "[[routing.rules]]\nid = \"vip\"\nmatch = \"all\"\nconditions = [\n  { id = \"c\", type = "
    "\"attribute\", key = \"vip\", op = \"eq\", value = true },\n]\nactions = [\n  { id = \"a\", "
    "type = \"route\", group = \"vip\" },\n]\n\n";

const std::string kGroups = "[groups.vip]\n# the VIP desk\n[groups.sales]\n";

std::string write(const std::string& text, const std::string& graph = kGraph) {
  std::string why;
  auto out = with_routing_graph(text, graph, why);
  INFO(why);
  REQUIRE(out);
  return *out;
}

// The file still loads, with exactly one rule, "vip".
void loads_with_one_rule(const std::string& text) {
  auto loaded = load(text);
  INFO(text);
  INFO(loaded.all());
  REQUIRE(loaded.config);
  REQUIRE(loaded.config->routing_graph.rules.size() == 1);
  CHECK(loaded.config->routing_graph.rules[0].id == "vip");
}

}  // namespace

TEST_CASE("a graph is appended in a marked section, leaving the file as it was") {
  const std::string file =
      "# My shop\nname = \"Shop\"  # shown to agents\n\n[routing]\n# order "
      "matters\nchain = [\"routing-sticky\"]\n\n" +
      kGroups;
  std::string out = write(file);
  CHECK(out.starts_with(file));
  CHECK(out.find(std::string(kGraphBeginMarker)) != std::string::npos);
  CHECK(out.find(std::string(kGraphEndMarker)) != std::string::npos);
  loads_with_one_rule(out);

  // Written again (another PUT): replaced in place, nothing else moves.
  std::string again = write(out);
  CHECK(again == out);
  std::string emptied = write(out, "");
  CHECK(emptied.starts_with(file));
  auto loaded = load(emptied);
  REQUIRE(loaded.config);
  CHECK(loaded.config->routing_graph.is_default());
}

TEST_CASE("a hand-written graph in table form is taken out, comments of other tables kept") {
  const std::string file =
      "name = \"Shop\"\n[routing]\nchain = [\"routing-sticky\"]\n\n"
      "[[routing.rules]]\nid = \"old\"\nconditions = [\n  { type = \"waited\", "
      "seconds = 5 },\n]\nactions = [ { type = \"bot\" } ]\n\n"
      "[routing.fallback]\nactions = [ { type = \"queue\", group = \"sales\" } ]\n"
      "\n# Groups follow\n" +
      kGroups;
  std::string out = write(file);
  CHECK(out.find("\"old\"") == std::string::npos);
  CHECK(out.find("# Groups follow\n[groups.vip]\n# the VIP desk") != std::string::npos);
  CHECK(out.find("chain = [\"routing-sticky\"]") != std::string::npos);
  loads_with_one_rule(out);
}

TEST_CASE("a hand-written graph without a [routing] table, or in inline form, is taken out") {
  std::string out = write("name = \"Shop\"\n" + kGroups +
                          "[[routing.rules]]\nid = \"old\"\nactions = [ { type = \"bot\" } ]\n");
  CHECK(out.find("\"old\"") == std::string::npos);
  loads_with_one_rule(out);

  out = write(
      "name = \"Shop\"\n[routing]\nrules = [\n  { id = \"old\", actions = [ { type = "
      "\"bot\" } ] },\n]\nfallback = { id = \"fb\" }\nchain = [\"routing-sticky\"]\n" +
      kGroups);
  CHECK(out.find("\"old\"") == std::string::npos);
  CHECK(out.find("\"fb\"") == std::string::npos);
  CHECK(out.find("chain = [\"routing-sticky\"]") != std::string::npos);
  loads_with_one_rule(out);
}

TEST_CASE("a file that does not parse is not touched") {
  std::string why;
  CHECK_FALSE(with_routing_graph("name = \n", kGraph, why));
  CHECK(why.find("line 1") != std::string::npos);
}

TEST_CASE("replace_file swaps the content whole and keeps the permissions") {
  TempDir dir;
  auto file = dir.write("shop.toml", "old");
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::string why;
  REQUIRE(replace_file(file, "new text", why));
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "new text");
  CHECK(std::filesystem::status(file).permissions() ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  // Nothing left behind beside it.
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path),
                      std::filesystem::directory_iterator()) == 1);
}
