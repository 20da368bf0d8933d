// The admin Dashboard in headless Chromium against a real server with the demo
// tenants: an admin watches it while a visitor starts a chat over the real visitor
// WebSocket and an agent answers; the live numbers change without a reload, the
// range chart (and its table) counts today's conversation, the CSV download holds
// it, and an agent is refused (the page and the server's stats calls).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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

async function waitFor(what, probe, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A WebSocket whose frames are kept, parsed, for waitFor.
async function socket(url, hello) {
  const ws = new WebSocketImpl(url);
  ws.frames = [];
  // Listening before the socket opens: the server greets at once.
  ws.onmessage = (e) => ws.frames.push(JSON.parse(typeof e.data === "string" ? e.data : e.data.toString()));
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`socket failed: ${url}`));
  });
  if (hello) ws.send(JSON.stringify(hello));
  return ws;
}
const frame = (ws, type) => ws.frames.find((f) => f.type === type);

async function login(email, password) {
  const r = await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email, password } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

// A signed-in admin page (Chromium's own time zone: the page asks for its days).
async function openDashboard(lang) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 1180 }, locale: lang === "zh" ? "zh-CN" : "en-US", acceptDownloads: true });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused/.test(m.text())) page.errors.push(m.text());
  });
  await page.goto(`${server.url}/admin/?tenant=demo#dashboard`);
  const t = lang === "zh" ? { email: "邮箱", password: "密码", submit: "登录" } : { email: "Email", password: "Password", submit: "Sign in" };
  await page.getByLabel(t.email).fill("admin@demo.local");
  await page.getByLabel(t.password).fill("demo-admin");
  await page.getByRole("button", { name: t.submit, exact: true }).click();
  return page;
}

const stat = (page, id) => page.locator(`[data-stat="${id}"]`);
const statIs = (page, id, value) => waitFor(`${id} = ${value}`, async () => (await stat(page, id).innerText()).trim() === String(value));

