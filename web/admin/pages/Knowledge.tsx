/** @jsxImportSource react */
// The Bot knowledge page: the FAQ knowledge base (GET/PUT …/kb, TOML) as an
// editable table, parsed and written back in the browser (kb.ts); the server's
// 422 invalid_kb names an entry and field, shown on that row and field. A save
// names the version it was loaded as: one made meanwhile elsewhere (another tab, an
// unanswered question attached or made an entry) is a 412, and the page reads the
// file as it is now and merges it with the admin's edits entry by entry
// (BotFileMerge.tsx): what only one side changed is taken, an entry both changed is
// shown both ways with a choice, and the admin saves the result over the new
// version. The intents are edited below the same way (PUT …/intents). Above them, a "try it" box
// asks the bot (BotTry.tsx); below, the dialog flows are shown read-only (Flows.tsx),
// so a flows_changed refusal never meets this page.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, Session } from "../api";
import type { Lang } from "../i18n";
import { BotTry } from "./BotTry";
import { botTranslator } from "./botText";
import { FlowsView } from "./Flows";
import type { PagesApi } from "./api";
import { ConflictEntry, Described, MergeBanner, TakenMark, useMergeableFile } from "./BotFileMerge";
import { IntentAction, IntentRow, KbRow, intentList, intentsFromToml, intentsToToml, kbFromToml, kbList, kbToToml, newIntent, newRow, refusalMessage, refusalTarget } from "./kb";
import { canonical } from "./merge";
import { MT, mergeTranslator } from "./mergeText";
import type { PT } from "./text";
import { ChangedBanner, Notice, NoticeLine } from "./ui";

type RowError = { row: number; field: string; reason: string; where: string };

const problemOf = (id: string, error: RowError | null, field: string) =>
  error && error.field === field ? (
    <span className="field-problem" id={`${id}-${field}-error`} role="alert">
      {error.reason} <span className="where">({error.where})</span>
    </span>
  ) : null;
const ariaOf = (id: string, error: RowError | null, field: string) => {
  const bad = !!error && error.field === field;
  return { "aria-invalid": bad, "aria-describedby": bad ? `${id}-${field}-error` : undefined };
};

