import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, actionLabel } from "./Audit";
import { auditQuery } from "./api";
import { pagesTranslator } from "./text";

describe("the audit log's requests and labels", () => {
  it("sends only the filters that are set, encoded", () => {
    expect(auditQuery({})).toBe("");
    expect(auditQuery({ limit: 50, action: "agent.created" })).toBe("?limit=50&action=agent.created");
    expect(auditQuery({ cursor: "17", actor: "a b&c" })).toBe("?cursor=17&actor=a+b%26c");
  });

  it("names every known action in English and Chinese, and shows an unknown one as its code", () => {
    for (const lang of ["en", "zh"] as const) {
      const t = pagesTranslator(lang);
      const labels = AUDIT_ACTIONS.map((a) => actionLabel(t, a));
      expect(new Set(labels).size).toBe(AUDIT_ACTIONS.length);
      for (const label of labels) expect(label).not.toMatch(/^audit\./);
      expect(actionLabel(t, "widget.saved")).toBe("widget.saved");
    }
    expect(actionLabel(pagesTranslator("zh"), "agent.created")).toBe("添加了客服");
  });
});
