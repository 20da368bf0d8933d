// The product over the server's own TLS ([tls] with a self-signed certificate): the
// agent signs in to the console at https:// (its cookie is Secure, so the browser
// sends it over TLS only), the visitor's widget on a website talks to wss://, and
// they chat as they would over plain HTTP.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { launchBrowser, screenshot, startServer } from "./harness.mjs";
import { convButton, log as consoleLog, signIn } from "./console-support.mjs";
import { alwaysOpen, openChat, startWebsite, widgetFrame } from "./widget-support.mjs";

const DEMO_AGENT = { tenant: "demo", email: "agent@demo.local", password: "demo-agent" };

describe("over https and wss", () => {
  let server, browser, website;

  before(async () => {
    server = await startServer({ prepare: alwaysOpen, tls: true });
    browser = await launchBrowser({ ignoreCertificateErrors: true });
    website = await startWebsite(server.url);
  });

  after(async () => {
    await browser?.close();
    await website?.close();
    await server?.dispose();
  });

  test("a visitor in the widget and an agent in the console chat", async () => {
    assert.match(server.url, /^https:\/\//);
    const agentContext = await browser.newContext({ viewport: { width: 1400, height: 860 }, locale: "en-US" });
    agentContext.setDefaultTimeout(15000);
    const agent = await agentContext.newPage();
    const sockets = [];
    agent.on("websocket", (ws) => sockets.push(ws.url()));
    await signIn(agent, server, DEMO_AGENT);
    const cookie = (await agentContext.cookies(server.url)).find((c) => c.name === "sb_session");
    assert.ok(cookie, "the console's session cookie is set");
    assert.equal(cookie.secure, true, "the session cookie is Secure over TLS");

    const visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    visitorContext.setDefaultTimeout(15000);
    const visitor = await visitorContext.newPage();
    visitor.on("websocket", (ws) => sockets.push(ws.url()));
    await visitor.goto(website.url + "/");
    await widgetFrame(visitor);
    await visitor.evaluate(() => window.Switchboard.identify({ name: "Grace Hopper" }));
    const { frame, log, input } = await openChat(visitor);
    await input.fill("Is this line encrypted?");
    await input.press("Enter");
    await frame.locator('.sb-mine:is([data-state="sent"], [data-state="read"])', { hasText: "Is this line encrypted?" }).waitFor();

    await convButton(agent, "Grace Hopper").click();
    await consoleLog(agent).getByText("Is this line encrypted?").waitFor();
    const box = agent.getByRole("textbox", { name: "Message" });
    await box.fill("Yes, end to end over TLS");
    await box.press("Enter");
    await log.getByText("Yes, end to end over TLS").waitFor();

    // Both sides' sockets went to wss:// on the server's port.
    const port = new URL(server.url).port;
    const ours = sockets.filter((url) => new URL(url).port === port);
    assert.ok(ours.length >= 2, `the widget and the console opened sockets: ${sockets.join(", ")}`);
    for (const url of ours) assert.match(url, /^wss:\/\//);

    await screenshot(visitor, "tls-visitor");
    await screenshot(agent, "tls-console");
    await agentContext.close();
    await visitorContext.close();
  });
});
