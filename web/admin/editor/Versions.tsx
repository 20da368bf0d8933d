/** @jsxImportSource react */
// The saved versions of the graph: who saved, when; view one (it becomes the
// editor's unsaved document, so Save restores it).
import { useEffect, useState } from "react";
import type { AdminApi, Version } from "../api";
import type { T } from "../i18n";

type Props = { t: T; api: AdminApi; lang: string; currentEtag: string | null; refresh: number; onView: (v: Version) => void; close: () => void };

export const formatTime = (ms: number, lang: string) =>
  new Date(ms).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { dateStyle: "medium", timeStyle: "short" });

export function VersionsPanel({ t, api, lang, currentEtag, refresh, onView, close }: Props) {
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.versions().then(setVersions, (e) => setError(t("versions.failed", { message: (e as Error).message })));
  }, [api, refresh, t]);
  return (
    <section className="versions-panel" aria-label={t("versions.title")}>
      <div className="panel-head">
        <h2>{t("versions.title")}</h2>
        <button type="button" className="icon" aria-label={t("versions.close")} title={t("versions.close")} onClick={close}>
          ✕
        </button>
      </div>
      <p className="help">{t("versions.lead")}</p>
      {error && (
        <p className="field-problem" role="alert">
          {error}
        </p>
      )}
      {versions && versions.length === 0 && <p className="help">{t("versions.empty")}</p>}
      <ol className="version-list">
        {versions?.map((v) => (
          <li key={v.seq} className={v.etag === currentEtag ? "version is-current" : "version"}>
            <div className="version-head">
              <strong>{t("versions.item", { seq: v.seq, time: formatTime(v.at, lang) })}</strong>
              {v.etag === currentEtag && <span className="current-tag">{t("versions.current")}</span>}
            </div>
            <div className="muted">
              {v.by.id ? t("versions.by", { name: v.by.name }) : t("versions.byFile")} · {t("versions.rules", { n: v.rules })}
            </div>
            <button type="button" onClick={() => onView(v)}>
              {t("versions.view", { seq: v.seq })}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
