// Why the server ended a signed-in session, from the stable code it gives: the
// `problem` of a REST 401, the first word of a 4001 close's reason ("agent_removed:
// agent removed"). The words after the code are for people and may change; the
// console and the admin pages branch on the code only, and say it with the same
// sentences (docs/protocol.md, "Session end").
import { format, type Lang } from "./i18n";

export interface SessionEnd {
  problem: string; // "" when the server gave none
  words: string; // the server's words, shown when the code is one this UI does not know
}

// A 4001 close's reason: "code: words", or a bare code.
export function fromCloseReason(reason: string): SessionEnd {
  const m = /^([a-z][a-z0-9_]*)(?::\s*(.*))?$/s.exec(reason.trim());
  return m ? { problem: m[1], words: m[2] ?? "" } : { problem: "", words: reason.trim() };
}

// A REST 401's body: {"error":{"code":"unauthorized","problem","message"}}.
export function fromUnauthorized(body: unknown): SessionEnd {
  const error = (body as { error?: { problem?: unknown; message?: unknown } } | null)?.error;
  return {
    problem: typeof error?.problem === "string" ? error.problem : "",
    words: typeof error?.message === "string" ? error.message : "",
  };
}

// The sentences, in each language; the console's tables take them in whole.
export const kSessionEndTexts = {
  en: {
    sessionEnded: "You were signed out: {reason}.",
    sessionExpired: "Your session expired. Please sign in again.",
    endedSignedOut: "You signed out in another tab or window.",
    endedPassword: "Your password was changed. Please sign in with the new one.",
    endedRemoved: "Your account was removed from this workspace.",
    endedByAdmin: "An admin signed you out. Please sign in again.",
    endedInvalid: "Your sign-in is no longer valid. Please sign in again.",
  },
  zh: {
    sessionEnded: "您已被登出：{reason}。",
    sessionExpired: "会话已过期，请重新登录。",
    endedSignedOut: "您已在其他标签页或窗口中退出登录。",
    endedPassword: "您的密码已更改，请使用新密码登录。",
    endedRemoved: "您的账号已从此工作区移除。",
    endedByAdmin: "管理员已将您登出，请重新登录。",
    endedInvalid: "您的登录已失效，请重新登录。",
  },
} as const satisfies Record<Lang, Record<string, string>>;

export type SessionEndKey = keyof (typeof kSessionEndTexts)["en"];

const kKeys: Record<string, SessionEndKey> = {
  session_expired: "sessionExpired",
  signed_out: "endedSignedOut",
  signed_out_by_admin: "endedByAdmin",
  password_changed: "endedPassword",
  agent_removed: "endedRemoved",
  invalid_token: "endedInvalid",
  token_required: "endedInvalid",
  not_signed_in: "endedInvalid",
};

// The UI's own sentence for the code; null: say the server's words.
export function sessionEndText(end: SessionEnd): SessionEndKey | null {
  if (!end.problem && !end.words) return "sessionExpired"; // the session just is not there any more
  return Object.hasOwn(kKeys, end.problem) ? kKeys[end.problem] : null;
}

// The whole sentence in `lang`: the code's own, else the server's words in "You were
// signed out: …".
export function sessionEndSentence(end: SessionEnd, lang: Lang): string {
  const texts = kSessionEndTexts[lang];
  const key = sessionEndText(end);
  return key ? texts[key] : format(texts.sessionEnded, { reason: end.words || end.problem });
}
