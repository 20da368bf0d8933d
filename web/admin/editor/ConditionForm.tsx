/** @jsxImportSource react */
// One condition of a rule, with the input its type needs.
import { describeProblem } from "../describe";
import * as edits from "../graph/edits";
import { AttributeValue, Condition, ConditionType, conditionTypes } from "../graph/model";
import { Field, ListInput } from "./fields";
import { GroupSelect, Props, defaultGroup, fieldError } from "./formParts";

function attributeKind(v: unknown): "text" | "number" | "boolean" {
  return typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "text";
}

function toKind(kind: string, raw: string): AttributeValue {
  if (kind === "number") return Number(raw) || 0;
  if (kind === "boolean") return raw === "true";
  return raw;
}

export function ConditionForm(props: Props & { ruleId: string; index: number; condition: Condition }) {
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

