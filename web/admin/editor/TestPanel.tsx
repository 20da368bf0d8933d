/** @jsxImportSource react */
// "Test routing": a sample visitor goes through the saved graph (POST …/dry-run);
// the answer is highlighted on the canvas. Nothing is assigned.
import { FormEvent, useState } from "react";
import type { DryRunAnswer, DryRunInput } from "../api";
import type { T } from "../i18n";
import { Field } from "./fields";

export type Sample = { attributes: string; page: string; language: string; message: string; intent: string; waited: string; afterBot: boolean };
export const emptySample: Sample = { attributes: "", page: "", language: "", message: "", intent: "", waited: "", afterBot: false };

// "vip=true\nplan=gold" → {vip: true, plan: "gold"}; numbers and booleans as such.
export function parseAttributes(text: string): { attributes: Record<string, unknown>; badLine: number | null } {
  const attributes: Record<string, unknown> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return { attributes, badLine: i + 1 };
    const key = line.slice(0, eq).trim();
    const raw = line.slice(eq + 1).trim();
    attributes[key] = raw === "true" ? true : raw === "false" ? false : raw !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  }
  return { attributes, badLine: null };
}

// The server's note on a dry run (core/engine/decision.cpp) is English: the ones it
// writes are said in the page's language, any other as it came.
const kNotes: [RegExp, Parameters<T>[0], string[]][] = [
  [/^the bot takes it first$/, "test.n.botFirst", []],
  [/^the bot takes it$/, "test.n.bot", []],
  [/^it waits in the queue$/, "test.n.queue", []],
  [/^it waits in the queue of group (.+)$/, "test.n.queueGroup", ["group"]],
  [/^nobody can take a conversation now: it would wait in the queue$/, "test.n.nobody", []],
  [/^nobody in group (.+) can take a conversation now: it would wait in the queue$/, "test.n.nobodyGroup", ["group"]],
  [/^(\S+) offers it to every eligible agent; the first to accept gets it$/, "test.n.offers", ["strategy"]],
  [/^(\S+) decides later \(it answers asynchronously\)$/, "test.n.later", ["strategy"]],
  [/^every strategy of the chain deferred: it would wait in the queue$/, "test.n.deferred", []],
];

export function noteText(t: T, note: string): string {
  for (const [pattern, key, names] of kNotes) {
    const m = pattern.exec(note);
    if (m) return t(key, Object.fromEntries(names.map((name, i) => [name, m[i + 1]])));
  }
  return note;
}

export function sampleToInput(s: Sample): DryRunInput | { error: number } {
  const { attributes, badLine } = parseAttributes(s.attributes);
  if (badLine) return { error: badLine };
  const input: DryRunInput = {};
  if (Object.keys(attributes).length) input.attributes = attributes;
  if (s.page.trim()) input.page = s.page.trim();
  if (s.language.trim()) input.language = s.language.trim();
  if (s.message.trim()) input.message = s.message;
  if (s.intent.trim()) input.intent = s.intent.trim();
  if (s.waited.trim()) input.waited_s = Math.max(0, Math.round(Number(s.waited)));
  if (s.afterBot) input.after_bot = true;
  return input;
}

type Props = {
  t: T;
  dirty: boolean;
  answer: DryRunAnswer | null;
  ruleName: (id: string) => string;
  run: (input: DryRunInput) => Promise<void>;
  clear: () => void;
  close: () => void;
};

export function TestPanel({ t, dirty, answer, ruleName, run, clear, close }: Props) {
  const [sample, setSample] = useState<Sample>(emptySample);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<Sample>) => setSample((s) => ({ ...s, ...patch }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input = sampleToInput(sample);
    if ("error" in input) return setError(t("test.badAttribute", { n: input.error }));
    setError(null);
    setBusy(true);
    try {
      await run(input);
    } catch (err) {
      setError(t("test.failed", { message: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="test-panel" aria-label={t("test.title")}>
      <div className="panel-head">
        <h2>{t("test.title")}</h2>
        <button type="button" className="icon" aria-label={t("test.close")} title={t("test.close")} onClick={close}>
          ✕
        </button>
      </div>
      <p className="help">{t("test.lead")}</p>
      {dirty && <p className="notice">{t("test.unsaved")}</p>}
      <form onSubmit={submit}>
        <Field label={t("test.attributes")}>{(id) => <textarea id={id} rows={3} value={sample.attributes} placeholder={"vip=true\nplan=gold"} onChange={(e) => set({ attributes: e.target.value })} />}</Field>
        <Field label={t("test.page")}>{(id) => <input id={id} type="text" value={sample.page} placeholder="https://shop.example/checkout/" onChange={(e) => set({ page: e.target.value })} />}</Field>
        <div className="row">
          <Field label={t("test.language")}>{(id) => <input id={id} type="text" value={sample.language} placeholder="en" onChange={(e) => set({ language: e.target.value })} />}</Field>
          <Field label={t("test.waited")}>{(id) => <input id={id} type="number" min={0} value={sample.waited} placeholder="0" onChange={(e) => set({ waited: e.target.value })} />}</Field>
        </div>
        <Field label={t("test.message")}>{(id) => <input id={id} type="text" value={sample.message} onChange={(e) => set({ message: e.target.value })} />}</Field>
        <Field label={t("test.intent")}>{(id) => <input id={id} type="text" value={sample.intent} onChange={(e) => set({ intent: e.target.value })} />}</Field>
        <label className="inline">
          <input type="checkbox" checked={sample.afterBot} onChange={(e) => set({ afterBot: e.target.checked })} /> {t("test.afterBot")}
        </label>
        <div className="row buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t("test.running") : t("test.run")}
          </button>
          {answer && (
            <button type="button" onClick={clear}>
              {t("test.clear")}
            </button>
          )}
        </div>
      </form>
      {error && (
        <p className="field-problem" role="alert">
          {error}
        </p>
      )}
      {answer && (
        <div className="test-result" role="status" aria-live="polite">
          <p className="fired">{answer.rule_index >= 0 ? t("test.fired", { rule: ruleName(answer.rule) }) : t("test.firedFallback")}</p>
          {answer.agent ? <p className="agent">{t("test.agent", { name: answer.agent.name })}</p> : <p className="agent none">{t("test.noAgent")}</p>}
          {answer.group !== undefined && answer.group !== "" && <p>{t("test.group", { group: answer.group })}</p>}
          {answer.chain && answer.chain.length > 0 && <p>{t("test.chain", { chain: answer.chain.join(" → ") })}</p>}
          {answer.note && <p className="muted">{t("test.note", { note: noteText(t, answer.note) })}</p>}
        </div>
      )}
    </section>
  );
}
