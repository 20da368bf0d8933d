// The routing graph as the server's JSON form has it (README "Routing graph";
// core/routing_graph/forms.hpp). The editor's document IS this form: nodes keep
// their ids and positions, so what is saved is exactly what was drawn.

export type Position = { x: number; y: number };

export type ConditionType =
  | "page"
  | "language"
  | "attribute"
  | "business_hours"
  | "keywords"
  | "intent"
  | "group_available"
  | "waited";

export const conditionTypes: ConditionType[] = [
  "attribute",
  "page",
  "language",
  "business_hours",
  "keywords",
  "intent",
  "group_available",
  "waited",
];

export type AttributeValue = string | number | boolean;

export type Condition = {
  id: string;
  type: ConditionType;
  glob?: string; // page
  languages?: string[]; // language
  key?: string; // attribute
  op?: "eq" | "neq" | "exists" | "in"; // attribute
  value?: AttributeValue | AttributeValue[]; // attribute (not with exists)
  group?: string; // business_hours, group_available
  state?: "open" | "closed"; // business_hours
  words?: string[]; // keywords
  match?: "any" | "all"; // keywords
  intents?: string[]; // intent
  available?: boolean; // group_available
  seconds?: number; // waited
};

export type ActionType = "route" | "queue" | "bot" | "message" | "offline";
export const actionTypes: ActionType[] = ["route", "queue", "bot", "message", "offline"];

export type Action = {
  id: string;
  type: ActionType;
  position?: Position;
  group?: string; // route (optional), queue, offline (optional)
  chain?: string[]; // route; none: the tenant's [routing].chain
  flow_node?: string; // bot
  text?: LocalText; // message, offline
};

// What a message says: one text for every visitor, or one per language
// ({ en, zh, ... }); the server gives each visitor the one of their widget's
// language, else the plain or English one.
export type LocalText = string | Record<string, string>;

// The text shown to visitors of `lang` as the editor edits it: a plain string is
// the English (default) one.
export function textIn(text: LocalText | undefined, lang: "en" | "zh"): string {
  if (text === undefined) return "";
  if (typeof text === "string") return lang === "en" ? text : "";
  return text[lang] ?? "";
}

// `text` with the one of `lang` changed. Only an English text stays a plain string,
// as older graphs have it; languages the editor does not show are kept.
export function withTextIn(text: LocalText | undefined, lang: "en" | "zh", value: string): LocalText {
  const map: Record<string, string> = typeof text === "string" ? (text ? { en: text } : {}) : { ...(text ?? {}) };
  if (value) map[lang] = value;
  else delete map[lang];
  const keys = Object.keys(map);
  if (keys.length === 0) return "";
  if (keys.length === 1 && keys[0] === "en") return map.en;
  return map;
}

// Every text of a message (to check each).
export const allTexts = (text: LocalText | undefined): string[] => (text === undefined ? [] : typeof text === "string" ? [text] : Object.values(text));

export type Rule = {
  id: string;
  name?: string;
  position?: Position;
  match: "all" | "any";
  conditions: Condition[];
};

export type Fallback = { id: string; position?: Position };
export type Edge = { from: string; to: string };

export type Graph = {
  rules: Rule[];
  actions: Action[];
  fallback: Fallback;
  edges: Edge[];
};

// A message is the only action something may follow; the others settle the conversation.
export const isFinal = (type: ActionType) => type !== "message";

export const emptyGraph = (): Graph => ({ rules: [], actions: [], fallback: { id: "fallback" }, edges: [] });

// A condition of a type with the fields the server requires, filled with defaults.
export function newCondition(id: string, type: ConditionType, firstGroup = ""): Condition {
  switch (type) {
    case "page":
      return { id, type, glob: "*" };
    case "language":
      return { id, type, languages: ["en"] };
    case "attribute":
      return { id, type, key: "", op: "eq", value: "" };
    case "business_hours":
      return { id, type, group: firstGroup, state: "open" };
    case "keywords":
      return { id, type, words: [], match: "any" };
    case "intent":
      return { id, type, intents: [] };
    case "group_available":
      return { id, type, group: firstGroup, available: true };
    case "waited":
      return { id, type, seconds: 60 };
  }
}

