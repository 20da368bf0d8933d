import { describe, expect, it } from "vitest";
import * as S from "./state";

const msg = (seq: number, role = "agent", text = `m${seq}`, extra: Partial<S.MessageFrame> = {}): S.MessageFrame => ({
  conversation_id: "c1",
  message_id: `id${seq}`,
  seq,
  from: { role, id: role === "agent" ? "dana" : "v1", name: role === "agent" ? "Dana" : undefined },
  text,
  ts: 1000 + seq,
  ...extra,
});

describe("own messages: pending → sent → read", () => {
  it("shows a message pending until its ack, then sent, then read when the agent read its seq", () => {
    let s = S.addPending(S.emptyState, { client_msg_id: "w1", text: "hi", ts: 1 });
    expect(s.entries.map((e) => e.state)).toEqual(["pending"]);
    expect(S.toResend(s).map((e) => e.client_msg_id)).toEqual(["w1"]);
    s = S.applyAck(s, { client_msg_id: "w1", message_id: "id1", seq: 1, conversation_id: "c1" });
    expect(s.conversationId).toBe("c1");
    expect(s.entries[0]).toMatchObject({ state: "sent", seq: 1, text: "hi" });
    expect(S.toResend(s)).toEqual([]);
    expect(S.isRead(s, s.entries[0])).toBe(false);
    s = S.applyRead(s, { conversation_id: "c1", seq: 1 });
    expect(S.isRead(s, s.entries[0])).toBe(true);
    // An older read never takes it back.
    expect(S.applyRead(s, { conversation_id: "c1", seq: 0 })).toBe(s);
  });

  it("keeps pending messages last, in the order written, and stored ones by seq", () => {
    let s = S.applyMessage(S.emptyState, msg(2));
    s = S.addPending(s, { client_msg_id: "w1", text: "a", ts: 5 });
    s = S.addPending(s, { client_msg_id: "w2", text: "b", ts: 6 });
    s = S.applyMessage(s, msg(1));
    s = S.applyMessage(s, msg(3));
    expect(s.entries.map((e) => e.text)).toEqual(["m1", "m2", "m3", "a", "b"]);
    s = S.applyAck(s, { client_msg_id: "w2", message_id: "id5", seq: 5, conversation_id: "c1" });
    s = S.applyAck(s, { client_msg_id: "w1", message_id: "id4", seq: 4, conversation_id: "c1" });
    expect(s.entries.map((e) => e.text)).toEqual(["m1", "m2", "m3", "a", "b"]);
  });
});

describe("resend after a reconnect, without duplicates", () => {
  it("resends the same client_msg_id and adding it twice is a no-op", () => {
    let s = S.addPending(S.emptyState, { client_msg_id: "w1", text: "hi", ts: 1 });
    expect(S.addPending(s, { client_msg_id: "w1", text: "hi", ts: 1 })).toBe(s);
    expect(S.toResend(s)[0].client_msg_id).toBe("w1");
  });

  it("merges a replayed copy of an own message with its late ack", () => {
    // The message was stored but the ack was lost with the connection; the replay
    // brings it back as a message frame, and the resend's ack names the same seq.
    let s = S.addPending(S.emptyState, { client_msg_id: "w1", text: "hi", ts: 1 });
    s = S.applyMessage(s, msg(1, "visitor", "hi"));
    expect(s.entries.length).toBe(2);
    s = S.applyAck(s, { client_msg_id: "w1", message_id: "id1", seq: 1, conversation_id: "c1" });
    expect(s.entries.length).toBe(1);
    expect(s.entries[0]).toMatchObject({ seq: 1, state: "sent", client_msg_id: "w1", text: "hi" });
  });

  it("ignores a message it already has (same seq or message id), live or replayed", () => {
    let s = S.applyMessage(S.emptyState, msg(1));
    s = S.applyMessage(s, msg(2));
    expect(S.applyMessage(s, msg(2))).toBe(s);
    expect(S.applyMessage(s, { ...msg(7), message_id: "id1" })).toBe(s);
  });

  it("never shows an agent's private note", () => {
    expect(S.applyMessage(S.emptyState, msg(1, "agent", "note", { private: true }))).toBe(S.emptyState);
  });
});

