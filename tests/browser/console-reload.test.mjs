// The agent console across a reload, in real Chromium against a real server: what
// the agent typed and did not send comes back in each conversation's composer, and
// the unread counts are those of before (the agent's read marks come from the server),
// and the conversation that was open is open again.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { launchBrowser, screenshot, startServer } from "./harness.mjs";
import { convButton, log, signIn, until, Visitor } from "./console-support.mjs";

const DEMO_AGENT = { tenant: "demo", email: "agent@demo.local", password: "demo-agent" };

describe("the agent console after a reload", () => {
  let server, browser, context, page;
  const visitors = [];

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 860 }, locale: "en-US" });
    context.setDefaultTimeout(20000);
    page = await context.newPage();
    await signIn(page, server, DEMO_AGENT);
  });

  after(async () => {
    for (const v of visitors) v.close();
    await browser?.close();
    await server?.dispose();
  });

  const composer = () => page.getByRole("textbox", { name: "Message" });
  // The composer of a conversation once it is open (its own messages shown).
  async function open(name, text) {
    await convButton(page, name).click();
    await log(page).getByText(text).first().waitFor();
    return composer();
  }
  const composerHolds = (what, expected) => until(`the composer to hold ${what}`, () => composer().inputValue(), (v) => v === expected);
  async function reload() {
    await page.reload();
    await page.getByRole("tab", { name: /Mine|我的/ }).waitFor();
  }

  test("unsent text comes back in its own conversation after a reload, and goes once sent or closed", async () => {
    const ada = await new Visitor(server, "demo", { type: "hello", name: "Ada Draft", meta: { lang: "en" } }).connect();
    const bo = await new Visitor(server, "demo", { type: "hello", name: "Bo Draft", meta: { lang: "zh" } }).connect();
    visitors.push(ada, bo);
    ada.say("Where is my parcel?");
    bo.say("台灯有货吗？");
    await (await open("Ada Draft", "Where is my parcel?")).fill("Your parcel left our wareh");
    await (await open("Bo Draft", "台灯有货吗？")).fill("您好，<b>有货</b>，");
    await reload();
    await open("Ada Draft", "Where is my parcel?");
    await composerHolds("Ada's draft", "Your parcel left our wareh");
    await open("Bo Draft", "台灯有货吗？");
    await composerHolds("Bo's draft, as text", "您好，<b>有货</b>，");
    await screenshot(page, "console-draft-after-reload");
    // Sent: gone from the composer and from what a reload gives back.
    await open("Ada Draft", "Where is my parcel?");
    await composer().fill("Your parcel left our warehouse today.");
    await composer().press("Enter");
    await ada.waitFrame((f) => f.type === "message" && f.text === "Your parcel left our warehouse today.", 0, 20000);
    // Closed: its draft goes too.
    await page.getByRole("button", { name: "Close conversation" }).waitFor();
    await open("Bo Draft", "台灯有货吗？");
    await composerHolds("Bo's draft", "您好，<b>有货</b>，");
    await page.getByRole("button", { name: "Close conversation" }).click();
    await page.getByRole("dialog", { name: "Close conversation" }).getByRole("button", { name: "Close it" }).click();
    await bo.waitFrame((f) => f.type === "conversation.closed", 0, 20000);
    await reload();
    await open("Ada Draft", "Your parcel left our warehouse today.");
    await composerHolds("nothing (Ada's message was sent)", "");
    const stored = await page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith("sb.console.drafts.")));
    assert.deepEqual(stored, [], "no draft kept of a sent message or a closed conversation");
  });

  test("the unread counts after a reload are those of before: from the agent's own read mark", async () => {
    const cy = await new Visitor(server, "demo", { type: "hello", name: "Cy Unread", meta: { lang: "en" } }).connect();
    const di = await new Visitor(server, "demo", { type: "hello", name: "Di Unread", meta: { lang: "zh" } }).connect();
    visitors.push(cy, di);
    cy.say("First question");
    di.say("第一个问题");
    // The agent reads Cy's first message and answers it, then looks at Di's.
    await (await open("Cy Unread", "First question")).fill("One moment please.");
    await cy.waitFrame((f) => f.type === "read" && f.from?.role === "agent", 0, 20000);
    await composer().press("Enter");
    await cy.waitFrame((f) => f.type === "message" && f.text === "One moment please.", 0, 20000);
    await open("Di Unread", "第一个问题");
    await di.waitFrame((f) => f.type === "read" && f.from?.role === "agent", 0, 20000);
    // Two more from Cy while Di's is open: two unread, one from Di after the page leaves.
    cy.say("Second question");
    cy.say("<i>Third</i> question");
    const label = (name) => until(`${name}'s entry`, () => convButton(page, name).getAttribute("aria-label"), (v) => v !== null);
    await until("Cy's entry to count 2 unread", () => convButton(page, "Cy Unread").getAttribute("aria-label"), (v) => v === "Cy Unread, 2 unread");
    await reload();
    // After the reload: the same counts, in the list and in the tab's title.
    await until("Cy's entry to count 2 unread after the reload", () => convButton(page, "Cy Unread").getAttribute("aria-label"), (v) => v === "Cy Unread, 2 unread");
    await until("the title to count 2", () => page.title(), (t) => /^\(2\) /.test(t));
    assert.equal(await label("Di Unread"), "Di Unread", "Di's conversation was read before the reload");
    await until("Cy's badge", () => convButton(page, "Cy Unread").locator(".badge").innerText(), (t) => t.trim() === "2");
    await screenshot(page, "console-unread-after-reload");
    // Opening it reads them: the badge goes, and stays gone after another reload.
    await open("Cy Unread", "<i>Third</i> question");
    await until("Cy's badge to go", () => convButton(page, "Cy Unread").getAttribute("aria-label"), (v) => v === "Cy Unread");
    await cy.waitFrame((f) => f.type === "read" && f.from?.role === "agent" && f.seq >= 4, 0, 20000);
    await reload();
    await until("Cy's entry after its preview loaded", () => convButton(page, "Cy Unread").innerText(), (t) => t.includes("Third"));
    assert.equal(await label("Cy Unread"), "Cy Unread");
    // The Chinese console says the same in Chinese.
    await page.getByRole("combobox", { name: "Language" }).selectOption("zh");
    di.say("还在吗？");
    await until("Di's entry to count 1 in Chinese", () => convButton(page, "Di Unread").getAttribute("aria-label"), (v) => v === "Di Unread, 1 条未读");
    await reload();
    await until("Di's entry to count 1 in Chinese after the reload", () => convButton(page, "Di Unread").getAttribute("aria-label"), (v) => v === "Di Unread, 1 条未读");
    await screenshot(page, "console-unread-after-reload-zh");
  });

  test("the conversation open before a reload is open after it, and none once it is no longer the agent's", async () => {
    await page.getByRole("combobox", { name: /^(Language|语言)$/ }).selectOption("en"); // the test before left Chinese
    const eve = await new Visitor(server, "demo", { type: "hello", name: "Eve Open", meta: { lang: "en" } }).connect();
    visitors.push(eve);
    eve.say("Is the blue lamp in stock?");
    await open("Eve Open", "Is the blue lamp in stock?");
    await reload();
    // No click: the pane shows Eve's conversation, and the list marks it.
    await log(page).getByText("Is the blue lamp in stock?").first().waitFor();
    assert.equal(await convButton(page, "Eve Open").getAttribute("aria-current"), "true");
    await composer().waitFor();
    await screenshot(page, "console-open-after-reload");
    // Closed: the reload opens nothing.
    await page.getByRole("button", { name: "Close conversation" }).click();
    await page.getByRole("dialog", { name: "Close conversation" }).getByRole("button", { name: "Close it" }).click();
    await eve.waitFrame((f) => f.type === "conversation.closed", 0, 20000);
    await reload();
    assert.equal(await log(page).count(), 0, "no conversation open");
  });
});
