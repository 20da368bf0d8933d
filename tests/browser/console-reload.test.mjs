// The agent console across a reload, in real Chromium against a real server: what
// the agent typed and did not send comes back in each conversation's composer, and
// the unread counts are those of before (the agent's read marks come from the server),
// the conversation that was open is open again, an agent who chose Away is still
// away, and who passed a conversation on (with their note) is still said above it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { api, launchBrowser, screenshot, startServer } from "./harness.mjs";
import { convButton, log, signIn, sleep, until, Visitor } from "./console-support.mjs";

const DEMO_AGENT = { tenant: "demo", email: "agent@demo.local", password: "demo-agent" };
const DEMO_ADMIN = { tenant: "demo", email: "admin@demo.local", password: "demo-admin" };

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

  test("an agent who chose Away is still away after a reload: a waiting visitor is not given to them meanwhile", async () => {
    const presence = () => page.getByRole("combobox", { name: "Presence" });
    const admin = (await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password } })).json.token;
    const danaIs = (status) => until(`the server to count Dana ${status}`, async () => (await api(server, "GET", "/v1/tenants/demo/agents", { token: admin })).json.agents.find((a) => a.id === "dana")?.status, (s) => s === status);
    await danaIs("online");
    await presence().selectOption("away");
    await danaIs("away");
    const fay = await new Visitor(server, "demo", { type: "hello", name: "Fay Away", meta: { lang: "en" } }).connect();
    visitors.push(fay);
    fay.say("talk to a human");
    await fay.waitFrame((f) => f.type === "conversation.queued", 0, 20000);
    await reload();
    await until("the presence to say Away after the reload", () => presence().inputValue(), (v) => v === "away");
    await danaIs("away");
    await sleep(1500); // time for a wrong assignment to arrive
    assert.equal(fay.frames.filter((f) => f.type === "conversation.assigned").length, 0, "the visitor was not given to an agent who is away");
    assert.equal(await page.getByRole("tabpanel").getByRole("button", { name: /^Fay Away/ }).count(), 0, "not in Mine");
    await page.getByRole("tab", { name: /Queue/ }).click();
    await convButton(page, "Fay Away").waitFor();
    await screenshot(page, "console-away-after-reload");
    // Online again when the agent says so: the visitor is theirs.
    await presence().selectOption("online");
    await fay.waitFrame((f) => f.type === "conversation.assigned", 0, 20000);
    await page.getByRole("tab", { name: /Mine/ }).click();
    await convButton(page, "Fay Away").waitFor();
  });

  test("who passed a conversation on, when, and their note are above it for the colleague, after a reload too", async () => {
    const adminContext = await browser.newContext({ viewport: { width: 1400, height: 860 }, locale: "en-US" });
    adminContext.setDefaultTimeout(20000);
    const admin = await adminContext.newPage();
    await signIn(admin, server, DEMO_ADMIN);
    // Fay is Dana's (the test before): Dana passes her on to Alex, with a note.
    await open("Fay Away", "talk to a human");
    await page.getByRole("button", { name: "Transfer" }).click();
    const dialog = page.getByRole("dialog", { name: "Transfer the conversation" });
    const colleague = dialog.getByRole("combobox", { name: "Agent" });
    await colleague.getByRole("option", { name: "Alex (Online)" }).waitFor({ state: "attached" });
    await colleague.selectOption({ label: "Alex (Online)" });
    const note = dialog.getByRole("textbox", { name: "Note for the colleague (optional)" });
    // Too long (334 Chinese characters are 1,002 bytes): said, and nothing sent.
    await note.fill("退".repeat(334));
    await dialog.getByRole("alert").filter({ hasText: "The note is too long: remove 1 character." }).waitFor();
    assert.equal(await dialog.getByRole("button", { name: "Transfer" }).isDisabled(), true);
    const text = "Customer wants a refund, already checked <b>order 123</b>.\nCard ends 4242.";
    await note.fill(text);
    await screenshot(page, "console-transfer-note");
    await dialog.getByRole("button", { name: "Transfer" }).click();
    await page.getByRole("status").filter({ hasText: "Transferred to Alex." }).waitFor();

    // Alex reads who, when and the note: as plain text, its line break kept.
    const received = async (what) => {
      const shown = admin.getByRole("note");
      await shown.filter({ hasText: /^Transferred by Dana · \d/ }).waitFor();
      assert.equal(await shown.locator(".transfer-note-text").innerText(), "Note: " + text, what);
      assert.equal(await shown.locator("b").count(), 0, "the note's markup is text, not HTML");
    };
    await admin.getByRole("tab", { name: /Mine/ }).click();
    await convButton(admin, "Fay Away").click();
    await received("the note as it arrived");
    await screenshot(admin, "console-transfer-note-received");
    await admin.reload();
    await admin.getByRole("tab", { name: /Mine/ }).waitFor();
    await convButton(admin, "Fay Away").click();
    await received("the note after a reload");
    // In Chinese, the dialog's note field too.
    await admin.getByRole("combobox", { name: "Language" }).selectOption("zh");
    await admin.getByRole("note").filter({ hasText: /^由 Dana 转接 · \d/ }).waitFor();
    assert.equal(await admin.getByRole("note").locator(".transfer-note-text").innerText(), "备注：" + text);
    await screenshot(admin, "console-transfer-note-received-zh");
    await admin.getByRole("button", { name: "转接" }).click();
    await admin.getByRole("dialog", { name: "转接会话" }).getByRole("textbox", { name: "给接手同事的备注（可选）" }).waitFor();
    await admin.keyboard.press("Escape");
    await adminContext.close();
  });
});
