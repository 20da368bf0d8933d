/** @jsxImportSource react */
// The Canned replies page: the tenant's replies (shortcut + text), searched as you
// type, created, edited and deleted; a refused field is shown on the field. An edit
// or delete names the version the page loaded: when another admin changed or
// deleted the reply meanwhile (412 canned_changed) the dialog says so and shows
// both texts, so the admin loads the current one or saves theirs knowingly.
import { FormEvent, useEffect, useMemo, useState } from "react";
import { ApiError } from "../api";
import type { CannedReply, PagesApi } from "./api";
import type { PT } from "./text";
import { Confirm, Field, LoadState, Notice, NoticeLine, PageHead, problemText, useChange, useList, useSubmit } from "./ui";

// Replies whose shortcut or text contains every word of the query (any case).
export function searchReplies(replies: CannedReply[], query: string): CannedReply[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return replies;
  return replies.filter((r) => {
    const hay = (r.shortcut + "\n" + r.text).toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

// The server keeps a reply of up to this many bytes of UTF-8 (a Chinese character
// is 3 of them), and says so only on save: the form counts as one types.
export const kCannedTextMaxBytes = 4096;
export const utf8Bytes = (text: string): number => new TextEncoder().encode(text).length;

// The reply as it is now when a save or delete was refused because someone else
// changed it (null: they deleted it); undefined for any other failure.
export function changedReply(e: unknown): CannedReply | null | undefined {
  const error = e as ApiError;
  if (error?.status !== 412 || error.code !== "canned_changed") return undefined;
  return (error.body?.error?.current as CannedReply | null) ?? null;
}

// What the dialog says when its save was refused as made from an old version.
export function cannedChangedText(t: PT, current: CannedReply | null): string {
  return current ? t("canned.changed") : t("canned.changedGone");
}

export function CannedPage({ t, api, onExpired }: { t: PT; api: PagesApi; onExpired: (e: unknown) => void }) {
  const { rows: replies, loadError, load } = useList(() => api.canned(), onExpired);
  const [query, setQuery] = useState("");
  const [editing, setEditing] = useState<{ row?: CannedReply } | null>(null);
  const [deleting, setDeleting] = useState<CannedReply | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const change = useChange(setNotice, onExpired, load);
  useEffect(() => {
    void load();
  }, [load]);
  const shown = useMemo(() => searchReplies(replies ?? [], query), [replies, query]);

  const remove = (r: CannedReply) => {
    setDeleting(null);
    void change(
      () => api.deleteCanned(r.id, r.version),
      t("canned.deleted", { shortcut: r.shortcut }),
      (e) => (changedReply(e) ? t("canned.deleteChanged", { shortcut: r.shortcut }) : t("common.failed", { message: problemText(e) })),
    );
  };

  return (
    <section className="ppage" aria-labelledby="canned-title">
      <PageHead id="canned-title" title={t("canned.title")} lead={t("canned.lead")}>
        {replies && <span className="pcount">{t("canned.count", { n: replies.length })}</span>}
        <button type="button" className="primary" onClick={() => setEditing({})}>
          + {t("canned.add")}
        </button>
      </PageHead>
      <NoticeLine notice={notice} onClose={() => setNotice(null)} t={t} />
      <input
        type="search"
        className="psearch"
        aria-label={t("canned.search")}
        placeholder={t("canned.searchPlaceholder")}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <LoadState t={t} loaded={!!replies} loadError={loadError} />
      {replies && (
        <ul className="canned-list" aria-label={t("canned.title")}>
          {replies.length === 0 && <li className="muted empty">{t("canned.empty")}</li>}
          {replies.length > 0 && shown.length === 0 && <li className="muted empty">{t("canned.noMatch", { q: query })}</li>}
          {shown.map((r) => (
            <li key={r.id} className="canned-item card" data-shortcut={r.shortcut}>
              <code className="shortcut">{r.shortcut}</code>
              <p className="canned-text">{r.text}</p>
              <div className="row-actions">
                <button type="button" onClick={() => setEditing({ row: r })} aria-label={t("canned.editOf", { shortcut: r.shortcut })}>
                  {t("common.edit")}
                </button>
                <button type="button" className="danger" onClick={() => setDeleting(r)} aria-label={t("canned.deleteOf", { shortcut: r.shortcut })}>
                  {t("common.delete")}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {editing && (
        <CannedDialog
          t={t}
          row={editing.row}
          onCancel={() => setEditing(null)}
          onExpired={onExpired}
          onSave={async (body, version) => {
            // version null: the reply was deleted meanwhile and the admin saves theirs anew.
            const saved = editing.row && version !== null ? await api.updateCanned(editing.row.id, body, version) : await api.createCanned(body);
            setEditing(null);
            await load();
            setNotice({ kind: "ok", text: t("canned.saved", { shortcut: saved.shortcut }) });
          }}
        />
      )}
      {deleting && (
        <Confirm
          t={t}
          text={t("canned.deleteAsk", { shortcut: deleting.shortcut })}
          action={t("common.delete")}
          onNo={() => setDeleting(null)}
          onYes={() => remove(deleting)}
        />
      )}
    </section>
  );
}

function CannedDialog({
  t,
  row,
  onCancel,
  onSave,
  onExpired,
}: {
  t: PT;
  row?: CannedReply;
  onCancel: () => void;
  onSave: (body: { shortcut: string; text: string }, version: string | undefined | null) => Promise<void>;
  onExpired: (e: unknown) => void;
}) {
  const [shortcut, setShortcut] = useState(row?.shortcut ?? "/");
  const [text, setText] = useState(row?.text ?? "");
  // The version saved over (null: deleted meanwhile), and a refusal's two texts.
  const [version, setVersion] = useState<string | undefined | null>(row?.version);
  const [conflict, setConflict] = useState<{ current: CannedReply | null; mine: { shortcut: string; text: string } } | null>(null);
  const { errors, busy, submit: submitting } = useSubmit(onExpired);
  const bytes = utf8Bytes(text);
  const over = bytes - kCannedTextMaxBytes;
  const tooLong = over > 0 ? t("canned.tooLong", { over, max: kCannedTextMaxBytes }) : undefined;
  const save = submitting(async () => {
    const body = { shortcut: shortcut.trim(), text };
    try {
      await onSave(body, version);
    } catch (e) {
      const current = changedReply(e);
      if (current === undefined) throw e;
      setConflict({ current, mine: body });
    }
  });
  // Their text into the form; what the admin typed stays shown beside it.
  const loadTheirs = () => {
    if (!conflict?.current) return;
    setShortcut(conflict.current.shortcut);
    setText(conflict.current.text);
    setVersion(conflict.current.version);
  };
  // Saved next over the version now stored (or anew when it was deleted).
  const keepMine = () => {
    if (!conflict) return;
    setVersion(conflict.current ? conflict.current.version : null);
  };
  const decided = conflict && version === (conflict.current ? conflict.current.version : null);
  // Too long: the field already says so; nothing is sent.
  const submit = (e: FormEvent) => (tooLong ? e.preventDefault() : void save(e));
  const title = row ? t("canned.editTitle", { shortcut: row.shortcut }) : t("canned.createTitle");
  return (
    <div className="pdialog-backdrop">
      <form className="pdialog pform card" role="dialog" aria-modal="true" aria-label={title} onSubmit={submit} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
        <h3>{title}</h3>
        <Field label={t("canned.shortcut")} help={t("canned.shortcutHelp")} error={errors.shortcut}>
          {(p) => <input {...p} type="text" autoFocus value={shortcut} onChange={(e) => setShortcut(e.target.value)} />}
        </Field>
        <Field label={t("canned.text")} help={t("canned.bytes", { n: bytes, max: kCannedTextMaxBytes })} error={tooLong ?? errors.text}>
          {(p) => <textarea {...p} rows={5} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        {errors[""] && (
          <p className="field-problem" role="alert">
            {errors[""]}
          </p>
        )}
        {conflict && (
          <div className="canned-conflict" role="alert">
            <p className="field-problem">{cannedChangedText(t, conflict.current)}</p>
            {conflict.current && (
              <figure className="canned-theirs">
                <figcaption>{t("canned.theirs", { shortcut: conflict.current.shortcut })}</figcaption>
                <pre className="canned-text">{conflict.current.text}</pre>
              </figure>
            )}
            <figure className="canned-mine">
              <figcaption>{t("canned.yours", { shortcut: conflict.mine.shortcut })}</figcaption>
              <pre className="canned-text">{conflict.mine.text}</pre>
            </figure>
            {!decided && (
              <div className="row buttons">
                {conflict.current && (
                  <button type="button" onClick={loadTheirs}>
                    {t("canned.loadTheirs")}
                  </button>
                )}
                <button type="button" onClick={keepMine}>
                  {conflict.current ? t("canned.keepMine") : t("canned.saveAsNew")}
                </button>
              </div>
            )}
          </div>
        )}
        <div className="row buttons">
          <button type="button" onClick={onCancel}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t("common.saving") : t("common.save")}
          </button>
        </div>
      </form>
    </div>
  );
}
