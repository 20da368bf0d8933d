// Helpers of the admin pages' browser tests: a signed-in admin page, and a demo
// visitor who says one thing over the raw WebSocket.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { sourceDir } from "./harness.mjs";

const WebSocketImpl = globalThis.WebSocket ?? createRequire(path.join(sourceDir(), "web", "package.json"))("playwright-core/lib/utilsBundle").ws;

// The demo tenant's admin pages at #hash, signed in as its admin (or as `email`), in
// English or Chinese.
export async function openAdmin(browser, server, hash, { lang = "en", height = 900, email = "admin@demo.local", password = "demo-admin" } = {}) {
  const context = await browser.newContext({ viewport: { width: 1360, height }, locale: lang === "zh" ? "zh-CN" : "en-US" });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/?tenant=demo#${hash}`);
  const t = lang === "zh" ? { email: "邮箱", password: "密码", submit: "登录" } : { email: "Email", password: "Password", submit: "Sign in" };
  await page.getByLabel(t.email).fill(email);
  await page.getByLabel(t.password).fill(password);
  await page.getByRole("button", { name: t.submit, exact: true }).click();
  return page;
}

// A demo visitor (hello: what they tell about themselves) says text and waits for
// the server's ack; returns the conversation id.
export async function visitorSays(server, text, hello = {}) {
  const ws = new WebSocketImpl(`${server.url.replace("http", "ws")}/v1/ws/visitor?tenant=demo`);
  const frames = [];
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("visitor socket failed"));
  });
  ws.onmessage = (e) => frames.push(JSON.parse(typeof e.data === "string" ? e.data : e.data.toString()));
  ws.send(JSON.stringify({ type: "hello", ...hello }));
  ws.send(JSON.stringify({ type: "message", client_msg_id: "m1", text }));
  const end = Date.now() + 10000;
  let ack;
  while (!(ack = frames.find((f) => f.type === "ack")) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.ok(ack, `no ack: ${JSON.stringify(frames)}`);
  ws.close();
  return ack.conversation_id;
}
