/** @jsxImportSource react */
// Small parts the Team, Canned replies and Knowledge pages share: a labelled field
// that shows its server error, a confirmation dialog, a notice line.
import { ReactNode, useEffect, useId, useRef } from "react";
import { ApiError } from "../api";
import type { PT } from "./text";

export type FieldErrors = Record<string, string>;

// A 422/409 answer's {"error":{"field","message"}} as errors by field ("" when none).
export function fieldErrors(e: unknown): FieldErrors {
  if (e instanceof ApiError) {
    const field = e.body?.error?.field ?? "";
    return { [field]: e.message };
  }
  return { "": String((e as Error)?.message ?? e) };
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
