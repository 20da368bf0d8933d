// The conversation as the visitor sees it, as plain data and pure functions
// (unit-tested in state.test.ts): messages with their states (pending → sent →
// read), what to resend after a reconnect, what to ask the server to replay, and
// deduplication by client_msg_id and seq.

export type Role = "visitor" | "agent" | "bot" | "system";
export type Status = "none" | "bot" | "queued" | "assigned" | "closed";

export interface Attachment {
  id: string;
  name: string;
  content_type: string;
  size: number;
  thumbnail: boolean;
}

export interface Entry {
  key: string; // unique in the list: client_msg_id, message_id or a notice id
  kind: "message" | "notice";
  from: { role: Role; id?: string; name?: string };
  text: string;
  ts: number;
  seq?: number; // stored messages
  anchor: number; // where an entry without seq sits: after this seq
  message_id?: string;
  client_msg_id?: string; // own messages
  state?: "pending" | "sent" | "failed"; // own messages; "read" is derived from readUpTo; failed: refused, not sent again unless retried
  attachments?: Attachment[];
  quick_replies?: string[];
  notice?: { id: "joined" | "closed"; name?: string };
  // A "joined" notice made after a reload, when the agent joined before it: the
  // server does not say when, so it sits before that agent's first message (else
  // after what was stored at the welcome) as the replay brings them.
  joinedBefore?: string; // the agent's id
}

export interface ChatState {
  conversationId: string | null;
  status: Status;
  entries: Entry[];
  agent: { id: string; name: string } | null;
  // eta_s: 0 when none was given; nobodyOnline: no agent of the queue is online.
  queue: { position: number; eta_s: number; nobodyOnline?: boolean } | null;
  readUpTo: number; // the highest seq the agent has read
  seenUpTo: number; // the highest seq the visitor has seen (panel open)
}

export const emptyState: ChatState = {
  conversationId: null,
  status: "none",
  entries: [],
  agent: null,
  queue: null,
  readUpTo: 0,
  seenUpTo: 0,
};

// The highest seq in the list.
export function lastSeq(state: ChatState): number {
  let max = 0;
  for (const e of state.entries) if (e.seq !== undefined && e.seq > max) max = e.seq;
  return max;
}

// Sorted: stored entries by seq, notices after the seq they followed, own pending
// messages last in the order written.
function order(entries: Entry[]): Entry[] {
  const rank = (e: Entry) => (e.seq !== undefined ? e.seq : e.state === "pending" ? Number.MAX_SAFE_INTEGER : e.anchor + 0.5);
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)
    .map((x) => x.e);
}

export function addPending(state: ChatState, m: { client_msg_id: string; text: string; ts: number; attachments?: Attachment[] }): ChatState {
  if (state.entries.some((e) => e.client_msg_id === m.client_msg_id)) return state;
  const entry: Entry = {
    key: m.client_msg_id,
    kind: "message",
    from: { role: "visitor" },
    text: m.text,
    ts: m.ts,
    anchor: lastSeq(state),
    client_msg_id: m.client_msg_id,
    state: "pending",
    attachments: m.attachments,
  };
  // A new message after a closed conversation starts (or reopens) one.
  const status = state.status === "closed" ? "none" : state.status;
  return { ...state, status, entries: order([...state.entries, entry]) };
}

// The server stored our message: it has a seq now. When a replay already brought
// that seq (the ack of the first try was lost), the two are one message.
export function applyAck(state: ChatState, ack: { client_msg_id: string; message_id: string; seq: number; conversation_id: string }): ChatState {
  const mine = state.entries.find((e) => e.client_msg_id === ack.client_msg_id);
  if (!mine) return state;
  const replayed = state.entries.find((e) => e !== mine && (e.seq === ack.seq || (e.message_id && e.message_id === ack.message_id)));
  const sent: Entry = { ...(replayed ?? mine), ...mine, key: mine.key, seq: ack.seq, message_id: ack.message_id, state: "sent" };
  const entries = state.entries.filter((e) => e !== mine && e !== replayed);
  const conversationChanged = state.conversationId !== ack.conversation_id;
  return {
    ...state,
    conversationId: ack.conversation_id,
    status: state.status === "none" || state.status === "closed" ? "bot" : state.status,
    readUpTo: conversationChanged ? 0 : state.readUpTo,
    entries: order([...entries, sent]),
  };
}

