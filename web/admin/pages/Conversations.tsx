/** @jsxImportSource react */
// The admin "Conversations" page: every conversation of the tenant (filtered by
// status), full-text search over message text (GET …/search, Chinese and English,
// a phrase in the middle of a sentence), and a conversation opened read-only with
// its whole history (GET …/conversations/CID/messages, paged back to seq 1).
// Everything from messages is rendered as text, never as HTML: the highlighted
// match is split into text nodes and <mark> elements by React, not by markup.
// Self-contained (its own calls and texts) so the other admin pages stay untouched.
import { FormEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { failure, reach, type ApiError, type Session } from "../api";
import type { Lang } from "../i18n";
import "./conversations.css";
import { Retention } from "./Retention";
import { PageHead } from "./ui";
import { VisitorData } from "./VisitorData";
import { visitorName } from "../../shared/visitor-name";
import { formatWhen } from "./Audit";

// ---- texts ----

const en = {
  title: "Conversations",
  lead: "Every conversation of this workspace: search what was said, filter the list, and open one to read its whole history.",
  "search.label": "Search messages",
  "search.placeholder": "A word or a phrase, e.g. 蓝牙耳机 or refund",
  "search.submit": "Search",
  "search.busy": "Searching…",
  "search.clear": "Clear search",
  "search.results": "Messages matching “{q}”",
  "search.none": "No message contains “{q}”.",
  "search.more": "More results",
  "search.notSupported": "This workspace's storage cannot search messages.",
  "list.title": "All conversations",
  "list.status": "Status",
  "list.any": "Any status",
  "list.filters": "Filter conversations",
  "list.clear": "Clear filters",
  "list.agent": "Agent",
  "list.anyAgent": "Any agent",
  "list.group": "Group",
  "list.anyGroup": "Any group",
  "list.tag": "Tag",
  "list.tagHelp": "e.g. refund",
  "list.from": "Created from",
  "list.to": "Created until",
  "list.noMatch": "No conversation matches these filters.",
  "status.bot": "With the bot",
  "list.empty": "No conversations.",
  "list.loading": "Loading conversations…",
  "status.queued": "Queued",
  "status.assigned": "Assigned",
  "status.closed": "Closed",
  "status.abandoned": "Missed: left the queue",
  "col.conversation": "Conversation",
  "col.visitor": "Visitor",
  "col.status": "Status",
  "col.assignee": "Agent",
  "col.group": "Group",
  "col.tags": "Tags",
  "col.created": "Created",
  "col.messages": "Messages",
  open: "Open conversation {id}",
  "hit.open": "Open conversation {id} at message {seq}",
  "view.title": "Conversation {id}",
  "view.readOnly": "Read-only: the full history as stored.",
  "view.close": "Back to the list",
  "view.loading": "Loading the history…",
  "view.empty": "This conversation has no messages.",
  "view.note": "Private note",
  "view.attachments": "Files:",
  "role.visitor": "Visitor",
  "role.agent": "Agent",
  "role.bot": "Bot",
  "role.system": "System",
  failed: "Could not load: {message}",
  expired: "Your session ended; sign in again.",
};
type Key = keyof typeof en;
const zh: Record<Key, string> = {
  title: "会话",
  lead: "本工作区的全部会话：搜索消息内容、筛选列表，打开任一会话查看完整历史。",
  "search.label": "搜索消息",
  "search.placeholder": "输入词语或短语，例如 蓝牙耳机 或 refund",
  "search.submit": "搜索",
  "search.busy": "正在搜索…",
  "search.clear": "清除搜索",
  "search.results": "包含“{q}”的消息",
  "search.none": "没有消息包含“{q}”。",
  "search.more": "更多结果",
  "search.notSupported": "此工作区的存储不支持搜索消息。",
  "list.title": "全部会话",
  "list.status": "状态",
  "list.any": "任意状态",
  "list.filters": "筛选会话",
  "list.clear": "清除筛选",
  "list.agent": "客服",
  "list.anyAgent": "任意客服",
  "list.group": "分组",
  "list.anyGroup": "任意分组",
  "list.tag": "标签",
  "list.tagHelp": "例如 退款",
  "list.from": "创建日期起",
  "list.to": "创建日期止",
  "list.noMatch": "没有符合筛选条件的会话。",
  "status.bot": "机器人接待中",
  "list.empty": "没有会话。",
  "list.loading": "正在加载会话…",
  "status.queued": "排队中",
  "status.assigned": "已分配",
  "status.closed": "已关闭",
  "status.abandoned": "未接待：排队时离开",
  "col.conversation": "会话",
  "col.visitor": "访客",
  "col.status": "状态",
  "col.assignee": "客服",
  "col.group": "分组",
  "col.tags": "标签",
  "col.created": "创建时间",
  "col.messages": "消息数",
  open: "打开会话 {id}",
  "hit.open": "打开会话 {id} 的第 {seq} 条消息",
  "view.title": "会话 {id}",
  "view.readOnly": "只读：按存储内容显示完整历史。",
  "view.close": "返回列表",
  "view.loading": "正在加载历史…",
  "view.empty": "此会话没有消息。",
  "view.note": "内部备注",
  "view.attachments": "文件：",
  "role.visitor": "访客",
  "role.agent": "客服",
  "role.bot": "机器人",
  "role.system": "系统",
  failed: "加载失败：{message}",
  expired: "会话已过期，请重新登录。",
};
type Tr = (key: Key, values?: Record<string, string | number>) => string;
function translator(lang: Lang): Tr {
  const table = lang === "zh" ? zh : en;
  return (key, values) => (table[key] ?? en[key]).replace(/\{(\w+)\}/g, (w, n: string) => (values && n in values ? String(values[n]) : w));
}

// ---- calls ----

type From = { role: string; id: string; name?: string };
// Who wrote: a visitor as the console names them ("Visitor a3ff0f"), others by name.
const who = (from: From, lang: Lang) => (from.role === "visitor" ? visitorName(from.name, from.id, lang) : from.name || from.id);
export type Hit = { conversation_id: string; seq: number; message_id: string; text: string; ts: number; from: From; flags?: number };
type Message = { message_id: string; seq: number; from: From; text: string; ts: number; private?: boolean; attachments?: { id: string; name: string }[] };
type Record_ = { id: string; visitor?: { id: string; name?: string }; visitor_id?: string; visitor_name?: string; status: string; abandoned_at?: number; assignee?: string | null; last_agent?: string | null; group?: string; tags?: string[]; created_at?: number; last_seq?: number };

async function get(session: Session, path: string): Promise<any> {
  const headers: Record<string, string> = {};
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  const response = await reach(`/v1/tenants/${encodeURIComponent(session.tenant)}${path}`, { headers, credentials: "same-origin" });
  const text = await response.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) throw failure(response.status, json);
  return json;
}

