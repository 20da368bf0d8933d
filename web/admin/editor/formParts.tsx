/** @jsxImportSource react */
// What the inspector's forms share: their props, a field's problems, the group choice.
import { describeProblem } from "../describe";
import type { ConditionType, Graph } from "../graph/model";
import type { Catalog, Problem } from "../graph/validate";
import type { T } from "../i18n";

export type Change = (next: Graph, coalesce?: string) => void;

export type Props = {
  t: T;
  graph: Graph;
  selected: string;
  catalog: Catalog & { default_chain?: string[] };
  problems: Problem[];
  onChange: Change;
  onSelect: (id: string) => void;
};

// The group a new condition of this type starts with: business hours need a group that has hours.
export const defaultGroup = (catalog: Catalog, type: ConditionType) =>
  (type === "business_hours" ? catalog.groups.find((g) => g.has_hours !== false) : catalog.groups[0])?.id ?? "";

export const fieldError = (t: T, problems: Problem[], field: string) => {
  const mine = problems.filter((p) => p.field === field || (p.field && p.field.startsWith(field + "[")));
  return mine.length ? mine.map((p) => describeProblem(t, p)).join("; ") : undefined;
};

export function GroupSelect({ id, value, groups, optional, t, onChange, describedBy }: { id: string; value?: string; groups: Catalog["groups"]; optional: boolean; t: T; onChange: (g: string) => void; describedBy?: string }) {
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

