// The product end to end, as its two kinds of users use it: a visitor in the real
// widget on a plain website (another origin, the embed tag) and an agent signed in
// to the real console, each in their own browser context. Nothing is driven over a
// raw socket: every assertion is about what one of them sees.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { api, launchBrowser, PDF, png, screenshot, startServer } from "./harness.mjs";
import { convButton, log as consoleLog, signIn } from "./console-support.mjs";
import { alwaysOpen, openChat, startWebsite, watchDialogs, widgetFrame } from "./widget-support.mjs";

const DEMO_AGENT = { tenant: "demo", email: "agent@demo.local", password: "demo-agent" };
const VISITOR = "Ada Lovelace";
const AGENT_NAME = "Dana"; // agent@demo.local's display name

describe("a visitor in the widget chats with an agent in the console", () => {
  let server, browser, website;
  let agentContext, agent, agentDialogs; // the console
  let visitorContext, visitor, visitorDialogs; // the website with the widget

  // The widget's parts, found again after a reload.
  const widget = async () => {
    const frame = await widgetFrame(visitor);
    return { frame, log: frame.getByRole("log"), input: frame.getByRole("textbox", { name: "Message" }) };
  };
  const agentBox = () => agent.getByRole("textbox", { name: "Message" });
  // How many times a text shows as a message on each side.
  const widgetCount = async (text) => (await widget()).log.locator(".sb-msg .sb-bubble").filter({ hasText: new RegExp(`^${escape(text)}$`) }).count();
  const consoleCount = (text) => consoleLog(agent).getByText(text, { exact: true }).count();
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  before(async () => {
    server = await startServer({ prepare: alwaysOpen });
    browser = await launchBrowser();
    website = await startWebsite(server.url);
    agentContext = await browser.newContext({ viewport: { width: 1400, height: 860 }, locale: "en-US" });
    agentContext.setDefaultTimeout(15000);
    agent = await agentContext.newPage();
    agentDialogs = watchDialogs(agent);
    visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    visitorContext.setDefaultTimeout(15000);
    visitor = await visitorContext.newPage();
    visitorDialogs = watchDialogs(visitor);
  });

  after(async () => {
    await browser?.close();
    await website?.close();
    await server?.dispose();
  });

  test("1. the agent is online, the visitor writes: conversation, answer, name, typing and read on both sides", async () => {
    await signIn(agent, server, DEMO_AGENT);
    await agent.getByRole("combobox", { name: "Presence" }).waitFor();
    assert.equal(await agent.getByRole("combobox", { name: "Presence" }).inputValue(), "online");

    await visitor.goto(website.url + "/");
    await widgetFrame(visitor);
    await visitor.evaluate((name) => window.Switchboard.identify({ name }), VISITOR);
    const { frame, log, input } = await openChat(visitor);
    await input.fill("Hello, where is my order?");
    await input.press("Enter");
    // Sent (or already read, if the console opened the conversation by itself).
    await frame.locator('.sb-mine:is([data-state="sent"], [data-state="read"])', { hasText: "Hello, where is my order?" }).waitFor();

    // The console lists the new conversation; opening it shows the message.
    await convButton(agent, VISITOR).click();
    await consoleLog(agent).getByText("Hello, where is my order?").waitFor();

    // The agent opened it: the visitor's message shows read.
    await frame.locator('.sb-mine[data-state="read"]', { hasText: "Hello, where is my order?" }).waitFor();
    await log.getByText("Read", { exact: true }).waitFor();

    // The agent types: the visitor sees it, with the agent's name.
    await agentBox().click();
    await agentBox().pressSequentially("Let me check that for you", { delay: 20 });
    await frame.getByText(`${AGENT_NAME} is typing…`).waitFor();
    await agentBox().press("Enter");
    await log.getByText("Let me check that for you").waitFor();
    await log.getByText(`${AGENT_NAME} joined the chat`).waitFor();
    assert.equal(await log.locator(".sb-theirs .sb-who").last().textContent(), AGENT_NAME);

    // The visitor's panel is open: the answer counts as read, the console says Seen.
    await consoleLog(agent).getByText("Seen").waitFor();

    // The visitor types: the console shows it.
    await input.pressSequentially("order 1234", { delay: 20 });
    await agent.getByText(`${VISITOR} is typing…`).first().waitFor();
    await input.press("Enter");
    await consoleLog(agent).getByText("order 1234", { exact: true }).waitFor();
    await frame.getByText(`${AGENT_NAME} is typing…`).waitFor({ state: "detached" });

    await screenshot(visitor, "chat-visitor");
    await screenshot(agent, "chat-console");
  });

  test("2. markup sent from either side shows as text on the other, and nothing runs", async () => {
    const xss = "<img src=x onerror=alert(1)>";
    const { input, log } = await widget();
    await input.fill(xss);
    await input.press("Enter");
    await consoleLog(agent).getByText(xss, { exact: true }).waitFor();
    const back = "<b>bold</b><img src=y onerror=alert(2)>";
    await agentBox().fill(back);
    await agentBox().press("Enter");
    await log.getByText(back, { exact: true }).waitFor();
    await log.getByText(xss, { exact: true }).waitFor();
    assert.equal(await consoleLog(agent).getByText(back, { exact: true }).count(), 1);
    assert.equal(await log.locator("img, b").count(), 0, "no element made from chat text in the widget");
    assert.equal(await consoleLog(agent).locator("img[src=x], img[src=y], b").count(), 0, "no element made from chat text in the console");
    assert.deepEqual(visitorDialogs, []);
    assert.deepEqual(agentDialogs, []);
  });

  test("3. an image and a PDF both ways: a thumbnail and a download link on the other side", async () => {
    const { frame, log } = await widget();
    // The visitor sends a picture and a PDF from the widget.
    const widgetFiles = frame.locator('input[type="file"]');
    await widgetFiles.setInputFiles({ name: "parcel.png", mimeType: "image/png", buffer: png(80, 60) });
    await log.getByRole("img", { name: "Image parcel.png" }).waitFor();
    await widgetFiles.setInputFiles({ name: "receipt.pdf", mimeType: "application/pdf", buffer: PDF });
    await log.getByRole("link", { name: "Download receipt.pdf" }).waitFor();
    const thumb = consoleLog(agent).getByRole("img", { name: "parcel.png" });
    await thumb.waitFor();
    await agent.waitForFunction((el) => el.complete && el.naturalWidth > 0, await thumb.elementHandle());
    const receipt = consoleLog(agent).getByRole("link", { name: /receipt\.pdf/ });
    await receipt.waitFor();
    assert.match(await receipt.getAttribute("href"), /\/attachments\/att_/);

    // The agent sends a picture and a PDF from the console.
    await agent.locator('input[type="file"]').setInputFiles([
      { name: "label.png", mimeType: "image/png", buffer: png(64, 48) },
      { name: "return-label.pdf", mimeType: "application/pdf", buffer: PDF },
    ]);
    const uploads = agent.getByRole("list", { name: "Attach a file" });
    await uploads.getByText("return-label.pdf").waitFor();
    await agent.waitForFunction(() => !document.querySelector('[aria-label="Attach a file"] [role="progressbar"]'));
    assert.equal(await uploads.getByRole("alert").count(), 0, await uploads.innerText());
    await agentBox().fill("Your return label");
    await agent.getByRole("button", { name: "Send" }).click();
    await log.getByText("Your return label").waitFor();
    const image = log.getByRole("img", { name: "Image label.png" });
    await image.waitFor();
    await frame.waitForFunction((el) => el.complete && el.naturalWidth > 0, await image.elementHandle());
    await log.getByRole("link", { name: "Download return-label.pdf" }).waitFor();
    assert.deepEqual(visitorDialogs, []);
  });

  test("4. a private note from the console never shows on the visitor's page", async () => {
    await agent.getByRole("button", { name: /Note/ }).click();
    await agent.getByRole("textbox", { name: "Private note" }).fill("VIP: refund without asking");
    await agent.getByRole("button", { name: "Add note" }).click();
    await consoleLog(agent).locator(".msg.note").filter({ hasText: "VIP: refund without asking" }).waitFor();
    await agent.getByRole("button", { name: "Reply" }).click();
    // A message sent after the note arrives: the note would have come before it.
    await agentBox().fill("Anything else I can do?");
    await agentBox().press("Enter");
    const { frame, log } = await widget();
    await log.getByText("Anything else I can do?").waitFor();
    assert.equal(await frame.getByText("VIP: refund without asking").count(), 0, "the note shows in the widget");
    assert.ok(!(await frame.locator("body").innerText()).includes("refund without asking"));
  });

  test("5. a reload keeps the conversation; a server restart shows reconnecting on both sides, and nothing is lost or doubled", async () => {
    const history = ["Hello, where is my order?", "Let me check that for you", "order 1234", "<img src=x onerror=alert(1)>", "Your return label", "Anything else I can do?"];
    await visitor.reload();
    const { log } = await openChat(visitor);
    await log.getByText("Anything else I can do?").waitFor();
    for (const text of history) assert.equal(await widgetCount(text), 1, `"${text}" once in the widget after the reload`);
    await log.getByRole("link", { name: "Download receipt.pdf" }).waitFor();

    // The server goes away: the console's banner and the widget's reconnecting state.
    await server.stop();
    await agent.getByRole("alert").filter({ hasText: "Connection lost. Reconnecting…" }).waitFor();
    const w = await widget();
    await w.frame.getByText("Connection lost. Reconnecting…").waitFor();
    await server.start();
    await agent.getByText("Connection lost. Reconnecting…").waitFor({ state: "detached", timeout: 30000 });
    await w.frame.getByText("Connection lost. Reconnecting…").waitFor({ state: "detached", timeout: 30000 });

    // Right after: one message each way, each delivered once.
    await w.input.fill("Are you still there?");
    await w.input.press("Enter");
    await agentBox().fill("Yes, back again");
    await agentBox().press("Enter");
    await consoleLog(agent).getByText("Are you still there?", { exact: true }).waitFor();
    await w.log.getByText("Yes, back again").waitFor();
    await w.frame.locator('.sb-mine:is([data-state="sent"], [data-state="read"])', { hasText: "Are you still there?" }).waitFor();
    await consoleLog(agent).getByText("✓ Sent").or(consoleLog(agent).getByText("Seen")).first().waitFor();
    for (const text of [...history, "Are you still there?", "Yes, back again"]) {
      assert.equal(await widgetCount(text), 1, `"${text}" once in the widget`);
      assert.equal(await consoleCount(text), 1, `"${text}" once in the console`);
    }

    // What was read stays read: after another restart the reloaded widget still shows
    // the agent's mark under the visitor's message, with nothing new from the console
    // (it sends no receipt for what it had already read).
    await w.frame.locator('.sb-mine[data-state="read"]', { hasText: "Are you still there?" }).waitFor();
    await server.restart();
    await agent.getByText("Connection lost. Reconnecting…").waitFor({ state: "detached", timeout: 30000 });
    await visitor.reload();
    const again = await openChat(visitor);
    await again.log.getByText("Yes, back again").waitFor();
    await again.frame.locator('.sb-mine[data-state="read"]', { hasText: "Are you still there?" }).waitFor();
    await again.log.getByText("Read", { exact: true }).waitFor();
    await screenshot(visitor, "chat-visitor-read-after-restart");
  });

  test("6. the agent closes; the visitor rates it and the agent sees the rating", async () => {
    await agent.getByRole("button", { name: "Close conversation" }).click();
    await agent.getByRole("dialog", { name: "Close conversation" }).getByRole("button", { name: "Close it" }).click();
    await agent.getByText("This conversation is closed.").waitFor();
    const { frame } = await widget();
    await frame.getByText("The conversation was closed.").waitFor();
    await frame.getByRole("radio", { name: "5 of 5" }).click();
    await frame.getByRole("textbox", { name: "Comment (optional)" }).fill("Dana was great");
    await frame.getByRole("button", { name: "Send rating" }).click();
    await frame.getByText("Thank you for your feedback!").waitFor();

    // The console shows the rating in the visitor's details.
    const panel = agent.getByRole("complementary", { name: "Visitor details" });
    await panel.getByText("★★★★★ Dana was great").waitFor();
    // And the record says so (there is no GET of one conversation: the list, filtered).
    const login = await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: DEMO_AGENT.email, password: DEMO_AGENT.password } });
    const closed = await api(server, "GET", "/v1/tenants/demo/conversations?status=closed", { token: login.json.token });
    const record = closed.json.conversations.find((c) => c.visitor?.name === VISITOR);
    assert.equal(record?.csat?.score, 5);
    assert.equal(record.csat.comment, "Dana was great");
    assert.deepEqual(visitorDialogs, []);
    assert.deepEqual(agentDialogs, []);
  });
});
