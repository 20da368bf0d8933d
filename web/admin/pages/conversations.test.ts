import { describe, expect, it } from "vitest";
import { highlightParts, listQuery, noFilters } from "./Conversations";

describe("the search results' highlight", () => {
  it("marks a Chinese phrase in the middle of a sentence", () => {
    expect(highlightParts("我昨天买的蓝牙耳机连不上", "蓝牙耳机")).toEqual([
      { text: "我昨天买的", match: false },
      { text: "蓝牙耳机", match: true },
      { text: "连不上", match: false },
    ]);
  });

  it("marks every English occurrence in any case and keeps the original case", () => {
    expect(highlightParts("Refund? refund!", "REFUND")).toEqual([
      { text: "Refund", match: true },
      { text: "? ", match: false },
      { text: "refund", match: true },
      { text: "!", match: false },
    ]);
  });

  it("keeps markup as text parts (rendered by React as text, never as HTML)", () => {
    expect(highlightParts("<b>order</b>", "order")).toEqual([
      { text: "<b>", match: false },
      { text: "order", match: true },
      { text: "</b>", match: false },
    ]);
    expect(highlightParts("no match", "xyz")).toEqual([{ text: "no match", match: false }]);
  });
});

describe("the conversation list's filters", () => {
  it("asks only for what is set, with local days as the creation range", () => {
    expect(listQuery(noFilters).toString()).toBe("limit=200");
    const q = listQuery({ status: "closed", assignee: "dana", group: "support", tag: " refund ", from: "2026-03-01", to: "2026-03-02" });
    expect(q.get("status")).toBe("closed");
    expect(q.get("assignee")).toBe("dana");
    expect(q.get("group")).toBe("support");
    expect(q.get("tag")).toBe("refund");
    expect(Number(q.get("since"))).toBe(new Date(2026, 2, 1).getTime());
    expect(Number(q.get("until"))).toBe(new Date(2026, 2, 3).getTime());
  });
});
