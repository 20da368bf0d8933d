/** @jsxImportSource react */
// The three kinds of node on the canvas. Text is rendered as text (React escapes
// it), never as HTML.
import { Handle, NodeProps, Position, useStore } from "@xyflow/react";
import { describeAction, describeCondition, describeProblem } from "../describe";
import type { ActionData, EditorNode, RuleData } from "../graph/flow";
import { useEditor } from "./context";
import { ActionIcon } from "./icons";

function ProblemBadge({ id }: { id: string }) {
  const { t, problems } = useEditor();
  const mine = problems.get(id) ?? [];
  if (mine.length === 0) return null;
  const errors = mine.filter((p) => p.severity === "error").length;
  const words = mine.map((p) => describeProblem(t, p)).join("\n");
  return (
    <span className={errors ? "badge badge-error" : "badge badge-warning"} title={words} role="img" aria-label={t("node.problems", { n: mine.length }) + ": " + words}>
      {errors ? "!" : "?"} {mine.length}
    </span>
  );
}

function useStateClass(id: string, base: string) {
  const { problems, highlight } = useEditor();
  const classes = [base];
  if ((problems.get(id) ?? []).some((p) => p.severity === "error")) classes.push("has-error");
  else if ((problems.get(id) ?? []).length) classes.push("has-warning");
  if (highlight) classes.push(highlight.path.has(id) ? (highlight.fired === id ? "is-fired" : "on-path") : "off-path");
  return classes.join(" ");
}

export function RuleNode({ id, data, selected }: NodeProps<EditorNode>) {
  const { t, highlight, groupName } = useEditor();
  const { rule, index } = data as RuleData;
  return (
    <div className={useStateClass(id, "node node-rule") + (selected ? " is-selected" : "")} data-node-id={id}>
      <div className="node-head">
        <span className="order" aria-hidden="true">
          {index + 1}
        </span>
        <span className="node-title">{rule.name || rule.id}</span>
        <ProblemBadge id={id} />
        {highlight?.fired === id && <span className="fired-tag">{t("node.fired")}</span>}
      </div>
      <div className="node-sub">
        {t("node.rule", { n: index + 1 })} · <code>{rule.id}</code>
      </div>
      {rule.conditions.length === 0 ? (
        <div className="cond cond-always">{t("node.always")}</div>
      ) : (
        <>
          <div className="cond-match">{rule.match === "any" ? t("node.matchAny") : t("node.matchAll")}</div>
          <ul className="conds">
            {rule.conditions.map((c) => (
              <li key={c.id} className={`cond cond-${c.type}`}>
                <span className="cond-type">{t(`cond.${c.type}`)}</span> {describeCondition(t, c, groupName)}
              </li>
            ))}
          </ul>
        </>
      )}
      <Handle type="source" position={Position.Right} aria-label={t("flow.handle")} />
    </div>
  );
}

export function ActionNode({ id, data, selected }: NodeProps<EditorNode>) {
  const { t, highlight, groupName } = useEditor();
  const { action } = data as ActionData;
  const lines = describeAction(t, action, groupName);
  const chosen = highlight?.last === id && highlight.answer;
  return (
    <div className={useStateClass(id, `node node-action action-${action.type}`) + (selected ? " is-selected" : "")} data-node-id={id}>
      <Handle type="target" position={Position.Left} aria-label={t("flow.handle")} />
      <div className="node-head">
        <ActionIcon type={action.type} />
        <span className="node-title">{t(`act.${action.type}`)}</span>
        <ProblemBadge id={id} />
      </div>
      {lines.map((line, i) => (
        <div key={i} className={i === 0 ? "action-line" : "action-line secondary"}>
          {line}
        </div>
      ))}
      {chosen && (action.type === "route" || chosen.agent) && (
        <div className={chosen.agent ? "chosen" : "chosen none"}>{chosen.agent ? t("node.chosen", { name: chosen.agent.name }) : t("node.noAgent")}</div>
      )}
      <Handle type="source" position={Position.Right} aria-label={t("flow.handle")} />
    </div>
  );
}

export function FallbackNode({ id, selected }: NodeProps<EditorNode>) {
  const { t, highlight } = useEditor();
  const leads = useStore((s) => s.edges.some((e) => e.source === id));
  return (
    <div className={useStateClass(id, "node node-fallback") + (selected ? " is-selected" : "")} data-node-id={id}>
      <div className="node-head">
        <span className="order" aria-hidden="true">
          ∗
        </span>
        <span className="node-title">{t("node.fallback")}</span>
        <ProblemBadge id={id} />
        {highlight?.fired === id && <span className="fired-tag">{t("node.fired")}</span>}
      </div>
      <div className="node-sub">{t("node.fallbackText")}</div>
      {!leads && <div className="cond cond-always">{t("node.fallbackDefault")}</div>}
      <Handle type="source" position={Position.Right} aria-label={t("flow.handle")} />
    </div>
  );
}

export const nodeTypes = { rule: RuleNode, action: ActionNode, fallback: FallbackNode };
