// What the console's presence control shows. The agent's chosen status is kept
// while the connection is lost, but the control says "Offline — reconnecting"
// then: the server counts an agent without a connection as offline.
import type { AgentStatus } from "./types";

export type PresenceShown = AgentStatus | "lost";

export function presenceShown(s: { status: AgentStatus; connection: string; wasOpen: boolean }): PresenceShown {
  return s.wasOpen && s.connection === "reconnecting" ? "lost" : s.status;
}

// A new connection makes the agent online (docs/protocol.md); one who had chosen
// away or offline before the drop is put back there. A welcome saying something
// else came from the agent's choice in another tab meanwhile, and stands.
export function statusToRestore(chosen: AgentStatus, welcomed: AgentStatus): AgentStatus | null {
  return welcomed === "online" && chosen !== "online" ? chosen : null;
}
