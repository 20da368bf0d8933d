// Every change the editor makes to a document, as pure functions: old graph in,
// new graph out (the old one is kept by the undo history).
import { Action, ActionType, Condition, ConditionType, Graph, Position, Rule, freshId, newAction, newCondition, retypeAction } from "./model";
import { edgeKey } from "./validate";

// A new rule goes before the first rule that always fires (a catch-all at the end
// would otherwise hide it), or last.
export function addRule(graph: Graph, name: string, position?: Position): { graph: Graph; id: string } {
  const id = freshId(graph, "rule");
  const rule: Rule = { id, name, match: "all", conditions: [] };
  if (position) rule.position = position;
  const catchAll = graph.rules.findIndex((r) => r.conditions.length === 0);
  const at = catchAll < 0 ? graph.rules.length : catchAll;
  return { graph: { ...graph, rules: [...graph.rules.slice(0, at), rule, ...graph.rules.slice(at)] }, id };
}

export function updateRule(graph: Graph, id: string, patch: Partial<Omit<Rule, "id">>): Graph {
  return { ...graph, rules: graph.rules.map((r) => (r.id === id ? { ...r, ...patch } : r)) };
}

// Moves a rule up (delta -1) or down (+1) in evaluation order.
export function moveRule(graph: Graph, id: string, delta: number): Graph {
  const from = graph.rules.findIndex((r) => r.id === id);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= graph.rules.length) return graph;
  const rules = [...graph.rules];
  const [rule] = rules.splice(from, 1);
  rules.splice(to, 0, rule);
  return { ...graph, rules };
}

export function addCondition(graph: Graph, ruleId: string, type: ConditionType, firstGroup = ""): Graph {
  const rule = graph.rules.find((r) => r.id === ruleId);
  if (!rule) return graph;
  let n = rule.conditions.length + 1;
  const taken = new Set(graph.rules.flatMap((r) => r.conditions.map((c) => c.id)));
  while (taken.has(`${ruleId}-if-${n}`)) n++;
  const condition = newCondition(`${ruleId}-if-${n}`, type, firstGroup);
  return updateRule(graph, ruleId, { conditions: [...rule.conditions, condition] });
}

export function updateCondition(graph: Graph, ruleId: string, index: number, next: Condition): Graph {
  const rule = graph.rules.find((r) => r.id === ruleId);
  if (!rule) return graph;
  return updateRule(graph, ruleId, { conditions: rule.conditions.map((c, i) => (i === index ? next : c)) });
}

// A condition of another type: a fresh one (the fields differ), same id.
export function retypeCondition(graph: Graph, ruleId: string, index: number, type: ConditionType, firstGroup = ""): Graph {
  const rule = graph.rules.find((r) => r.id === ruleId);
  const old = rule?.conditions[index];
  if (!rule || !old) return graph;
  return updateCondition(graph, ruleId, index, newCondition(old.id, type, firstGroup));
}

export function removeCondition(graph: Graph, ruleId: string, index: number): Graph {
  const rule = graph.rules.find((r) => r.id === ruleId);
  if (!rule) return graph;
  return updateRule(graph, ruleId, { conditions: rule.conditions.filter((_, i) => i !== index) });
}

// A new action; with after, it is connected after that node (between it and
// what followed it).
export function addAction(graph: Graph, type: ActionType, position?: Position, after?: string, firstGroup = ""): { graph: Graph; id: string } {
  const id = freshId(graph, "action");
  const action = newAction(id, type, position, firstGroup);
  let next: Graph = { ...graph, actions: [...graph.actions, action] };
  if (after) {
    const old = graph.edges.find((e) => e.from === after);
    const edges = graph.edges.filter((e) => e !== old);
    edges.push({ from: after, to: id });
    if (old) edges.push({ from: id, to: old.to });
    next = { ...next, edges };
  }
  return { graph: next, id };
}

export function updateAction(graph: Graph, id: string, patch: Partial<Omit<Action, "id" | "type">>): Graph {
  return { ...graph, actions: graph.actions.map((a) => (a.id === id ? dropEmpty({ ...a, ...patch }) : a)) };
}

