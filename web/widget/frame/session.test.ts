import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Session, type Persisted } from "./session";
import { defaultSettings } from "./settings";
import { FakeSocket } from "../../shared/fake-socket";
import { problemText } from "./App";
import { en } from "../texts/en";
import { zh } from "../texts/zh";


function session(stored: Persisted = {}, sockets: FakeSocket[] = []) {
  const saved: Persisted[] = [];
  const unread: number[] = [];
  const s = new Session({
    tenant: "demo",
    origin: "http://chat.test",
    settings: defaultSettings("demo"),
    lang: "en",
    page: "https://shop.test/cart",
    stored,
    persist: (v) => saved.push(v),
    onUnread: (n) => unread.push(n),
    onEvent: () => {},
    createSocket: (url) => {
      const ws = new FakeSocket(url);
      sockets.push(ws);
      return ws as unknown as WebSocket;
    },
  });
  return { s, saved, unread, sockets };
}

// Tabs of one website sharing its storage entry (starting from `initial`): a write is
// heard by the other tabs a moment later (hearAll), as the loader passes the storage
// event on; forget() drops what was not heard yet.
function sharedTabs(count: number, initial: Persisted = {}) {
  let shared: Persisted = initial;
  const tabs = Array.from({ length: count }, () => session(shared));
  const heard: (() => void)[] = [];
  for (const [n, tab] of tabs.entries()) {
    const persist = tab.saved.push.bind(tab.saved);
    tab.saved.push = (...values: Persisted[]) => {
      for (const v of values) {
        shared = v;
        for (const [m, other] of tabs.entries()) if (m !== n) heard.push(() => other.s.storedElsewhere(JSON.parse(JSON.stringify(v))));
      }
      return persist(...values);
    };
  }
  // What was written so far is heard (and what that makes them write is heard next time).
  const hear = () => heard.splice(0).forEach((f) => f());
  // Until nobody writes any more.
  const hearAll = () => {
    for (let i = 0; i < 10 && heard.length; i++) hear();
  };
  return { tabs, hear, hearAll, shared: () => shared, forget: () => void heard.splice(0) };
}

