// The FAQ knowledge base (the autoreply-faq plugin's TOML, tenants/demo/faq.toml)
// as rows of a table and back: parsed and written in the browser with smol-toml.
// What the table does not edit is kept: other top-level keys, other keys of an
// entry, and the file's leading comment block (the format's explanation).
import { parse, stringify } from "smol-toml";
import type { Lang } from "../../shared/i18n";
import { botFileRefusalText, type BotFileRefusal } from "./server-errors";
import type { ListSpec } from "./merge";

// One entry as the table edits it. answers: one per language ("" = a plain string
// answer, for every language).
export type KbRow = {
  key: number; // stable React key, not saved
  id: string;
  questions: string[];
  answers: { lang: string; text: string }[];
  tags: string[];
  rest: Record<string, unknown>; // keys the table does not show, saved as they were
};
export type KbDoc = { header: string; rows: KbRow[]; rest: Record<string, unknown> };

let nextKey = 1;
export const newKey = () => nextKey++;

// The comment lines (and blank lines) the file starts with.
export function leadingComments(text: string): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (const line of lines) {
    if (/^\s*(#.*)?$/.test(line)) out.push(line);
    else break;
  }
  while (out.length && out[out.length - 1].trim() === "") out.pop();
  return out.length ? out.join("\n") + "\n" : "";
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => String(x)) : typeof v === "string" ? [v] : []);

export function kbFromToml(text: string): KbDoc {
  const data = parse(text) as Record<string, unknown>;
  const { entries, ...rest } = data;
  const list = Array.isArray(entries) ? (entries as Record<string, unknown>[]) : [];
  const rows = list.map((e): KbRow => {
    const { id, questions, answer, tags, ...other } = e;
    let answers: KbRow["answers"];
    if (answer && typeof answer === "object" && !Array.isArray(answer))
      answers = Object.entries(answer as Record<string, unknown>).map(([lang, t]) => ({ lang, text: String(t) }));
    else answers = [{ lang: "", text: answer === undefined ? "" : String(answer) }];
    return { key: newKey(), id: id === undefined ? "" : String(id), questions: strings(questions), answers, tags: strings(tags), rest: other };
  });
  return { header: leadingComments(text), rows, rest };
}

// A row's entry as TOML will hold it: empty lines dropped, a language with no text
// left out; an answer with no text at all is written as "" so the server names it.
export function rowToEntry(row: KbRow): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  entry.id = row.id.trim();
  entry.questions = row.questions.map((q) => q.trim()).filter(Boolean);
  const filled = row.answers.filter((a) => a.text.trim() !== "");
  const plain = row.answers.length === 1 && row.answers[0].lang === "";
  if (plain || filled.length === 0) entry.answer = plain ? row.answers[0].text.trim() : "";
  else entry.answer = Object.fromEntries(filled.map((a) => [a.lang, a.text.trim()]));
  const tags = row.tags.map((t) => t.trim()).filter(Boolean);
  if (tags.length) entry.tags = tags;
  return { ...entry, ...row.rest };
}

export function kbToToml(doc: KbDoc): string {
  const body = stringify({ ...doc.rest, entries: doc.rows.map(rowToEntry) });
  return (doc.header ? doc.header + "\n" : "") + body.trimEnd() + "\n";
}

export const newRow = (): KbRow => ({
  key: newKey(),
  id: "",
  questions: [],
  answers: [
    { lang: "en", text: "" },
    { lang: "zh", text: "" },
  ],
  tags: [],
  rest: {},
});

// Where a 422 invalid_kb message points: "demo/faq.toml:12: entries[3].answer:
// missing" → row 3, field "answer", the reason "missing". null when it names no entry.
// where: "faq.toml:12, entries[3].answer", for the admin who wants the file's line.
export function kbErrorTarget(message: string) {
  return errorTarget(message, "entries");
}

// Intents (autoreply-intent's TOML, tenants/demo/intents.toml) as rows and back.
// action: none, { handoff = true }, { faq_tag = "…" } or { flow_node = "…" }.
export type IntentAction = { kind: "" | "handoff" | "faq_tag" | "flow_node"; value: string };
export type IntentRow = { key: number; name: string; examples: string[]; action: IntentAction; rest: Record<string, unknown> };
export type IntentsDoc = { header: string; rows: IntentRow[]; rest: Record<string, unknown> };

