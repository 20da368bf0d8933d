// The Unanswered page's logic: the entry search and the list's query string.
import { describe, expect, it } from "vitest";
import { unansweredQuery } from "./api";
import { matchingEntries } from "./Unanswered";
import { pagesTranslator } from "./text";

const entries = [
  { id: "shipping-time", questions: ["How long does shipping take?", "多久能送到"] },
  { id: "refund-time", questions: ["How long does a refund take?"] },
  { id: "contact", questions: [] },
];

describe("the entry search", () => {
  it("keeps entries whose id or questions hold every word, case aside", () => {
    expect(matchingEntries(entries, "how LONG ship").map((e) => e.id)).toEqual(["shipping-time"]);
    expect(matchingEntries(entries, "how long").map((e) => e.id)).toEqual(["shipping-time", "refund-time"]);
    expect(matchingEntries(entries, "送到").map((e) => e.id)).toEqual(["shipping-time"]);
    expect(matchingEntries(entries, "contact")).toEqual([{ id: "contact", question: "" }]);
    expect(matchingEntries(entries, "  ").length).toBe(3);
    expect(matchingEntries(entries, "warranty")).toEqual([]);
  });
});

describe("the list's query", () => {
  it("sends only what is set", () => {
    expect(unansweredQuery({})).toBe("");
    expect(unansweredQuery({ status: "open", reason: "not_helpful", limit: 50, cursor: "50" })).toBe("?status=open&reason=not_helpful&limit=50&cursor=50");
  });
});

describe("the page's texts", () => {
  it("say in both languages that dismissing teaches the bot to leave questions like it to a person", () => {
    const en = pagesTranslator("en");
    const zh = pagesTranslator("zh");
    expect(en("un.lead")).toMatch(/Dismiss .*teaches the bot to leave questions like it to a person/);
    expect(zh("un.lead")).toMatch(/忽略.*机器人就学会把类似的问题交给人工/);
    expect(en("un.done.dismissed")).toContain("leaves questions like it to a person");
    expect(zh("un.done.dismissed")).toContain("类似的问题交给人工");
    expect(en("un.reopenOf", { q: "x" })).toContain("may answer questions like it again");
    expect(zh("un.done.open")).toContain("可再回答");
  });
});
