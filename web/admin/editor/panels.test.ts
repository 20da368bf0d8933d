import { describe, expect, it } from "vitest";
import { actionName, actionNames, describeAction, describeCondition, describeProblem, duration, edgeName, groupNames } from "../describe";
import type { Graph } from "../graph/model";
import { translator } from "../i18n";
import { noteText, parseAttributes, sampleToInput, emptySample } from "./TestPanel";

const en = translator("en");
const zh = translator("zh");

describe("the test panel's sample visitor", () => {
  it("reads key=value lines with numbers and booleans as such", () => {
    expect(parseAttributes("vip=true\nplan = gold\n\nitems=3\nnote=")).toEqual({ attributes: { vip: true, plan: "gold", items: 3, note: "" }, badLine: null });
    expect(parseAttributes("ok=1\nbroken").badLine).toBe(2);
  });

  it("sends only what was filled in", () => {
    expect(sampleToInput(emptySample)).toEqual({});
    expect(sampleToInput({ ...emptySample, attributes: "vip=true", waited: "360", afterBot: true, language: " de " })).toEqual({ attributes: { vip: true }, waited_s: 360, after_bot: true, language: "de" });
    expect(sampleToInput({ ...emptySample, attributes: "=x" })).toEqual({ error: 1 });
  });
});

describe("the test panel's note", () => {
  it("says the server's notes in Chinese on a Chinese page, names kept", () => {
    expect(noteText(zh, "the bot takes it")).toBe("由机器人接待");
    expect(noteText(zh, "the bot takes it first")).toBe("机器人先接待");
    expect(noteText(zh, "it waits in the queue of group support")).toBe("在分组 support 的队列中等待");
    expect(noteText(zh, "nobody in group sales can take a conversation now: it would wait in the queue")).toBe("分组 sales 现在没有人能接待：会在队列中等待");
    expect(noteText(zh, "routing-manual offers it to every eligible agent; the first to accept gets it")).toBe("routing-manual 会把它提供给每位符合条件的客服，先接受的客服接待");
    expect(noteText(zh, "routing-external decides later (it answers asynchronously)")).toBe("routing-external 稍后决定（它异步作答）");
    expect(noteText(zh, "every strategy of the chain deferred: it would wait in the queue")).toBe("策略链中的每个策略都未作决定：会在队列中等待");
    // In English as the server says it; a note it does not know, as it came.
    expect(noteText(en, "it waits in the queue of group support")).toBe("it waits in the queue of group support");
    expect(noteText(zh, "something new")).toBe("something new");
  });
});

describe("texts", () => {
  it("says conditions and actions in words, in both languages", () => {
    expect(describeCondition(en, { id: "c", type: "attribute", key: "vip", op: "eq", value: true })).toBe("vip = true");
    expect(describeCondition(en, { id: "c", type: "waited", seconds: 300 })).toBe("waited ≥ 5 min");
    expect(describeCondition(zh, { id: "c", type: "business_hours", group: "support", state: "closed" })).toBe("support 休息中");
    expect(describeAction(en, { id: "a", type: "route", group: "sales", chain: ["routing-skills", "routing-least-busy"] })).toEqual(["to sales", "by routing-skills → routing-least-busy"]);
    expect(describeAction(zh, { id: "a", type: "bot" })).toEqual(["由机器人回答"]);
    expect(duration(en, 7200)).toBe("2 h");
  });

  it("names groups by their names where the workspace has them, by id otherwise", () => {
    const names = groupNames([{ id: "support", name: "Customer support" }, { id: "sales" }]);
    expect(describeAction(en, { id: "a", type: "queue", group: "support" }, names)).toEqual(["wait for Customer support"]);
    expect(describeAction(en, { id: "a", type: "route", group: "sales" }, names)[0]).toBe("to sales");
    expect(describeCondition(zh, { id: "c", type: "group_available", group: "support" }, names)).toMatch(/^Customer support /);
    expect(actionName(en, { id: "a", type: "route", group: "support" }, names)).toBe("Route: to Customer support");
    // An edge, as a screen reader hears it, names the group as its node shows it.
    const graph: Graph = { rules: [{ id: "r", name: "VIP", conditions: [], actions: [] } as never], actions: [{ id: "a", type: "route", group: "support" }], fallback: { id: "fallback" }, edges: [] };
    expect(edgeName(en, graph, "r", "a", names)).toBe("From Rule 1: VIP to Route: to Customer support");
    expect(edgeName(zh, graph, "r", "a", names)).toBe("从 规则 1：VIP 到 分配：分配给 Customer support");
  });

  it("uses the server's words for its problems and ours for our own", () => {
    expect(describeProblem(en, { severity: "error", code: "bad_glob", message: "glob 'x[' never closed" })).toBe("glob 'x[' never closed");
    expect(describeProblem(zh, { severity: "error", code: "unknown_group", params: { group: "vip" } })).toBe("“vip”不是此工作区的分组");
  });

  it("has every English text in Chinese too", async () => {
    const { hasKey } = await import("../i18n");
    expect(hasKey("tb.save")).toBe(true);
    const sample = ["tb.save", "versions.title", "palette.title", "banner.expired", "cond.valueType"] as const;
    for (const key of sample) expect(zh(key)).not.toBe(en(key));
  });
});

describe("edges in words", () => {
  const graph: Graph = {
    rules: [
      { id: "rule_1", name: "VIP visitors", conditions: [], actions: [] } as never,
      { id: "rule_2", conditions: [], actions: [] } as never,
    ],
    actions: [
      { id: "act_1", type: "route", group: "support" },
      { id: "act_2", type: "message", text: "We are away for the holidays and answer from January the 3rd on." },
    ],
    fallback: { id: "fallback" },
    edges: [],
  };
  it("names the nodes an edge joins, never the ids the editor made up, in both languages", () => {
    expect(edgeName(en, graph, "rule_1", "act_1")).toBe("From Rule 1: VIP visitors to Route: to support");
    expect(edgeName(en, graph, "rule_2", "act_2")).toBe("From Rule 2 to Message: “We are away for the holidays and answe…”");
    expect(edgeName(en, graph, "fallback", "act_1")).toBe("From Otherwise to Route: to support");
    expect(edgeName(zh, graph, "rule_1", "act_1")).toMatch(/^从 规则 1：VIP visitors 到 分配：/);
    expect(edgeName(zh, graph, "fallback", "act_1")).not.toMatch(/act_|rule_|fallback/);
  });
});

describe("the inspector's list of what may follow", () => {
  it("tells two actions that read the same apart by their ids, and leaves the others alone", () => {
    const actions = [
      { id: "action-2", type: "message", text: "" },
      { id: "action-3", type: "message", text: "" },
      { id: "action-4", type: "bot" },
    ] as Graph["actions"];
    expect(actionNames(en, actions)).toEqual(["Message: (empty) · action-2", "Message: (empty) · action-3", actionName(en, actions[2])]);
  });
});
