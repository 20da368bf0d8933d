// The Unanswered page's logic: the entry search and the list's query string.
import { describe, expect, it } from "vitest";
import { unansweredQuery } from "./api";
import { ApiError } from "../api";
import { matchingEntries, staleDecisionText } from "./Unanswered";
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

describe("a decision made from an old list", () => {
  const changed = new ApiError(412, "question_changed", "changed", { error: { code: "question_changed", current: { status: "attached" } } });
  const gone = new ApiError(422, "entry_gone", "gone", { error: { code: "entry_gone", field: "entry_id" } });
  it("says another admin decided it, and what it is now, in the page's language", () => {
    expect(staleDecisionText(pagesTranslator("en"), changed)).toBe(
      "Not done: someone else decided this question meanwhile (now: Attached). The list is refreshed; decide again if need be.",
    );
    expect(staleDecisionText(pagesTranslator("zh"), changed)).toBe("未完成：列表加载后，其他人已处理了这个问题（现为：已归入条目）。列表已刷新；如有需要请重新处理。");
  });
  it("says the chosen entry left the knowledge base", () => {
    expect(staleDecisionText(pagesTranslator("en"), gone, "shipping")).toBe(
      "Not done: the entry shipping is no longer in the knowledge base (removed or renamed since the page loaded). The entries are reloaded; choose again.",
    );
    expect(staleDecisionText(pagesTranslator("zh"), gone, "shipping")).toBe("未完成：知识库中已没有条目 shipping（页面加载后被删除或改名）。条目已重新加载，请重新选择。");
  });
  it("leaves any other refusal to the page's usual words", () => {
    expect(staleDecisionText(pagesTranslator("en"), new ApiError(409, "conflict", "already attached"))).toBeNull();
    expect(staleDecisionText(pagesTranslator("en"), new ApiError(422, "bad_field", "x"))).toBeNull();
  });
});