// ---- highlighting (text only) ----

// The parts of text, with the case-insensitive occurrences of q marked. Pure, so
// it is unit-tested; the page renders marked parts in <mark> as text.
export function highlightParts(text: string, q: string): { text: string; match: boolean }[] {
  const needle = q.trim().toLowerCase();
  if (!needle) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  // toLowerCase keeps the length of CJK and ASCII text, so offsets line up; if a
  // script changes length, fall back to no highlight rather than a wrong one.
  if (lower.length !== text.length) return [{ text, match: false }];
  for (;;) {
    const found = lower.indexOf(needle, at);
    if (found < 0) break;
    if (found > at) parts.push({ text: text.slice(at, found), match: false });
    parts.push({ text: text.slice(found, found + needle.length), match: true });
    at = found + needle.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts;
}

function Highlighted({ text, q }: { text: string; q: string }) {
  return (
    <>
      {highlightParts(text, q).map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </>
  );
}

// As the audit log and Unanswered say it ("7 Dec 2026, 13:21:25"): a numeric date
// such as 07/12/2026 reads as July to half of the English-speaking world.
const when = (ms: number | undefined, lang: Lang) => (ms ? formatWhen(ms, lang) : "");

// ---- the page ----

export function Conversations({ session, lang, onExpired }: { session: Session; lang: Lang; onExpired: (e: unknown) => void }) {
  const t = useMemo(() => translator(lang), [lang]);
  const [open, setOpen] = useState<{ id: string; seq?: number } | null>(null);
  const fail = useCallback(
    (e: unknown, set: (m: string) => void) => {
      const c = e as ApiError;
      if (c.status === 401) onExpired(e);
      set(c.status === 501 ? t("search.notSupported") : t("failed", { message: c.message }));
    },
    [onExpired, t],
  );
  return (
    <section className="ppage conversations-page" aria-labelledby="conversations-title">
      <PageHead id="conversations-title" title={t("title")} lead={t("lead")} />
      {open ? (
        <History session={session} lang={lang} t={t} id={open.id} seq={open.seq} onClose={() => setOpen(null)} fail={fail} />
      ) : (
        <>
          <Search session={session} lang={lang} t={t} onOpen={(id, seq) => setOpen({ id, seq })} fail={fail} />
          <List session={session} lang={lang} t={t} onOpen={(id) => setOpen({ id })} fail={fail} />
          <Retention session={session} lang={lang} />
        </>
      )}
    </section>
  );
}

type Fail = (e: unknown, set: (m: string) => void) => void;

function Search({ session, lang, t, onOpen, fail }: { session: Session; lang: Lang; t: Tr; onOpen: (id: string, seq: number) => void; fail: Fail }) {
  const [input, setInput] = useState("");
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (q: string, after: string | null) => {
    setBusy(true);
    setError(null);
    try {
      const params = new URLSearchParams({ q, limit: "20" });
      if (after) params.set("cursor", after);
      const answer = await get(session, `/search?${params}`);
      setQuery(q);
      setHits((before) => (after && before ? [...before, ...answer.hits] : answer.hits));
      setCursor(answer.next_cursor ?? null);
    } catch (e) {
      fail(e, setError);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (input.trim()) void run(input.trim(), null);
  };
  return (
    <div className="card conversations-card">
      <form role="search" className="conversations-search" onSubmit={submit}>
        <label className="pfield">
          <span>{t("search.label")}</span>
          <input type="search" value={input} placeholder={t("search.placeholder")} onChange={(e) => setInput(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy || !input.trim()}>
          {busy ? t("search.busy") : t("search.submit")}
        </button>
        {hits && (
          <button
            type="button"
            onClick={() => {
              setInput("");
              setHits(null);
              setCursor(null);
            }}
          >
            {t("search.clear")}
          </button>
        )}
      </form>
      {error && (
        <p className="field-problem" role="alert">
          {error}
        </p>
      )}
      {hits && (
        <div aria-live="polite">
          <h3 style={{ fontSize: 14 }}>{t("search.results", { q: query })}</h3>
          {hits.length === 0 ? (
            <p className="muted">{t("search.none", { q: query })}</p>
          ) : (
            <ol className="search-hits" aria-label={t("search.results", { q: query })} style={{ listStyle: "none", padding: 0, margin: 0, display: "flex", flexDirection: "column", gap: 6 }}>
              {hits.map((h) => (
                <li key={`${h.conversation_id}/${h.seq}`}>
                  <button
                    type="button"
                    className="search-hit"
                    aria-label={t("hit.open", { id: h.conversation_id, seq: h.seq })}
                    onClick={() => onOpen(h.conversation_id, h.seq)}
                    style={{ width: "100%", textAlign: "left", display: "flex", flexDirection: "column", alignItems: "flex-start", gap: 2 }}
                  >
                    <span className="muted" style={{ fontSize: 12 }}>
                      {h.conversation_id} · #{h.seq} · {who(h.from, lang)} ({t(roleKey(h.from.role))}) · {when(h.ts, lang)}
                      {h.flags && h.flags & 1 ? ` · ${t("view.note")}` : ""}
                    </span>
                    <span className="hit-text">
                      <Highlighted text={h.text} q={query} />
                    </span>
                  </button>
                </li>
              ))}
            </ol>
          )}
          {cursor && (
            <button type="button" disabled={busy} onClick={() => void run(query, cursor)} style={{ marginTop: 8 }}>
              {t("search.more")}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function roleKey(role: string): Key {
  return role === "visitor" || role === "agent" || role === "bot" || role === "system" ? (`role.${role}` as Key) : "role.system";
}

// The list's filters as the conversation list's query (GET …/conversations): dates
// are the admin's local days, from the start of `from` to the end of `to`.
export type ListFilters = { status: string; assignee: string; group: string; tag: string; from: string; to: string };
export const noFilters: ListFilters = { status: "", assignee: "", group: "", tag: "", from: "", to: "" };
export function listQuery(f: ListFilters, limit = 200): URLSearchParams {
  const params = new URLSearchParams({ limit: String(limit) });
  if (f.status) params.set("status", f.status);
  if (f.assignee) params.set("assignee", f.assignee);
  if (f.group.trim()) params.set("group", f.group.trim());
  if (f.tag.trim()) params.set("tag", f.tag.trim());
  const day = (value: string, after: number) => {
    const [y, m, d] = value.split("-").map(Number);
    return new Date(y, m - 1, d + after).getTime();
  };
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.from)) params.set("since", String(day(f.from, 0)));
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.to)) params.set("until", String(day(f.to, 1)));
  return params;
}

type Option = { id: string; name: string };

function List({ session, lang, t, onOpen, fail }: { session: Session; lang: Lang; t: Tr; onOpen: (id: string) => void; fail: Fail }) {
  const [filters, setFilters] = useState<ListFilters>(noFilters);
  const [rows, setRows] = useState<Record_[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [agents, setAgents] = useState<Option[]>([]);
  const [groups, setGroups] = useState<Option[]>([]);
  const set = (key: keyof ListFilters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [key]: e.target.value }));
  // Who and which groups to offer: the tenant's agents and defined groups (a
  // failure here leaves the choices empty; the list still works).
  useEffect(() => {
    get(session, "/agents").then(
      (a) => setAgents((a.agents ?? []).map((x: { id: string; name: string }) => ({ id: x.id, name: x.name }))),
      () => setAgents([]),
    );
    get(session, "/routing/catalog").then(
      (c) => setGroups((c.groups ?? []).map((g: { id: string; name?: string }) => ({ id: g.id, name: g.name ?? g.id }))),
      () => setGroups([]),
    );
  }, [session]);
  useEffect(() => {
    let live = true;
    setRows(null);
    setError(null);
    get(session, `/conversations?${listQuery(filters)}`)
      .then((a) => live && setRows(a.conversations ?? []))
      .catch((e) => live && fail(e, setError));
    return () => {
      live = false;
    };
  }, [session, filters, fail]);
  const name = (id: string | null | undefined) => (id ? (agents.find((a) => a.id === id)?.name ?? id) : "");
  // As the group filter names them: "Customer support", not "support".
  const groupName = (id: string | null | undefined) => (id ? (groups.find((g) => g.id === id)?.name ?? id) : "");
  const filtered = Object.values(filters).some(Boolean);
  return (
    <div className="card conversations-card">
      <div style={{ display: "flex", gap: 12, alignItems: "center" }}>
        <h3 style={{ fontSize: 14, margin: 0 }}>{t("list.title")}</h3>
        <span className="grow" />
        {filtered && (
          <button type="button" onClick={() => setFilters(noFilters)}>
            {t("list.clear")}
          </button>
        )}
      </div>
      <div className="conversation-filters" role="group" aria-label={t("list.filters")}>
        <label>
          {t("list.status")}
          <select value={filters.status} onChange={set("status")}>
            <option value="">{t("list.any")}</option>
            <option value="bot">{t("status.bot")}</option>
            <option value="queued">{t("status.queued")}</option>
            <option value="assigned">{t("status.assigned")}</option>
            <option value="closed">{t("status.closed")}</option>
          </select>
        </label>
        <label>
          {t("list.agent")}
          <select value={filters.assignee} onChange={set("assignee")}>
            <option value="">{t("list.anyAgent")}</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("list.group")}
          <select value={filters.group} onChange={set("group")}>
            <option value="">{t("list.anyGroup")}</option>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("list.tag")}
          <input type="text" value={filters.tag} onChange={set("tag")} placeholder={t("list.tagHelp")} />
        </label>
        <label>
          {t("list.from")}
          <input type="date" value={filters.from} onChange={set("from")} />
        </label>
        <label>
          {t("list.to")}
          <input type="date" value={filters.to} onChange={set("to")} />
        </label>
      </div>
      {error && (
        <p className="field-problem" role="alert">
          {error}
        </p>
      )}
      {!rows && !error && <p className="muted">{t("list.loading")}</p>}
      {rows && rows.length === 0 && <p className="muted">{filtered ? t("list.noMatch") : t("list.empty")}</p>}
      {rows && rows.length > 0 && (
        <div className="conversations-scroll">
          <table className="ptable conversations-table" aria-label={t("list.title")}>
            <thead>
              <tr>
                <th scope="col">{t("col.conversation")}</th>
                <th scope="col">{t("col.visitor")}</th>
                <th scope="col">{t("col.status")}</th>
                <th scope="col">{t("col.assignee")}</th>
                <th scope="col">{t("col.group")}</th>
                <th scope="col">{t("col.tags")}</th>
                <th scope="col">{t("col.created")}</th>
                <th scope="col">{t("col.messages")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>
                    <button type="button" className="link" aria-label={t("open", { id: r.id })} onClick={() => onOpen(r.id)}>
                      {r.id}
                    </button>
                  </td>
                  <td>{visitorName(r.visitor?.name ?? r.visitor_name, r.visitor?.id ?? r.visitor_id ?? "", lang)}</td>
                  <td className="nowrap">{r.status === "closed" && r.abandoned_at ? t("status.abandoned") : statusText(t, r.status)}</td>
                  <td>{name(r.assignee ?? r.last_agent)}</td>
                  <td>{groupName(r.group)}</td>
                  <td>{(r.tags ?? []).join(", ")}</td>
                  <td className="nowrap">{when(r.created_at, lang)}</td>
                  <td>{r.last_seq ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function statusText(t: Tr, status: string): string {
  return status === "bot" || status === "queued" || status === "assigned" || status === "closed" ? t(`status.${status}` as Key) : status;
}

function History({ session, lang, t, id, seq, onClose, fail }: { session: Session; lang: Lang; t: Tr; id: string; seq?: number; onClose: () => void; fail: Fail }) {
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const target = useRef<HTMLLIElement | null>(null);
  // Whose conversation it is: the sender of its visitor messages (kept after an
  // erasure emptied the history, so the panel can say what it did).
  const [visitor, setVisitor] = useState<From | undefined>(undefined);
  useEffect(() => {
    const sender = messages?.find((m) => m.from.role === "visitor")?.from;
    if (sender) setVisitor(sender);
  }, [messages]);
  useEffect(() => {
    let live = true;
    (async () => {
      // The whole history: newest page first, then back with before_seq.
      let all: Message[] = [];
      let before = 0;
      for (;;) {
        const params = new URLSearchParams({ limit: "200" });
        if (before) params.set("before_seq", String(before));
        const page = await get(session, `/conversations/${encodeURIComponent(id)}/messages?${params}`);
        all = [...page.messages, ...all];
        if (!page.has_more || page.messages.length === 0) break;
        before = page.messages[0].seq;
      }
      if (live) setMessages(all);
    })().catch((e) => live && fail(e, setError));
    return () => {
      live = false;
    };
  }, [session, id, fail, reload]);
  useEffect(() => {
    target.current?.scrollIntoView?.({ block: "center" });
  }, [messages]);
  return (
    <div className="card conversations-card" aria-labelledby="history-title">
      <div style={{ display: "flex", gap: 12, alignItems: "center" }}>
        <h3 id="history-title" style={{ fontSize: 15, margin: 0 }}>
          {t("view.title", { id })}
        </h3>
        <span className="grow" />
        <button type="button" onClick={onClose}>
          {t("view.close")}
        </button>
      </div>
      <p className="help">{t("view.readOnly")}</p>
      {visitor && session.agent.role === "admin" && <VisitorData session={session} lang={lang} visitor={visitor} onErased={() => setReload((n) => n + 1)} />}
      {error && (
        <p className="field-problem" role="alert">
          {error}
        </p>
      )}
      {!messages && !error && <p className="muted">{t("view.loading")}</p>}
      {messages && messages.length === 0 && <p className="muted">{t("view.empty")}</p>}
      {messages && messages.length > 0 && (
        <ol className="history" aria-label={t("view.title", { id })} style={{ listStyle: "none", padding: 0, margin: 0, display: "flex", flexDirection: "column", gap: 8 }}>
          {messages.map((m) => (
            <li
              key={m.seq}
              className={`history-message role-${m.from.role}` + (m.private ? " is-note" : "")}
              ref={m.seq === seq ? target : undefined}
              aria-current={m.seq === seq ? "true" : undefined}
              style={{
                border: "1px solid var(--line)",
                borderRadius: 8,
                padding: "6px 10px",
                background: m.private ? "#fff6e0" : m.seq === seq ? "#eaf1ff" : m.from.role === "bot" ? "#f5f2ff" : undefined,
              }}
            >
              <div className="muted" style={{ fontSize: 12, display: "flex", gap: 6, alignItems: "center", flexWrap: "wrap" }}>
                {m.private && <span className="history-badge badge-note">{t("view.note")}</span>}
                {m.from.role === "bot" && <span className="history-badge badge-bot">{t("role.bot")}</span>}
                <span>
                  #{m.seq} · {who(m.from, lang)} ({t(roleKey(m.from.role))}) · {when(m.ts, lang)}
                </span>
              </div>
              <div style={{ whiteSpace: "pre-wrap" }}>{m.text}</div>
              {m.attachments && m.attachments.length > 0 && (
                <div style={{ fontSize: 12 }}>
                  {t("view.attachments")}{" "}
                  {m.attachments.map((a) => (
                    <a key={a.id} href={`/v1/tenants/${encodeURIComponent(session.tenant)}/attachments/${encodeURIComponent(a.id)}`} style={{ marginRight: 8 }}>
                      {a.name}
                    </a>
                  ))}
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
