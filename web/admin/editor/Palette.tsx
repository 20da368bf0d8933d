/** @jsxImportSource react */
// New nodes: drag one onto the canvas (it lands where it is dropped) or click it
// (it lands in the middle of the view, after the selected node when that fits).
import type { DragEvent } from "react";
import { ActionType, actionTypes } from "../graph/model";
import type { T } from "../i18n";
import { ActionIcon } from "./icons";

export const kDragType = "application/x-switchboard-node";
export type NewKind = "rule" | ActionType;

export function Palette({ t, onAdd }: { t: T; onAdd: (kind: NewKind) => void }) {
  const start = (kind: NewKind) => (e: DragEvent) => {
    e.dataTransfer.setData(kDragType, kind);
    e.dataTransfer.effectAllowed = "copy";
  };
  return (
    <section className="palette" aria-label={t("palette.title")}>
      <h2>{t("palette.title")}</h2>
      <div className="palette-items">
        <button type="button" className="chip chip-rule" draggable onDragStart={start("rule")} onClick={() => onAdd("rule")} title={t("palette.hint")}>
          <span className="order" aria-hidden="true">
            #
          </span>
          {t("palette.rule")}
        </button>
        {actionTypes.map((type) => (
          <button key={type} type="button" className={`chip chip-${type}`} draggable onDragStart={start(type)} onClick={() => onAdd(type)} title={t("palette.hint")}>
            <ActionIcon type={type} />
            {t(`act.${type}`)}
          </button>
        ))}
      </div>
    </section>
  );
}
