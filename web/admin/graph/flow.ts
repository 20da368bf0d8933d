// The document (the server's JSON form) to React Flow's nodes and edges, and
// back. The document stays the source of truth: the canvas is drawn from it, and
// what the canvas changes (positions, edges) is written back into it.
import type { Edge as FlowEdge, Node as FlowNode } from "@xyflow/react";
import { layout } from "./layout";
import { Action, Graph, Position, Rule } from "./model";
import { edgeKey } from "./validate";

export type RuleData = { kind: "rule"; rule: Rule; index: number; count: number };
export type ActionData = { kind: "action"; action: Action };
export type FallbackData = { kind: "fallback"; id: string };
export type NodeData = (RuleData | ActionData | FallbackData) & Record<string, unknown>;

export type EditorNode = FlowNode<NodeData>;

export function toFlow(graph: Graph): { nodes: EditorNode[]; edges: FlowEdge[] } {
  const placed = layout(graph, true);
  const pos = (id: string, given?: Position) => given ?? placed.get(id) ?? { x: 0, y: 0 };
  const nodes: EditorNode[] = [
    ...graph.rules.map((rule, index) => ({
      id: rule.id,
      type: "rule",
      position: pos(rule.id, rule.position),
      data: { kind: "rule", rule, index, count: graph.rules.length } as NodeData,
    })),
    ...graph.actions.map((action) => ({
      id: action.id,
      type: "action",
      position: pos(action.id, action.position),
      data: { kind: "action", action } as NodeData,
    })),
    {
      id: graph.fallback.id,
      type: "fallback",
      position: pos(graph.fallback.id, graph.fallback.position),
      data: { kind: "fallback", id: graph.fallback.id } as NodeData,
      deletable: false,
    },
  ];
  const edges: FlowEdge[] = graph.edges.map((e) => ({ id: edgeKey(e), source: e.from, target: e.to }));
  return { nodes, edges };
}

// The document as the canvas now has it: node positions and edges from the canvas,
// everything else from base. Nodes the canvas no longer has are dropped, with edges.
export function fromFlow(base: Graph, nodes: { id: string; position: Position }[], edges: { source: string; target: string }[]): Graph {
  const at = new Map(nodes.map((n) => [n.id, n.position]));
  return {
    rules: base.rules.filter((r) => at.has(r.id)).map((r) => ({ ...r, position: at.get(r.id) })),
    actions: base.actions.filter((a) => at.has(a.id)).map((a) => ({ ...a, position: at.get(a.id) })),
    fallback: { ...base.fallback, position: at.get(base.fallback.id) ?? base.fallback.position },
    edges: edges.filter((e) => at.has(e.source) && at.has(e.target)).map((e) => ({ from: e.source, to: e.target })),
  };
}

// Nodes moved: only positions change.
export function movePositions(graph: Graph, moved: Map<string, Position>): Graph {
  if (moved.size === 0) return graph;
  const p = (id: string, old?: Position) => moved.get(id) ?? old;
  return {
    ...graph,
    rules: graph.rules.map((r) => (moved.has(r.id) ? { ...r, position: p(r.id, r.position) } : r)),
    actions: graph.actions.map((a) => (moved.has(a.id) ? { ...a, position: p(a.id, a.position) } : a)),
    fallback: moved.has(graph.fallback.id) ? { ...graph.fallback, position: p(graph.fallback.id) } : graph.fallback,
  };
}
