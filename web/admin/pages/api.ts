// The calls of the Team, Canned replies and Knowledge pages (README.md, "The wire
// protocol": agents, canned replies, kb, intents), through api.ts's call() so the
// cookie session's CSRF header or the tab's Bearer token goes with each.
import { ApiError, Session, base, call, failure, reach } from "../api";
import { botReached } from "./botReach";

export type AgentRow = {
  id: string;
  email: string;
  name: string;
  role: "agent" | "admin";
  groups: string[];
  skills?: Record<string, number>;
  max_concurrent: number;
  source?: "file" | "api";
  disabled?: boolean;
  status?: string;
  open_conversations?: number;
};
export type AgentInput = { name?: string; email?: string; password?: string; role?: string; groups?: string[]; skills?: Record<string, number>; max_concurrent?: number };
// version: the reply's ETag; an edit or a delete names it (412 canned_changed when
// someone else changed or deleted the reply since, with the reply as it is now).
export type CannedReply = { id: string; shortcut: string; text: string; version?: string };
// One entry of the audit log (GET …/audit), newest first.
export type AuditEntry = {
  seq: number;
  at: number;
  actor: { id: string; name: string; role: string };
  action: string;
  target: string;
  summary: string;
  // The same as codes and values (docs/protocol.md), when the server recorded them.
  object?: { kind?: string; [value: string]: unknown };
  detail?: { code?: string; [value: string]: unknown };
};
export type AuditQuery = { action?: string; actor?: string; cursor?: string; limit?: number };
export type AuditPage = { entries: AuditEntry[]; next_cursor?: string };

// The query string of an audit log request: only what is set.
export function auditQuery(q: AuditQuery): string {
  const params = new URLSearchParams();
  if (q.limit) params.set("limit", String(q.limit));
  if (q.cursor) params.set("cursor", q.cursor);
  if (q.action) params.set("action", q.action);
  if (q.actor) params.set("actor", q.actor);
  const s = params.toString();
  return s ? `?${s}` : "";
}

// One of the bot's unanswered questions (GET …/bot/unanswered), the most recently
// asked first; README.md says what each field means.
export type UnansweredReason = "handed_off" | "low_confidence" | "not_helpful";
export type UnansweredStatus = "open" | "attached" | "new_entry" | "dismissed";
export type UnansweredItem = {
  id: string;
  question: string;
  language: string;
  count: number;
  reasons: Partial<Record<UnansweredReason, number>>;
  reason: UnansweredReason;
  first_at: number;
  last_at: number;
  conversations: string[];
  candidates: { id: string; score?: number }[];
  status: UnansweredStatus;
  version?: string; // what an action names in If-Match
  resolution: { status: UnansweredStatus | "reopened"; entry_id: string; file: string; at: number; by: { id: string; name: string } | null } | null;
};
export type UnansweredQuery = { status?: UnansweredStatus; reason?: UnansweredReason; cursor?: string; limit?: number };
export type UnansweredPage = { items: UnansweredItem[]; total: number; next_cursor?: string };
export type NewEntryInput = { id?: string; question?: string; answer: string | Record<string, string>; tags?: string[] };

export function unansweredQuery(q: UnansweredQuery): string {
  const params = new URLSearchParams();
  if (q.status) params.set("status", q.status);
  if (q.reason) params.set("reason", q.reason);
  if (q.limit) params.set("limit", String(q.limit));
  if (q.cursor) params.set("cursor", q.cursor);
  const s = params.toString();
  return s ? `?${s}` : "";
}