export interface MessageFrame {
  conversation_id: string;
  message_id: string;
  seq: number;
  from: { role: string; id?: string; name?: string };
  text: string;
  ts: number;
  attachments?: Attachment[];
  quick_replies?: string[];
  private?: boolean;
}

// A stored message, live or replayed. Seen before (same seq or message id): ignored.
export function applyMessage(state: ChatState, m: MessageFrame): ChatState {
  if (m.private) return state;
  if (state.conversationId && m.conversation_id !== state.conversationId) {
    // Another conversation of this visitor (a new one opened in another tab).
    state = { ...state, conversationId: m.conversation_id, entries: [], readUpTo: 0, seenUpTo: 0, status: state.status === "closed" ? "bot" : state.status };
  }
  if (state.entries.some((e) => e.seq === m.seq || (e.message_id !== undefined && e.message_id === m.message_id))) return state;
  const role: Role = m.from.role === "visitor" || m.from.role === "agent" || m.from.role === "bot" ? m.from.role : "system";
  // The agent who joined before a reload: their notice moves up to their first message.
  if (role === "agent" && m.from.id) {
    const entries = state.entries.map((e) => (e.joinedBefore === m.from.id && e.anchor >= m.seq ? { ...e, anchor: m.seq - 1 } : e));
    if (entries.some((e, i) => e !== state.entries[i])) state = { ...state, entries };
  }
  const entry: Entry = {
    key: m.message_id,
    kind: "message",
    from: { role, id: m.from.id, name: m.from.name },
    text: m.text ?? "",
    ts: m.ts,
    seq: m.seq,
    anchor: m.seq,
    message_id: m.message_id,
    state: role === "visitor" ? "sent" : undefined,
    attachments: m.attachments,
    quick_replies: m.quick_replies?.length ? m.quick_replies : undefined,
  };
  return { ...state, conversationId: m.conversation_id, entries: order([...state.entries, entry]) };
}

function addNotice(state: ChatState, id: "joined" | "closed", name?: string, place: { anchor?: number; joinedBefore?: string } = {}): ChatState {
  const anchor = place.anchor ?? lastSeq(state);
  const last = state.entries.filter((e) => e.kind === "notice").at(-1);
  if (last && last.notice?.id === id && last.notice.name === name && last.anchor === anchor) return state;
  const entry: Entry = { key: `notice-${id}-${anchor}-${state.entries.length}`, kind: "notice", from: { role: "system" }, text: "", ts: Date.now(), anchor, notice: { id, name } };
  if (place.joinedBefore) entry.joinedBefore = place.joinedBefore;
  return { ...state, entries: order([...state.entries, entry]) };
}

// last_seq: the conversation's last seq when the agent joined. A message posted just
// before (the routing graph's "connecting you…") may still be on its way, and comes
// after this frame: the notice goes after it all the same. Older servers: after
// what is shown.
export function applyAssigned(state: ChatState, f: { conversation_id: string; agent: { id: string; name: string }; last_seq?: number }): ChatState {
  const changed = state.agent?.id !== f.agent.id;
  state = { ...state, conversationId: f.conversation_id, status: "assigned", agent: f.agent, queue: null };
  const anchor = typeof f.last_seq === "number" && f.last_seq >= 0 ? f.last_seq : undefined;
  return changed ? addNotice(state, "joined", f.agent.name, { anchor }) : state;
}

export function applyQueued(state: ChatState, f: { conversation_id: string; position: number; eta_s: number | null; nobody_online?: boolean }): ChatState {
  return { ...state, conversationId: f.conversation_id, status: "queued", queue: queueOf(f.position, f.eta_s, f.nobody_online) };
}

function queueOf(position: number, eta_s: number | null | undefined, nobodyOnline: boolean | undefined): NonNullable<ChatState["queue"]> {
  return { position, eta_s: eta_s ?? 0, ...(nobodyOnline === true ? { nobodyOnline: true } : {}) };
}

export function applyClosed(state: ChatState, f: { conversation_id: string }): ChatState {
  if (state.conversationId && f.conversation_id !== state.conversationId) return state;
  if (state.status === "closed") return state;
  return addNotice({ ...state, status: "closed", queue: null }, "closed");
}

export function applyRead(state: ChatState, f: { conversation_id: string; seq: number }): ChatState {
  if (f.conversation_id !== state.conversationId || f.seq <= state.readUpTo) return state;
  return { ...state, readUpTo: f.seq };
}

