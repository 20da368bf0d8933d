// What a new workspace's admin met in the first hour (walk of 2026-12-07), on the
// demo tenant with files in the chat turned off: the widget preview offered a
// paperclip the real widget does not have, the routing editor left the canvas no
// width on a phone, the Team table's hidden header widened the whole page there, an
// unanswered question was squeezed to a letter a line there, and
// the Conversations table ran over its card's edge at 1280 px.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { openAdmin, visitorSays } from "./admin-support.mjs";
import { launchBrowser, screenshot, startServer } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer({
    prepare: (dir) => {
      const file = path.join(dir, "demo.toml");
      writeFileSync(file, readFileSync(file, "utf8").replace(/^(\[attachments\]\n(?:#.*\n)*)enabled = true$/m, "$1enabled = false"));
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.dispose();
});

test("the widget preview offers files only when visitors get them", async () => {
  const page = await openAdmin(browser, server, "widget");
  const preview = page.frameLocator("iframe.preview-frame");
  await preview.getByRole("textbox", { name: "Message" }).waitFor();
  assert.equal(await preview.getByRole("button", { name: "Attach a file" }).count(), 0);
  await page.context().close();
});

test("on a phone the routing editor shows its canvas, the Team page does not scroll sideways, an unanswered question stays readable", async () => {
  const page = await openAdmin(browser, server, "routing");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator(".react-flow__node").first().waitFor();
  const canvas = await page.locator(".canvas").boundingBox();
  assert.ok(canvas.width >= 380 && canvas.height >= 300, `canvas ${JSON.stringify(canvas)}`);
  assert.ok((await page.locator(".outline").boundingBox()).height > 50, "the rule outline shows too");
  await screenshot(page, "admin-routing-phone");
  await page.goto(`${server.url}/admin/?tenant=demo#team`);
  await page.getByRole("table").waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
  // An unanswered question keeps a readable width (it was squeezed to a letter a line).
  await visitorSays(server, "Do you sell sourdough starter?");
  await page.goto(`${server.url}/admin/?tenant=demo#unanswered`);
  const question = page.locator(".un-question").first();
  await question.waitFor();
  assert.ok((await question.boundingBox()).width >= 150, `question ${JSON.stringify(await question.boundingBox())}`);
  await page.context().close();
});

test("at 1280 px the conversation list stays inside its card", async () => {
  // A long name with no place to break it widens the table.
  await visitorSays(server, "Do you bake on Sundays?", { name: "Featherstonehaugh-Wolfeschlegelsteinhausen" });
  const page = await openAdmin(browser, server, "conversations");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator(".conversations-table tbody tr").first().waitFor();
  const card = await page.locator(".conversations-card", { has: page.locator(".conversations-table") }).boundingBox();
  // Where the table is seen to end: its own edge, or that of a box that clips it.
  const table = await page.locator(".conversations-table").evaluate((t) => {
    let right = t.getBoundingClientRect().right;
    for (let e = t.parentElement; e; e = e.parentElement) if (getComputedStyle(e).overflowX !== "visible") right = Math.min(right, e.getBoundingClientRect().right);
    return right;
  });
  assert.ok(table <= card.x + card.width, `table seen up to ${table}, its card ends at ${card.x + card.width}`);
  await page.context().close();
});
