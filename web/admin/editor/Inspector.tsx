/** @jsxImportSource react */
// The form for the selected node: a rule with its conditions, an action, or the
// fallback. Every change goes through onChange as a new graph.
import { actionNames, describeProblem, groupNames } from "../describe";
import * as edits from "../graph/edits";
import { Action, ActionType, ConditionType, actionTypes, conditionTypes, isFinal, textIn, withTextIn } from "../graph/model";
import type { T } from "../i18n";
import { ConditionForm } from "./ConditionForm";
import { GroupSelect, Props, defaultGroup, fieldError } from "./formParts";
import { Field } from "./fields";

export function Inspector(props: Props) {
  const { t, graph, selected } = props;
  const rule = graph.rules.find((r) => r.id === selected);
  if (rule) return <RuleForm {...props} />;
  const action = graph.actions.find((a) => a.id === selected);
  if (action) return <ActionForm {...props} action={action} />;
  if (graph.fallback.id === selected)
    return (
      <section className="inspector" aria-label={t("inspector.title")}>
        <h2>{t("node.fallback")}</h2>
        <p className="help">{t("inspector.fallbackHelp")}</p>
        <NodeProblems {...props} />
        <NextStep {...props} from={graph.fallback.id} />
      </section>
    );
  return null;
}

function NodeProblems({ t, problems }: Props) {
  const general = problems.filter((p) => !p.field);
  if (general.length === 0) return null;
  return (
    <ul className="node-problems" aria-label={t("problems.title")}>
      {general.map((p, i) => (
        <li key={i} className={p.severity}>
          {describeProblem(t, p)}
        </li>
      ))}
    </ul>
  );
}

