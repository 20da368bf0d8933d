import { describe, expect, it } from "vitest";
import { ApiError } from "../api";
import type { AgentRow } from "./api";
import { cannedChangedText, changedReply, searchReplies } from "./Canned";
import { pageFromHash } from "./Pages";
import { agentBody, agentToForm, emptyAgentForm, initials, parseSkills, skillsText, splitList } from "./Team";
import { pagesTranslator } from "./text";
import { fieldErrors, problemText } from "./ui";

const lin: AgentRow = { id: "a1", email: "lin@demo.local", name: "Lin", role: "agent", groups: ["support"], max_concurrent: 5, source: "api" };

describe("the agent form", () => {
  it("sends everything for a new agent, groups split on commas (also Chinese ones)", () => {
    const form = { ...emptyAgentForm(), name: " Lin ", email: "lin@demo.local", password: "secret-123", groups: "support，sales, ", max_concurrent: "3" };
    expect(agentBody(form)).toEqual({ name: "Lin", email: "lin@demo.local", password: "secret-123", role: "agent", groups: ["support", "sales"], skills: {}, max_concurrent: 3 });
  });
  it("sends only what changed for an edit; an empty password keeps the old one", () => {
    expect(agentBody(agentToForm(lin), lin)).toEqual({});
    expect(agentBody({ ...agentToForm(lin), role: "admin", groups: "support, vip" }, lin)).toEqual({ role: "admin", groups: ["support", "vip"] });
    expect(agentBody({ ...agentToForm(lin), password: "new-password" }, lin)).toEqual({ password: "new-password" });
  });
  it("reads skills with levels, and writes them back", () => {
    expect(parseSkills("english:8, refunds 5，vip=10, chinese")).toEqual({ english: 8, refunds: 5, vip: 10, chinese: 5 });
    expect(parseSkills("english:lots")).toEqual({ english: "lots" });
    expect(skillsText({ english: 8, refunds: 5 })).toBe("english:8, refunds:5");
    expect(agentBody({ ...agentToForm(lin), skills: "english:8" }, lin)).toEqual({ skills: { english: 8 } });
  });
  it("lets the server judge a capacity that is not a number", () => {
    expect(agentBody({ ...agentToForm(lin), max_concurrent: "" }, lin).max_concurrent).toBe("");
  });
  it("splits lists and makes initials", () => {
    expect(splitList(" a ,b,,c ")).toEqual(["a", "b", "c"]);
    expect(initials("Lin Mei 林梅")).toBe("LM");
    expect(initials("Dana")).toBe("DA");
    expect(initials("林梅")).toBe("林");
    expect(initials("(Bob) Lee")).toBe("BL");
    expect(initials("<b>Bob</b> Lee")).toBe("BL");
    expect(initials("<>")).toBe("?");
  });
});

describe("errors on fields", () => {
  it("puts a 422 on the field it names, anything else on the form", () => {
    const e = new ApiError(422, "bad_field", "email must contain @", { error: { code: "bad_field", message: "email must contain @", field: "email" } });
    expect(fieldErrors(e)).toEqual({ email: "email must contain @" });
    expect(fieldErrors(new ApiError(500, "http_500", "HTTP 500"))).toEqual({ "": "HTTP 500" });
  });
  it("says the server's refusals in the page's language by their code and field, its English for the unknown", () => {
    const password = { code: "invalid_field", field: "password", message: "password must be a string of 8 to 1024 bytes" };
    const e = new ApiError(422, "invalid_field", password.message, { error: password, errors: [password] });
    expect(fieldErrors(e, "zh")).toEqual({ password: "密码至少 8 个字节（最多 1024 字节）。" });
    expect(fieldErrors(e, "en")).toEqual({ password: "password must be a string of 8 to 1024 bytes" });
    // A list's item says which one; a code no table knows keeps the server's words.
    const origin = { code: "invalid_field", field: "allowed_origins[1]", message: "'shop' is not an origin" };
    const weird = { code: "brand_new_code", field: "color", message: "the server's own words" };
    expect(fieldErrors(new ApiError(422, "invalid_field", "", { errors: [origin, weird] }), "zh")).toEqual({
      "allowed_origins[1]": expect.stringMatching(/^第 2 个网站不是有效的来源/),
      color: "the server's own words",
    });
    const taken = new ApiError(409, "conflict", "another reply has this shortcut", { error: { code: "conflict", field: "shortcut", message: "another reply has this shortcut" } });
    expect(fieldErrors(taken, "zh")).toEqual({ shortcut: "已有回复使用这个快捷指令。" });
    expect(problemText(new ApiError(503, "unavailable", "storage did not answer"), "zh")).toBe("服务器暂时无法保存，请稍后重试。");
  });
  it("follows the page's language when not told", () => {
    const e = new ApiError(409, "conflict", "an agent with this email exists", { error: { code: "conflict", field: "email", message: "an agent with this email exists" } });
    document.documentElement.lang = "zh-CN";
    expect(fieldErrors(e)).toEqual({ email: "已有客服使用这个邮箱。" });
    document.documentElement.lang = "en";
    expect(fieldErrors(e)).toEqual({ email: "an agent with this email exists" });
  });
});