test("the dashboard follows a chat live, charts it, exports it; an agent is refused", async () => {
  // Dana (an agent of support) is online before anything happens.
  const danaToken = await login("agent@demo.local", "demo-agent");
  const dana = await socket(`${server.url.replace("http", "ws")}/v1/ws/agent?tenant=demo&token=${danaToken}`);
  await waitFor("dana's welcome", () => frame(dana, "welcome"));

  const page = await openDashboard("en");
  assert.equal(await page.getByRole("link", { name: "Dashboard" }).getAttribute("aria-current"), "page");
  // The Dashboard comes first among the pages; the routing editor stays where it was.
  const tabs = await page.getByRole("navigation", { name: "Admin pages" }).getByRole("link").allInnerTexts();
  assert.deepEqual(tabs.slice(0, 2), ["Routing", "Dashboard"]);
  await page.getByRole("heading", { name: "Dashboard", level: 2 }).waitFor();
  await statIs(page, "agents-online", 1);
  await statIs(page, "opened", 0);
  await statIs(page, "assigned", 0);
  assert.match(await stat(page, "first-response-p50").innerText(), /—/);
  const team = page.getByRole("table", { name: "Agents now" });
  assert.match(await team.getByRole("row", { name: /Dana/ }).innerText(), /Online\s+0 \/ 5/);
  await page.getByText("0 conversations in the range").waitFor();
  // Queues are named as the team named the groups, not by their ids.
  const queues = page.getByRole("table", { name: "Queues" });
  await waitFor("the queue's group name", async () => (await queues.locator('[data-queue="support"] th').innerText()) === "Customer support");
  assert.equal(await queues.locator('[data-queue="sales"] th').innerText(), "Sales");

  // A visitor writes over the real visitor socket; support has Dana free.
  const visitor = await socket(`${server.url.replace("http", "ws")}/v1/ws/visitor?tenant=demo`, { type: "hello", name: "Wang" });
  visitor.send(JSON.stringify({ type: "message", client_msg_id: "v1", text: "Is my order shipped?" }));
  const assigned = await waitFor("the assignment", () => frame(dana, "conversation.assigned"));
  const conversationId = assigned.conversation_id ?? assigned.conversation?.id;
  assert.ok(conversationId, JSON.stringify(assigned));

  // Without a reload: one open with an agent, one opened today, Dana 1 of 5.
  await statIs(page, "assigned", 1);
  await statIs(page, "opened", 1);
  await waitFor("Dana's load", async () => /Online\s+1 \/ 5/.test(await team.getByRole("row", { name: /Dana/ }).innerText()));
  assert.equal(await page.getByRole("meter", { name: "1 of 5 chats" }).count(), 1);

  // Dana answers: today's first response and wait are timed.
  dana.send(JSON.stringify({ type: "message", conversation_id: conversationId, client_msg_id: "d1", text: "Yes, it left this morning." }));
  await waitFor("Dana's ack", () => frame(dana, "ack"));
  await waitFor("a first response time", async () => !/—/.test(await stat(page, "first-response-p50").innerText()));
  assert.match(await stat(page, "first-response-p50").innerText(), /^\d+ s$/);
  await page.getByRole("region", { name: "First response" }).getByText("1 conversation", { exact: true }).waitFor();
  await waitFor("messages counted", async () => Number(await stat(page, "messages-recent").innerText()) >= 1);

  // The range (the last 7 days, today included) counts it, in the chart and its table.
  await page.getByText("1 conversation in the range").waitFor();
  await screenshot(page, "admin-dashboard");
  const perDay = page.locator('[data-chart="days"]');
  await perDay.getByText("Show the numbers").click();
  const days = perDay.getByRole("table", { name: "Conversations per day" });
  const todayIso = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  });
  assert.match(await days.getByRole("row", { name: new RegExp(todayIso) }).innerText(), new RegExp(`${todayIso}\\s+1\\s+0`));
  assert.equal(await days.getByRole("row").count(), 8); // a header and seven days
  const chartName = await perDay.getByRole("img").getAttribute("aria-label");
  assert.match(chartName, /Conversations per day\. .*: 1\. Total: 1/);
  const byAgent = page.locator('[data-chart="agents"]');
  await byAgent.getByText("Show the numbers").click();
  assert.match(await byAgent.getByRole("row", { name: /Dana/ }).innerText(), /Dana\s+1/);
  const byGroup = page.locator('[data-chart="groups"]');
  await byGroup.getByText("Show the numbers").click();
  assert.match(await byGroup.getByRole("row", { name: /Customer support/ }).innerText(), /Customer support\s+1/);

  // Export CSV: a download named for the tenant and range, holding the conversation.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  const weekAgo = await page.evaluate(() => {
    const d = new Date();
    const w = new Date(d.getFullYear(), d.getMonth(), d.getDate() - 6);
    return `${w.getFullYear()}-${String(w.getMonth() + 1).padStart(2, "0")}-${String(w.getDate()).padStart(2, "0")}`;
  });
  assert.equal(download.suggestedFilename(), `conversations-demo-${weekAgo}-to-${todayIso}.csv`);
  const csv = readFileSync(await download.path(), "utf8");
  assert.equal(csv.split("\r\n")[0], "date,group,agent_id,agent_name,conversations,closed,bot_resolved,handed_off");
  assert.ok(csv.includes(`${todayIso},support,dana,Dana,1,0,0,0\r\n`), csv);

  // Dana closes it: the live numbers follow.
  dana.send(JSON.stringify({ type: "close", conversation_id: conversationId }));
  await statIs(page, "assigned", 0);
  await statIs(page, "closed", 1);
  // Of those closed today, none missed: Dana took the visitor before they left.
  await statIs(page, "missed", 0);
  await page.getByText("Missed: left the queue").waitFor();
  assert.match(await stat(page, "resolution-p50").innerText(), /^\d+ s$/);
  assert.deepEqual(page.errors, []);

  // The same page in Chinese.
  const zh = await openDashboard("zh");
  await zh.getByRole("heading", { name: "仪表盘", level: 2 }).waitFor();
  await statIs(zh, "closed", 1);
  await statIs(zh, "missed", 0);
  await zh.getByText("未接待：排队时离开").waitFor();
  await zh.getByText("范围内共 1 个会话").waitFor();
  await zh.locator('[data-chart="days"] canvas').waitFor();
  await screenshot(zh, "admin-dashboard-zh");
  assert.deepEqual(zh.errors, []);
  dana.close();
  visitor.close();
});

test("an agent is refused the dashboard, in the page and by the server", async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/?tenant=demo#dashboard`);
  await page.getByLabel("Email").fill("agent@demo.local");
  await page.getByLabel("Password").fill("demo-agent");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { name: "For administrators only" }).waitFor();
  assert.equal(await page.locator("[data-stat]").count(), 0);

  const token = await login("agent@demo.local", "demo-agent");
  for (const what of ["live", "report?from=2026-01-01&to=2026-01-02", "report?from=2026-01-01&to=2026-01-02&format=csv"]) {
    const r = await api(server, "GET", `/v1/tenants/demo/stats/${what}`, { token });
    assert.equal(r.status, 403, what);
    assert.equal(r.json.error.code, "forbidden");
  }
  // Even with the agent's own cookie session in the browser.
  const status = await page.evaluate(async () => (await fetch("/v1/tenants/demo/stats/live", { credentials: "same-origin" })).status);
  assert.equal(status, 403);
});
