import { render } from "preact";
import { describe, expect, it } from "vitest";
import type { Store } from "../store";
import { StoreContext, useApp } from "./context";
import { initials, RichText } from "./RichText";
import { VisitorPanel } from "./VisitorPanel";
import { Composer } from "./Composer";
import { Inbox } from "./Inbox";
import { TopBar } from "./TopBar";
import { emptyInbox, inboxReducer } from "../model/inbox";
import { translator, type Lang } from "../i18n";
import type { Conv } from "../model/types";

// Renders a component under a (fake) store into a new element.
function withStore(store: unknown, node: preact.ComponentChild, root = document.createElement("div")): HTMLElement {
  render(<StoreContext.Provider value={store as Store}>{node}</StoreContext.Provider>, root);
  return root;
}

describe("RichText", () => {
  it("renders visitor HTML as text and only http(s) links as links", () => {
    const root = document.createElement("div");
    render(<RichText text={'<img src=x onerror=alert(1)> see https://example.com/a, javascript:alert(2)'} />, root);
    expect(root.querySelector("img")).toBeNull();
    expect(root.textContent).toBe("<img src=x onerror=alert(1)> see https://example.com/a, javascript:alert(2)");
    const links = root.querySelectorAll("a");
    expect(links.length).toBe(1);
    expect(links[0].getAttribute("href")).toBe("https://example.com/a");
    expect(links[0].getAttribute("rel")).toContain("noopener");
  });
});

describe("useApp", () => {
  it("shows a change made between the first render and the subscription", async () => {
    // A minimal store: the hook only reads state and subscribes.
    const listeners = new Set<() => void>();
    const store = {
      state: { phase: "loading" },
      subscribe(fn: () => void) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
      set(phase: string) {
        this.state = { phase };
        for (const fn of listeners) fn();
      },
    };
    function Phase() {
      const [state] = useApp();
      return <p>{state.phase}</p>;
    }
    const root = withStore(store, <Phase />);
    store.set("signed-out"); // before Preact ran the effects: nobody listens yet
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(root.textContent).toBe("signed-out");
  });
});

describe("initials", () => {
  it("shows a Chinese, Japanese or Korean name by its first character, a Latin one by first and last initials", () => {
    expect(initials("访客 1d7638")).toBe("访");
    expect(initials("王小明")).toBe("王");
    expect(initials("さくら 田中")).toBe("さ");
    expect(initials("김민준")).toBe("김");
    expect(initials("Ada Lovelace")).toBe("AL");
    expect(initials("ada")).toBe("A");
    expect(initials("Visitor 1d7638")).toBe("V1");
    expect(initials("  ")).toBe("?");
  });
});

