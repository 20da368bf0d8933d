// The inbox: every conversation the console knows of, kept current by socket frames
// (welcome, assigned, offered, offer_withdrawn, transferred, closed, tags, messages,
// queue.joined and queue.left) and by REST lists (the queue, all conversations for admins, closed ones), and
// the tabs derived from it.
import type { Conv, ServerMessage, Transfer } from "./types";
export { isTransfer, type Transfer } from "./types";

export type Tab = "mine" | "queue" | "all" | "closed";
export const kTabs: Tab[] = ["mine", "queue", "all", "closed"];

export interface Offer {
  conversation_id: string;
  transfer?: { group: string; from: { id: string; name?: string } };
}

// What the agent reads where a transferred conversation arrives: "Transferred by …".
export function transferText(tr: Transfer, t: (key: "transferredBy" | "transferredByFor", vars: Record<string, string>) => string): string {
  const from = tr.from.name || tr.from.id;
  return tr.by ? t("transferredByFor", { by: tr.by.name || tr.by.id, from }) : t("transferredBy", { name: from });
}

export interface Activity {
  ts: number;
  preview: string;
  note?: boolean; // the last message was a private note
  agent?: boolean; // the last message was mine ("You: …" in the list)
}

export interface InboxState {
  me: string;
  admin: boolean;
  convs: Record<string, Conv>;
  offers: Record<string, Offer>;
  // What the REST lists said, by list: ids (the records are in convs).
  lists: { queue: string[]; all: string[]; closed: string[] };
  unread: Record<string, number>;
  activity: Record<string, Activity>;
  transfers: Record<string, Transfer>; // how my conversations reached me, when by a transfer
}

export type InboxAction =
  | { type: "welcome"; conversations: Conv[] }
  | { type: "assigned"; conversation: Conv; lastMessage?: ServerMessage; transfer?: Transfer }
  | { type: "offered"; conversation: Conv; transfer?: Offer["transfer"] }
  | { type: "offer_withdrawn"; conversation_id: string }
  | { type: "transferred"; conversation_id: string; to_agent: string }
  | { type: "closed"; conversation_id: string; at: number }
  | { type: "tags"; conversation_id: string; tags: string[] }
  | { type: "message"; conversation_id: string; message: ServerMessage; seen: boolean }
  | { type: "seen"; conversation_id: string }
  | { type: "unread"; conversation_id: string; count: number }
  | { type: "queue_joined"; conversation: Conv }
  | { type: "queue_left"; conversation_id: string; status?: Conv["status"]; assignee?: string; abandoned_at?: number; at: number }
  | { type: "list"; list: "queue" | "all" | "closed"; conversations: Conv[] }
  | { type: "records"; conversations: Conv[] };

export function emptyInbox(me: string, admin: boolean): InboxState {
  return { me, admin, convs: {}, offers: {}, lists: { queue: [], all: [], closed: [] }, unread: {}, activity: {}, transfers: {} };
}

// A newer view of a conversation keeps what only the other source knew (the REST
// record has the group and last agent, frames do not).
function merge(old: Conv | undefined, next: Conv): Conv {
  if (!old) return next;
  return {
    ...old,
    ...next,
    group: next.group ?? old.group,
    last_agent: next.last_agent ?? old.last_agent,
    closed_at: next.closed_at ?? old.closed_at,
    csat: next.csat ?? old.csat,
    first_message: next.first_message ?? old.first_message,
    visitor: { ...old.visitor, ...next.visitor, meta: Object.keys(next.visitor.meta).length ? next.visitor.meta : old.visitor.meta },
    last_seq: Math.max(old.last_seq, next.last_seq),
  };
}

function put(state: InboxState, conv: Conv): InboxState {
  return { ...state, convs: { ...state.convs, [conv.id]: merge(state.convs[conv.id], conv) } };
}

export function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}

export function previewOf(m: ServerMessage): string {
  if (m.text) return m.text.length > 120 ? m.text.slice(0, 120) + "…" : m.text;
  return m.attachments?.length ? m.attachments.map((a) => a.name).join(", ") : "";
}

