// The routing graph as an admin PUTs it (JSON form), then evaluated for a visitor.
// A graph the reader accepts must write back out as JSON that reads the same, and
// as TOML; its evaluation must not fail whatever the visitor sent.
#include <boost/json.hpp>

#include "fuzz_input.hpp"
#include "groups/group.hpp"
#include "routing_graph/evaluate.hpp"
#include "routing_graph/forms.hpp"

namespace {

const sb::groups::GroupMap& fuzz_groups() {
  static const sb::groups::GroupMap map = [] {
    sb::groups::GroupMap m;
    for (const char* id : {"support", "vip", "sales"}) {
      sb::groups::Group group;
      group.id = group.name = id;
      m[id] = group;
    }
    return m;
  }();
  return map;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sb::routing_graph;
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(sb::fuzz::as_text(data, size), ec);
  if (ec) return 0;
  const Catalog catalog{&fuzz_groups(), [](std::string_view name) {
                          return name == "routing-least-busy" || name == "routing-sticky" ||
                                 name == "routing-skills" || name == "routing-round-robin";
                        }};
  Errors errors;
  const auto graph = from_json(json, catalog, errors);
  if (!graph) return 0;
  Errors again;
  if (from_json(to_json(*graph), catalog, again) != graph) __builtin_trap();
  (void)to_toml(*graph);

  Context visitor;
  visitor.page_url = "https://shop.example/pricing?plan=pro";
  visitor.language = "de-AT";
  visitor.attributes = {{"plan", "pro"}, {"vip", true}, {"spent", 120}};
  visitor.first_message = "Hallo, ich brauche Hilfe mit meiner Rechnung 退款";
  visitor.intent = "billing";
  visitor.now_wall_ms = 1'780'000'000'000;
  visitor.opened_wall_ms = visitor.now_wall_ms - 90'000;
  visitor.groups = &fuzz_groups();
  visitor.group_available = [](const std::string& group) { return group == "vip"; };
  (void)evaluate(*graph, visitor);
  return 0;
}