// GET …/widget/settings, as PUT …/widget takes it back.
export type WidgetTexts = { title: string; greeting: string; offline_message: string };
export type PreChatField = "name" | "email" | "question";
export type WidgetSettings = {
  color: string;
  logo: string | null;
  position: "right" | "left";
  default_language: "en" | "zh";
  allowed_origins: string[];
  pre_chat: { enabled: boolean; fields: PreChatField[] };
  texts: Record<"en" | "zh", WidgetTexts>;
};
// A group as GET …/groups lists it and PUT …/groups/ID takes it (without the
// read-only id, etag, agents, rules).
export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export type GroupSettings = {
  name: string;
  timezone: string;
  hours: Partial<Record<Weekday, string[]>> | null;
  holidays: string[];
  max_queue_length: number;
  max_wait_s: number;
  on_queue_limit: "offline_message" | "message_and_close";
  queue_limit_message: string;
};
// What a PUT sends: null name: the id; null message: the default sentence.
export type GroupInput = Omit<GroupSettings, "name" | "queue_limit_message"> & { name: string | null; queue_limit_message: string | null };
export type GroupRow = GroupSettings & { id: string; etag: string; agents: string[]; rules: string[] };

async function json(method: string, url: string, session: Session, body?: unknown) {
  const { response, json } = await call(method, url, { session, body });
  if (!response.ok) throw failure(response.status, json);
  return json;
}

// A bot file's text and its version (the ETag a save names in If-Match).
export type BotFileText = { text: string; etag: string | null };

async function text(method: string, url: string, session: Session, body?: string, ifMatch?: string | null): Promise<{ text: string; json: any; etag: string | null }> {
  const headers: Record<string, string> = { "Content-Type": "application/toml" };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  else if (session.csrf && method !== "GET") headers["X-CSRF-Token"] = session.csrf;
  if (ifMatch) headers["If-Match"] = ifMatch;
  const response = await reach(url, { method, headers, credentials: "same-origin", body });
  const t = await response.text();
  let j: any = null;
  try {
    j = JSON.parse(t);
  } catch {
    j = null;
  }
  if (!response.ok) throw failure(response.status, j);
  return { text: t, json: j, etag: response.headers.get("ETag") };
}

// A bot file saved over the version it was loaded as (412 kb_changed / intents_changed
// when someone else saved meanwhile): the new version.
async function putBotFile(url: string, session: Session, toml: string, etag: string | null): Promise<{ file?: string; etag: string | null }> {
  const r = await text("PUT", url, session, toml, etag);
  return { ...(r.json ?? {}), etag: r.etag };
}

// A write that carries a version: the answer's body and its new ETag.
async function versioned(method: string, url: string, session: Session, body: unknown, headers: Record<string, string>) {
  const { response, json } = await call(method, url, { session, body, headers });
  if (!response.ok) throw failure(response.status, json);
  return { json, etag: response.headers.get("ETag") };
}

