import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { IntentRow, KbDoc, KbRow, intentList, intentsFromToml, intentsToToml, kbFromToml, kbList, kbToToml, newRow } from "./kb";
import { canonical, decide, mergeDocs } from "./merge";
import { chooseVersion, startMerge } from "./BotFileMerge";

// The demo tenant's real files (the web tsconfig has no Node types; vitest runs on Node).
// @ts-ignore
import { readFileSync } from "node:fs";
const demo = (name: string): string => readFileSync(new URL("../../../tenants/demo/" + name, import.meta.url), "utf8");

const base = `# The explanation
not_for_bot = ["hi"]

[[entries]]
id = "a"
questions = ["qa"]
answer = { en = "A", zh = "甲" }

[[entries]]
id = "b"
questions = ["qb"]
answer = "B"

[[entries]]
id = "c"
questions = ["qc"]
answer = "C"
`;

// The page as loaded: the base and the admin's copy share the rows' keys.
const loaded = () => {
  const doc = kbFromToml(base);
  return { base: doc, mine: { ...doc, rows: [...doc.rows] } };
};
const row = (doc: KbDoc, id: string) => doc.rows.find((r) => r.id === id)!;
const edit = (doc: KbDoc, id: string, change: (r: KbRow) => KbRow): KbDoc => ({ ...doc, rows: doc.rows.map((r) => (r.id === id ? change(r) : r)) });
const withAnswer = (text: string) => (r: KbRow): KbRow => ({ ...r, answers: [{ lang: "", text }] });
const added = (id: string, answer: string): KbRow => ({ ...newRow(), id, questions: [`q${id}`], answers: [{ lang: "", text: answer }] });
// Theirs: the file as another admin saved it, read fresh (new keys, as the page reads it).
const saved = (doc: KbDoc) => kbFromToml(kbToToml(doc));
const entries = (doc: KbDoc) => parse(kbToToml(doc)).entries as Record<string, unknown>[];
const outcomes = (items: { id: string; outcome: string }[]) => Object.fromEntries(items.map((i) => [i.id, i.outcome]));

