// What an error frame from the server means to the agent, as a key of the
// console's texts: the server's `message` is English for logs and may change, so
// the agent is told from the frame's code and what it answered (the `ref` the
// console gave the command: "accept:ID", "transfer:ID", "close:ID" or a message's
// client_msg_id). The message only tells apart refusals that share a code.
import type { Texts } from "../i18n";

export type Action = "accept" | "transfer" | "close" | "message" | "other";

export interface ErrorFrame {
  code?: unknown;
  message?: unknown;
  ref?: unknown;
}

export interface Explained {
  action: Action;
  conversationId: string | null; // from an accept/transfer/close ref
  key: keyof Texts | null; // null: nothing to tell (e.g. accepting what is already mine)
  values?: Record<string, string>;
}

export function actionOf(ref: string): { action: Action; conversationId: string | null } {
  const m = /^(accept|transfer|close):(.+)$/.exec(ref);
  if (m) return { action: m[1] as Action, conversationId: m[2] };
  return { action: ref ? "message" : "other", conversationId: null };
}

export function explainError(f: ErrorFrame): Explained {
  const code = typeof f.code === "string" ? f.code : "";
  const message = typeof f.message === "string" ? f.message : "";
  const { action, conversationId } = actionOf(typeof f.ref === "string" ? f.ref : "");
  const out = (key: keyof Texts | null, values?: Record<string, string>): Explained => ({ action, conversationId, key, ...(values ? { values } : {}) });
  switch (code) {
    case "not_found":
      if (action === "transfer" && /no such agent/.test(message)) return out("errNoSuchAgent");
      return out("errConversationGone");
    case "forbidden":
      if (action === "accept") {
        if (/already have/.test(message)) return out(null);
        if (/max_concurrent|not online/.test(message)) return out("errAtCapacity");
        if (/not offered to you/.test(message)) return out("errNotOffered");
        return out("errTaken");
      }
      if (action === "transfer" && /already (waiting|offered)/.test(message)) return out("errTransferWaiting");
      if (/not assigned to you|not a participant/.test(message)) return out("errNotYours");
      return out("errForbidden");
    case "unavailable": {
      const group = /no one in group (.+) can take it/.exec(message);
      if (action === "transfer" && group) return out("errGroupBusy", { group: group[1] });
      if (action === "transfer" && /not online|max_concurrent/.test(message)) return out("errAgentBusy");
      return out("errUnavailable");
    }
    case "rate_limited":
      return out("errRateLimited");
    case "too_large":
      return out("errTooLarge");
    default:
      return out("errGeneric");
  }
}
