import { describe, expect, it } from "vitest";
import * as edits from "./edits";
import { fromFlow, movePositions, toFlow } from "./flow";
import { canRedo, canUndo, commit, commitSince, redo, replacePresent, startHistory, undo } from "./history";
import { layout, needsLayout, withLayout } from "./layout";
import { Graph, chainFrom, cleanForSave, textIn, withTextIn } from "./model";
import { errorsOf, serverProblems, validate } from "./validate";
import { describeProblem } from "../describe";
import { translator } from "../i18n";

// The demo tenant's graph as GET /v1/tenants/demo/routing answers it.
const demo = (): Graph => ({
  rules: [
    { id: "agent-free", name: "Someone in support is free", match: "all", position: { x: 0, y: 0 }, conditions: [{ id: "agent-free-if-1", type: "group_available", group: "support", available: true }] },
    {
      id: "long-wait",
      match: "all",
      conditions: [
        { id: "long-wait-if-1", type: "waited", seconds: 300 },
        { id: "long-wait-if-2", type: "group_available", group: "support", available: false },
      ],
    },
    { id: "bot-otherwise", match: "all", conditions: [] },
  ],
  actions: [
    { id: "agent-free-do-1", type: "route", group: "support" },
    { id: "long-wait-do-1", type: "message", text: "Sorry for the wait." },
    { id: "long-wait-do-2", type: "queue", group: "support" },
    { id: "bot-otherwise-do-1", type: "bot" },
  ],
  fallback: { id: "fallback" },
  edges: [
    { from: "agent-free", to: "agent-free-do-1" },
    { from: "long-wait", to: "long-wait-do-1" },
    { from: "long-wait-do-1", to: "long-wait-do-2" },
    { from: "bot-otherwise", to: "bot-otherwise-do-1" },
  ],
});
const catalog = { groups: [{ id: "support", has_hours: true }, { id: "sales", has_hours: false }], strategies: [{ name: "routing-least-busy" }, { name: "routing-skills" }] };

describe("graph ⇄ flow", () => {
  it("draws every rule, action and the fallback as a node and every edge as an edge", () => {
    const { nodes, edges } = toFlow(demo());
    expect(nodes.map((n) => [n.id, n.type])).toEqual([
      ["agent-free", "rule"],
      ["long-wait", "rule"],
      ["bot-otherwise", "rule"],
      ["agent-free-do-1", "action"],
      ["long-wait-do-1", "action"],
      ["long-wait-do-2", "action"],
      ["bot-otherwise-do-1", "action"],
      ["fallback", "fallback"],
    ]);
    expect(edges.map((e) => [e.source, e.target])).toEqual(demo().edges.map((e) => [e.from, e.to]));
    expect(nodes[0].position).toEqual({ x: 0, y: 0 }); // a kept position stays
    expect(nodes.every((n) => Number.isFinite(n.position.x) && Number.isFinite(n.position.y))).toBe(true);
    expect(nodes.find((n) => n.id === "fallback")!.deletable).toBe(false);
  });

  it("comes back as the same document, with the canvas's positions", () => {
    const g = withLayout(demo());
    const { nodes, edges } = toFlow(g);
    const back = fromFlow(g, nodes, edges);
    expect(cleanForSave(back)).toEqual(cleanForSave(g));
    const moved = fromFlow(g, nodes.map((n) => (n.id === "long-wait" ? { ...n, position: { x: 7, y: 9 } } : n)), edges);
    expect(moved.rules[1].position).toEqual({ x: 7, y: 9 });
  });

  it("drops nodes the canvas no longer has, and their edges", () => {
    const g = demo();
    const { nodes, edges } = toFlow(g);
    const back = fromFlow(g, nodes.filter((n) => n.id !== "long-wait-do-2"), edges);
    expect(back.actions.map((a) => a.id)).not.toContain("long-wait-do-2");
    expect(back.edges).not.toContainEqual({ from: "long-wait-do-1", to: "long-wait-do-2" });
  });

  it("moves only the nodes that moved, rounding positions when saved", () => {
    const g = demo();
    const moved = movePositions(g, new Map([["bot-otherwise-do-1", { x: 10.4, y: 20.6 }]]));
    expect(moved.rules[0]).toBe(g.rules[0]);
    expect(cleanForSave(moved).actions[3].position).toEqual({ x: 10, y: 21 });
  });

  it("lays rules out top to bottom in their order, actions to the right in sequence", () => {
    const at = layout(demo());
    expect(at.get("agent-free")!.y).toBeLessThan(at.get("long-wait")!.y);
    expect(at.get("long-wait")!.y).toBeLessThan(at.get("bot-otherwise")!.y);
    expect(at.get("bot-otherwise")!.y).toBeLessThan(at.get("fallback")!.y);
    expect(at.get("long-wait-do-1")!.y).toBe(at.get("long-wait")!.y);
    expect(at.get("long-wait-do-2")!.x).toBeGreaterThan(at.get("long-wait-do-1")!.x);
    expect(needsLayout(demo())).toBe(true);
    expect(needsLayout(withLayout(demo()))).toBe(false);
  });
});

