/** @jsxImportSource react */
// The Unanswered page: the visitor questions the bot handed off, answered with low
// confidence or was told did not help (GET …/bot/unanswered), with how often and
// why. An admin attaches one to a knowledge-base entry (a searchable list of the
// entries), makes a new entry of it, or dismisses it (the question joins the
// knowledge base's not_for_bot, and the bot leaves questions like it to a person),
// and may undo a dismissal; the bot answers from the changed knowledge base at once. Visitor text is always rendered as text.
// Each action names the item's version as listed: when another admin decided it
// meanwhile (412 question_changed), or the chosen entry left the knowledge base
// (422 entry_gone), the page says so and loads the list (or the entries) again.
import { FormEvent, useCallback, useEffect, useMemo, useState } from "react";
import { ApiError } from "../api";
import type { Lang } from "../i18n";
import type { PagesApi, UnansweredItem, UnansweredReason, UnansweredStatus } from "./api";
import { formatWhen } from "./Audit";
import { kbFromToml } from "./kb";
import type { PT, PageKey } from "./text";
import { PageHead, problemText, useLoadTurns } from "./ui";

const STATUSES: UnansweredStatus[] = ["open", "attached", "new_entry", "dismissed"];
const REASONS: UnansweredReason[] = ["handed_off", "low_confidence", "not_helpful"];
const PAGE_SIZE = 50;

type EntryChoice = { id: string; question: string };
type Panel = { item: string; kind: "attach" | "create" } | null;

// Entries whose id or any question contains every word of the search, in order.
export function matchingEntries(entries: { id: string; questions: string[] }[], search: string): EntryChoice[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  return entries
    .filter((e) => {
      const hay = [e.id, ...e.questions].join("\n").toLowerCase();
      return words.every((w) => hay.includes(w));
    })
    .map((e) => ({ id: e.id, question: e.questions[0] ?? "" }));
}

// What the page says when an action was refused as stale; null for any other refusal.
export function staleDecisionText(t: PT, e: unknown, entry = ""): string | null {
  const error = e as ApiError;
  if (error?.status === 412 && error.code === "question_changed") {
    const now = (error.body?.error?.current?.status as UnansweredStatus | undefined) ?? "open";
    return t("un.changed", { status: t(`un.status.${now}` as PageKey) });
  }
  if (error?.status === 422 && error.code === "entry_gone") return t("un.entryGone", { entry });
  return null;
}

// What the page tells the admin, said in the page's language when it is drawn (a
// language switched after an attach says the notice again in the new one).
type Say = (t: PT) => string;

