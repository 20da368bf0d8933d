// The Dashboard page's calls and the pure parts it shows numbers with (durations,
// date ranges, a chart's text summary), kept apart from the React page so they are
// unit-tested. See README.md "Stats" for the answers' shapes.
import { failure, reach, type Session } from "../api";

export type Spread = { count: number; p50_ms: number | null; p90_ms: number | null };
export type LiveAgent = { id: string; name: string; status: "online" | "away" | "offline"; open_conversations: number; capacity: number };
export type Live = {
  agents: { online: number; away: number; offline: number; open_conversations: number; capacity: number; list: LiveAgent[] };
  conversations: { bot: number; queued: number; assigned: number };
  queues: { group: string; length: number; longest_wait_ms: number | null }[];
  messages_per_minute: { minute: number; messages: number }[];
  today: {
    date: string;
    timezone: string;
    opened: number;
    closed: number;
    missed?: number; // of those closed, the visitor left the queue unserved (absent: an older server)
    bot: { resolved: number; handed_off: number; active: number };
    first_response: Spread;
    wait: Spread;
    resolution: Spread;
    csat: { count: number; average: number | null };
    truncated: boolean;
  };
  generated_at: number;
};
export type Counts = { conversations: number; closed: number; bot_resolved: number; handed_off: number };
export type Report = {
  from: string;
  to: string;
  timezone: string;
  total: Counts;
  days: (Counts & { date: string })[];
  agents: (Counts & { agent_id: string; name: string })[];
  groups: (Counts & { group: string })[];
  truncated: boolean;
};

async function get(session: Session, path: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  const response = await reach(`/v1/tenants/${encodeURIComponent(session.tenant)}/stats/${path}`, { headers, credentials: "same-origin" });
  if (!response.ok) {
    let json: unknown = null;
    try {
      json = await response.json();
    } catch {
      /* not JSON: the status says it */
    }
    throw failure(response.status, json); // its body keeps a 401's `problem`
  }
  return response;
}

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export async function fetchLive(session: Session, tz: string): Promise<Live> {
  return (await get(session, `live?tz=${encodeURIComponent(tz)}`)).json();
}

const rangeQuery = (from: string, to: string, tz: string) => `from=${from}&to=${to}&tz=${encodeURIComponent(tz)}`;

export async function fetchReport(session: Session, from: string, to: string, tz: string): Promise<Report> {
  return (await get(session, `report?${rangeQuery(from, to, tz)}`)).json();
}

// The CSV as the server names it (Content-Disposition), to save with a link.
export async function fetchCsv(session: Session, from: string, to: string, tz: string): Promise<{ blob: Blob; filename: string }> {
  const response = await get(session, `report?${rangeQuery(from, to, tz)}&format=csv`);
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `conversations-${from}-to-${to}.csv`;
  return { blob: await response.blob(), filename };
}

// YYYY-MM-DD of a day in the browser's zone, `back` days before `now`.
export function isoDay(now: Date, back = 0): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - back);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// The longest range the server reports, in days (README.md "Stats").
export const kMaxDays = 92;

// Days from `from` to `to` inclusive (0 or less when reversed).
export function daysBetween(from: string, to: string): number {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  return Math.round((b - a) / 86400000) + 1;
}

// A duration as people say it: "45 s", "3 min 5 s", "2 h 10 min" (zh: 45秒, 3分5秒, 2小时10分).
export function formatDuration(ms: number | null | undefined, lang: "en" | "zh"): string {
  if (ms === null || ms === undefined) return "—";
  const s = Math.round(ms / 1000);
  const zh = lang === "zh";
  if (s < 60) return zh ? `${s}秒` : `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) {
    const rest = s % 60;
    if (zh) return rest ? `${m}分${rest}秒` : `${m}分钟`;
    return rest ? `${m} min ${rest} s` : `${m} min`;
  }
  const h = Math.floor(m / 60);
  const restM = m % 60;
  if (zh) return restM ? `${h}小时${restM}分` : `${h}小时`;
  return restM ? `${h} h ${restM} min` : `${h} h`;
}

// One line a screen reader reads for a chart: its biggest values, then the total.
export function chartSummary(labels: string[], values: number[], words: { total: string; none: string }): string {
  const total = values.reduce((a, b) => a + b, 0);
  if (!total) return words.none;
  const top = labels
    .map((label, i) => ({ label, value: values[i] }))
    .filter((x) => x.value > 0)
    .sort((a, b) => b.value - a.value)
    .slice(0, 3)
    .map((x) => `${x.label}: ${x.value}`);
  return `${top.join(", ")}. ${words.total}: ${total}`;
}
