// The admin UI and the chat working together, in headless Chromium against a real
// server with the demo tenants, everything through the UIs:
// - a FAQ entry added in the Knowledge page answers a visitor in the real widget on
//   /demo/, and the page's "try it" box says which entry answers, how sure it is;
// - the dialog flows are shown read-only with their structure;
// - an agent created in the Team page signs in to the console in another browser
//   context and gets a routed chat from a visitor in the widget;
// - the Conversations page filters by status, agent, group, tag and date and opens a
//   conversation read-only with its notes, files and bot turns marked.
// The tests run in order and build on each other (one server): while the first two
// run, no agent is online, so the demo's routing gives visitors to its bot.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { PDF, api, launchBrowser, screenshot, startServer } from "./harness.mjs";
import { convButton, log, signIn } from "./console-support.mjs";
import { openChat } from "./widget-support.mjs";

let server;
let browser;
const state = {}; // what one test leaves for the next

before(async () => {
  // A second flow file for the demo, whose flow leads into the first file's.
  server = await startServer({
    prepare: (dir) => {
      writeFileSync(path.join(dir, "demo", "more-flows.toml"), '[flows.greeting]\nstart = "hi"\nkeywords = ["hello there"]\n\n' +
        '[flows.greeting.nodes.hi]\nmessage = { en = "Hi! Shall I check an order?", zh = "您好！要查询订单吗？" }\n' +
        'options = [{ label = { en = "Yes", zh = "是" }, next = "order_status/ask_number" }]\n');
      const file = path.join(dir, "demo.toml");
      writeFileSync(file, readFileSync(file, "utf8").replace('files = ["demo/flows.toml"]', 'files = ["demo/flows.toml", "demo/more-flows.toml"]'));
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function waitFor(what, probe, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const adminToken = async () => (await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "admin@demo.local", password: "demo-admin" } })).json.token;

// A signed-in admin page on the demo tenant, at #hash; page.errors collects script errors.
async function openAdmin(hash, { lang = "en", height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width: 1360, height }, locale: lang === "zh" ? "zh-CN" : "en-US" });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await page.goto(`${server.url}/admin/?tenant=demo#${hash}`);
  const t = lang === "zh" ? { email: "邮箱", password: "密码", submit: "登录" } : { email: "Email", password: "Password", submit: "Sign in" };
  await page.getByLabel(t.email).fill("admin@demo.local");
  await page.getByLabel(t.password).fill("demo-admin");
  await page.getByRole("button", { name: t.submit, exact: true }).click();
  return page;
}

// The demo shop's page with the real widget, the visitor named by the website.
async function openShop(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-US" });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  await page.goto(`${server.url}/demo/`);
  await page.waitForFunction(() => window.Switchboard);
  await page.evaluate((n) => window.Switchboard.identify({ name: n }), name);
  const chat = await openChat(page);
  return { context, page, ...chat };
}

// Asks the Knowledge page's "try it" box; answers the result region once it shows this question.
async function tryIt(page, question, language = "") {
  const box = page.getByRole("region", { name: "Try the bot" });
  await box.getByLabel("Question").fill(question);
  await box.getByLabel("Visitor's language").selectOption(language);
  await box.getByRole("button", { name: "Ask the bot" }).click();
  const result = box.getByRole("region", { name: "The bot's answer" });
  await waitFor(`the answer to ${question}`, async () => (await result.count()) === 1 && (await result.getAttribute("data-question")) === question);
  return result;
}

test("a FAQ entry added in the Knowledge page answers a visitor in the widget on /demo/; try it shows the entry and its confidence", async () => {
  const page = await openAdmin("knowledge");
  await page.locator('.faq-row[data-entry="refund-time"]').waitFor();
  const box = page.getByRole("region", { name: "Try the bot" });

  // Before the entry exists, the question is not answered by the knowledge base.
  let result = await tryIt(page, "Do you offer gift wrapping?");
  assert.doesNotMatch(await result.innerText(), /gift-wrap/);

  await page.getByRole("button", { name: "Add entry" }).click();
  const row = page.locator(".faq-row").last();
  await row.getByLabel("Id").fill("gift-wrap");
  await row.getByLabel("Questions").fill("Do you offer gift wrapping?\nCan you gift wrap my order?\n可以包装礼物吗");
  await row.getByLabel("Answer (English)").fill("Yes: tick <b>Gift wrap</b> at checkout, it costs $2 per order.");
  await row.getByLabel("Answer (Chinese)").fill("可以：结账时勾选“礼品包装”，每单 2 美元。");
  await page.getByRole("button", { name: "Save knowledge" }).click();
  await page.locator(".banner-success").waitFor();

  // Try it: the new entry answers, from the FAQ stage, with its confidence; the
  // answer's markup is text.
  result = await tryIt(page, "Do you offer gift wrapping?");
  assert.equal(await result.locator(".try-outcome").innerText(), "Answered");
  assert.equal(await result.locator(".try-reply-text").innerText(), "Yes: tick <b>Gift wrap</b> at checkout, it costs $2 per order.");
  assert.equal(await result.locator("b").count(), 0);
  assert.equal(await result.locator(".try-entry").innerText(), "gift-wrap");
  assert.match(await result.locator(".try-answered-by").innerText(), /autoreply-faq/);
  const confidence = Number(await result.locator(".try-answered-by meter").getAttribute("value"));
  assert.ok(confidence >= 0.3 && confidence <= 1, `confidence ${confidence}`);
  const stages = await result.getByRole("list", { name: "Stages, in order" }).getByRole("listitem").allInnerTexts();
  assert.equal(stages.length, 3);
  assert.match(stages[0], /autoreply-intent/);
  assert.match(stages[2], /autoreply-faq\s+answered/);
  await box.scrollIntoViewIfNeeded();
  await screenshot(page, "admin-bot-try");

  // A near miss: below the FAQ's threshold, the closest entries with their scores.
  result = await tryIt(page, "gift card balance");
  const candidates = result.getByRole("table", { name: "Closest knowledge entries" });
  const first = candidates.locator("tbody tr").first();
  assert.equal(await first.locator("td").first().innerText(), "gift-wrap");
  assert.match(await first.locator("td").nth(2).innerText(), /^\d{1,2}%$/);
  assert.match(await result.getByRole("list", { name: "Stages, in order" }).innerText(), /autoreply-faq\s+passed it on/);

  // In Chinese, the Chinese answer.
  result = await tryIt(page, "可以包装礼物吗", "zh");
  assert.equal(await result.locator(".try-reply-text").innerText(), "可以：结账时勾选“礼品包装”，每单 2 美元。");

  // A flow's keyword: the flow answers with its quick replies.
  result = await tryIt(page, "where is my order?");
  assert.match(await result.locator(".try-answered-by").innerText(), /autoreply-flow/);
  assert.equal(await result.locator(".try-entry").innerText(), "flow:order_status/ask_number");
  assert.deepEqual(await result.getByRole("list", { name: "Quick replies" }).getByRole("listitem").allInnerTexts(), ["Talk to a human"]);
  // What nothing answers: the demo bot (no LLM) hands off, saying why.
  result = await tryIt(page, "zxqv wplm");
  assert.equal(await result.locator(".try-outcome").innerText(), "Hands off to an agent");
  assert.match(await result.innerText(), /no stage could answer/);

  // Trying kept nothing: no conversation exists yet.
  const token = await adminToken();
  assert.deepEqual((await api(server, "GET", "/v1/tenants/demo/conversations", { token })).json.conversations, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();

  // A visitor on the shop's page asks in the real widget: the bot answers from the new entry.
  const shop = await openShop("Gift Buyer");
  await shop.input.fill("Do you offer gift wrapping?");
  await shop.input.press("Enter");
  const answer = shop.log.locator(".sb-role-bot").filter({ hasText: "Gift wrap" });
  await answer.waitFor();
  assert.match(await answer.innerText(), /tick <b>Gift wrap<\/b> at checkout/);
  await screenshot(shop.page, "admin-bot-widget-answer");
  const listed = (await api(server, "GET", "/v1/tenants/demo/conversations", { token })).json.conversations;
  assert.equal(listed.length, 1);
  state.botConversation = listed[0].id;
  await shop.context.close();
});

test("the dialog flows are shown read-only: what starts them, their steps and branches", async () => {
  const page = await openAdmin("knowledge");
  await page.getByRole("heading", { name: "Dialog flows" }).waitFor();
  const flow = page.getByRole("article", { name: "Flow order_status" });
  await flow.waitFor();
  assert.ok((await flow.getByRole("list", { name: "Keywords" }).getByRole("listitem").allInnerTexts()).includes("查订单"));
  assert.deepEqual(await flow.getByRole("list", { name: "Intents" }).getByRole("listitem").allInnerTexts(), ["Intent order_status"]);

  const steps = flow.getByRole("list", { name: "Steps of flow order_status" });
  assert.deepEqual(await steps.locator(".flow-step-name").allInnerTexts(), ["ask_number", "human", "lookup", "found", "not_found"]);
  const ask = steps.getByRole("listitem", { name: "ask_number" });
  assert.match(await ask.innerText(), /start/);
  assert.match(await ask.innerText(), /waits for the visitor/);
  assert.match(await ask.innerText(), /What is your order number\?/);
  assert.deepEqual(await ask.locator(".flow-branch").allInnerTexts(), ["Option “Talk to a human” → human", "A valid order_id → lookup", "Retries used up → human"]);
  assert.deepEqual(await steps.getByRole("listitem", { name: "lookup" }).locator(".flow-branch").allInnerTexts(), ["Found → found", "Not found → not_found"]);
  assert.equal(await steps.getByRole("listitem", { name: "human" }).locator(".flow-ending").innerText(), "Ends: hands off to group support");

  // The diagram: one node per step, an arrow per pair of steps a branch joins (the
  // option and the used-up retries both lead from ask_number to human); nothing on
  // the page edits a flow.
  const diagram = flow.getByRole("group", { name: "Diagram of flow order_status" });
  await diagram.locator(".react-flow__node").first().waitFor();
  assert.equal(await diagram.locator(".react-flow__node").count(), 5);
  assert.equal(await diagram.locator(".react-flow__edge").count(), 4);
  await diagram.locator(".react-flow__edge-text", { hasText: "Option “Talk to a human” · Retries used up" }).waitFor();
  assert.equal(await flow.locator("input, textarea, select").count(), 0);
  assert.match(await flow.locator(".flow-card-head").innerText(), /File demo\/flows\.toml/);

  // The second file's flow, with its branch into the first file's flow.
  const greeting = page.getByRole("article", { name: "Flow greeting" });
  assert.match(await greeting.locator(".flow-card-head").innerText(), /File demo\/more-flows\.toml/);
  assert.deepEqual(await greeting.locator(".flow-branch").allInnerTexts(), ["Option “Yes” → order_status/ask_number"]);
  await greeting.locator(".react-flow__node.is-external", { hasText: "order_status/ask_number" }).waitFor();
  await flow.scrollIntoViewIfNeeded();
  await screenshot(page, "admin-bot-flows");
  assert.deepEqual(page.errors, []);
  await page.context().close();

  // In Chinese, the flow's Chinese texts.
  const zh = await openAdmin("knowledge", { lang: "zh" });
  await zh.getByRole("heading", { name: "对话流程" }).waitFor();
  const zhSteps = zh.getByRole("article", { name: "流程 order_status" }).getByRole("list", { name: "流程 order_status 的步骤" });
  await zhSteps.getByText("好的，我来帮您查询。", { exact: false }).waitFor();
  assert.equal(await zhSteps.getByRole("listitem", { name: "human" }).locator(".flow-ending").innerText(), "结束：转接到分组 support");
  await zh.context().close();
});

test("an agent created in the Team page signs in to the console and gets a routed chat from the widget", async () => {
  const admin = await openAdmin("team");
  await admin.getByRole("button", { name: "Add agent" }).click();
  const dialog = admin.getByRole("dialog", { name: "New agent" });
  await dialog.getByLabel("Name").fill("Noor Haddad");
  await dialog.getByLabel("Email").fill("noor@demo.local");
  await dialog.getByLabel("Password", { exact: true }).fill("noor-password-1");
  // The demo routes a new chat to support whenever someone there is free; nobody
  // else is online, so the chat can only be Noor's.
  await dialog.getByLabel("Groups").fill("support");
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.waitFor({ state: "detached" });
  await admin.locator('tr[data-agent="noor@demo.local"]').waitFor();
  await admin.context().close();

  // Noor signs in through the console's sign-in page, in another browser context.
  const consoleContext = await browser.newContext({ viewport: { width: 1400, height: 860 }, locale: "en-US" });
  consoleContext.setDefaultTimeout(15000);
  const agent = await consoleContext.newPage();
  await signIn(agent, server, { tenant: "demo", email: "noor@demo.local", password: "noor-password-1" });
  const token = await adminToken();
  await waitFor("Noor online", async () => {
    const agents = (await api(server, "GET", "/v1/tenants/demo/agents", { token })).json.agents;
    return agents.find((a) => a.email === "noor@demo.local")?.status === "online";
  });

  const shop = await openShop("Grace Hopper");
  await shop.input.fill("My lamp arrived broken");
  await shop.input.press("Enter");
  await convButton(agent, "Grace Hopper").click();
  await log(agent).getByText("My lamp arrived broken").waitFor();
  const noor = (await api(server, "GET", "/v1/tenants/demo/agents", { token })).json.agents.find((a) => a.email === "noor@demo.local");
  const mine = (await api(server, "GET", `/v1/tenants/demo/conversations?assignee=${encodeURIComponent(noor.id)}`, { token })).json.conversations;
  assert.equal(mine.length, 1);
  assert.equal(mine[0].group, "support");

  // Noor answers (the visitor sees it in the widget), with a file, and leaves a note.
  await agent.locator('input[type="file"]').setInputFiles([{ name: "return-label.pdf", mimeType: "application/pdf", buffer: PDF }]);
  const uploads = agent.getByRole("list", { name: "Attach a file" });
  await waitFor("the upload", async () => (await uploads.getByText("return-label.pdf").count()) === 1 && (await uploads.getByRole("progressbar").count()) === 0, 15000);
  await agent.getByRole("textbox", { name: "Message" }).fill("Sorry! Here is a return label.");
  await agent.getByRole("button", { name: "Send" }).click();
  await shop.log.getByText("Sorry! Here is a return label.").waitFor();
  await agent.getByRole("button", { name: /Note/ }).click();
  await agent.getByRole("textbox", { name: "Private note" }).fill("Check the courier's packaging");
  await agent.getByRole("button", { name: "Add note" }).click();
  await log(agent).locator(".msg.note").filter({ hasText: "Check the courier's packaging" }).waitFor();
  await screenshot(agent, "admin-bot-new-agent-console");

  state.agentId = noor.id;
  state.agentConversation = mine[0].id;
  await api(server, "PATCH", `/v1/tenants/demo/conversations/${mine[0].id}`, { token, body: { add: ["damaged"] } });
  await shop.context.close();
  await consoleContext.close();
});

test("the Conversations page filters by status, agent, group, tag and date, and shows a conversation read-only with notes, files and bot turns marked", async () => {
  assert.ok(state.agentConversation && state.botConversation, "the earlier tests left their conversations");
  const page = await openAdmin("conversations");
  const filters = page.getByRole("group", { name: "Filter conversations" });
  const table = page.getByRole("table", { name: "All conversations" });
  const ids = async () => table.locator("tbody tr td:first-child").allInnerTexts();
  const shows = (expected) => waitFor(`the list to show ${expected}`, async () => JSON.stringify((await ids()).sort()) === JSON.stringify([...expected].sort()));
  await shows([state.agentConversation, state.botConversation]);

  await filters.getByLabel("Status").selectOption("bot");
  await shows([state.botConversation]);
  await filters.getByLabel("Status").selectOption("assigned");
  await shows([state.agentConversation]);
  await filters.getByLabel("Status").selectOption("closed");
  await page.getByText("No conversation matches these filters.").waitFor();
  await filters.getByLabel("Status").selectOption("");

  await filters.getByLabel("Agent").selectOption({ label: "Noor Haddad" });
  await shows([state.agentConversation]);
  assert.match(await table.locator("tbody tr").first().innerText(), /Noor Haddad/);
  await filters.getByLabel("Agent").selectOption("");
  await filters.getByLabel("Group").selectOption({ label: "Customer support" });
  await shows([state.agentConversation]);
  await filters.getByLabel("Group").selectOption("");
  await filters.getByLabel("Tag").fill("damaged");
  await shows([state.agentConversation]);
  await filters.getByLabel("Tag").fill("");
  await shows([state.agentConversation, state.botConversation]);

  // Dates are the admin's local days: from tomorrow nothing, from today both.
  const day = (offset) => {
    const d = new Date(Date.now() + offset * 86400000);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  };
  await filters.getByLabel("Created from").fill(day(1));
  await page.getByText("No conversation matches these filters.").waitFor();
  await filters.getByLabel("Created from").fill(day(0));
  await filters.getByLabel("Created until").fill(day(0));
  await shows([state.agentConversation, state.botConversation]);
  await screenshot(page, "admin-conversations-filters");
  await page.getByRole("button", { name: "Clear filters" }).click();

  // The agent's conversation, read-only: the visitor, Noor's reply with its file, the note marked.
  await page.getByRole("button", { name: `Open conversation ${state.agentConversation}` }).click();
  const history = page.getByRole("list", { name: `Conversation ${state.agentConversation}` });
  await history.getByText("My lamp arrived broken").waitFor();
  const reply = history.getByRole("listitem").filter({ hasText: "Sorry! Here is a return label." });
  assert.match(await reply.getByRole("link", { name: "return-label.pdf" }).getAttribute("href"), /\/attachments\/att_/);
  const note = history.locator(".history-message.is-note");
  assert.equal(await note.count(), 1);
  assert.match(await note.innerText(), /Private note/);
  assert.match(await note.innerText(), /Check the courier's packaging/);
  assert.equal(await page.locator("textarea, [contenteditable=true]").count(), 0, "read-only");
  await screenshot(page, "admin-conversation-history");
  await page.getByRole("button", { name: "Back to the list" }).click();

  // The bot's conversation: its turns marked as the bot's.
  await page.getByRole("button", { name: `Open conversation ${state.botConversation}` }).click();
  const botHistory = page.getByRole("list", { name: `Conversation ${state.botConversation}` });
  const botTurn = botHistory.locator(".history-message.role-bot");
  await botTurn.first().waitFor();
  assert.match(await botTurn.first().locator(".badge-bot").innerText(), /Bot/);
  assert.match(await botTurn.first().innerText(), /Gift wrap/);
  assert.equal(await botHistory.locator(".history-message.role-visitor .badge-bot").count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("agents and other tenants' admins are refused try it and the flows by the server", async () => {
  const login = async (tenant, email, password) => (await api(server, "POST", `/v1/tenants/${tenant}/auth/login`, { body: { email, password } })).json.token;
  const agent = await login("demo", "agent@demo.local", "demo-agent");
  const acmeAdmin = await login("acme", "admin@acme.local", "acme-admin");
  for (const token of [agent, acmeAdmin]) {
    assert.equal((await api(server, "POST", "/v1/tenants/demo/bot/try", { token, body: { text: "hello" } })).status, 403);
    assert.equal((await api(server, "GET", "/v1/tenants/demo/flows", { token })).status, 403);
  }
});
