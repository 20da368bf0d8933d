// The shapes the console reads from the server: socket frames (core/engine/frames.cpp)
// and REST records (conversation list, history), normalised into one form.

export type ConvStatus = "bot" | "queued" | "assigned" | "closed";
export type AgentStatus = "online" | "away" | "offline";
export type Role = "visitor" | "agent" | "bot" | "system";

export interface Visitor {
  id: string;
  name: string;
  email?: string;
  meta: Record<string, string | number | boolean>;
}

export interface Csat {
  score: number;
  comment: string;
  ts: number;
}

// Who passed a conversation on to me (conversation.assigned after a transfer, and
// the welcome's conversations): the agent who had it, who asked when that was
// someone else (an admin), when (ms), and the note they left for me.
export interface Transfer {
  from: { id: string; name?: string };
  by?: { id: string; name?: string };
  at?: number;
  note?: string;
}

function isWho(v: unknown): v is { id: string; name?: string } {
  const o = v as { id?: unknown; name?: unknown } | null;
  return !!o && typeof o.id === "string" && (o.name === undefined || typeof o.name === "string");
}

// A frame's "transfer", when well formed (older servers send none, nor at or note).
export function isTransfer(v: unknown): v is Transfer {
  const o = v as { from?: unknown; by?: unknown; at?: unknown; note?: unknown } | null;
  return !!o && isWho(o.from) && (o.by === undefined || isWho(o.by)) && (o.at === undefined || typeof o.at === "number") && (o.note === undefined || typeof o.note === "string");
}

export interface Conv {
  id: string;
  status: ConvStatus;
  visitor: Visitor;
  assignee: string | null;
  created_at: number;
  last_seq: number;
  tags: string[];
  group?: string;
  last_agent?: string;
  closed_at?: number;
  abandoned_at?: number; // the visitor left the queue (a missed chat): REST records
  updated_at?: number;
  csat?: Csat;
  first_message?: string; // the visitor's first words (REST records): what a waiting visitor asked
  read_seq?: number; // how far this agent has read (the agent's welcome; absent from older servers)
  transfer?: Transfer; // the welcome's: how it reached me (the inbox keeps it in transfers)
}

export interface Attachment {
  id: string;
  name: string;
  content_type: string;
  size: number;
  thumbnail: boolean;
}

export interface Sender {
  role: Role;
  id: string;
  name?: string;
}

// A message as the server sends it (frame or history record).
export interface ServerMessage {
  message_id: string;
  seq: number;
  from: Sender;
  text: string;
  ts: number;
  private?: boolean;
  attachments?: Attachment[];
}

export interface Agent {
  id: string;
  name: string;
  role: "agent" | "admin";
  email?: string;
}

export interface CannedReply {
  id: string;
  shortcut: string;
  text: string;
}

type Json = Record<string, unknown>;
const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : fallback);
const num = (v: unknown, fallback = 0): number => (typeof v === "number" ? v : fallback);

export function toVisitor(v: unknown, idFallback = "", nameFallback = ""): Visitor {
  const o = (v && typeof v === "object" ? v : {}) as Json;
  const meta = o.meta && typeof o.meta === "object" ? (o.meta as Visitor["meta"]) : {};
  const visitor: Visitor = { id: str(o.id, idFallback), name: str(o.name, nameFallback), meta };
  if (typeof o.email === "string" && o.email) visitor.email = o.email;
  return visitor;
}

// A conversation object from a frame or a REST list record.
export function toConv(raw: unknown): Conv {
  const o = (raw ?? {}) as Json;
  const status = str(o.status, "queued") as ConvStatus;
  const conv: Conv = {
    id: str(o.id),
    status,
    visitor: toVisitor(o.visitor, str(o.visitor_id), str(o.visitor_name)),
    assignee: str(o.assignee) || null,
    created_at: num(o.created_at),
    last_seq: num(o.last_seq),
    tags: Array.isArray(o.tags) ? (o.tags.filter((t) => typeof t === "string") as string[]) : [],
  };
  if (typeof o.group === "string" && o.group) conv.group = o.group;
  if (typeof o.last_agent === "string" && o.last_agent) conv.last_agent = o.last_agent;
  if (typeof o.closed_at === "number") conv.closed_at = o.closed_at;
  if (typeof o.abandoned_at === "number" && o.abandoned_at > 0) conv.abandoned_at = o.abandoned_at;
  if (typeof o.updated_at === "number") conv.updated_at = o.updated_at;
  if (o.csat && typeof o.csat === "object") conv.csat = o.csat as Csat;
  if (typeof o.read_seq === "number" && o.read_seq >= 0) conv.read_seq = o.read_seq;
  if (isTransfer(o.transfer)) conv.transfer = o.transfer;
  if (typeof o.first_message === "string" && o.first_message.trim()) conv.first_message = o.first_message.trim().slice(0, 200);
  return conv;
}

export function toMessage(raw: unknown): ServerMessage {
  const o = (raw ?? {}) as Json;
  const from = (o.from ?? {}) as Json;
  const m: ServerMessage = {
    message_id: str(o.message_id, str(o.id)),
    seq: num(o.seq),
    from: { role: str(from.role, "system") as Role, id: str(from.id) },
    text: str(o.text),
    ts: num(o.ts),
  };
  if (typeof from.name === "string" && from.name) m.from.name = from.name;
  if (o.private === true) m.private = true;
  if (Array.isArray(o.attachments)) m.attachments = o.attachments as Attachment[];
  return m;
}
