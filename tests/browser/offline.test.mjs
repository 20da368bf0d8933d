// The network goes away under a visitor and an agent, in headless Chromium against
// a real server with the demo tenants: the browser says it is offline, and the
// widget and the console say at once that the connection is lost (rather than
// showing a live chat whose messages go nowhere); back online they say nothing
// any more, and what the visitor wrote meanwhile arrives.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, launchBrowser, screenshot, startServer } from "./harness.mjs";
import { openChat } from "./widget-support.mjs";
import { signIn, waitFor } from "./console-support.mjs";

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

// Well under the time a dead TCP connection takes to be noticed.
const kSayWithinMs = 5000;

test("the widget says the connection is lost when the browser goes offline, and sends what was written once back", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  await page.goto(`${server.url}/demo/`);
  const { frame, log, input } = await openChat(page);
  await input.fill("How long does shipping take?");
  await input.press("Enter");
  await log.getByText(/Orders ship within 24 hours/).waitFor();
  const banner = frame.getByRole("status").filter({ hasText: "Connection lost. Reconnecting…" });
  assert.equal(await banner.count(), 0);

  await context.setOffline(true);
  await banner.waitFor({ timeout: kSayWithinMs });
  await input.fill("Still there? 还在吗？");
  await input.press("Enter");
  await log.locator('.sb-mine[data-state="pending"]').filter({ hasText: "Still there?" }).waitFor();
  await screenshot(page, "widget-offline-network");

  await context.setOffline(false);
  await banner.waitFor({ state: "detached" });
  await log.locator('.sb-mine[data-state="sent"], .sb-mine[data-state="read"]').filter({ hasText: "Still there?" }).waitFor();
  // The server has it, once. Search is indexed after the ack (off the message's
  // path), so the first search may come before the index has it: ask again for a
  // few seconds, then it must be there exactly once.
  const token = (await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "admin@demo.local", password: "demo-admin" } })).json.token;
  let hits;
  for (const started = Date.now(); Date.now() - started < 10000; await new Promise((r) => setTimeout(r, 200))) {
    hits = await api(server, "GET", `/v1/tenants/demo/search?q=${encodeURIComponent("还在吗")}`, { token });
    assert.equal(hits.status, 200, hits.text);
    if (hits.json.hits.length > 0) break;
  }
  assert.equal(hits.json.hits.length, 1, hits.text);
  await context.close();
});

test("the console says the connection is lost when the browser goes offline, and stops saying it once back", async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, locale: "en-US" });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  await signIn(page, server, { tenant: "demo", email: "agent@demo.local", password: "demo-agent" });
  const banner = page.getByRole("alert").filter({ hasText: "Connection lost. Reconnecting…" });
  assert.equal(await banner.count(), 0);
  // The presence control: what it shows, and the status the server has.
  const presence = page.getByRole("combobox", { name: "Presence" });
  const shown = () => presence.evaluate((el) => el.selectedOptions[0]?.textContent);
  const adminToken = (await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "admin@demo.local", password: "demo-admin" } })).json.token;
  const serverStatus = async () => (await api(server, "GET", "/v1/tenants/demo/agents", { token: adminToken })).json.agents.find((a) => a.id === "dana")?.status;
  await presence.selectOption("away");
  await waitFor("the server to see dana away", async () => (await serverStatus()) === "away");

  await context.setOffline(true);
  await banner.waitFor({ timeout: kSayWithinMs });
  // Not "Away" while nobody can reach the agent: the control says the truth.
  await waitFor("the presence to say offline", async () => (await shown()) === "Offline — reconnecting");
  assert.equal(await presence.isDisabled(), true);
  await screenshot(page, "console-offline-network");
  await context.setOffline(false);
  await banner.waitFor({ state: "detached" });
  // Back: the chosen status, on the server too (a new connection alone makes the agent online).
  await waitFor("the presence to say away", async () => (await shown()) === "Away");
  await waitFor("the server to see dana away again", async () => (await serverStatus()) === "away");
  await screenshot(page, "console-offline-back");
  await presence.selectOption("online");
  await context.close();
});
