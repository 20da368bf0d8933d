// routing-external: asks an HTTP endpoint of the tenant which agent takes the
// conversation (exchange.hpp says what is sent and what is understood).
//
// choose() POSTs the question through the host's outbound HTTP service (sb_http_v1)
// and returns SB_PENDING; the HTTP callback answers with the agent the endpoint
// named, and the host checks again that the agent is still free. Every way of not
// getting a usable name (timeout, connection error, non-2xx, malformed JSON, an agent
// who is not a candidate, the endpoint declining) defers to the next strategy of the
// chain, with the reason logged: a slow or broken endpoint costs at most timeout_ms,
// never a conversation. No candidates: SB_DEFER at once, without asking.
//
// A dry run (no conversation) asks no one: it answers SB_PENDING and defers at once,
// so the dry run reports that this strategy decides later.
//
// Config ([plugins.routing-external]): url, timeout_ms, api_key_env, headers (see
// config.hpp). The instance is read-only after construction; choose() takes no lock.
#include <stdexcept>
#include <string>
#include <utility>

#include "config.hpp"
#include "exchange.hpp"
#include "switchboard/sb_http_cpp.hpp"
#include "switchboard/sb_routing_cpp.hpp"

namespace {

class External {
 public:
  static constexpr const char* kName = "routing-external";
  static constexpr const char* kVersion = "1.0.0";
  static constexpr const auto& kConfigKeys = switchboard::routing_external::kConfigKeys;

  External(const sb_host_api* host, const sb_instance_args& args)
      : host_{host, args.ctx},
        http_(host_),
        tenant_id_(sb::view(args.tenant_id)),
        config_(switchboard::routing_external::read_config(sb::view(args.config_json))) {
    if (!http_.available())
      throw std::runtime_error("routing-external: this host offers no outbound HTTP service (" +
                               std::string(SB_HTTP_API_V1) + ")");
    host_.log(SB_LOG_INFO,
              "asks " + config_.url + " (timeout " + std::to_string(config_.timeout_ms) + " ms)");
  }

  int32_t choose(const sb_route_request& req, size_t&, const sb::Completion& later, sb_error*) {
    if (req.candidate_count == 0) return SB_DEFER;
    if (sb::routing::is_dry_run(req)) {
      later.defer();
      return SB_PENDING;
    }
    const std::string conversation(sb::view(req.conversation_id));
    const std::string body =
        switchboard::routing_external::request_body(tenant_id_, req, host_.monotonic_ms());
    const std::string why = http_.request(
        "POST", config_.url, config_.headers, body, config_.timeout_ms, nullptr,
        [host = host_, later, conversation,
         candidates = switchboard::routing_external::candidate_ids(req),
         timeout_ms = config_.timeout_ms](const sb::http::Response& response) {
          const switchboard::routing_external::Verdict verdict =
              switchboard::routing_external::read_answer(response.status, response.body,
                                                         response.error, candidates, timeout_ms);
          if (verdict.agent_id) {
            later.ok(*verdict.agent_id);
            return;
          }
          host.log(verdict.declined ? SB_LOG_INFO : SB_LOG_WARN,
                   conversation + ": deferred to the next strategy: " + verdict.reason);
          later.defer();
        });
    if (!why.empty()) {
      host_.log(SB_LOG_WARN, conversation + ": deferred to the next strategy: " + why);
      return SB_DEFER;
    }
    return SB_PENDING;
  }

 private:
  sb::Host host_;
  sb::http::Client http_;
  std::string tenant_id_;
  switchboard::routing_external::Config config_;
};

}  // namespace

SB_ROUTING_PLUGIN(External)