function RuleForm(props: Props) {
  const { t, graph, selected, onChange, problems, catalog } = props;
  const index = graph.rules.findIndex((r) => r.id === selected);
  const rule = graph.rules[index];
  return (
    <section className="inspector" aria-label={t("inspector.title")}>
      <h2>{t("node.ruleLabel", { n: index + 1, name: rule.name || rule.id })}</h2>
      <NodeProblems {...props} />
      <Field label={t("inspector.ruleName")} error={fieldError(t, problems, "name")}>
        {(id, d) => <input id={id} type="text" value={rule.name ?? ""} aria-describedby={d} onChange={(e) => onChange(edits.updateRule(graph, rule.id, { name: e.target.value }), `name:${rule.id}`)} />}
      </Field>
      <div className="row">
        <span className="muted">
          {t("inspector.ruleId")}: <code>{rule.id}</code>
        </span>
        <span className="muted">{t("inspector.order", { n: index + 1, count: graph.rules.length })}</span>
      </div>
      <div className="row buttons">
        <button type="button" disabled={index === 0} onClick={() => onChange(edits.moveRule(graph, rule.id, -1))}>
          ↑ {t("inspector.moveUp")}
        </button>
        <button type="button" disabled={index === graph.rules.length - 1} onClick={() => onChange(edits.moveRule(graph, rule.id, 1))}>
          ↓ {t("inspector.moveDown")}
        </button>
        <button
          type="button"
          onClick={() => {
            const copy = edits.duplicateRule(graph, rule.id, t("inspector.copySuffix"));
            onChange(copy.graph);
            props.onSelect(copy.id);
          }}
        >
          {t("inspector.duplicate")}
        </button>
        <button type="button" className="danger" onClick={() => onChange(edits.deleteNodes(graph, [rule.id]))}>
          {t("inspector.deleteRule")}
        </button>
      </div>
      <fieldset className="match">
        <legend>{t("inspector.match")}</legend>
        {(["all", "any"] as const).map((m) => (
          <label key={m} className="inline">
            <input type="radio" name={`match-${rule.id}`} checked={rule.match === m} onChange={() => onChange(edits.updateRule(graph, rule.id, { match: m }))} />
            {m === "all" ? t("inspector.matchAll") : t("inspector.matchAny")}
          </label>
        ))}
      </fieldset>
      <h3>{t("inspector.conditions")}</h3>
      {rule.conditions.length === 0 && <p className="help">{t("inspector.noConditions")}</p>}
      <ol className="condition-list">
        {rule.conditions.map((c, i) => (
          <li key={c.id} className="condition-card">
            <ConditionForm {...props} ruleId={rule.id} index={i} condition={c} />
          </li>
        ))}
      </ol>
      <Field label={t("inspector.addCondition")}>
        {(id) => (
          <select
            id={id}
            value=""
            onChange={(e) => {
              if (e.target.value) onChange(edits.addCondition(graph, rule.id, e.target.value as ConditionType, defaultGroup(catalog, e.target.value as ConditionType)));
            }}
          >
            <option value="">+ {t("inspector.addCondition")}…</option>
            {conditionTypes.map((type) => (
              <option key={type} value={type}>
                {t(`cond.${type}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <NextStep {...props} from={rule.id} />
    </section>
  );
}

function ActionForm(props: Props & { action: Action }) {
  const { t, graph, onChange, problems, catalog, action: a } = props;
  const f = (name: string) => fieldError(t, problems, name);
  const set = (patch: Partial<Action>, coalesce?: string) => onChange(edits.updateAction(graph, a.id, patch), coalesce && `${a.id}:${coalesce}`);
  const chain = a.chain ?? [];
  const available = catalog.strategies.filter((s) => !chain.includes(s.name));
  const describe = (name: string) => {
    const key = `strategy.${name}` as const;
    const text = t(key as Parameters<T>[0]);
    return text === key ? "" : text;
  };
  return (
    <section className="inspector" aria-label={t("inspector.title")}>
      <h2>
        {t(`act.${a.type}`)} <code className="muted">{a.id}</code>
      </h2>
      <NodeProblems {...props} />
      <Field label={t("inspector.actionType")}>
        {(id) => (
          <select id={id} value={a.type} onChange={(e) => onChange(edits.retype(graph, a.id, e.target.value as ActionType))}>
            {actionTypes.map((type) => (
              <option key={type} value={type}>
                {t(`act.${type}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {(a.type === "route" || a.type === "queue" || a.type === "offline") && (
        <Field label={t("inspector.group")} error={f("group")}>
          {(id, d) => <GroupSelect id={id} t={t} value={a.group} optional={a.type !== "queue"} groups={catalog.groups} describedBy={d} onChange={(g) => set({ group: g })} />}
        </Field>
      )}
      {a.type === "route" && (
        <fieldset className="chain">
          <legend>{t("inspector.chain")}</legend>
          {chain.length === 0 && <p className="help">{t("inspector.chainDefault", { chain: catalog.default_chain?.length ? ` (${catalog.default_chain.join(" → ")})` : "" })}</p>}
          <ol>
            {chain.map((name, i) => {
              const problem = f(`chain[${i}]`);
              return (
                <li key={name} className={problem ? "strategy field-error" : "strategy"}>
                  <div className="strategy-name">
                    <code>{name}</code>
                    <span className="strategy-buttons">
                      <button type="button" className="icon" disabled={i === 0} aria-label={t("inspector.strategyUp", { name })} title={t("inspector.strategyUp", { name })} onClick={() => set({ chain: swap(chain, i, i - 1) })}>
                        ↑
                      </button>
                      <button type="button" className="icon" disabled={i === chain.length - 1} aria-label={t("inspector.strategyDown", { name })} title={t("inspector.strategyDown", { name })} onClick={() => set({ chain: swap(chain, i, i + 1) })}>
                        ↓
                      </button>
                      <button type="button" className="icon danger" aria-label={t("inspector.strategyRemove", { name })} title={t("inspector.strategyRemove", { name })} onClick={() => set({ chain: chain.filter((n) => n !== name) })}>
                        ✕
                      </button>
                    </span>
                  </div>
                  {describe(name) && <div className="help">{describe(name)}</div>}
                  {problem && (
                    <div className="field-problem" role="alert">
                      {problem}
                    </div>
                  )}
                </li>
              );
            })}
          </ol>
          {available.length > 0 && (
            <Field label={t("inspector.addStrategy")}>
              {(id) => (
                <select id={id} value="" onChange={(e) => e.target.value && set({ chain: [...chain, e.target.value] })}>
                  <option value="">+ {t("inspector.addStrategy")}…</option>
                  {available.map((s) => (
                    <option key={s.name} value={s.name}>
                      {s.name}
                      {describe(s.name) ? ` — ${describe(s.name)}` : ""}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
        </fieldset>
      )}
      {a.type === "bot" && (
        <Field label={t("inspector.flowNode")} error={f("flow_node")}>
          {(id, d) => <input id={id} type="text" value={a.flow_node ?? ""} aria-describedby={d} onChange={(e) => set({ flow_node: e.target.value }, "flow_node")} />}
        </Field>
      )}
      {(a.type === "message" || a.type === "offline") && (
        <fieldset>
          <legend>{t("inspector.text")}</legend>
          <Field label={t("inspector.textEn")} error={f("text")} hint={t("inspector.textHelp")}>
            {(id, d) => <textarea id={id} rows={4} maxLength={4096} value={textIn(a.text, "en")} aria-describedby={d} aria-invalid={!!f("text") || undefined} onChange={(e) => set({ text: withTextIn(a.text, "en", e.target.value) }, "text")} />}
          </Field>
          <Field label={t("inspector.textZh")}>
            {(id, d) => <textarea id={id} lang="zh-CN" rows={4} maxLength={4096} value={textIn(a.text, "zh")} aria-describedby={d} onChange={(e) => set({ text: withTextIn(a.text, "zh", e.target.value) }, "text")} />}
          </Field>
        </fieldset>
      )}
      {(!isFinal(a.type) || graph.edges.some((e) => e.from === a.id)) && <NextStep {...props} from={a.id} />}
      <div className="row buttons">
        <button type="button" className="danger" onClick={() => onChange(edits.deleteNodes(graph, [a.id]))}>
          {t("inspector.deleteAction")}
        </button>
      </div>
    </section>
  );
}

const swap = (list: string[], i: number, j: number) => {
  const out = [...list];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
};

// What follows a node: the keyboard's way to connect and disconnect.
function NextStep({ t, graph, onChange, onSelect, from, catalog }: Props & { from: string }) {
  const current = graph.edges.find((e) => e.from === from)?.to ?? "";
  const taken = new Set(graph.edges.map((e) => e.to));
  const options = graph.actions.filter((a) => a.id !== from && (a.id === current || !taken.has(a.id)));
  const node = [...graph.rules, ...graph.actions].find((n) => n.id === from) as { position?: { x: number; y: number } } | undefined;
  const base = node?.position ?? graph.fallback.position ?? { x: 0, y: 0 };
  return (
    <Field label={t("inspector.next")}>
      {(id) => (
        <select
          id={id}
          value={current}
          onChange={(e) => {
            const value = e.target.value;
            if (value.startsWith("new:")) {
              const { graph: next, id: created } = edits.addAction(graph, value.slice(4) as ActionType, { x: base.x + 320, y: base.y }, from, catalog.groups[0]?.id ?? "");
              onChange(next);
              onSelect(created);
            } else {
              onChange(edits.setNext(graph, from, value || null));
            }
          }}
        >
          <option value="">{t("inspector.nextNone")}</option>
          {actionNames(t, options, groupNames(catalog.groups)).map((name, i) => (
            <option key={options[i].id} value={options[i].id}>
              {name}
            </option>
          ))}
          {actionTypes.map((type) => (
            <option key={type} value={`new:${type}`}>
              {t("inspector.nextNew", { type: t(`act.${type}`) })}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
