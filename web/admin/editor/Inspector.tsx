/** @jsxImportSource react */
// The form for the selected node: a rule with its conditions, an action, or the
// fallback. Every change goes through onChange as a new graph.
import { describeProblem } from "../describe";
import * as edits from "../graph/edits";
import { Action, ActionType, AttributeValue, Condition, ConditionType, Graph, actionTypes, conditionTypes, isFinal } from "../graph/model";
import type { Catalog, Problem } from "../graph/validate";
import type { T } from "../i18n";
import { Field, ListInput } from "./fields";

export type Change = (next: Graph, coalesce?: string) => void;

type Props = {
  t: T;
  graph: Graph;
  selected: string;
  catalog: Catalog & { default_chain?: string[] };
  problems: Problem[];
  onChange: Change;
  onSelect: (id: string) => void;
};

// The group a new condition of this type starts with: business hours need a group that has hours.
const defaultGroup = (catalog: Catalog, type: ConditionType) =>
  (type === "business_hours" ? catalog.groups.find((g) => g.has_hours !== false) : catalog.groups[0])?.id ?? "";

const fieldError = (t: T, problems: Problem[], field: string) => {
  const mine = problems.filter((p) => p.field === field || (p.field && p.field.startsWith(field + "[")));
  return mine.length ? mine.map((p) => describeProblem(t, p)).join("; ") : undefined;
};

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

function GroupSelect({ id, value, groups, optional, t, onChange, describedBy }: { id: string; value?: string; groups: Catalog["groups"]; optional: boolean; t: T; onChange: (g: string) => void; describedBy?: string }) {
  const known = groups.some((g) => g.id === value);
  return (
    <select id={id} value={value ?? ""} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)}>
      {optional ? <option value="">{t("inspector.anyGroup")}</option> : !value && <option value="">—</option>}
      {value && !known && <option value={value}>{value} (?)</option>}
      {groups.map((g) => (
        <option key={g.id} value={g.id}>
          {"name" in g && g.name && g.name !== g.id ? `${g.name} (${g.id})` : g.id}
        </option>
      ))}
    </select>
  );
}

function attributeKind(v: unknown): "text" | "number" | "boolean" {
  return typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "text";
}

function toKind(kind: string, raw: string): AttributeValue {
  if (kind === "number") return Number(raw) || 0;
  if (kind === "boolean") return raw === "true";
  return raw;
}

