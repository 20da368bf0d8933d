#include "flow_config.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>

namespace switchboard::flow {
namespace {

namespace json = boost::json;

constexpr std::string_view kTable = "plugins.autoreply-flow.";

[[noreturn]] void fail(std::string_view key, const std::string& reason) {
  throw std::invalid_argument(std::string(kTable) + std::string(key) + ": " + reason);
}

// The context as an object; an empty one when it is not one (never an error: the
// context is only a hint).
json::value parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return json::object();
  return parsed;
}

}  // namespace

FlowConfig parse_flow_config(std::string_view config_json,
                             const std::filesystem::path& config_dir) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(config_json.empty() ? "{}" : config_json, ec);
  const json::object* config = ec ? nullptr : parsed.if_object();
  if (!config) throw std::invalid_argument("the plugin's config is not a JSON object");

  FlowConfig out;
  const json::value* files = config->if_contains("files");
  if (!files) fail("files", "missing (the flow files, e.g. files = [\"demo/flows.toml\"])");
  const json::array* names = files->if_array();
  if (!names || names->empty()) fail("files", "must be a non-empty array of file names");
  for (std::size_t i = 0; i < names->size(); ++i) {
    const json::string* name = (*names)[i].if_string();
    const std::string key = "files[" + std::to_string(i) + "]";
    if (!name || name->empty()) fail(key, "must be a file name");
    std::filesystem::path path(std::string_view(name->data(), name->size()));
    if (path.is_relative()) {
      if (config_dir.empty())
        fail(key,
             "is relative, and this host does not say where the tenant file is "
             "(it needs ABI 1.1); use an absolute path");
      path = config_dir / path;
    }
    out.files.push_back(path.lexically_normal());
  }
  if (const json::value* language = config->if_contains("default_language")) {
    const json::string* text = language->if_string();
    if (!text) fail("default_language", "must be a string such as \"en\"");
    out.default_language = std::string(text->data(), text->size());
  }
  return out;
}

std::string intent_from_context(std::string_view context_json) {
  const json::value context = parse_object(context_json);
  const json::value* intent = context.get_object().if_contains("intent");
  if (!intent || !intent->is_object()) return {};
  const json::value* name = intent->get_object().if_contains("name");
  if (!name || !name->is_string()) return {};
  return std::string(name->get_string());
}

double intent_confidence_from_context(std::string_view context_json) {
  const json::value context = parse_object(context_json);
  const json::value* intent = context.get_object().if_contains("intent");
  if (!intent || !intent->is_object()) return 1.0;
  const json::value* confidence = intent->get_object().if_contains("confidence");
  if (!confidence || !confidence->is_number()) return 1.0;
  return confidence->to_number<double>();
}

std::vector<IntentCandidate> intent_candidates_from_context(std::string_view context_json) {
  const json::value context = parse_object(context_json);
  const json::value* list = context.get_object().if_contains("intent_candidates");
  std::vector<IntentCandidate> out;
  if (!list || !list->is_array()) return out;
  for (const auto& item : list->get_array()) {
    const json::object* guess = item.if_object();
    const json::value* name = guess ? guess->if_contains("name") : nullptr;
    if (!name || !name->is_string()) continue;
    const json::value* confidence = guess->if_contains("confidence");
    out.push_back({std::string(name->get_string()),
                   confidence && confidence->is_number() ? confidence->to_number<double>() : 0});
  }
  return out;
}

std::string flow_node_from_context(std::string_view context_json) {
  const json::value context = parse_object(context_json);
  const json::value* node = context.get_object().if_contains("flow_node");
  if (!node || !node->is_string()) return {};
  return std::string(node->get_string());
}

}  // namespace switchboard::flow