describe("resume with last_seq", () => {
  it("asks for everything after the last seq it holds", () => {
    let s = S.applyMessage(S.emptyState, msg(1));
    s = S.applyMessage(s, msg(4));
    expect(S.lastSeq(s)).toBe(4);
    expect(S.replayFrom(s, null)).toEqual({ c1: 4 });
  });

  it("after a reload asks for the stored conversation from the start", () => {
    expect(S.replayFrom(S.emptyState, "c9")).toEqual({ c9: 0 });
    expect(S.replayFrom(S.emptyState, null)).toBeUndefined();
  });

  it("takes the welcome's open conversation: agent, or place in line", () => {
    let s = S.applyWelcome(S.emptyState, { id: "c1", status: "queued", agent: null, position: 2, eta_s: 120 });
    expect(s).toMatchObject({ conversationId: "c1", status: "queued", queue: { position: 2, eta_s: 120 } });
    s = S.applyWelcome(S.emptyState, { id: "c1", status: "queued", agent: null, position: 2, eta_s: null, nobody_online: true });
    expect(s.queue).toEqual({ position: 2, eta_s: 0, nobodyOnline: true });
    s = S.applyWelcome(S.emptyState, { id: "c1", status: "assigned", agent: { id: "dana", name: "Dana" } });
    expect(s.agent?.name).toBe("Dana");
    expect(s.entries[0].notice).toEqual({ id: "joined", name: "Dana" });
  });

  it("after a reload puts \"joined\" where the agent joined, not above the replayed messages", () => {
    const shown = (s: S.ChatState) => s.entries.map((e) => (e.kind === "notice" ? `(${e.notice?.id} ${e.notice?.name})` : e.text));
    // Dana took the chat after the bot's hand-off and has not written yet.
    let s = S.applyWelcome(S.emptyState, { id: "c1", status: "assigned", agent: { id: "dana", name: "Dana" }, last_seq: 2 });
    s = S.applyMessage(s, msg(1, "visitor", "talk to a human"));
    s = S.applyMessage(s, msg(2, "bot", "Connecting you to a person."));
    expect(shown(s)).toEqual(["talk to a human", "Connecting you to a person.", "(joined Dana)"]);
    s = S.applyMessage(s, msg(3, "agent", "Hi, Dana here."));
    expect(shown(s)).toEqual(["talk to a human", "Connecting you to a person.", "(joined Dana)", "Hi, Dana here."]);

    // Dana had written before the reload: the notice is just above her first message.
    s = S.applyWelcome(S.emptyState, { id: "c1", status: "assigned", agent: { id: "dana", name: "Dana" }, last_seq: 5 });
    for (const m of [msg(1, "visitor", "talk to a human"), msg(2, "bot", "Connecting you."), msg(3, "visitor", "hello?"), msg(4, "agent", "Hi!"), msg(5, "agent", "How can I help?")]) s = S.applyMessage(s, m);
    expect(shown(s)).toEqual(["talk to a human", "Connecting you.", "hello?", "(joined Dana)", "Hi!", "How can I help?"]);
    expect(s.entries.filter((e) => e.kind === "notice").length).toBe(1);
  });

  it("puts \"joined\" after the routing message posted before it, though that message comes after the frame", () => {
    const shown = (s: S.ChatState) => s.entries.map((e) => (e.kind === "notice" ? `(${e.notice?.id} ${e.notice?.name})` : e.text));
    let s = S.applyMessage(S.emptyState, msg(1, "visitor", "hello"));
    // The server assigned Dana right after posting its greeting (seq 2), which was
    // still being stored: the assignment reaches the widget first.
    s = S.applyAssigned(s, { conversation_id: "c1", agent: { id: "dana", name: "Dana" }, last_seq: 2 });
    s = S.applyMessage(s, msg(2, "system", "Connecting you to a person."));
    s = S.applyMessage(s, msg(3, "agent", "Hi, Dana here."));
    expect(shown(s)).toEqual(["hello", "Connecting you to a person.", "(joined Dana)", "Hi, Dana here."]);
  });

  it("shows a closed conversation read from the history with \"joined\" before each agent's first message", () => {
    const s = S.applyHistory(S.emptyState, "c1", [msg(1, "visitor", "where is it?"), msg(2, "agent", "Looking."), msg(3, "agent", "Ships today.")]);
    expect(s.entries.map((e) => (e.kind === "notice" ? `(${e.notice?.id})` : e.text))).toEqual(["where is it?", "(joined)", "Looking.", "Ships today.", "(closed)"]);
    expect(s.status).toBe("closed");
  });

  it("shows the conversation closed when the welcome says nothing is open any more", () => {
    let s = S.applyMessage(S.emptyState, msg(1));
    s = { ...s, status: "assigned" };
    s = S.applyWelcome(s, null);
    expect(s.status).toBe("closed");
    expect(s.entries.at(-1)?.notice?.id).toBe("closed");
  });
});

describe("the conversation's course", () => {
  it("queue, assignment (once per agent), close, and a new message afterwards", () => {
    let s = S.applyQueued(S.emptyState, { conversation_id: "c1", position: 3, eta_s: 180 });
    expect(s.queue).toEqual({ position: 3, eta_s: 180 });
    // Nobody online: no estimate, and the widget says why.
    s = S.applyQueued(s, { conversation_id: "c1", position: 2, eta_s: null, nobody_online: true });
    expect(s.queue).toEqual({ position: 2, eta_s: 0, nobodyOnline: true });
    s = S.applyQueued(s, { conversation_id: "c1", position: 1, eta_s: 60 });
    expect(s.queue).toEqual({ position: 1, eta_s: 60 });
    s = S.applyAssigned(s, { conversation_id: "c1", agent: { id: "dana", name: "Dana" } });
    s = S.applyAssigned(s, { conversation_id: "c1", agent: { id: "dana", name: "Dana" } });
    expect(s.queue).toBeNull();
    expect(s.entries.filter((e) => e.kind === "notice").length).toBe(1);
    s = S.applyClosed(s, { conversation_id: "c1" });
    expect(s.status).toBe("closed");
    expect(S.applyClosed(s, { conversation_id: "c1" })).toBe(s);
    s = S.addPending(s, { client_msg_id: "w9", text: "again", ts: 9 });
    expect(s.status).toBe("none");
  });

  it("counts unread messages from the other side after what the visitor saw", () => {
    let s = S.applyMessage(S.emptyState, msg(1, "visitor"));
    s = S.applyMessage(s, msg(2, "agent"));
    s = S.applyMessage(s, msg(3, "bot"));
    expect(S.unreadCount(s)).toBe(2);
    expect(S.unreadCount({ ...s, seenUpTo: 2 })).toBe(1);
  });

  it("offers the bot's quick replies only while they are the last word", () => {
    let s: S.ChatState = { ...S.applyMessage(S.emptyState, msg(1, "bot", "Order number?", { quick_replies: ["Talk to a human"] })), status: "bot" };
    expect(S.quickReplies(s)).toEqual(["Talk to a human"]);
    s = S.applyMessage(s, msg(2, "visitor", "SB-10001"));
    expect(S.quickReplies(s)).toEqual([]);
  });
});
