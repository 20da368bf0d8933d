// The calls of the Team, Canned replies and Knowledge pages (README.md, "The wire
// protocol": agents, canned replies, kb, intents), through api.ts's call() so the
// cookie session's CSRF header or the tab's Bearer token goes with each.
import { ApiError, Session, base, call, failure } from "../api";

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
export type CannedReply = { id: string; shortcut: string; text: string };
// One entry of the audit log (GET …/audit), newest first.
export type AuditEntry = {
  seq: number;
  at: number;
  actor: { id: string; name: string; role: string };
  action: string;
  target: string;
  summary: string;
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

async function json(method: string, url: string, session: Session, body?: unknown) {
  const { response, json } = await call(method, url, { session, body });
  if (!response.ok) throw failure(response.status, json);
  return json;
}

async function text(method: string, url: string, session: Session, body?: string): Promise<{ text: string; json: any }> {
  const headers: Record<string, string> = { "Content-Type": "application/toml" };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  else if (session.csrf && method !== "GET") headers["X-CSRF-Token"] = session.csrf;
  const response = await fetch(url, { method, headers, credentials: "same-origin", body });
  const t = await response.text();
  let j: any = null;
  try {
    j = JSON.parse(t);
  } catch {
    j = null;
  }
  if (!response.ok) throw failure(response.status, j);
  return { text: t, json: j };
}

export function pagesApi(session: Session) {
  const root = base(session.tenant);
  return {
    agents: async (): Promise<AgentRow[]> => (await json("GET", `${root}/agents`, session)).agents,
    createAgent: (a: AgentInput): Promise<AgentRow> => json("POST", `${root}/agents`, session, a),
    updateAgent: (id: string, a: AgentInput): Promise<AgentRow> => json("PATCH", `${root}/agents/${encodeURIComponent(id)}`, session, a),
    disableAgent: (id: string): Promise<AgentRow> => json("DELETE", `${root}/agents/${encodeURIComponent(id)}`, session),
    canned: async (): Promise<CannedReply[]> => (await json("GET", `${root}/canned-replies`, session)).canned_replies,
    createCanned: (r: { shortcut: string; text: string }): Promise<CannedReply> => json("POST", `${root}/canned-replies`, session, r),
    updateCanned: (id: string, r: { shortcut: string; text: string }): Promise<CannedReply> =>
      json("PUT", `${root}/canned-replies/${encodeURIComponent(id)}`, session, r),
    deleteCanned: (id: string) => json("DELETE", `${root}/canned-replies/${encodeURIComponent(id)}`, session),
    // The knowledge base and the intents as TOML text; PUT answers {"file"} or 422.
    kb: async (): Promise<string> => (await text("GET", `${root}/kb`, session)).text,
    putKb: async (toml: string): Promise<{ file?: string }> => (await text("PUT", `${root}/kb`, session, toml)).json ?? {},
    intents: async (): Promise<string> => (await text("GET", `${root}/intents`, session)).text,
    putIntents: async (toml: string): Promise<{ file?: string }> => (await text("PUT", `${root}/intents`, session, toml)).json ?? {},
    // The audit log, a page at a time; 501 when the tenant's storage keeps none.
    audit: (q: AuditQuery): Promise<AuditPage> => json("GET", `${root}/audit${auditQuery(q)}`, session),
  };
}
export type PagesApi = ReturnType<typeof pagesApi>;
export { ApiError };
