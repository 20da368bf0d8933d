// The forms of the panel: pre-chat (who you are, your question), "leave a message"
// when nobody can answer, and the rating after a conversation closed.
import { useRef, useState } from "preact/hooks";
import { format } from "../../shared/i18n";
import type { Texts } from "../texts";
import type { Profile } from "./session";

type Field = "name" | "email" | "question";

const kEmail = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function VisitorForm({ t, fields, heading, intro, submitLabel, onSubmit }: {
  t: Texts;
  fields: Field[];
  heading?: string;
  intro: string;
  submitLabel: string;
  onSubmit: (profile: Profile, message: string) => void;
}) {
  const [values, setValues] = useState<Record<Field, string>>({ name: "", email: "", question: "" });
  // The complaint, and the field it is about: that field is marked invalid, described
  // by the complaint and given the focus, so the keyboard and a screen reader are
  // taken to what needs fixing.
  const [error, setErrorState] = useState<{ text: string; field: Field } | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const setError = (problem: { text: string; field: Field } | null) => {
    setErrorState(problem);
    if (problem) form.current?.querySelector<HTMLElement>(`[name="${problem.field}"]`)?.focus();
  };
  const labels: Record<Field, string> = { name: t.name, email: t.email, question: fields.includes("question") && submitLabel === t.sendMessage ? t.message : t.question };
  const errorId = "sb-form-error";
  const invalid = (f: Field) => (error?.field === f ? { "aria-invalid": true, "aria-describedby": errorId } : {});
  const edit = (f: Field, value: string) => {
    setValues({ ...values, [f]: value });
    setError(null); // the complaint was about what is being fixed now
  };
  const submit = (e: Event) => {
    e.preventDefault();
    for (const f of fields) {
      if (!values[f].trim()) return setError({ text: format(t.required, { field: labels[f] }), field: f });
    }
    if (fields.includes("email") && !kEmail.test(values.email.trim())) return setError({ text: t.badEmail, field: "email" });
    setError(null);
    onSubmit({ name: values.name.trim() || undefined, email: values.email.trim() || undefined }, values.question);
  };
  return (
    <form class="sb-form" onSubmit={submit} noValidate aria-label={heading ?? submitLabel} ref={form}>
      {heading ? <h2 class="sb-form-title">{heading}</h2> : null}
      <p class="sb-intro">{intro}</p>
      {fields.map((f) => (
        <label key={f} class="sb-field">
          <span>{labels[f]}</span>
          {f === "question" ? (
            <textarea rows={4} name={f} {...invalid(f)} value={values[f]} onInput={(e) => edit(f, (e.target as HTMLTextAreaElement).value)} />
          ) : (
            <input
              name={f}
              {...invalid(f)}
              type={f === "email" ? "email" : "text"}
              autoComplete={f === "email" ? "email" : "name"}
              value={values[f]}
              onInput={(e) => edit(f, (e.target as HTMLInputElement).value)}
            />
          )}
        </label>
      ))}
      {error ? (
        <p class="sb-error" role="alert" id={errorId}>
          {error.text}
        </p>
      ) : null}
      <button type="submit" class="sb-primary">
        {submitLabel}
      </button>
    </form>
  );
}

export function Rating({ t, rated, onRate, onDismiss }: { t: Texts; rated: number | null; onRate: (score: number, comment: string) => void; onDismiss: () => void }) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState("");
  // A radio group, as a screen reader announces it: one Tab stop (the chosen star, else
  // the first), the arrow keys (and Home, End) choose and move the focus.
  const onStarKey = (e: KeyboardEvent) => {
    const step: Record<string, (n: number) => number> = {
      ArrowRight: (n) => n + 1,
      ArrowUp: (n) => n + 1,
      ArrowLeft: (n) => n - 1,
      ArrowDown: (n) => n - 1,
      Home: () => 1,
      End: () => 5,
    };
    if (!step[e.key]) return;
    e.preventDefault();
    const stars = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>("[role=radio]")];
    const from = stars.indexOf(e.target as HTMLElement) + 1 || score || 1; // the focused star
    const next = Math.min(5, Math.max(1, step[e.key](from)));
    setScore(next);
    stars[next - 1]?.focus();
  };
  if (rated) return <p class="sb-thanks" role="status">{t.thanksRating}</p>;
  return (
    <form
      class="sb-rating"
      onSubmit={(e) => {
        e.preventDefault();
        if (score) onRate(score, comment.trim());
      }}
    >
      <fieldset>
        <legend>{t.rateTitle}</legend>
        <div class="sb-stars" role="radiogroup" aria-label={t.rateTitle} onKeyDown={onStarKey}>
          {[1, 2, 3, 4, 5].map((n) => (
            <button
              key={n}
              type="button"
              role="radio"
              aria-checked={score === n}
              aria-label={format(t.rateStar, { n })}
              class={n <= score ? "sb-star sb-on" : "sb-star"}
              tabIndex={n === (score || 1) ? 0 : -1}
              onClick={() => setScore(n)}
            >
              ★
            </button>
          ))}
        </div>
        <label class="sb-field">
          <span>{t.comment}</span>
          <textarea rows={2} value={comment} maxLength={1000} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
        </label>
        <div class="sb-rating-buttons">
          <button type="button" class="sb-secondary" onClick={onDismiss}>
            {t.skipRating}
          </button>
          <button type="submit" class="sb-primary" disabled={!score}>
            {t.submitRating}
          </button>
        </div>
      </fieldset>
    </form>
  );
}