describe("the tag input", () => {
  function panel(lang: Lang, tags: string[] = []) {
    const sent: unknown[] = [];
    const store = {
      state: { lang, earlier: {} },
      t: translator(lang),
      subscribe: () => () => {},
      tag: (id: string, change: unknown) => sent.push({ id, change }),
    };
    const conv: Conv = { id: "c1", status: "assigned", visitor: { id: "v1", name: "访客 1d7638", meta: {} }, assignee: "a1", created_at: 0, last_seq: 3, tags };
    const root = document.createElement("div");
    document.body.append(root);
    withStore(store, <VisitorPanel conv={conv} open={true} />, root);
    const input = root.querySelector<HTMLInputElement>(".tag-form input")!;
    const add = async (text: string) => {
      input.value = text;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((resolve) => setTimeout(resolve, 0));
      root.querySelector<HTMLFormElement>(".tag-form")!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    const problem = () => root.querySelector('[role="alert"]')?.textContent ?? null;
    return { root, input, add, sent, problem };
  }

  it("refuses a sentence in the page's language, keeps it to shorten, and sends a short tag trimmed", async () => {
    const p = panel("zh");
    await p.add("The customer wants a refund for the paper lamp they bought");
    expect(p.sent).toEqual([]);
    expect(p.problem()).toBe("标签太长：最多 32 个字符（中文最多 21 个字）。");
    expect(p.input.value).toBe("The customer wants a refund for the paper lamp they bought");
    expect(p.input.getAttribute("aria-invalid")).toBe("true");
    await p.add("  需要 退款 ");
    expect(p.sent).toEqual([{ id: "c1", change: { add: ["需要 退款"] } }]);
    expect(p.problem()).toBeNull();
    expect(p.input.value).toBe("");
    // 22 Chinese characters are 66 bytes: over the server's 64.
    await p.add("一二三四五六七八九十一二三四五六七八九十一二");
    expect(p.sent.length).toBe(1);
    expect(p.problem()).toContain("标签太长");
    await p.add("   ");
    expect(p.sent.length).toBe(1);
  });

  it("refuses control characters and a 33rd tag, in English on an English page", async () => {
    const p = panel("en", Array.from({ length: 32 }, (_, i) => `t${i}`));
    await p.add("refund\u0007");
    expect(p.problem()).toBe("A tag is one line of text, without line breaks or control characters.");
    await p.add("refund");
    expect(p.problem()).toBe("A conversation has at most 32 tags: remove one first.");
    expect(p.sent).toEqual([]);
  });
});

describe("the composer", () => {
  // A store whose limit is `limit` characters (the real one counts the frame's bytes).
  function composer(lang: Lang, limit: number) {
    const sent: string[] = [];
    const over = (text: string) => Math.max(0, Array.from(text.trim()).length - limit);
    const store = {
      state: { lang, noteMode: false, canned: [], attachments: null, composerFocus: 0 },
      t: translator(lang),
      subscribe: () => () => {},
      typing: () => {},
      draft: () => "",
      saveDraft: () => {},
      charactersOver: (_id: string, text: string) => over(text),
      sendMessage: (_id: string, text: string) => {
        if (over(text)) return over(text);
        sent.push(text);
        return 0;
      },
    };
    const conv: Conv = { id: "c1", status: "assigned", visitor: { id: "v1", name: "Ada", meta: {} }, assignee: "a1", created_at: 0, last_seq: 3, tags: [] };
    const root = document.createElement("div");
    document.body.append(root);
    withStore(store, <Composer conv={conv} />, root);
    const area = root.querySelector<HTMLTextAreaElement>("textarea")!;
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
    const type = async (text: string) => {
      area.value = text;
      area.dispatchEvent(new Event("input", { bubbles: true }));
      await settle();
    };
    const send = async () => {
      root.querySelector<HTMLButtonElement>(".composer-row button.primary")!.click();
      await settle();
    };
    const problem = () => root.querySelector('[role="alert"]')?.textContent ?? null;
    return { root, area, type, send, sent, problem };
  }

  it("keeps a too-long reply in the composer, says in the agent's language how much to cut, and sends it once short enough", async () => {
    const c = composer("zh", 10);
    await c.type("一二三四五六七八九十一二");
    await c.send();
    expect(c.sent).toEqual([]);
    expect(c.area.value).toBe("一二三四五六七八九十一二");
    expect(c.problem()).toBe("内容太长，无法发送：请删去 2 个字，或分成两条发送。您的文字仍保留在输入框中。");
    expect(c.area.getAttribute("aria-invalid")).toBe("true");
    expect(c.area.getAttribute("aria-describedby")).toBe(c.root.querySelector('[role="alert"]')!.id);
    expect(c.root.textContent).not.toContain("重试");
    await c.type("一二三四五六七八九十一");
    expect(c.problem()).toBe("内容太长，无法发送：请删去 1 个字。您的文字仍保留在输入框中。");
    await c.type("一二三四五六七八九十");
    expect(c.problem()).toBeNull();
    await c.send();
    expect(c.sent).toEqual(["一二三四五六七八九十"]);
    expect(c.area.value).toBe("");
  });

  it("says it in English on an English console", async () => {
    const c = composer("en", 3);
    await c.type("abcdefgh");
    await c.send();
    expect(c.problem()).toBe("Too long to send: remove 5 characters, or send it as two messages. Your text is still here.");
    expect(c.area.value).toBe("abcdefgh");
  });
});

describe("the inbox's draft mark", () => {
  function inbox(lang: Lang, drafted: Record<string, true>, drafts: Record<string, string> = { c1: "Hello Ada", c2: "Your parcel\n<b>left</b> today" }) {
    const convs: Conv[] = [
      { id: "c1", status: "assigned", visitor: { id: "v1", name: "Ada", meta: {} }, assignee: "dana", created_at: 1, last_seq: 1, tags: [] },
      { id: "c2", status: "assigned", visitor: { id: "v2", name: "Bo", meta: {} }, assignee: "dana", created_at: 2, last_seq: 1, tags: [] },
    ];
    const store = {
      state: { lang, tab: "mine", filters: { tag: "", group: "" }, groups: [], agents: [], typing: {}, selected: "c1", drafted, inbox: inboxReducer(emptyInbox("dana", false), { type: "welcome", conversations: convs }) },
      t: translator(lang),
      subscribe: () => () => {},
      visitorName: (c: Conv) => c.visitor.name,
      groupName: (g: string) => g,
      draft: (id: string) => drafts[id] ?? "",
    };
    const root = withStore(store, <Inbox />);
    const item = (name: string) => [...root.querySelectorAll<HTMLButtonElement>(".conv-open")].find((b) => b.textContent?.includes(name))!;
    return { root, item };
  }

  it("marks a conversation with an unsent draft, by sight and in its accessible name", () => {
    const en = inbox("en", { c2: true });
    expect(en.item("Bo").getAttribute("aria-label")).toBe("Bo, unsent draft");
    expect(en.item("Bo").querySelector(".draft-mark")?.textContent?.trim()).toBe("Draft:");
    expect(en.item("Ada").getAttribute("aria-label")).toBe("Ada");
    expect(en.item("Ada").querySelector(".draft-mark")).toBeNull();
    const zh = inbox("zh", { c2: true });
    expect(zh.item("Bo").getAttribute("aria-label")).toBe("Bo, 有草稿");
    expect(zh.item("Bo").querySelector(".draft-mark")?.textContent?.trim()).toBe("草稿：");
  });

  it("shows the draft's words, as text, where the last message would be", () => {
    const en = inbox("en", { c2: true });
    const sub = en.item("Bo").querySelector(".conv-sub")!;
    expect(sub.textContent?.replace(/\s+/g, " ").trim()).toBe("Draft: Your parcel <b>left</b> today");
    expect(sub.querySelector("b")).toBeNull();
  });

  it("leaves the open conversation unmarked: its draft is in the composer", () => {
    const en = inbox("en", { c1: true, c2: true });
    expect(en.item("Ada").querySelector(".draft-mark")).toBeNull();
    expect(en.item("Ada").getAttribute("aria-label")).toBe("Ada");
    expect(en.item("Bo").getAttribute("aria-label")).toBe("Bo, unsent draft");
  });
});

describe("TopBar", () => {
  // The presence control as the agent sees it, with a fake store's state.
  function presence(lang: Lang, connection: string, wasOpen: boolean): HTMLSelectElement {
    const state = { session: { tenant: "demo", agent: { id: "dana", name: "Dana", role: "agent" } }, status: "away", connection, wasOpen, sound: false, desktop: "unsupported", lang };
    const store = { state, t: translator(lang), subscribe: () => () => {} };
    return withStore(store, <TopBar />).querySelector("select[aria-label]") as HTMLSelectElement;
  }

  it("says the agent is offline while the connection is lost, and shows the chosen status again once it is back", () => {
    const lost = presence("en", "reconnecting", true);
    expect(lost.selectedOptions[0].textContent).toBe("Offline — reconnecting");
    expect(lost.disabled).toBe(true);
    expect(presence("zh", "reconnecting", true).selectedOptions[0].textContent).toBe("离线 — 正在重连");
    const back = presence("en", "open", true);
    expect(back.selectedOptions[0].textContent).toBe("Away");
    expect(back.disabled).toBe(false);
    expect([...back.options].map((o) => o.value)).toEqual(["online", "away", "offline"]);
    // Not yet connected the first time: no banner, no "reconnecting".
    expect(presence("en", "reconnecting", false).selectedOptions[0].textContent).toBe("Away");
  });
});