describe("validation", () => {
  it("finds nothing wrong with the demo graph", () => {
    expect(validate(demo(), catalog)).toEqual([]);
  });

  it("finds a cycle among actions and names every node on it", () => {
    const g = demo();
    g.actions.push({ id: "a", type: "message", text: "x" }, { id: "b", type: "message", text: "y" });
    g.edges.push({ from: "a", to: "b" }, { from: "b", to: "a" });
    const cycles = validate(g, catalog).filter((p) => p.code === "cycle");
    expect(cycles.map((p) => p.node).sort()).toEqual(["a", "b"]);
    expect(cycles[0].params!.path).toContain("→");
  });

  it("finds an edge to itself as a cycle", () => {
    const g = demo();
    g.edges.push({ from: "long-wait-do-2", to: "long-wait-do-2" });
    expect(validate(g).some((p) => p.code === "cycle" && p.node === "long-wait-do-2")).toBe(true);
  });

  it("finds dangling edges, on either end", () => {
    const g = demo();
    g.edges.push({ from: "ghost", to: "bot-otherwise-do-1" }, { from: "fallback", to: "nowhere" });
    const dangling = validate(g).filter((p) => p.code === "dangling_edge");
    expect(dangling.map((p) => p.edge)).toEqual(["ghost->bot-otherwise-do-1", "fallback->nowhere"]);
    expect(dangling[1].node).toBe("fallback");
  });

  it("finds an edge into a rule, an unconnected action and a rule with no action", () => {
    const g = demo();
    g.edges = g.edges.filter((e) => e.from !== "agent-free");
    g.edges.push({ from: "bot-otherwise-do-1", to: "long-wait" });
    const codes = validate(g).map((p) => `${p.code}:${p.node}`);
    expect(codes).toContain("edge_into_rule:bot-otherwise-do-1");
    expect(codes).toContain("unconnected:agent-free-do-1");
    expect(codes).toContain("no_action:agent-free");
  });

  it("wants a final action last and only last", () => {
    const g = demo();
    g.edges = g.edges.filter((e) => e.from !== "long-wait-do-1");
    const codes = validate(g).map((p) => `${p.code}:${p.node}`);
    expect(codes).toContain("ends_with_message:long-wait-do-1");
    expect(codes).toContain("unconnected:long-wait-do-2");
    const h = demo();
    h.edges.push({ from: "agent-free-do-1", to: "long-wait-do-1" });
    expect(validate(h).map((p) => p.code)).toContain("two_into");
  });

  it("checks fields against the tenant's groups and strategies", () => {
    const g = demo();
    g.actions[0] = { ...g.actions[0], group: "nope", chain: ["routing-skills", "routing-magic", "routing-skills"] };
    g.rules[0].conditions.push({ id: "x", type: "business_hours", group: "sales", state: "open" }, { id: "y", type: "page", glob: "" });
    const found = validate(g, catalog).map((p) => `${p.code}:${p.node}:${p.field}`);
    expect(found).toContain("unknown_group:agent-free-do-1:group");
    expect(found).toContain("unknown_strategy:agent-free-do-1:chain[1]");
    expect(found).toContain("duplicate_strategy:agent-free-do-1:chain[2]");
    expect(found).toContain("no_hours:agent-free:conditions[1].group");
    expect(found).toContain("missing:agent-free:conditions[2].glob");
  });

  it("warns about rules that can never fire", () => {
    const g = edits.addRule(demo(), "late").graph; // goes before the catch-all
    const moved = edits.moveRule(g, "rule-1", 1);
    const warnings = validate(moved).filter((p) => p.severity === "warning");
    expect(warnings.map((p) => `${p.code}:${p.node}`)).toContain("never_reached:rule-1");
    const h = demo();
    h.rules[1].conditions.push({ id: "z", type: "group_available", group: "support", available: true });
    expect(validate(h).some((p) => p.code === "contradiction" && p.node === "long-wait")).toBe(true);
    expect(errorsOf(validate(h))).toEqual([]);
  });

  it("puts the server's 422 errors on the nodes and fields they name", () => {
    const found = serverProblems(demo(), [
      { code: "unknown_group", field: "rules[1].conditions[1].group", message: "rule 'long-wait': nope" },
      { code: "invalid_field", field: "actions[2].group", message: "bad" },
      { code: "dangling_edge", field: "edges[3].to", message: "x" },
      { code: "missing_action", field: "fallback", message: "y" },
      { code: "whatever", field: "rules", message: "z" },
    ]);
    expect(found.map((p) => [p.node, p.field, p.edge])).toEqual([
      ["long-wait", "conditions[1].group", undefined],
      ["long-wait-do-2", "group", undefined],
      ["bot-otherwise", "to", "bot-otherwise->bot-otherwise-do-1"],
      ["fallback", undefined, undefined],
      [undefined, undefined, undefined],
    ]);
    // A refusal the editor knows is said with its own words (in the page's language),
    // the names taken from the graph; one it does not know keeps the server's words.
    expect(found[0]).toMatchObject({ code: "unknown_group", params: { group: demo().rules[1].conditions[1].group } });
    expect(found[0].message).toBeUndefined();
    expect(found[4]).toMatchObject({ code: "whatever", message: "z" });
  });

  it("says the server's refusals in English and Chinese, from their codes and fields", () => {
    const g = demo();
    g.rules[0].conditions.push({ id: "pg", type: "page", glob: "/shop/[x" });
    g.actions.push({ id: "loose", type: "message", text: "hi" });
    const refused = [
      { code: "bad_glob", field: `rules[0].conditions[${g.rules[0].conditions.length - 1}].glob`, message: "'/shop/[x' has an unclosed '['" },
      { code: "unconnected", field: `actions[${g.actions.length - 1}]`, message: "action 'loose' is not connected: …" },
      { code: "duplicate_id", field: "rules[1].id", message: "'long-wait' is already the id of another node" },
    ];
    const found = serverProblems(g, refused);
    const en = found.map((p) => describeProblem(translator("en"), p));
    const zh = found.map((p) => describeProblem(translator("zh"), p));
    expect(en).toEqual([
      "'/shop/[x' is not a valid page pattern: a [ without its ] or a \\ at the end",
      "Not connected: connect a rule, the fallback or a message to it, or delete it",
      "'long-wait' is used by another node",
    ]);
    expect(zh).toEqual(["“/shop/[x”不是有效的页面匹配模式：有未闭合的 [ 或结尾的 \\", "未连接：请从规则、兜底或消息连到它，或删除它", "“long-wait”已被其他节点使用"]);
    expect(found.map((p) => p.node)).toEqual(["agent-free", "loose", "long-wait"]);
  });
});

