// The store end to end with a fake server: sign-in restore, an assignment, a send
// while the connection is down, the reconnect (replay + resend), and a 4001.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Store } from "./store";
import { transferText } from "./model/inbox";
import { presenceShown } from "./model/presence";
import { FakeSocket } from "../shared/fake-socket";


const session = { tenant: "demo", agent: { id: "dana", name: "Dana", role: "agent" }, csrf_token: "csrf1", expires_at: 2e9 };
const conv = (last_seq: number) => ({ id: "c1", status: "assigned", visitor: { id: "v1", name: "Ada", meta: {} }, assignee: "dana", created_at: 1, last_seq, tags: [] });
const msg = (seq: number, text = "m" + seq, role = "visitor") => ({ type: "message", conversation_id: "c1", message_id: "id" + seq, seq, from: { role, id: role === "visitor" ? "v1" : "dana" }, text, ts: seq });

describe("Store", () => {
  const calls: { method: string; url: string; headers: Record<string, string> }[] = [];
  let signedIn = true;
  let queued: unknown[] = []; // what GET …/conversations?status=queued lists
  let history: unknown[] = []; // what GET …/messages answers
  let refusal: unknown = null; // when set: the 401 body every tenant call gets
  beforeEach(() => {
    signedIn = true;
    refusal = null;
    queued = [];
    history = [];
    localStorage.removeItem("sb.console.lang"); // a test that switched to Chinese leaves English for the next
    sessionStorage.clear(); // each test a new tab: no conversation open before
    FakeSocket.made = [];
    calls.length = 0;
    vi.useFakeTimers();
    vi.stubGlobal("fetch", async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? "GET";
      calls.push({ method, url, headers: (init.headers ?? {}) as Record<string, string> });
      const json = (status: number, body: unknown) => new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
      if (url === "/v1/session?probe=1" && method === "GET") return json(200, signedIn ? session : { session: null });
      if (url === "/v1/session" && method === "DELETE") return json(204, null);
      if (refusal && url.startsWith("/v1/tenants/")) return json(401, refusal);
      if (url.includes("/conversations?")) return json(200, { conversations: url.includes("status=queued") ? queued : [] });
      if (url.includes("/messages")) return json(200, { conversation_id: "c1", messages: history, has_more: false });
      if (url.includes("/canned-replies")) return json(200, { canned_replies: [] });
      if (url === "/v1/tenants/away/auth/session") throw new TypeError("Failed to fetch"); // the server is not there
      if (url === "/v1/tenants/nosuch/auth/session") return json(404, { error: { code: "not_found", message: "no such tenant" } });
      if (url === "/v1/tenants/locked/auth/session")
        return new Response(JSON.stringify({ error: { code: "rate_limited", message: "too many failed sign-ins; try again in 8 s", retry_after: 8 } }), { status: 429, headers: { "Content-Type": "application/json", "Retry-After": "8" } });
      return json(404, { error: { code: "not_found", message: "no such endpoint" } });
    });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  async function started(): Promise<[Store, FakeSocket]> {
    const store = new Store((url) => new FakeSocket(url) as unknown as WebSocket);
    await store.start();
    expect(store.state.phase).toBe("signed-in");
    const ws = FakeSocket.made[0];
    expect(ws.url).toMatch(/\/v1\/ws\/agent\?tenant=demo$/); // no token in the URL
    ws.open();
    return [store, ws];
  }

  it("a message sent while the server is away tries to reconnect at once, not at the end of the back-off", async () => {
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [conv(1)] });
    ws.drop();
    for (let i = 1; i <= 5; i++) {
      await vi.advanceTimersByTimeAsync(8000);
      FakeSocket.made[i].drop();
    }
    expect(FakeSocket.made).toHaveLength(6); // the next try is 8-16 s away
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeSocket.made).toHaveLength(6);
    store.sendMessage("c1", "Still here?", false, []);
    expect(FakeSocket.made).toHaveLength(7); // tried now
    const ws2 = FakeSocket.made[6];
    ws2.open();
    ws2.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [conv(1)] });
    expect(ws2.sent.find((f) => f.type === "message")).toMatchObject({ conversation_id: "c1", text: "Still here?" });
  });

  it("resumes after a drop: replays what it missed, resends what was not acknowledged, shows each message once", async () => {
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] });
    ws.frame({ type: "conversation.assigned", conversation: conv(1), history: [msg(1)] });
    expect(store.state.selected).toBe("c1");
    ws.frame(msg(2));
    expect(ws.sent.filter((f) => f.type === "read").at(-1)).toEqual({ type: "read", conversation_id: "c1", seq: 2 });

    ws.drop();
    expect(store.state.connection).toBe("reconnecting");
    store.sendMessage("c1", "Back soon", false, []);
    expect(store.state.threads.c1.messages.at(-1)).toMatchObject({ text: "Back soon", state: "pending" });

    await vi.advanceTimersByTimeAsync(1000);
    const ws2 = FakeSocket.made[1];
    ws2.open();
    ws2.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [conv(4)] });
    const hello = ws2.sent.find((f) => f.type === "hello");
    expect(hello).toEqual({ type: "hello", last_seq: { c1: 2 } });
    const resend = ws2.sent.find((f) => f.type === "message");
    expect(resend).toMatchObject({ conversation_id: "c1", text: "Back soon" });
    // the replay, a duplicate, and the ack of the resend
    ws2.frame(msg(3));
    ws2.frame(msg(4));
    ws2.frame(msg(3));
    ws2.frame({ type: "ack", client_msg_id: resend.client_msg_id, conversation_id: "c1", message_id: "id5", seq: 5 });
    const texts = store.state.threads.c1.messages.map((m) => [m.seq, m.text, m.state]);
    expect(texts).toEqual([
      [1, "m1", "sent"],
      [2, "m2", "sent"],
      [3, "m3", "sent"],
      [4, "m4", "sent"],
      [5, "Back soon", "sent"],
    ]);
  });

  it("the list shows the agent's own answer as the conversation's latest once it is sent, as \"You: …\" (\"我：…\" in Chinese)", async () => {
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] });
    ws.frame({ type: "conversation.assigned", conversation: conv(1), history: [msg(1, "Where is my parcel?")] });
    expect(store.state.inbox.activity.c1.preview).toBe("Where is my parcel?");
    store.sendMessage("c1", "It ships today.", false, []);
    const sent = ws.sent.find((f) => f.type === "message");
    ws.frame({ type: "ack", client_msg_id: sent.client_msg_id, conversation_id: "c1", message_id: "id2", seq: 2 });
    expect(store.state.inbox.activity.c1).toMatchObject({ preview: "It ships today.", agent: true });
    expect(store.state.inbox.convs.c1.last_seq).toBe(2);
    expect(store.state.inbox.unread.c1 ?? 0).toBe(0);
    // A colleague's answer (an admin's "All" list) is not "You".
    ws.frame({ type: "message", conversation_id: "c1", message_id: "id3", seq: 3, from: { role: "agent", id: "alex", name: "Alex" }, text: "Hello from Alex", ts: 3 });
    expect(store.state.inbox.activity.c1).toMatchObject({ preview: "Hello from Alex" });
    expect(store.state.inbox.activity.c1.agent).toBeUndefined();
  });

  it("a conversation transferred to the agent says who passed it on, in their language; a routed one says nothing", async () => {
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] });
    ws.frame({ type: "conversation.assigned", conversation: conv(1), history: [msg(1)] });
    expect(store.state.inbox.transfers.c1).toBeUndefined();
    ws.frame({ type: "conversation.transferred", conversation_id: "c1", to_agent: "sam" });
    ws.frame({ type: "conversation.assigned", conversation: conv(2), history: [msg(1), msg(2)], transfer: { from: { id: "sam", name: "Sam" } } });
    const transfer = store.state.inbox.transfers.c1;
    expect(transfer).toEqual({ from: { id: "sam", name: "Sam" } });
    expect(transferText(transfer, store.t)).toBe("Transferred by Sam");
    store.setLanguage("zh");
    expect(transferText(transfer, store.t)).toBe("由 Sam 转接");
    // An admin moved it: both names.
    ws.frame({ type: "conversation.transferred", conversation_id: "c1", to_agent: "sam" });
    ws.frame({ type: "conversation.assigned", conversation: conv(3), history: [msg(3)], transfer: { from: { id: "sam", name: "Sam" }, by: { id: "root", name: "Lee" } } });
    expect(transferText(store.state.inbox.transfers.c1, store.t)).toBe("由 Lee 转接（原由 Sam 接待）");
    store.setLanguage("en");
    expect(transferText(store.state.inbox.transfers.c1, store.t)).toBe("Transferred by Lee (from Sam)");
    // A malformed field (or none, from an older server) shows nothing; so does a close.
    ws.frame({ type: "conversation.assigned", conversation: { ...conv(3), id: "c2" }, history: [], transfer: { from: "sam" } });
    expect(store.state.inbox.transfers.c2).toBeUndefined();
    ws.frame({ type: "conversation.closed", conversation_id: "c1", by: "v1" });
    expect(store.state.inbox.transfers.c1).toBeUndefined();
  });

  it("who transferred a conversation, when, and their note come back with the welcome after a reload", async () => {
    const [store, ws] = await started();
    const transfer = { from: { id: "sam", name: "Sam" }, at: Date.UTC(2026, 11, 7, 16, 5), note: "wants a refund\n<b>order 123</b> checked" };
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [{ ...conv(2), transfer }, { ...conv(1), id: "c2" }] });
    expect(store.state.inbox.transfers.c1).toEqual(transfer);
    expect(store.state.inbox.convs.c1.transfer).toBeUndefined(); // kept in one place
    expect(store.state.inbox.transfers.c2).toBeUndefined();
    // A later welcome that lists it without one (given to me again by routing) forgets it.
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [conv(2)] });
    expect(store.state.inbox.transfers.c1).toBeUndefined();
    // A malformed note is no transfer at all rather than a wrong one.
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [{ ...conv(2), transfer: { ...transfer, note: 5 } }] });
    expect(store.state.inbox.transfers.c1).toBeUndefined();
  });

  it("a transfer carries the note the agent wrote, and none when left empty", async () => {
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [conv(1)] });
    store.transfer("c1", { agent: "sam", note: "customer wants a refund" });
    expect(ws.sent.filter((f) => f.type === "transfer").at(-1)).toEqual({ type: "transfer", conversation_id: "c1", ref: "transfer:c1", to_agent: "sam", note: "customer wants a refund" });
    store.transfer("c1", { group: "billing" });
    expect(ws.sent.filter((f) => f.type === "transfer").at(-1)).toEqual({ type: "transfer", conversation_id: "c1", ref: "transfer:c1", to_group: "billing" });
  });

  it("while the connection is lost the presence says offline, and the chosen status comes back with the connection", async () => {
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] });
    expect(presenceShown(store.state)).toBe("online");
    store.setStatus("away");
    expect(ws.sent.filter((f) => f.type === "status")).toEqual([{ type: "status", status: "away" }]);
    ws.drop();
    expect(presenceShown(store.state)).toBe("lost");
    expect(store.t("presenceLost")).toBe("Offline — reconnecting");
    await vi.advanceTimersByTimeAsync(8000);
    const ws2 = FakeSocket.made[1];
    ws2.open();
    // A new connection makes the agent online; the console puts back "away".
    ws2.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] });
    expect(ws2.sent.filter((f) => f.type === "status")).toEqual([{ type: "status", status: "away" }]);
    expect(presenceShown(store.state)).toBe("away");
    // What another tab chose meanwhile (the welcome says so) stands.
    ws2.drop();
    await vi.advanceTimersByTimeAsync(8000);
    const ws3 = FakeSocket.made[2];
    ws3.open();
    ws3.frame({ type: "welcome", agent: session.agent, status: "offline", conversations: [] });
    expect(ws3.sent.filter((f) => f.type === "status")).toEqual([]);
    expect(presenceShown(store.state)).toBe("offline");
  });

  it("the first welcome's status is the server's: nothing is put back on sign-in", async () => {
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] });
    expect(ws.sent.filter((f) => f.type === "status")).toEqual([]);
    expect(store.state.status).toBe("online");
  });

  it("two agents race to accept: the one refused is told so in their language, and the conversation leaves their queue", async () => {
    const waiting = { ...conv(0), id: "c9", status: "queued", assignee: null, visitor: { id: "v9", name: "Cleo", meta: {} } };
    queued = [waiting];
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] });
    store.setTab("queue");
    await vi.advanceTimersByTimeAsync(0);
    expect(store.state.inbox.lists.queue).toEqual(["c9"]);
    store.setLanguage("zh");
    store.accept("c9");
    expect(ws.sent.find((f) => f.type === "accept")).toMatchObject({ conversation_id: "c9", ref: "accept:c9" });
    queued = []; // the colleague has it now
    ws.frame({ type: "error", code: "forbidden", message: "this conversation was already taken by another agent", ref: "accept:c9" });
    expect(store.state.toasts.map((t) => t.text)).toEqual(["其他客服已先接入了这个会话。"]);
    expect(store.state.selected).toBeNull();
    expect(store.state.tab).toBe("queue");
    expect(store.state.inbox.lists.queue).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.filter((c) => c.url.includes("status=queued")).length).toBeGreaterThanOrEqual(3); // asked again at once
  });

  it("a message the server refuses shows why in the agent's language, never the server's English", async () => {
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] });
    ws.frame({ type: "conversation.assigned", conversation: conv(1), history: [msg(1)] });
    store.setLanguage("zh");
    store.sendMessage("c1", "还在吗？", false, []);
    const sent = ws.sent.find((f) => f.type === "message");
    ws.frame({ type: "error", code: "not_found", message: "no open conversation with that id", ref: sent.client_msg_id });
    expect(store.state.threads.c1.messages.at(-1)).toMatchObject({ state: "failed", error: "该会话已结束或已不存在。" });
    ws.frame({ type: "error", code: "unavailable", message: "no one in group support can take it now", ref: "transfer:c1" });
    expect(store.state.toasts.map((t) => t.text)).toEqual(["support 现在没有人能接手，会话仍由您负责。"]);
    ws.frame({ type: "error", code: "bad_field", message: "status must be online, away or offline" });
    expect(store.state.toasts.at(-1)?.text).toBe("出了点问题，请重试。");
  });

  it("a message longer than the welcome's limit is not sent, and says how much to cut", async () => {
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [], max_message_bytes: 300 });
    ws.frame({ type: "conversation.assigned", conversation: conv(1), history: [msg(1)] });
    const before = store.state.threads.c1.messages.length;
    // 3 bytes a character in UTF-8: 100 of them do not fit with the frame around them.
    const over = store.sendMessage("c1", "长".repeat(100), false, []);
    expect(over).toBeGreaterThan(0);
    expect(ws.sent.filter((f) => f.type === "message")).toEqual([]);
    expect(store.state.threads.c1.messages).toHaveLength(before); // no "Not sent" with a Retry
    // Cutting exactly that much fits, and is sent.
    expect(store.charactersOver("c1", "长".repeat(100 - over), false, [])).toBe(0);
    expect(store.charactersOver("c1", "长".repeat(101 - over), false, [])).toBe(1);
    expect(store.sendMessage("c1", "长".repeat(100 - over), false, [])).toBe(0);
    const sent = ws.sent.filter((f) => f.type === "message");
    expect(sent).toHaveLength(1);
    expect(new TextEncoder().encode(JSON.stringify(sent[0])).length).toBeLessThanOrEqual(300);
  });

  it("a message the server still refuses as too large is marked failed without a useless Retry", async () => {
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] }); // an older server: no limit told
    ws.frame({ type: "conversation.assigned", conversation: conv(1), history: [msg(1)] });
    store.sendMessage("c1", "x".repeat(70000), false, []);
    const sent = ws.sent.find((f) => f.type === "message");
    ws.frame({ type: "error", code: "too_large", message: "frame larger than this tenant's limit of 65536 bytes", ref: sent.client_msg_id });
    expect(store.state.threads.c1.messages.at(-1)).toMatchObject({ state: "failed", final: true, error: "Too long to send: shorten it." });
  });

  it("after a reload the list shows each open conversation's last message, not the visitor's page", async () => {
    const [store, ws] = await started();
    history = [msg(7, "Where is my parcel?")];
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [{ ...conv(7), visitor: { id: "v1", name: "Ada", meta: { page: "https://shop.example/cart" } } }] });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.some((c) => /\/conversations\/c1\/messages\?.*limit=1/.test(c.url))).toBe(true);
    expect(store.state.inbox.activity.c1?.preview).toBe("Where is my parcel?");
    expect(store.state.inbox.unread.c1).toBeUndefined(); // read before the reload as far as anyone knows
  });

  it("after a reload the unread counts start from the agent's read mark in the welcome, not from zero", async () => {
    const [store, ws] = await started();
    // Read up to 1; then an answer of the agent's, two of the visitor's, a note.
    history = [msg(1, "Hi"), msg(2, "Hello!", "agent"), msg(3, "My parcel?"), msg(4, "Still there?"), msg(5, "checking", "agent")].map((m) => ({ ...m, id: m.message_id }));
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [{ ...conv(5), read_seq: 1 }, { ...conv(5), id: "c2", read_seq: 5 }] });
    await vi.advanceTimersByTimeAsync(0);
    expect(store.state.inbox.unread).toEqual({ c1: 2 });
    expect(store.state.inbox.activity.c1?.preview).toBe("checking");
    // A visitor message that arrives meanwhile adds to it, once.
    ws.frame(msg(6, "Hello?"));
    expect(store.state.inbox.unread.c1).toBe(3);
    // A reconnect (the page kept) counts nothing twice.
    ws.drop();
    await vi.advanceTimersByTimeAsync(2000);
    FakeSocket.made[1].open();
    FakeSocket.made[1].frame({ type: "welcome", agent: session.agent, status: "online", conversations: [{ ...conv(6), read_seq: 1 }] });
    await vi.advanceTimersByTimeAsync(0);
    expect(store.state.inbox.unread.c1).toBe(3);
  });

  it("an older server's welcome (no read_seq) leaves the counts at zero, as before", async () => {
    const [store, ws] = await started();
    history = [msg(1, "Hi"), msg(2, "Anyone?")];
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [conv(2)] });
    await vi.advanceTimersByTimeAsync(0);
    expect(store.state.inbox.activity.c1?.preview).toBe("Anyone?");
    expect(store.state.inbox.unread).toEqual({});
  });

  it("sends the CSRF token on changes, and a 4001 sends the agent back to sign-in with the reason", async () => {
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] });
    ws.drop(4001, "password_changed: password changed");
    expect(store.state.phase).toBe("signed-out");
    expect(store.state.notice).toBe("Your password was changed. Please sign in with the new one.");
    await store.signIn("demo", "agent@demo.local", "x"); // 404 in this fake: not signed in
    expect(calls.find((c) => c.url === "/v1/tenants/demo/auth/session")).toBeTruthy();
  });

  it("says why the session ended from the close's code, not its words", async () => {
    const ended = async (reason: string) => {
      FakeSocket.made = [];
      const [store, ws] = await started();
      ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] });
      ws.drop(4001, reason);
      expect(store.state.phase).toBe("signed-out");
      return store.state.notice;
    };
    // "signed out" in the words, but an admin did it, not the agent in another tab.
    expect(await ended("signed_out_by_admin: signed out by an admin")).toBe("An admin signed you out. Please sign in again.");
    expect(await ended("signed_out: signed out")).toBe("You signed out in another tab or window.");
    expect(await ended("agent_removed: the words may change")).toBe("Your account was removed from this workspace.");
    expect(await ended("session_expired: session expired")).toBe("Your session expired. Please sign in again.");
    // A code this console does not know: the server's words.
    expect(await ended("account_locked: locked by the security team")).toBe("You were signed out: locked by the security team.");
  });

  it("says why from a REST 401's problem code, in the agent's language", async () => {
    const [store, ws] = await started();
    store.setLanguage("zh");
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [] });
    refusal = { error: { code: "unauthorized", problem: "password_changed", message: "this token predates a change" } };
    await vi.advanceTimersByTimeAsync(15000); // the lists' refresh meets the 401
    expect(store.state.phase).toBe("signed-out");
    expect(store.state.notice).toBe("您的密码已更改，请使用新密码登录。");
  });

  it("marks the conversations with an unsent draft: kept since the last session, typed now, or in another tab", async () => {
    const key = "sb.console.drafts.demo.dana";
    localStorage.setItem(key, JSON.stringify({ c1: { text: "Your parcel left on", ts: 1 } }));
    const [store, ws] = await started();
    expect(store.state.drafted).toEqual({ c1: true }); // from before the reload
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [conv(1), { ...conv(1), id: "c2" }] });
    store.saveDraft("c2", "One moment");
    expect(store.state.drafted).toEqual({ c1: true, c2: true });
    const before = store.state;
    store.saveDraft("c2", "One moment, please"); // still a draft: nothing to draw again
    expect(store.state).toBe(before);
    store.sendMessage("c1", "Your parcel left on Monday.", false, []);
    expect(store.state.drafted).toEqual({ c2: true });
    // The agent's other tab empties c2's composer and starts one in c3.
    localStorage.setItem(key, JSON.stringify({ c3: { text: "Hello", ts: 2 } }));
    window.dispatchEvent(new StorageEvent("storage", { key }));
    expect(store.state.drafted).toEqual({ c3: true });
    store.signOut();
    localStorage.removeItem(key);
  });

  it("signs out with DELETE /v1/session and the CSRF header", async () => {
    const [store] = await started();
    await store.signOut();
    const del = calls.find((c) => c.method === "DELETE");
    expect(del?.url).toBe("/v1/session");
    expect(del?.headers["X-CSRF-Token"]).toBe("csrf1");
    expect(store.state.phase).toBe("signed-out");
  });

  it("tells an agent whose sign-ins are locked how long to wait, in their language", async () => {
    const store = new Store((url) => new FakeSocket(url) as unknown as WebSocket);
    expect(await store.signIn("locked", "agent@demo.local", "x")).toBe("Too many failed sign-ins. Try again in 8 s.");
  });

  it("tells an agent there is no such workspace in their language, not the server's \"no such tenant\"", async () => {
    const store = new Store((url) => new FakeSocket(url) as unknown as WebSocket);
    expect(await store.signIn("nosuch", "agent@demo.local", "x")).toBe("There is no workspace with this id.");
    store.setLanguage("zh");
    expect(await store.signIn("nosuch", "agent@demo.local", "x")).toBe("没有这个工作区。");
  });

  it("says the server cannot be reached in the agent's language, not the browser's \"Failed to fetch\"", async () => {
    const store = new Store((url) => new FakeSocket(url) as unknown as WebSocket);
    store.setLanguage("zh");
    expect(await store.signIn("away", "agent@demo.local", "x")).toBe("无法登录：无法连接服务器（可能正在重启，或网络中断）。请稍后再试。");
    store.setLanguage("en");
    expect(await store.signIn("away", "agent@demo.local", "x")).toBe("Could not sign in: Cannot reach the server (it may be restarting, or the network is down). Try again in a moment.");
  });

  it("asks whether there is a session without an error answer, and shows sign-in when there is none", async () => {
    signedIn = false;
    const store = new Store((url) => new FakeSocket(url) as unknown as WebSocket);
    await store.start();
    expect(store.state.phase).toBe("signed-out");
    expect(calls.filter((c) => c.url.startsWith("/v1/session"))).toEqual([expect.objectContaining({ method: "GET", url: "/v1/session?probe=1" })]);
    expect(FakeSocket.made).toHaveLength(0);
  });

  it("keeps what the agent typed and did not send across a reload, until it is sent or the conversation closes", async () => {
    for (const k of Object.keys(localStorage)) if (k.startsWith("sb.console.drafts.")) localStorage.removeItem(k);
    const [store, ws] = await started();
    ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [conv(1), { ...conv(1), id: "c2" }] });
    store.saveDraft("c1", "Your parcel left our wareh");
    store.saveDraft("c2", "稍等，");
    const [reloaded, ws2] = await started(); // a new page: same tenant, same agent
    expect(reloaded.draft("c1")).toBe("Your parcel left our wareh");
    expect(reloaded.draft("c2")).toBe("稍等，");
    ws2.frame({ type: "welcome", agent: session.agent, status: "online", conversations: [conv(1), { ...conv(1), id: "c2" }] });
    reloaded.sendMessage("c1", "Your parcel left our warehouse.", false, []);
    ws2.frame({ type: "conversation.closed", conversation_id: "c2" });
    const [third] = await started();
    expect(third.draft("c1")).toBe("");
    expect(third.draft("c2")).toBe("");
    store.saveDraft("c1", "again");
    await store.signOut(); // signing out on purpose leaves no visitor's text behind
    expect(Object.keys(localStorage).filter((k) => k.startsWith("sb.console.drafts."))).toEqual([]);
  });

  it("opens again after a reload the conversation that was open, while it is still the agent's", async () => {
    const reload = async (conversations: unknown[]) => {
      FakeSocket.made = [];
      const [store, ws] = await started(); // a new page in the same tab
      ws.frame({ type: "welcome", agent: session.agent, status: "online", conversations });
      return store;
    };
    const first = await reload([conv(1), { ...conv(1), id: "c2" }]);
    expect(first.state.selected).toBeNull(); // nothing was open yet: the agent picks
    first.select("c2");
    expect((await reload([conv(1), { ...conv(1), id: "c2" }])).state.selected).toBe("c2");
    // Transferred or closed meanwhile: not in the welcome, so nothing opens.
    expect((await reload([conv(1)])).state.selected).toBeNull();
    const again = await reload([conv(1), { ...conv(1), id: "c2" }]);
    again.select("c1");
    await again.signOut(); // signing out on purpose forgets it
    expect((await reload([conv(1)])).state.selected).toBeNull();
  });
});