export function pagesApi(session: Session) {
  const root = base(session.tenant);
  return {
    // Whether new conversations ever reach the bot (botReach.ts); null when the server
    // cannot say (the check is a hint, never in the way).
    botReached: async (): Promise<boolean | null> => {
      try {
        const graph = await json("GET", `${root}/routing`, session);
        if (botReached(graph, null)) return true;
        return botReached(graph, await json("POST", `${root}/routing/dry-run`, session, {}));
      } catch {
        return null;
      }
    },
    widget: async (): Promise<{ settings: WidgetSettings; etag: string | null }> => {
      const { response, json } = await call("GET", `${root}/widget/settings`, { session });
      if (!response.ok) throw failure(response.status, json);
      return { settings: json as WidgetSettings, etag: response.headers.get("ETag") };
    },
    // 412 widget_changed when someone changed it since etag; 422 with the field.
    putWidget: async (settings: WidgetSettings, etag: string | null): Promise<{ settings: WidgetSettings; etag: string | null }> => {
      const r = await versioned("PUT", `${root}/widget`, session, settings, etag ? { "If-Match": etag } : {});
      return { settings: r.json as WidgetSettings, etag: r.etag };
    },
    groups: async (): Promise<GroupRow[]> => (await json("GET", `${root}/groups`, session)).groups,
    // etag: the version edited (412 group_changed when stale); null: only create (412 if it exists).
    putGroup: async (id: string, group: GroupInput, etag: string | null): Promise<GroupSettings> =>
      (await versioned("PUT", `${root}/groups/${encodeURIComponent(id)}`, session, group, etag ? { "If-Match": etag } : { "If-None-Match": "*" })).json,
    deleteGroup: (id: string) => json("DELETE", `${root}/groups/${encodeURIComponent(id)}`, session),
    agents: async (): Promise<AgentRow[]> => (await json("GET", `${root}/agents`, session)).agents,
    createAgent: (a: AgentInput): Promise<AgentRow> => json("POST", `${root}/agents`, session, a),
    updateAgent: (id: string, a: AgentInput): Promise<AgentRow> => json("PATCH", `${root}/agents/${encodeURIComponent(id)}`, session, a),
    disableAgent: (id: string): Promise<AgentRow> => json("DELETE", `${root}/agents/${encodeURIComponent(id)}`, session),
    signOutAgent: (id: string): Promise<{ agent: string; signed_out_at: number }> =>
      json("POST", `${root}/agents/${encodeURIComponent(id)}/sign-out`, session),
    canned: async (): Promise<CannedReply[]> => (await json("GET", `${root}/canned-replies`, session)).canned_replies,
    createCanned: (r: { shortcut: string; text: string }): Promise<CannedReply> => json("POST", `${root}/canned-replies`, session, r),
    updateCanned: async (id: string, r: { shortcut: string; text: string }, version?: string): Promise<CannedReply> =>
      (await versioned("PUT", `${root}/canned-replies/${encodeURIComponent(id)}`, session, r, version ? { "If-Match": version } : {})).json,
    deleteCanned: async (id: string, version?: string) =>
      (await versioned("DELETE", `${root}/canned-replies/${encodeURIComponent(id)}`, session, undefined, version ? { "If-Match": version } : {})).json,
    // The knowledge base and the intents as TOML text with their version; PUT answers
    // {"file"} and the new version, 422 (a refused file) or 412 (changed meanwhile).
    kb: async (): Promise<BotFileText> => await text("GET", `${root}/kb`, session),
    putKb: (toml: string, etag: string | null) => putBotFile(`${root}/kb`, session, toml, etag),
    intents: async (): Promise<BotFileText> => await text("GET", `${root}/intents`, session),
    putIntents: (toml: string, etag: string | null) => putBotFile(`${root}/intents`, session, toml, etag),
    // The bot's unanswered questions and the decisions on them (409 when already made).
    unanswered: (q: UnansweredQuery): Promise<UnansweredPage> => json("GET", `${root}/bot/unanswered${unansweredQuery(q)}`, session),
    // version: the item's as listed (412 question_changed when another admin decided
    // it since, with the item as it is now); attach: 422 entry_gone when the entry left.
    attachUnanswered: async (id: string, entryId: string, version?: string): Promise<UnansweredItem> =>
      (await versioned("POST", `${root}/bot/unanswered/${encodeURIComponent(id)}/attach`, session, { entry_id: entryId }, version ? { "If-Match": version } : {})).json,
    createFromUnanswered: async (id: string, entry: NewEntryInput, version?: string): Promise<UnansweredItem> =>
      (await versioned("POST", `${root}/bot/unanswered/${encodeURIComponent(id)}/create`, session, entry, version ? { "If-Match": version } : {})).json,
    // Dismissing adds the question to the knowledge base's not_for_bot: the bot leaves
    // questions like it alone. Reopening undoes it (409 unless dismissed).
    dismissUnanswered: async (id: string, version?: string): Promise<UnansweredItem> =>
      (await versioned("POST", `${root}/bot/unanswered/${encodeURIComponent(id)}/dismiss`, session, {}, version ? { "If-Match": version } : {})).json,
    reopenUnanswered: async (id: string, version?: string): Promise<UnansweredItem> =>
      (await versioned("POST", `${root}/bot/unanswered/${encodeURIComponent(id)}/reopen`, session, {}, version ? { "If-Match": version } : {})).json,
    // The audit log, a page at a time; 501 when the tenant's storage keeps none.
    audit: (q: AuditQuery): Promise<AuditPage> => json("GET", `${root}/audit${auditQuery(q)}`, session),
  };
}
export type PagesApi = ReturnType<typeof pagesApi>;
export { ApiError };
