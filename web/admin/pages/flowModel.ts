// A tenant's dialog flows (the autoreply-flow plugin's TOML, GET …/flows; format:
// plugins/autoreply-flow/README.md) as a structure to show: per flow what starts it,
// its nodes in the order they are reached, and every branch between them with what
// takes it. Read-only: nothing here writes TOML back. Pure, so it is unit-tested.
import { parse } from "smol-toml";

export type Text = string | Record<string, string>;

export type BranchKind = "option" | "keyword" | "intent" | "capture" | "retries" | "found" | "missing" | "next";
// A way from one node to another. to: "flow/node"; label: what takes it (an option's
// label, keywords, an intent, a captured parameter), "" when nothing needs saying.
export type Branch = { kind: BranchKind; to: string; label: Text };

export type Ending = { kind: "handoff"; group: string } | { kind: "close" } | { kind: "ask_llm" } | { kind: "end" };

export type FlowStep = {
  id: string; // "flow/node"
  name: string;
  message: Text | null;
  waits: boolean; // the flow stops here for the visitor's answer
  capture: { param: string; pattern: string; maxRetries: number } | null;
  lookup: { table: string; key: string; into: string } | null;
  setAttributes: [string, string][];
  branches: Branch[];
  ending: Ending | null; // the flow ends here (after its message)
  reachable: boolean; // from the flow's start, through its own branches
};

export type FlowView = {
  name: string;
  start: string; // "flow/node"
  keywords: string[];
  intents: string[];
  isDefault: boolean;
  expireAfterS: number | null;
  maxFallbacks: number | null;
  steps: FlowStep[]; // start first, then in the order branches reach them; unreachable last
};

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);
const text = (v: unknown): Text | null => (typeof v === "string" ? v : v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : null);
const num = (v: unknown): number | null => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : null);

// A text in the page's language, else English, else the first one written.
export function textIn(value: Text | null | undefined, lang: string): string {
  if (value == null) return "";
  if (typeof value === "string") return value;
  return value[lang] ?? value.en ?? Object.values(value)[0] ?? "";
}

// "node" is a node of the same flow; "flow/node" one of another flow.
const target = (flow: string, v: unknown) => {
  const s = String(v ?? "");
  return s.includes("/") ? s : `${flow}/${s}`;
};

function stepOf(flow: string, name: string, raw: Record<string, unknown>): FlowStep {
  const branches: Branch[] = [];
  for (const o of list(raw.options)) branches.push({ kind: "option", to: target(flow, obj(o).next), label: text(obj(o).label) ?? "" });
  for (const k of list(raw.on_keyword)) branches.push({ kind: "keyword", to: target(flow, obj(k).next), label: strings(obj(k).keywords).join(", ") });
  for (const i of list(raw.on_intent)) branches.push({ kind: "intent", to: target(flow, obj(i).next), label: String(obj(i).intent ?? "") });
  const c = raw.capture === undefined ? null : obj(raw.capture);
  if (c) {
    branches.push({ kind: "capture", to: target(flow, c.next), label: String(c.param ?? "") });
    if (c.on_max_retries !== undefined) branches.push({ kind: "retries", to: target(flow, c.on_max_retries), label: "" });
  }
  const l = raw.lookup === undefined ? null : obj(raw.lookup);
  if (l) {
    branches.push({ kind: "found", to: target(flow, l.found), label: String(l.table ?? "") });
    branches.push({ kind: "missing", to: target(flow, l.missing), label: String(l.table ?? "") });
  }
  if (raw.next !== undefined) branches.push({ kind: "next", to: target(flow, raw.next), label: "" });
  const waits = list(raw.options).length > 0 || list(raw.on_keyword).length > 0 || list(raw.on_intent).length > 0 || !!c;
  let ending: Ending | null = null;
  if (raw.handoff !== undefined && raw.handoff !== false) ending = { kind: "handoff", group: typeof raw.handoff === "string" ? raw.handoff : "" };
  else if (raw.close === true) ending = { kind: "close" };
  else if (raw.ask_llm === true) ending = { kind: "ask_llm" };
  else if (!waits && !l && raw.next === undefined) ending = { kind: "end" };
  return {
    id: `${flow}/${name}`,
    name,
    message: text(raw.message),
    waits,
    capture: c ? { param: String(c.param ?? ""), pattern: String(c.pattern ?? ""), maxRetries: num(c.max_retries) ?? 2 } : null,
    lookup: l ? { table: String(l.table ?? ""), key: String(l.key ?? ""), into: String(l.into ?? "") } : null,
    setAttributes: Object.entries(obj(raw.set_attributes)).map(([k, v]) => [k, String(v)]),
    branches,
    ending,
    reachable: false,
  };
}

// Throws what smol-toml says about text that is not TOML.
export function flowsFromToml(source: string): FlowView[] {
  const data = parse(source) as Record<string, unknown>;
  return Object.entries(obj(data.flows)).map(([name, value]) => {
    const raw = obj(value);
    const steps = Object.entries(obj(raw.nodes)).map(([node, n]) => stepOf(name, node, obj(n)));
    const start = target(name, raw.start);
    // Breadth first from the start: the order a visitor meets the nodes.
    const byId = new Map(steps.map((s) => [s.id, s]));
    const ordered: FlowStep[] = [];
    const queue = [start];
    while (queue.length) {
      const step = byId.get(queue.shift()!);
      if (!step || step.reachable) continue;
      step.reachable = true;
      ordered.push(step);
      for (const b of step.branches) queue.push(b.to);
    }
    for (const s of steps) if (!s.reachable) ordered.push(s);
    return {
      name,
      start,
      keywords: strings(raw.keywords),
      intents: strings(raw.intents),
      isDefault: raw.default === true,
      expireAfterS: num(raw.expire_after_s),
      maxFallbacks: num(raw.max_fallbacks),
      steps: ordered,
    };
  });
}

// Columns for a drawing: a node's column is its distance from the start, its row
// its place among the nodes of that column; unreachable nodes go in a last column.
export function flowLayout(flow: FlowView): Map<string, { column: number; row: number }> {
  const at = new Map<string, { column: number; row: number }>();
  const depth = new Map<string, number>([[flow.start, 0]]);
  const queue = [flow.start];
  const ids = new Set(flow.steps.map((s) => s.id));
  const byId = new Map(flow.steps.map((s) => [s.id, s]));
  while (queue.length) {
    const id = queue.shift()!;
    for (const b of byId.get(id)?.branches ?? []) {
      if (!ids.has(b.to) || depth.has(b.to)) continue;
      depth.set(b.to, depth.get(id)! + 1);
      queue.push(b.to);
    }
  }
  const last = Math.max(0, ...depth.values()) + 1;
  const rows = new Map<number, number>();
  for (const s of flow.steps) {
    const column = depth.get(s.id) ?? last;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    at.set(s.id, { column, row });
  }
  return at;
}