export function KnowledgePage({ t, api, lang, session, onExpired }: { t: PT; api: PagesApi; lang: Lang; session: Session; onExpired: (e: unknown) => void }) {
  const bt = useMemo(() => botTranslator(lang), [lang]);
  const mt = useMemo(() => mergeTranslator(lang), [lang]);
  const file = useMergeableFile({ read: api.kb, parse: kbFromToml, spec: kbList, mt, onExpired });
  const { etag, doc, setDoc, merge, changed, list, saveButton, loaded, undecided } = file;
  const [loadError, setLoadError] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [rowError, setRowError] = useState<RowError | null>(null);
  const [filter, setFilter] = useState("");

  // The page's words as of now, read when a load fails: switching the language
  // must not load the file again (and drop what is being edited).
  const words = useRef(t);
  words.current = t;
  const load = useCallback(async () => {
    try {
      const { text, etag } = await api.kb();
      loaded(text, etag);
      setDirty(false);
      setRowError(null);
      setLoadError(null);
    } catch (e) {
      if ((e as ApiError).status === 401) return onExpired(e);
      setLoadError(e instanceof ApiError ? e.message : words.current("kb.parseFailed", { message: (e as Error).message }));
    }
  }, [api, onExpired, loaded]);
  useEffect(() => {
    void load();
  }, [load]);
  // No rule hands conversations to the bot: said above the entries (botReach.ts).
  const [reached, setReached] = useState<boolean | null>(null);
  useEffect(() => {
    void api.botReached().then(setReached);
  }, [api]);
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = t("kb.leave");
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty, t]);

  const change = (key: number, edit: (r: KbRow) => KbRow) => {
    if (!doc) return;
    setDoc({ ...doc, rows: doc.rows.map((r) => (r.key === key ? edit(r) : r)) });
    setDirty(true);
  };
  const add = () => {
    if (!doc) return;
    const row = newRow();
    setDoc({ ...doc, rows: [...doc.rows, row] });
    setDirty(true);
    setFilter("");
    requestAnimationFrame(() => document.getElementById(`kb-row-${row.key}-id`)?.focus());
  };
  const remove = (key: number) => {
    if (!doc) return;
    setDoc({ ...doc, rows: doc.rows.filter((r) => r.key !== key) });
    setDirty(true);
    setRowError(null);
  };
  // Refused as made from an old version: the file as it is now, merged with the edits.
  const save = async () => {
    if (!doc || undecided) return;
    setBusy(true);
    setNotice(null);
    file.setChanged(null);
    setRowError(null);
    try {
      const text = kbToToml(doc);
      const answer = await api.putKb(text, etag);
      file.savedAs(doc, answer.etag);
      setDirty(false);
      setNotice({ kind: "ok", text: t("kb.saved") });
    } catch (e) {
      const a = e as ApiError;
      if (a.status === 401) return onExpired(e);
      if (a.status === 412) {
        setFilter("");
        return await file.mergeWithCurrent(doc);
      }
      if (a.status === 0) return setNotice({ kind: "error", text: t("common.failed", { message: a.message }) });
      const refusal = a.status === 422 ? a.body?.error : null;
      const target = refusalTarget(refusal, "entries", lang);
      if (target && doc.rows[target.row]) {
        setRowError(target);
        setFilter("");
        requestAnimationFrame(() => document.querySelector<HTMLElement>(".faq-row.has-error [aria-invalid='true'], .faq-row.has-error")?.focus());
      }
      setNotice({ kind: "error", text: t("kb.rejected", { message: refusalMessage(refusal, a.message, lang) }) });
    } finally {
      setBusy(false);
    }
  };
  const revert = () => {
    file.revert();
    setDirty(false);
    setRowError(null);
    setNotice(null);
  };

  const shown = useMemo(() => {
    if (!doc) return [];
    const q = filter.trim().toLowerCase();
    return doc.rows
      .map((row, index) => ({ row, index }))
      .filter(({ row }) => !q || merge?.pending.has(row.key) || [row.id, ...row.questions, ...row.answers.map((a) => a.text), ...row.tags].some((s) => s.toLowerCase().includes(q)));
  }, [doc, filter, merge]);

  return (
    <section className="ppage kb-page" aria-labelledby="kb-title">
      <div className="ppage-head sticky">
        <div className="ppage-title">
          <h2 id="kb-title">{t("kb.title")}</h2>
          <p className="help">{t("kb.lead")}</p>
        </div>
        <div className="ppage-actions">
        {doc && <span className="pcount">{t("kb.count", { n: doc.rows.length })}</span>}
        {dirty && <span className="dirty-mark is-dirty">{t("kb.unsaved")}</span>}
        <button type="button" onClick={revert} disabled={!dirty || busy}>
          {t("kb.revert")}
        </button>
        <button type="button" onClick={add} disabled={!doc}>
          + {t("kb.add")}
        </button>
        <button
          type="button"
          className="primary"
          ref={saveButton}
          onClick={() => void save()}
          disabled={!doc || busy || !dirty || undecided > 0}
          aria-describedby={undecided ? "kb-undecided" : undefined}
        >
          {busy ? t("common.saving") : t("kb.save")}
        </button>
        </div>
        {/* In the sticky head: a save's outcome is seen however far down the entry is. */}
        {changed && <ChangedBanner text={changed} reload={t("kb.reload")} onReload={() => void load()} />}
        {merge && <MergeBanner mt={mt} file="kb" state={merge} reload={t("kb.reload")} onFirst={file.focusFirst} onReload={() => void load()} />}
        {undecided > 0 && (
          <p id="kb-undecided" className="visually-hidden">
            {mt("merge.pending")}
          </p>
        )}
        <NoticeLine notice={notice} onClose={() => setNotice(null)} t={t} />
      </div>
      {reached === false && (
        <p className="kb-unreached" role="note">
          {t("kb.unreached")} <a href="#routing" onClick={(e) => dirty && !window.confirm(t("kb.leave")) && e.preventDefault()}>
            {t("kb.toRouting")}
          </a>
        </p>
      )}
      <BotTry t={bt} session={session} onExpired={onExpired} />
      {loadError && <p className="load-error">{t("common.loadFailed", { message: loadError })}</p>}
      {!doc && !loadError && <p className="loading">{t("common.loading")}</p>}
      {doc && (
        <>
          <input type="search" className="psearch" aria-label={t("kb.search")} placeholder={t("kb.search")} value={filter} onChange={(e) => setFilter(e.target.value)} />
          <ol className="kb-rows" ref={list}>
            {shown.map(({ row, index }) => {
              const conflict = merge?.pending.get(row.key);
              if (conflict) return <ConflictEntry key={row.key} mt={mt} item={conflict} describe={(r) => describeEntry(t, mt, r)} onChoose={(side) => file.choose(row.key, side)} />;
              return (
                <KbRowView
                  key={row.key}
                  t={t}
                  mt={mt}
                  row={row}
                  n={index + 1}
                  taken={merge?.taken.get(row.key)}
                  error={rowError?.row === index ? rowError : null}
                  onChange={(edit) => change(row.key, edit)}
                  onRemove={() => remove(row.key)}
                />
              );
            })}
          </ol>
        </>
      )}
      <IntentsEditor t={t} api={api} lang={lang} onExpired={onExpired} />
      <FlowsView t={bt} lang={lang} session={session} onExpired={onExpired} />
    </section>
  );
}

