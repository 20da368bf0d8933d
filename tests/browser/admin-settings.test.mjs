// The admin UI's Widget settings and Groups pages in headless Chromium against a
// real server with the demo tenants: an admin's unsaved title and colour show in
// the live preview (the real chat frame) before saving; once saved they are in
// the tenant file and a visitor's widget on the demo page shows them; a bad colour
// or website shows the server's error on its field and saves nothing; the embed
// code is the real one and copies; a group's hours are edited and written to the
// file; an agent is refused.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { api, launchBrowser, screenshot, startServer } from "./harness.mjs";

let server;
let browser;
let demoFile;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  demoFile = path.join(server.tenantsDir, "demo.toml");
});
after(async () => {
  await browser?.close();
  await server?.dispose();
});

const fileText = () => readFileSync(demoFile, "utf8");

async function open(hash, { email = "admin@demo.local", password = "demo-admin", width = 1400, height = 1000, permissions = [] } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: "en-US" });
  if (permissions.length) await context.grantPermissions(permissions, { origin: server.url });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused/.test(m.text())) page.errors.push(m.text());
  });
  await page.goto(`${server.url}/admin/?tenant=demo#${hash}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  return page;
}

async function waitFor(what, probe, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The preview's frame (the real chat frame in preview mode), once it has drawn.
async function previewFrame(page) {
  const element = await page.waitForSelector('iframe[title="Widget preview"]');
  const frame = await element.contentFrame();
  await frame.waitForSelector(".sb-header h1");
  return frame;
}

// The problem a field's description names (the error line under it).
const problemOf = (field) =>
  field.evaluate((el) => (el.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent ?? "").join(" "));

const headerOf = (frame) =>
  frame.evaluate(() => ({
    title: document.querySelector(".sb-header h1")?.textContent,
    background: getComputedStyle(document.querySelector(".sb-header")).backgroundColor,
    greeting: document.querySelector(".sb-greeting")?.textContent,
  }));

test("an admin's title and colour show in the preview before saving, then in the file and in a visitor's widget", async () => {
  const before = fileText();
  const page = await open("widget");
  await page.getByLabel("Title (English)").waitFor();
  assert.equal(await page.getByRole("link", { name: "Widget" }).getAttribute("aria-current"), "page");
  const preview = await previewFrame(page);
  await waitFor("the saved title in the preview", async () => (await headerOf(preview)).title === "Demo Shop support");
  assert.equal((await headerOf(preview)).background, "rgb(15, 118, 110)"); // #0f766e, the demo's

  await page.getByLabel("Title (English)").fill("Acme Helpdesk");
  await page.getByLabel("Brand colour (hex)").fill("#aa3300");
  await page.getByLabel("Greeting (English)").fill("Hello from the preview!");
  // Not saved yet, and already in the preview.
  await waitFor("the draft in the preview", async () => {
    const h = await headerOf(preview);
    return h.title === "Acme Helpdesk" && h.background === "rgb(170, 51, 0)" && h.greeting === "Hello from the preview!";
  });
  assert.equal(await page.locator(".preview-launcher").evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(170, 51, 0)");
  assert.ok(await page.getByText("Unsaved changes", { exact: true }).isVisible());
  assert.equal(fileText(), before, "nothing is written before Save");
  // The position moves the preview's launcher at once too.
  await page.getByLabel("Position").selectOption("left");
  await waitFor("the launcher on the left", async () => (await page.locator(".preview-stage.side-left").count()) === 1);
  await screenshot(page, "admin-widget-settings");

  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved — visitors see the new widget now.").waitFor();
  assert.equal(await page.getByText("Unsaved changes", { exact: true }).count(), 0);
  const after = fileText();
  assert.match(after, /\ncolor = "#aa3300"\n/);
  assert.match(after, /\nposition = "left"\n/);
  assert.match(after, /\[widget\.texts\.en\]\ntitle = "Acme Helpdesk"\ngreeting = "Hello from the preview!"\n/);
  // The file's documentation is still there, and the Chinese words untouched.
  assert.ok(after.includes('# The brand colour of the button and the panel\'s header: "#rgb" or "#rrggbb".'));
  assert.ok(after.includes('# logo = "https://shop.example.com/logo.svg"'));
  assert.ok(after.includes('title = "Demo 商城客服"'));
  assert.deepEqual(page.errors, []);

  // A visitor on the demo shop gets the new widget.
  const context = await browser.newContext({ viewport: { width: 1200, height: 860 }, locale: "en-US" });
  const visitor = await context.newPage();
  await visitor.goto(server.url + "/demo/");
  await visitor.getByRole("button", { name: /^Open chat/ }).click();
  const element = await visitor.waitForSelector('iframe[src*="/widget/"]', { state: "attached" });
  const frame = await element.contentFrame();
  await frame.getByRole("dialog").waitFor();
  await waitFor("the visitor's widget with the new look", async () => {
    const h = await headerOf(frame);
    return h.title === "Acme Helpdesk" && h.background === "rgb(170, 51, 0)";
  });
  assert.equal((await headerOf(frame)).greeting, "Hello from the preview!");
  await screenshot(visitor, "admin-widget-visitor");
  await context.close();
  await page.context().close();
});

test("a bad colour or website shows the server's error on its field and saves nothing", async () => {
  const before = fileText();
  const page = await open("widget");
  await page.getByLabel("Title (English)").waitFor();
  await page.getByLabel("Brand colour (hex)").fill("#12");
  await page.getByRole("button", { name: "Add website" }).click();
  await page.getByLabel("Website 1", { exact: true }).fill("https://shop.example.com/checkout");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Not saved: correct the fields marked below.").waitFor();

  const colour = page.getByLabel("Brand colour (hex)");
  assert.equal(await colour.getAttribute("aria-invalid"), "true");
  const colourProblem = await problemOf(colour);
  assert.match(colourProblem, /'#12' is not a colour/);
  const website = page.getByLabel("Website 1", { exact: true });
  assert.equal(await website.getAttribute("aria-invalid"), "true");
  const websiteProblem = await problemOf(website);
  assert.match(websiteProblem, /is not an origin/);
  assert.equal(fileText(), before, "nothing written");
  // Still unsaved: the marker stays, and leaving asks first.
  assert.ok(await page.getByText("Unsaved changes", { exact: true }).isVisible());
  await screenshot(page, "admin-widget-errors");
  let asked = null;
  page.once("dialog", (d) => {
    asked = d.message();
    void d.dismiss();
  });
  await page.getByRole("link", { name: "Groups" }).click();
  await waitFor("the leave question", async () => asked);
  assert.equal(await page.getByRole("link", { name: "Widget" }).getAttribute("aria-current"), "page");
  await page.context().close();
});

test("the embed code names this server and the tenant, and the Copy button copies it", async () => {
  const page = await open("widget", { permissions: ["clipboard-read", "clipboard-write"] });
  const code = page.getByLabel("Embed code");
  await code.waitFor();
  const expected = `<script src="${server.url}/widget.js" data-tenant="demo" async></script>`;
  assert.equal(await code.inputValue(), expected);
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  await page.getByText("Copied to the clipboard.").waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected);
  await page.context().close();
});

test("a group's hours, holidays and queue limit are edited in the form and written to the file", async () => {
  const page = await open("groups");
  const card = page.locator('.group-item[data-group="support"]');
  await card.waitFor();
  assert.match(await card.innerText(), /Europe\/Berlin/);
  assert.match(await card.innerText(), /Agents: Dana, Alex/);
  await page.getByRole("button", { name: "Edit group Customer support" }).click();
  const form = page.getByRole("dialog", { name: "Edit group Customer support" });
  await form.waitFor();
  assert.equal(await form.getByLabel("Time zone").inputValue(), "Europe/Berlin");
  assert.equal(await form.getByLabel("Monday opens", { exact: true }).inputValue(), "08:00");

  // A range that ends before it begins: the server's error on that day.
  await form.getByLabel("Tuesday closes", { exact: true }).fill("07:00");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  const problem = form.locator(".day-row.has-error .field-problem");
  await problem.waitFor();
  assert.match(await problem.innerText(), /ends before it begins/);
  assert.equal(await form.getByLabel("Tuesday closes", { exact: true }).getAttribute("aria-invalid"), "true");
  assert.doesNotMatch(fileText(), /tue = /);

  await form.getByLabel("Tuesday closes", { exact: true }).fill("12:30");
  await form.getByLabel("Time zone").selectOption("Asia/Shanghai");
  await form.getByLabel("Monday opens", { exact: true }).fill("07:30");
  await form.getByLabel("Open on Saturday").uncheck();
  await form.getByRole("button", { name: "Add holiday" }).click();
  await form.getByLabel("Holiday 1", { exact: true }).fill("2026-12-25");
  await form.getByLabel("Longest queue").fill("20");
  assert.ok(await form.getByText("Unsaved changes", { exact: true }).isVisible());
  await screenshot(page, "admin-groups-edit");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Group Customer support saved — live now.").waitFor();

  const text = fileText();
  const support = text.slice(text.indexOf("[groups.support]"), text.indexOf("[groups.sales]"));
  assert.match(support, /\ntimezone = "Asia\/Shanghai"\n/);
  assert.match(support, /\nmax_queue_length = 20\n/);
  assert.match(support, /\nholidays = \[ "2026-12-25" \]\n/);
  assert.match(support, /\nmon = \[ "07:30-12:30", "13:00-18:00" \]\n/);
  assert.match(support, /\ntue-fri = \[ "08:00-12:30", "13:00-18:00" \]\n/);
  assert.doesNotMatch(support, /\nsat = /);
  // The documentation above the keys is kept.
  assert.ok(support.includes("# An IANA time zone from the system's tz database; the hours below are local time"));
  // Live: the list shows it, and the API answers it.
  assert.match(await card.innerText(), /Asia\/Shanghai/);
  assert.match(await card.innerText(), /Closed on 2026-12-25/);
  const token = (await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "admin@demo.local", password: "demo-admin" } })).json.token;
  const groups = (await api(server, "GET", "/v1/tenants/demo/groups", { token })).json.groups;
  assert.deepEqual(groups.find((g) => g.id === "support").holidays, ["2026-12-25"]);
  await screenshot(page, "admin-groups");

  // A new group: a bad id is refused on its field, a good one is written after the others.
  await page.getByRole("button", { name: "Add group" }).click();
  const create = page.getByRole("dialog", { name: "New group" });
  await create.getByLabel("Group id").fill("vip desk");
  await create.getByLabel("Name", { exact: true }).fill("VIP");
  await create.getByRole("button", { name: "Save", exact: true }).click();
  await waitFor("the id refused", async () => (await create.getByLabel("Group id").getAttribute("aria-invalid")) === "true");
  assert.match(await problemOf(create.getByLabel("Group id")), /not a valid group id/);
  await create.getByLabel("Group id").fill("vip");
  await create.getByLabel("Open only at set hours").check();
  await create.getByLabel("Open on Monday").check();
  await create.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Group VIP saved — live now.").waitFor();
  await page.locator('.group-item[data-group="vip"]').waitFor();
  assert.match(fileText(), /\[groups\.sales\]\nname = "Sales"\n\n\[groups\.vip\]\n/);
  assert.match(fileText(), /\[groups\.vip\.hours\]\nmon = "09:00-17:00"\n/);

  // A group in use is not deleted; the reason is shown.
  await page.getByRole("button", { name: "Delete group Customer support" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await page.getByText(/Not deleted: group support is still in use/).waitFor();
  assert.ok(fileText().includes("[groups.support]"));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("an agent opening the settings pages is refused, and so are their calls", async () => {
  const page = await open("widget", { email: "agent@demo.local", password: "demo-agent" });
  await page.getByRole("heading", { name: "For administrators only" }).waitFor();
  assert.equal(await page.getByLabel("Title (English)").count(), 0);
  await page.context().close();
  const token = (await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "agent@demo.local", password: "demo-agent" } })).json.token;
  const before = fileText();
  assert.equal((await api(server, "GET", "/v1/tenants/demo/widget/settings", { token })).status, 403);
  assert.equal((await api(server, "PUT", "/v1/tenants/demo/widget", { token, body: { color: "#000000" } })).status, 403);
  assert.equal((await api(server, "PUT", "/v1/tenants/demo/groups/support", { token, body: { name: "Mine" } })).status, 403);
  assert.equal(fileText(), before);
});
