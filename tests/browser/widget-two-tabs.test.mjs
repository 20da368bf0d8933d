// Two tabs of one website that became two visitors (here: the website cleared its
// storage between them) agree on one visitor, in real Chromium against a real
// server: what the visitor writes in one tab shows in the other, and a new page of
// the website finds that conversation.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { screenshot } from "./harness.mjs";
import { alwaysOpen, openChat, startWidgetWorld } from "./widget-support.mjs";

describe("two tabs of a website", () => {
  let world;

  before(async () => {
    world = await startWidgetWorld(alwaysOpen);
  });

  after(async () => world?.close());

  test("that began as two visitors agree on one: a message written in one shows in both", async () => {
    const context = await world.browser.newContext({ locale: "en-US" });
    context.setDefaultTimeout(20000);
    const first = await context.newPage();
    await first.goto(world.website.url);
    const a = await openChat(first);
    await first.waitForFunction(() => JSON.parse(localStorage.getItem("switchboard:demo") ?? "{}").t);

    const second = await context.newPage();
    // Before the widget reads it: b starts as a new visitor.
    await second.addInitScript(() => window.top === window && localStorage.removeItem("switchboard:demo"));
    await second.goto(world.website.url);
    const b = await openChat(second);
    await second.waitForTimeout(2000); // they settle on one visitor

    await a.input.fill("Do you ship to Lyon?");
    await a.input.press("Enter");
    await a.log.locator(".sb-mine", { hasText: "Do you ship to Lyon?" }).waitFor();
    await b.log.getByText("Do you ship to Lyon?").waitFor({ timeout: 10000 });
    await screenshot(second, "widget-second-tab-same-conversation");
    const stored = await second.evaluate(() => JSON.parse(localStorage.getItem("switchboard:demo")));
    assert.ok(stored.c, "the conversation is stored");
    // A new page of the website shows it.
    const third = await context.newPage();
    await third.goto(world.website.url);
    const c = await openChat(third);
    await c.log.getByText("Do you ship to Lyon?").waitFor();
    await context.close();
  });
});
