// autoreply-intent: recognises what the visitor wants from the tenant's labelled
// examples; hands off to a human for the hand-off intents ("转人工", "talk to a
// human") and otherwise tells the later stages the intent it recognised. The
// decision and the config keys are in intent_stage.hpp; this file is the ABI glue.
//
// The classifier is trained once, in instance_new (a few milliseconds for a few
// hundred examples); a malformed intents file refuses the tenant with
// "<file>:<line>: intents[N].<key>: <reason>". The model is immutable, so reply()
// reads it without a lock. Edited intents take effect when the host re-creates the
// instance (a tenant reload).
#include <filesystem>
#include <string>

#include "intent_stage.hpp"
#include "switchboard/sb_autoreply_cpp.hpp"

namespace {

using switchboard::intent::IntentStage;

class Intent {
 public:
  static constexpr const char* kName = "autoreply-intent";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr sb_config_key kConfigKeys[] = {
      {sizeof(sb_config_key), SB_CONFIG_STRING, "file"},
      {sizeof(sb_config_key), SB_CONFIG_FLOAT, "threshold"},
      {sizeof(sb_config_key), SB_CONFIG_ARRAY, "handoff"},
      {sizeof(sb_config_key), SB_CONFIG_STRING, "handoff_group"},
      {sizeof(sb_config_key), SB_CONFIG_STRING, "handoff_reply"},
      {sizeof(sb_config_key), SB_CONFIG_FLOAT, "candidate_floor"},
      {sizeof(sb_config_key), SB_CONFIG_STRING, "handoff_about_tag"},
  };

  explicit Intent(const sb::InstanceArgs& args)
      : stage_(switchboard::intent::read_intent_stage_options(args.config_json),
               std::filesystem::path(args.config_dir)) {
    args.host.log(
        SB_LOG_INFO,
        "intents trained: " + std::to_string(stage_.classifier().intents().size()) + " intents");
  }

  void reply(const sb_autoreply_request& req, const sb::Completion& done) const {
    const auto turn = stage_.reply(sb::view(req.text));
    if (turn.answered)
      done.ok(turn.result_json);
    else
      done.defer(turn.result_json);
  }

 private:
  const IntentStage stage_;
};

}  // namespace

SB_AUTOREPLY_PLUGIN(Intent)
