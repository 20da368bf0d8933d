/** @jsxImportSource react */
// The Knowledge page's dialog flows, read-only (GET …/flows, the autoreply-flow
// plugin's TOML, read in the browser by flows.ts): per flow what starts it, a
// diagram of its steps and branches (React Flow, nothing editable), and the same as
// a list of steps a screen reader and a test can read. Texts from the file are
// rendered as text.
import { Background, Controls, Edge, MarkerType, Node, Position, ReactFlow } from "@xyflow/react";
import { useEffect, useId, useMemo, useState } from "react";
import { ApiError, Session, base, failure, reach } from "../api";
import type { Lang } from "../i18n";
import { BT, BotKey } from "./botText";
import { Branch, FlowStep, FlowView, flowLayout, flowsFromToml, textIn } from "./flowModel";
import "./bot.css";

// One flow file as text, with the names of all of them (X-Switchboard-Files); null
// when the tenant has no flows.
async function flowFile(session: Session, name?: string): Promise<{ text: string; names: string[] } | null> {
  const headers: Record<string, string> = {};
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  const query = name === undefined ? "" : `?file=${encodeURIComponent(name)}`;
  const response = await reach(`${base(session.tenant)}/flows${query}`, { headers, credentials: "same-origin" });
  const text = await response.text();
  if (response.status === 404 && name === undefined) return null;
  if (!response.ok) {
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    throw failure(response.status, json);
  }
  const listed = response.headers.get("X-Switchboard-Files");
  return { text, names: listed ? listed.split(",").map(decodeURIComponent) : [] };
}

type FileFlows = { file: string; flows: FlowView[] };

// Every flow file of the tenant, in the config's order.
async function allFlows(session: Session): Promise<FileFlows[]> {
  const first = await flowFile(session);
  if (!first) return [];
  const names = first.names.length ? first.names : [""];
  const files: FileFlows[] = [{ file: names[0], flows: flowsFromToml(first.text) }];
  for (const name of names.slice(1)) {
    const next = await flowFile(session, name);
    if (next) files.push({ file: name, flows: flowsFromToml(next.text) });
  }
  return files;
}

