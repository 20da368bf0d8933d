// Checks the editor runs before every save (and as the admin edits), so cycles,
// dangling edges and half-filled nodes are shown on their node before the server
// is asked. The server checks again (422 errors[]); serverProblems() maps its
// field paths onto the same nodes.
import { Action, Graph, allTexts, isFinal } from "./model";

export type Severity = "error" | "warning";

// One problem, on a node (rule, action or the fallback) or an edge, and a field
// of it like "conditions[0].value" or "group". code picks the text (i18n).
export type Problem = {
  severity: Severity;
  code: string;
  node?: string;
  edge?: string; // "from->to"
  field?: string;
  params?: Record<string, string | number>;
  message?: string; // the server's own words, when it said something
};

export type Catalog = { groups: { id: string; name?: string; has_hours?: boolean }[]; strategies: { name: string }[] };

export const edgeKey = (e: { from: string; to: string }) => `${e.from}->${e.to}`;

export function validate(graph: Graph, catalog?: Catalog): Problem[] {
  const out: Problem[] = [];
  const ruleIds = new Set(graph.rules.map((r) => r.id));
  const actionIds = new Set(graph.actions.map((a) => a.id));
  const sources = new Set([...ruleIds, graph.fallback.id]);
  const groups = catalog ? new Set(catalog.groups.map((g) => g.id)) : null;
  const strategies = catalog ? new Set(catalog.strategies.map((s) => s.name)) : null;

  // Ids unique across the graph.
  const seen = new Set<string>();
  const idOf = (id: string, node: string, field?: string) => {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(id)) out.push({ severity: "error", code: "bad_id", node, field, params: { id } });
    else if (seen.has(id)) out.push({ severity: "error", code: "duplicate_id", node, field, params: { id } });
    seen.add(id);
  };
  idOf(graph.fallback.id, graph.fallback.id);
  for (const r of graph.rules) {
    idOf(r.id, r.id);
    r.conditions.forEach((c, i) => idOf(c.id, r.id, `conditions[${i}].id`));
  }
  for (const a of graph.actions) idOf(a.id, a.id);

  // Edges: each from a source or an action to an action, one out of each node and
  // one into each action.
  const next = new Map<string, string>();
  const into = new Map<string, string>();
  for (const e of graph.edges) {
    const edge = edgeKey(e);
    if (!sources.has(e.from) && !actionIds.has(e.from)) {
      out.push({ severity: "error", code: "dangling_edge", edge, node: actionIds.has(e.to) ? e.to : undefined, params: { id: e.from } });
    } else if (!actionIds.has(e.to)) {
      out.push({ severity: "error", code: sources.has(e.to) ? "edge_into_rule" : "dangling_edge", edge, node: e.from, params: { id: e.to } });
    } else if (e.from === e.to) {
      out.push({ severity: "error", code: "cycle", edge, node: e.from, params: { path: `${e.from} → ${e.to}` } });
    } else if (next.has(e.from)) {
      out.push({ severity: "error", code: "two_next", edge, node: e.from, params: { id: next.get(e.from)! } });
    } else if (into.has(e.to)) {
      out.push({ severity: "error", code: "two_into", edge, node: e.to, params: { id: into.get(e.to)! } });
    } else {
      next.set(e.from, e.to);
      into.set(e.to, e.from);
    }
  }

  // Each rule's chain of actions; what no source reaches is either a cycle or loose.
  const owned = new Set<string>();
  const walk = (source: string) => {
    const chain: string[] = [];
    for (let at = next.get(source); at && !owned.has(at); at = next.get(at)) {
      owned.add(at);
      chain.push(at);
    }
    return chain;
  };
  const byId = new Map(graph.actions.map((a) => [a.id, a]));
  const checkSequence = (source: string, chain: string[], mayBeEmpty: boolean) => {
    if (chain.length === 0) {
      if (!mayBeEmpty) out.push({ severity: "error", code: "no_action", node: source });
      return;
    }
    chain.forEach((id, i) => {
      const a = byId.get(id)!;
      if (i + 1 < chain.length && isFinal(a.type)) out.push({ severity: "error", code: "final_not_last", node: id, params: { type: a.type } });
      if (i + 1 === chain.length && !isFinal(a.type)) out.push({ severity: "error", code: "ends_with_message", node: id });
    });
  };
  for (const r of graph.rules) checkSequence(r.id, walk(r.id), false);
  checkSequence(graph.fallback.id, walk(graph.fallback.id), true);
  const reported = new Set<string>();
  for (const a of graph.actions) {
    if (owned.has(a.id) || reported.has(a.id)) continue;
    const path = [a.id];
    let cycle = false;
    for (let at = next.get(a.id); at; at = next.get(at)) {
      if (at === a.id) {
        cycle = true;
        break;
      }
      if (path.includes(at)) break;
      path.push(at);
    }
    if (cycle) {
      for (const id of path) reported.add(id);
      for (const id of path) out.push({ severity: "error", code: "cycle", node: id, edge: edgeKey({ from: id, to: next.get(id)! }), params: { path: [...path, a.id].join(" → ") } });
    } else if (!into.has(a.id)) {
      out.push({ severity: "error", code: "unconnected", node: a.id });
    }
  }

  // Fields.
  const groupField = (node: string, field: string, group: string | undefined, required: boolean) => {
    if (!group) {
      if (required) out.push({ severity: "error", code: "missing", node, field });
    } else if (groups && !groups.has(group)) {
      out.push({ severity: "error", code: "unknown_group", node, field, params: { group } });
    }
  };
  let alwaysFires: string | null = null;
  for (const r of graph.rules) {
    if (alwaysFires) out.push({ severity: "warning", code: "never_reached", node: r.id, params: { id: alwaysFires } });
    if (r.conditions.length === 0 && !alwaysFires) alwaysFires = r.id;
    r.conditions.forEach((c, i) => {
      const f = (name: string) => `conditions[${i}].${name}`;
      switch (c.type) {
        case "page":
          if (!c.glob) out.push({ severity: "error", code: "missing", node: r.id, field: f("glob") });
          break;
        case "language":
          if (!c.languages?.length) out.push({ severity: "error", code: "missing", node: r.id, field: f("languages") });
          (c.languages ?? []).forEach((l, j) => {
            if (!/^[A-Za-z0-9_-]{1,35}$/.test(l)) out.push({ severity: "error", code: "bad_language", node: r.id, field: `${f("languages")}[${j}]`, params: { value: l } });
          });
          break;
        case "attribute":
          if (!c.key) out.push({ severity: "error", code: "missing", node: r.id, field: f("key") });
          if (c.op === "in" && (!Array.isArray(c.value) || c.value.length === 0)) out.push({ severity: "error", code: "missing", node: r.id, field: f("value") });
          break;
        case "business_hours": {
          groupField(r.id, f("group"), c.group, true);
          const known = catalog?.groups.find((g) => g.id === c.group);
          if (known && known.has_hours === false) out.push({ severity: "error", code: "no_hours", node: r.id, field: f("group"), params: { group: c.group! } });
          break;
        }
        case "group_available":
          groupField(r.id, f("group"), c.group, true);
          break;
        case "keywords":
          if (!c.words?.length) out.push({ severity: "error", code: "missing", node: r.id, field: f("words") });
          break;
        case "intent":
          if (!c.intents?.length) out.push({ severity: "error", code: "missing", node: r.id, field: f("intents") });
          break;
        case "waited":
          if (!Number.isInteger(c.seconds) || (c.seconds ?? 0) < 1 || (c.seconds ?? 0) > 2592000)
            out.push({ severity: "error", code: "bad_seconds", node: r.id, field: f("seconds") });
          break;
      }
    });
    // Two conditions that contradict each other: with "all" the rule never fires.
    if (r.match === "all") {
      const wanted = new Map<string, { expect: boolean; index: number }>();
      r.conditions.forEach((c, i) => {
        if (c.type !== "group_available" && c.type !== "business_hours") return;
        const key = `${c.type}:${c.group}`;
        const expect = c.type === "group_available" ? c.available !== false : c.state !== "closed";
        const before = wanted.get(key);
        if (before && before.expect !== expect)
          out.push({ severity: "warning", code: "contradiction", node: r.id, field: `conditions[${i}]`, params: { other: before.index + 1 } });
        wanted.set(key, { expect, index: i });
      });
    }
  }
  for (const a of graph.actions) {
    if (a.type === "queue") groupField(a.id, "group", a.group, true);
    else if (a.type === "route" || a.type === "offline") groupField(a.id, "group", a.group, false);
    if ((a.type === "message" || a.type === "offline") && !allTexts(a.text).some((x) => x.trim())) out.push({ severity: "error", code: "missing", node: a.id, field: "text" });
    if (allTexts(a.text).some((x) => x.length > 4096)) out.push({ severity: "error", code: "too_long", node: a.id, field: "text" });
    if (a.type === "route")
      (a.chain ?? []).forEach((name, i) => {
        if (a.chain!.indexOf(name) !== i) out.push({ severity: "error", code: "duplicate_strategy", node: a.id, field: `chain[${i}]`, params: { name } });
        else if (strategies && !strategies.has(name)) out.push({ severity: "error", code: "unknown_strategy", node: a.id, field: `chain[${i}]`, params: { name } });
      });
  }
  return out;
}