describe("edits", () => {
  it("adds a rule before the catch-all, and moves rules", () => {
    const { graph, id } = edits.addRule(demo(), "VIP");
    expect(graph.rules.map((r) => r.id)).toEqual(["agent-free", "long-wait", id, "bot-otherwise"]);
    expect(edits.moveRule(graph, id, -2).rules[0].id).toBe(id);
    expect(edits.moveRule(graph, "agent-free", -1)).toBe(graph);
  });

  it("inserts an action after a node, and joins the sequence when one is deleted", () => {
    const { graph, id } = edits.addAction(demo(), "message", undefined, "long-wait");
    expect(chainFrom(graph, "long-wait").map((a) => a.id)).toEqual([id, "long-wait-do-1", "long-wait-do-2"]);
    const back = edits.deleteNodes(graph, [id]);
    expect(chainFrom(back, "long-wait").map((a) => a.id)).toEqual(["long-wait-do-1", "long-wait-do-2"]);
    expect(edits.deleteNodes(graph, ["fallback"])).toBe(graph);
  });

  it("connects one next action per node, replacing the old edges", () => {
    const g = edits.connect(demo(), "agent-free", "bot-otherwise-do-1");
    expect(g.edges.filter((e) => e.from === "agent-free")).toEqual([{ from: "agent-free", to: "bot-otherwise-do-1" }]);
    expect(g.edges.some((e) => e.from === "bot-otherwise")).toBe(false);
    expect(edits.connect(demo(), "fallback", "long-wait")).toEqual(demo()); // not into a rule
    expect(edits.disconnect(g, ["agent-free->bot-otherwise-do-1"]).edges.some((e) => e.from === "agent-free")).toBe(false);
    expect(edits.setNext(demo(), "long-wait-do-1", null).edges.some((e) => e.from === "long-wait-do-1")).toBe(false);
  });

  it("adds conditions of every type with the fields the server needs", () => {
    let g = demo();
    for (const type of ["page", "language", "attribute", "business_hours", "keywords", "intent", "group_available", "waited"] as const) g = edits.addCondition(g, "bot-otherwise", type, "support");
    const conditions = g.rules[2].conditions;
    expect(conditions.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `bot-otherwise-if-${n}`));
    expect(conditions[3]).toEqual({ id: "bot-otherwise-if-4", type: "business_hours", group: "support", state: "open" });
    const retyped = edits.retypeCondition(g, "bot-otherwise", 0, "waited");
    expect(retyped.rules[2].conditions[0]).toEqual({ id: "bot-otherwise-if-1", type: "waited", seconds: 60 });
  });

  it("saves an attribute condition with op exists without a value", () => {
    let g = edits.addCondition(demo(), "agent-free", "attribute");
    g = edits.updateCondition(g, "agent-free", 1, { id: "c", type: "attribute", key: "vip", op: "exists", value: "left over" });
    expect(cleanForSave(g).rules[0].conditions[1]).toEqual({ id: "c", type: "attribute", key: "vip", op: "exists" });
  });
});

