import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, actionLabel, detailText, objectText } from "./Audit";
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
      expect(actionLabel(t, "something.new")).toBe("something.new");
    }
    expect(actionLabel(pagesTranslator("zh"), "agent.created")).toBe("添加了客服");
    expect(actionLabel(pagesTranslator("en"), "widget.saved")).toBe("Saved the widget's settings");
  });
});

describe("the audit log's objects and details in the page's language", () => {
  const zh = pagesTranslator("zh");
  const en = pagesTranslator("en");
  const latin = /[A-Za-z]/;

  it("words every object kind in Chinese and English, values as given", () => {
    expect(objectText(zh, { kind: "routing_graph" })).toBe("路由图");
    expect(objectText(en, { kind: "routing_graph" })).toBe("Routing graph");
    expect(objectText(zh, { kind: "bot_file", file: "demo/faq.toml" })).toBe("文件 demo/faq.toml");
    expect(objectText(zh, { kind: "agent", name: "<b>Dana</b>", email: "d@x.test" })).toBe("<b>Dana</b> <d@x.test>");
    expect(objectText(zh, { kind: "group", id: "vip" })).toBe("分组 vip");
    expect(objectText(zh, { kind: "visitor", id: "v-1" })).toBe("访客 v-1");
    for (const kind of ["widget", "retention"]) expect(objectText(zh, { kind })).not.toMatch(latin);
    // Unknown kinds and unreadable values: the caller shows the English target.
    expect(objectText(zh, undefined)).toBeUndefined();
    expect(objectText(zh, { kind: "something_new" })).toBeUndefined();
    expect(objectText(zh, { kind: "agent", name: 7 })).toBeUndefined();
  });

  it("words the routing graph's changes", () => {
    const detail = { code: "routing.rules", rules: 5, added: ["VIP", "夜间"], removed: ["old"], reordered: true, fallback_changed: true };
    expect(detailText(zh, detail)).toBe("5 条规则：新增 VIP、夜间；删除 old；调整了规则顺序；修改了兜底处理");
    expect(detailText(en, detail)).toBe("5 rules: added VIP, 夜间; removed old; reordered rules; changed the fallback");
    expect(detailText(en, { code: "routing.rules", rules: 1, layout_only: true, version: 3 })).toBe("version #3: 1 rule: layout only");
    expect(detailText(zh, { code: "routing.rules", rules: 2, changed: ["a"], changed_more: 4 })).toBe("2 条规则：修改 a 等（另有 4 项）");
    expect(detailText(zh, { code: "routing.rules", rules: 0 })).toBe("0 条规则");
  });

  it("words the agents' changes", () => {
    expect(detailText(zh, { code: "agent.new", role: "agent", groups: ["support"], capacity: 5 })).toBe("角色 客服；分组 support；接待上限 5");
    expect(detailText(en, { code: "agent.new", role: "admin", groups: [], capacity: 2 })).toBe("role admin; groups none; capacity 2");
    expect(
      detailText(zh, {
        code: "agent.changes",
        changes: [
          { field: "role", from: "agent", to: "admin" },
          { field: "groups", from: ["a"], to: ["a", "b"] },
          { field: "capacity", from: 5, to: 8 },
        ],
        password_reset: true,
      }),
    ).toBe("角色：客服 → 管理员；分组：a → a、b；接待上限：5 → 8；重置了密码");
    expect(detailText(zh, { code: "agent.changes", changes: [] })).toBe("无变化");
    expect(detailText(zh, { code: "agent.cannot_sign_in" })).toBe("不能再登录");
    expect(detailText(zh, { code: "agent.signed_out_everywhere" })).not.toMatch(latin);
    // A field this page does not know: the English summary instead.
    expect(detailText(zh, { code: "agent.changes", changes: [{ field: "shoe_size", from: 1, to: 2 }] })).toBeUndefined();
  });

  it("words files, settings, visitors and retention", () => {
    expect(detailText(zh, { code: "file.replaced", lines: 6, bytes: 100 })).toBe("已替换：6 行，100 字节");
    expect(detailText(zh, { code: "settings.fields", changes: [{ field: "color", from: "#0f766e", to: "#aa3300" }, { field: "title", from: null, to: "Hi" }] })).toBe(
      'color："#0f766e" → "#aa3300"；title：无 → "Hi"',
    );
    expect(detailText(zh, { code: "visitor.exported", conversations: 2 })).toBe("导出了 2 个会话");
    expect(detailText(zh, { code: "visitor.erased", conversations: 1, messages: 4, files: 0 })).toBe("删除了 1 个会话、4 条消息、0 个文件");
    expect(detailText(zh, { code: "retention.applied", audit_days: 30, audit_entries: 9 })).toBe("删除了超过 30 天的 9 条审计记录");
    expect(detailText(en, { code: "visitor.exported", conversations: 1 })).toBe("exported 1 conversation");
  });

  it("words canned replies and unanswered questions, values as given", () => {
    expect(objectText(zh, { kind: "canned_reply", shortcut: "/refund" })).toBe("快捷回复 /refund");
    expect(objectText(en, { kind: "canned_reply", shortcut: "/refund" })).toBe("Canned reply /refund");
    expect(objectText(zh, { kind: "question", text: "<i>Mars?</i>" })).toBe("问题“<i>Mars?</i>”");
    expect(objectText(zh, { kind: "question" })).toBeUndefined();
    expect(detailText(zh, { code: "canned_reply.new", text: "Hello!" })).toBe("内容：Hello!");
    expect(
      detailText(zh, {
        code: "canned_reply.changes",
        changes: [
          { field: "shortcut", from: "/hi", to: "/hello" },
          { field: "text", from: "Hi", to: "Hello" },
        ],
      }),
    ).toBe("快捷指令：/hi → /hello；内容：Hi → Hello");
    expect(detailText(en, { code: "canned_reply.changes", changes: [{ field: "text", from: "a", to: "b" }] })).toBe("text: a → b");
    expect(detailText(zh, { code: "canned_reply.changes", changes: [] })).toBe("无变化");
    expect(detailText(zh, { code: "canned_reply.changes", changes: [{ field: "colour", from: "a", to: "b" }] })).toBeUndefined();
    expect(detailText(zh, { code: "canned_reply.deleted" })).toBe("已删除");
    expect(detailText(zh, { code: "question.attached", entry: "shipping", file: "demo/faq.toml" })).toBe("归入条目 shipping（demo/faq.toml）");
    expect(detailText(zh, { code: "question.new_entry", entry: "q-7", file: "demo/faq.toml" })).toBe("新建条目 q-7（demo/faq.toml）");
    expect(detailText(en, { code: "question.new_entry", entry: "q-7", file: "demo/faq.toml" })).toBe("new entry q-7 (demo/faq.toml)");
    expect(detailText(zh, { code: "question.new_entry", entry: "q-7" })).toBeUndefined();
    for (const detail of [
      { code: "question.dismissed" },
      { code: "question.dismissed", not_kept: true },
      { code: "question.reopened" },
    ])
      expect(detailText(zh, detail)).not.toMatch(latin);
    expect(detailText(zh, { code: "question.dismissed", file: "demo/faq.toml" })).toMatch(/^[^A-Za-z]*demo\/faq\.toml[^A-Za-z]*$/);
    expect(detailText(zh, { code: "question.reopened", file: "demo/faq.toml" })).toMatch(/^[^A-Za-z]*demo\/faq\.toml[^A-Za-z]*$/);
  });

  it("leaves unknown codes and unreadable values to the English summary", () => {
    expect(detailText(zh, undefined)).toBeUndefined();
    expect(detailText(zh, { code: "something.new", n: 1 })).toBeUndefined();
    expect(detailText(zh, { code: "file.replaced", lines: "6" })).toBeUndefined();
    expect(detailText(zh, { code: "routing.rules" })).toBeUndefined();
  });
});
