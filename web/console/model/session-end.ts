// Why the server ended the agent's session, from the stable code it gives: the
// `problem` of a REST 401, the first word of a 4001 close's reason ("agent_removed:
// agent removed"). The words after the code are for people and may change; the
// console branches on the code only (docs/protocol.md, "Session end").
import type { Texts } from "../i18n";

export interface SessionEnd {
  problem: string; // "" when the server gave none
  words: string; // the server's words, shown when the code is one this console does not know
}

// A 4001 close's reason: "code: words", or a bare code.
export function fromCloseReason(reason: string): SessionEnd {
  const m = /^([a-z][a-z0-9_]*)(?::\s*(.*))?$/s.exec(reason.trim());
  return m ? { problem: m[1], words: m[2] ?? "" } : { problem: "", words: reason.trim() };
}

const kTexts: Record<string, keyof Texts> = {
  session_expired: "sessionExpired",
  signed_out: "endedSignedOut",
  signed_out_by_admin: "endedByAdmin",
  password_changed: "endedPassword",
  agent_removed: "endedRemoved",
  invalid_token: "endedInvalid",
  token_required: "endedInvalid",
  not_signed_in: "endedInvalid",
};

// The console's own sentence for the code; null: say the server's words.
export function sessionEndText(end: SessionEnd): keyof Texts | null {
  if (!end.problem && !end.words) return "sessionExpired"; // the session just is not there any more
  return Object.hasOwn(kTexts, end.problem) ? kTexts[end.problem] : null;
}
