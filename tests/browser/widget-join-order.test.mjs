// "Dana joined" after the routing message that came before it, in real Chromium
// against a real server: the demo tenant's graph replaced by one rule that greets
// every new conversation and routes it to support at once. With Dana online the
// server assigns her while the greeting is still being stored, so the widget hears
// of the assignment before the greeting's message frame; it shows them in the order
// they happened all the same (the assignment's last_seq says where she joined).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { screenshot } from "./harness.mjs";
import { demoGraph, openChat, startAgent, startWidgetWorld } from "./widget-support.mjs";

const kGreeting = "Thanks for writing! Connecting you to a person.";

function greetThenRoute(tenantsDir) {
  demoGraph(tenantsDir, "widget-join-order.test.mjs", [
    "[[routing.rules]]",
    'id = "greet"',
    "conditions = []",
    `actions = [ { type = "message", text = "${kGreeting}" },`,
    '            { type = "route", group = "support" } ]',
  ]);
}

describe("an agent who joins right after a routing message", () => {
  let world, agent;

  before(async () => {
    world = await startWidgetWorld(greetThenRoute);
    agent = await startAgent(world.browser, world.server);
    await agent.connect();
  });

  after(async () => {
    await agent?.context.close();
    await world?.close();
  });

  test("the widget shows the greeting, then \"Dana joined\", then her answer", async () => {
    const context = await world.browser.newContext({ locale: "en-US" });
    context.setDefaultTimeout(20000);
    const page = await context.newPage();
    await page.goto(world.website.url);
    const { log, input } = await openChat(page);
    await input.fill("Is the paper lamp in stock?");
    await input.press("Enter");
    const assigned = await agent.waitFor({ type: "conversation.assigned" });
    await log.getByText(kGreeting).waitFor();
    await log.getByText(/Dana joined/).waitFor();
    await agent.send({ type: "message", conversation_id: assigned.conversation.id, client_msg_id: "a1", text: "Yes, we have three." });
    await log.getByText("Yes, we have three.").waitFor();
    const shown = await log.innerText();
    const at = (words) => shown.indexOf(words);
    assert.ok(at("Is the paper lamp in stock?") < at(kGreeting), shown);
    assert.ok(at(kGreeting) < at("Dana joined"), `the greeting came first, then Dana joined:\n${shown}`);
    assert.ok(at("Dana joined") < at("Yes, we have three."), shown);
    await screenshot(page, "widget-joined-after-greeting");
    await context.close();
  });
});
