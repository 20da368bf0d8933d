// The admin pages while the server is stopped, in headless Chromium against a real
// server with the demo tenants: a page that cannot load or save says the server
// cannot be reached, in the page's language (not the browser's "Failed to fetch",
// nor that the knowledge file is not TOML); the dashboard, whose code is loaded when
// first opened, says so on the page instead of blanking the whole admin app; and
// with the server back, the edit kept in the page saves. A save's notice is seen
// wherever the page is scrolled to.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, launchBrowser, screenshot, startServer } from "./harness.mjs";
import { openAdmin } from "./admin-support.mjs";

let server;
let browser;
let down = false;
const stop = async () => {
  await server.stop();
  down = true;
};
const start = async () => {
  if (!down) return;
  await server.start();
  down = false;
};

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.dispose();
});

test("the server stopped mid-edit: the admin pages say it cannot be reached, in Chinese, and the dashboard says so instead of blanking the app", async () => {
  const page = await openAdmin(browser, server, "knowledge", { lang: "zh" });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Leaving the page with unsaved changes asks first: yes.
  page.on("dialog", (d) => void d.accept());
  await page.locator('.faq-row[data-entry="refund-time"]').waitFor();
  await page.getByRole("button", { name: "添加条目" }).click();
  const row = page.locator(".faq-row").last();
  await row.getByLabel("标识").fill("store-pickup");
  await row.getByLabel("问题").fill("可以到店自提吗");
  await row.getByLabel("答案（中文）").fill("暂不支持到店自提。");

  await stop();
  await page.getByRole("button", { name: "保存知识库" }).click();
  const notice = page.locator(".banner-error");
  await notice.waitFor();
  assert.equal(await notice.locator(".grow").innerText(), "未保存：无法连接服务器（可能正在重启，或网络中断）。请稍后再试。");
  // Seen where the admin is, far down the page by the new entry, not above it out of sight.
  assert.ok(await notice.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }), "the notice is in view");
  await screenshot(page, "admin-offline-save");
  assert.match(await page.locator(".dirty-mark").innerText(), /未保存/);

  // Another page, loaded while it is down.
  await page.getByRole("link", { name: "团队" }).click();
  const failed = page.locator(".load-error");
  await failed.waitFor();
  assert.equal(await failed.innerText(), "无法加载：无法连接服务器（可能正在重启，或网络中断）。请稍后再试。");
  assert.doesNotMatch(await page.locator("main").innerText(), /Failed to fetch|TOML/);
  // The Conversations page's retention form says so too, instead of loading for ever.
  await page.getByRole("link", { name: "会话" }).click();
  await page.locator(".conversations-card", { hasText: "数据保留" }).getByText("无法加载：无法连接服务器").waitFor();
  assert.equal(await page.locator(".conversations-card", { hasText: "数据保留" }).getByText("正在加载…").count(), 0);
  // The dashboard's code cannot be fetched: said on the page, the admin app stays.
  await page.getByRole("link", { name: "仪表盘" }).click();
  await page.getByText("无法加载此页面：无法连接服务器，或此标签页打开后服务器已更新。").waitFor();
  await page.getByRole("button", { name: "刷新页面" }).waitFor();
  await page.getByRole("link", { name: "知识库" }).waitFor();
  await screenshot(page, "admin-offline-dashboard");
  await page.getByRole("link", { name: "知识库" }).click();
  assert.doesNotMatch(await page.locator("main").innerText(), /Failed to fetch|TOML/);
  await page.locator(".load-error").waitFor();
  assert.match(await page.locator(".load-error").first().innerText(), /^无法加载：无法连接服务器/);

  // Back: the dashboard loads after the reload it offered.
  await start();
  await page.getByRole("link", { name: "仪表盘" }).click();
  await page.getByRole("button", { name: "刷新页面" }).click();
  await page.getByRole("heading", { name: "仪表盘", exact: true }).waitFor({ timeout: 30000 });
  assert.deepEqual(errors, []);
  await page.context().close();
});

test("an edit kept in the page saves once the server is back", async () => {
  await start(); // should the test before have failed while it was down
  const page = await openAdmin(browser, server, "knowledge");
  await page.locator('.faq-row[data-entry="refund-time"]').waitFor();
  await page.getByRole("button", { name: "Add entry" }).click();
  const row = page.locator(".faq-row").last();
  await row.getByLabel("Id").fill("store-pickup");
  await row.getByLabel("Questions").fill("Can I pick up in store?");
  await row.getByLabel("Answer (English)").fill("Not yet: we only ship.");
  await stop();
  await page.getByRole("button", { name: "Save knowledge" }).click();
  await page.getByText("Not saved: Cannot reach the server (it may be restarting, or the network is down). Try again in a moment.").waitFor();
  await start();
  await page.getByRole("button", { name: "Save knowledge" }).click();
  await page.getByText("Saved — the bot answers from it now.").waitFor();
  const login = await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "admin@demo.local", password: "demo-admin" } });
  const kb = await api(server, "GET", "/v1/tenants/demo/kb", { token: login.json.token });
  assert.match(kb.text, /store-pickup/);
  await page.context().close();
});
