/** @jsxImportSource react */
// The Conversations page names each visitor as the agent console does ("Visitor
// a3ff0f", or the name they gave), in the list and in the history, not by the raw
// visitor id.
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Conversations } from "./Conversations";

const kSession = { tenant: "demo", agent: { id: "alex", name: "Alex", role: "admin" as const }, csrf: "c" };
const kVisitor = "v_5bda2ec9802ab741fda35e0449a3ff0f";
const kConv = { id: "c_1", status: "closed", visitor_id: kVisitor, visitor_name: "", visitor: { id: kVisitor, name: "" }, group: "support", tags: [], created_at: 1, last_seq: 2 };
const kNamed = { ...kConv, id: "c_2", visitor_id: "v_2", visitor_name: "Ada", visitor: { id: "v_2", name: "Ada" } };
const kHistory = [
  { message_id: "m1", seq: 1, from: { role: "visitor", id: kVisitor }, text: "Where is my parcel?", ts: 1 },
  { message_id: "m2", seq: 2, from: { role: "agent", id: "dana", name: "Dana" }, text: "On its way.", ts: 2 },
];

describe("the Conversations page", () => {
  let root: Root | null = null;
  let host: HTMLElement;
  beforeEach(() => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    host = document.createElement("div");
    document.body.append(host);
    vi.stubGlobal("fetch", async (url: string) => {
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
      if (url.includes("/conversations/c_1/messages")) return json({ conversation_id: "c_1", messages: kHistory, has_more: false });
      if (url.includes("/conversations?") || url.endsWith("/conversations")) return json({ conversations: [kConv, kNamed] });
      if (url.includes("/routing/catalog")) return json({ groups: [{ id: "support", name: "Customer support" }] });
      return json({});
    });
  });
  afterEach(() => {
    act(() => root?.unmount());
    host.remove();
    vi.unstubAllGlobals();
  });

  async function settle(until: () => boolean) {
    for (let i = 0; i < 50 && !until(); i++) await act(() => new Promise((r) => setTimeout(r, 10)));
  }

  it("names a conversation's group as the group filter does", async () => {
    await act(async () => {
      root = createRoot(host);
      root.render(<Conversations session={kSession} lang="en" onExpired={() => {}} />);
    });
    const groupCells = () => [...host.querySelectorAll(".conversations-table tbody tr")].map((tr) => tr.querySelectorAll("td")[4]?.textContent);
    await settle(() => groupCells()[0] === "Customer support");
    expect(groupCells()).toEqual(["Customer support", "Customer support"]);
  });

  for (const [lang, anonymous] of [["en", "Visitor a3ff0f"], ["zh", "访客 a3ff0f"]] as const) {
    it(`calls an anonymous visitor "${anonymous}" in the list and in the history (${lang})`, async () => {
      await act(async () => {
        root = createRoot(host);
        root.render(<Conversations session={kSession} lang={lang} onExpired={() => {}} />);
      });
      await settle(() => !!host.querySelector(".conversations-table tbody tr"));
      const cells = [...host.querySelectorAll(".conversations-table tbody tr")].map((tr) => tr.querySelectorAll("td")[1]?.textContent);
      expect(cells).toEqual([anonymous, "Ada"]);
      await act(async () => host.querySelector<HTMLButtonElement>(".conversations-table tbody tr button")!.click());
      await settle(() => !!host.querySelector(".history li"));
      const lines = [...host.querySelectorAll(".history li")].map((li) => li.textContent ?? "");
      expect(lines[0]).toContain(`#1 · ${anonymous} (`);
      expect(lines[0]).not.toContain(kVisitor);
      expect(lines[1]).toContain("#2 · Dana (");
    });
  }

  it("shows a conversation whose visitor left the queue as missed", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ conversations: [{ ...kConv, abandoned_at: 5, closed_at: 5 }, kNamed] }), { status: 200 }));
    await act(async () => {
      root = createRoot(host);
      root.render(<Conversations session={kSession} lang="en" onExpired={() => {}} />);
    });
    await settle(() => !!host.querySelector(".conversations-table tbody tr"));
    const statuses = [...host.querySelectorAll(".conversations-table tbody tr")].map((tr) => tr.querySelectorAll("td")[2]?.textContent);
    expect(statuses).toEqual(["Missed: left the queue", "Closed"]);
  });

  it("writes dates with the month in words, never as 07/12/2026 (July or December?)", async () => {
    const at = new Date(2026, 11, 7, 13, 21, 25).getTime();
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ conversations: [{ ...kConv, created_at: at }] }), { status: 200 }));
    await act(async () => {
      root = createRoot(host);
      root.render(<Conversations session={kSession} lang="en" onExpired={() => {}} />);
    });
    await settle(() => !!host.querySelector(".conversations-table tbody tr"));
    const created = host.querySelectorAll(".conversations-table tbody tr td")[6]?.textContent ?? "";
    expect(created).toMatch(/^7 Dec 2026, 13:21:25$/);
  });
});
