import { describe, expect, it } from "vitest";
import { applyCanned, searchCanned, slashQueryAt } from "./canned";
import { emptyInbox, inboxReducer, tabList, totalUnread, unreadAfter, type InboxState } from "./inbox";
import { messageFrame, resendFrames, resumeHello } from "./resume";
import { addPage, addPending, applyAck, emptyThread, lastSeq, lastVisitorSeq, markFailed, mergeMessages, oldestSeq, unsent } from "./thread";
import { toConv, toMessage, type Conv, type ServerMessage } from "./types";
import { fromCloseReason, sessionEndText } from "../../shared/session-end";
import { charactersOverBytes, kMaxTransferNoteBytes } from "./limits";

const msg = (seq: number, role: "visitor" | "agent" = "visitor", text = "m" + seq): ServerMessage => ({ message_id: "m" + seq, seq, from: { role, id: role === "visitor" ? "v1" : "dana" }, text, ts: 1000 + seq });
const conv = (id: string, patch: Partial<Conv> = {}): Conv => ({ id, status: "assigned", visitor: { id: "v_" + id, name: "Ada", meta: {} }, assignee: "dana", created_at: 1, last_seq: 0, tags: [], ...patch });

describe("thread", () => {
  it("merges pages and live messages in seq order, each once", () => {
    let t = addPage(emptyThread(), [msg(3), msg(4)], true, false);
    t = mergeMessages(t, [msg(5), msg(4)]);
    t = addPage(t, [msg(1), msg(2), msg(3)], false, true);
    expect(t.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(t.hasMore).toBe(false);
    expect(oldestSeq(t)).toBe(1);
    expect(lastSeq(t)).toBe(5);
    expect(mergeMessages(t, [msg(5)])).toBe(t);
  });

  it("keeps has_more from the first page when live messages arrive", () => {
    let t = addPage(emptyThread(), [msg(50)], true, false);
    t = addPage(t, [msg(51)], false, false);
    expect(t.hasMore).toBe(true);
  });

  it("moves a sent message from pending to sent on its ack, in seq place", () => {
    let t = mergeMessages(emptyThread(), [msg(1)]);
    t = addPending(t, { client_msg_id: "a_1", from: { role: "agent", id: "dana" }, text: "hi", ts: 5 });
    expect(t.messages.at(-1)!.state).toBe("pending");
    expect(unsent(t).length).toBe(1);
    t = mergeMessages(t, [msg(2)]); // the visitor wrote meanwhile
    t = applyAck(t, "a_1", 3, "m3");
    expect(t.messages.map((m) => [m.seq, m.state])).toEqual([[1, "sent"], [2, "sent"], [3, "sent"]]);
    expect(t.messages[2].key).toBe("a_1");
    expect(unsent(t)).toEqual([]);
  });

  it("drops the pending copy when a replay brought its seq before the ack", () => {
    let t = addPending(emptyThread(), { client_msg_id: "a_1", from: { role: "agent", id: "dana" }, text: "hi", ts: 5 });
    t = mergeMessages(t, [{ ...msg(1, "agent", "hi") }]);
    t = applyAck(t, "a_1", 1, "m1");
    expect(t.messages.length).toBe(1);
    expect(t.messages[0].state).toBe("sent");
  });

  it("marks a refused message failed with the reason, and finds the visitor's last seq", () => {
    let t = mergeMessages(emptyThread(), [msg(1), msg(2, "agent")]);
    t = addPending(t, { client_msg_id: "a_2", from: { role: "agent", id: "dana" }, text: "x", ts: 9 });
    t = markFailed(t, "a_2", "too many messages");
    expect(t.messages.at(-1)).toMatchObject({ state: "failed", error: "too many messages" });
    expect(unsent(t)).toEqual([]);
    expect(lastVisitorSeq(t)).toBe(1);
  });
});

describe("resume", () => {
  it("asks to replay only conversations behind the server, and resends unacknowledged messages", () => {
    const a = addPage(emptyThread(), [msg(1), msg(2)], false, false);
    const b = addPending(addPage(emptyThread(), [msg(1)], false, false), { client_msg_id: "a_9", from: { role: "agent", id: "dana" }, text: "still here?", ts: 3, private: true });
    const threads = { c1: a, c2: b, c3: emptyThread() };
    expect(resumeHello(threads, [conv("c1", { last_seq: 4 }), conv("c2", { last_seq: 1 }), conv("c3", { last_seq: 9 })])).toEqual({ type: "hello", last_seq: { c1: 2 } });
    expect(resumeHello(threads, [conv("c1", { last_seq: 2 })])).toBeNull();
    expect(resendFrames(threads)).toEqual([{ type: "message", conversation_id: "c2", client_msg_id: "a_9", text: "still here?", private: true }]);
  });

  it("leaves the text out of a message that is only attachments", () => {
    expect(messageFrame("c1", "a_1", "", false, ["att_1"])).toEqual({ type: "message", conversation_id: "c1", client_msg_id: "a_1", attachments: ["att_1"] });
    expect(messageFrame("c1", "a_1", "hi", false, [])).toEqual({ type: "message", conversation_id: "c1", client_msg_id: "a_1", text: "hi" });
  });
});

describe("inbox", () => {
  const start = (): InboxState => inboxReducer(emptyInbox("dana", false), { type: "welcome", conversations: [conv("c1")] });

  it("puts assignments in Mine, offers and the queue in Queue, closes into Closed", () => {
    let s = start();
    s = inboxReducer(s, { type: "assigned", conversation: conv("c2"), lastMessage: msg(1) });
    s = inboxReducer(s, { type: "offered", conversation: conv("c3", { status: "queued", assignee: null }) });
    s = inboxReducer(s, { type: "list", list: "queue", conversations: [conv("c4", { status: "queued", assignee: null })] });
    expect(tabList(s, "mine").map((c) => c.id).sort()).toEqual(["c1", "c2"]);
    expect(tabList(s, "queue").map((c) => c.id).sort()).toEqual(["c3", "c4"]);
    s = inboxReducer(s, { type: "offer_withdrawn", conversation_id: "c3" });
    s = inboxReducer(s, { type: "assigned", conversation: conv("c4") }); // accepted
    expect(tabList(s, "queue")).toEqual([]);
    s = inboxReducer(s, { type: "closed", conversation_id: "c1", at: 5 });
    expect(tabList(s, "closed").map((c) => c.id)).toEqual(["c1"]);
    expect(tabList(s, "mine").map((c) => c.id).sort()).toEqual(["c2", "c4"]);
    expect(tabList(s, "all")).toEqual([]); // agents have no All tab
  });

  it("counts unread visitor messages until seen, and forgets them when transferred", () => {
    let s = start();
    s = inboxReducer(s, { type: "message", conversation_id: "c1", message: msg(1), seen: false });
    s = inboxReducer(s, { type: "message", conversation_id: "c1", message: msg(2), seen: false });
    s = inboxReducer(s, { type: "message", conversation_id: "c1", message: msg(3, "agent"), seen: false });
    expect(s.unread.c1).toBe(2);
    expect(totalUnread(s)).toBe(2);
    expect(s.convs.c1.last_seq).toBe(3);
    expect(s.activity.c1.preview).toBe("m3");
    s = inboxReducer(s, { type: "seen", conversation_id: "c1" });
    expect(totalUnread(s)).toBe(0);
    s = inboxReducer(s, { type: "message", conversation_id: "c1", message: msg(4), seen: false });
    s = inboxReducer(s, { type: "transferred", conversation_id: "c1", to_agent: "alex" });
    expect(totalUnread(s)).toBe(0);
    expect(tabList(s, "mine")).toEqual([]);
  });

  it("filters by tag and group, and keeps the group a REST record told after a frame", () => {
    let s = start();
    s = inboxReducer(s, { type: "records", conversations: [conv("c1", { group: "sales" })] });
    s = inboxReducer(s, { type: "tags", conversation_id: "c1", tags: ["vip"] });
    s = inboxReducer(s, { type: "assigned", conversation: conv("c1", { tags: ["vip"] }) });
    expect(s.convs.c1.group).toBe("sales");
    expect(tabList(s, "mine", { tag: "vip", group: "" }).length).toBe(1);
    expect(tabList(s, "mine", { tag: "x", group: "" }).length).toBe(0);
    expect(tabList(s, "mine", { tag: "", group: "support" }).length).toBe(0);
  });

  it("drops from Mine what the welcome after a reconnect no longer lists", () => {
    let s = start();
    s = inboxReducer(s, { type: "welcome", conversations: [] });
    expect(tabList(s, "mine")).toEqual([]);
  });

  it("shows admins every open conversation under All", () => {
    let s = inboxReducer(emptyInbox("alex", true), { type: "list", list: "all", conversations: [conv("c1"), conv("c2", { status: "queued", assignee: null })] });
    s = inboxReducer(s, { type: "closed", conversation_id: "c2", at: 1 });
    expect(tabList(s, "all").map((c) => c.id)).toEqual(["c1"]);
    expect(tabList(s, "closed").map((c) => c.id)).toEqual(["c2"]);
  });
});

describe("canned replies", () => {
  const replies = [
    { id: "1", shortcut: "hello", text: "Hello! How can I help?" },
    { id: "2", shortcut: "refund", text: "Refunds take 5 days." },
    { id: "3", shortcut: "bye", text: "Thanks, have a nice day" },
  ];
  it("finds the slash word at the caret anywhere in the text", () => {
    expect(slashQueryAt("/he", 3)).toEqual({ start: 0, end: 3, query: "he" });
    expect(slashQueryAt("Sure. /Ref", 10)).toEqual({ start: 6, end: 10, query: "ref" });
    expect(slashQueryAt("see a/b", 7)).toBeNull();
    expect(slashQueryAt("https://x.y/z", 13)).toBeNull();
    expect(slashQueryAt("no slash", 8)).toBeNull();
  });
  it("searches shortcuts first, then texts", () => {
    expect(searchCanned(replies, "").map((r) => r.id)).toEqual(["3", "1", "2"]);
    expect(searchCanned(replies, "re").map((r) => r.id)).toEqual(["2"]);
    expect(searchCanned(replies, "day").map((r) => r.id)).toEqual(["3", "2"]);
  });
  it("replaces the slash word with the reply", () => {
    const q = slashQueryAt("Hi. /ref and more", 8)!;
    expect(applyCanned("Hi. /ref and more", q, replies[1])).toEqual({ text: "Hi. Refunds take 5 days. and more", caret: 24 });
  });
});

describe("waiting visitors", () => {
  it("a REST record keeps the visitor's first words (the queue shows what they asked), and a frame without them keeps them", () => {
    const record = toConv({ id: "c7", status: "queued", visitor_id: "v7", created_at: 1, last_seq: 1, tags: [], first_message: "  运费多少？ " });
    expect(record.first_message).toBe("运费多少？");
    expect(toConv({ id: "c8", status: "queued", visitor_id: "v8", first_message: "   " }).first_message).toBeUndefined();
    let s = inboxReducer(emptyInbox("dana", false), { type: "list", list: "queue", conversations: [record] });
    s = inboxReducer(s, { type: "offered", conversation: toConv({ id: "c7", status: "queued", visitor: { id: "v7" } }) });
    expect(s.convs.c7.first_message).toBe("运费多少？");
  });

  it("the queue follows the server's queue.joined and queue.left without a REST list", () => {
    const joined = toConv({ id: "c5", status: "queued", visitor: { id: "v5", name: "Ada" }, assignee: null, created_at: 1, last_seq: 1, tags: [], first_message: "Where is my parcel?" });
    let s = inboxReducer(emptyInbox("dana", false), { type: "queue_joined", conversation: joined });
    s = inboxReducer(s, { type: "queue_joined", conversation: toConv({ id: "c6", status: "queued", visitor: { id: "v6" }, assignee: null }) });
    s = inboxReducer(s, { type: "queue_joined", conversation: joined }); // told again: listed once
    expect(tabList(s, "queue").map((c) => c.id).sort()).toEqual(["c5", "c6"]);
    expect(s.convs.c5.first_message).toBe("Where is my parcel?");
    // c5's visitor left unserved: gone from the queue, closed as a missed chat.
    s = inboxReducer(s, { type: "queue_left", conversation_id: "c5", status: "closed", abandoned_at: 77, at: 80 });
    expect(tabList(s, "queue").map((c) => c.id)).toEqual(["c6"]);
    expect(s.convs.c5).toMatchObject({ status: "closed", abandoned_at: 77, closed_at: 80 });
    // c6 went to another agent: not in the queue, and theirs.
    s = inboxReducer(s, { type: "queue_left", conversation_id: "c6", status: "assigned", assignee: "alex", at: 90 });
    expect(tabList(s, "queue")).toEqual([]);
    expect(s.convs.c6).toMatchObject({ status: "assigned", assignee: "alex" });
    expect(tabList(s, "mine")).toEqual([]);
    // Taken by me: the assignment frame came first and stays as it said.
    s = inboxReducer(s, { type: "queue_joined", conversation: toConv({ id: "c7", status: "queued", visitor: { id: "v7" }, assignee: null }) });
    s = inboxReducer(s, { type: "assigned", conversation: conv("c7") });
    s = inboxReducer(s, { type: "queue_left", conversation_id: "c7", status: "assigned", assignee: "dana", at: 95 });
    expect(tabList(s, "mine").map((c) => c.id)).toEqual(["c7"]);
    expect(tabList(s, "queue")).toEqual([]);
  });

  it("a visitor who left the queue: the closed record says the chat was missed", () => {
    expect(toConv({ id: "c9", status: "closed", visitor_id: "v9", closed_at: 5, abandoned_at: 5 }).abandoned_at).toBe(5);
    expect(toConv({ id: "c9", status: "closed", visitor_id: "v9", closed_at: 5 }).abandoned_at).toBeUndefined();
  });
});

describe("records", () => {
  it("reads REST records and frames into one shape", () => {
    const c = toConv({ id: "c1", status: "closed", visitor_id: "v1", visitor_name: "Ada", assignee: "", group: "sales", last_agent: "dana", tags: ["a"], last_seq: 4, created_at: 9 });
    expect(c).toMatchObject({ id: "c1", status: "closed", assignee: null, group: "sales", last_agent: "dana", visitor: { id: "v1", name: "Ada" } });
    const m = toMessage({ type: "message", conversation_id: "c1", message_id: "m1", seq: 1, from: { role: "agent", id: "dana", name: "Dana" }, text: "n", ts: 3, private: true });
    expect(m).toEqual({ message_id: "m1", seq: 1, from: { role: "agent", id: "dana", name: "Dana" }, text: "n", ts: 3, private: true });
  });
});

describe("unread after a reload", () => {
  it("counts the visitor's messages after the agent's mark, and never lowers a live count", () => {
    expect(unreadAfter([msg(1), msg(2, "agent"), msg(3), msg(4), msg(5, "agent")], 1)).toBe(2);
    expect(unreadAfter([msg(1), msg(2)], 2)).toBe(0);
    let s = emptyInbox("dana", false);
    s = inboxReducer(s, { type: "unread", conversation_id: "c1", count: 2 });
    expect(s.unread.c1).toBe(2);
    s = inboxReducer(s, { type: "message", conversation_id: "c1", message: msg(6), seen: false });
    expect(inboxReducer(s, { type: "unread", conversation_id: "c1", count: 2 }).unread.c1).toBe(3);
    expect(inboxReducer(s, { type: "unread", conversation_id: "c2", count: 0 })).toBe(s);
  });

  it("reads the agent's mark from the welcome's conversation, and nothing from an older server", () => {
    expect(toConv({ id: "c1", status: "assigned", read_seq: 4 }).read_seq).toBe(4);
    expect(toConv({ id: "c1", status: "assigned" }).read_seq).toBeUndefined();
  });
});

describe("session end", () => {
  it("reads the code of a 4001 close's reason, and keeps the words for people", () => {
    expect(fromCloseReason("agent_removed: agent removed")).toEqual({ problem: "agent_removed", words: "agent removed" });
    expect(fromCloseReason("signed_out")).toEqual({ problem: "signed_out", words: "" });
    // No code (a server before codes): only words, which decide nothing.
    expect(fromCloseReason("password changed")).toEqual({ problem: "", words: "password changed" });
    expect(sessionEndText(fromCloseReason("password changed"))).toBeNull();
    expect(sessionEndText({ problem: "signed_out_by_admin", words: "" })).toBe("endedByAdmin");
    expect(sessionEndText({ problem: "toString", words: "x" })).toBeNull();
    expect(sessionEndText({ problem: "", words: "" })).toBe("sessionExpired");
  });
});

describe("a transfer note's limit", () => {
  it("counts UTF-8 bytes as the server does, and says how many characters to remove", () => {
    expect(charactersOverBytes("x".repeat(kMaxTransferNoteBytes), kMaxTransferNoteBytes)).toBe(0);
    expect(charactersOverBytes("x".repeat(kMaxTransferNoteBytes + 2), kMaxTransferNoteBytes)).toBe(2);
    // 333 Chinese characters are 999 bytes; the 334th does not fit.
    expect(charactersOverBytes("退".repeat(333), kMaxTransferNoteBytes)).toBe(0);
    expect(charactersOverBytes("退".repeat(335), kMaxTransferNoteBytes)).toBe(2);
    // An emoji is one character of four bytes, never cut in half.
    expect(charactersOverBytes("x".repeat(998) + "😀", kMaxTransferNoteBytes)).toBe(1);
  });
});