function answerLabel(t: PT, lang: string) {
  if (lang === "") return t("kb.answer");
  if (lang === "en") return t("kb.answerEn");
  if (lang === "zh") return t("kb.answerZh");
  return t("kb.answerOther", { lang });
}

// An entry's fields as text, for a conflict's two sides.
function describeEntry(t: PT, mt: MT, row: KbRow): Described {
  const fields: Described = [
    { label: mt("merge.field.id"), value: row.id },
    { label: mt("merge.field.questions"), value: row.questions.join("\n") },
    ...row.answers.map((a) => ({ label: answerLabel(t, a.lang), value: a.text })),
    { label: mt("merge.field.tags"), value: row.tags.join(", ") },
  ];
  if (Object.keys(row.rest).length) fields.push({ label: mt("merge.field.other"), value: canonical(row.rest) });
  return fields;
}

function KbRowView({
  t,
  mt,
  row,
  n,
  taken,
  error,
  onChange,
  onRemove,
}: {
  t: PT;
  mt: MT;
  row: KbRow;
  n: number;
  taken: "added" | "changed" | undefined;
  error: RowError | null;
  onChange: (edit: (r: KbRow) => KbRow) => void;
  onRemove: () => void;
}) {
  const id = `kb-row-${row.key}`;
  const bad = (field: string) => !!error && error.field === field;
  const problem = (field: string) =>
    bad(field) ? (
      <span className="field-problem" id={`${id}-${field}-error`} role="alert">
        {error!.reason} <span className="where">({error!.where})</span>
      </span>
    ) : null;
  const aria = (field: string) => ({ "aria-invalid": bad(field), "aria-describedby": bad(field) ? `${id}-${field}-error` : undefined });
  const title = t("kb.entry", { n }) + (row.id ? ` · ${row.id}` : "");
  return (
    <li className={"kb-row faq-row card" + (error ? " has-error" : "")} role="group" aria-label={title} tabIndex={error ? -1 : undefined} data-entry={row.id}>
      <div className="kb-row-head">
        <span className="kb-n" aria-hidden="true">
          {n}
        </span>
        <label htmlFor={`${id}-id`} className="kb-id-label">
          {t("kb.id")}
        </label>
        <input id={`${id}-id`} className="kb-id" type="text" value={row.id} onChange={(e) => onChange((r) => ({ ...r, id: e.target.value }))} {...aria("id")} />
        <TakenMark mt={mt} kind={taken} />
        <span className="grow" />
        <button type="button" className="danger" onClick={onRemove} aria-label={t("kb.removeOf", { n })}>
          {t("common.delete")}
        </button>
      </div>
      {problem("id")}
      {error && !["id", "questions", "answer", "tags"].includes(error.field) && (
        <span className="field-problem" role="alert">
          {error.reason} <span className="where">({error.where})</span>
        </span>
      )}
      <div className="kb-grid">
        <div className="pfield">
          <label htmlFor={`${id}-questions`}>{t("kb.questions")}</label>
          <textarea
            id={`${id}-questions`}
            rows={Math.max(3, row.questions.length + 1)}
            value={row.questions.join("\n")}
            onChange={(e) => onChange((r) => ({ ...r, questions: e.target.value.split("\n") }))}
            {...aria("questions")}
          />
          <span className="pfield-help">{t("kb.questionsHelp")}</span>
          {problem("questions")}
        </div>
        <div className="kb-answers">
          {row.answers.map((a, k) => (
            <div className="pfield" key={k}>
              <label htmlFor={`${id}-answer-${k}`}>{answerLabel(t, a.lang)}</label>
              <textarea
                id={`${id}-answer-${k}`}
                rows={3}
                lang={a.lang === "zh" ? "zh-CN" : a.lang || undefined}
                value={a.text}
                onChange={(e) => onChange((r) => ({ ...r, answers: r.answers.map((x, j) => (j === k ? { ...x, text: e.target.value } : x)) }))}
                {...aria("answer")}
              />
            </div>
          ))}
          {problem("answer")}
          <div className="pfield">
            <label htmlFor={`${id}-tags`}>{t("kb.tags")}</label>
            <input
              id={`${id}-tags`}
              type="text"
              value={row.tags.join(", ")}
              placeholder={t("kb.tagsHelp")}
              onChange={(e) => onChange((r) => ({ ...r, tags: e.target.value.split(/[,，]/).map((s) => s.trimStart()) }))}
              {...aria("tags")}
            />
            {problem("tags")}
          </div>
        </div>
      </div>
    </li>
  );
}