describe("canned reply search", () => {
  const replies = [
    { id: "1", shortcut: "/refund", text: "Refunds take 5-7 days" },
    { id: "2", shortcut: "/hi", text: "您好，有什么可以帮您？" },
  ];
  it("matches every word in the shortcut or text, any case, Chinese too", () => {
    expect(searchReplies(replies, "")).toHaveLength(2);
    expect(searchReplies(replies, "REFUND days").map((r) => r.id)).toEqual(["1"]);
    expect(searchReplies(replies, "帮您").map((r) => r.id)).toEqual(["2"]);
    expect(searchReplies(replies, "nothing")).toEqual([]);
  });
});

describe("pages", () => {
  it("are chosen by the hash; anything else is the routing editor", () => {
    expect(pageFromHash("#team")).toBe("team");
    expect(pageFromHash("#knowledge")).toBe("knowledge");
    expect(pageFromHash("")).toBe("routing");
    expect(pageFromHash("#nope")).toBe("routing");
  });
  it("have every text in Chinese", () => {
    const en = pagesTranslator("en");
    const zh = pagesTranslator("zh");
    expect(zh("nav.team")).toBe("团队");
    expect(zh("team.created", { name: "林梅" })).toBe("林梅 现在可以登录了。");
    expect(en("kb.count", { n: 3 })).toBe("3 entries");
  });
});

describe("the pages' counts", () => {
  it("agree with their number in English", async () => {
    const { settingsTranslator } = await import("./settings-text");
    const { botTranslator } = await import("./botText");
    const { translator } = await import("../i18n");
    const en = pagesTranslator("en");
    expect(en("canned.count", { n: 1 })).toBe("1 reply");
    expect(en("canned.count", { n: 3 })).toBe("3 replies");
    expect(en("team.count", { n: 1 })).toBe("1 agent");
    expect(en("kb.count", { n: 1 })).toBe("1 entry");
    expect(en("un.total", { n: 1 })).toBe("1 question");
    expect(settingsTranslator("en")("groups.count", { n: 1 })).toBe("1 group");
    expect(botTranslator("en")("flows.fallbacks", { n: 1 })).toBe("Gives up after 1 unmatched answer");
    expect(translator("en")("versions.rules", { n: 1 })).toBe("1 rule");
    expect(translator("en")("node.problems", { n: 2 })).toBe("2 problems");
    expect(pagesTranslator("zh")("canned.count", { n: 1 })).toBe("1 条回复");
  });
});

describe("a canned reply saved from an old version", () => {
  const current = { id: "r1", shortcut: "/refund", text: "Refunds take 3 days.", version: '"v2"' };
  const refused = (now: unknown) => new ApiError(412, "canned_changed", "changed", { error: { code: "canned_changed", message: "changed", current: now } });
  it("reads the reply as it is now from the refusal, null when it was deleted", () => {
    expect(changedReply(refused(current))).toEqual(current);
    expect(changedReply(refused(null))).toBeNull();
    expect(changedReply(new ApiError(409, "conflict", "dup"))).toBeUndefined();
    expect(changedReply(new ApiError(412, "kb_changed", "x"))).toBeUndefined();
  });
  it("says so in the page's language, both texts kept", () => {
    const en = pagesTranslator("en");
    const zh = pagesTranslator("zh");
    expect(cannedChangedText(en, current)).toBe(
      "Someone else changed this reply since you opened it; nothing is saved yet. Compare the two below: load the current text (yours stays here to copy), or save yours over it.",
    );
    expect(cannedChangedText(zh, current)).toBe("您打开后，其他人修改了这条回复；尚未保存任何内容。请对照下面两版：加载当前内容（您的内容仍留在此处可复制），或用您的内容覆盖。");
    expect(cannedChangedText(en, null)).toBe("Someone else deleted this reply since you opened it; nothing is saved. Save yours as a new reply, or cancel.");
    expect(cannedChangedText(zh, null)).toBe("您打开后，其他人删除了这条回复；未保存任何内容。可将您的内容另存为新回复，或取消。");
    expect(en("canned.loadTheirs")).toBe("Load the current text");
    expect(zh("canned.loadTheirs")).toBe("加载当前内容");
    expect(zh("canned.deleteChanged", { shortcut: "/refund" })).toBe("未删除：列表加载后，其他人修改了 /refund。现已显示最新内容；如仍要删除，请再删除一次。");
  });
});
