/** @jsxImportSource react */
// What the editor tells the admin outside the canvas: the banner (saved, refused,
// changed elsewhere) and the list of problems.
import { describeProblem, nodeName } from "../describe";
import type { Graph } from "../graph/model";
import type { Problem } from "../graph/validate";
import type { T } from "../i18n";
import { useEditor } from "./context";

export type Banner =
  | { kind: "changed"; remote: { graph: Graph; etag: string | null } | null }
  | { kind: "error" | "info" | "success"; text: string };

export function BannerView({ t, banner, dirty, onReload, onClose, onExport }: { t: T; banner: Banner; dirty: boolean; onReload: () => void; onClose: () => void; onExport: () => void }) {
  if (banner.kind === "changed")
    return (
      <div className="banner banner-changed" role="alert">
        <span>{dirty ? t("banner.changed") : t("banner.changedClean")}</span>
        <button type="button" className="primary" onClick={onReload}>
          {dirty ? t("banner.reloadLose") : t("banner.reload")}
        </button>
        {dirty && (
          <button type="button" onClick={onExport}>
            {t("banner.exportMine")}
          </button>
        )}
        <button type="button" onClick={onClose}>
          {t("banner.keep")}
        </button>
      </div>
    );
  return (
    <div className={`banner banner-${banner.kind}`} role={banner.kind === "error" ? "alert" : "status"}>
      <span>{banner.text}</span>
      <button type="button" className="icon" aria-label={t("banner.close")} title={t("banner.close")} onClick={onClose}>
        ✕
      </button>
    </div>
  );
}

export function ProblemList({ t, problems, graph, onSelect }: { t: T; problems: Problem[]; graph: Graph; onSelect: (id: string) => void }) {
  const { groupName } = useEditor();
  if (problems.length === 0) return <p className="help inspector-empty">{t("inspector.none")}</p>;
  const name = (id?: string) => {
    if (!id) return t("problems.general");
    return nodeName(t, graph, id, groupName);
  };
  return (
    <section className="problem-list" aria-label={t("problems.title")}>
      <h2>{t("problems.title")}</h2>
      <ul>
        {problems.map((p, i) => (
          <li key={i} className={p.severity}>
            <button type="button" className="link" disabled={!p.node} onClick={() => p.node && onSelect(p.node)}>
              {name(p.node)}
            </button>
            <span>{describeProblem(t, p)}</span>
          </li>
        ))}
      </ul>
      <p className="help">{t("inspector.none")}</p>
    </section>
  );
}
