// What an admin notices walking through the admin pages, in headless Chromium
// against a real server with the demo tenants: the Conversations page sits in the
// same column and has the same table as the other pages; a count of one is said in
// the singular; the Knowledge page's flow diagram speaks Chinese in Chinese; the
// opening-hours buttons say what they do; a visitor without a name is named once;
// and the console, admin and demo pages load without a failed request.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openAdmin, visitorSays } from "./admin-support.mjs";
import { api, launchBrowser, screenshot, startServer } from "./harness.mjs";

let server;
let browser;
let adminToken;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  adminToken = (await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "admin@demo.local", password: "demo-admin" } })).json.token;
});
after(async () => {
  await browser?.close();
  await server?.dispose();
});

const open = (hash, options) => openAdmin(browser, server, hash, options);

test("the Conversations page lines up with the other pages and has their table; an unnamed visitor is named once", async () => {
  const id = await visitorSays(server, "How long does shipping take?");
  const page = await open("team");
  await page.getByRole("heading", { name: "Team" }).waitFor();
  const teamBox = await page.getByRole("heading", { name: "Team" }).boundingBox();

  await page.getByRole("link", { name: "Conversations" }).click();
  const heading = page.getByRole("heading", { name: "Conversations", exact: true });
  await heading.waitFor();
  const table = page.getByRole("table", { name: "All conversations" });
  await table.getByRole("button", { name: `Open conversation ${id}` }).waitFor();
  await screenshot(page, "admin-conversations");
  // Switching pages does not make the title jump: the same column, the same size.
  const box = await heading.boundingBox();
  assert.ok(Math.abs(box.x - teamBox.x) < 2, `Conversations starts at x=${box.x}, Team at x=${teamBox.x}`);
  assert.ok(Math.abs(box.height - teamBox.height) < 2, `title heights ${box.height} and ${teamBox.height}`);
  // A line says what the page is for, as on the other pages.
  assert.match(await page.locator(".ppage-head .help").innerText(), /search what was said/);
  // The table has the shared header band and row lines.
  const look = await table.evaluate((t) => {
    const th = getComputedStyle(t.querySelector("th"));
    return { thBackground: th.backgroundColor, thUpper: th.textTransform, thLine: th.borderBottomStyle };
  });
  assert.deepEqual(look, { thBackground: "rgb(248, 249, 252)", thUpper: "uppercase", thLine: "solid" });
  // What is typed or chosen is not in the labels' bold.
  const weights = await page.evaluate(() => [
    getComputedStyle(document.querySelector('input[type="search"]')).fontWeight,
    getComputedStyle(document.querySelector(".conversation-filters select")).fontWeight,
    getComputedStyle(document.querySelector('input[type="number"]')).fontWeight,
  ]);
  assert.deepEqual(weights, ["400", "400", "400"]);
  // The search box has the pages' rounded field, not the browser's.
  assert.equal(await page.getByRole("searchbox", { name: "Search messages" }).evaluate((e) => getComputedStyle(e).borderTopLeftRadius), "8px");

  // The visitor gave no name: their id is said once, not "v_… (v_…)".
  await table.getByRole("button", { name: `Open conversation ${id}` }).click();
  const region = page.getByRole("region", { name: "Visitor data" });
  await region.waitFor();
  const who = await region.locator("p").first().innerText();
  const visitorId = who.match(/Visitor: (v_\w+)/)?.[1];
  assert.ok(visitorId, who);
  assert.equal(who.split(visitorId).length - 1, 1, who);
  await page.context().close();
});

test("counts of one are said in the singular", async () => {
  const made = await api(server, "POST", "/v1/tenants/demo/canned-replies", { token: adminToken, body: { shortcut: "hours", text: "We answer 9-18." } });
  assert.equal(made.status, 201, made.text);
  const page = await open("canned");
  const count = page.locator(".pcount");
  await count.waitFor();
  assert.equal(await count.innerText(), "1 reply");
  await page.getByRole("link", { name: "Groups" }).click();
  await page.locator(".pcount").filter({ hasText: "groups" }).waitFor();
  assert.equal(await page.locator(".pcount").innerText(), "2 groups");
  await page.context().close();
});