export function FlowsView({ t, lang, session, onExpired }: { t: BT; lang: Lang; session: Session; onExpired: (e: unknown) => void }) {
  const [files, setFiles] = useState<FileFlows[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  useEffect(() => {
    let live = true;
    allFlows(session).then(
      (loaded) => live && setFiles(loaded),
      (e) => {
        if (!live) return;
        if ((e as ApiError).status === 401) return onExpired(e);
        // smol-toml's errors are not ApiErrors: the file is not TOML.
        setError(e instanceof ApiError ? e.message : t("flows.parseFailed", { message: (e as Error).message }));
      },
    );
    return () => {
      live = false;
    };
  }, [session, onExpired, t]);

  return (
    <section className="flows" aria-labelledby={`${id}-title`}>
      <div className="ppage-title">
        <h3 id={`${id}-title`}>{t("flows.title")}</h3>
        <p className="help">{t("flows.lead")}</p>
      </div>
      {error && (
        <p className="field-problem" role="alert">
          {error}
        </p>
      )}
      {files && files.every((f) => f.flows.length === 0) && <p className="muted">{t("flows.none")}</p>}
      {files?.map((f) => f.flows.map((flow) => <FlowCard key={`${f.file}/${flow.name}`} t={t} lang={lang} flow={flow} file={f.file} />))}
    </section>
  );
}

// "order_status/ask_number" shown as "ask_number" inside its own flow.
const shortName = (flow: FlowView, id: string) => (id.startsWith(`${flow.name}/`) ? id.slice(flow.name.length + 1) : id);

function branchText(t: BT, lang: Lang, b: Branch): string {
  return t(`flows.branch.${b.kind}` as BotKey, { label: textIn(b.label, lang) });
}

function endingText(t: BT, step: FlowStep): string | null {
  const e = step.ending;
  if (!e) return null;
  if (e.kind === "handoff") return e.group ? t("flows.end.handoffGroup", { group: e.group }) : t("flows.end.handoff");
  return t(`flows.end.${e.kind}` as BotKey);
}

function FlowCard({ t, lang, flow, file }: { t: BT; lang: Lang; flow: FlowView; file: string }) {
  const id = useId();
  const starts = flow.keywords.length > 0 || flow.intents.length > 0 || flow.isDefault;
  return (
    <article className="card flow-card" aria-labelledby={`${id}-name`} data-flow={flow.name}>
      <div className="flow-card-head">
        <h4 id={`${id}-name`}>{t("flows.flow", { name: flow.name })}</h4>
        {file && <span className="pill file">{t("flows.file", { file })}</span>}
      </div>
      <div className="flow-starts">
        <span className="flow-label">{t("flows.startsOn")}</span>
        {!starts && <span className="muted">{t("flows.nothingStarts")}</span>}
        {flow.keywords.length > 0 && (
          <ul className="flow-chips" aria-label={t("flows.keywords")}>
            {flow.keywords.map((k) => (
              <li key={k} className="pill example">
                {k}
              </li>
            ))}
          </ul>
        )}
        {flow.intents.length > 0 && (
          <ul className="flow-chips" aria-label={t("flows.intents")}>
            {flow.intents.map((k) => (
              <li key={k} className="pill skill">
                {t("flows.branch.intent", { label: k })}
              </li>
            ))}
          </ul>
        )}
        {flow.isDefault && <span className="pill group">{t("flows.default")}</span>}
      </div>
      <p className="muted small">
        {[flow.expireAfterS !== null ? t("flows.expire", { s: flow.expireAfterS }) : "", flow.maxFallbacks !== null ? t("flows.fallbacks", { n: flow.maxFallbacks }) : ""]
          .filter(Boolean)
          .join(" · ")}
      </p>
      <FlowDiagram t={t} lang={lang} flow={flow} />
      <ol className="flow-steps" aria-label={t("flows.steps", { name: flow.name })}>
        {flow.steps.map((step) => (
          <li key={step.id} className={"flow-step" + (step.reachable ? "" : " unreachable")} aria-label={step.name} data-step={step.name}>
            <div className="flow-step-head">
              <code className="flow-step-name">{step.name}</code>
              {step.id === flow.start && <span className="pill group">{t("flows.start")}</span>}
              {step.waits && <span className="pill">{t("flows.waits")}</span>}
              {!step.reachable && <span className="pill file">{t("flows.unreachable")}</span>}
            </div>
            {step.message && (
              <p className="flow-says">
                <span className="flow-label">{t("flows.says")}</span> <span className="flow-message">{textIn(step.message, lang)}</span>
              </p>
            )}
            {step.capture && <p className="small">{t("flows.captures", { param: step.capture.param, pattern: step.capture.pattern, n: step.capture.maxRetries })}</p>}
            {step.lookup && <p className="small">{t("flows.looksUp", { key: step.lookup.key, table: step.lookup.table, into: step.lookup.into })}</p>}
            {step.setAttributes.length > 0 && <p className="small">{t("flows.sets", { attrs: step.setAttributes.map(([k, v]) => `${k} = ${v}`).join(", ") })}</p>}
            {step.branches.length > 0 && (
              <ul className="flow-branches">
                {step.branches.map((b, i) => (
                  <li key={i} className={`flow-branch branch-${b.kind}`}>
                    {branchText(t, lang, b)} <span className="flow-to">{t("flows.goesTo", { to: shortName(flow, b.to) })}</span>
                  </li>
                ))}
              </ul>
            )}
            {step.ending && <p className={`flow-ending ending-${step.ending.kind}`}>{endingText(t, step)}</p>}
          </li>
        ))}
      </ol>
    </article>
  );
}

const kColumnWidth = 540;
const kRowHeight = 130;

// The flow as a diagram: nodes left to right in the order a visitor reaches them;
// branches to another flow end at a node naming it. Looked at, never edited.
function FlowDiagram({ t, lang, flow }: { t: BT; lang: Lang; flow: FlowView }) {
  const { nodes, edges, height } = useMemo(() => {
    const at = flowLayout(flow);
    const nodes: Node[] = [];
    const edges: Edge[] = [];
    let rows = 1;
    for (const step of flow.steps) {
      const p = at.get(step.id)!;
      rows = Math.max(rows, p.row + 1);
      const end = endingText(t, step);
      nodes.push({
        id: step.id,
        position: { x: p.column * kColumnWidth, y: p.row * kRowHeight },
        sourcePosition: Position.Right,
        targetPosition: Position.Left,
        className: "flow-node" + (step.id === flow.start ? " is-start" : "") + (step.ending ? " is-end" : ""),
        data: {
          label: (
            <div>
              <div className="flow-node-name">{step.name}</div>
              {step.message && <div className="flow-node-message">{textIn(step.message, lang)}</div>}
              {end && <div className="flow-node-end">{end}</div>}
            </div>
          ),
        },
      });
      // Branches to the same step share one arrow, labelled with all of them.
      const labels = new Map<string, string[]>();
      for (const b of step.branches) labels.set(b.to, [...(labels.get(b.to) ?? []), branchText(t, lang, b)]);
      for (const [to, texts] of labels) {
        if (!flow.steps.some((s) => s.id === to) && !nodes.some((n) => n.id === to)) {
          nodes.push({
            id: to,
            position: { x: (p.column + 1) * kColumnWidth, y: (p.row + 0.5) * kRowHeight },
            targetPosition: Position.Left,
            className: "flow-node is-external",
            data: { label: to },
          });
        }
        const label = texts.join(" · ");
        const toName = flow.steps.find((s) => s.id === to)?.name ?? to;
        edges.push({ id: `${step.id}->${to}`, source: step.id, target: to, label, ariaLabel: t("flows.edge", { from: step.name, to: toName, when: label }), markerEnd: { type: MarkerType.ArrowClosed } });
      }
    }
    return { nodes, edges, height: Math.min(560, Math.max(220, rows * kRowHeight + 60)) };
  }, [flow, t, lang]);
  return (
    <div className="flow-diagram" style={{ height }} role="group" aria-label={t("flows.graph", { name: flow.name })}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        nodesFocusable={false}
        zoomOnScroll={false}
        preventScrolling={false}
        proOptions={{ hideAttribution: true }}
        ariaLabelConfig={{
          "node.a11yDescription.default": t("flows.diagramHelp"),
          "node.a11yDescription.keyboardDisabled": t("flows.diagramHelp"),
          "edge.a11yDescription.default": t("flows.diagramHelp"),
          "controls.ariaLabel": t("flows.controls"),
          "controls.zoomIn.ariaLabel": t("flows.zoomIn"),
          "controls.zoomOut.ariaLabel": t("flows.zoomOut"),
          "controls.fitView.ariaLabel": t("flows.fit"),
        }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
