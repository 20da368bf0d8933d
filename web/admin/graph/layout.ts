// Auto-layout: the graph reads like the order it runs in. One row per rule, top to
// bottom in evaluation order, the rule on the left and its actions to its right in
// sequence; the fallback's row last; actions no rule reaches below everything.
import { Graph, Position } from "./model";

export const kColumnX = 0;
export const kActionX = 380;
export const kActionStep = 300;
const kRowGap = 64;
const kRuleBase = 96; // a rule node's height with no condition
const kConditionRow = 30;
const kActionHeight = 110;

export const estimatedRuleHeight = (conditions: number) => kRuleBase + Math.max(1, conditions) * kConditionRow;

// Node heights as drawn (React Flow measures them); estimates stand in for the rest.
export type Heights = Map<string, number>;

// Where every node goes. keep: positions already set stay (only missing ones are filled).
export function layout(graph: Graph, keep = false, heights: Heights = new Map()): Map<string, Position> {
  const at = new Map<string, Position>();
  const next = new Map(graph.edges.map((e) => [e.from, e.to]));
  const placed = new Set<string>();
  let y = 0;
  const row = (source: string, height: number) => {
    at.set(source, { x: kColumnX, y });
    let x = kActionX;
    let rowHeight = heights.get(source) ?? height;
    for (let id = next.get(source); id && !placed.has(id); id = next.get(id)) {
      if (!graph.actions.some((a) => a.id === id)) break;
      placed.add(id);
      at.set(id, { x, y });
      x += kActionStep;
      rowHeight = Math.max(rowHeight, heights.get(id) ?? kActionHeight);
    }
    y += rowHeight + kRowGap;
  };
  for (const r of graph.rules) row(r.id, estimatedRuleHeight(r.conditions.length));
  row(graph.fallback.id, 90);
  let x = kActionX;
  for (const a of graph.actions) {
    if (placed.has(a.id)) continue;
    at.set(a.id, { x, y });
    x += kActionStep;
  }
  if (keep) {
    for (const r of graph.rules) if (r.position) at.set(r.id, r.position);
    for (const a of graph.actions) if (a.position) at.set(a.id, a.position);
    if (graph.fallback.position) at.set(graph.fallback.id, graph.fallback.position);
  }
  return at;
}

// The graph with every node at its laid-out place.
export function withLayout(graph: Graph, keep = false, heights?: Heights): Graph {
  const at = layout(graph, keep, heights);
  return {
    ...graph,
    rules: graph.rules.map((r) => ({ ...r, position: at.get(r.id) })),
    actions: graph.actions.map((a) => ({ ...a, position: at.get(a.id) })),
    fallback: { ...graph.fallback, position: at.get(graph.fallback.id) },
  };
}

// True when some node has no position (a graph written by hand): lay those out.
export const needsLayout = (graph: Graph) =>
  graph.rules.some((r) => !r.position) || graph.actions.some((a) => !a.position) || !graph.fallback.position;

// A node's box on the canvas (its top left corner and size).
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

// Where a new node of `size` goes near `want` without covering a node already
// there: `want` itself when it is free, else the nearest free place on a grid
// around it (the canvas's centre is often taken, and a node dropped on another
// hides it and its edges).
export function freeSpot(want: Position, boxes: Box[], size: { w: number; h: number }, gap = 24): Position {
  const free = (p: Position) =>
    !boxes.some((b) => p.x < b.x + b.w + gap && b.x < p.x + size.w + gap && p.y < b.y + b.h + gap && b.y < p.y + size.h + gap);
  if (free(want)) return want;
  const step = 40;
  for (let ring = 1; ring <= 60; ring++) {
    const candidates: Position[] = [];
    for (let dx = -ring; dx <= ring; dx++)
      for (let dy = -ring; dy <= ring; dy++)
        if (Math.max(Math.abs(dx), Math.abs(dy)) === ring) candidates.push({ x: want.x + dx * step, y: want.y + dy * step });
    candidates.sort((a, b) => Math.hypot(a.x - want.x, a.y - want.y) - Math.hypot(b.x - want.x, b.y - want.y));
    const found = candidates.find(free);
    if (found) return found;
  }
  return want;
}
