/** @jsxImportSource react */
// Small form pieces: a labelled field that shows its problem, a comma list input.
import { ReactNode, useEffect, useId, useState } from "react";

export function Field({ label, error, children, hint }: { label: string; error?: string; hint?: string; children: (id: string, describedBy?: string) => ReactNode }) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : "", hint ? hintId : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className={error ? "field field-error" : "field"}>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy)}
      {hint && (
        <div className="field-hint" id={hintId}>
          {hint}
        </div>
      )}
      {error && (
        <div className="field-problem" id={errorId} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

const split = (text: string) =>
  text
    .split(/[,，、]/)
    .map((s) => s.trim())
    .filter(Boolean);

// A list edited as "a, b, c"; keeps what is typed until it means something else.
export function ListInput({ id, value, onChange, describedBy, invalid }: { id: string; value: string[]; onChange: (v: string[]) => void; describedBy?: string; invalid?: boolean }) {
  const [text, setText] = useState(value.join(", "));
  useEffect(() => {
    if (split(text).join("\u0000") !== value.join("\u0000")) setText(value.join(", "));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <input
      id={id}
      type="text"
      value={text}
      aria-describedby={describedBy}
      aria-invalid={invalid || undefined}
      onChange={(e) => {
        setText(e.target.value);
        onChange(split(e.target.value));
      }}
    />
  );
}
