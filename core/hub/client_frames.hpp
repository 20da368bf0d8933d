// Decoding and checking client WebSocket frames, and handing each command to the
// tenant's engine. Free of Beast, so it is tested without sockets.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/ports.hpp"
#include "hub/tenant_gate.hpp"

namespace sb::auth {
class TokenSigner;
}

namespace sb::hub {

// The per-connection state the frame handler reads and updates. Owned by the
// connection, used only on its thread.
struct ConnectionState {
  engine::Identity who;
  std::shared_ptr<TenantGate> gate;
  const auth::TokenSigner* signer = nullptr;
  // Agents: when their token ends (the socket is closed with 4001 then) and, for a
  // console's cookie session, its id; when their token was issued (a sign-out of
  // the agent everywhere ends the sockets of the tokens issued before it).
  int64_t expires_at_s = 0;
  std::string session;
  int64_t issued_at_ms = 0;
  bool registered = false;  // the engine knows this connection (after hello / agent connect)
  uint32_t consecutive_errors = 0;        // bad frames in a row
  uint32_t consecutive_rate_limited = 0;  // rate-limited frames in a row
  RateLimiter rate;
};

enum class FrameVerdict : uint8_t {
  ok,
  close_policy,  // repeated abuse: close with 1008
};

// One text frame from the client. Errors are answered on peer with an error frame.
FrameVerdict handle_text_frame(ConnectionState& state, const engine::PeerPtr& peer,
                               std::string_view text, int64_t now_us);

// A frame the client may not send as text (binary) or that was too large.
FrameVerdict reject_frame(ConnectionState& state, const engine::PeerPtr& peer,
                          metrics::ErrorCode code, std::string_view message);

}  // namespace sb::hub
