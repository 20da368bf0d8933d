/** @jsxImportSource react */
// The Audit log page: who changed what and when, newest first, filtered by action
// and by person, a page at a time ("Show older entries" follows next_cursor). Every
// text from the server (names, targets, summaries) is rendered as text.
import { useCallback, useEffect, useState } from "react";
import { ApiError } from "../api";
import type { Lang } from "../i18n";
import type { AgentRow, AuditEntry, PagesApi } from "./api";
import type { PT, PageKey } from "./text";
import { PageHead } from "./ui";

export const AUDIT_ACTIONS = [
  "routing.saved",
  "routing.restored",
  "agent.created",
  "agent.updated",
  "agent.password_reset",
  "agent.disabled",
  "kb.saved",
  "intents.saved",
  "flows.saved",
  "canned_reply.created",
  "canned_reply.updated",
  "canned_reply.deleted",
  "widget.saved",
  "group.saved",
  "group.deleted",
  "unanswered.attached",
  "unanswered.created",
  "unanswered.dismissed",
  "unanswered.reopened",
] as const;

const PAGE_SIZE = 50;

// An action as people read it; an action this page does not know yet (a newer
// server's) shows as its code.
export function actionLabel(t: PT, action: string): string {
  return (AUDIT_ACTIONS as readonly string[]).includes(action) ? t(`audit.action.${action}` as PageKey) : action;
}

export const formatWhen = (ms: number, lang: Lang) =>
  new Date(ms).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { dateStyle: "medium", timeStyle: "medium" });

export function AuditPage({ t, lang, api, onExpired }: { t: PT; lang: Lang; api: PagesApi; onExpired: () => void }) {
  const [action, setAction] = useState("");
  const [actor, setActor] = useState("");
  const [people, setPeople] = useState<AgentRow[]>([]);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [notSupported, setNotSupported] = useState(false);
  const [busy, setBusy] = useState(false);

  const fail = useCallback(
    (e: unknown) => {
      const status = (e as ApiError).status;
      if (status === 401) return onExpired();
      if (status === 501) return setNotSupported(true);
      setError((e as Error).message);
    },
    [onExpired],
  );

  // The first page for the current filters.
  const load = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      const page = await api.audit({ action: action || undefined, actor: actor || undefined, limit: PAGE_SIZE });
      setEntries(page.entries);
      setNext(page.next_cursor);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }, [api, action, actor, fail]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    api.agents().then(setPeople, () => setPeople([]));
  }, [api]);

  const more = async () => {
    if (!next) return;
    setBusy(true);
    try {
      const page = await api.audit({ action: action || undefined, actor: actor || undefined, limit: PAGE_SIZE, cursor: next });
      setEntries((shown) => [...(shown ?? []), ...page.entries]);
      setNext(page.next_cursor);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const filtered = action !== "" || actor !== "";
  return (
    <section className="ppage" aria-labelledby="audit-title">
      <PageHead id="audit-title" title={t("audit.title")} lead={t("audit.lead")}>
        {entries && <span className="pcount">{t("audit.shown", { n: entries.length })}</span>}
        <button type="button" onClick={() => void load()} disabled={busy}>
          {t("audit.refresh")}
        </button>
      </PageHead>
      {notSupported ? (
        <p className="banner banner-info" role="status">
          {t("audit.notSupported")}
        </p>
      ) : (
        <>
          <div className="audit-filters">
            <label className="pfield">
              <span>{t("audit.filterAction")}</span>
              <select value={action} onChange={(e) => setAction(e.target.value)}>
                <option value="">{t("audit.anyAction")}</option>
                {AUDIT_ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {actionLabel(t, a)}
                  </option>
                ))}
              </select>
            </label>
            <label className="pfield">
              <span>{t("audit.filterActor")}</span>
              <select value={actor} onChange={(e) => setActor(e.target.value)}>
                <option value="">{t("audit.anyActor")}</option>
                {people.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} ({p.email})
                  </option>
                ))}
              </select>
            </label>
          </div>
          {error && (
            <p className="load-error" role="alert">
              {t("common.loadFailed", { message: error })}
            </p>
          )}
          {!entries && !error && <p className="loading">{t("common.loading")}</p>}
          {entries && entries.length === 0 && <p className="muted empty">{filtered ? t("audit.noMatch") : t("audit.empty")}</p>}
          {entries && entries.length > 0 && (
            <div className="card ptable-wrap">
              <table className="ptable audit-table" aria-label={t("audit.title")}>
                <thead>
                  <tr>
                    <th scope="col">{t("audit.col.when")}</th>
                    <th scope="col">{t("audit.col.who")}</th>
                    <th scope="col">{t("audit.col.what")}</th>
                    <th scope="col">{t("audit.col.target")}</th>
                    <th scope="col">{t("audit.col.summary")}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr key={e.seq} data-action={e.action}>
                      <td className="num">
                        <time dateTime={new Date(e.at).toISOString()}>{formatWhen(e.at, lang)}</time>
                      </td>
                      <td>
                        <span className="person-name">{e.actor.name || e.actor.id}</span>{" "}
                        <span className={`pill role-${e.actor.role === "admin" ? "admin" : "agent"}`}>
                          {e.actor.role === "admin" ? t("audit.roleAdmin") : t("audit.roleAgent")}
                        </span>
                      </td>
                      <td>{actionLabel(t, e.action)}</td>
                      <td className="audit-target">{e.target}</td>
                      <td className="audit-summary">{e.summary}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {next && (
            <button type="button" className="audit-more" onClick={() => void more()} disabled={busy}>
              {busy ? t("audit.loadingMore") : t("audit.more")}
            </button>
          )}
        </>
      )}
    </section>
  );
}
