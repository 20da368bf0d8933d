// Chinese and English: every UI keeps its texts in one table per language and
// picks the language from the page (html lang), then the browser.

export type Lang = "en" | "zh";

export function pickLanguage(preferred: readonly (string | null | undefined)[]): Lang {
  for (const tag of preferred) {
    if (!tag) continue;
    const lower = tag.toLowerCase();
    if (lower.startsWith("zh")) return "zh";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

// A language tag a visitor's browser or a website sent ("zh-CN", "en-GB") as its
// name in the reader's language ("Chinese (China)", "中文（中国）"). A tag the
// browser cannot name (malformed, or no Intl.DisplayNames) stays as it came.
export function languageName(tag: string, lang: Lang): string {
  const trimmed = tag.trim();
  if (!trimmed) return "";
  try {
    const names = new Intl.DisplayNames([lang === "zh" ? "zh-CN" : "en"], { type: "language", fallback: "code" });
    return names.of(trimmed) ?? trimmed;
  } catch {
    return trimmed; // RangeError: not a well-formed tag
  }
}

// Fills {name} placeholders of a text.
export function format(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

// A text of a table, filled in. English counts agree with their number ("1 reply",
// "2 replies"): when values.n is 1 and the table has "KEY.one", that text is used.
// Missing texts fall back to `fallback` (English), then to the key itself.
export function translate(table: Readonly<Record<string, string>>, fallback: Readonly<Record<string, string>>, key: string, values: Record<string, string | number> = {}): string {
  const one = `${key}.one`;
  const text = values.n === 1 && one in table ? table[one] : (table[key] ?? fallback[key] ?? key);
  return format(text, values);
}

// A refusal of the server in the page's language. The server's error answers carry
// a stable `code` and, for a field, the `field` ("color", "allowed_origins[1]"); their
// `message` is English. `texts` holds one language's sentences for the refusals a UI
// meets, under "CODE FIELD" (a list's index written [], its 1-based position is
// {index}) or "CODE" alone; any other refusal keeps the server's English text.
export interface ServerProblem {
  code?: string;
  field?: string;
  message: string;
}

export function serverProblemText(texts: Readonly<Record<string, string>>, problem: ServerProblem): string {
  const field = problem.field ?? "";
  const position = /\[(\d+)\]/.exec(field);
  const values = { field, index: position ? Number(position[1]) + 1 : "" };
  const keys = problem.code ? [field ? `${problem.code} ${field.replace(/\[\d+\]/g, "[]")}` : "", problem.code] : [];
  for (const key of keys) if (key && Object.hasOwn(texts, key)) return format(texts[key], values);
  return problem.message;
}

// The language of the page (its <html lang>), which every UI keeps current.
export function pageLanguage(): Lang {
  return pickLanguage([typeof document === "undefined" ? null : document.documentElement.lang]);
}

// The server could not be reached at all (stopped, restarting, the network down),
// said in the page's language rather than as the browser's "Failed to fetch": the
// console and the admin pages both say it so.
export function unreachableText(lang: Lang = pageLanguage()): string {
  return lang === "zh"
    ? "无法连接服务器（可能正在重启，或网络中断）。请稍后再试。"
    : "Cannot reach the server (it may be restarting, or the network is down). Try again in a moment.";
}
