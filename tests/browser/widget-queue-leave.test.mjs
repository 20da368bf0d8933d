// The visitor queue as visitors see it, in real Chromium against a real server
// (acme: no bot, round robin; its visitors keep their place 1 s after their last
// tab closed): with no agent online the widget says so instead of minutes, and
// when the first visitor in line closes their tab the second moves up from 2 to 1.
// The conversation left behind is kept, marked abandoned. Then an agent comes
// online and takes the one still waiting. Meanwhile the agent's console, its REST
// lists cut off, shows each visitor join and leave its Queue as it happens.
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { api, launchBrowser, screenshot, startServer } from "./harness.mjs";
import { openChat, startWebsite } from "./widget-support.mjs";
import { signIn } from "./console-support.mjs";

describe("the visitor queue", () => {
  let server, browser, website;

  before(async () => {
    server = await startServer({
      prepare: (dir) => {
        // Only acme: the demo tenant's bot would answer first (and takes long to load).
        rmSync(path.join(dir, "demo.toml"));
        const file = path.join(dir, "acme.toml");
        writeFileSync(file, readFileSync(file, "utf8") + "\n[conversation]\nvisitor_offline_grace_s = 1\n");
      },
    });
    browser = await launchBrowser();
    website = await startWebsite(server.url);
  });

  after(async () => {
    await browser?.close();
    await website?.close();
    await server?.dispose();
  });

  // acme's agent over the raw WebSocket, from a page of the server's origin.
  async function agentConnects() {
    const login = await api(server, "POST", "/v1/tenants/acme/auth/login", { body: { email: "agent@acme.local", password: "acme-agent" } });
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url + "/healthz");
    await page.evaluate((url) => new Promise((resolve) => {
      window.ws = new WebSocket(url);
      window.ws.onmessage = (e) => JSON.parse(e.data).type === "welcome" && resolve();
    }), `${server.url.replace("http", "ws")}/v1/ws/agent?tenant=acme&token=${encodeURIComponent(login.json.token)}`);
    return { status: (status) => page.evaluate((status) => window.ws.send(JSON.stringify({ type: "status", status })), status) };
  }

  // A visitor of their own (a browser context each) with the chat open.
  async function visitorOpens() {
    const context = await browser.newContext({ viewport: { width: 900, height: 720 }, locale: "en-US" });
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    await page.goto(website.url + "/?tenant=acme");
    const chat = await openChat(page);
    const writes = async (text) => {
      await chat.input.fill(text);
      await chat.input.press("Enter");
      await chat.log.locator(".sb-mine", { hasText: text }).waitFor();
    };
    return { context, page, writes, ...chat };
  }

  test("the second in line moves up to 1 when the first closes their tab", async () => {
    // The agent is online while the widgets load (so they offer a chat, not the
    // offline form), then steps away: nobody online serves the queue.
    const agent = await agentConnects();
    const first = await visitorOpens();
    const second = await visitorOpens();
    await agent.status("away");
    // The same agent's console (away, as the agent chose), on the Queue tab. Once it
    // has loaded, its REST lists fail: what it shows from then on came over the socket.
    const consolePage = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" })).newPage();
    await signIn(consolePage, server, { tenant: "acme", email: "agent@acme.local", password: "acme-agent" });
    await consolePage.getByRole("tab", { name: /Queue/ }).click();
    await consolePage.getByText("Nobody is waiting").waitFor();
    await consolePage.route(/\/v1\/tenants\/acme\/conversations\?/, (route) => route.abort());
    const waiting = (text) => consolePage.locator(".conv-item", { hasText: text });

    const line = (v) => v.frame.getByRole("status").filter({ hasText: /in line/ });
    await first.writes("Is my parcel lost?");
    await line(first).filter({ hasText: "You are number 1 in line. No agent is online right now. You keep your place in line." }).waitFor();
    await second.writes("Can I change my address?");
    await line(second).filter({ hasText: /^You are number 2 in line\. No agent is online right now/ }).waitFor();
    assert.doesNotMatch(await line(second).innerText(), /min|wait/i, "no number of minutes while nobody is online");
    await screenshot(second.page, "widget-queue-second");
    // Both are in the console's Queue at once, with what they asked.
    await waiting("Is my parcel lost?").waitFor({ timeout: 5000 });
    await waiting("Can I change my address?").waitFor({ timeout: 5000 });
    await screenshot(consolePage, "console-queue-pushed");

    await first.page.close(); // the tab closes: the grace period (1 s) runs
    await line(second).filter({ hasText: /^You are number 1 in line\./ }).waitFor({ timeout: 10000 });
    await screenshot(second.page, "widget-queue-moved-up");
    // ... and the first leaves the console's Queue as it leaves the line.
    await waiting("Is my parcel lost?").waitFor({ state: "detached", timeout: 5000 });
    assert.equal(await waiting("Can I change my address?").count(), 1);

    // The first visitor's conversation is kept in history, as abandoned.
    const login = await api(server, "POST", "/v1/tenants/acme/auth/login", { body: { email: "admin@acme.local", password: "acme-admin" } });
    const closed = await api(server, "GET", "/v1/tenants/acme/conversations?status=closed", { token: login.json.token });
    assert.equal(closed.json.conversations.length, 1);
    assert.ok(closed.json.conversations[0].abandoned_at > 0, "marked abandoned");
    assert.equal(closed.json.conversations[0].first_message, "Is my parcel lost?");

    // The agent is back: the one still waiting is theirs.
    await agent.status("online");
    await second.log.getByText(/joined the chat/).waitFor();
    assert.equal(await line(second).count(), 0);
    // Taken: out of the console's Queue, into its agent's Mine.
    await waiting("Can I change my address?").waitFor({ state: "detached", timeout: 5000 });
    await screenshot(consolePage, "console-queue-emptied");
    await consolePage.context().close();
    await second.context.close();
    await first.context.close();
  });
});
