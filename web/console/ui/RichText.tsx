export { LinkedText as RichText } from "../../shared/LinkedText";

export function formatTime(ms: number, lang: string): string {
  if (!ms) return "";
  const d = new Date(ms);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  const locale = lang === "zh" ? "zh-CN" : "en-GB";
  return sameDay ? d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" }) : d.toLocaleString(locale, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

// "3 min", "1 h 5 min" (zh: "3 分钟", "1 小时 5 分钟").
export function formatWait(ms: number, lang: string): string {
  const minutes = Math.max(0, Math.round(ms / 60000));
  const [h, m] = [Math.floor(minutes / 60), minutes % 60];
  if (lang === "zh") return h ? `${h} 小时 ${m} 分钟` : minutes < 1 ? "不到 1 分钟" : `${m} 分钟`;
  return h ? `${h} h ${m} min` : minutes < 1 ? "< 1 min" : `${m} min`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// Han, kana and Hangul: a name in these scripts is shown by its first character
// ("访客 1d7638" → "访", "王小明" → "王"); others by the first letters of the first
// and last words ("Ada Lovelace" → "AL").
const kCjk = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return "?";
  const first = [...parts[0]][0] ?? "?";
  if (kCjk.test(first)) return first;
  const second = parts.length > 1 ? [...parts[parts.length - 1]][0] ?? "" : "";
  return (first + second).toUpperCase();
}
