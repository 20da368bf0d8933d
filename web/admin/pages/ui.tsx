/** @jsxImportSource react */
// Small parts the pages share: a list loaded from the server, a dialog form's
// submission, a labelled field that shows its server error, a confirmation dialog,
// a notice line.
import { FormEvent, ReactNode, useCallback, useEffect, useId, useRef, useState } from "react";
import { ApiError } from "../api";
import { pageLanguage, type Lang } from "../../shared/i18n";
import { serverErrorText } from "./server-errors";
import type { PT } from "./text";

export type FieldErrors = Record<string, string>;

// A refusal as errors by field ("" when it names none): every field of a 422's
// {"errors":[{code,field,message}]}, else the one {"error":{"code","field","message"}},
// each in the page's language where its code and field are known (server-errors.ts).
export function fieldErrors(e: unknown, lang: Lang = pageLanguage()): FieldErrors {
  if (!(e instanceof ApiError)) return { "": String((e as Error)?.message ?? e) };
  const list = e.body?.errors;
  if (Array.isArray(list)) {
    const out: FieldErrors = {};
    for (const item of list) if (item && typeof item.message === "string") out[item.field ?? ""] ??= serverErrorText(item, lang);
    if (Object.keys(out).length) return out;
  }
  const field = e.body?.error?.field;
  return { [field ?? ""]: serverErrorText({ code: e.code, field, message: e.message }, lang) };
}

// A refusal as one sentence in the page's language (the server's English where its
// code is not known), for a page's notice.
export function problemText(e: unknown, lang: Lang = pageLanguage()): string {
  if (!(e instanceof ApiError)) return String((e as Error)?.message ?? e);
  return serverErrorText({ code: e.code, field: e.body?.error?.field, message: e.message }, lang);
}

export function Field({
  label,
  help,
  error,
  children,
}: {
  label: string;
  help?: string;
  error?: string;
  children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const described = [help ? `${id}-help` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className={"pfield" + (error ? " has-error" : "")}>
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": !!error, "aria-describedby": described })}
      {help && (
        <span id={`${id}-help`} className="pfield-help">
          {help}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-problem" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

export function Confirm({ t, text, action, onYes, onNo }: { t: PT; text: string; action: string; onYes: () => void; onNo: () => void }) {
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => yes.current?.focus(), []);
  const id = useId();
  return (
    <div className="pdialog-backdrop">
      <div className="pdialog card" role="alertdialog" aria-modal="true" aria-labelledby={id} onKeyDown={(e) => e.key === "Escape" && onNo()}>
        <p id={id}>{text}</p>
        <div className="row buttons">
          <button type="button" onClick={onNo}>
            {t("common.cancel")}
          </button>
          <button type="button" className="primary danger-fill" ref={yes} onClick={onYes}>
            {action}
          </button>
        </div>
      </div>
    </div>
  );
}

export type Notice = { kind: "ok" | "error"; text: string } | null;

export function NoticeLine({ notice, onClose, t }: { notice: Notice; onClose: () => void; t: PT }) {
  if (!notice) return null;
  return (
    <div className={`banner banner-${notice.kind === "ok" ? "success" : "error"}`} role={notice.kind === "ok" ? "status" : "alert"}>
      <span className="grow">{notice.text}</span>
      <button type="button" className="link" onClick={onClose} aria-label={t("common.close")}>
        ×
      </button>
    </div>
  );
}

// Someone else saved what this page edits since it loaded it (a 412): the save was
// refused; the button loads their version, discarding the changes here.
export function ChangedBanner({ text, reload, onReload }: { text: string; reload: string; onReload: () => void }) {
  return (
    <div className="banner banner-error" role="alert">
      <span className="grow">{text}</span>
      <button type="button" onClick={onReload}>
        {reload}
      </button>
    </div>
  );
}

// The loads of one list, numbered: `begin()` starts one, `isLatest(turn)` says
// whether its answer is still wanted. An answer that comes after a later load began
// (a filter changed, a second change saved, on a slow link) is stale: shown, it would
// replace the newer list with an older one.
export function useLoadTurns() {
  const latest = useRef(0);
  const begin = useCallback(() => ++latest.current, []);
  const current = useCallback(() => latest.current, []);
  const isLatest = useCallback((turn: number) => turn === latest.current, []);
  return { begin, current, isLatest };
}

// A list the page loads when it opens and again after each change (`load`); a 401
// signs the admin out, any other failure is kept as `loadError` for <LoadState>.
export function useList<T>(fetch: () => Promise<T[]>, onExpired: (e: unknown) => void) {
  const [rows, setRows] = useState<T[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;
  const { begin, isLatest } = useLoadTurns();
  const load = useCallback(async () => {
    const turn = begin();
    try {
      const loaded = await fetchRef.current();
      if (!isLatest(turn)) return;
      setRows(loaded);
      setLoadError(null);
    } catch (e) {
      if (!isLatest(turn)) return;
      if ((e as ApiError).status === 401) return onExpired(e);
      setLoadError((e as Error).message);
    }
  }, [onExpired, begin, isLatest]);
  return { rows, loadError, load };
}

// What a page shows until its list is there: the failure, or that it is loading.
export function LoadState({ t, loaded, loadError }: { t: PT; loaded: boolean; loadError: string | null }) {
  if (loadError) return <p className="load-error">{t("common.loadFailed", { message: loadError })}</p>;
  if (!loaded) return <p className="loading">{t("common.loading")}</p>;
  return null;
}

// A change made from a row's button or a confirmation: the list is reloaded either
// way, since a refused change may mean the list moved on, and then the outcome
// becomes the page's notice (`ok` on success, `failed(e)` otherwise; a 401 signs
// out), so a notice never stands beside a list that does not show it yet.
export function useChange(setNotice: (n: Notice) => void, onExpired: (e: unknown) => void, reload: () => Promise<void>) {
  return async (run: () => Promise<unknown>, ok: string, failed: (e: unknown) => string) => {
    let notice: Notice;
    try {
      await run();
      notice = { kind: "ok", text: ok };
    } catch (e) {
      if ((e as ApiError).status === 401) return onExpired(e);
      notice = { kind: "error", text: failed(e) };
    }
    await reload();
    setNotice(notice);
  };
}

// A dialog form's submission: `busy` while it runs, the server's refusal as errors
// by field (`explain` may turn a known answer into a sentence), a 401 signs out.
export function useSubmit(onExpired: (e: unknown) => void, explain: (e: ApiError) => FieldErrors | null = () => null) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const submit = (run: () => Promise<void>) => async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      await run();
    } catch (err) {
      if ((err as ApiError).status === 401) return onExpired(err);
      setErrors(explain(err as ApiError) ?? fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  return { errors, setErrors, busy, submit };
}

// A page's heading: its title (`id` names the section, which is labelled by it), a
// line on what the page is for, and the page's own actions on the right.
export function PageHead({ id, title, lead, children }: { id: string; title: string; lead: string; children?: ReactNode }) {
  return (
    <div className="ppage-head">
      <div className="ppage-title">
        <h2 id={id}>{title}</h2>
        <p className="help">{lead}</p>
      </div>
      {children && <div className="ppage-actions">{children}</div>}
    </div>
  );
}