// The welcome after (re)connecting says which conversation is open, if any.
export interface WelcomeConversation {
  id: string;
  status: string;
  agent: { id: string; name: string } | null;
  position?: number;
  eta_s?: number | null;
  nobody_online?: boolean; // no agent of its queue is online (eta_s is null then)
  last_seq?: number; // the conversation's last stored seq
}

export function applyWelcome(state: ChatState, open: WelcomeConversation | null): ChatState {
  if (!open) {
    // What we showed has closed meanwhile (or there was nothing).
    if (state.conversationId && state.status !== "closed" && state.status !== "none") return applyClosed(state, { conversation_id: state.conversationId });
    return state;
  }
  if (state.conversationId && state.conversationId !== open.id) state = { ...state, entries: state.entries.filter((e) => e.state === "pending"), readUpTo: 0, seenUpTo: 0 };
  const status: Status = open.status === "assigned" || open.status === "queued" || open.status === "bot" ? open.status : "bot";
  let next: ChatState = { ...state, conversationId: open.id, status, agent: open.agent ?? null, queue: null };
  if (status === "queued" && open.position) next.queue = queueOf(open.position, open.eta_s, open.nobody_online);
  // After a reload (nothing shown yet) the agent joined at some point of what the
  // replay brings: not above it all, but before their first message, else after
  // the last message stored when the welcome was sent.
  if (status === "assigned" && open.agent && state.agent?.id !== open.agent.id && state.entries.length === 0) {
    const anchor = typeof open.last_seq === "number" && open.last_seq > 0 ? open.last_seq : undefined;
    next = addNotice(next, "joined", open.agent.name, { anchor, joinedBefore: open.agent.id });
  }
  return next;
}

// A closed conversation read from the REST history after a reload: its messages,
// "joined" before each agent's first message (where it was before the reload, as
// near as the history tells), and closed.
export function applyHistory(state: ChatState, id: string, messages: MessageFrame[]): ChatState {
  let chat: ChatState = { ...state, conversationId: id };
  const joined = new Set<string>();
  for (const m of [...messages].sort((a, b) => a.seq - b.seq)) {
    if (m.from?.role === "agent" && m.from.id && !m.private && !joined.has(m.from.id)) {
      joined.add(m.from.id);
      chat = addNotice(chat, "joined", m.from.name, { anchor: m.seq - 1 });
    }
    chat = applyMessage(chat, { ...m, conversation_id: id });
  }
  return applyClosed(chat, { conversation_id: id });
}

// What hello asks to replay: everything after the last seq we hold.
export function replayFrom(state: ChatState, storedConversation: string | null): Record<string, number> | undefined {
  const id = state.conversationId ?? storedConversation;
  if (!id) return undefined;
  return { [id]: state.conversationId === id ? lastSeq(state) : 0 };
}

// The server refused an own message for good (not "try again later"): it stays where
// it is, marked, and is not sent again by itself; retry() makes it pending again.
export function markFailed(state: ChatState, clientMsgId: string): ChatState {
  if (!state.entries.some((e) => e.client_msg_id === clientMsgId && e.state === "pending")) return state;
  return { ...state, entries: state.entries.map((e) => (e.client_msg_id === clientMsgId && e.state === "pending" ? { ...e, state: "failed" as const } : e)) };
}

export function markRetried(state: ChatState, clientMsgId: string): ChatState {
  if (!state.entries.some((e) => e.client_msg_id === clientMsgId && e.state === "failed")) return state;
  const entries = state.entries.map((e) => (e.client_msg_id === clientMsgId && e.state === "failed" ? { ...e, state: "pending" as const } : e));
  return { ...state, entries: order(entries) };
}

// Own messages not acknowledged yet: sent again (same client_msg_id)
// after every welcome; the server stores each client_msg_id once.
export function toResend(state: ChatState): Entry[] {
  return state.entries.filter((e) => e.state === "pending");
}

export function isRead(state: ChatState, e: Entry): boolean {
  return e.state === "sent" && e.seq !== undefined && e.seq <= state.readUpTo;
}

// Messages from the other side the visitor has not seen (the launcher's badge).
export function unreadCount(state: ChatState): number {
  return state.entries.filter((e) => e.kind === "message" && e.from.role !== "visitor" && (e.seq ?? 0) > state.seenUpTo).length;
}

// The quick replies on offer: those of the last entry, when it is the bot's.
export function quickReplies(state: ChatState): string[] {
  const last = state.entries.filter((e) => e.kind === "message").at(-1);
  return last && last.from.role === "bot" && state.status === "bot" && last.quick_replies ? last.quick_replies : [];
}
