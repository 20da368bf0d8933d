// After a reconnect: the welcome lists my open conversations with their last_seq;
// for each one whose messages are loaded here, hello asks the server to replay what
// came after the last seq we have, and what we sent without an ack goes again with
// the same client_msg_id (stored once by the server).
import { lastSeq, unsent, type Thread } from "./thread";
import type { Conv } from "./types";

export function resumeHello(threads: Record<string, Thread>, open: Conv[]): { type: "hello"; last_seq: Record<string, number> } | null {
  const last: Record<string, number> = {};
  for (const c of open) {
    const t = threads[c.id];
    if (!t?.loaded) continue;
    const have = lastSeq(t);
    if (c.last_seq > have) last[c.id] = have;
  }
  return Object.keys(last).length ? { type: "hello", last_seq: last } : null;
}

export interface Resend {
  type: "message";
  conversation_id: string;
  client_msg_id: string;
  text?: string;
  private?: boolean;
  attachments?: string[];
}

export function messageFrame(conversationId: string, clientMsgId: string, text: string, isPrivate: boolean, attachmentIds: string[]): Resend {
  const frame: Resend = { type: "message", conversation_id: conversationId, client_msg_id: clientMsgId };
  if (text || attachmentIds.length === 0) frame.text = text;
  if (isPrivate) frame.private = true;
  if (attachmentIds.length) frame.attachments = attachmentIds;
  return frame;
}

export function resendFrames(threads: Record<string, Thread>): Resend[] {
  const frames: Resend[] = [];
  for (const [id, t] of Object.entries(threads))
    for (const m of unsent(t))
      frames.push(messageFrame(id, m.client_msg_id!, m.text, !!m.private, (m.attachments ?? []).map((a) => a.id)));
  return frames;
}
