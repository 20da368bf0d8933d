// The admin "Conversations" page in headless Chromium against a real server with
// the demo tenants: a visitor writes a Chinese sentence, an admin searches for a
// phrase from its middle, sees the match highlighted (as text), and opens the
// conversation read-only with its history.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { visitorSays } from "./admin-support.mjs";
import { launchBrowser, screenshot, startServer } from "./harness.mjs";

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

test("an admin finds a Chinese phrase from the middle of a sentence and opens the conversation", async () => {
  const sentence = "您好，我昨天买的蓝牙耳机一直连不上手机，<b>怎么办</b>？";
  const conversationId = await visitorSays(server, sentence, { name: "小明" });

  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/?tenant=demo#conversations`);
  await page.getByLabel("Email").or(page.getByLabel("邮箱")).fill("admin@demo.local");
  await page.getByLabel("Password").or(page.getByLabel("密码")).fill("demo-admin");
  await page.getByRole("button", { name: /^(Sign in|登录)$/ }).click();

  await page.getByRole("link", { name: /^(Conversations|会话)$/ }).click();
  const box = page.getByRole("searchbox", { name: /^(Search messages|搜索消息)$/ });
  await box.fill("蓝牙耳机");
  await box.press("Enter");

  const hit = page.locator(".search-hit").first();
  await hit.waitFor();
  assert.equal(await hit.locator("mark").first().innerText(), "蓝牙耳机");
  // Markup in a message is text, never HTML.
  assert.equal(await hit.locator("b").count(), 0);
  assert.match(await hit.innerText(), /<b>怎么办<\/b>/);
  await screenshot(page, "admin-search");

  await hit.click();
  const history = page.getByRole("list", { name: new RegExp(conversationId) });
  await history.waitFor();
  assert.match(await history.innerText(), /蓝牙耳机一直连不上手机/);
  await context.close();
});
