// One conversation's message list: the server's messages in seq order, each once,
// whatever way they arrived (history page, live frame, replay after a reconnect,
// the ack of our own send), followed by what we sent and the server has not
// acknowledged yet (pending, or failed with the reason).
import type { Attachment, Sender, ServerMessage } from "./types";

export type SendState = "pending" | "sent" | "failed";

export interface ChatMessage {
  key: string; // stable for rendering: "s<seq>" once stored, the client_msg_id before
  seq: number | null;
  message_id?: string;
  client_msg_id?: string;
  from: Sender;
  text: string;
  ts: number;
  private?: boolean;
  attachments?: Attachment[];
  state: SendState;
  error?: string;
  final?: boolean; // failed for good (too long): sending again cannot help, no Retry
}

export interface Thread {
  messages: ChatMessage[];
  loaded: boolean; // the newest page came
  hasMore: boolean; // older pages exist
  loadingOlder: boolean;
  visitorRead: number; // the visitor has read up to this seq
}

export function emptyThread(): Thread {
  return { messages: [], loaded: false, hasMore: false, loadingOlder: false, visitorRead: 0 };
}

function fromServer(m: ServerMessage): ChatMessage {
  const out: ChatMessage = { key: "s" + m.seq, seq: m.seq, message_id: m.message_id, from: m.from, text: m.text, ts: m.ts, state: "sent" };
  if (m.private) out.private = true;
  if (m.attachments?.length) out.attachments = m.attachments;
  return out;
}

function order(messages: ChatMessage[]): ChatMessage[] {
  const stored = messages.filter((m) => m.seq !== null).sort((a, b) => a.seq! - b.seq!);
  const unsent = messages.filter((m) => m.seq === null).sort((a, b) => a.ts - b.ts);
  return [...stored, ...unsent];
}

// Adds server messages; one already present (same seq) is kept as it is, except that
// our own sent copy takes the server's fields.
export function mergeMessages(thread: Thread, incoming: ServerMessage[]): Thread {
  if (incoming.length === 0) return thread;
  const bySeq = new Map<number, ChatMessage>();
  for (const m of thread.messages) if (m.seq !== null) bySeq.set(m.seq, m);
  let changed = false;
  for (const m of incoming) {
    if (!(m.seq > 0)) continue;
    const had = bySeq.get(m.seq);
    if (had && had.message_id === m.message_id && had.state === "sent") continue;
    bySeq.set(m.seq, had ? { ...fromServer(m), key: had.key, client_msg_id: had.client_msg_id } : fromServer(m));
    changed = true;
  }
  if (!changed) return thread;
  const unsent = thread.messages.filter((m) => m.seq === null);
  return { ...thread, messages: order([...bySeq.values(), ...unsent]) };
}

export function addPending(thread: Thread, m: Omit<ChatMessage, "key" | "seq" | "state"> & { client_msg_id: string }): Thread {
  return { ...thread, messages: [...thread.messages.filter((x) => x.client_msg_id !== m.client_msg_id || x.seq !== null), { ...m, key: m.client_msg_id, seq: null, state: "pending" }] };
}

// The server stored our message: pending → sent, in its place by seq. If the same
// seq already came (a replay raced the ack), the pending copy simply goes.
export function applyAck(thread: Thread, clientMsgId: string, seq: number, messageId: string): Thread {
  const mine = thread.messages.find((m) => m.client_msg_id === clientMsgId && m.seq === null);
  if (!mine) return thread;
  const rest = thread.messages.filter((m) => m !== mine);
  if (rest.some((m) => m.seq === seq)) return { ...thread, messages: rest };
  return { ...thread, messages: order([...rest, { ...mine, seq, message_id: messageId, state: "sent", error: undefined }]) };
}

export function markFailed(thread: Thread, clientMsgId: string, error: string, final = false): Thread {
  let changed = false;
  const messages = thread.messages.map((m) => {
    if (m.client_msg_id !== clientMsgId || m.seq !== null) return m;
    changed = true;
    return { ...m, state: "failed" as const, error, ...(final ? { final: true } : {}) };
  });
  return changed ? { ...thread, messages } : thread;
}

// Back to pending before a resend.
export function markPending(thread: Thread, clientMsgId: string): Thread {
  return { ...thread, messages: thread.messages.map((m) => (m.client_msg_id === clientMsgId && m.seq === null ? { ...m, state: "pending" as const, error: undefined } : m)) };
}

// The newest page (opening a conversation) or an older one (scrolling back).
export function addPage(thread: Thread, page: ServerMessage[], hasMore: boolean, older: boolean): Thread {
  const merged = mergeMessages(thread, page);
  return { ...merged, loaded: true, loadingOlder: false, hasMore: older || !thread.loaded ? hasMore : thread.hasMore };
}

export function lastSeq(thread: Thread): number {
  let max = 0;
  for (const m of thread.messages) if (m.seq !== null && m.seq > max) max = m.seq;
  return max;
}

export function oldestSeq(thread: Thread): number | null {
  const first = thread.messages.find((m) => m.seq !== null);
  return first ? first.seq : null;
}

// What to send again after a reconnect: everything not acknowledged yet (the server
// recognises a resend by its client_msg_id and stores it once).
export function unsent(thread: Thread): ChatMessage[] {
  return thread.messages.filter((m) => m.seq === null && m.state !== "failed");
}

// The newest message the visitor wrote, for read receipts.
export function lastVisitorSeq(thread: Thread): number {
  for (let i = thread.messages.length - 1; i >= 0; i--) {
    const m = thread.messages[i];
    if (m.seq !== null && m.from.role === "visitor") return m.seq;
  }
  return 0;
}

export function setVisitorRead(thread: Thread, seq: number): Thread {
  return seq > thread.visitorRead ? { ...thread, visitorRead: seq } : thread;
}