test("the Knowledge page's flow diagram speaks Chinese in Chinese", async () => {
  const page = await open("knowledge", { lang: "zh" });
  const diagram = page.locator(".flow-diagram").first();
  await diagram.waitFor();
  await diagram.scrollIntoViewIfNeeded();
  await diagram.getByRole("button", { name: "放大" }).waitFor();
  await diagram.getByRole("button", { name: "缩小" }).waitFor();
  // Nothing a screen reader or a tooltip says in it is English.
  const english = await diagram.evaluate((root) => {
    const said = [];
    for (const el of [root, ...root.querySelectorAll("*")]) {
      for (const attr of ["aria-label", "title"]) {
        const v = el.getAttribute(attr);
        if (v && /\b(Zoom|Fit|Edge from|Control Panel|Press enter)\b/i.test(v)) said.push(`${attr}=${v}`);
      }
    }
    for (const id of (root.querySelector("[aria-describedby]")?.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean)) {
      const text = document.getElementById(id)?.textContent ?? "";
      if (/Press enter/i.test(text)) said.push(`description=${text}`);
    }
    for (const el of document.querySelectorAll("[id^='react-flow__node-desc'], [id^='react-flow__edge-desc']")) {
      if (root.contains(el) && /Press enter/i.test(el.textContent)) said.push(`description=${el.textContent}`);
    }
    return said;
  });
  assert.deepEqual(english, []);
  // Each arrow is named by its steps and its condition.
  const edge = diagram.locator(".react-flow__edge[aria-label]").first();
  assert.match(await edge.getAttribute("aria-label"), /^从 \S+ 到 \S+：/);
  await page.context().close();
});

test("the opening-hours buttons say what they add or remove", async () => {
  const page = await open("groups");
  await page.getByRole("button", { name: "Edit Customer support" }).or(page.getByRole("button", { name: /^Edit .*Customer support/ })).first().click();
  const form = page.getByRole("dialog");
  const add = form.getByRole("button", { name: "Add opening hours on Monday" });
  await add.waitFor();
  const remove = form.getByRole("button", { name: "Remove Monday 13:00–18:00" });
  assert.equal(await remove.getAttribute("title"), "Remove Monday 13:00–18:00");
  await remove.click();
  await form.getByLabel("Monday opens (2)").waitFor({ state: "detached" });
  assert.equal(await form.getByLabel("Monday opens", { exact: true }).inputValue(), "08:00");
  await add.click();
  await form.getByLabel("Monday opens (2)").waitFor();
  await page.context().close();
});

test("the console, admin and demo pages load without a failed request", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const failures = [];
  page.on("console", (m) => {
    // Asking for a session before signing in is answered 401 on purpose.
    if (m.type() === "error" && !/\/v1\/session$/.test(m.location().url ?? "")) failures.push(`${m.text()} ${m.location().url}`);
  });
  page.on("requestfailed", (r) => failures.push(`${r.url()} ${r.failure()?.errorText}`));
  for (const where of ["/console/", "/admin/", "/demo/"]) {
    await page.goto(server.url + where);
    await page.waitForLoadState("networkidle");
  }
  assert.deepEqual(failures, []);
  await context.close();
});

test("a long name wraps in the Team table instead of pushing every row's buttons out of sight", async () => {
  const name = "Bartholomew-" + "Featherstonehaugh".repeat(8);
  const made = await api(server, "POST", "/v1/tenants/demo/agents", {
    token: adminToken,
    body: { email: "bart@demo.local", name, password: "bart-password-1", groups: ["support"] },
  });
  assert.equal(made.status, 201, made.text);
  const page = await open("team");
  const row = page.locator('tr[data-agent="bart@demo.local"]');
  await row.waitFor();
  await screenshot(page, "admin-team-long-name");
  // The table fits its card: nothing to scroll sideways to.
  const wrap = await page.locator(".team-table").evaluate((t) => {
    const box = t.closest(".ptable-wrap") ?? t.parentElement;
    return { scroll: box.scrollWidth, client: box.clientWidth };
  });
  assert.ok(wrap.scroll <= wrap.client + 1, `the table is ${wrap.scroll}px wide in a ${wrap.client}px card`);
  // Dana's buttons are where they can be clicked.
  const edit = page.locator('tr[data-agent="agent@demo.local"]').getByRole("button", { name: /^Edit/ });
  const box = await edit.boundingBox();
  assert.ok(box && box.x + box.width <= 1360, `Dana's Edit button is at x=${box?.x}`);
  await edit.click({ trial: true, timeout: 3000 });
  await page.context().close();
});