// The visitor's messages after an agent's read mark (a page of the newest).
export function unreadAfter(messages: ServerMessage[], mark: number): number {
  return messages.filter((m) => m.from.role === "visitor" && m.seq > mark).length;
}

export function inboxReducer(state: InboxState, action: InboxAction): InboxState {
  switch (action.type) {
    case "welcome": {
      // The welcome lists what is mine now; what I had and it does not list went
      // elsewhere while I was away (closed, requeued): the next REST lists say where.
      let next = state;
      const listed = new Set(action.conversations.map((c) => c.id));
      for (const c of Object.values(state.convs))
        if (c.assignee === state.me && c.status === "assigned" && !listed.has(c.id)) next = put(next, { ...c, assignee: null, status: "queued" });
      // And how each reached me: a transfer's "Transferred by …" and note, kept by
      // the server, so a reloaded console shows them again.
      let transfers = next.transfers;
      for (const c of action.conversations) {
        const { transfer, ...conv } = c;
        next = put(next, conv);
        transfers = transfer ? { ...transfers, [c.id]: transfer } : without(transfers, c.id);
      }
      return { ...next, transfers };
    }
    case "assigned": {
      let next = put(state, action.conversation);
      next = { ...next, offers: without(next.offers, action.conversation.id) };
      const m = action.lastMessage;
      const unread = (state.unread[action.conversation.id] ?? 0) + 1;
      next = { ...next, unread: { ...next.unread, [action.conversation.id]: unread } };
      const ts = m?.ts ?? Date.now();
      next = { ...next, activity: { ...next.activity, [action.conversation.id]: { ts, preview: m ? previewOf(m) : "" } } };
      const id = action.conversation.id;
      next = { ...next, transfers: action.transfer ? { ...next.transfers, [id]: action.transfer } : without(next.transfers, id) };
      return next;
    }
    case "offered": {
      const next = put(state, action.conversation);
      const offer: Offer = { conversation_id: action.conversation.id };
      if (action.transfer) offer.transfer = action.transfer;
      return { ...next, offers: { ...next.offers, [offer.conversation_id]: offer } };
    }
    case "offer_withdrawn":
      return { ...state, offers: without(state.offers, action.conversation_id) };
    case "transferred": {
      const c = state.convs[action.conversation_id];
      const next = { ...state, unread: without(state.unread, action.conversation_id), transfers: without(state.transfers, action.conversation_id) };
      return c ? put(next, { ...c, assignee: action.to_agent, last_agent: c.assignee ?? undefined }) : next;
    }
    case "closed": {
      const c = state.convs[action.conversation_id];
      const next = { ...state, offers: without(state.offers, action.conversation_id), unread: without(state.unread, action.conversation_id), transfers: without(state.transfers, action.conversation_id) };
      if (!c) return next;
      return put(next, { ...c, status: "closed", assignee: null, last_agent: c.assignee ?? c.last_agent, closed_at: action.at });
    }
    case "tags": {
      const c = state.convs[action.conversation_id];
      return c ? put(state, { ...c, tags: action.tags }) : state;
    }
    case "message": {
      const id = action.conversation_id;
      const m = action.message;
      const c = state.convs[id];
      let next: InboxState = { ...state, activity: { ...state.activity, [id]: { ts: m.ts, preview: previewOf(m), ...(m.private ? { note: true } : {}), ...(m.from.role === "agent" && m.from.id === state.me ? { agent: true } : {}) } } };
      if (c && m.seq > c.last_seq) next = put(next, { ...c, last_seq: m.seq });
      if (m.from.role === "visitor" && !action.seen) next = { ...next, unread: { ...next.unread, [id]: (state.unread[id] ?? 0) + 1 } };
      return next;
    }
    case "seen":
      return { ...state, unread: without(state.unread, action.conversation_id) };
    case "unread": {
      // Counted from the agent's read mark after a reload; what arrived live
      // meanwhile is counted too, so the larger count is the right one.
      const id = action.conversation_id;
      if (action.count <= (state.unread[id] ?? 0)) return state;
      return { ...state, unread: { ...state.unread, [id]: action.count } };
    }
    case "queue_joined": {
      // Pushed by the server as it happens (the REST list is the fallback).
      const next = put(state, action.conversation);
      const queue = next.lists.queue.includes(action.conversation.id) ? next.lists.queue : [...next.lists.queue, action.conversation.id];
      return { ...next, lists: { ...next.lists, queue } };
    }
    case "queue_left": {
      const id = action.conversation_id;
      let next: InboxState = { ...state, lists: { ...state.lists, queue: state.lists.queue.filter((x) => x !== id) } };
      const c = state.convs[id];
      // Where it went, unless a frame of our own already said (assigned to me).
      if (c && c.status === "queued" && action.status && action.status !== "queued") {
        if (action.status === "closed") next = put(next, { ...c, status: "closed", assignee: null, closed_at: action.at, ...(action.abandoned_at ? { abandoned_at: action.abandoned_at } : {}) });
        else next = put(next, { ...c, status: action.status, assignee: action.assignee ?? null });
      }
      return next;
    }
    case "list": {
      let next = state;
      for (const c of action.conversations) next = put(next, c);
      return { ...next, lists: { ...next.lists, [action.list]: action.conversations.map((c) => c.id) } };
    }
    case "records": {
      let next = state;
      for (const c of action.conversations) next = put(next, c);
      return next;
    }
  }
}

