/** @jsxImportSource react */
// The graph on a React Flow canvas: drawn from the document on every change, and
// writing back what the mouse or keyboard did (moves, connections, deletions).
import {
  Background,
  Connection,
  Controls,
  Edge as FlowEdge,
  EdgeChange,
  MarkerType,
  MiniMap,
  NodeChange,
  ReactFlow,
  applyNodeChanges,
} from "@xyflow/react";
import { useCallback, useMemo, useRef, useState } from "react";
import { describeAction, edgeName, nodeName } from "../describe";
import * as edits from "../graph/edits";
import { EditorNode, movePositions, toFlow } from "../graph/flow";
import type { Graph, Position } from "../graph/model";
import { edgeKey } from "../graph/validate";
import { useEditor } from "./context";
import { nodeTypes } from "./nodes";

export type Selection = { nodes: string[]; edges: string[] };

type Props = {
  graph: Graph;
  selection: Selection;
  onSelection: (s: Selection) => void;
  commit: (g: Graph) => void; // one undo step
  live: (g: Graph) => void; // while dragging: no step of its own
  gestureStart: () => void;
  gestureEnd: () => void;
  edgeProblems: Set<string>;
};

export function Canvas({ graph, selection, onSelection, commit, live, gestureStart, gestureEnd, edgeProblems }: Props) {
  const { t, highlight, groupName } = useEditor();
  // React Flow measures nodes; the sizes are kept here since nodes are redrawn from the document.
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const dragging = useRef(false);

  const flow = useMemo(() => toFlow(graph), [graph]);
  const selectedNodes = useMemo(() => new Set(selection.nodes), [selection.nodes]);
  const selectedEdges = useMemo(() => new Set(selection.edges), [selection.edges]);
  const nodes: EditorNode[] = useMemo(
    () =>
      flow.nodes.map((n) => {
        const data = n.data;
        const label =
          data.kind === "action"
            ? t("node.actionLabel", { type: t(`act.${data.action.type}`), summary: describeAction(t, data.action, groupName)[0] })
            : nodeName(t, graph, n.id, groupName);
        return { ...n, selected: selectedNodes.has(n.id), measured: measured[n.id], ariaLabel: label };
      }),
    [flow, selectedNodes, measured, t, graph, groupName],
  );
  const edges: FlowEdge[] = useMemo(
    () =>
      flow.edges.map((e) => {
        const classes = ["edge"];
        if (edgeProblems.has(e.id)) classes.push("edge-error");
        if (highlight) classes.push(highlight.edges.has(e.id) ? "edge-path" : "edge-off");
        return {
          ...e,
          selected: selectedEdges.has(e.id),
          className: classes.join(" "),
          markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
          animated: highlight?.edges.has(e.id) ?? false,
          ariaLabel: edgeName(t, graph, e.source, e.target, groupName),
        };
      }),
    [flow, selectedEdges, edgeProblems, highlight, graph, t, groupName],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<EditorNode>[]) => {
      const dims = changes.filter((c) => c.type === "dimensions" && c.dimensions);
      if (dims.length) {
        setMeasured((m) => {
          const next = { ...m };
          for (const c of dims) if (c.type === "dimensions" && c.dimensions) next[c.id] = c.dimensions;
          return next;
        });
      }
      const moved = new Map<string, Position>();
      let dragEnded = false;
      let dragNow = false;
      for (const c of changes) {
        if (c.type !== "position") continue;
        if (c.position) moved.set(c.id, { x: c.position.x, y: c.position.y });
        if (c.dragging) dragNow = true;
        if (c.dragging === false && dragging.current) dragEnded = true;
      }
      if (dragNow && !dragging.current) {
        dragging.current = true;
        gestureStart();
      }
      if (moved.size) {
        const next = movePositions(graph, moved);
        if (dragging.current) live(next);
        else commit(next); // moved by the keyboard's arrow keys
      }
      if (dragEnded) {
        dragging.current = false;
        gestureEnd();
      }
      const selects = changes.filter((c) => c.type === "select");
      if (selects.length) {
        const after = applyNodeChanges(selects, nodes);
        onSelection({ nodes: after.filter((n) => n.selected).map((n) => n.id), edges: selection.edges });
      }
    },
    [graph, nodes, selection.edges, commit, live, gestureStart, gestureEnd, onSelection],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const selects = changes.filter((c) => c.type === "select");
      if (!selects.length) return;
      const now = new Set(selection.edges);
      for (const c of selects) if (c.type === "select") c.selected ? now.add(c.id) : now.delete(c.id);
      onSelection({ nodes: selection.nodes, edges: [...now] });
    },
    [selection, onSelection],
  );

  const onConnect = useCallback((c: Connection) => commit(edits.connect(graph, c.source, c.target)), [graph, commit]);
  const isValidConnection = useCallback(
    (c: Connection | FlowEdge) => c.source !== c.target && graph.actions.some((a) => a.id === c.target),
    [graph],
  );
  const onDelete = useCallback(
    ({ nodes: gone, edges: cut }: { nodes: EditorNode[]; edges: FlowEdge[] }) => {
      let next = edits.deleteNodes(graph, gone.map((n) => n.id));
      const goneIds = new Set(gone.map((n) => n.id));
      next = edits.disconnect(next, cut.filter((e) => !goneIds.has(e.source) && !goneIds.has(e.target)).map((e) => e.id));
      commit(next);
      onSelection({ nodes: [], edges: [] });
    },
    [graph, commit, onSelection],
  );

  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onConnect={onConnect}
      onDelete={onDelete}
      isValidConnection={isValidConnection}
      deleteKeyCode={["Delete", "Backspace"]}
      multiSelectionKeyCode={["Shift", "Meta", "Control"]}
      fitView
      fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
      minZoom={0.2}
      maxZoom={2}
      proOptions={{ hideAttribution: true }}
      ariaLabelConfig={{
        "node.a11yDescription.default": t("flow.nodeHelp"),
        "node.a11yDescription.keyboardDisabled": t("flow.nodeHelp"),
        "node.a11yDescription.ariaLiveMessage": ({ x, y }: { direction: string; x: number; y: number }) => t("flow.moved", { x, y }),
        "edge.a11yDescription.default": t("flow.edgeHelp"),
        "controls.ariaLabel": t("flow.controls"),
        "controls.zoomIn.ariaLabel": t("flow.zoomIn"),
        "controls.zoomOut.ariaLabel": t("flow.zoomOut"),
        "controls.fitView.ariaLabel": t("flow.fit"),
        "controls.interactive.ariaLabel": t("flow.lock"),
        "minimap.ariaLabel": t("flow.minimap"),
        "handle.ariaLabel": t("flow.handle"),
      }}
    >
      <Background gap={24} size={1.5} />
      <Controls position="bottom-left" />
      <MiniMap position="bottom-right" pannable zoomable nodeClassName={(n) => `mini-${n.type}`} />
    </ReactFlow>
  );
}

export { edgeKey };
