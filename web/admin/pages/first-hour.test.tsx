/** @jsxImportSource react */
// What a new workspace's admin met in the first hour (walk of 2026-12-07): the
// Groups page named agents added on the Team page by their ids (a_…), and the
// Knowledge page said nothing while no routing rule handed visitors to the bot, so
// the entries just saved were never answered from the widget; a refused erasure
// spoke the server's English in the Chinese page.
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GroupsPage } from "./Groups";
import { VisitorData } from "./VisitorData";
import { KnowledgePage } from "./Knowledge";
import { pagesApi } from "./api";
import { botReached } from "./botReach";
import { pagesTranslator } from "./text";

const kSession = { tenant: "bakery", agent: { id: "rosa", name: "Rosa", role: "admin" as const }, csrf: "c" };
const kGroup = { id: "cakes", name: "Cakes", timezone: "UTC", hours: null, holidays: [], max_queue_length: 0, max_wait_s: 0, on_queue_limit: "message", queue_limit_message: "", etag: "e", agents: ["a_c845511beea4", "gone"], rules: [] };
const kTeam = [{ id: "a_c845511beea4", email: "lin@bakery.test", name: "Lin Mei", role: "agent", groups: ["cakes"], max_concurrent: 5, source: "api" }];
const kNoRules = { rules: [], actions: [], fallback: { id: "fallback" }, edges: [] };
const kBotRule = { rules: [{ id: "r", match: "all", conditions: [] }], actions: [{ id: "b", type: "bot" }], fallback: { id: "fallback" }, edges: [{ from: "r", to: "b" }] };
const kToAgents = { rule: "fallback", rule_index: -1, actions: [], agent: null, group: "", chain: ["routing-least-busy"] };
const kBotFirst = { rule: "fallback", rule_index: -1, actions: [], agent: null, note: "the bot takes it first" };

describe("a new workspace's admin pages", () => {
  let root: Root | null = null;
  let host: HTMLElement;
  let graph: unknown = kNoRules;
  let dryRun: unknown = kToAgents;
  beforeEach(() => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    host = document.createElement("div");
    document.body.append(host);
    vi.stubGlobal("fetch", async (url: string) => {
      const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
      if (url.endsWith("/groups")) return json({ groups: [kGroup] });
      if (url.endsWith("/agents")) return json({ agents: kTeam });
      if (url.endsWith("/routing")) return json(graph);
      if (url.endsWith("/routing/dry-run")) return json(dryRun);
      if (url.endsWith("/data")) return json({ error: { code: "conversation_open", message: "the visitor's conversation c_1 is with an agent; the agent closes it, then erase" } }, 409);
      if (url.endsWith("/kb")) return new Response("", { status: 200, headers: { ETag: '"1"' } });
      return json({ error: { code: "not_found" } }, 404);
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
  const render = async (node: React.ReactNode) =>
    act(async () => {
      root = createRoot(host);
      root.render(node);
    });

  it("names a group's agents as the Team page does", async () => {
    await render(<GroupsPage pt={pagesTranslator("en")} lang="en" api={pagesApi(kSession)} onExpired={() => {}} />);
    const members = () => host.querySelector(".group-line.muted")?.textContent ?? "";
    await settle(() => members().includes("Lin Mei"));
    expect(members()).toBe("Agents: Lin Mei, gone");
  });

  it("says on the Knowledge page when no rule hands visitors to the bot, with the way to Routing", async () => {
    await render(<KnowledgePage t={pagesTranslator("zh")} lang="zh" api={pagesApi(kSession)} session={kSession} onExpired={() => {}} />);
    const note = () => host.querySelector(".kb-unreached");
    await settle(() => !!note());
    expect(note()?.textContent).toContain("没有路由规则把会话交给它");
    expect(note()?.querySelector("a")?.getAttribute("href")).toBe("#routing");
  });

  it("says nothing once a rule or the fallback gets the bot", async () => {
    graph = kBotRule;
    await render(<KnowledgePage t={pagesTranslator("en")} lang="en" api={pagesApi(kSession)} session={kSession} onExpired={() => {}} />);
    await settle(() => !!host.querySelector(".kb-rows"));
    await act(() => new Promise((r) => setTimeout(r, 30)));
    expect(host.querySelector(".kb-unreached")).toBeNull();
    graph = kNoRules;
  });

  it("says in the admin's language why an erasure was refused, and what to do", async () => {
    await render(<VisitorData session={kSession} lang="zh" visitor={{ id: "v_1" }} onErased={() => {}} />);
    await act(async () => host.querySelectorAll<HTMLButtonElement>(".visitor-data button")[1].click());
    await act(async () => host.querySelector<HTMLButtonElement>("[role=alertdialog] button:last-child")!.click());
    const alert = () => host.querySelector(".visitor-data [role=alert]")?.textContent ?? "";
    await settle(() => alert() !== "");
    expect(alert()).toContain("请客服在工作台关闭该会话");
    expect(alert()).not.toMatch(/agent closes|visitor.s/);
  });

  it("counts bot_first (the fallback starts with the bot) as reaching it", () => {
    expect(botReached(kNoRules, kBotFirst)).toBe(true);
    expect(botReached(kNoRules, kToAgents)).toBe(false);
    expect(botReached(kBotRule, null)).toBe(true);
  });
});