export interface Filters {
  tag: string;
  group: string;
}

function activityTs(state: InboxState, c: Conv): number {
  return state.activity[c.id]?.ts ?? c.updated_at ?? c.created_at;
}

// The conversations a tab shows, newest activity first.
export function tabList(state: InboxState, tab: Tab, filters: Filters = { tag: "", group: "" }): Conv[] {
  const convs = state.convs;
  const pick = (ids: Iterable<string>) => [...new Set(ids)].map((id) => convs[id]).filter((c): c is Conv => !!c);
  let list: Conv[];
  switch (tab) {
    case "mine":
      list = Object.values(convs).filter((c) => c.status === "assigned" && c.assignee === state.me);
      break;
    case "queue":
      list = pick([...Object.keys(state.offers), ...state.lists.queue]).filter((c) => state.offers[c.id] || c.status === "queued");
      break;
    case "all":
      list = state.admin ? pick([...state.lists.all, ...Object.keys(convs)]).filter((c) => c.status !== "closed") : [];
      break;
    case "closed":
      list = pick([...state.lists.closed, ...Object.keys(convs)]).filter(
        (c) => c.status === "closed" && (state.admin || c.last_agent === state.me || state.lists.closed.includes(c.id)),
      );
      break;
  }
  if (filters.tag) list = list.filter((c) => c.tags.includes(filters.tag));
  if (filters.group) list = list.filter((c) => c.group === filters.group);
  return list.sort((a, b) => activityTs(state, b) - activityTs(state, a));
}

export function tabCounts(state: InboxState): Record<Tab, number> {
  return {
    mine: tabList(state, "mine").length,
    queue: tabList(state, "queue").length,
    all: tabList(state, "all").length,
    closed: tabList(state, "closed").length,
  };
}

// Unread visitor messages in my open conversations: the tab title's number.
export function totalUnread(state: InboxState): number {
  let n = 0;
  for (const [id, count] of Object.entries(state.unread)) {
    const c = state.convs[id];
    if (c && c.status !== "closed") n += count;
  }
  return n;
}

// Every tag and group seen, for the filter menus.
export function knownTags(state: InboxState): string[] {
  const tags = new Set<string>();
  for (const c of Object.values(state.convs)) for (const t of c.tags) tags.add(t);
  return [...tags].sort();
}

export function knownGroups(state: InboxState, extra: string[] = []): string[] {
  const groups = new Set<string>(extra);
  for (const c of Object.values(state.convs)) if (c.group) groups.add(c.group);
  return [...groups].sort();
}