describe("undo and redo", () => {
  it("steps back and forth through edits, and a new edit drops the redo steps", () => {
    const a = demo();
    const b = edits.addRule(a, "b").graph;
    const c = edits.addRule(b, "c").graph;
    let h = commit(commit(startHistory(a), b), c);
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(h.present).toBe(b);
    h = undo(h);
    expect(h.present).toBe(a);
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe(b);
    expect(canRedo(h)).toBe(true);
    const d = edits.moveRule(b, "agent-free", 1);
    h = commit(h, d);
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toBe(b);
  });

  it("makes a drag one step: the moves replace the present, the end commits from where it began", () => {
    const a = demo();
    let h = startHistory(a);
    const origin = h.present;
    h = replacePresent(h, movePositions(a, new Map([["fallback", { x: 1, y: 1 }]])));
    h = replacePresent(h, movePositions(h.present, new Map([["fallback", { x: 50, y: 60 }]])));
    h = commitSince(h, origin);
    expect(h.past).toEqual([a]);
    expect(undo(h).present).toBe(a);
    expect(redo(undo(h)).present.fallback.position).toEqual({ x: 50, y: 60 });
  });
});

describe("import", async () => {
  const { parseGraphFile } = await import("../editor/importExport");
  it("takes an exported graph and refuses what is not one", () => {
    const g = parseGraphFile(JSON.stringify(cleanForSave(demo())));
    expect(cleanForSave(g)).toEqual(cleanForSave(demo()));
    expect(() => parseGraphFile("[1]")).toThrow(/object/);
    expect(() => parseGraphFile('{"rules":[],"actions":[],"edges":[]}')).toThrow(/fallback/);
    expect(() => parseGraphFile('{"rules":[],"actions":[{"id":"a","type":"teleport"}],"edges":[],"fallback":{"id":"f"}}')).toThrow(/types/);
    expect(() => parseGraphFile("{nope")).toThrow();
  });
});

