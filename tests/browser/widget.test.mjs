// The visitor widget in real Chromium against a real server with the demo tenants:
// a visitor on a plain website (another origin, strict CSP, its own styles and
// globals) chats with an agent driven over the raw WebSocket.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { api, launchBrowser, screenshot, startServer } from "./harness.mjs";
import { openChat, recordStates, startAgent, startWebsite, widgetFrame } from "./widget-support.mjs";

// Support's business hours would make the result depend on the time of day.
function alwaysOpen(tenantsDir) {
  const file = path.join(tenantsDir, "demo.toml");
  const text = readFileSync(file, "utf8").replace(/\[groups\.support\.hours\]\n(?:[a-z-]+ = .*\n)*/, "");
  writeFileSync(file, text);
}

let server, browser, website;

before(async () => {
  server = await startServer({ prepare: alwaysOpen });
  browser = await launchBrowser();
  website = await startWebsite(server.url);
});

after(async () => {
  await browser?.close();
  await website?.close();
  await server?.dispose();
});

describe("the widget on a website", () => {
  test("a visitor chats with an agent: pending → sent, typing, read, the agent's name", async () => {
    const agent = await startAgent(browser, server);
    await agent.connect();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const dialogs = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      d.dismiss();
    });
    await page.goto(website.url + "/");
    const { frame, log, input } = await openChat(page);
    const states = await recordStates(frame);

    await input.fill("Hello, I need help with my order");
    await input.press("Enter");
    const assigned = await agent.waitFor({ type: "conversation.assigned" });
    const conversation_id = assigned.conversation.id;
    // The first message comes with the assignment, as its history.
    const first = assigned.history.find((m) => m.text === "Hello, I need help with my order");
    assert.ok(first, "the agent got the visitor's first message");
    await log.getByText("Dana joined the chat").waitFor();
    await frame.locator('.sb-mine[data-state="sent"]', { hasText: "Hello, I need help" }).waitFor();
    assert.deepEqual((await states("Hello, I need help with my order")).slice(0, 2), ["pending", "sent"]);
    assert.equal(await input.inputValue(), "", "Enter sent the message and emptied the box");

    // The agent types and answers; the visitor sees it with the agent's name.
    await agent.send({ type: "typing", conversation_id, on: true });
    await frame.getByText("Dana is typing…").waitFor();
    await agent.send({ type: "message", conversation_id, client_msg_id: "a1", text: "Hi! I am Dana. Let me check https://example.com/orders for you." });
    await log.getByText("Hi! I am Dana.", { exact: false }).waitFor();
    assert.equal(await log.locator(".sb-theirs .sb-who").last().textContent(), "Dana");
    const link = log.getByRole("link", { name: "https://example.com/orders" });
    assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
    assert.equal(await link.getAttribute("target"), "_blank");
    // The panel is open: the visitor's read receipt reaches the agent.
    await agent.waitFor({ type: "read", conversation_id, from: { role: "visitor" } });

    // The agent reads the visitor's message: "Read".
    await agent.send({ type: "read", conversation_id, seq: first.seq });
    await frame.locator('.sb-mine[data-state="read"]', { hasText: "Hello, I need help" }).waitFor();

    // The visitor types: the agent hears it.
    await input.pressSequentially("one more", { delay: 20 });
    await agent.waitFor({ type: "typing", conversation_id, on: true, from: { role: "visitor" } });
    await input.press("Enter");
    await agent.waitFor({ type: "message", text: "one more" });

    // Visitor text is never HTML, on the widget's side.
    await input.fill("<img src=x onerror=alert(1)>");
    await input.press("Enter");
    await agent.waitFor({ type: "message", text: "<img src=x onerror=alert(1)>" });
    await agent.send({ type: "message", conversation_id, client_msg_id: "a2", text: "<b>bold</b><img src=y onerror=alert(2)>" });
    await log.getByText("<img src=x onerror=alert(1)>").waitFor();
    await log.getByText("<b>bold</b><img src=y onerror=alert(2)>").waitFor();
    assert.equal(await log.locator("img, b").count(), 0, "no element was made from chat text");
    await screenshot(page, "widget-desktop");
    assert.deepEqual(dialogs, []);
    await context.close();
    await agent.close();
  });
});
