// What the engine answers a question asked over REST (a history page, a list of
// conversations, a tag change, a routing dry run): a JSON document, or a refusal
// in the wire protocol's error codes. The engine knows nothing of HTTP; core/api
// turns a refusal into its status and error body (api/responses.hpp).
#pragma once

#include <optional>
#include <string>

#include "metrics/metrics.hpp"

namespace sb::engine {

struct Answer {
  std::optional<metrics::ErrorCode> error;  // set: refused, `message` says why
  std::string message;
  std::string body;  // JSON, when not refused

  static Answer json(std::string body) { return {std::nullopt, {}, std::move(body)}; }
  static Answer refused(metrics::ErrorCode code, std::string why) {
    return {code, std::move(why), {}};
  }
};

}  // namespace sb::engine