// An action of a type; fields that do not belong to the type are dropped.
export function newAction(id: string, type: ActionType, position?: Position, firstGroup = ""): Action {
  const a: Action = { id, type };
  if (position) a.position = position;
  if (type === "queue") a.group = firstGroup;
  if (type === "message") a.text = "";
  if (type === "offline") a.text = "";
  return a;
}

// Changing an action's type keeps what still applies.
export function retypeAction(a: Action, type: ActionType): Action {
  const out: Action = { id: a.id, type };
  if (a.position) out.position = a.position;
  if (type === "route" || type === "queue" || type === "offline") {
    if (a.group) out.group = a.group;
  }
  if (type === "route" && a.chain?.length) out.chain = a.chain;
  if (type === "bot" && a.flow_node) out.flow_node = a.flow_node;
  if (type === "message" || type === "offline") out.text = a.text ?? "";
  if (type === "queue") out.group = a.group ?? "";
  return out;
}

// A fresh id not used by any node, like "rule-3" or "act-7".
export function freshId(graph: Graph, prefix: string): string {
  const taken = new Set<string>([graph.fallback.id]);
  for (const r of graph.rules) {
    taken.add(r.id);
    for (const c of r.conditions) taken.add(c.id);
  }
  for (const a of graph.actions) taken.add(a.id);
  for (let n = 1; ; n++) if (!taken.has(`${prefix}-${n}`)) return `${prefix}-${n}`;
}

// The JSON the server takes: a condition without the fields of other types, an
// action without empty optional fields (the server's answer leaves them out too).
export function cleanForSave(graph: Graph): Graph {
  const actions = graph.actions.map((a) => {
    const out: Action = { id: a.id, type: a.type };
    if (a.position) out.position = roundPosition(a.position);
    if (a.group || a.type === "queue") out.group = a.group ?? "";
    if (a.type === "route" && a.chain?.length) out.chain = a.chain;
    if (a.type === "bot" && a.flow_node) out.flow_node = a.flow_node;
    if (a.type === "message" || a.type === "offline") out.text = a.text ?? "";
    return out;
  });
  const rules = graph.rules.map((r) => {
    const out: Rule = { id: r.id, match: r.match, conditions: r.conditions.map(cleanCondition) };
    if (r.name) out.name = r.name;
    if (r.position) out.position = roundPosition(r.position);
    return out;
  });
  const fallback: Fallback = { id: graph.fallback.id };
  if (graph.fallback.position) fallback.position = roundPosition(graph.fallback.position);
  return { rules, actions, fallback, edges: graph.edges.map((e) => ({ from: e.from, to: e.to })) };
}

function cleanCondition(c: Condition): Condition {
  const out: Condition = { ...c };
  for (const key of Object.keys(out) as (keyof Condition)[]) if (out[key] === undefined) delete out[key];
  if (c.type === "attribute" && c.op === "exists") delete out.value;
  return out;
}

const roundPosition = (p: Position): Position => ({ x: Math.round(p.x), y: Math.round(p.y) });

// The actions that follow a rule or the fallback, in order (stops at a loop).
export function chainFrom(graph: Graph, source: string): Action[] {
  const next = new Map(graph.edges.map((e) => [e.from, e.to]));
  const byId = new Map(graph.actions.map((a) => [a.id, a]));
  const out: Action[] = [];
  const seen = new Set<string>();
  for (let at = next.get(source); at && !seen.has(at); at = next.get(at)) {
    seen.add(at);
    const a = byId.get(at);
    if (!a) break;
    out.push(a);
  }
  return out;
}
