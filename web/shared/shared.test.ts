import { describe, expect, it, vi } from "vitest";
import { backoffDelayMs, ReconnectingSocket } from "./socket";
import { splitLinks } from "./text";
import { format, languageName, pickLanguage, translate } from "./i18n";
import { FakeSocket } from "./fake-socket";

describe("splitLinks", () => {
  it("keeps HTML as text and makes only web links clickable", () => {
    expect(splitLinks("<img src=x onerror=alert(1)>")).toEqual([{ kind: "text", text: "<img src=x onerror=alert(1)>" }]);
    expect(splitLinks("javascript:alert(1)")).toEqual([{ kind: "text", text: "javascript:alert(1)" }]);
  });
  it("finds links in a sentence and leaves the full stop out", () => {
    expect(splitLinks("See https://shop.example/a?b=1. Thanks")).toEqual([
      { kind: "text", text: "See " },
      { kind: "link", text: "https://shop.example/a?b=1", href: "https://shop.example/a?b=1" },
      { kind: "text", text: ". Thanks" },
    ]);
    expect(splitLinks("看 www.example.com。")).toEqual([
      { kind: "text", text: "看 " },
      { kind: "link", text: "www.example.com", href: "https://www.example.com" },
      { kind: "text", text: "。" },
    ]);
  });
});

describe("i18n", () => {
  it("picks Chinese for any zh tag and English otherwise", () => {
    expect(pickLanguage([undefined, "zh-TW"])).toBe("zh");
    expect(pickLanguage(["", "de-DE", "en-GB"])).toBe("en");
    expect(pickLanguage(["fr"])).toBe("en");
    expect(format("{n} in line", { n: 3 })).toBe("3 in line");
  });
  it("names a visitor's language in the reader's language, and keeps what it cannot name", () => {
    expect(languageName("zh-CN", "en")).toBe("Chinese (China)");
    expect(languageName("zh", "zh")).toBe("中文");
    expect(languageName("en-GB", "zh")).toMatch(/英.*英语|英语.*英/); // ICU says 英国英语
    expect(languageName(" en ", "en")).toBe("English");
    expect(languageName("not a tag!", "en")).toBe("not a tag!");
    expect(languageName("", "en")).toBe("");
  });
  it("says a count of one in the singular where the table has the form, and never falls back to English for it", () => {
    const en = { "count": "{n} replies", "count.one": "1 reply", "other": "Other" };
    const zh = { "count": "{n} 条回复" };
    expect(translate(en, en, "count", { n: 1 })).toBe("1 reply");
    expect(translate(en, en, "count", { n: 0 })).toBe("0 replies");
    expect(translate(en, en, "count", { n: 2 })).toBe("2 replies");
    expect(translate(zh, en, "count", { n: 1 })).toBe("1 条回复");
    expect(translate(zh, en, "other")).toBe("Other");
    expect(translate(zh, en, "missing")).toBe("missing");
  });
});


describe("ReconnectingSocket", () => {
  it("backs off exponentially up to the cap", () => {
    const one = () => 1;
    expect(backoffDelayMs(0, 500, 15000, one)).toBe(500);
    expect(backoffDelayMs(3, 500, 15000, one)).toBe(4000);
    expect(backoffDelayMs(10, 500, 15000, one)).toBe(15000);
    expect(backoffDelayMs(1, 500, 15000, () => 0)).toBe(750);
  });

  it("reconnects after a drop, says so, and hands each new connection to onOpen", () => {
    vi.useFakeTimers();
    FakeSocket.made = [];
    const states: string[] = [];
    let opens = 0;
    const frames: unknown[] = [];
    const socket = new ReconnectingSocket({
      url: () => "ws://x/v1/ws/visitor",
      onOpen: () => opens++,
      onFrame: (f) => frames.push(f),
      onState: (s) => states.push(s),
      create: (url) => new FakeSocket(url) as unknown as WebSocket,
      random: () => 1,
    });
    socket.start();
    expect(socket.send({ type: "ping" })).toBe(false);
    FakeSocket.made[0].open();
    expect(socket.send({ type: "ping" })).toBe(true);
    FakeSocket.made[0].onmessage?.({ data: '{"type":"pong"}' });
    FakeSocket.made[0].onmessage?.({ data: "not json" });
    expect(frames).toEqual([{ type: "pong" }]);
    FakeSocket.made[0].drop();
    expect(states).toEqual(["open", "reconnecting"]);
    vi.advanceTimersByTime(499);
    expect(FakeSocket.made.length).toBe(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.made.length).toBe(2);
    FakeSocket.made[1].open();
    expect(opens).toBe(2);
    expect(states.at(-1)).toBe("open");
    vi.useRealTimers();
  });

  it("gives up a connection that looks open when the network is gone, and tries again later", () => {
    vi.useFakeTimers();
    FakeSocket.made = [];
    const states: string[] = [];
    const socket = new ReconnectingSocket({
      url: () => "ws://x",
      onOpen: () => {},
      onFrame: () => {},
      onState: (s) => states.push(s),
      create: (url) => new FakeSocket(url) as unknown as WebSocket,
      random: () => 1,
    });
    socket.start();
    FakeSocket.made[0].open();
    socket.networkLost();
    expect(states).toEqual(["open", "reconnecting"]);
    expect(FakeSocket.made[0].readyState).toBe(3);
    expect(socket.send({ type: "ping" })).toBe(false);
    // The old socket's late close is not a second failure.
    FakeSocket.made[0].drop();
    socket.networkLost();
    vi.advanceTimersByTime(500);
    expect(FakeSocket.made.length).toBe(2);
    FakeSocket.made[1].open();
    expect(states.at(-1)).toBe("open");
    vi.useRealTimers();
  });

  it("stops for good on a final close", () => {
    vi.useFakeTimers();
    FakeSocket.made = [];
    const finals: number[] = [];
    const socket = new ReconnectingSocket({
      url: () => "ws://x",
      onOpen: () => {},
      onFrame: () => {},
      isFinal: (code) => code === 4001,
      onFinal: (code) => finals.push(code),
      create: (url) => new FakeSocket(url) as unknown as WebSocket,
    });
    socket.start();
    FakeSocket.made[0].open();
    FakeSocket.made[0].drop(4001);
    vi.advanceTimersByTime(60000);
    expect(FakeSocket.made.length).toBe(1);
    expect(finals).toEqual([4001]);
    expect(socket.state).toBe("closed");
    vi.useRealTimers();
  });
});
