// autoreply-flow: the flow engine as an auto-reply stage (see README.md).
//
// The constructor reads the tenant's flow files (blocking is allowed there) and
// builds an immutable FlowEngine; a mistake in them refuses the tenant with the
// loader's "file:line: key: reason", and warnings are logged. reply() is a pure
// function of the request, the engine and the wall clock: no lock, no I/O, so it
// answers at once: SB_OK with the answer, or SB_DEFER (the next stage answers) with
// the new state when the flow gave up or a stale state was dropped, or with nothing.
//
// Config ([plugins.autoreply-flow]):
//   files            array of strings, required: flow files, relative to the tenant
//                    file's directory
//   default_language string, default "en": the language every text must have
#include <string>

#include "flow_config.hpp"
#include "flow_engine.hpp"
#include "flow_loader.hpp"
#include "switchboard/sb_autoreply_cpp.hpp"

namespace {

using namespace switchboard::flow;

FlowEngine load_engine(const sb::InstanceArgs& args) {
  const FlowConfig config = parse_flow_config(args.config_json, args.config_dir);
  LoadedFlows loaded = load_flow_files(config.files, config.default_language);
  for (const auto& warning : loaded.warnings) args.host.log(SB_LOG_WARN, warning);
  return FlowEngine(std::move(loaded.flows));
}

class FlowStage {
 public:
  static constexpr const char* kName = "autoreply-flow";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr sb_config_key kConfigKeys[] = {
      {sizeof(sb_config_key), SB_CONFIG_ARRAY, "files"},
      {sizeof(sb_config_key), SB_CONFIG_STRING, "default_language"},
  };

  explicit FlowStage(const sb::InstanceArgs& args) : host_(args.host), engine_(load_engine(args)) {}

  void reply(const sb_autoreply_request& req, const sb::Completion& done) const {
    const std::string intent = intent_from_context(sb::view(req.context_json));
    const std::string flow_node = flow_node_from_context(sb::view(req.context_json));
    TurnInput input;
    input.text = sb::view(req.text);
    input.language = sb::view(req.language);
    input.state_json = sb::view(req.state_json);
    input.intent = intent;
    input.intent_confidence = intent_confidence_from_context(sb::view(req.context_json));
    input.flow_node = flow_node;
    input.now_ms = host_.api->wall_clock_ms();
    const auto candidates = intent_candidates_from_context(sb::view(req.context_json));
    input.intent_candidates = candidates;
    const TurnOutput output = engine_.step(input);
    if (!output.answered && !output.state_changed && output.offers.empty()) {
      done.defer();
      return;
    }
    const std::string result = to_result_json(output);
    if (output.answered)
      done.ok(result);
    else
      done.defer(result);
  }

 private:
  sb::Host host_;
  const FlowEngine engine_;
};

}  // namespace

SB_AUTOREPLY_PLUGIN(FlowStage)
