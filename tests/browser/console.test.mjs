// The agent console in real Chromium against a real server: sign-in, the inbox,
// chatting with a visitor (driven over the raw visitor WebSocket from node),
// canned replies, private notes, tags, transfer, close, manual routing's queue,
// reconnect after a server restart, history paging, Chinese, attachments.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { api, fileOnDisk, launchBrowser, PDF, png, screenshot, startServer } from "./harness.mjs";
import { convButton, log, signIn, sleep, Visitor, waitFor } from "./console-support.mjs";

const DEMO_AGENT = { tenant: "demo", email: "agent@demo.local", password: "demo-agent" };
const DEMO_ADMIN = { tenant: "demo", email: "admin@demo.local", password: "demo-admin" };
const ACME_AGENT = { tenant: "acme", email: "agent@acme.local", password: "acme-agent" };

// A screenshot without passing notices, after transitions settle.
async function settledScreenshot(page, name) {
  for (const button of await page.locator(".toast button").all()) await button.click().catch(() => {});
  await sleep(400);
  await screenshot(page, name);
}

describe("agent console", () => {
  let server, browser, context, page, adminToken;
  const visitors = [];
  const dialogs = [];

  before(async () => {
    server = await startServer({
      prepare: (dir) => {
        // acme routes manually: conversations are offered, the first Accept takes them.
        const file = path.join(dir, "acme.toml");
        writeFileSync(file, readFileSync(file, "utf8").replace('chain = ["routing-round-robin"]', 'chain = ["routing-manual"]'));
      },
    });
    const login = await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password } });
    adminToken = login.json.token;
    await api(server, "POST", "/v1/tenants/demo/canned-replies", { token: adminToken, body: { shortcut: "thanks", text: "Thank you for waiting!" } });
    await api(server, "POST", "/v1/tenants/demo/canned-replies", { token: adminToken, body: { shortcut: "refund", text: "Refunds reach your card within 5 days." } });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 860 }, locale: "en-US" });
    context.setDefaultTimeout(15000);
    page = await context.newPage();
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  after(async () => {
    for (const v of visitors) v.close();
    await browser?.close();
    await server?.dispose();
  });

  test("a wrong password is refused on the sign-in page", async () => {
    // Finding nobody signed in is no error: the page's console stays clean.
    const consoleErrors = [];
    const onConsole = (m) => m.type() === "error" && consoleErrors.push(m.text());
    page.on("console", onConsole);
    await page.goto(`${server.url}/console/`);
    await page.getByRole("heading", { name: "Sign in to the agent console" }).waitFor();
    await page.waitForLoadState("networkidle");
    page.off("console", onConsole);
    assert.deepEqual(consoleErrors, []);
    await page.getByLabel("Workspace").fill("demo");
    await page.getByLabel("Email").fill(DEMO_AGENT.email);
    await page.getByLabel("Password").fill("not-the-password");
    await screenshot(page, "console-signin");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Wrong email or password." }).waitFor();
  });

  test("signs in with a cookie session, no token in any URL", async () => {
    const urls = [];
    page.on("request", (r) => urls.push(r.url()));
    page.on("websocket", (ws) => urls.push(ws.url()));
    await signIn(page, server, DEMO_AGENT);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "sb_session");
    assert.ok(session, "the sb_session cookie is set");
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    await page.reload();
    await page.getByRole("tab", { name: /Mine/ }).waitFor(); // restored from the cookie
    await waitFor("the agent socket", () => urls.some((u) => u.includes("/v1/ws/agent")));
    assert.ok(!urls.some((u) => /[?&]token=/.test(u)), "no token in a URL: " + urls.filter((u) => /token=/.test(u)).join(" "));
    await page.getByRole("combobox", { name: "Presence" }).waitFor();
  });

  test("a visitor is assigned; messages, typing and read go both ways", async () => {
    const ada = await new Visitor(server, "demo", { type: "hello", name: "Ada Lovelace", email: "ada@example.com", meta: { page: "https://shop.example/cart", lang: "en-GB", plan: "gold" } }).connect();
    visitors.push(ada);
    ada.say("Hi, where is my order?");
    await convButton(page, "Ada Lovelace").click();
    await log(page).getByText("Hi, where is my order?").waitFor();
    // visitor panel
    const panel = page.getByRole("complementary", { name: "Visitor details" });
    await panel.getByText("ada@example.com").waitFor();
    await panel.getByText("https://shop.example/cart").waitFor();
    await panel.getByText("gold").waitFor();
    // The visitor's language by its name in the console's language, not as the tag "en-GB".
    assert.equal(await panel.locator("dt", { hasText: "Language" }).locator("+ dd").innerText(), "British English");
    // the agent's read receipt reaches the visitor
    await ada.waitFrame((f) => f.type === "read" && f.from?.role === "agent");
    // agent typing → visitor
    const box = page.getByRole("textbox", { name: "Message" });
    await box.click();
    await box.pressSequentially("Let me check", { delay: 20 });
    await ada.waitFrame((f) => f.type === "typing" && f.on === true);
    await box.press("Enter");
    const answer = await ada.waitFrame((f) => f.type === "message" && f.text === "Let me check");
    assert.equal(answer.from.role, "agent");
    await log(page).getByText("✓ Sent").waitFor();
    await waitFor("the list's preview", async () => /You: Let me check/.test(await convButton(page, "Ada Lovelace").innerText()));
    // visitor typing → console
    ada.send({ type: "typing", conversation_id: ada.conversationId, on: true });
    await page.getByText("Ada Lovelace is typing…").first().waitFor();
    // visitor read → "Seen"
    ada.send({ type: "read", conversation_id: ada.conversationId, seq: answer.seq });
    await log(page).getByText("Seen").waitFor();
  });

  test("visitor text is shown as text, never as HTML", async () => {
    const ada = visitors[0];
    ada.say("<img src=x onerror=alert(1)>");
    await log(page).getByText("<img src=x onerror=alert(1)>").waitFor();
    assert.equal(await log(page).locator("img[src=x]").count(), 0);
    ada.say("see https://example.com/help and javascript:alert(2)");
    const link = log(page).getByRole("link", { name: "https://example.com/help" });
    await link.waitFor();
    assert.equal(await link.getAttribute("href"), "https://example.com/help");
    assert.equal(await log(page).getByRole("link", { name: /javascript/ }).count(), 0);
    // A long name (markup too) is cut short in the inbox; its row's time stays in view.
    const long = await new Visitor(server, "demo", { type: "hello", name: "<img src=x onerror=alert(3)> Maximilian Featherstonehaugh-Cholmondeley" }).connect();
    visitors.push(long);
    long.say("hello");
    const row = convButton(page, "<img src=x onerror=alert\\(3\\)> Maximilian");
    await row.waitFor();
    const [rowBox, timeBox] = [await row.boundingBox(), await row.locator(".conv-time").boundingBox()];
    assert.ok(timeBox.x + timeBox.width <= rowBox.x + rowBox.width, `the time (${timeBox.x}+${timeBox.width}) within the row (${rowBox.x}+${rowBox.width})`);
    assert.equal(await page.locator("img[src=x]").count(), 0);
    long.send({ type: "close", conversation_id: long.conversationId });
    await long.waitFrame((f) => f.type === "conversation.closed");
    await sleep(300);
    assert.deepEqual(dialogs, []);
  });

  test("canned replies by / with search and keyboard", async () => {
    const ada = visitors[0];
    const box = page.getByRole("textbox", { name: "Message" });
    await box.fill("");
    await box.pressSequentially("Sure. /tha", { delay: 20 });
    const list = page.getByRole("listbox", { name: "Canned replies" });
    await list.getByRole("option", { name: /Thank you for waiting!/ }).waitFor();
    assert.equal(await list.getByRole("option").count(), 1);
    await box.press("Enter");
    assert.equal(await box.inputValue(), "Sure. Thank you for waiting!");
    await box.press("Enter");
    await ada.waitFrame((f) => f.type === "message" && f.text === "Sure. Thank you for waiting!");
  });

  test("a private note is marked and never reaches the visitor", async () => {
    const ada = visitors[0];
    const seen = ada.frames.length;
    await page.getByRole("button", { name: /Note/ }).click();
    const box = page.getByRole("textbox", { name: "Private note" });
    await box.fill("Gold customer: offer free shipping");
    await page.getByRole("button", { name: "Add note" }).click();
    const note = log(page).locator(".msg.note").filter({ hasText: "Gold customer: offer free shipping" });
    await note.waitFor();
    await note.getByText("Private note").waitFor();
    await page.getByRole("button", { name: "Reply" }).click();
    await page.getByRole("textbox", { name: "Message" }).fill("Anything else?");
    await page.getByRole("button", { name: "Send" }).click();
    await ada.waitFrame((f) => f.type === "message" && f.text === "Anything else?", seen);
    assert.ok(!ada.frames.slice(seen).some((f) => JSON.stringify(f).includes("free shipping")), "the note reached the visitor socket");
    const history = await api(server, "GET", `/v1/tenants/demo/conversations/${ada.conversationId}/messages`, { token: ada.token });
    assert.equal(history.status, 200);
    assert.ok(!history.text.includes("free shipping"), "the note is in the visitor's history");
  });

  test("tags are added and removed", async () => {
    const panel = page.getByRole("complementary", { name: "Visitor details" });
    await panel.getByRole("textbox", { name: "Add a tag" }).fill("vip");
    await panel.getByRole("button", { name: "Add" }).click();
    await panel.getByRole("button", { name: "Remove tag vip" }).waitFor();
    await panel.getByRole("textbox", { name: "Add a tag" }).fill("shipping");
    await panel.getByRole("textbox", { name: "Add a tag" }).press("Enter");
    await panel.getByRole("button", { name: "Remove tag shipping" }).click();
    await waitFor("the tag to go", async () => (await panel.getByRole("button", { name: "Remove tag shipping" }).count()) === 0);
    const record = await api(server, "GET", "/v1/tenants/demo/conversations?tag=vip", { token: adminToken });
    assert.deepEqual(record.json.conversations.map((c) => c.id), [visitors[0].conversationId]);
    // the tag filter
    await page.getByRole("combobox", { name: "Filter by tag" }).selectOption("vip");
    await convButton(page, "Ada Lovelace").waitFor();
    await page.getByRole("combobox", { name: "Filter by tag" }).selectOption("");
  });

  test("history pages back as the agent scrolls up", async () => {
    const bob = await new Visitor(server, "demo", { type: "hello", name: "Bob Long", meta: { lang: "en" } }).connect();
    visitors.push(bob);
    for (let i = 1; i <= 70; i++) {
      bob.say(`line ${i}`);
      if (i % 15 === 0) await sleep(1100); // under the per-connection rate
    }
    // Bob is not the open conversation: his messages count as unread in the title.
    await waitFor("the unread count in the title", async () => /^\(\d+\) /.test(await page.title()));
    await page.getByRole("button", { name: /^Bob Long, \d+ unread/ }).waitFor();
    // A fresh page knows only the newest page of history.
    await page.reload();
    await page.getByRole("tab", { name: /Mine/ }).waitFor(); // the cookie session is restored
    await convButton(page, "Bob Long").click();
    await log(page).getByText("line 70", { exact: true }).waitFor();
    assert.equal(await log(page).getByText("line 1", { exact: true }).count(), 0);
    await page.locator(".messages").evaluate((el) => {
      el.scrollTop = 0;
    });
    await log(page).getByText("line 1", { exact: true }).waitFor();
    for (const n of [1, 20, 21, 50, 70]) assert.equal(await log(page).getByText(`line ${n}`, { exact: true }).count(), 1, `line ${n} once`);
  });

  test("reconnects after a server restart; nothing lost or duplicated", async () => {
    const ada = visitors[0];
    await convButton(page, "Ada Lovelace").click();
    await server.stop();
    await page.getByRole("alert").filter({ hasText: "Connection lost. Reconnecting…" }).waitFor();
    // written while the server is down: pending, sent after the reconnect
    await page.getByRole("textbox", { name: "Message" }).fill("Back in a moment");
    await page.getByRole("textbox", { name: "Message" }).press("Enter");
    await log(page).getByText("Sending…").waitFor();
    await server.start();
    await page.getByText("Connection lost. Reconnecting…").waitFor({ state: "detached", timeout: 30000 });
    await ada.connect(); // same visitor token
    await ada.waitFrame((f) => f.type === "message" && f.text === "Back in a moment", 0, 15000);
    ada.say("Thanks, still here");
    await log(page).getByText("Thanks, still here").waitFor();
    await sleep(500);
    for (const text of ["Back in a moment", "Thanks, still here", "Let me check", "Hi, where is my order?"])
      assert.equal(await log(page).getByText(text, { exact: true }).count(), 1, `"${text}" once`);
    assert.equal(ada.frames.filter((f) => f.type === "message" && f.text === "Back in a moment").length, 1);
    await settledScreenshot(page, "console-inbox");
  });

  test("attachments: image thumbnail, PDF link, refusals shown", async () => {
    const ada = visitors[0];
    const chooser = page.locator('input[type="file"]');
    await chooser.setInputFiles([
      { name: "photo.png", mimeType: "image/png", buffer: png(64, 48) },
      { name: "invoice.pdf", mimeType: "application/pdf", buffer: PDF },
    ]);
    const uploads = page.getByRole("list", { name: "Attach a file" });
    await uploads.getByText("invoice.pdf").waitFor();
    await waitFor("the uploads", async () => (await uploads.getByRole("progressbar").count()) === 0, 15000);
    assert.equal(await uploads.getByRole("alert").count(), 0, await uploads.innerText());
    await page.getByRole("textbox", { name: "Message" }).fill("Here you go");
    await page.getByRole("button", { name: "Send" }).click();
    const sent = await ada.waitFrame((f) => f.type === "message" && f.text === "Here you go");
    assert.equal(sent.attachments?.length, 2);
    const img = log(page).getByRole("img", { name: "photo.png" });
    await img.waitFor();
    assert.match(await img.getAttribute("src"), /\/attachments\/att_[^/]+\/thumbnail$/);
    await waitFor("the thumbnail to load", () => img.evaluate((el) => el.complete && el.naturalWidth > 0));
    const pdf = log(page).getByRole("link", { name: /invoice\.pdf/ });
    assert.match(await pdf.getAttribute("href"), /\/attachments\/att_/);
    // over the default limit (10 MiB), and a type the tenant does not allow
    await chooser.setInputFiles(fileOnDisk(server, "big.pdf", Buffer.concat([PDF, Buffer.alloc(11 * 1024 * 1024, 32)])));
    await page.getByRole("alert").filter({ hasText: "big.pdf" }).waitFor();
    await chooser.setInputFiles([{ name: "page.html", mimeType: "text/html", buffer: Buffer.from("<!doctype html><html><body><script>alert(1)</script></body></html>") }]);
    await page.getByRole("alert").filter({ hasText: "page.html" }).waitFor();
  });

  test("transfer to another agent", async () => {
    const adminContext = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const admin = await adminContext.newPage();
    await signIn(admin, server, DEMO_ADMIN);
    await waitFor("Alex online", async () => (await api(server, "GET", "/v1/tenants/demo/agents", { token: adminToken })).json.agents.some((a) => a.id === "alex" && a.status === "online"));
    await convButton(page, "Bob Long").click();
    await page.getByRole("button", { name: "Transfer" }).click();
    const dialog = page.getByRole("dialog", { name: "Transfer the conversation" });
    // A plain agent picks the colleague by name (and sees who can take it), and
    // learns nothing an admin's list shows besides.
    const colleague = dialog.getByRole("combobox", { name: "Agent" });
    await colleague.getByRole("option", { name: "Alex (Online)" }).waitFor({ state: "attached" });
    assert.doesNotMatch(await dialog.innerText(), /@demo\.local|admin/i);
    await dialog.getByRole("radio", { name: "To a group" }).check();
    const group = dialog.getByRole("combobox", { name: "Group" });
    assert.deepEqual(await group.locator("option").allInnerTexts(), ["Choose a group", "Customer support", "Sales"]);
    await dialog.getByRole("radio", { name: "To an agent" }).check();
    await colleague.selectOption({ label: "Alex (Online)" });
    await settledScreenshot(page, "console-transfer");
    await dialog.getByRole("button", { name: "Transfer" }).click();
    await page.getByRole("status").filter({ hasText: "Transferred to Alex." }).waitFor();
    await admin.getByRole("tab", { name: /Mine/ }).click();
    await convButton(admin, "Bob Long").waitFor();
    await waitFor("Bob to leave Mine", async () => (await page.getByRole("tabpanel").getByRole("button", { name: /^Bob Long/ }).count()) === 0);
    // The agent who passed it on, still looking at it, sees it is Alex's now: no
    // composer, no Transfer or Close, the header and banner name Alex.
    await page.locator(".state-banner").filter({ hasText: "This conversation is with Alex." }).waitFor();
    assert.equal(await page.getByRole("textbox", { name: "Message" }).count(), 0);
    assert.equal(await page.getByRole("toolbar", { name: "Conversation actions" }).getByRole("button", { name: /^(Transfer|Close)$/ }).count(), 0);
    await settledScreenshot(page, "console-transferred-away");
    // Where it arrives, the receiving agent reads who passed it on.
    await convButton(admin, "Bob Long").click();
    await admin.locator(".transfer-note").filter({ hasText: /^Transferred by Dana/ }).waitFor();
    await settledScreenshot(admin, "console-transferred-by");
    // the admin's All tab lists open conversations of everyone
    await admin.getByRole("tab", { name: /All/ }).click();
    await convButton(admin, "Ada Lovelace").waitFor();
    await adminContext.close();
  });

  test("close a conversation", async () => {
    const ada = visitors[0];
    await convButton(page, "Ada Lovelace").click();
    await page.getByRole("button", { name: "Close conversation" }).click();
    await page.getByRole("dialog", { name: "Close conversation" }).getByRole("button", { name: "Close it" }).click();
    await ada.waitFrame((f) => f.type === "conversation.closed");
    await page.getByText("This conversation is closed.").waitFor();
    await page.getByRole("tab", { name: /Closed/ }).click();
    await convButton(page, "Ada Lovelace").waitFor();
  });

  test("manual routing: the offer shows in Queue and Accept takes it", async () => {
    const acmeContext = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const acme = await acmeContext.newPage();
    acme.on("console", (m) => console.log("acme console:", m.text()));
    acme.on("requestfailed", (r) => console.log("acme failed:", r.url(), r.failure()?.errorText));
    await signIn(acme, server, ACME_AGENT);
    const cleo = await new Visitor(server, "acme", { type: "hello", name: "Cleo Queue" }).connect();
    visitors.push(cleo);
    cleo.say("Anyone there?");
    await acme.getByRole("tab", { name: /Queue/ }).click();
    await acme.getByRole("button", { name: "Accept Cleo Queue" }).click();
    await cleo.waitFrame((f) => f.type === "conversation.assigned");
    await log(acme).getByText("Anyone there?").waitFor();
    await acme.getByRole("tab", { name: /Mine/ }).click();
    await convButton(acme, "Cleo Queue").waitFor();
    await acmeContext.close();
  });

  test("two agents race to accept: the one too late is told so in Chinese, and the conversation leaves their queue", async () => {
    const contexts = [];
    const open = async (who, locale, stale = false) => {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 860 }, locale });
      ctx.setDefaultTimeout(15000);
      contexts.push(ctx);
      // A console whose queue.left is still on its way when its agent clicks Accept:
      // the server's frames reach it without that one.
      if (stale)
        await ctx.routeWebSocket(/\/v1\/ws\/agent/, (ws) => {
          const server = ws.connectToServer();
          server.onMessage((m) => {
            if (!/"type":"queue\.left"/.test(String(m))) ws.send(m);
          });
        });
      const p = await ctx.newPage();
      await signIn(p, server, who);
      return p;
    };
    const first = await open(ACME_AGENT, "en-US");
    const late = await open({ tenant: "acme", email: "admin@acme.local", password: "acme-admin" }, "en-US", true);
    await late.getByRole("combobox", { name: "Language" }).selectOption("zh");
    const dora = await new Visitor(server, "acme", { type: "hello", name: "Dora Race" }).connect();
    visitors.push(dora);
    dora.say("Who takes this one?");
    await first.getByRole("tab", { name: /Queue/ }).click();
    await late.getByRole("tab", { name: /排队/ }).click();
    await late.getByRole("button", { name: "接入 Dora Race" }).waitFor();
    // What the visitor asked shows in the queue, to decide whom to take first.
    await waitFor("the question in the queue", async () => /Who takes this one\?/.test(await convButton(first, "Dora Race").innerText()));
    await first.getByRole("button", { name: "Accept Dora Race" }).click();
    await dora.waitFrame((f) => f.type === "conversation.assigned");
    // The other console has not heard yet that it left the queue: its Accept comes second.
    await late.getByRole("button", { name: "接入 Dora Race" }).click();
    await late.getByRole("alert").filter({ hasText: "其他客服已先接入了这个会话。" }).waitFor();
    assert.equal(await late.getByText(/already taken/).count(), 0, "no server English");
    await late.getByRole("tab", { name: /排队/, selected: true }).waitFor();
    await late.getByRole("button", { name: "接入 Dora Race" }).waitFor({ state: "detached" });
    assert.equal(await log(late).count(), 0, "no conversation left open as if it were waiting");
    await screenshot(late, "console-accept-race-zh");
    for (const ctx of contexts) await ctx.close();
  });

  test("the console in Chinese", async () => {
    await page.getByRole("tab", { name: /Mine/ }).click();
    await page.getByRole("combobox", { name: "Language" }).selectOption("zh");
    await page.getByRole("tab", { name: /我的/ }).waitFor();
    await page.getByRole("tab", { name: /排队/ }).waitFor();
    await page.getByRole("combobox", { name: "在线状态" }).waitFor();
    const dee = await new Visitor(server, "demo", { type: "hello", name: "李雷", meta: { lang: "zh-CN", page: "https://shop.example/zh" } }).connect();
    visitors.push(dee);
    dee.say("你好，我的订单到哪里了？");
    await page.getByRole("button", { name: /^李雷/ }).click();
    await page.getByRole("log", { name: "消息" }).getByText("你好，我的订单到哪里了？").waitFor();
    await page.getByRole("textbox", { name: "消息" }).fill("您好！我帮您查一下。");
    await page.getByRole("button", { name: "发送" }).click();
    await dee.waitFrame((f) => f.type === "message" && f.text === "您好！我帮您查一下。");
    // The list shows the answer as the conversation's latest, at once.
    await waitFor("the list's preview", async () => /我：您好！我帮您查一下。/.test(await page.getByRole("button", { name: /^李雷/ }).innerText()));
    const panel = page.getByRole("complementary", { name: "访客信息" });
    await panel.getByRole("textbox", { name: "添加标签" }).fill("物流");
    await panel.getByRole("button", { name: "添加" }).click();
    await panel.getByRole("button", { name: "移除标签 物流" }).waitFor();
    assert.equal(await panel.locator("dt", { hasText: "语言" }).locator("+ dd").innerText(), "中文（中国）");
    await page.getByRole("button", { name: /备注/ }).click();
    await page.getByRole("textbox", { name: "内部备注" }).fill("已请仓库核实发货状态");
    await page.getByRole("button", { name: "添加备注" }).click();
    await page.getByRole("log", { name: "消息" }).getByText("已请仓库核实发货状态").waitFor();
    await page.getByRole("button", { name: "回复" }).click();
    dee.send({ type: "typing", conversation_id: dee.conversationId, on: true });
    await page.getByRole("status").filter({ hasText: "李雷 正在输入…" }).waitFor();
    await settledScreenshot(page, "console-zh");
    await page.getByRole("button", { name: "转接" }).click();
    const transfer = page.getByRole("dialog", { name: "转接会话" });
    await transfer.getByRole("combobox", { name: "客服" }).getByRole("option", { name: /^Alex \((在线|离线)\)$/ }).waitFor({ state: "attached" });
    await transfer.getByRole("radio", { name: "转给分组" }).check();
    await transfer.getByRole("combobox", { name: "分组" }).getByRole("option", { name: "Customer support" }).waitFor({ state: "attached" });
    await settledScreenshot(page, "console-transfer-zh");
    await page.keyboard.press("Escape");
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "键盘快捷键" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("combobox", { name: "语言" }).selectOption("en");
    await page.getByRole("tab", { name: /Mine/ }).waitFor();
  });

  test("on a phone-sized window: the inbox, then the conversation across the width with a way back", async () => {
    const narrow = await browser.newContext({ viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true, locale: "en-US" });
    narrow.setDefaultTimeout(15000);
    const phone = await narrow.newPage();
    await signIn(phone, server, DEMO_AGENT);
    const nora = await new Visitor(server, "demo", { type: "hello", name: "Nora Narrow" }).connect();
    visitors.push(nora);
    nora.say("Is the small olive tree in stock, and can it be shipped abroad?");
    // A new chat opens by itself when none is open; else it is picked from the list.
    const bubble = log(phone).getByText("Is the small olive tree in stock");
    await bubble.or(convButton(phone, "Nora Narrow")).first().waitFor();
    if (!(await bubble.isVisible())) await convButton(phone, "Nora Narrow").click();
    await bubble.waitFor();
    // Not squeezed beside the list: the message and the composer have room, nothing overflows.
    assert.equal(await phone.getByRole("tablist").isVisible(), false, "the list gives way to the conversation");
    assert.ok((await bubble.boundingBox()).width > 200, `the message is ${(await bubble.boundingBox()).width}px wide`);
    assert.ok((await phone.getByRole("textbox", { name: "Message" }).boundingBox()).width > 200, "the composer has room");
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok(overflow <= 8, `the page is ${overflow}px wider than the screen`);
    await screenshot(phone, "console-phone");
    await phone.getByRole("button", { name: "Back to the inbox" }).click();
    await convButton(phone, "Nora Narrow").waitFor();
    assert.equal(await log(phone).count(), 0);
    await narrow.close();
  });

  test("keyboard shortcuts are listed", async () => {
    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await dialog.getByText("Next conversation").waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await page.keyboard.press("Alt+3");
    await page.getByRole("tab", { name: /Closed/, selected: true }).waitFor();
    await page.keyboard.press("Alt+1");
    await page.getByRole("tab", { name: /Mine/, selected: true }).waitFor();
    // The inbox's tabs: one Tab stop, the arrow keys (round), Home and End move.
    const tabs = page.getByRole("tablist", { name: "Inbox" }).getByRole("tab");
    assert.deepEqual(await tabs.evaluateAll((els) => els.map((el) => el.tabIndex)), [0, -1, -1]);
    await page.getByRole("tab", { name: /Mine/ }).focus();
    const focusedTab = () => page.evaluate(() => document.activeElement?.getAttribute("aria-selected") === "true" && document.activeElement.id);
    for (const [key, id] of [["ArrowRight", "tab-queue"], ["End", "tab-closed"], ["ArrowRight", "tab-mine"], ["ArrowLeft", "tab-closed"], ["Home", "tab-mine"]]) {
      await page.keyboard.press(key);
      assert.equal(await focusedTab(), id, `after ${key}`);
    }
  });

  test("presence: a change in one tab shows in every tab", async () => {
    const other = await context.newPage();
    await other.goto(`${server.url}/console/`); // the same session: signed in already
    await page.getByRole("combobox", { name: "Presence" }).selectOption("away");
    await waitFor("the other tab to show away", async () => (await other.getByRole("combobox", { name: "Presence" }).inputValue()) === "away");
    await other.getByRole("combobox", { name: "Presence" }).selectOption("online");
    await waitFor("this tab to show online", async () => (await page.getByRole("combobox", { name: "Presence" }).inputValue()) === "online");
    await other.close();
  });

  test("an agent removed by an admin is sent to sign-in with the reason", async () => {
    const created = await api(server, "POST", "/v1/tenants/demo/agents", {
      token: adminToken,
      body: { email: "temp@demo.local", name: "Temp", password: "temporary-password-1", role: "agent", groups: ["support"] },
    });
    assert.equal(created.status, 201, created.text);
    const tempContext = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const temp = await tempContext.newPage();
    await signIn(temp, server, { tenant: "demo", email: "temp@demo.local", password: "temporary-password-1" });
    const removed = await api(server, "DELETE", `/v1/tenants/demo/agents/${created.json.id}`, { token: adminToken });
    assert.ok(removed.status < 300, removed.text);
    await temp.getByRole("heading", { name: "Sign in to the agent console" }).waitFor();
    await temp.getByRole("status").filter({ hasText: "Your account was removed from this workspace." }).waitFor();
    await tempContext.close();
  });

  test("an agent an admin signs out everywhere is told an admin did it, not that they signed out in another tab", async () => {
    const created = await api(server, "POST", "/v1/tenants/demo/agents", {
      token: adminToken,
      body: { email: "temp2@demo.local", name: "Temp Two", password: "temporary-password-2", role: "agent", groups: ["support"] },
    });
    assert.equal(created.status, 201, created.text);
    const tempContext = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const temp = await tempContext.newPage();
    await signIn(temp, server, { tenant: "demo", email: "temp2@demo.local", password: "temporary-password-2" });
    const out = await api(server, "POST", `/v1/tenants/demo/agents/${created.json.id}/sign-out`, { token: adminToken });
    assert.equal(out.status, 200, out.text);
    await temp.getByRole("heading", { name: "Sign in to the agent console" }).waitFor();
    await temp.getByRole("status").filter({ hasText: "An admin signed you out. Please sign in again." }).waitFor();
    await screenshot(temp, "console-signed-out-by-admin");
    await tempContext.close();
  });

  test("signing out in another tab sends this one to sign-in with the reason", async () => {
    const other = await context.newPage();
    await other.goto(`${server.url}/console/`);
    await page.getByRole("tab", { name: /Mine/ }).waitFor();
    assert.equal(await page.getByText("Connection lost. Reconnecting…").count(), 0, "this tab is connected");
    await other.getByRole("button", { name: "Sign out" }).click();
    await other.getByRole("status").filter({ hasText: "You have signed out." }).waitFor();
    await page.getByRole("heading", { name: "Sign in to the agent console" }).waitFor();
    await page.getByRole("status").filter({ hasText: /signed out/i }).waitFor();
    await other.close();
    // and the cookie is gone: a reload stays on the sign-in page
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to the agent console" }).waitFor();
  });
});