describe("Session", () => {
  // No server here: the REST history a reload asks for is not found unless a test says.
  beforeEach(() => vi.stubGlobal("fetch", async () => new Response("{}", { status: 404 })));
  afterEach(() => vi.unstubAllGlobals());

  it("keeps offering the rating of a closed conversation after a reload, until it is rated or dismissed", () => {
    FakeSocket.made = [];
    const first = session({ t: "tok" });
    first.s.start();
    const ws = FakeSocket.made[0];
    ws.open();
    ws.frame({ type: "welcome", visitor_id: "v1", visitor_token: "tok", conversation: { id: "c1", status: "assigned", agent: { id: "dana", name: "Dana" } } });
    ws.frame({ type: "conversation.closed", conversation_id: "c1", by: "agent" });
    expect(first.s.view.get().rating).toEqual({ id: "c1", rated: null });
    const kept = first.saved.at(-1)!;
    expect(kept).toMatchObject({ r: "c1" });

    // The reload: the server's welcome has no open conversation, the rating is still asked.
    const again = session(kept);
    expect(again.s.view.get().rating).toEqual({ id: "c1", rated: null });
    again.s.rate(4, "quick"); // before the socket is up: sent after the welcome
    const ws2 = FakeSocket.made.at(-1)!;
    ws2.open();
    ws2.frame({ type: "welcome", visitor_id: "v1", visitor_token: "tok2", conversation: null });
    expect(ws2.sent.find((f: any) => f.type === "rate")).toEqual({ type: "rate", conversation_id: "c1", score: 4, comment: "quick" });
    ws2.frame({ type: "rated", conversation_id: "c1", score: 4 });
    expect(again.s.view.get().rating).toEqual({ id: "c1", rated: 4 });
    expect(again.saved.at(-1)?.r).toBeUndefined(); // not offered after the next reload

    // "No thanks" is remembered too; a rating older than the server's 7 days is not offered.
    const third = session(kept);
    third.s.dismissRating();
    expect(third.s.view.get().rating).toBeNull();
    expect(third.saved.at(-1)?.r).toBeUndefined();
    expect(session({ ...kept, rc: Date.now() - 8 * 24 * 3600 * 1000 }).s.view.get().rating).toBeNull();
  });

  it("after a reload shows the closed conversation still to be rated, read with the visitor's token, above the rating", async () => {
    FakeSocket.made = [];
    const asked: { url: string; auth: string | null }[] = [];
    const history = {
      conversation_id: "c1",
      messages: [
        { message_id: "m1", seq: 1, from: { role: "visitor", id: "v1" }, text: "where is my parcel?", ts: 1 },
        { message_id: "m2", seq: 2, from: { role: "agent", id: "dana", name: "Dana" }, text: "It ships today.", ts: 2 },
      ],
      has_more: false,
    };
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      asked.push({ url, auth: new Headers(init?.headers).get("Authorization") });
      return new Response(JSON.stringify(history), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    {
      const { s } = session({ t: "tok", c: "c1", s: 2, r: "c1", rc: Date.now() });
      s.start();
      const ws = FakeSocket.made[0];
      ws.open();
      ws.frame({ type: "welcome", visitor_id: "v1", visitor_token: "tok2", conversation: null });
      await vi.waitFor(() => expect(s.view.get().chat.entries.length).toBeGreaterThan(0));
      expect(asked).toEqual([{ url: "http://chat.test/v1/tenants/demo/conversations/c1/messages?limit=200", auth: "Bearer tok2" }]);
      const chat = s.view.get().chat;
      expect(chat.conversationId).toBe("c1");
      expect(chat.status).toBe("closed"); // read-only: no composer, the rating and "new conversation"
      expect(chat.entries.map((e) => (e.kind === "notice" ? `(${e.notice?.id})` : e.text))).toEqual(["where is my parcel?", "(joined)", "It ships today.", "(closed)"]);
      expect(s.view.get().rating).toEqual({ id: "c1", rated: null });
      // Shown: no read receipt for a closed conversation (the server would answer an error).
      s.setVisible(true);
      expect(ws.sent.filter((f: any) => f.type === "read")).toEqual([]);
    }
  });

  it("a file or a message the server refuses is said in the visitor's language, never in the server's English", async () => {
    // The server answers an upload of a type it does not take (told from its bytes).
    class RefusingXhr {
      status = 0;
      statusText = "";
      responseText = "";
      upload: { onprogress: unknown } = { onprogress: null };
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      open() {}
      setRequestHeader() {}
      send() {
        setTimeout(() => {
          this.status = 415;
          this.responseText = JSON.stringify({ error: { code: "unsupported_type", message: 'files of type application/octet-stream are not accepted here (allowed_types: ["image/png"])' } });
          this.onload?.();
        }, 0);
      }
    }
    vi.stubGlobal("XMLHttpRequest", RefusingXhr);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    FakeSocket.made = [];
    const { s } = session({ t: "tok" });
    s.start();
    const ws = FakeSocket.made[0];
    ws.open();
    ws.frame({ type: "welcome", visitor_id: "v1", visitor_token: "tok", conversation: null });
    await s.attach(new File([new Uint8Array(16)], "noext")); // no type in the browser: left to the server
    ws.frame({ type: "error", code: "unavailable", message: "storage did not answer: timeout" });
    const problems = s.view.get().problems.map((p) => p.problem);
    const limit = defaultSettings("demo").attachments.max_bytes;
    expect(problems.map((p) => problemText(zh, p, limit))).toEqual(["noext 发送失败：不支持此类文件。", "出错了，请重试。"]);
    expect(problems.map((p) => problemText(en, p, limit))).toEqual(["noext could not be sent: this type of file is not accepted.", "Something went wrong. Please try again."]);
    // The server's words are kept for whoever opens the browser's console.
    expect(warn.mock.calls.map((c) => c.join(" ")).join("\n")).toContain("storage did not answer");
    warn.mockRestore();
  });

  it("a message written while the server is away survives a reload: shown as Sending…, sent once it is back, then forgotten", () => {
    FakeSocket.made = [];
    const first = session({ t: "tok", c: "c1" });
    first.s.start();
    const ws = FakeSocket.made[0];
    ws.open();
    ws.frame({ type: "welcome", visitor_id: "v1", visitor_token: "tok", conversation: { id: "c1", status: "assigned", agent: { id: "dana", name: "Dana" } } });
    ws.frame({ type: "message", conversation_id: "c1", message_id: "m1", seq: 1, from: { role: "agent", id: "dana", name: "Dana" }, text: "Hello!", ts: 1 });
    ws.drop();
    first.s.send("Are you still there?");
    const kept = first.saved.at(-1)!;
    expect(kept.p?.map((p) => p.x)).toEqual(["Are you still there?"]);
    const id = kept.p![0].i;

    // The visitor goes to another page of the website (or reloads) before the server is back.
    const again = session(kept);
    expect(again.s.view.get().chat.entries.map((e) => [e.text, e.state])).toEqual([["Are you still there?", "pending"]]);
    again.s.start();
    const ws2 = FakeSocket.made.at(-1)!;
    ws2.open();
    expect(ws2.sent.find((f: any) => f.type === "hello")?.last_seq).toEqual({ c1: 0 }); // the history comes back too
    ws2.frame({ type: "welcome", visitor_id: "v1", visitor_token: "tok", conversation: { id: "c1", status: "assigned", agent: { id: "dana", name: "Dana" } } });
    expect(ws2.sent.filter((f: any) => f.type === "message")).toEqual([expect.objectContaining({ client_msg_id: id, text: "Are you still there?" })]);
    ws2.frame({ type: "message", conversation_id: "c1", message_id: "m1", seq: 1, from: { role: "agent", id: "dana", name: "Dana" }, text: "Hello!", ts: 1 });
    ws2.frame({ type: "ack", client_msg_id: id, conversation_id: "c1", message_id: "m2", seq: 2 });
    expect(again.s.view.get().chat.entries.filter((e) => e.kind === "message").map((e) => [e.text, e.state ?? ""])).toEqual([
      ["Hello!", ""],
      ["Are you still there?", "sent"],
    ]);
    expect(again.saved.at(-1)?.p).toBeUndefined(); // sent: not sent again after the next reload
  });

  describe("two tabs that began as two visitors", () => {
    // Two fresh tabs sharing the website's storage entry; a write is heard by the
    // other tab a moment later (hearAll), as the loader passes the storage event on.
    function twoTabs() {
      const world = sharedTabs(2);
      for (const tab of world.tabs) {
        tab.s.start();
        tab.sockets[0].open();
      }
      return world;
    }
    const welcome = (v: string, conversation: unknown = null) => ({ type: "welcome", visitor_id: v, visitor_token: "tok-" + v, conversation });

    it("agree on one visitor when neither has a conversation: the smaller id", () => {
      const { tabs, hearAll, shared } = twoTabs();
      const [a, b] = tabs;
      a.sockets[0].frame(welcome("v1"));
      b.sockets[0].frame(welcome("v2"));
      hearAll();
      // b connects again as v1; a stays.
      expect(a.sockets).toHaveLength(1);
      expect(b.sockets).toHaveLength(2);
      b.sockets[1].open();
      expect(b.sockets[1].sent[0]).toMatchObject({ type: "hello", visitor_token: "tok-v1" });
      b.sockets[1].frame(welcome("v1"));
      hearAll();
      expect(shared()).toMatchObject({ v: "v1" });
      expect(a.sockets).toHaveLength(1);
      expect(b.sockets).toHaveLength(2); // settled: no more reconnects
    });

    it("agree when only one of them wrote since (the other's write was cleared away)", () => {
      const { tabs, hearAll, forget } = twoTabs();
      const [a, b] = tabs;
      a.sockets[0].frame(welcome("v1"));
      forget(); // the website cleared its storage: b never hears of v1
      b.sockets[0].frame(welcome("v2"));
      hearAll(); // a hears v2, keeps v1 and stores it again; b hears that and comes over
      expect(a.sockets).toHaveLength(1);
      expect(b.sockets).toHaveLength(2);
    });

    it("a tab with no conversation joins the other's, and shows it", () => {
      const { tabs, hearAll, shared } = twoTabs();
      const [a, b] = tabs;
      a.sockets[0].frame(welcome("v9"));
      b.sockets[0].frame(welcome("v0")); // the smaller id, but b has no conversation
      a.s.send("Where is my parcel?"); // before either tab heard of the other
      const sent = a.sockets[0].sent.find((f: any) => f.type === "message") as any;
      a.sockets[0].frame({ type: "ack", client_msg_id: sent.client_msg_id, message_id: "m1", seq: 1, conversation_id: "c1" });
      hearAll();
      expect(a.sockets).toHaveLength(1); // a keeps its conversation
      expect(b.sockets).toHaveLength(2);
      b.sockets[1].open();
      expect(b.sockets[1].sent[0]).toMatchObject({ type: "hello", visitor_token: "tok-v9", last_seq: { c1: 0 } });
      b.sockets[1].frame(welcome("v9", { id: "c1", status: "bot", agent: null }));
      b.sockets[1].frame({ type: "message", conversation_id: "c1", message_id: "m1", seq: 1, from: { role: "visitor" }, text: "Where is my parcel?", ts: 1 });
      expect(b.s.chat.entries.map((e) => e.text)).toEqual(["Where is my parcel?"]);
      hearAll();
      expect(shared()).toMatchObject({ v: "v9", c: "c1" });
    });
  });

  it("two tabs of the website keep each other's unsent messages in the one stored entry", () => {
    vi.useFakeTimers();
    try {
      // The website's localStorage entry, shared by both tabs.
      const { tabs, hear: hearAll, shared } = sharedTabs(2, { t: "tok", c: "c1" });
      const stored = () => (shared().p ?? []).map((p) => p.x).sort();
      const welcome = { type: "welcome", visitor_id: "v1", visitor_token: "tok", conversation: { id: "c1", status: "assigned", agent: { id: "dana", name: "Dana" } } };
      for (const tab of tabs) {
        tab.s.start();
        tab.sockets[0].open();
        tab.sockets[0].frame(welcome);
        tab.sockets[0].drop(); // the server goes away
      }
      const [a, b] = tabs;
      a.s.send("from tab A");
      hearAll();
      b.s.send("from tab B");
      hearAll();
      expect(stored()).toEqual(["from tab A", "from tab B"]);
      // Both write before either hears the other: the one that hears its own
      // missing stores it again.
      a.s.send("A again");
      b.s.send("B again");
      hearAll();
      hearAll();
      expect(stored()).toEqual(["A again", "B again", "from tab A", "from tab B"]);
      // A new page of the website shows all four as Sending….
      expect(session(shared()).s.view.get().chat.entries.map((e) => [e.text, e.state]).sort()).toEqual([
        ["A again", "pending"],
        ["B again", "pending"],
        ["from tab A", "pending"],
        ["from tab B", "pending"],
      ]);
      // The server is back for tab A: its two are acknowledged there, and no tab
      // stores them any more.
      vi.advanceTimersByTime(20000);
      const wsA = a.sockets.at(-1)!;
      wsA.open();
      wsA.frame(welcome);
      for (const [i, f] of wsA.sent.filter((f: any) => f.type === "message").entries())
        wsA.frame({ type: "ack", client_msg_id: f.client_msg_id, conversation_id: "c1", message_id: "m" + i, seq: i + 1 });
      hearAll();
      b.s.send("B third");
      hearAll();
      expect(stored()).toEqual(["B again", "B third", "from tab B"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a message the server refuses for good is marked Not sent, not sent again by itself nor kept for the next page, and Retry sends it", () => {
    vi.useFakeTimers();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      FakeSocket.made = [];
      const { s, saved } = session({ t: "tok" });
      s.start();
      const ws = FakeSocket.made[0];
      ws.open();
      ws.frame({ type: "welcome", visitor_id: "v1", visitor_token: "tok", conversation: null });
      s.send("a message the server will not take");
      const sent = ws.sent.find((f: any) => f.type === "message");
      ws.frame({ type: "error", code: "too_large", message: "frame larger than this tenant's limit", ref: sent.client_msg_id });
      const mine = () => s.view.get().chat.entries.find((e) => e.client_msg_id === sent.client_msg_id)!;
      expect(mine().state).toBe("failed");
      expect(saved.at(-1)?.p).toBeUndefined();
      // A new connection does not send it again.
      ws.drop();
      vi.advanceTimersByTime(2000);
      const ws2 = FakeSocket.made.at(-1)!;
      ws2.open();
      ws2.frame({ type: "welcome", visitor_id: "v1", visitor_token: "tok", conversation: null });
      expect(ws2.sent.filter((f: any) => f.type === "message")).toEqual([]);
      s.retry(sent.client_msg_id);
      expect(mine().state).toBe("pending");
      expect(ws2.sent.filter((f: any) => f.type === "message")).toEqual([expect.objectContaining({ client_msg_id: sent.client_msg_id })]);
      // Storage away a moment (nothing stored): still Sending…, and sent again shortly.
      ws2.frame({ type: "error", code: "unavailable", message: "storage did not answer: timeout", ref: sent.client_msg_id });
      expect(mine().state).toBe("pending");
      vi.advanceTimersByTime(1600);
      expect(ws2.sent.filter((f: any) => f.type === "message")).toHaveLength(2);
    } finally {
      warn.mockRestore();
      vi.useRealTimers();
    }
  });

  it("stops asking for a rating that another tab rated or declined, and keeps that for the next reload", () => {
    const kept = { t: "tok", r: "c1", rc: Date.now() };
    const a = session(kept);
    const b = session(kept);
    expect(b.s.view.get().rating).toEqual({ id: "c1", rated: null });
    a.s.dismissRating();
    const written = a.saved.at(-1)!;
    expect(written).toMatchObject({ rd: "c1" });
    expect(written.r).toBeUndefined();
    b.s.storedElsewhere({}); // something else changed: still asked
    expect(b.s.view.get().rating).toEqual({ id: "c1", rated: null });
    b.s.storedElsewhere(written);
    expect(b.s.view.get().rating).toBeNull();
    // A tab that still wrote the old value (r) before it heard: not asked after a reload.
    expect(session({ ...kept, rd: "c1" }).s.view.get().rating).toBeNull();
    // Rated in a tab: the same.
    const c = session(kept);
    FakeSocket.made = [];
    c.s.start();
    FakeSocket.made[0].open();
    FakeSocket.made[0].frame({ type: "welcome", visitor_id: "v1", visitor_token: "tok", conversation: null });
    FakeSocket.made[0].frame({ type: "rated", conversation_id: "c1", score: 5 });
    expect(c.saved.at(-1)).toMatchObject({ rd: "c1" });
  });

  it("says hello, keeps the token, resends a pending message with the same id after a drop, and resumes with last_seq", () => {
    vi.useFakeTimers();
    FakeSocket.made = [];
    const { s, saved } = session({ t: "old-token" });
    s.start();
    const ws1 = FakeSocket.made[0];
    expect(ws1.url).toBe("ws://chat.test/v1/ws/visitor?tenant=demo");
    ws1.open();
    expect(ws1.sent[0]).toMatchObject({ type: "hello", visitor_token: "old-token", meta: { page: "https://shop.test/cart", lang: "en" } });
    ws1.frame({ type: "welcome", visitor_id: "v1", visitor_token: "new-token", conversation_id: null, conversation: null });
    expect(saved.at(-1)?.t).toBe("new-token");

    s.send("hello?");
    const first = ws1.sent.at(-1);
    expect(first).toMatchObject({ type: "message", text: "hello?" });
    ws1.drop(); // no ack: the message stays pending
    expect(s.view.get().chat.entries[0].state).toBe("pending");
    vi.advanceTimersByTime(600);
    const ws2 = FakeSocket.made[1];
    ws2.open();
    expect(ws2.sent).toHaveLength(1); // hello only, until the welcome
    ws2.frame({ type: "welcome", visitor_id: "v1", visitor_token: "t2", conversation_id: null, conversation: null });
    expect(ws2.sent[1]).toEqual(first); // the same client_msg_id
    ws2.frame({ type: "ack", client_msg_id: first.client_msg_id, message_id: "m1", conversation_id: "c1", seq: 1 });
    ws2.frame({ type: "message", conversation_id: "c1", message_id: "m2", seq: 2, from: { role: "agent", id: "dana", name: "Dana" }, text: "hi", ts: 2 });
    ws2.frame({ type: "message", conversation_id: "c1", message_id: "m2", seq: 2, from: { role: "agent", id: "dana", name: "Dana" }, text: "hi", ts: 2 });
    expect(s.view.get().chat.entries.map((e) => [e.text, e.state ?? null])).toEqual([["hello?", "sent"], ["hi", null]]);
    expect(saved.at(-1)).toMatchObject({ t: "t2", c: "c1" });

    ws2.drop();
    vi.advanceTimersByTime(600);
    FakeSocket.made[2].open();
    expect(FakeSocket.made[2].sent[0]).toMatchObject({ type: "hello", visitor_token: "t2", last_seq: { c1: 2 } });
    vi.useRealTimers();
  });

  it("a message sent while the server is away tries to reconnect at once, not at the end of the back-off", () => {
    vi.useFakeTimers();
    FakeSocket.made = [];
    const { s } = session();
    s.start();
    FakeSocket.made[0].open();
    FakeSocket.made[0].frame({ type: "welcome", visitor_id: "v1", visitor_token: "t1", conversation_id: null, conversation: null });
    FakeSocket.made[0].drop();
    // Five refused tries: the next one is 8-16 s away.
    for (let i = 1; i <= 5; i++) {
      vi.advanceTimersByTime(8000);
      FakeSocket.made[i].drop();
    }
    expect(FakeSocket.made).toHaveLength(6);
    vi.advanceTimersByTime(5000);
    expect(FakeSocket.made).toHaveLength(6);
    s.send("are you there?");
    expect(FakeSocket.made).toHaveLength(7); // tried now
    // Still refused: the back-off starts over at half a second.
    FakeSocket.made[6].drop();
    vi.advanceTimersByTime(600);
    expect(FakeSocket.made).toHaveLength(8);
    const ws = FakeSocket.made[7];
    ws.open();
    ws.frame({ type: "welcome", visitor_id: "v1", visitor_token: "t2", conversation_id: null, conversation: null });
    expect(ws.sent.at(-1)).toMatchObject({ type: "message", text: "are you there?" });
    vi.useRealTimers();
  });

  it("after a reload asks to replay the stored conversation from the start", () => {
    FakeSocket.made = [];
    const { s } = session({ t: "tok", c: "c7", s: 3 });
    s.start();
    FakeSocket.made[0].open();
    expect(FakeSocket.made[0].sent[0]).toMatchObject({ type: "hello", last_seq: { c7: 0 } });
  });

  it("counts unread while hidden, and sends read once shown", () => {
    FakeSocket.made = [];
    const { s, unread } = session({ t: "tok", c: "c1" });
    s.start();
    const ws = FakeSocket.made[0];
    ws.open();
    ws.frame({ type: "welcome", visitor_id: "v1", visitor_token: "tok", conversation_id: "c1", conversation: { id: "c1", status: "assigned", agent: { id: "dana", name: "Dana" } } });
    ws.frame({ type: "message", conversation_id: "c1", message_id: "m1", seq: 1, from: { role: "agent", id: "dana", name: "Dana" }, text: "are you there?", ts: 1 });
    expect(unread.at(-1)).toBe(1);
    expect(ws.sent.some((f) => f.type === "read")).toBe(false);
    s.setVisible(true);
    expect(unread.at(-1)).toBe(0);
    expect(ws.sent.at(-1)).toEqual({ type: "read", conversation_id: "c1", seq: 1 });
  });

  it("refuses a file over the limit without uploading it", async () => {
    const { s } = session();
    await s.attach(new File([new Uint8Array(20)], "big.png", { type: "image/png" }), { ...defaultSettings("demo"), attachments: { enabled: true, max_bytes: 10, allowed_types: ["image/png"] } });
    expect(s.view.get().problems[0].problem).toEqual({ kind: "refused", name: "big.png", refusal: { reason: "too_large", limit: "10 B" } });
  });
});

describe("Session and the website's identify()", () => {
  it("says hello again without the website's claims when the server refuses them", () => {
    FakeSocket.made = [];
    const { s } = session();
    s.identify({ name: "Ada", email: "not-an-email", attributes: { plan: "pro" } });
    s.start();
    const ws = FakeSocket.made[0];
    ws.open();
    expect(ws.sent[0]).toMatchObject({ type: "hello", name: "Ada", email: "not-an-email", meta: { plan: "pro" } });
    ws.frame({ type: "error", code: "bad_field", message: "email must be an email address" });
    expect(ws.sent[1].type).toBe("hello");
    expect(ws.sent[1].email).toBeUndefined();
    ws.frame({ type: "welcome", visitor_id: "v1", visitor_token: "t", conversation_id: null, conversation: null });
    expect(s.view.get().welcomed).toBe(true);
  });
});