// The value at a field path of the graph as sent ("rules[1].conditions[0].group").
function valueAt(graph: Graph, path: string): unknown {
  let at: unknown = graph;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

// The server's refusal (its stable code and field, docs/protocol.md) as the
// editor's own problem of that meaning, so it is said in the page's language with
// the names from the graph as sent. null: a refusal the editor has no words for
// (shown in the server's words).
function localProblem(graph: Graph, e: { code: string; field: string }): Pick<Problem, "code" | "params"> | null {
  const field = e.field ?? "";
  const last = /([A-Za-z_]+)(?:\[\d+\])?$/.exec(field)?.[1] ?? "";
  const value = valueAt(graph, field);
  const text = typeof value === "string" ? value : "";
  const edge = /^edges\[(\d+)\]/.exec(field);
  const thisEdge = edge ? graph.edges[Number(edge[1])] : undefined;
  switch (e.code) {
    case "missing_field":
      return { code: "missing" };
    case "duplicate_id":
      return { code: "duplicate_id", params: { id: field.endsWith(".fallback") ? "fallback" : text } };
    case "unknown_group":
      return { code: "unknown_group", params: { group: text } };
    case "bad_hours":
      return { code: "no_hours", params: { group: text } };
    case "unknown_strategy":
      return { code: "unknown_strategy", params: { name: text } };
    case "missing_action":
      return { code: "no_action" };
    case "unconnected":
      return { code: "unconnected" };
    case "bad_glob":
      return { code: "bad_glob", params: { glob: text } };
    case "unknown_field":
      return { code: "unknown_field", params: { field } };
    case "invalid_sequence": {
      const action = value as Action | undefined;
      if (!action?.type) return null;
      return isFinal(action.type) ? { code: "final_not_last", params: { type: action.type } } : { code: "ends_with_message" };
    }
    case "dangling_edge":
      return { code: "dangling_edge", params: { id: text } };
    case "invalid_edge": {
      if (!thisEdge) return null;
      const sources = new Set([...graph.rules.map((r) => r.id), graph.fallback.id]);
      if (last === "to" && sources.has(thisEdge.to)) return { code: "edge_into_rule", params: { id: thisEdge.to } };
      const other = graph.edges.find((x) => x !== thisEdge && (last === "from" ? x.from === thisEdge.from : x.to === thisEdge.to));
      if (!other) return null;
      return last === "from" ? { code: "two_next", params: { id: other.to } } : { code: "two_into", params: { id: other.from } };
    }
    case "cycle":
      return thisEdge ? { code: "cycle", params: { path: `${thisEdge.from} → ${thisEdge.to}` } } : null;
    case "invalid_field":
      if (last === "id") return { code: "bad_id", params: { id: text } };
      if (last === "languages") return { code: "bad_language", params: { value: text } };
      if (last === "chain") return { code: "duplicate_strategy", params: { name: text } };
      if (last === "text") return text.trim() ? { code: "too_long" } : { code: "missing" };
      if (last === "seconds") return { code: "bad_seconds" };
      return null;
  }
  return null;
}

// The server's 422 errors[] on the nodes they name: "rules[2].conditions[0].value"
// belongs to the third rule (field "conditions[0].value"), "actions[1].group" to the
// second action, "edges[0].to" to that edge, "fallback..." to the fallback. Each is
// said as the editor's problem of the same meaning where there is one.
export function serverProblems(graph: Graph, errors: { code: string; field: string; message: string }[]): Problem[] {
  return errors.map((e) => {
    const local = localProblem(graph, e);
    const p: Problem = local ? { severity: "error", ...local } : { severity: "error", code: e.code, message: e.message };
    const m = /^(rules|actions|edges)\[(\d+)\](?:\.(.*))?$/.exec(e.field ?? "");
    if (m) {
      const index = Number(m[2]);
      if (m[1] === "rules") p.node = graph.rules[index]?.id;
      if (m[1] === "actions") p.node = graph.actions[index]?.id;
      if (m[1] === "edges" && graph.edges[index]) {
        p.edge = edgeKey(graph.edges[index]);
        p.node = graph.edges[index].from;
      }
      if (m[3]) p.field = m[3];
    } else if ((e.field ?? "").startsWith("fallback")) {
      p.node = graph.fallback.id;
      const rest = e.field.slice("fallback".length).replace(/^\./, "");
      if (rest) p.field = rest;
    }
    return p;
  });
}

export const errorsOf = (problems: Problem[]) => problems.filter((p) => p.severity === "error");