describe("the console after a walk: names, previews, a reply too long", () => {
  let server, browser, page;
  const visitors = [];

  before(async () => {
    server = await startServer({
      prepare: (dir) => {
        // A small limit, so a too-long reply is quick to write.
        const file = path.join(dir, "demo.toml");
        writeFileSync(file, readFileSync(file, "utf8").replace("max_message_bytes = 65536", "max_message_bytes = 3000"));
      },
    });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, locale: "en-US" });
    context.setDefaultTimeout(15000);
    page = await context.newPage();
  });

  after(async () => {
    for (const v of visitors) v.close();
    await browser?.close();
    await server?.dispose();
  });

  test("the header names the group, a reload keeps each entry's last message, a reply over the limit stays in the composer", async () => {
    await signIn(page, server, DEMO_AGENT);
    const ada = await new Visitor(server, "demo", { type: "hello", name: "Ada", meta: { page: "https://shop.example/cart", lang: "en" } }).connect();
    const bo = await new Visitor(server, "demo", { type: "hello", name: "Bo", meta: { page: "https://shop.example/zh/lamps", lang: "zh-CN" } }).connect();
    visitors.push(ada, bo);
    ada.say("Where is my parcel?");
    await convButton(page, "Ada").waitFor();
    bo.say("台灯有货吗？");
    await convButton(page, "Bo").waitFor();
    await convButton(page, "Ada").click();
    await log(page).getByText("Where is my parcel?").waitFor();
    // The group by its name (demo.toml: [groups.support] name = "Customer support").
    const header = page.locator(".conv-header");
    await header.locator(".group-pill").filter({ hasText: /^Customer support$/ }).waitFor();

    // A reply the server would refuse: not sent, kept, and the agent told how much to cut.
    const box = page.getByRole("textbox", { name: "Message" });
    const long = "Your parcel left our warehouse this morning. ".repeat(80);
    await box.fill(long);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const problem = page.getByRole("alert").filter({ hasText: /^Too long to send: remove \d+ characters, or send it as two messages\. Your text is still here\.$/ });
    await problem.waitFor();
    assert.equal(await box.inputValue(), long);
    assert.equal(await box.getAttribute("aria-invalid"), "true");
    assert.equal(await log(page).getByRole("button", { name: "Retry" }).count(), 0);
    assert.equal(await log(page).getByText("Not sent").count(), 0);
    await screenshot(page, "console-too-long-en");
    // Cut to what it says: sent.
    const over = Number(/remove (\d+) characters/.exec(await problem.innerText())[1]);
    const shorter = Array.from(long.trim()).slice(0, -over).join("");
    await box.fill(shorter);
    await problem.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await ada.waitFrame((f) => f.type === "message" && f.text === shorter);
    assert.equal(await box.inputValue(), "");

    // After a reload the list shows each conversation's last message, not the visitor's page.
    await page.reload();
    await page.getByRole("tab", { name: /Mine/ }).waitFor();
    await waitFor("Bo's last message in the list", async () => /台灯有货吗？/.test(await convButton(page, "Bo").innerText()));
    await waitFor("Ada's last message in the list", async () => /Your parcel left our warehouse/.test(await convButton(page, "Ada").innerText()));
    assert.doesNotMatch(await convButton(page, "Bo").innerText(), /shop\.example/);
    await screenshot(page, "console-reloaded-list-en");

    // In Chinese.
    await page.getByRole("combobox", { name: "Language" }).selectOption("zh");
    await convButton(page, "Bo").click();
    await page.getByRole("log", { name: "消息" }).getByText("台灯有货吗？").waitFor();
    await header.locator(".group-pill").filter({ hasText: /^Customer support$/ }).waitFor();
    const zhBox = page.getByRole("textbox", { name: "消息" });
    const zhLong = "您的包裹今天上午已经从仓库发出。".repeat(80);
    await zhBox.fill(zhLong);
    await page.getByRole("button", { name: "发送", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: /^内容太长，无法发送：请删去 \d+ 个字，或分成两条发送。您的文字仍保留在输入框中。$/ }).waitFor();
    assert.equal(await zhBox.inputValue(), zhLong);
    assert.equal(await page.getByRole("log", { name: "消息" }).getByRole("button", { name: "重试" }).count(), 0);
    await screenshot(page, "console-too-long-zh");
    await page.getByRole("combobox", { name: "语言" }).selectOption("en");
  });
});