export function UnansweredPage({ t, lang, api, onExpired }: { t: PT; lang: Lang; api: PagesApi; onExpired: (e: unknown) => void }) {
  const [status, setStatus] = useState<UnansweredStatus>("open");
  const [reason, setReason] = useState<UnansweredReason | "">("");
  const [items, setItems] = useState<UnansweredItem[] | null>(null);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<string | undefined>();
  const [entries, setEntries] = useState<{ id: string; questions: string[] }[]>([]);
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<Say | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notSupported, setNotSupported] = useState(false);
  const [busy, setBusy] = useState(false);

  const fail = useCallback(
    (e: unknown, during: "load" | "act") => {
      const status = (e as ApiError).status;
      if (status === 401) return onExpired(e);
      if (status === 501) return setNotSupported(true);
      const message = problemText(e);
      if (during === "act") setNotice(() => (tt: PT) => tt("un.failed", { message }));
      else setError(message);
    },
    [onExpired, t],
  );

  // A filter changed while an earlier list was on its way: that list must not
  // replace the new filter's when it comes.
  const { begin, current, isLatest } = useLoadTurns();
  const load = useCallback(async () => {
    const mine = begin();
    setBusy(true);
    setError(null);
    try {
      const page = await api.unanswered({ status, reason: reason || undefined, limit: PAGE_SIZE });
      if (!isLatest(mine)) return;
      setItems(page.items);
      setTotal(page.total);
      setNext(page.next_cursor);
    } catch (e) {
      if (isLatest(mine)) fail(e, "load");
    } finally {
      if (isLatest(mine)) setBusy(false);
    }
  }, [api, status, reason, fail, begin, isLatest]);
  useEffect(() => {
    void load();
  }, [load]);

  // The entries to attach to, from the knowledge base as the Knowledge page reads it.
  const loadEntries = useCallback(async () => {
    try {
      setEntries(kbFromToml((await api.kb()).text).rows.map((r) => ({ id: r.id, questions: r.questions })));
    } catch {
      setEntries([]);
    }
  }, [api]);
  useEffect(() => {
    void loadEntries();
  }, [loadEntries]);

  const more = async () => {
    if (!next) return;
    const mine = current();
    setBusy(true);
    try {
      const page = await api.unanswered({ status, reason: reason || undefined, limit: PAGE_SIZE, cursor: next });
      if (!isLatest(mine)) return;
      setItems((shown) => [...(shown ?? []), ...page.items]);
      setNext(page.next_cursor);
    } catch (e) {
      if (isLatest(mine)) fail(e, "load");
    } finally {
      if (isLatest(mine)) setBusy(false);
    }
  };

  // One decision; the item leaves a list filtered by another status.
  const decide = async (run: () => Promise<UnansweredItem>, entryChosen = "") => {
    setBusy(true);
    setNotice(null);
    try {
      const done = await run();
      const entry = done.resolution?.entry_id ?? "";
      setNotice(() => (tt: PT) => tt(`un.done.${done.status}` as PageKey, { entry }));
      setPanel(null);
      if (done.status === "new_entry") void loadEntries();
      await load();
    } catch (e) {
      const stale = staleDecisionText(t, e, entryChosen);
      if (stale === null) fail(e, "act");
      else {
        // Said once the list (or the entries) is loaded again.
        if ((e as ApiError).code === "entry_gone") await loadEntries();
        else {
          setPanel(null);
          await load();
        }
        setNotice(() => (tt: PT) => staleDecisionText(tt, e, entryChosen) ?? stale);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="ppage" aria-labelledby="unanswered-title">
      <PageHead id="unanswered-title" title={t("un.title")} lead={t("un.lead")}>
        {items && <span className="pcount">{t("un.total", { n: total })}</span>}
        <button type="button" onClick={() => void load()} disabled={busy}>
          {t("un.refresh")}
        </button>
      </PageHead>
      {notSupported ? (
        <p className="banner banner-info" role="status">
          {t("un.notSupported")}
        </p>
      ) : (
        <>
          <div className="audit-filters">
            <label className="pfield">
              <span>{t("un.status")}</span>
              <select aria-label={t("un.status")} value={status} onChange={(e) => setStatus(e.target.value as UnansweredStatus)}>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`un.status.${s}` as PageKey)}
                  </option>
                ))}
              </select>
            </label>
            <label className="pfield">
              <span>{t("un.reason")}</span>
              <select aria-label={t("un.reason")} value={reason} onChange={(e) => setReason(e.target.value as UnansweredReason | "")}>
                <option value="">{t("un.anyReason")}</option>
                {REASONS.map((r) => (
                  <option key={r} value={r}>
                    {t(`un.reason.${r}` as PageKey)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <p className="un-notice" role="status">
            {notice?.(t)}
          </p>
          {error && (
            <p className="load-error" role="alert">
              {t("common.loadFailed", { message: error })}
            </p>
          )}
          {!items && !error && <p className="loading">{t("common.loading")}</p>}
          {items && items.length === 0 && <p className="muted empty">{status === "open" && !reason ? t("un.empty") : t("un.noMatch")}</p>}
          {items && items.length > 0 && (
            <div className="card ptable-wrap">
              <table className="ptable un-table" aria-label={t("un.title")}>
                <thead>
                  <tr>
                    <th scope="col">{t("un.col.question")}</th>
                    <th scope="col">{t("un.col.reasons")}</th>
                    <th scope="col">{t("un.col.count")}</th>
                    <th scope="col">{t("un.col.last")}</th>
                    <th scope="col">{t("un.col.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item) => (
                    <Row key={item.id} t={t} lang={lang} item={item} entries={entries} panel={panel} setPanel={setPanel} busy={busy} api={api} decide={decide} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {next && (
            <button type="button" className="audit-more" onClick={() => void more()} disabled={busy}>
              {t("un.more")}
            </button>
          )}
        </>
      )}
    </section>
  );
}

type RowProps = {
  t: PT;
  lang: Lang;
  item: UnansweredItem;
  entries: { id: string; questions: string[] }[];
  panel: Panel;
  setPanel: (p: Panel) => void;
  busy: boolean;
  api: PagesApi;
  decide: (run: () => Promise<UnansweredItem>, entry?: string) => Promise<void>;
};

function Row({ t, lang, item, entries, panel, setPanel, busy, api, decide }: RowProps) {
  const open = item.status === "open";
  const shown = panel?.item === item.id ? panel.kind : null;
  const q = item.question.length > 40 ? item.question.slice(0, 40) + "…" : item.question;
  const closest = item.candidates.map((c) => c.id).filter(Boolean);
  return (
    <>
      <tr data-item={item.id}>
        <td className="un-question">
          <span lang={item.language || undefined}>{item.question}</span>
          {closest.length > 0 && <div className="help">{t("un.closest", { ids: closest.join(", ") })}</div>}
        </td>
        <td>
          {REASONS.filter((r) => item.reasons[r]).map((r) => (
            <span key={r} className={`pill un-reason reason-${r}`}>
              {t(`un.reason.${r}` as PageKey)} {item.reasons[r]! > 1 ? `(${item.reasons[r]})` : ""}
            </span>
          ))}
        </td>
        <td className="num">{t("un.times", { n: item.count })}</td>
        <td className="num">
          <time dateTime={new Date(item.last_at).toISOString()}>{formatWhen(item.last_at, lang)}</time>
        </td>
        <td className="un-actions">
          {open ? (
            <>
              <button type="button" aria-label={t("un.attachOf", { q })} aria-expanded={shown === "attach"} onClick={() => setPanel(shown === "attach" ? null : { item: item.id, kind: "attach" })} disabled={busy}>
                {t("un.attach")}
              </button>
              <button type="button" aria-label={t("un.createOf", { q })} aria-expanded={shown === "create"} onClick={() => setPanel(shown === "create" ? null : { item: item.id, kind: "create" })} disabled={busy}>
                {t("un.create")}
              </button>
              <button type="button" aria-label={t("un.dismissOf", { q })} title={t("un.dismissOf", { q })} onClick={() => void decide(() => api.dismissUnanswered(item.id, item.version))} disabled={busy}>
                {t("un.dismiss")}
              </button>
            </>
          ) : (
            <>
              <span className={`pill un-status status-${item.status}`}>
                {t(`un.status.${item.status}` as PageKey)}
                {item.resolution?.entry_id ? ` · ${t("un.resolvedTo", { entry: item.resolution.entry_id })}` : ""}
              </span>
              {item.status === "dismissed" && (
                <button type="button" aria-label={t("un.reopenOf", { q })} title={t("un.reopenOf", { q })} onClick={() => void decide(() => api.reopenUnanswered(item.id, item.version))} disabled={busy}>
                  {t("un.reopen")}
                </button>
              )}
            </>
          )}
        </td>
      </tr>
      {shown && (
        <tr className="un-panel-row">
          <td colSpan={5}>
            {shown === "attach" ? (
              <AttachForm t={t} item={item} entries={entries} busy={busy} onCancel={() => setPanel(null)} onAttach={(entry) => void decide(() => api.attachUnanswered(item.id, entry, item.version), entry)} />
            ) : (
              <CreateForm t={t} item={item} busy={busy} onCancel={() => setPanel(null)} onCreate={(input) => void decide(() => api.createFromUnanswered(item.id, input, item.version))} />
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function AttachForm({ t, item, entries, busy, onCancel, onAttach }: { t: PT; item: UnansweredItem; entries: { id: string; questions: string[] }[]; busy: boolean; onCancel: () => void; onAttach: (entry: string) => void }) {
  const [search, setSearch] = useState("");
  const choices = useMemo(() => matchingEntries(entries, search), [entries, search]);
  // The bot's closest candidate first, when it is one of the entries.
  const [entry, setEntry] = useState(() => item.candidates.find((c) => entries.some((e) => e.id === c.id))?.id ?? entries[0]?.id ?? "");
  useEffect(() => {
    if (choices.length && !choices.some((c) => c.id === entry)) setEntry(choices[0].id);
  }, [choices, entry]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (entry) onAttach(entry);
  };
  return (
    <form className="un-form" onSubmit={submit} aria-label={t("un.attachOf", { q: item.question })}>
      <label className="pfield">
        <span>{t("un.findEntry")}</span>
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} autoFocus />
      </label>
      <label className="pfield">
        <span>{t("un.entry")}</span>
        <select aria-label={t("un.entry")} value={entry} onChange={(e) => setEntry(e.target.value)} size={Math.min(6, Math.max(2, choices.length))}>
          {choices.map((c) => (
            <option key={c.id} value={c.id}>
              {c.id} — {c.question}
            </option>
          ))}
        </select>
      </label>
      {choices.length === 0 && <p className="muted">{t("un.noEntries")}</p>}
      <div className="row buttons">
        <button type="submit" className="primary" disabled={busy || !entry || choices.length === 0}>
          {t("un.attachSave")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("un.cancel")}
        </button>
      </div>
    </form>
  );
}

function CreateForm({ t, item, busy, onCancel, onCreate }: { t: PT; item: UnansweredItem; busy: boolean; onCancel: () => void; onCreate: (input: { id?: string; question: string; answer: Record<string, string> }) => void }) {
  const [id, setId] = useState("");
  const [question, setQuestion] = useState(item.question);
  const [en, setEn] = useState("");
  const [zh, setZh] = useState("");
  const [problem, setProblem] = useState<PageKey | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const answer: Record<string, string> = {};
    if (en.trim()) answer.en = en.trim();
    if (zh.trim()) answer.zh = zh.trim();
    if (!Object.keys(answer).length) return setProblem("un.answerNeeded");
    setProblem(null);
    onCreate({ id: id.trim() || undefined, question: question.trim() || item.question, answer });
  };
  return (
    <form className="un-form" onSubmit={submit} aria-label={t("un.createOf", { q: item.question })}>
      <label className="pfield">
        <span>{t("un.newId")}</span>
        <input type="text" value={id} placeholder={`q-${item.id}`} onChange={(e) => setId(e.target.value)} />
      </label>
      <label className="pfield">
        <span>{t("un.newQuestion")}</span>
        <input type="text" value={question} onChange={(e) => setQuestion(e.target.value)} />
      </label>
      <label className="pfield">
        <span>{t("un.answerEn")}</span>
        <textarea rows={2} value={en} onChange={(e) => setEn(e.target.value)} />
      </label>
      <label className="pfield">
        <span>{t("un.answerZh")}</span>
        <textarea rows={2} value={zh} onChange={(e) => setZh(e.target.value)} />
      </label>
      {problem && (
        <p className="field-problem" role="alert">
          {t(problem)}
        </p>
      )}
      <div className="row buttons">
        <button type="submit" className="primary" disabled={busy}>
          {t("un.createSave")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("un.cancel")}
        </button>
      </div>
    </form>
  );
}