describe("duplicating a rule", () => {
  it("copies it after itself with its conditions and its own copies of the actions", () => {
    const { graph, id } = edits.duplicateRule(demo(), "long-wait", " (copy)");
    expect(graph.rules.map((r) => r.id)).toEqual(["agent-free", "long-wait", id, "bot-otherwise"]);
    const copy = graph.rules[2];
    expect(copy.name).toBe("long-wait (copy)");
    expect(copy.conditions.map((c) => [c.id, c.type])).toEqual([[`${id}-if-1`, "waited"], [`${id}-if-2`, "group_available"]]);
    const actions = chainFrom(graph, id);
    expect(actions.map((a) => a.type)).toEqual(["message", "queue"]);
    expect(actions.map((a) => a.id)).not.toContain("long-wait-do-1");
    expect(chainFrom(graph, "long-wait").map((a) => a.id)).toEqual(["long-wait-do-1", "long-wait-do-2"]);
    expect(validate(graph, catalog).filter((p) => p.severity === "error")).toEqual([]);
  });
});

describe("a message's text per language", () => {
  it("reads a plain text as the English one and edits each language apart", () => {
    expect(textIn("Hi", "en")).toBe("Hi");
    expect(textIn("Hi", "zh")).toBe("");
    const both = withTextIn("Hi", "zh", "您好");
    expect(both).toEqual({ en: "Hi", zh: "您好" });
    expect(textIn(both, "zh")).toBe("您好");
    // Back to English only: the plain string older graphs have.
    expect(withTextIn(both, "zh", "")).toBe("Hi");
    expect(withTextIn({ en: "Hi", de: "Hallo" }, "zh", "您好")).toEqual({ en: "Hi", de: "Hallo", zh: "您好" });
    expect(withTextIn(both, "en", "")).toEqual({ zh: "您好" });
    expect(withTextIn("", "en", "")).toBe("");
  });

  it("is saved as the server takes it, and validated in each language", () => {
    const g = demo();
    const wait = g.actions.find((a) => a.type === "message")!;
    wait.text = { en: "Sorry for the wait.", zh: "抱歉久等了。" };
    expect(cleanForSave(g).actions.find((a) => a.id === wait.id)!.text).toEqual({ en: "Sorry for the wait.", zh: "抱歉久等了。" });
    const textProblems = () => errorsOf(validate(g)).filter((p) => p.node === wait.id && p.field === "text").map((p) => p.code);
    expect(textProblems()).toEqual([]);
    wait.text = { en: "", zh: "" };
    expect(textProblems()).toEqual(["missing"]);
    wait.text = { en: "ok", zh: "长".repeat(4097) };
    expect(textProblems()).toEqual(["too_long"]);
  });
});
