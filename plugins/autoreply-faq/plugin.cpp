// autoreply-faq: answers a visitor from the tenant's FAQ knowledge base when it is
// confident, else passes the turn on with the closest entries as context. The
// decision and the config keys are in faq_stage.hpp; this file is the ABI glue.
//
// The knowledge base is read and indexed once, in instance_new; a malformed file
// refuses the tenant with "<file>:<line>: entries[N].<key>: <reason>". The index is
// immutable, so reply() reads it without a lock. An edited file takes effect when
// the host re-creates the instance (a tenant reload).
#include <filesystem>
#include <string>

#include "faq_stage.hpp"
#include "switchboard/sb_autoreply_cpp.hpp"

namespace {

using switchboard::faq::FaqStage;

class Faq {
 public:
  static constexpr const char* kName = "autoreply-faq";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr sb_config_key kConfigKeys[] = {
      {sizeof(sb_config_key), SB_CONFIG_ARRAY, "files"},
      {sizeof(sb_config_key), SB_CONFIG_FLOAT, "threshold"},
      {sizeof(sb_config_key), SB_CONFIG_INTEGER, "context_entries"},
      {sizeof(sb_config_key), SB_CONFIG_STRING, "synonyms"},
      {sizeof(sb_config_key), SB_CONFIG_BOOLEAN, "clarify"},
      {sizeof(sb_config_key), SB_CONFIG_FLOAT, "clear_winner_threshold"},
      {sizeof(sb_config_key), SB_CONFIG_FLOAT, "second_look_band"},
      {sizeof(sb_config_key), SB_CONFIG_FLOAT, "not_for_bot_likeness"},
      {sizeof(sb_config_key), SB_CONFIG_BOOLEAN, "flow_offers"},
      {sizeof(sb_config_key), SB_CONFIG_FLOAT, "flow_offer_alone"},
  };

  explicit Faq(const sb::InstanceArgs& args)
      : stage_(switchboard::faq::read_faq_stage_options(args.config_json),
               std::filesystem::path(args.config_dir)) {
    args.host.log(SB_LOG_INFO,
                  "knowledge base loaded: " + std::to_string(stage_.entry_count()) + " entries");
  }

  void reply(const sb_autoreply_request& req, const sb::Completion& done) const {
    const auto turn =
        stage_.reply(sb::view(req.text), sb::view(req.language), sb::view(req.context_json));
    if (turn.answered)
      done.ok(turn.result_json);
    else
      done.defer(turn.result_json);
  }

 private:
  const FaqStage stage_;
};

}  // namespace

SB_AUTOREPLY_PLUGIN(Faq)
