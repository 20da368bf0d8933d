import { describe, expect, it } from "vitest";
import { flowLayout, flowsFromToml, textIn } from "./flowModel";

// The demo tenant's real flow file (the web tsconfig has no Node types; vitest runs on Node).
// @ts-ignore
import { readFileSync } from "node:fs";
// (Read relative to web/, where vitest runs.)
const demoFlows = (): string => readFileSync("../tenants/demo/flows.toml", "utf8");

describe("the dialog flows as the Knowledge page shows them", () => {
  it("reads what starts the demo's flow and its steps in the order a visitor meets them", () => {
    const [flow] = flowsFromToml(demoFlows());
    expect(flow.name).toBe("order_status");
    expect(flow.start).toBe("order_status/ask_number");
    expect(flow.keywords).toContain("查订单");
    expect(flow.intents).toEqual(["order_status"]);
    expect(flow.steps.map((s) => s.name)).toEqual(["ask_number", "human", "lookup", "found", "not_found"]);
    expect(flow.steps.every((s) => s.reachable)).toBe(true);
  });

  it("names every branch with what takes it, and how each step ends", () => {
    const [flow] = flowsFromToml(demoFlows());
    const ask = flow.steps[0];
    expect(ask.waits).toBe(true);
    expect(ask.capture).toEqual({ param: "order_id", pattern: "(?i)\\b(SB-\\d{5})\\b", maxRetries: 2 });
    expect(ask.branches.map((b) => [b.kind, b.to])).toEqual([
      ["option", "order_status/human"],
      ["capture", "order_status/lookup"],
      ["retries", "order_status/human"],
    ]);
    expect(textIn(ask.branches[0].label, "zh")).toBe("转人工");
    const lookup = flow.steps.find((s) => s.name === "lookup")!;
    expect(lookup.branches.map((b) => b.kind)).toEqual(["found", "missing"]);
    expect(lookup.ending).toBeNull();
    expect(flow.steps.find((s) => s.name === "human")!.ending).toEqual({ kind: "handoff", group: "support" });
    expect(flow.steps.find((s) => s.name === "found")!.ending).toEqual({ kind: "end" });
    expect(textIn(flow.steps.find((s) => s.name === "found")!.message, "fr")).toBe("Order {order_id}: {status}");
  });

  it("marks what no branch reaches, follows targets into other flows, and lays out by distance", () => {
    const flows = flowsFromToml(`
[flows.a]
start = "one"
default = true
[flows.a.nodes.one]
message = "Hi"
on_keyword = [{ keywords = ["b", "bee"], next = "b/first" }]
on_intent = [{ intent = "bye", next = "two" }]
[flows.a.nodes.two]
message = "Bye"
close = true
[flows.a.nodes.orphan]
message = "never"
ask_llm = true
[flows.b]
start = "first"
[flows.b.nodes.first]
message = "B"
handoff = true
`);
    const a = flows[0];
    expect(a.isDefault).toBe(true);
    expect(a.steps.map((s) => [s.name, s.reachable])).toEqual([["one", true], ["two", true], ["orphan", false]]);
    expect(a.steps[0].branches.map((b) => [b.kind, b.to, b.label])).toEqual([
      ["keyword", "b/first", "b, bee"],
      ["intent", "a/two", "bye"],
    ]);
    expect(a.steps[1].ending).toEqual({ kind: "close" });
    expect(a.steps[2].ending).toEqual({ kind: "ask_llm" });
    expect(flows[1].steps[0].ending).toEqual({ kind: "handoff", group: "" });
    const at = flowLayout(a);
    expect(at.get("a/one")).toEqual({ column: 0, row: 0 });
    expect(at.get("a/two")).toEqual({ column: 1, row: 0 });
    expect(at.get("a/orphan")!.column).toBe(2);
  });
});
