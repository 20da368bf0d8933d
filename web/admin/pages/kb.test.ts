import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { errorTarget, intentToEntry, intentsFromToml, intentsToToml, kbErrorTarget, newIntent, kbFromToml, kbToToml, leadingComments, newRow, refusalMessage, refusalTarget, rowToEntry } from "./kb";

// The demo tenant's real files (the web tsconfig has no Node types; vitest runs on Node).
// @ts-ignore
import { readFileSync } from "node:fs";
const demoDir = "../../../tenants/demo/";
const demo = (name: string): string => readFileSync(new URL(demoDir + name, import.meta.url), "utf8");

describe("the knowledge base as a table", () => {
  it("reads every entry of the demo FAQ, with its languages", () => {
    const doc = kbFromToml(demo("faq.toml"));
    expect(doc.rows.length).toBeGreaterThan(5);
    const first = doc.rows[0];
    expect(first.id).toBe("refund-time");
    expect(first.questions).toContain("退款多久到账");
    expect(first.answers.map((a) => a.lang)).toEqual(["en", "zh"]);
    expect(first.tags).toEqual(["refunds"]);
    expect(doc.header).toMatch(/^# The demo tenant's FAQ/);
  });

  it("writes back the same data (TOML → table → TOML), keeping the leading comments", () => {
    const text = demo("faq.toml");
    const again = kbToToml(kbFromToml(text));
    expect(parse(again)).toEqual(parse(text));
    expect(again.startsWith(leadingComments(text))).toBe(true);
  });

  it("keeps plain-string answers, unknown keys and other top-level keys", () => {
    const text = 'version = 2\n[[entries]]\nid = "a"\nquestions = ["q"]\nanswer = "plain"\nweight = 3\n';
    const doc = kbFromToml(text);
    expect(doc.rows[0].answers).toEqual([{ lang: "", text: "plain" }]);
    expect(parse(kbToToml(doc))).toEqual(parse(text));
  });

  it("keeps the questions an admin dismissed (not_for_bot) when the table is saved", () => {
    const text = 'not_for_bot = ["How do I return something to Amazon?", "淘宝怎么退款"]\n[[entries]]\nid = "a"\nquestions = ["q"]\nanswer = "x"\n';
    expect(parse(kbToToml(kbFromToml(text)))).toEqual(parse(text));
  });

  it("a new row drops empty questions, empty languages and empty tags", () => {
    const row = newRow();
    row.id = " gift-wrap ";
    row.questions = ["Do you gift wrap?", "", " 可以包装礼物吗 "];
    row.answers[0].text = "Yes, for $2.";
    expect(rowToEntry(row)).toEqual({ id: "gift-wrap", questions: ["Do you gift wrap?", "可以包装礼物吗"], answer: { en: "Yes, for $2." } });
  });

  it("an answer with no text is written as an empty string, for the server to name", () => {
    const row = newRow();
    row.id = "x";
    row.questions = ["q"];
    expect(rowToEntry(row).answer).toBe("");
    const doc = { header: "", rows: [row], rest: {} };
    expect(parse(kbToToml(doc))).toEqual({ entries: [{ id: "x", questions: ["q"], answer: "" }] });
  });

  it("text is data: quotes, newlines and HTML survive the round trip", () => {
    const row = newRow();
    row.id = "tricky";
    row.questions = ['He said "hi" <b>'];
    row.answers = [{ lang: "en", text: 'Line 1\nLine "2" <script>alert(1)</script>' }];
    const back = kbFromToml(kbToToml({ header: "", rows: [row], rest: {} })).rows[0];
    expect(back.questions).toEqual(['He said "hi" <b>']);
    expect(back.answers[0].text).toBe('Line 1\nLine "2" <script>alert(1)</script>');
  });

  it("finds the row and field a server error names", () => {
    expect(kbErrorTarget("demo/faq.toml:12: entries[3].answer: missing")).toEqual({ row: 3, field: "answer", reason: "missing", where: "faq.toml:12, entries[3].answer" });
    expect(kbErrorTarget("plugin autoreply-faq refused tenant demo: demo/faq.toml:170: entries[17].answer: must not be empty")).toMatchObject({
      row: 17,
      field: "answer",
      reason: "must not be empty",
    });
    expect(kbErrorTarget("demo/faq.toml:9: entries[2].answer.fr: not a string")).toMatchObject({ row: 2, field: "answer", reason: "not a string", where: "faq.toml:9, entries[2].answer.fr" });
    expect(kbErrorTarget("demo/faq.toml:40: entries[0].questions: needs at least one")).toMatchObject({ row: 0, field: "questions" });
    expect(kbErrorTarget("demo/faq.toml:2: expected '='")).toBeNull();
  });

  it("says the server's refusal of a file on its row and field, in English and Chinese, from its code and fields", () => {
    const message = "plugin autoreply-faq refused tenant demo: demo/faq.toml:170: entries[17].answer: must not be empty";
    const empty = { code: "invalid_kb", message, file: "demo/faq.toml", line: 170, field: "entries[17].answer", reason: "must not be empty", problem: "empty" };
    expect(refusalTarget(empty, "entries", "en")).toEqual({ row: 17, field: "answer", reason: "must not be empty", where: "faq.toml:170, entries[17].answer" });
    expect(refusalTarget(empty, "entries", "zh")).toEqual({ row: 17, field: "answer", reason: "不能为空。", where: "faq.toml 第 170 行，entries[17].answer" });
    expect(refusalMessage(empty, message, "zh")).toBe("faq.toml 第 170 行，entries[17].answer：不能为空。");
    const twice = { code: "invalid_kb", message: "…", file: "demo/faq.toml", line: 6, field: "entries[1].id", reason: "duplicate id 'a' (first used on line 2)", problem: "duplicate", first_line: 2 };
    expect(refusalTarget(twice, "entries", "zh")).toMatchObject({ row: 1, field: "id", reason: "与第 2 行的重复，须各不相同。" });
    expect(refusalTarget(twice, "entries", "en")).toMatchObject({ reason: "the same as on line 2; each must be different" });
    const missing = { code: "invalid_intents", message: "…", file: "demo/intents.toml", line: 9, field: "intents[2].name", reason: "missing", problem: "missing" };
    expect(refusalTarget(missing, "intents", "zh")).toMatchObject({ row: 2, field: "name", reason: "缺少这一项，请填写。", where: "intents.toml 第 9 行，intents[2].name" });
    const syntax = { code: "invalid_kb", message: "…", file: "demo/faq.toml", line: 2, column: 11, reason: "expected ']'", problem: "syntax" };
    expect(refusalTarget(syntax, "entries", "zh")).toBeNull(); // no entry: said in the notice
    expect(refusalMessage(syntax, "…", "zh")).toBe("faq.toml 第 2 行：不是有效的 TOML：第 2 行第 11 列有语法错误（expected ']'）。");
    // A reason only the plugin can judge: its words, said as such, at the place said in the page's language.
    const few = { code: "invalid_intents", message: "…", file: "demo/intents.toml", line: 40, field: "intents[4].examples", reason: "needs at least 3 examples (has 1)" };
    expect(refusalTarget(few, "intents", "zh")).toEqual({ row: 4, field: "examples", reason: "插件的说明（英文）：needs at least 3 examples (has 1)", where: "intents.toml 第 40 行，intents[4].examples" });
    expect(refusalTarget(few, "intents", "en")).toMatchObject({ reason: "needs at least 3 examples (has 1)" });
  });

  it("reads the demo intents and writes back the same data", () => {
    const text = demo("intents.toml");
    const doc = intentsFromToml(text);
    expect(doc.rows[0].name).toBe("human");
    expect(doc.rows.find((i) => i.name === "refund")?.action).toEqual({ kind: "faq_tag", value: "refunds" });
    expect(parse(intentsToToml(doc))).toEqual(parse(text));
  });

  it("writes an intent's action, and keeps one the table does not edit", () => {
    const row = newIntent();
    row.name = "gift";
    row.examples = ["gift wrap", "", "礼品包装"];
    row.action = { kind: "handoff", value: "" };
    expect(intentToEntry(row)).toEqual({ name: "gift", examples: ["gift wrap", "礼品包装"], action: { handoff: true } });
    const odd = intentsFromToml('[[intents]]\nname = "x"\nexamples = ["a","b","c"]\naction = { faq_tag = "t", handoff = true }\n');
    expect(odd.rows[0].action.kind).toBe("");
    expect(intentToEntry(odd.rows[0]).action).toEqual({ faq_tag: "t", handoff: true });
  });

  it("finds the intent a server error names", () => {
    expect(errorTarget("demo/intents.toml:40: intents[4].examples: needs at least 3 examples (has 1)", "intents")).toEqual({
      row: 4,
      field: "examples",
      reason: "needs at least 3 examples (has 1)",
      where: "intents.toml:40, intents[4].examples",
    });
  });
});