export function retype(graph: Graph, id: string, type: ActionType): Graph {
  return { ...graph, actions: graph.actions.map((a) => (a.id === id ? retypeAction(a, type) : a)) };
}

const dropEmpty = (a: Action): Action => {
  const out = { ...a };
  if (out.chain && out.chain.length === 0) delete out.chain;
  if (out.flow_node === "") delete out.flow_node;
  if (out.group === "" && out.type !== "queue") delete out.group;
  return out;
};

// Deletes rules and actions (never the fallback) with their edges. Deleting an
// action in the middle of a sequence joins what was before it to what was after.
export function deleteNodes(graph: Graph, ids: Iterable<string>): Graph {
  const gone = new Set(ids);
  gone.delete(graph.fallback.id);
  if (gone.size === 0) return graph;
  let edges = graph.edges;
  for (const a of graph.actions) {
    if (!gone.has(a.id)) continue;
    const before = edges.find((e) => e.to === a.id);
    const after = edges.find((e) => e.from === a.id);
    edges = edges.filter((e) => e !== before && e !== after);
    if (before && after && !gone.has(before.from) && !gone.has(after.to)) edges.push({ from: before.from, to: after.to });
  }
  edges = edges.filter((e) => !gone.has(e.from) && !gone.has(e.to));
  return {
    ...graph,
    rules: graph.rules.filter((r) => !gone.has(r.id)),
    actions: graph.actions.filter((a) => !gone.has(a.id)),
    edges,
  };
}

// An edge from a rule, the fallback or an action to an action. A node leads to one
// next action and an action follows one node, so the edges it replaces go.
export function connect(graph: Graph, from: string, to: string): Graph {
  if (from === to || !graph.actions.some((a) => a.id === to)) return graph;
  const edges = graph.edges.filter((e) => e.from !== from && e.to !== to);
  return { ...graph, edges: [...edges, { from, to }] };
}

export function disconnect(graph: Graph, keys: Iterable<string>): Graph {
  const gone = new Set(keys);
  const edges = graph.edges.filter((e) => !gone.has(edgeKey(e)));
  return edges.length === graph.edges.length ? graph : { ...graph, edges };
}

// The keyboard way to connect: what follows `from` (null: nothing).
export function setNext(graph: Graph, from: string, to: string | null): Graph {
  if (to) return connect(graph, from, to);
  return { ...graph, edges: graph.edges.filter((e) => e.from !== from) };
}

// A copy of a rule right after it, with copies of its conditions and actions (an
// action belongs to one rule), drawn a little lower.
export function duplicateRule(graph: Graph, ruleId: string, nameSuffix: string): { graph: Graph; id: string } {
  const index = graph.rules.findIndex((r) => r.id === ruleId);
  if (index < 0) return { graph, id: ruleId };
  const rule = graph.rules[index];
  const id = freshId(graph, `${ruleId}-copy`.slice(0, 56));
  const shift = (p?: Position) => (p ? { x: p.x + 40, y: p.y + 40 } : undefined);
  const copy: Rule = { ...rule, id, name: `${rule.name || rule.id}${nameSuffix}`, position: shift(rule.position), conditions: rule.conditions.map((c, i) => ({ ...c, id: `${id}-if-${i + 1}` })) };
  if (!copy.position) delete copy.position;
  let next: Graph = { ...graph, rules: [...graph.rules.slice(0, index + 1), copy, ...graph.rules.slice(index + 1)] };
  let from = id;
  for (const action of chainOf(graph, ruleId)) {
    const actionId = freshId(next, "action");
    const a: Action = { ...action, id: actionId, position: shift(action.position) };
    if (!a.position) delete a.position;
    next = { ...next, actions: [...next.actions, a], edges: [...next.edges, { from, to: actionId }] };
    from = actionId;
  }
  return { graph: next, id };
}

function chainOf(graph: Graph, source: string): Action[] {
  const out: Action[] = [];
  const seen = new Set<string>();
  for (let at = graph.edges.find((e) => e.from === source)?.to; at && !seen.has(at); at = graph.edges.find((e) => e.from === at)?.to) {
    seen.add(at);
    const a = graph.actions.find((x) => x.id === at);
    if (!a) break;
    out.push(a);
  }
  return out;
}