describe("merging a knowledge base saved meanwhile", () => {
  it("keeps what only the admin changed: added, edited, deleted", () => {
    const { base: b, mine: m0 } = loaded();
    let mine = edit(m0, "a", withAnswer("A2"));
    mine = { ...mine, rows: [...mine.rows.filter((r) => r.id !== "b"), added("d", "D")] };
    const { doc, items } = mergeDocs(b, mine, saved(b), kbList);
    expect(items.some((i) => i.outcome === "conflict")).toBe(false);
    expect(outcomes(items)).toEqual({ a: "mine", b: "mine", c: "unchanged", d: "mine" });
    expect(entries(doc).map((e) => [e.id, e.answer])).toEqual([["a", "A2"], ["c", "C"], ["d", "D"]]);
  });

  it("takes what only the others changed: added, edited, deleted, and their other keys", () => {
    const { base: b, mine } = loaded();
    let theirs = edit(b, "c", withAnswer("C2"));
    theirs = { ...theirs, rows: [added("e", "E"), ...theirs.rows.filter((r) => r.id !== "a")], rest: { not_for_bot: ["hi", "淘宝怎么退款"] } };
    const { doc, items } = mergeDocs(b, mine, saved(theirs), kbList);
    expect(outcomes(items)).toEqual({ e: "theirs", a: "theirs", b: "unchanged", c: "theirs" });
    expect(entries(doc).map((e) => [e.id, e.answer])).toEqual([["e", "E"], ["b", "B"], ["c", "C2"]]);
    expect(parse(kbToToml(doc)).not_for_bot).toEqual(["hi", "淘宝怎么退款"]);
    expect(kbToToml(doc).startsWith("# The explanation\n")).toBe(true);
  });

  it("takes an entry both sides changed the same way once", () => {
    const { base: b, mine: m0 } = loaded();
    const mine = { ...edit(m0, "b", withAnswer("B2")), rows: [...edit(m0, "b", withAnswer("B2")).rows.filter((r) => r.id !== "c"), added("d", "D")] };
    const theirs = { ...edit(b, "b", withAnswer("B2")), rows: [...edit(b, "b", withAnswer("B2")).rows.filter((r) => r.id !== "c"), added("d", "D")] };
    const { doc, items } = mergeDocs(b, mine, saved(theirs), kbList);
    expect(outcomes(items)).toEqual({ a: "unchanged", b: "same", c: "same", d: "same" });
    expect(entries(doc).map((e) => [e.id, e.answer])).toEqual([["a", { en: "A", zh: "甲" }], ["b", "B2"], ["d", "D"]]);
  });

  it("asks about an entry both sides changed differently, and takes the side chosen", () => {
    const { base: b, mine: m0 } = loaded();
    const mine = edit(m0, "b", withAnswer("mine"));
    const theirs = saved(edit(b, "b", withAnswer("theirs")));
    const { doc, items } = mergeDocs(b, mine, theirs, kbList);
    const conflict = items.find((i) => i.outcome === "conflict")!;
    expect(conflict.id).toBe("b");
    expect(conflict.base!.answers[0].text).toBe("B");
    expect(conflict.mine!.answers[0].text).toBe("mine");
    expect(conflict.theirs!.answers[0].text).toBe("theirs");
    // It holds its place in the list (as mine) until decided.
    expect(doc.rows.map((r) => r.id)).toEqual(["a", "b", "c"]);
    expect(decide(conflict, "theirs")!.answers[0].text).toBe("theirs");
    expect(decide(conflict, "mine")!.answers[0].text).toBe("mine");
    expect(decide(conflict, "mine")!.key).toBe(row(theirs, "b").key);
  });

  it("asks when one side deleted an entry the other edited, either way round", () => {
    const { base: b, mine: m0 } = loaded();
    // Mine deleted b, theirs edited it.
    let merged = mergeDocs(b, { ...m0, rows: m0.rows.filter((r) => r.id !== "b") }, saved(edit(b, "b", withAnswer("B2"))), kbList);
    let conflict = merged.items.find((i) => i.outcome === "conflict")!;
    expect([conflict.id, conflict.mine, conflict.theirs!.answers[0].text]).toEqual(["b", null, "B2"]);
    expect(merged.doc.rows.map((r) => r.id)).toEqual(["a", "b", "c"]);
    expect(decide(conflict, "mine")).toBeNull();
    expect(decide(conflict, "theirs")!.answers[0].text).toBe("B2");
    // Mine edited b, theirs deleted it.
    merged = mergeDocs(b, edit(m0, "b", withAnswer("B3")), saved({ ...b, rows: b.rows.filter((r) => r.id !== "b") }), kbList);
    conflict = merged.items.find((i) => i.outcome === "conflict")!;
    expect([conflict.id, conflict.theirs, conflict.mine!.answers[0].text]).toEqual(["b", null, "B3"]);
    expect(decide(conflict, "theirs")).toBeNull();
    expect(decide(conflict, "mine")!.answers[0].text).toBe("B3");
  });

  it("makes one entry of two added with the same id: the same is taken, different ones asked about", () => {
    const { base: b, mine: m0 } = loaded();
    const same = mergeDocs(b, { ...m0, rows: [...m0.rows, added("gift", "Yes")] }, saved({ ...b, rows: [...b.rows, added("gift", "Yes")] }), kbList);
    expect(outcomes(same.items).gift).toBe("same");
    expect(entries(same.doc).filter((e) => e.id === "gift")).toHaveLength(1);
    const differ = mergeDocs(b, { ...m0, rows: [...m0.rows, added("gift", "Yes, $2")] }, saved({ ...b, rows: [...b.rows, added("gift", "Yes, free")] }), kbList);
    const conflict = differ.items.find((i) => i.outcome === "conflict")!;
    expect([conflict.id, conflict.base, conflict.mine!.answers[0].text, conflict.theirs!.answers[0].text]).toEqual(["gift", null, "Yes, $2", "Yes, free"]);
    expect(differ.doc.rows.filter((r) => r.id === "gift")).toHaveLength(1);
  });

  it("follows an entry the admin renamed by its row, not by its id", () => {
    const { base: b, mine: m0 } = loaded();
    const mine = edit(m0, "a", (r) => ({ ...r, id: "a-renamed" }));
    const untouched = mergeDocs(b, mine, saved(b), kbList);
    expect(entries(untouched.doc).map((e) => e.id)).toEqual(["a-renamed", "b", "c"]);
    const edited = mergeDocs(b, mine, saved(edit(b, "a", withAnswer("A2"))), kbList);
    expect(edited.items.find((i) => i.outcome === "conflict")?.id).toBe("a-renamed");
  });

  it("places the others' new entries after the entry they follow in their file", () => {
    const { base: b, mine: m0 } = loaded();
    const mine = { ...m0, rows: [m0.rows[2], m0.rows[0], m0.rows[1], added("m", "M")] }; // c a b m
    const theirs = saved({ ...b, rows: [b.rows[0], added("x", "X"), added("y", "Y"), b.rows[1], b.rows[2]] }); // a x y b c
    expect(entries(mergeDocs(b, mine, theirs, kbList).doc).map((e) => e.id)).toEqual(["c", "a", "x", "y", "b", "m"]);
  });

  it("merges again over the version a first merge was made from (the second save refused too)", () => {
    const { base: b, mine: m0 } = loaded();
    const mine = { ...edit(m0, "a", withAnswer("A-mine")), rows: [...edit(m0, "a", withAnswer("A-mine")).rows, added("new-1", "N1"), added("new-2", "N2")] };
    const theirs1 = saved(edit(b, "c", withAnswer("C-1")));
    const first = mergeDocs(b, mine, theirs1, kbList);
    expect(first.items.every((i) => i.outcome !== "conflict")).toBe(true);
    // Someone saves again before the merged file is; the merge's base is theirs1.
    const theirs2 = saved(edit(edit(theirs1, "b", withAnswer("B-2")), "c", withAnswer("C-2")));
    const second = mergeDocs(theirs1, first.doc, theirs2, kbList);
    expect(outcomes(second.items)).toEqual({ a: "mine", b: "theirs", c: "theirs", "new-1": "mine", "new-2": "mine" });
    expect(entries(second.doc).map((e) => [e.id, e.answer])).toEqual([["a", "A-mine"], ["b", "B-2"], ["c", "C-2"], ["new-1", "N1"], ["new-2", "N2"]]);
  });

  it("merges the demo's own knowledge base: two new entries survive an unanswered question attached to a third", () => {
    const text = demo("faq.toml");
    const b = kbFromToml(text);
    const mine = { ...b, rows: [...b.rows, added("gift-wrap", "Yes"), added("gift-cards", "From $10")] };
    const theirs = edit(b, "refund-time", (r) => ({ ...r, questions: [...r.questions, "when is my money back"] }));
    const { doc, items } = mergeDocs(b, mine, saved(theirs), kbList);
    expect(items.filter((i) => i.outcome !== "unchanged").map((i) => [i.id, i.outcome])).toEqual([["refund-time", "theirs"], ["gift-wrap", "mine"], ["gift-cards", "mine"]]);
    const out = parse(kbToToml(doc)) as { entries: { id: string; questions: string[] }[] };
    expect(out.entries.find((e) => e.id === "refund-time")!.questions).toContain("when is my money back");
    expect(out.entries.map((e) => e.id).slice(-2)).toEqual(["gift-wrap", "gift-cards"]);
  });
});

