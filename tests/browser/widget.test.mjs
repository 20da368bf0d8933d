// The visitor widget in real Chromium against a real server with the demo tenants:
// a visitor on a plain website (another origin, strict CSP, its own styles and
// globals) chats with an agent driven over the raw WebSocket.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { api, fileOnDisk, PDF, screenshot, startServer } from "./harness.mjs";
import { alwaysOpen, openChat, recordStates, startAgent, startWebsite, startWidgetWorld, upgradeStatus, watchDialogs, watchWidget, widgetFrame } from "./widget-support.mjs";

// Leaves out a TOML table and its subtables ([name], [name.x]) from a tenant file.
function dropTables(text, name) {
  let skipping = false;
  const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/;
  return text.split("\n").filter((line) => {
    const m = line.match(header);
    if (m) skipping = m[1] === name || m[1].startsWith(name + ".");
    return !skipping;
  }).join("\n");
}

let server, browser, website, world;

// A browser context whose waits give up after 15 s (a failing step fails fast).
async function newContext(options = {}) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(15000);
  return context;
}

before(async () => {
  world = await startWidgetWorld(alwaysOpen);
  ({ server, browser, website } = world);
});

after(async () => world?.close());

// An HTML page that would run script.
const kHtml = Buffer.from("<!doctype html><html><body><script>alert('owned')</script><img src=x onerror=alert(2)></body></html>\n");

// What the widget adds to a website: the window's own keys and the computed style
// of the website's elements.
async function hostSnapshot(page) {
  return page.evaluate(() => {
    const style = (sel) => {
      const cs = getComputedStyle(document.querySelector(sel));
      return ["font-family", "font-size", "color", "background-color", "margin", "padding", "border", "border-radius", "overflow"].map((p) => `${p}=${cs.getPropertyValue(p)}`).join(";");
    };
    return {
      globals: Object.getOwnPropertyNames(window).sort(),
      styles: ["html", "body", "h1", ".box", "button.buy"].map(style),
      sheets: document.styleSheets.length,
      styleTags: document.querySelectorAll("style").length,
      inlineStyled: [...document.querySelectorAll("[style]")].filter((el) => el.tagName !== "BUTTON" && el.tagName !== "IFRAME" && el.tagName !== "SPAN").length,
      violations: window.__violations,
      htmlClass: document.documentElement.className + "|" + document.body.className,
    };
  });
}

const chat = {}; // the conversation the tests below carry on

