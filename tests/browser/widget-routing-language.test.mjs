// A routing message with a text per language, in real Chromium against a real
// server: the demo tenant's graph replaced by one whose first rule greets every new
// conversation ({ en, zh }) and puts it in support's queue. Nobody is online in this
// server (no other test shares it), so the conversation waits and the widget shows
// its place in line; a visitor whose browser is Chinese reads the Chinese greeting
// and place in line on the English page (the widget follows the visitor's browser
// unless the embed tag pins a language), one whose browser is English the English.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { screenshot } from "./harness.mjs";
import { demoGraph, openChat, startWidgetWorld } from "./widget-support.mjs";

const kEn = "Welcome! Someone from support will be with you shortly.";
const kZh = "欢迎！客服人员马上为您服务。";

// The demo's graph gives way to the greeting rule.
function greetingGraph(tenantsDir) {
  demoGraph(tenantsDir, "widget-routing-language.test.mjs", [
    "[[routing.rules]]",
    'id = "greet"',
    "conditions = []",
    `actions = [ { type = "message", text = { en = "${kEn}", zh = "${kZh}" } },`,
    '            { type = "queue", group = "support" } ]',
  ]);
}

// Waits for text in the widget; a wait that gives up says what the chat showed.
async function shows(frame, text, what) {
  try {
    await frame.getByText(text).first().waitFor();
  } catch (error) {
    const seen = await frame.locator("body").innerText().catch(() => "(the frame did not answer)");
    throw new Error(`${what} did not show: ${error.message.split("\n")[0]}\nthe chat showed: ${seen.replace(/\n+/g, " | ")}`);
  }
}

describe("a routing message in the widget's language", () => {
  let browser, website, world;

  before(async () => {
    world = await startWidgetWorld(greetingGraph);
    ({ browser, website } = world);
  });

  after(async () => world?.close());

  // A visitor whose browser is in `locale`, on the website's English page, writes;
  // returns what the widget shows.
  async function visit(locale, words) {
    const context = await browser.newContext({ locale });
    context.setDefaultTimeout(20000);
    const page = await context.newPage();
    await page.goto(`${website.url}/?lang=en`);
    const { frame, log, input } = await openChat(page, words);
    await input.fill(words.question);
    await input.press("Enter");
    await log.locator(".sb-mine", { hasText: words.question }).waitFor();
    return { context, page, frame, log };
  }

  test("a visitor with a Chinese browser, on the English page, reads the Chinese text, and waits in line", async () => {
    const { context, page, frame, log } = await visit("zh-CN", { launcher: /^打开聊天/, textbox: "消息", question: "台灯有货吗？" });
    await shows(frame, kZh, "the Chinese greeting");
    // Nobody is online: it waits (with an agent free, the queue action gives it to them at once).
    await shows(frame, /您正在排队，排第 1 位。/, "the Chinese queue line");
    assert.equal(await log.getByText(kEn).count(), 0, "no English greeting for a Chinese browser");
    await screenshot(page, "widget-routing-message-zh");
    await context.close();
  });

  test("a visitor with an English browser reads the English text", async () => {
    const { context, page, frame, log } = await visit("en-US", { launcher: /^Open chat/, textbox: "Message", question: "Is the lamp in stock?" });
    await shows(frame, kEn, "the English greeting");
    await shows(frame, /You are number \d+ in line\./, "the English queue line");
    assert.equal(await log.getByText(kZh).count(), 0, "no Chinese greeting for an English browser");
    await screenshot(page, "widget-routing-message-en");
    await context.close();
  });
});
