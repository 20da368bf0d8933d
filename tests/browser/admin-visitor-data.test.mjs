// A visitor's data request in the admin pages, in headless Chromium against a real
// server with the demo tenants: an admin opens a closed conversation, exports the
// visitor's data (a JSON file holding their messages), then erases it after a
// confirmation that names the visitor; the history is empty afterwards and the
// search finds nothing of it. The same controls in Chinese.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, test } from "node:test";
import { api, launchBrowser, screenshot, sourceDir, startServer } from "./harness.mjs";

const WebSocketImpl = globalThis.WebSocket ?? createRequire(path.join(sourceDir(), "web", "package.json"))("playwright-core/lib/utilsBundle").ws;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.dispose();
});

// A demo visitor says one thing, then closes the conversation; returns its id.
async function visitorSaysAndLeaves(name, text) {
  const ws = new WebSocketImpl(`${server.url.replace("http", "ws")}/v1/ws/visitor?tenant=demo`);
  const frames = [];
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("visitor socket failed"));
  });
  ws.onmessage = (e) => frames.push(JSON.parse(typeof e.data === "string" ? e.data : e.data.toString()));
  const waitFor = async (pred, what) => {
    const end = Date.now() + 10000;
    let found;
    while (!(found = frames.find(pred)) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.ok(found, `no ${what}: ${JSON.stringify(frames)}`);
    return found;
  };
  ws.send(JSON.stringify({ type: "hello", name }));
  ws.send(JSON.stringify({ type: "message", client_msg_id: "m1", text }));
  const ack = await waitFor((f) => f.type === "ack", "ack");
  ws.send(JSON.stringify({ type: "close", conversation_id: ack.conversation_id }));
  await waitFor((f) => f.type === "conversation.closed", "close");
  ws.close();
  return ack.conversation_id;
}

async function signIn(locale) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/?tenant=demo#conversations`);
  await page.getByLabel("Email").or(page.getByLabel("邮箱")).fill("admin@demo.local");
  await page.getByLabel("Password").or(page.getByLabel("密码")).fill("demo-admin");
  await page.getByRole("button", { name: /^(Sign in|登录)$/ }).click();
  await page.getByRole("link", { name: /^(Conversations|会话)$/ }).click();
  return { context, page };
}

test("an admin exports a visitor's data, then erases it after a confirmation naming them", async () => {
  const conversationId = await visitorSaysAndLeaves("Grace Hopper", "my phone number is 555-0199 nanosecond");
  const { context, page } = await signIn("en-GB");
  await page.getByRole("button", { name: `Open conversation ${conversationId}` }).click();
  await page.getByRole("list", { name: new RegExp(conversationId) }).waitFor();
  const panel = page.getByRole("region", { name: "Visitor data" });
  // The panel loads the visitor on its own request, after the conversation.
  await panel.getByText("Grace Hopper").first().waitFor();

  const [download] = await Promise.all([page.waitForEvent("download"), panel.getByRole("button", { name: "Export visitor data" }).click()]);
  const exported = JSON.parse(await readFile(await download.path(), "utf8"));
  assert.equal(exported.conversations.length >= 1, true);
  assert.match(JSON.stringify(exported), /555-0199 nanosecond/);

  await panel.getByRole("button", { name: "Erase visitor data" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Erase the data of Grace Hopper?" });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /messages/);
  assert.match(await dialog.innerText(), /files/);
  await screenshot(page, "admin-visitor-erase");
  // Cancel leaves everything.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  assert.equal(await page.getByRole("alertdialog").count(), 0);
  await panel.getByRole("button", { name: "Erase visitor data" }).click();
  await dialog.getByRole("button", { name: "Erase for good" }).click();

  await page.getByRole("status").filter({ hasText: /Erased 1 conversation/ }).waitFor();
  await page.getByText("This conversation has no messages.").waitFor();
  await screenshot(page, "admin-visitor-erased");

  const login = await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "admin@demo.local", password: "demo-admin" } });
  const found = await api(server, "GET", `/v1/tenants/demo/search?q=${encodeURIComponent("nanosecond")}`, { token: login.json.token });
  assert.equal(found.status, 200);
  assert.deepEqual(found.json.hits, []);
  await context.close();
});

test("the visitor data controls in Chinese", async () => {
  const conversationId = await visitorSaysAndLeaves("小红", "我的地址是人民路 8 号");
  await visitorSaysAndLeaves("一位把全名、公司名称和部门都填进姓名栏里的访客（上海某某贸易有限公司采购部）", "你好");
  const { context, page } = await signIn("zh-CN");
  // A long name squeezes the table: a status (已关闭) and a time still read on one line.
  await page.locator(".conversations-table tbody tr").nth(1).waitFor();
  const lines = await page.locator(".conversations-table tbody td:is(:nth-child(3), :nth-child(7))").evaluateAll((tds) =>
    tds.map((td) => { const r = document.createRange(); r.selectNodeContents(td); return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size; }));
  assert.ok(lines.length >= 4 && lines.every((n) => n === 1), `each on one line: ${lines}`);
  await page.getByRole("button", { name: `打开会话 ${conversationId}` }).click();
  const panel = page.getByRole("region", { name: "访客数据" });
  await panel.getByRole("button", { name: "导出访客数据" }).waitFor();
  await panel.getByRole("button", { name: "删除访客数据" }).click();
  const dialog = page.getByRole("alertdialog", { name: "删除 小红 的数据？" });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /永久删除/);
  await screenshot(page, "admin-visitor-erase-zh");
  await dialog.getByRole("button", { name: "取消" }).click();
  await context.close();
});

test("an admin sets how long closed conversations are kept", async () => {
  const { context, page } = await signIn("en-GB");
  const form = page.getByRole("form", { name: "Keeping data" });
  const days = form.getByLabel("Delete closed conversations after (days)");
  await days.fill("30");
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  await form.scrollIntoViewIfNeeded();
  await screenshot(page, "admin-retention");
  const login = await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "admin@demo.local", password: "demo-admin" } });
  const saved = await api(server, "GET", "/v1/tenants/demo/retention", { token: login.json.token });
  assert.equal(saved.json.closed_conversations_days, 30);
  await context.close();
});