// The intents (GET/PUT …/intents): name, examples one per line, and what the bot
// does on it; saved on their own, a 422 invalid_intents shown on its row, a 412
// merged by intent name as the knowledge base is by entry.
function IntentsEditor({ t, api, lang, onExpired }: { t: PT; api: PagesApi; lang: Lang; onExpired: (e: unknown) => void }) {
  const mt = useMemo(() => mergeTranslator(lang), [lang]);
  const file = useMergeableFile({ read: api.intents, parse: intentsFromToml, spec: intentList, mt, onExpired });
  const { etag, doc, setDoc, merge, changed, list, saveButton, loaded, undecided } = file;
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [rowError, setRowError] = useState<RowError | null>(null);
  const load = useCallback(() => {
    api.intents().then(
      ({ text, etag }) => {
        loaded(text, etag);
        setDirty(false);
        setRowError(null);
      },
      (e) => {
        if ((e as ApiError).status === 401) onExpired(e);
      },
    );
  }, [api, onExpired, loaded]);
  useEffect(load, [load]);
  if (!doc) return null;
  const change = (key: number, edit: (r: IntentRow) => IntentRow) => {
    setDoc({ ...doc, rows: doc.rows.map((r) => (r.key === key ? edit(r) : r)) });
    setDirty(true);
  };
  const save = async () => {
    if (undecided) return;
    setBusy(true);
    setNotice(null);
    file.setChanged(null);
    setRowError(null);
    try {
      const text = intentsToToml(doc);
      const answer = await api.putIntents(text, etag);
      file.savedAs(doc, answer.etag);
      setDirty(false);
      setNotice({ kind: "ok", text: t("kb.intentsSaved") });
    } catch (e) {
      const a = e as ApiError;
      if (a.status === 401) return onExpired(e);
      if (a.status === 412) return await file.mergeWithCurrent(doc);
      if (a.status === 0) return setNotice({ kind: "error", text: t("common.failed", { message: a.message }) });
      const refusal = a.status === 422 ? a.body?.error : null;
      const target = refusalTarget(refusal, "intents", lang);
      if (target && doc.rows[target.row]) setRowError(target);
      setNotice({ kind: "error", text: t("kb.intentsRejected", { message: refusalMessage(refusal, a.message, lang) }) });
    } finally {
      setBusy(false);
    }
  };
  const kinds: { kind: IntentAction["kind"]; label: string }[] = [
    { kind: "", label: t("kb.actionNone") },
    { kind: "handoff", label: t("kb.actionHandoff") },
    { kind: "faq_tag", label: t("kb.actionFaqTag") },
    { kind: "flow_node", label: t("kb.actionFlow") },
  ];
  return (
    <section className="kb-intents" aria-labelledby="intents-title">
      <div className="ppage-head">
        <div className="ppage-title">
          <h3 id="intents-title">{t("kb.intents")}</h3>
          <p className="help">{t("kb.intentsLead")}</p>
        </div>
        <div className="ppage-actions">
          {dirty && <span className="dirty-mark is-dirty">{t("kb.unsaved")}</span>}
          <button
            type="button"
            disabled={!dirty || busy}
            onClick={() => {
              file.revert();
              setDirty(false);
              setRowError(null);
            }}
          >
            {t("kb.revert")}
          </button>
          <button
            type="button"
            onClick={() => {
              setDoc({ ...doc, rows: [...doc.rows, newIntent()] });
              setDirty(true);
            }}
          >
            + {t("kb.addIntent")}
          </button>
          <button
            type="button"
            className="primary"
            ref={saveButton}
            disabled={!dirty || busy || undecided > 0}
            aria-describedby={undecided ? "intents-undecided" : undefined}
            onClick={() => void save()}
          >
            {busy ? t("common.saving") : t("kb.saveIntents")}
          </button>
        </div>
      </div>
      {changed && <ChangedBanner text={changed} reload={t("kb.reload")} onReload={load} />}
      {merge && <MergeBanner mt={mt} file="intents" state={merge} reload={t("kb.reload")} onFirst={file.focusFirst} onReload={load} />}
      {undecided > 0 && (
        <p id="intents-undecided" className="visually-hidden">
          {mt("merge.pending")}
        </p>
      )}
      <NoticeLine notice={notice} onClose={() => setNotice(null)} t={t} />
      <ol className="kb-rows" ref={list}>
        {doc.rows.map((row, index) => {
          const conflict = merge?.pending.get(row.key);
          if (conflict) return <ConflictEntry key={row.key} mt={mt} item={conflict} describe={(r) => describeIntent(kinds, mt, r)} onChoose={(side) => file.choose(row.key, side)} />;
          const id = `intent-${row.key}`;
          const error = rowError?.row === index ? rowError : null;
          return (
            <li key={row.key} className={"kb-row intent-row card" + (error ? " has-error" : "")} role="group" aria-label={t("kb.intentN", { n: index + 1 }) + (row.name ? ` · ${row.name}` : "")} data-intent={row.name}>
              <div className="kb-row-head">
                <span className="kb-n" aria-hidden="true">
                  {index + 1}
                </span>
                <label htmlFor={`${id}-name`} className="kb-id-label">
                  {t("kb.intentName")}
                </label>
                <input id={`${id}-name`} className="kb-id" type="text" value={row.name} onChange={(e) => change(row.key, (r) => ({ ...r, name: e.target.value }))} {...ariaOf(id, error, "name")} />
                <TakenMark mt={mt} kind={merge?.taken.get(row.key)} />
                <label htmlFor={`${id}-action`} className="kb-id-label">
                  {t("kb.action")}
                </label>
                <select
                  id={`${id}-action`}
                  className="intent-action"
                  value={row.action.kind}
                  onChange={(e) => change(row.key, (r) => ({ ...r, action: { ...r.action, kind: e.target.value as IntentAction["kind"] } }))}
                  {...ariaOf(id, error, "action")}
                >
                  {kinds.map((k) => (
                    <option key={k.kind} value={k.kind}>
                      {k.label}
                    </option>
                  ))}
                </select>
                {(row.action.kind === "faq_tag" || row.action.kind === "flow_node") && (
                  <input
                    type="text"
                    className="kb-id intent-value"
                    aria-label={row.action.kind === "faq_tag" ? t("kb.actionFaqTag") : t("kb.actionFlow")}
                    value={row.action.value}
                    onChange={(e) => change(row.key, (r) => ({ ...r, action: { ...r.action, value: e.target.value } }))}
                  />
                )}
                <span className="grow" />
                <button
                  type="button"
                  className="danger"
                  aria-label={t("kb.removeIntent", { n: index + 1 })}
                  onClick={() => {
                    setDoc({ ...doc, rows: doc.rows.filter((r) => r.key !== row.key) });
                    setDirty(true);
                    setRowError(null);
                  }}
                >
                  {t("common.delete")}
                </button>
              </div>
              {problemOf(id, error, "name")}
              {problemOf(id, error, "action")}
              {error && !["name", "examples", "action"].includes(error.field) && (
                <span className="field-problem" role="alert">
                  {error.reason} <span className="where">({error.where})</span>
                </span>
              )}
              <div className="pfield">
                <label htmlFor={`${id}-examples`}>{t("kb.examples")}</label>
                <textarea
                  id={`${id}-examples`}
                  rows={Math.min(8, Math.max(3, row.examples.length + 1))}
                  value={row.examples.join("\n")}
                  onChange={(e) => change(row.key, (r) => ({ ...r, examples: e.target.value.split("\n") }))}
                  {...ariaOf(id, error, "examples")}
                />
                <span className="pfield-help">{t("kb.examplesHelp")}</span>
                {problemOf(id, error, "examples")}
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

// An intent's fields as text, for a conflict's two sides.
function describeIntent(kinds: { kind: IntentAction["kind"]; label: string }[], mt: MT, row: IntentRow): Described {
  const action = kinds.find((k) => k.kind === row.action.kind)?.label ?? row.action.kind;
  const fields: Described = [
    { label: mt("merge.field.name"), value: row.name },
    { label: mt("merge.field.examples"), value: row.examples.join("\n") },
    { label: mt("merge.field.action"), value: row.action.value ? `${action}: ${row.action.value}` : action },
  ];
  if (Object.keys(row.rest).length) fields.push({ label: mt("merge.field.other"), value: canonical(row.rest) });
  return fields;
}
