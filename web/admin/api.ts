// The admin UI's calls to the server. Sign-in is behind one function: the cookie
// session of the same-origin UIs (POST …/auth/session, X-CSRF-Token on every
// non-GET) when the server has it, else the Bearer token of …/auth/login kept for
// this tab only.
import type { Graph } from "./graph/model";
import type { Catalog } from "./graph/validate";
import { unreachableText } from "../shared/i18n";

export type Agent = { id: string; name: string; email?: string; role: "agent" | "admin" };
export type Session = { tenant: string; agent: Agent; csrf?: string; token?: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: any = null,
  ) {
    super(message);
  }
}

const kTokenKey = "switchboard.admin.session";

// The server could not be reached at all (stopped, restarting, the network down):
// said in the page's language, not as the browser's "Failed to fetch" (nor as a
// page's guess, such as a file that "cannot be read"). Status 0, code "network".
export function unreachable(): ApiError {
  return new ApiError(0, "network", unreachableText());
}

// fetch for the admin pages' calls: a network failure becomes unreachable().
export async function reach(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    if (init.signal?.aborted) throw e;
    throw unreachable();
  }
}

export async function call(method: string, url: string, opts: { body?: unknown; session?: Session | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const s = opts.session;
  if (s?.token) headers.Authorization = `Bearer ${s.token}`;
  else if (s?.csrf && method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = s.csrf;
  const response = await reach(url, {
    method,
    headers,
    credentials: "same-origin",
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await response.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { response, json };
}

export function failure(status: number, json: any): ApiError {
  const e = json?.error;
  return new ApiError(status, e?.code ?? `http_${status}`, e?.message ?? `HTTP ${status}`, json);
}

export const base = (tenant: string) => `/v1/tenants/${encodeURIComponent(tenant)}`;

// Signs in; refuses an agent who is not an admin (the server refuses their admin
// calls too: this only says it sooner and clearly).
export async function signIn(tenant: string, email: string, password: string): Promise<Session> {
  let { response, json } = await call("POST", `${base(tenant)}/auth/session`, { body: { email, password } });
  let session: Session;
  // A server without cookie sessions answers "no such endpoint" (a missing tenant
  // says "no such tenant", which the login below would say too).
  if (response.status === 404 && json?.error?.message === "no such endpoint") {
    ({ response, json } = await call("POST", `${base(tenant)}/auth/login`, { body: { email, password } }));
    if (!response.ok) throw failure(response.status, json);
    session = { tenant, agent: json.agent, token: json.token };
    sessionStorage.setItem(kTokenKey, JSON.stringify(session));
  } else {
    if (!response.ok) throw failure(response.status, json);
    session = { tenant: json.tenant ?? tenant, agent: json.agent, csrf: json.csrf_token };
  }
  return session;
}

// The session this tab already has: the cookie's, else a token kept by signIn.
export async function resumeSession(): Promise<Session | null> {
  try {
    // probe: "no session" is a 200 {"session":null}, not a 401 the browser logs.
    const { response, json } = await call("GET", "/v1/session?probe=1");
    if (response.ok && json?.agent) return { tenant: json.tenant, agent: json.agent, csrf: json.csrf_token };
  } catch {
    // no server session endpoint: fall through
  }
  const kept = sessionStorage.getItem(kTokenKey);
  if (!kept) return null;
  try {
    const session = JSON.parse(kept) as Session;
    const { response } = await call("GET", `${base(session.tenant)}/routing`, { session });
    if (response.ok || response.status === 403) return session;
  } catch {
    // fall through
  }
  sessionStorage.removeItem(kTokenKey);
  return null;
}

export async function signOut(session: Session): Promise<void> {
  sessionStorage.removeItem(kTokenKey);
  if (!session.token) await call("DELETE", "/v1/session", { session }).catch(() => undefined);
}

export type RoutingRead = { graph: Graph; etag: string | null } | { unchanged: true };
export type DryRunInput = {
  attributes?: Record<string, unknown>;
  page?: string;
  language?: string;
  message?: string;
  intent?: string;
  waited_s?: number;
  after_bot?: boolean;
};
export type DryRunAnswer = {
  rule: string;
  rule_index: number;
  actions: { id: string; type: string; group?: string }[];
  agent: { id: string; name: string } | null;
  group?: string;
  chain?: string[];
  note?: string;
};

export type Version = { seq: number; at: number; by: { id: string | null; name: string }; etag: string; rules: number };

export function adminApi(session: Session) {
  const root = base(session.tenant);
  return {
    // The live graph and its version; with etag, { unchanged } when it is still that one.
    async getRouting(etag?: string | null): Promise<RoutingRead> {
      const { response, json } = await call("GET", `${root}/routing`, { session, headers: etag ? { "If-None-Match": etag } : {} });
      if (response.status === 304) return { unchanged: true };
      if (!response.ok) throw failure(response.status, json);
      return { graph: json as Graph, etag: response.headers.get("ETag") };
    },
    // Saves; 412 graph_changed when someone changed it since etag, 422 with errors[].
    async putRouting(graph: Graph, etag: string | null): Promise<{ graph: Graph; etag: string | null }> {
      const { response, json } = await call("PUT", `${root}/routing`, { session, body: graph, headers: etag ? { "If-Match": etag } : {} });
      if (!response.ok) throw failure(response.status, json);
      return { graph: json as Graph, etag: response.headers.get("ETag") };
    },
    async dryRun(input: DryRunInput): Promise<DryRunAnswer> {
      const { response, json } = await call("POST", `${root}/routing/dry-run`, { session, body: input });
      if (!response.ok) throw failure(response.status, json);
      return json as DryRunAnswer;
    },
    // The saved versions, newest first; one with its graph.
    async versions(): Promise<Version[]> {
      const { response, json } = await call("GET", `${root}/routing/versions`, { session });
      if (!response.ok) throw failure(response.status, json);
      return json.versions as Version[];
    },
    async version(seq: number): Promise<Version & { graph: Graph }> {
      const { response, json } = await call("GET", `${root}/routing/versions?seq=${seq}`, { session });
      if (!response.ok) throw failure(response.status, json);
      return json;
    },
    // Groups and routing strategies the graph may name; null when the server cannot say.
    async catalog(): Promise<(Catalog & { default_chain?: string[] }) | null> {
      const { response, json } = await call("GET", `${root}/routing/catalog`, { session });
      if (!response.ok) return null;
      return json;
    },
  };
}
export type AdminApi = ReturnType<typeof adminApi>;