describe("the widget on a website", () => {
  test("its first load (before the visitor opens it) is small: measured and printed", async () => {
    const context = await newContext();
    const page = await context.newPage();
    const loaded = [];
    page.on("response", (r) => {
      if (r.url().startsWith(server.url)) loaded.push(new URL(r.url()).pathname);
    });
    await page.goto(website.url + "/");
    const settings = page.waitForResponse((r) => r.url().includes("/v1/tenants/demo/widget"));
    await widgetFrame(page); // created when the browser is idle
    await settings;
    await page.waitForTimeout(500);
    const webDir = process.env.SWITCHBOARD_WEB_DIR;
    let total = 0;
    const lines = [];
    for (const pathname of [...new Set(loaded)]) {
      if (pathname.startsWith("/v1/")) continue; // the tenant's settings (JSON), not code
      const file = pathname === "/widget/" ? "widget/index.html" : pathname.slice(1);
      const gz = gzipSync(readFileSync(path.join(webDir, file)), { level: 9 }).length;
      total += gz;
      lines.push(`  ${pathname.padEnd(40)} ${gz} B gzipped`);
    }
    console.log(`widget first load, as the browser fetched it:\n${lines.join("\n")}\n  total ${total} B = ${(total / 1024).toFixed(1)} KB gzipped (budget 35 KB)`);
    assert.ok(loaded.includes("/widget.js"));
    assert.ok(total > 0 && total <= 35 * 1024, `first load ${total} B gzipped is over 35 KB`);
    await context.close();
  });

  test("it leaves the website's styles and globals alone (but Switchboard) and needs no CSP exception", async () => {
    const context = await newContext();
    const page = await context.newPage();
    const refused = []; // the frame's own CSP refusing anything shows on the console
    page.on("console", (m) => /Content Security Policy|Refused to/i.test(m.text()) && refused.push(m.text()));
    await page.goto(website.url + "/?widget=0");
    const before = await hostSnapshot(page);
    await page.goto(website.url + "/");
    await widgetFrame(page);
    await openChat(page);
    const afterOpen = await hostSnapshot(page);
    assert.deepEqual(afterOpen.globals.filter((g) => !before.globals.includes(g) && !/^\d+$/.test(g) /* window[0] is the frame */), ["Switchboard"]);
    assert.deepEqual(afterOpen.styles, before.styles);
    assert.equal(afterOpen.sheets, before.sheets, "no stylesheet added to the website");
    assert.equal(afterOpen.styleTags, 0);
    assert.equal(afterOpen.inlineStyled, 0);
    assert.equal(afterOpen.htmlClass, before.htmlClass);
    assert.deepEqual(afterOpen.violations, [], "the website's strict CSP refused nothing");
    assert.deepEqual(refused, [], "neither CSP refused anything");
    assert.equal(await page.evaluate(() => window.hostGlobal), "kept");
    assert.deepEqual(await page.evaluate(() => Object.keys(window.Switchboard).sort()), ["close", "identify", "on", "open"]);
    await context.close();
  });

  test("the bot answers with quick replies, and 'talk to a human' puts the visitor in line", async () => {
    // No agent is online yet: the demo's routing gives the visitor to its bot.
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(website.url + "/");
    const { frame, log, input } = await openChat(page);
    await input.fill("where is my order?");
    await input.press("Enter");
    await log.getByText("What is your order number?", { exact: false }).waitFor();
    const human = frame.getByRole("button", { name: "Talk to a human" });
    await human.click();
    await log.locator(".sb-mine", { hasText: "Talk to a human" }).waitFor(); // sent as the visitor's message
    await log.locator(".sb-role-bot").nth(1).waitFor(); // the bot hands over
    await frame.getByText(/You are number 1 in line\./).waitFor();
    assert.equal(await human.count(), 0, "the quick replies are gone once answered");
    await screenshot(page, "widget-queue");
    await context.close();
  });

  test("a visitor chats with an agent: pending → sent, typing, read, the agent's name", async () => {
    const agent = await startAgent(browser, server);
    await agent.connect();
    // Visitors waiting in line (the bot's test above) get the agent first: closed.
    await agent.page.waitForTimeout(1000);
    const earlier = await agent.page.evaluate(() => window.received.filter((f) => f.type === "conversation.assigned").map((f) => f.conversation.id));
    for (const id of earlier) {
      await agent.send({ type: "close", conversation_id: id });
      await agent.waitFor({ type: "conversation.closed", conversation_id: id });
    }

    const context = await newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const dialogs = watchDialogs(page);
    await page.goto(website.url + "/");
    await page.evaluate(() => {
      window.__events = [];
      window.Switchboard.on("open", () => window.__events.push("open"));
      window.Switchboard.on("message", (m) => window.__events.push("message:" + m.from));
      window.Switchboard.identify({ name: "Ada Lovelace", email: "ada@example.com" });
    });
    const { frame, log, input } = await openChat(page);
    const states = await recordStates(frame);

    await input.fill("Hello, I need help with my order");
    await input.press("Enter");
    const assigned = await agent.waitFor({ type: "conversation.assigned", history: { 0: { text: "Hello, I need help with my order" } } });
    const conversation_id = assigned.conversation.id;
    assert.equal(assigned.conversation.visitor.name, "Ada Lovelace", "Switchboard.identify named the visitor");
    assert.equal(assigned.conversation.visitor.email, "ada@example.com");
    const first = assigned.history[0];
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
    assert.equal(await link.getAttribute("rel"), "noopener noreferrer nofollow");
    assert.equal(await link.getAttribute("target"), "_blank");
    // The panel is open: the visitor's read receipt reaches the agent.
    await agent.waitFor({ type: "read", conversation_id, from: { role: "visitor" } });

    // The agent reads the visitor's message: "Read".
    await agent.send({ type: "read", conversation_id, seq: first.seq });
    await frame.locator('.sb-mine[data-state="read"]', { hasText: "Hello, I need help" }).waitFor();
    await log.getByText("Read", { exact: true }).waitFor();

    // The visitor types: the agent hears it.
    await input.pressSequentially("one more", { delay: 20 });
    await agent.waitFor({ type: "typing", conversation_id, on: true, from: { role: "visitor" } });
    await input.press("Enter");
    await agent.waitFor({ type: "message", text: "one more" });

    // Chat text is never HTML in the widget, either way.
    await input.fill("<img src=x onerror=alert(1)>");
    await input.press("Enter");
    await agent.waitFor({ type: "message", text: "<img src=x onerror=alert(1)>" });
    await agent.send({ type: "message", conversation_id, client_msg_id: "a2", text: "<b>bold</b><img src=y onerror=alert(2)>" });
    await log.getByText("<img src=x onerror=alert(1)>").waitFor();
    await log.getByText("<b>bold</b><img src=y onerror=alert(2)>").waitFor();
    assert.equal(await log.locator("img, b").count(), 0, "no element was made from chat text");
    await screenshot(page, "widget-desktop");
    assert.deepEqual(dialogs, []);
    const seen = await page.evaluate(() => window.__events);
    assert.ok(seen.includes("open") && seen.includes("message:agent"), `Switchboard.on events: ${seen}`);
    Object.assign(chat, { agent, context, page, conversation_id, dialogs });
  });

  test("a reload shows the whole conversation again, once, and what the agent read as read", async () => {
    const { page } = chat;
    await page.reload();
    const { log } = await openChat(page);
    await log.getByText("<b>bold</b><img src=y onerror=alert(2)>").waitFor();
    for (const text of ["Hello, I need help with my order", "one more", "<img src=x onerror=alert(1)>"])
      assert.equal(await log.locator(".sb-msg", { hasText: text }).count(), 1, `"${text}" once after the reload`);
    assert.equal(await log.locator(".sb-mine").count(), 3);
    assert.equal(await log.locator(".sb-theirs").count(), 2);
    // The agent read the first message before the reload: still "Read", the later ones "Sent".
    await log.locator('.sb-mine[data-state="read"]', { hasText: "Hello, I need help with my order" }).waitFor();
    assert.equal(await log.locator('.sb-mine[data-state="sent"]', { hasText: "one more" }).count(), 1);
  });

  test("a server restart: the widget reconnects, resends what was pending, and nothing is lost or doubled", async () => {
    const { agent, page, conversation_id } = chat;
    const frame = await widgetFrame(page);
    const log = frame.getByRole("log");
    const input = frame.getByRole("textbox", { name: "Message" });
    const agentSeq = (await agent.page.evaluate((id) => Math.max(0, ...window.received.filter((f) => f.type === "message" && f.conversation_id === id).map((f) => f.seq)), conversation_id));
    await server.stop();
    await frame.getByText("Connection lost. Reconnecting…").waitFor();
    await input.fill("written while the server was down");
    await input.press("Enter");
    await frame.locator('.sb-mine[data-state="pending"]', { hasText: "written while the server was down" }).waitFor();
    await server.start();
    await frame.locator('.sb-mine[data-state="sent"]', { hasText: "written while the server was down" }).waitFor({ timeout: 30000 });
    await frame.getByText("Connection lost. Reconnecting…").waitFor({ state: "detached" });
    await agent.clear();
    await agent.connect({ type: "hello", last_seq: { [conversation_id]: agentSeq } });
    await agent.waitFor({ type: "message", text: "written while the server was down" });
    await agent.send({ type: "message", conversation_id, client_msg_id: "a3", text: "Back after the restart" });
    await log.getByText("Back after the restart").waitFor();
    assert.equal(await agent.count({ type: "message", text: "written while the server was down" }), 1);
    for (const text of ["written while the server was down", "Back after the restart", "one more"])
      assert.equal(await log.locator(".sb-msg", { hasText: text }).count(), 1, `"${text}" once`);
  });

  test("a message written while the server is away is kept across a reload (another page of the website) and sent once it is back", async () => {
    const { agent, page, conversation_id } = chat;
    let frame = await widgetFrame(page);
    await server.stop();
    await frame.getByText("Connection lost. Reconnecting…").waitFor();
    const input = frame.getByRole("textbox", { name: "Message" });
    await input.fill("written before going to another page");
    await input.press("Enter");
    await frame.locator('.sb-mine[data-state="pending"]', { hasText: "written before going to another page" }).waitFor();
    // The visitor moves on while the chat server is still away (the widget cannot load there),
    // and comes back to a page with the widget once it is up again. A failing wait says
    // what the website had stored at each step and what the widget did.
    const stored = () => page.evaluate(() => localStorage.getItem("switchboard:demo")).catch((e) => `(unreadable: ${e.message})`);
    const watch = await watchWidget(page);
    let log;
    try {
      await page.reload();
      watch.note(`reloaded while the server is away; stored: ${await stored()}`);
      await server.start();
      await page.reload();
      watch.note(`reloaded with the server back; stored: ${await stored()}`);
      ({ log } = await openChat(page));
      frame = await widgetFrame(page);
      await log.locator('.sb-mine[data-state="sent"]', { hasText: "written before going to another page" }).waitFor({ timeout: 30000 });
    } catch (error) {
      const shown = await frame.locator(".sb-msg").evaluateAll((all) => all.map((m) => `${m.className} [${m.dataset.state ?? ""}] ${m.textContent.slice(0, 60)}`)).catch((e) => [`(unreadable: ${e.message})`]);
      watch.note(`messages shown: ${JSON.stringify(shown)}; stored now: ${await stored()}`);
      throw await watch.explain(error, "a message kept across a reload");
    } finally {
      watch.stop();
    }
    const agentSeq = (await agent.page.evaluate((id) => Math.max(0, ...window.received.filter((f) => f.type === "message" && f.conversation_id === id && f.text !== "written before going to another page").map((f) => f.seq)), conversation_id));
    await agent.clear();
    await agent.connect({ type: "hello", last_seq: { [conversation_id]: agentSeq } });
    await agent.waitFor({ type: "message", text: "written before going to another page" });
    assert.equal(await agent.count({ type: "message", text: "written before going to another page" }), 1);
    assert.equal(await log.locator(".sb-msg", { hasText: "written before going to another page" }).count(), 1);
    // Sent: not sent (or shown pending) again after the next reload.
    await page.reload();
    const again = await openChat(page);
    await again.log.locator('.sb-mine[data-state="sent"]', { hasText: "written before going to another page" }).waitFor();
    assert.equal(await again.log.locator(".sb-msg", { hasText: "written before going to another page" }).count(), 1);
  });

  test("keyboard: Enter sends, Esc closes, the focus stays in the open panel; the launcher counts unread messages", async () => {
    const { agent, page, conversation_id } = chat;
    const frame = await widgetFrame(page);
    const input = frame.getByRole("textbox", { name: "Message" });
    await input.focus();
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press(i % 3 === 2 ? "Shift+Tab" : "Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), "IFRAME", "focus left the chat frame");
      assert.ok(await frame.evaluate(() => !!document.activeElement?.closest('[role="dialog"]')), "focus left the panel");
    }
    await input.focus();
    await page.keyboard.press("Escape");
    await frame.getByRole("dialog").waitFor({ state: "hidden" });
    const launcher = page.getByRole("button", { name: /^Open chat/ });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Open chat", "the focus went back to the launcher");
    // A message that does not come from the chat frame is ignored by the loader.
    await page.evaluate(() => window.postMessage({ switchboard: "unread", count: 5 }, "*"));
    await page.waitForTimeout(200);
    assert.equal(await page.getByRole("button", { name: "Open chat" }).count(), 1, "a forged message changed the launcher");
    await agent.send({ type: "message", conversation_id, client_msg_id: "a4", text: "Are you still there?" });
    await page.getByRole("button", { name: "Open chat (1 unread)" }).waitFor();
    await page.keyboard.press("Enter"); // the launcher has the focus
    await frame.getByRole("dialog").waitFor();
    await frame.getByText("Are you still there?").waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === "IFRAME");
    await frame.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Message");
    await page.keyboard.type("Yes!");
    await page.keyboard.press("Enter");
    await agent.waitFor({ type: "message", text: "Yes!" });
    assert.equal(await launcher.count(), 0, "the launcher now says Close chat");
    // The JavaScript API opens and closes it too.
    await page.evaluate(() => {
      window.__events = [];
      window.Switchboard.on("open", () => window.__events.push("open"));
      window.Switchboard.on("close", () => window.__events.push("close"));
      window.Switchboard.close();
    });
    await frame.getByRole("dialog").waitFor({ state: "hidden" });
    await page.evaluate(() => window.Switchboard.open());
    await frame.getByRole("dialog").waitFor();
    assert.deepEqual(await page.evaluate(() => window.__events), ["close", "open"]);
  });

  test("files the tenant does not take are refused before uploading, with a visible message", async () => {
    const { page } = chat;
    const frame = await widgetFrame(page);
    const fileInput = frame.locator('input[type="file"]');
    assert.equal(await frame.getByRole("button", { name: "Attach a file" }).count(), 1);
    await fileInput.setInputFiles(fileOnDisk(server, "huge.png", Buffer.alloc(11 * 1024 * 1024, 1)));
    await frame.getByRole("alert").filter({ hasText: "huge.png is too large (the limit is 10 MB)." }).waitFor();
    await fileInput.setInputFiles({ name: "page.html", mimeType: "text/html", buffer: kHtml });
    await frame.getByRole("alert").filter({ hasText: "page.html cannot be sent: this type of file is not accepted." }).waitFor();
  });

  test("files both ways: an image as a thumbnail, a PDF as a link, the server's refusal shown, uploaded HTML never runs", async () => {
    const { agent, page, conversation_id, dialogs } = chat;
    const frame = await widgetFrame(page);
    const log = frame.getByRole("log");
    const fileInput = frame.locator('input[type="file"]');

    // A real photo-sized PNG: a piece of the website, as Chromium renders it.
    const photo = await page.screenshot({ clip: { x: 0, y: 0, width: 420, height: 260 } });
    await fileInput.setInputFiles({ name: "shop.png", mimeType: "image/png", buffer: photo });
    const image = log.getByRole("img", { name: "Image shop.png" });
    await image.waitFor();
    assert.match(await image.getAttribute("src"), /^blob:/);
    const withImage = await agent.waitFor({ type: "message", attachments: { 0: { name: "shop.png" } } });
    assert.equal(withImage.attachments[0].content_type, "image/png");

    await fileInput.setInputFiles({ name: "invoice.pdf", mimeType: "application/pdf", buffer: PDF });
    await log.getByRole("link", { name: "Download invoice.pdf" }).waitFor();
    await frame.waitForFunction(() => document.querySelector('a.sb-file[download="invoice.pdf"]')?.href.startsWith("blob:"));
    await agent.waitFor({ type: "message", attachments: { 0: { name: "invoice.pdf", content_type: "application/pdf" } } });

    // HTML under a harmless name: the server looks at the bytes and refuses it
    // (its message is shown), or keeps it as a download that never renders.
    await fileInput.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: kHtml });
    await Promise.race([
      frame.getByRole("alert").filter({ hasText: "notes.txt could not be sent" }).waitFor(),
      log.getByRole("link", { name: "Download notes.txt" }).waitFor(),
    ]);

    // The agent sends an image and a PDF back.
    for (const [name, body] of [["from agent.png", photo], ["label.pdf", PDF]]) {
      const upload = await fetch(`${server.url}/v1/tenants/demo/attachments`, {
        method: "POST",
        headers: { Authorization: `Bearer ${agent.token}`, "X-File-Name": encodeURIComponent(name) },
        body,
      });
      assert.equal(upload.status, 201, await upload.clone().text());
      const attachment = await upload.json();
      await agent.send({ type: "message", conversation_id, client_msg_id: `a-${name}`, text: name.endsWith(".pdf") ? "Your return label" : "", attachments: [attachment.id] });
    }
    await log.getByRole("img", { name: "Image from agent.png" }).waitFor();
    await log.getByRole("link", { name: "Download label.pdf" }).waitFor();
    for (const name of ["huge.png", "page.html"]) {
      const alert = frame.getByRole("alert").filter({ hasText: name });
      if (await alert.count()) await alert.getByRole("button", { name: "Dismiss" }).click();
    }
    await page.waitForTimeout(300);
    await screenshot(page, "widget-files");
    assert.deepEqual(dialogs, [], "nothing ran");
  });

  test("the agent closes: the visitor rates the conversation (CSAT), also after a reload, and may start a new one", async () => {
    const { agent, page, conversation_id } = chat;
    let frame = await widgetFrame(page);
    await agent.send({ type: "close", conversation_id });
    await frame.getByText("The conversation was closed.").waitFor();
    await frame.getByRole("button", { name: "Start a new conversation" }).waitFor();
    await frame.getByRole("button", { name: "No thanks" }).waitFor();
    // A reload before rating: the rating is still offered, below the conversation
    // as it was before the reload (read-only: no composer).
    await page.reload();
    let log;
    ({ frame, log } = await openChat(page));
    await log.getByText("<b>bold</b><img src=y onerror=alert(2)>").waitFor();
    for (const text of ["Hello, I need help with my order", "one more", "Hi! I am Dana."])
      assert.equal(await log.locator(".sb-msg", { hasText: text }).count(), 1, `"${text}" shown once after the reload`);
    await log.getByText("The conversation was closed.").waitFor();
    await frame.getByRole("button", { name: "Start a new conversation" }).waitFor();
    assert.equal(await frame.getByRole("textbox", { name: "Message" }).count(), 0, "the closed conversation is read-only");
    assert.equal(await log.locator("b, img[src='x'], img[src='y']").count(), 0, "no element was made from chat text");
    await log.getByRole("img", { name: "Image from agent.png" }).waitFor(); // its files too
    await screenshot(page, "widget-rating-after-reload");
    // Closed and opened again: shown, and no error about the closed conversation.
    await frame.getByRole("button", { name: "Close chat" }).click();
    await page.getByRole("button", { name: /^Open chat/ }).click();
    await log.getByText("The conversation was closed.").waitFor();
    await page.waitForTimeout(800);
    assert.equal(await frame.getByRole("alert").count(), 0, "no error about the closed conversation");
    // The same visitor in another tab (the same storage) is asked too, until this tab rates.
    const other = await chat.context.newPage();
    await other.goto(website.url + "/");
    const { frame: otherFrame } = await openChat(other);
    await otherFrame.getByRole("button", { name: "No thanks" }).waitFor();
    await frame.getByRole("radio", { name: "4 of 5" }).click();
    await frame.getByRole("textbox", { name: "Comment (optional)" }).fill("Quick and kind");
    await frame.getByRole("button", { name: "Send rating" }).click();
    await frame.getByText("Thank you for your feedback!").waitFor();
    await otherFrame.getByRole("button", { name: "No thanks" }).waitFor({ state: "detached" });
    await other.close();
    const closed = await api(server, "GET", "/v1/tenants/demo/conversations?status=closed", { token: agent.token });
    const record = closed.json.conversations.find((c) => c.id === conversation_id);
    assert.equal(record?.csat?.score, 4);
    assert.equal(record.csat.comment, "Quick and kind");
    // Rated: not asked again after the next reload, and a new conversation can begin.
    await page.reload();
    ({ frame } = await openChat(page));
    await frame.getByRole("textbox", { name: "Message" }).waitFor();
    assert.equal(await frame.getByRole("radio", { name: "4 of 5" }).count(), 0);
    await chat.context.close();
    await agent.close();
  });

  test("on a phone the panel fills the screen and inputs do not zoom", async () => {
    const context = await newContext({ viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(website.url + "/");
    const { frame, input, log } = await openChat(page);
    const box = await page.locator('iframe[src*="/widget/"]').boundingBox();
    assert.deepEqual([box.x, box.y, Math.round(box.width), Math.round(box.height)], [0, 0, 390, 780]);
    assert.equal(await page.getByRole("button", { name: /^(Open|Close) chat/ }).isVisible(), false, "the launcher hides under the full-screen panel");
    const fontSize = await input.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(fontSize >= 16, `the textbox's font is ${fontSize}px`);
    await input.fill("How long does shipping take?");
    await input.press("Enter");
    await log.locator(".sb-theirs").first().waitFor(); // the bot's FAQ answer
    await screenshot(page, "widget-phone");
    await frame.getByRole("button", { name: "Close chat" }).click();
    await page.getByRole("button", { name: /^Open chat/ }).waitFor();
    await context.close();
  });

  test("in Chinese for a Chinese browser, on the English page too; in English where the website pins it", async () => {
    const context = await newContext({ locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto(website.url + "/?pin=en"); // <html lang="en"> and data-lang="en": the owner's choice wins
    await openChat(page, { launcher: /^Open chat/, textbox: "Message" });
    await page.goto(website.url + "/"); // <html lang="en">: the visitor's browser wins
    const { frame } = await openChat(page, { launcher: /^打开聊天/, textbox: "消息" });
    await frame.getByRole("button", { name: "发送" }).waitFor();
    await frame.getByRole("button", { name: "添加附件" }).waitFor();
    await frame.getByRole("button", { name: "关闭聊天" }).waitFor();
    const settings = await api(server, "GET", "/v1/tenants/demo/widget");
    const title = settings.status === 200 ? settings.json.texts.zh.title : "在线咨询";
    await frame.getByRole("heading", { name: title }).waitFor();
    await screenshot(page, "widget-zh");
    await context.close();
  });

  test("in Chinese, a file the server refuses (its type told from its bytes) is said in Chinese, not in the server's English", async () => {
    const context = await newContext({ locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto(website.url + "/?lang=zh-CN");
    const { frame } = await openChat(page, { launcher: /^打开聊天/, textbox: "消息" });
    await frame.locator(".sb-banner").waitFor({ state: "detached" }); // welcomed: the visitor may upload
    // No extension: the browser gives no type, the widget leaves it to the server, which refuses the bytes.
    await frame.locator('input[type="file"]').setInputFiles(fileOnDisk(server, "readme", Buffer.from([0, 1, 2, 3, 0xfe, 0xff, 7, 9])));
    const alert = frame.getByRole("alert").filter({ hasText: "readme" });
    await alert.waitFor();
    assert.equal((await alert.locator("span").innerText()).trim(), "readme 发送失败：不支持此类文件。");
    await screenshot(page, "widget-zh-file-refused");
    await context.close();
  });

  test("in Chinese, a rating left for after a reload can be declined, and is not asked again", async () => {
    const context = await newContext({ locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto(website.url + "/?lang=zh-CN");
    // What the frame keeps when a conversation closed unrated (no visitor token: no socket needed).
    await page.evaluate(() => localStorage.setItem("switchboard:demo", JSON.stringify({ r: "c_closed_earlier", rc: Date.now() })));
    await page.reload();
    let { frame } = await openChat(page, { launcher: /^打开聊天/, textbox: "消息" });
    await frame.getByText("您上次的对话已结束。").waitFor();
    await frame.getByRole("radio", { name: "4 分（满分 5 分）" }).waitFor();
    // The stars are one radio group: one Tab stop, the arrow keys choose.
    const stars = frame.getByRole("radiogroup", { name: "您对本次服务满意吗？" });
    assert.deepEqual(await stars.getByRole("radio").evaluateAll((els) => els.map((el) => el.tabIndex)), [0, -1, -1, -1, -1]);
    await stars.getByRole("radio", { name: "1 分（满分 5 分）" }).focus();
    for (const key of ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft", "End", "ArrowLeft"]) await page.keyboard.press(key);
    const four = stars.getByRole("radio", { name: "4 分（满分 5 分）" });
    assert.equal(await four.getAttribute("aria-checked"), "true");
    assert.ok(await four.evaluate((el) => el === document.activeElement), "the focus follows the choice");
    assert.deepEqual(await stars.getByRole("radio").evaluateAll((els) => els.map((el) => el.tabIndex)), [-1, -1, -1, 0, -1]);
    await frame.getByRole("button", { name: "提交评价" }).waitFor();
    await screenshot(page, "widget-rating-zh");
    // The same visitor in another tab (the same storage) is asked as well, until declined here.
    const other = await context.newPage();
    await other.goto(website.url + "/?lang=zh-CN");
    const { frame: otherFrame } = await openChat(other, { launcher: /^打开聊天/, textbox: "消息" });
    await otherFrame.getByText("您上次的对话已结束。").waitFor();
    await frame.getByRole("button", { name: "不用了" }).click();
    await frame.getByText("您上次的对话已结束。").waitFor({ state: "detached" });
    await otherFrame.getByText("您上次的对话已结束。").waitFor({ state: "detached" });
    await other.reload();
    await openChat(other, { launcher: /^打开聊天/, textbox: "消息" });
    await (await widgetFrame(other)).getByRole("textbox", { name: "消息" }).waitFor();
    assert.equal(await (await widgetFrame(other)).getByText("您上次的对话已结束。").count(), 0);
    await page.reload();
    ({ frame } = await openChat(page, { launcher: /^打开聊天/, textbox: "消息" }));
    await frame.getByRole("textbox", { name: "消息" }).waitFor();
    assert.equal(await frame.getByText("您上次的对话已结束。").count(), 0);
    await context.close();
  });

  test("the demo shop embeds the widget", async () => {
    const context = await newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url + "/demo/");
    await page.getByRole("heading", { name: "Demo Shop", level: 1 }).waitFor();
    // The page says what language it is in, and so does its one Chinese example, so
    // a screen reader reads each in its own language (and the widget opens in English).
    const languages = await page.evaluate(() => {
      const chinese = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode())
        if (/\p{Script=Han}/u.test(n.textContent)) chinese.push([n.textContent.trim(), n.parentElement.closest("[lang]").getAttribute("lang")]);
      return { page: document.documentElement.lang, chinese };
    });
    assert.deepEqual(languages, { page: "en", chinese: [["怎么退款？", "zh"]] });
    const { input, log } = await openChat(page);
    await input.fill("How long does shipping take?");
    await input.press("Enter");
    await log.locator(".sb-theirs").first().waitFor();
    await screenshot(page, "widget-demo");
    assert.deepEqual(errors, []);
    await context.close();
  });
});

// A second server whose demo tenant has a [widget] section, no bot (so nobody can
// answer until an agent comes online) and one allowed website origin.
describe("the tenant's [widget] settings", () => {
  let server2, shop, stranger;
  const kGreen = "rgb(10, 125, 56)";

  before(async () => {
    shop = await startWebsite(() => server2.url);
    stranger = await startWebsite(() => server2.url);
    server2 = await startServer({
      prepare(tenantsDir) {
        alwaysOpen(tenantsDir);
        const file = path.join(tenantsDir, "demo.toml");
        let text = dropTables(dropTables(readFileSync(file, "utf8"), "bot"), "widget");
        text += `
[widget]
color = "#0a7d38"
position = "left"
allowed_origins = ["${shop.url}"]

[widget.pre_chat]
enabled = true
fields = ["name", "email", "question"]

[widget.texts.en]
title = "Acme Help Desk"
greeting = "Welcome to the help desk!"
offline_message = "Nobody is here right now. Leave us a message and we will email you."
`;
        writeFileSync(file, text);
      },
    });
  });

  after(async () => {
    await server2?.dispose();
    await shop?.close();
    await stranger?.close();
  });

  test("GET /v1/tenants/ID/widget answers them", async () => {
    const r = await api(server2, "GET", "/v1/tenants/demo/widget");
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("cache-control"), "no-cache");
    assert.equal(r.json.color, "#0a7d38");
    assert.equal(r.json.position, "left");
    assert.equal(r.json.texts.en.title, "Acme Help Desk");
    assert.ok(r.json.texts.zh.title, "Chinese defaults are filled in");
    assert.deepEqual(r.json.pre_chat, { enabled: true, fields: ["name", "email", "question"] });
    assert.equal(r.json.available, false, "no bot and no agent online");
    assert.equal((await api(server2, "GET", "/v1/tenants/nope/widget")).status, 404);
  });

  test("a press on the launcher opens the chat though the tenant's side arrives while it is held", async () => {
    // A first visit: the launcher starts on the right and moves to this tenant's left
    // once the frame has read the settings. A press across that moment (a test's
    // click on a loaded machine, a quick visitor) must still open the chat: the
    // launcher does not move from under the pointer, and moves once released.
    const context = await newContext();
    const page = await context.newPage();
    let answer;
    const held = new Promise((resolve) => (answer = resolve));
    await page.route("**/v1/tenants/demo/widget", async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(shop.url + "/");
    await page.waitForSelector('iframe[src*="/widget/"]', { state: "attached" }); // made when the browser is idle
    const launcher = page.getByRole("button", { name: /^Open chat/ });
    const box = await launcher.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    answer();
    // The loader keeps the look it was told: the settings have arrived, with "left".
    await page.waitForFunction(() => JSON.parse(localStorage.getItem("switchboard:demo:look") ?? "{}").position === "left");
    await page.mouse.up();
    const frame = await widgetFrame(page);
    await frame.getByRole("dialog").waitFor();
    assert.equal(await page.getByRole("button", { name: /^Close chat/ }).getAttribute("aria-expanded"), "true");
    // And then it is on the tenant's side.
    await page.waitForFunction(() => document.querySelector("button[aria-haspopup=dialog]").getBoundingClientRect().left < innerWidth / 2);
    await context.close();
  });

  test("nobody can answer: the offline message and a 'leave a message' form that reaches the agents", async () => {
    const context = await newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(shop.url + "/");
    await widgetFrame(page);
    const launcher = page.getByRole("button", { name: /^Open chat/ });
    // The tenant's colour and side reach the launcher once the frame has read them.
    await page.waitForFunction(([color]) => {
      const b = [...document.querySelectorAll("button")].find((x) => x.getAttribute("aria-label")?.startsWith("Open chat"));
      return b && getComputedStyle(b).backgroundColor === color && b.getBoundingClientRect().left < 100;
    }, [kGreen]);
    void launcher;
    const { frame } = await openChat(page, { textbox: "Name" });
    await frame.getByRole("heading", { name: "Acme Help Desk" }).waitFor();
    assert.equal(await frame.locator(".sb-header").evaluate((el) => getComputedStyle(el).backgroundColor), kGreen);
    await frame.getByText("Nobody is here right now. Leave us a message and we will email you.").waitFor();
    const box = await page.locator('iframe[src*="/widget/"]').boundingBox();
    assert.ok(box.x < 100, "the panel opens on the left");
    await frame.getByRole("button", { name: "Send message" }).click();
    await frame.getByRole("alert").filter({ hasText: "Please fill in Name." }).waitFor();
    // The field the complaint is about has the focus, is marked invalid and described by it.
    const refused = async (field, complaint) => {
      const box = frame.getByRole("textbox", { name: field });
      assert.deepEqual(
        await box.evaluate((el) => [el === document.activeElement, el.getAttribute("aria-invalid"), document.getElementById(el.getAttribute("aria-describedby") ?? "")?.textContent]),
        [true, "true", complaint],
      );
    };
    await refused("Name", "Please fill in Name.");
    await frame.getByRole("textbox", { name: "Name" }).fill("Ada");
    await frame.getByRole("textbox", { name: "Email" }).fill("ada@");
    await frame.getByRole("textbox", { name: "Message" }).fill("Do you ship to Norway?");
    await frame.getByRole("button", { name: "Send message" }).click();
    await refused("Email", "Please enter a valid email address.");
    assert.equal(await frame.getByRole("textbox", { name: "Name" }).getAttribute("aria-invalid"), null);
    await frame.getByRole("textbox", { name: "Email" }).fill("ada@example.com");
    await frame.getByRole("textbox", { name: "Message" }).fill("Do you ship to Norway?");
    await screenshot(page, "widget-offline");
    await frame.getByRole("button", { name: "Send message" }).click();
    await frame.getByText("Thank you! We received your message and will reply by email.").waitFor();
    await frame.locator('.sb-mine[data-state="sent"]', { hasText: "Do you ship to Norway?" }).waitFor();

    const agent = await startAgent(browser, server2);
    await agent.connect();
    const assigned = await agent.waitFor({ type: "conversation.assigned", history: { 0: { text: "Do you ship to Norway?" } } });
    assert.equal(assigned.conversation.visitor.name, "Ada");
    assert.equal(assigned.conversation.visitor.email, "ada@example.com");
    await agent.close();
    await context.close();
  });

  test("someone can answer: the pre-chat form asks name, email and the question first", async () => {
    const agent = await startAgent(browser, server2);
    await agent.connect();
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(shop.url + "/");
    const { frame } = await openChat(page, { textbox: "Name" });
    await frame.getByText("Welcome to the help desk!").waitFor();
    await frame.getByRole("textbox", { name: "Name" }).fill("Grace");
    await frame.getByRole("textbox", { name: "Email" }).fill("not an email");
    await frame.getByRole("textbox", { name: "Your question" }).fill("Can I change my delivery address?");
    await frame.getByRole("button", { name: "Start chat" }).click();
    await frame.getByRole("alert").filter({ hasText: "valid email" }).waitFor();
    await frame.getByRole("textbox", { name: "Email" }).fill("grace@example.com");
    await frame.getByRole("button", { name: "Start chat" }).click();
    const assigned = await agent.waitFor({ type: "conversation.assigned", history: { 0: { text: "Can I change my delivery address?" } } });
    assert.equal(assigned.conversation.visitor.name, "Grace");
    assert.equal(assigned.conversation.visitor.email, "grace@example.com");
    await frame.getByText("Dana joined the chat").waitFor();
    await frame.getByRole("textbox", { name: "Message" }).waitFor();
    await agent.close();
    await context.close();
  });

  test("allowed_origins: another website can neither frame the chat nor open its socket", async () => {
    assert.equal(await upgradeStatus(server2.url, stranger.url), 403);
    assert.equal(await upgradeStatus(server2.url, shop.url), 101);
    // The widget's frame is served by Switchboard: its socket carries the server's own origin.
    assert.equal(await upgradeStatus(server2.url, server2.url), 101, "the chat frame's own origin may connect");
    const frameHeaders = await api(server2, "GET", "/widget/?tenant=demo");
    assert.match(frameHeaders.headers.get("content-security-policy"), new RegExp(`frame-ancestors ${shop.url}`));

    const context = await newContext();
    const page = await context.newPage();
    await page.goto(stranger.url + "/");
    const element = await page.waitForSelector('iframe[src*="/widget/"]', { state: "attached" });
    await page.waitForTimeout(1500);
    const frame = await element.contentFrame();
    assert.equal(frame ? await frame.locator("#app").count() : 0, 0, "the chat frame did not load on a website not allowed");
    await context.close();
  });
});
