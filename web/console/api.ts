// The server's REST API as the console uses it: a cookie session (HttpOnly,
// SameSite=Strict; the page never sees the token) plus the CSRF token kept in
// memory and sent as X-CSRF-Token on every request that changes something.
import type { Agent, Attachment, CannedReply, Conv, ServerMessage } from "./model/types";
import { toConv, toMessage } from "./model/types";
import { unreachableText } from "../shared/i18n";

export interface Session {
  tenant: string;
  agent: Agent;
  csrf_token: string;
  expires_at: number;
}

export interface Colleagues {
  agents: { id: string; name: string; status: string; available: boolean }[];
  groups: { id: string; name: string }[];
}

export interface AttachmentPolicy {
  enabled: boolean;
  max_bytes: number;
  allowed_types?: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    // Seconds to wait before trying again (429), from the server's answer.
    readonly retryAfter = 0,
    // A 401's stable reason (session_expired, agent_removed, …), "" when none.
    readonly problem = "",
  ) {
    super(message);
  }
}

// Told when any call finds the session gone (401): the console signs out, saying
// why from the problem code (the message: the server's words).
export type OnUnauthorized = (problem: string, message: string) => void;

async function errorOf(response: Response): Promise<ApiError> {
  let code = "http_" + response.status;
  let message = response.statusText || `HTTP ${response.status}`;
  let retryAfter = Number(response.headers.get("Retry-After")) || 0;
  let problem = "";
  try {
    const body = await response.json();
    if (body?.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
      retryAfter = Number(body.error.retry_after) || retryAfter;
      if (typeof body.error.problem === "string") problem = body.error.problem;
    }
  } catch {
    /* not JSON */
  }
  return new ApiError(response.status, code, message, retryAfter, problem);
}

export class Api {
  csrf = "";
  tenant = "";
  onUnauthorized: OnUnauthorized = () => {};

  // quiet: a 401 is an answer here (is there a session?), not news to act on.
  private async call<T>(method: string, path: string, body?: unknown, quiet = false): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && this.csrf) headers["X-CSRF-Token"] = this.csrf;
    let response: Response;
    try {
      response = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      // Not reached at all: said in the agent's language, not as "Failed to fetch".
      throw new ApiError(0, "network", unreachableText());
    }
    if (!response.ok) {
      const error = await errorOf(response);
      if (response.status === 401 && this.csrf && !quiet) this.onUnauthorized(error.problem, error.message);
      throw error;
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private adopt(session: Session): Session {
    this.csrf = session.csrf_token;
    this.tenant = session.tenant;
    return session;
  }

  // Sets the HttpOnly session cookie; the answer's CSRF token stays in memory.
  async signIn(tenant: string, email: string, password: string): Promise<Session> {
    const session = await this.call<Session>("POST", `/v1/tenants/${encodeURIComponent(tenant)}/auth/session`, { email, password });
    return this.adopt(session);
  }

  // The session of the cookie, if it is still valid (a reload, a new tab).
  async restore(): Promise<Session | null> {
    try {
      // probe: "no session" is a 200 {"session":null}, not a 401 the browser logs.
      const session = await this.call<Session | { session: null }>("GET", "/v1/session?probe=1", undefined, true);
      return "csrf_token" in session ? this.adopt(session) : null;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 404)) return null;
      throw e;
    }
  }

  async signOut(): Promise<void> {
    try {
      await this.call("DELETE", "/v1/session");
    } finally {
      this.csrf = "";
    }
  }

  forget(): void {
    this.csrf = "";
  }

  private t(path: string): string {
    return `/v1/tenants/${encodeURIComponent(this.tenant)}${path}`;
  }

  async conversations(filter: Record<string, string | number>): Promise<Conv[]> {
    const query = new URLSearchParams(Object.entries(filter).map(([k, v]) => [k, String(v)])).toString();
    const body = await this.call<{ conversations: unknown[] }>("GET", this.t("/conversations") + (query ? "?" + query : ""));
    return body.conversations.map(toConv);
  }

  async history(conversationId: string, beforeSeq?: number, limit = 50): Promise<{ messages: ServerMessage[]; has_more: boolean }> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (beforeSeq) query.set("before_seq", String(beforeSeq));
    const body = await this.call<{ messages: unknown[]; has_more: boolean }>("GET", this.t(`/conversations/${encodeURIComponent(conversationId)}/messages?${query}`));
    return { messages: body.messages.map(toMessage), has_more: !!body.has_more };
  }

  // The tenant's public settings (GET …/widget): whether files may be attached, and
  // how large. Null when the server does not say.
  async attachmentPolicy(): Promise<AttachmentPolicy | null> {
    try {
      const body = await this.call<{ attachments?: AttachmentPolicy }>("GET", this.t("/widget"));
      return body.attachments && typeof body.attachments.enabled === "boolean" ? body.attachments : null;
    } catch {
      return null;
    }
  }

  async cannedReplies(): Promise<CannedReply[]> {
    return (await this.call<{ canned_replies: CannedReply[] }>("GET", this.t("/canned-replies"))).canned_replies;
  }

  // Admins only (403 for agents).
  // Who a conversation can be transferred to (any agent may ask): names and
  // presence of the tenant's agents, and its groups by name.
  async colleagues(): Promise<Colleagues> {
    return await this.call<Colleagues>("GET", this.t("/colleagues"));
  }

  attachmentUrl(id: string, thumbnail = false): string {
    return this.t(`/attachments/${encodeURIComponent(id)}${thumbnail ? "/thumbnail" : ""}`);
  }

  // The raw bytes, with progress (fetch cannot report upload progress).
  upload(file: File, onProgress: (fraction: number) => void): { promise: Promise<Attachment>; abort: () => void } {
    const xhr = new XMLHttpRequest();
    const promise = new Promise<Attachment>((resolve, reject) => {
      xhr.open("POST", this.t("/attachments"));
      xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
      if (this.csrf) xhr.setRequestHeader("X-CSRF-Token", this.csrf);
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      xhr.onerror = () => reject(new ApiError(0, "network", unreachableText()));
      xhr.onabort = () => reject(new ApiError(0, "aborted", "aborted"));
      xhr.onload = () => {
        let body: any = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          /* not JSON */
        }
        if (xhr.status >= 200 && xhr.status < 300 && body?.id) return resolve(body as Attachment);
        const problem = typeof body?.error?.problem === "string" ? body.error.problem : "";
        if (xhr.status === 401 && this.csrf) this.onUnauthorized(problem, body?.error?.message ?? "unauthorized");
        reject(new ApiError(xhr.status, body?.error?.code ?? "http_" + xhr.status, body?.error?.message ?? `HTTP ${xhr.status}`, 0, problem));
      };
      xhr.send(file);
    });
    return { promise, abort: () => xhr.abort() };
  }
}
