// Why a sign-in was refused, in the words the console and the admin pages both use
// (one sign-in, one set of sentences): a wrong email or password (401), too many
// failures (429, with how long to wait), no workspace with that id (404: the
// server's "no such tenant"), else the server's own message.
import { format, type Lang } from "./i18n";

const kTexts = {
  en: {
    wrong: "Wrong email or password.",
    tooMany: "Too many failed sign-ins. Try again in {seconds} s.",
    noWorkspace: "There is no workspace with this id.",
    failed: "Could not sign in: {message}",
  },
  zh: {
    wrong: "邮箱或密码错误。",
    tooMany: "登录失败次数过多，请 {seconds} 秒后再试。",
    noWorkspace: "没有这个工作区。",
    failed: "无法登录：{message}",
  },
} as const satisfies Record<Lang, Record<string, string>>;

export interface SignInFailure {
  status: number; // 0: the server was not reached
  retryAfter?: number; // seconds, for a 429
  message: string; // the server's (or the network's) words
}

export function signInRefusal(failure: SignInFailure, lang: Lang): string {
  const t = kTexts[lang];
  if (failure.status === 401) return t.wrong;
  if (failure.status === 429) return format(t.tooMany, { seconds: failure.retryAfter || 1 });
  if (failure.status === 404) return t.noWorkspace;
  return format(t.failed, { message: failure.message });
}