describe("merging intents saved meanwhile, by name", () => {
  const text = 'version = 1\n[[intents]]\nname = "refund"\nexamples = ["r1", "r2", "r3"]\naction = { faq_tag = "refunds" }\n[[intents]]\nname = "human"\nexamples = ["h1", "h2", "h3"]\naction = { handoff = true }\n';
  const change = (rows: IntentRow[], name: string, edit: (r: IntentRow) => IntentRow) => rows.map((r) => (r.name === name ? edit(r) : r));
  it("keeps both sides' changes to different intents and asks about one both changed", () => {
    const b = intentsFromToml(text);
    const mine = { ...b, rows: change(b.rows, "refund", (r) => ({ ...r, examples: [...r.examples, "mine"] })) };
    const theirs = intentsFromToml(intentsToToml({ ...b, rows: change(b.rows, "human", (r) => ({ ...r, examples: [...r.examples, "theirs"] })) }));
    const clean = mergeDocs(b, mine, theirs, intentList);
    expect(outcomes(clean.items)).toEqual({ refund: "mine", human: "theirs" });
    const theirsToo = intentsFromToml(intentsToToml({ ...b, rows: change(b.rows, "refund", (r) => ({ ...r, action: { kind: "handoff", value: "" } })) }));
    const conflict = mergeDocs(b, mine, theirsToo, intentList).items.find((i) => i.outcome === "conflict")!;
    expect(conflict.id).toBe("refund");
    expect(decide(conflict, "theirs")!.action.kind).toBe("handoff");
  });
});

describe("comparing entries", () => {
  it("ignores the order keys were written in", () => {
    expect(canonical({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonical({ a: [{ x: 1, y: 2 }], b: 1 }));
    expect(canonical({ a: 1 })).not.toBe(canonical({ a: 2 }));
  });
});

describe("the page's merge state", () => {
  it("marks what came from them, holds each conflict until chosen, and drops an entry whose chosen side deleted it", () => {
    const { base: b, mine: m0 } = loaded();
    const mine = { ...edit(m0, "a", withAnswer("A-mine")), rows: edit(m0, "a", withAnswer("A-mine")).rows.filter((r) => r.id !== "c") };
    const theirs = saved({ ...edit(edit(b, "a", withAnswer("A-theirs")), "c", withAnswer("C2")), rows: [...edit(edit(b, "a", withAnswer("A-theirs")), "c", withAnswer("C2")).rows.filter((r) => r.id !== "b"), added("e", "E")] });
    const { doc, state } = startMerge(b, mine, theirs, kbList);
    expect([state.added, state.changed, state.removed]).toEqual([["e"], [], ["b"]]);
    expect([...state.pending.values()].map((i) => i.id)).toEqual(["a", "c"]);
    expect(state.taken.get(row(theirs, "e").key)).toBe("added");
    const a = chooseVersion(doc, state, row(theirs, "a").key, "theirs");
    expect(a.state.pending.size).toBe(1);
    const c = chooseVersion(a.doc, a.state, row(theirs, "c").key, "mine");
    expect(c.state.pending.size).toBe(0);
    expect(entries(c.doc).map((e) => [e.id, e.answer])).toEqual([["a", "A-theirs"], ["e", "E"]]);
  });
});
