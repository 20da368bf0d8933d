/** @jsxImportSource react */
// The rules in evaluation order, with buttons to reorder them: the order is always
// visible and changeable without the mouse.
import * as edits from "../graph/edits";
import type { Graph } from "../graph/model";
import type { Problem } from "../graph/validate";
import type { T } from "../i18n";

type Props = { t: T; graph: Graph; selected: string | null; problems: Map<string, Problem[]>; onChange: (g: Graph) => void; onSelect: (id: string) => void };

export function Outline({ t, graph, selected, problems, onChange, onSelect }: Props) {
  const mark = (id: string) => {
    const mine = problems.get(id) ?? [];
    if (mine.some((p) => p.severity === "error")) return <span className="dot dot-error" aria-label={t("node.problems", { n: mine.length })} role="img" />;
    if (mine.length) return <span className="dot dot-warning" aria-label={t("node.problems", { n: mine.length })} role="img" />;
    return null;
  };
  return (
    <nav className="outline" aria-label={t("outline.title")}>
      <h2>{t("outline.title")}</h2>
      {graph.rules.length === 0 && <p className="help">{t("outline.empty")}</p>}
      <ol>
        {graph.rules.map((r, i) => {
          const name = r.name || r.id;
          return (
            <li key={r.id} className={selected === r.id ? "is-selected" : undefined}>
              <button type="button" className="outline-item" aria-current={selected === r.id ? "true" : undefined} onClick={() => onSelect(r.id)}>
                <span className="order">{i + 1}</span>
                <span className="outline-name">{name}</span>
                {mark(r.id)}
              </button>
              <span className="outline-move">
                <button type="button" className="icon" disabled={i === 0} aria-label={t("outline.up", { name })} title={t("outline.up", { name })} onClick={() => onChange(edits.moveRule(graph, r.id, -1))}>
                  ↑
                </button>
                <button type="button" className="icon" disabled={i === graph.rules.length - 1} aria-label={t("outline.down", { name })} title={t("outline.down", { name })} onClick={() => onChange(edits.moveRule(graph, r.id, 1))}>
                  ↓
                </button>
              </span>
            </li>
          );
        })}
        <li className={selected === graph.fallback.id ? "is-selected fallback" : "fallback"}>
          <button type="button" className="outline-item" onClick={() => onSelect(graph.fallback.id)}>
            <span className="order">∗</span>
            <span className="outline-name">{t("outline.fallback")}</span>
            {mark(graph.fallback.id)}
          </button>
        </li>
      </ol>
      <p className="help small">{t("outline.hint")}</p>
    </nav>
  );
}