function ConditionForm(props: Props & { ruleId: string; index: number; condition: Condition }) {
  const { t, graph, onChange, problems, catalog, ruleId, index, condition: c } = props;
  const f = (name: string) => fieldError(t, problems, `conditions[${index}].${name}`);
  const set = (next: Condition, coalesce?: string) => onChange(edits.updateCondition(graph, ruleId, index, next), coalesce && `${c.id}:${coalesce}`);
  const whole = problems.filter((p) => p.field === `conditions[${index}]`);
  return (
    <div className="condition">
      <div className="row">
        <Field label={t("inspector.conditionType", { n: index + 1 })}>
          {(id) => (
            <select id={id} value={c.type} onChange={(e) => onChange(edits.retypeCondition(graph, ruleId, index, e.target.value as ConditionType, defaultGroup(catalog, e.target.value as ConditionType)))}>
              {conditionTypes.map((type) => (
                <option key={type} value={type}>
                  {t(`cond.${type}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="button" className="icon danger" aria-label={t("inspector.removeCondition", { n: index + 1 })} title={t("inspector.removeCondition", { n: index + 1 })} onClick={() => onChange(edits.removeCondition(graph, ruleId, index))}>
          ✕
        </button>
      </div>
      {whole.map((p, i) => (
        <div key={i} className={`field-problem ${p.severity}`} role="alert">
          {describeProblem(t, p)}
        </div>
      ))}
      {c.type === "page" && (
        <Field label={t("cond.glob")} error={f("glob")}>
          {(id, d) => <input id={id} type="text" value={c.glob ?? ""} placeholder="https://shop.example/checkout/*" aria-describedby={d} aria-invalid={!!f("glob") || undefined} onChange={(e) => set({ ...c, glob: e.target.value }, "glob")} />}
        </Field>
      )}
      {c.type === "language" && (
        <Field label={t("cond.languages")} error={f("languages")}>
          {(id, d) => <ListInput id={id} value={c.languages ?? []} describedBy={d} invalid={!!f("languages")} onChange={(v) => set({ ...c, languages: v }, "languages")} />}
        </Field>
      )}
      {c.type === "attribute" && (
        <>
          <Field label={t("cond.key")} error={f("key")}>
            {(id, d) => <input id={id} type="text" value={c.key ?? ""} placeholder="vip" aria-describedby={d} aria-invalid={!!f("key") || undefined} onChange={(e) => set({ ...c, key: e.target.value }, "key")} />}
          </Field>
          <Field label={t("cond.op")} error={f("op")}>
            {(id) => (
              <select
                id={id}
                value={c.op ?? "eq"}
                onChange={(e) => {
                  const op = e.target.value as Condition["op"];
                  const next: Condition = { ...c, op };
                  if (op === "exists") delete next.value;
                  else if (op === "in") next.value = Array.isArray(c.value) ? c.value : c.value !== undefined && c.value !== "" ? [c.value as AttributeValue] : [];
                  else next.value = Array.isArray(c.value) ? (c.value[0] ?? "") : (c.value ?? "");
                  set(next);
                }}
              >
                {(["eq", "neq", "exists", "in"] as const).map((op) => (
                  <option key={op} value={op}>
                    {t(`cond.op.${op}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {(c.op === "eq" || c.op === "neq" || !c.op) && (
            <div className="row">
              <Field label={t("cond.value")} error={f("value")}>
                {(id, d) =>
                  attributeKind(c.value) === "boolean" ? (
                    <select id={id} value={String(c.value)} aria-describedby={d} onChange={(e) => set({ ...c, value: e.target.value === "true" })}>
                      <option value="true">true</option>
                      <option value="false">false</option>
                    </select>
                  ) : (
                    <input id={id} type={attributeKind(c.value) === "number" ? "number" : "text"} value={String(c.value ?? "")} aria-describedby={d} aria-invalid={!!f("value") || undefined} onChange={(e) => set({ ...c, value: toKind(attributeKind(c.value), e.target.value) }, "value")} />
                  )
                }
              </Field>
              <Field label={t("cond.valueType")}>
                {(id) => (
                  <select id={id} value={attributeKind(c.value)} onChange={(e) => set({ ...c, value: toKind(e.target.value, String(c.value ?? "")) })}>
                    <option value="text">abc</option>
                    <option value="number">123</option>
                    <option value="boolean">true/false</option>
                  </select>
                )}
              </Field>
            </div>
          )}
          {c.op === "in" && (
            <Field label={t("cond.values")} error={f("value")}>
              {(id, d) => <ListInput id={id} value={(Array.isArray(c.value) ? c.value : []).map(String)} describedBy={d} invalid={!!f("value")} onChange={(v) => set({ ...c, value: v }, "value")} />}
            </Field>
          )}
        </>
      )}
      {(c.type === "business_hours" || c.type === "group_available") && (
        <Field label={t("inspector.group")} error={f("group")}>
          {(id, d) => <GroupSelect id={id} t={t} value={c.group} optional={false} describedBy={d} groups={c.type === "business_hours" ? catalog.groups.filter((g) => g.has_hours !== false) : catalog.groups} onChange={(g) => set({ ...c, group: g })} />}
        </Field>
      )}
      {c.type === "business_hours" && (
        <Field label={t("cond.state")} error={f("state")}>
          {(id) => (
            <select id={id} value={c.state ?? "open"} onChange={(e) => set({ ...c, state: e.target.value as "open" | "closed" })}>
              <option value="open">{t("cond.open")}</option>
              <option value="closed">{t("cond.closed")}</option>
            </select>
          )}
        </Field>
      )}
      {c.type === "group_available" && (
        <Field label={t("cond.available")} error={f("available")}>
          {(id) => (
            <select id={id} value={c.available === false ? "no" : "yes"} onChange={(e) => set({ ...c, available: e.target.value === "yes" })}>
              <option value="yes">{t("cond.availableYes")}</option>
              <option value="no">{t("cond.availableNo")}</option>
            </select>
          )}
        </Field>
      )}
      {c.type === "keywords" && (
        <>
          <Field label={t("cond.words")} error={f("words")}>
            {(id, d) => <ListInput id={id} value={c.words ?? []} describedBy={d} invalid={!!f("words")} onChange={(v) => set({ ...c, words: v }, "words")} />}
          </Field>
          <Field label={t("cond.wordsMatch")}>
            {(id) => (
              <select id={id} value={c.match ?? "any"} onChange={(e) => set({ ...c, match: e.target.value as "any" | "all" })}>
                <option value="any">{t("cond.any")}</option>
                <option value="all">{t("cond.all")}</option>
              </select>
            )}
          </Field>
        </>
      )}
      {c.type === "intent" && (
        <Field label={t("cond.intents")} error={f("intents")}>
          {(id, d) => <ListInput id={id} value={c.intents ?? []} describedBy={d} invalid={!!f("intents")} onChange={(v) => set({ ...c, intents: v }, "intents")} />}
        </Field>
      )}
      {c.type === "waited" && (
        <Field label={t("cond.seconds")} error={f("seconds")}>
          {(id, d) => <input id={id} type="number" min={1} max={2592000} step={1} value={c.seconds ?? 0} aria-describedby={d} aria-invalid={!!f("seconds") || undefined} onChange={(e) => set({ ...c, seconds: Math.round(Number(e.target.value)) }, "seconds")} />}
        </Field>
      )}
    </div>
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
        <Field label={t("inspector.text")} error={f("text")}>
          {(id, d) => <textarea id={id} rows={4} maxLength={4096} value={a.text ?? ""} aria-describedby={d} aria-invalid={!!f("text") || undefined} onChange={(e) => set({ text: e.target.value }, "text")} />}
        </Field>
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
          {options.map((a) => (
            <option key={a.id} value={a.id}>
              {t(`act.${a.type}`)} · {a.id}
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