export function intentsFromToml(text: string): IntentsDoc {
  const { intents, ...rest } = parse(text) as Record<string, unknown>;
  const list = Array.isArray(intents) ? (intents as Record<string, unknown>[]) : [];
  const rows = list.map((i): IntentRow => {
    const { name, examples, action, ...other } = i;
    let a: IntentAction = { kind: "", value: "" };
    const extra: Record<string, unknown> = {};
    if (action && typeof action === "object") {
      const o = action as Record<string, unknown>;
      if (o.handoff === true && Object.keys(o).length === 1) a = { kind: "handoff", value: "" };
      else if (typeof o.faq_tag === "string" && Object.keys(o).length === 1) a = { kind: "faq_tag", value: o.faq_tag };
      else if (typeof o.flow_node === "string" && Object.keys(o).length === 1) a = { kind: "flow_node", value: o.flow_node };
      else extra.action = action; // a form the table does not edit: kept as it is
    } else if (action !== undefined) extra.action = action;
    return { key: newKey(), name: name === undefined ? "" : String(name), examples: strings(examples), action: a, rest: { ...other, ...extra } };
  });
  return { header: leadingComments(text), rows, rest };
}

export function intentToEntry(row: IntentRow): Record<string, unknown> {
  const out: Record<string, unknown> = { name: row.name.trim(), examples: row.examples.map((e) => e.trim()).filter(Boolean) };
  if (row.action.kind === "handoff") out.action = { handoff: true };
  else if (row.action.kind) out.action = { [row.action.kind]: row.action.value.trim() };
  return { ...out, ...row.rest };
}

export function intentsToToml(doc: IntentsDoc): string {
  const body = stringify({ ...doc.rest, intents: doc.rows.map(intentToEntry) });
  return (doc.header ? doc.header + "\n" : "") + body.trimEnd() + "\n";
}

export const newIntent = (): IntentRow => ({ key: newKey(), name: "", examples: [], action: { kind: "", value: "" }, rest: {} });

// The row and field a 422 of the server names (its error object: file, line,
// field "entries[3].answer", reason, problem), the reason in the page's language and
// where it is in the file. An answer without those fields (an older server): read
// from its message as before. null when it names no row of `list`.
export function refusalTarget(error: BotFileRefusal | null | undefined, list: string, lang: Lang): { row: number; field: string; reason: string; where: string } | null {
  if (!error) return null;
  if (error.field === undefined && error.reason === undefined) return errorTarget(error.message ?? "", list);
  const m = new RegExp(`^${list}\\[(\\d+)\\](?:\\.([A-Za-z_]+))?`).exec(error.field ?? "");
  if (!m) return null;
  return { row: Number(m[1]), field: m[2] ?? "", ...botFileRefusalText(error, lang) };
}

// The whole refusal in a sentence, for the notice: "faq.toml:12, entries[3].answer: missing".
export function refusalMessage(error: BotFileRefusal | null | undefined, fallback: string, lang: Lang): string {
  if (!error || (error.field === undefined && error.reason === undefined)) return fallback;
  const { reason, where } = botFileRefusalText(error, lang);
  return where ? `${where}${lang === "zh" ? "：" : ": "}${reason}` : reason;
}

// Like kbErrorTarget, for "intents[4].examples: needs at least 3 examples (has 1)".
export function errorTarget(message: string, list: string): { row: number; field: string; reason: string; where: string } | null {
  const m = message.match(new RegExp(`${list}\\[(\\d+)\\](?:\\.([A-Za-z_]+))?([^:]*):?\\s*(.*)$`));
  if (!m) return null;
  const file = message.match(/([^\s:/]+\.toml:\d+)/);
  const path = `${list}[${m[1]}]${m[2] ? "." + m[2] : ""}${m[3] ?? ""}`;
  return { row: Number(m[1]), field: m[2] ?? "", reason: m[4] || message, where: (file ? file[1] + ", " : "") + path };
}

// How a merge (merge.ts) tells the entries apart and compares them.
export const kbList: ListSpec<KbRow> = { idOf: (r) => r.id.trim(), entryOf: rowToEntry };
export const intentList: ListSpec<IntentRow> = { idOf: (r) => r.name.trim(), entryOf: intentToEntry };
