// The admin UI's routing editor in headless Chromium against a real server with
// the demo tenants: an admin builds a rule with the mouse and saves it into the
// tenant file; a broken graph is refused on the right node and saves nothing; a
// change made elsewhere (REST, or the tenant file by hand) is noticed and never
// overwritten; the test panel highlights the path; an agent is refused.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { api, launchBrowser, screenshot, startServer } from "./harness.mjs";

let server;
let browser;
const tenantFile = () => path.join(server.tenantsDir, "demo.toml");

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function adminToken() {
  const r = await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "admin@demo.local", password: "demo-admin" } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

// A signed-in editor page on the demo tenant.
async function openEditor({ email = "admin@demo.local", password = "demo-admin", lang = "en" } = {}) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: lang === "zh" ? "zh-CN" : "en-US" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused/.test(m.text())) errors.push(m.text());
  });
  page.errors = errors;
  await page.goto(`${server.url}/admin/?tenant=demo`);
  const t = lang === "zh" ? { email: "邮箱", password: "密码", submit: "登录" } : { email: "Email", password: "Password", submit: "Sign in" };
  await page.getByLabel(t.email).fill(email);
  await page.getByLabel(t.password).fill(password);
  await page.getByRole("button", { name: t.submit, exact: true }).click();
  return page;
}

const node = (page, id) => page.locator(`.react-flow__node[data-id="${id}"]`);

// With unsaved changes (the mark and "Discard changes" shown), the toolbar is one
// line in a 1280 x 800 window: no control begins below the Save button's bottom.
async function toolbarFitsAt1280(page, shot) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator(".dirty-mark.is-dirty").waitFor();
  const below = await page.locator(".toolbar > :not(.sep):not(.grow):not(input)").evaluateAll((els) => {
    const bottom = els[0].getBoundingClientRect().bottom;
    return els.filter((el) => el.getBoundingClientRect().top >= bottom).map((el) => el.textContent.trim());
  });
  assert.deepEqual(below, [], "every control of the toolbar on its first line at 1280 px");
  await screenshot(page, shot);
  await page.setViewportSize(size);
}
const inspector = (page) => page.locator(".side .inspector");

async function centre(locator) {
  const box = await locator.boundingBox();
  assert.ok(box, "element is on screen");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

async function drag(page, from, to) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(from.x + ((to.x - from.x) * i) / 12, from.y + ((to.y - from.y) * i) / 12);
  await page.mouse.up();
}

test("an admin builds a rule with the mouse, saves it into the tenant file, and a dry run fires it", async () => {
  const page = await openEditor();
  await node(page, "agent-free").waitFor();
  assert.match(await page.locator(".problem-count").innerText(), /No problems/);
  await screenshot(page, "admin-routing-editor");

  // A new rule: added, dragged below the others, named, given a condition.
  await page.getByRole("button", { name: "Add rule" }).click();
  const rule = node(page, "rule-1");
  await rule.waitFor();
  const fallback = await node(page, "fallback").boundingBox();
  const head = await rule.locator(".node-head").boundingBox();
  await drag(page, { x: head.x + 30, y: head.y + 8 }, { x: fallback.x + fallback.width + 220, y: fallback.y + 8 });
  const dropped = await rule.boundingBox();
  assert.ok(dropped.x > fallback.x + fallback.width, "the rule moved where it was dragged");
  await inspector(page).getByLabel("Rule name").fill("VIP visitors");
  await inspector(page).getByLabel("Add condition").selectOption("attribute");
  await inspector(page).getByLabel("Attribute", { exact: true }).fill("vip");
  await inspector(page).getByLabel("Value type").selectOption("boolean");
  await inspector(page).getByLabel("Value", { exact: true }).selectOption("true");
  assert.match(await rule.innerText(), /vip = true/);
  // Its place in the order: before the catch-all rule, shown as number 3.
  assert.equal(await rule.locator(".order").innerText(), "3");
  assert.deepEqual(await page.locator(".outline .outline-name").allInnerTexts(), ["Someone in support is free", "Waited five minutes", "VIP visitors", "Nobody free: the bot answers", "Otherwise: the fallback"]);

  // An action, not connected yet: a problem until the rule leads to it.
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await page.locator(".palette").getByRole("button", { name: "Route" }).click();
  const action = node(page, "action-1");
  await action.waitFor();
  await inspector(page).getByLabel("Group", { exact: true }).selectOption("sales");
  await inspector(page).getByLabel("Add strategy").selectOption("routing-round-robin");
  assert.match(await page.locator(".problem-count").innerText(), /2 problems/);
  await toolbarFitsAt1280(page, "admin-routing-unsaved-1280");
  // Tidy up (rules in order, each with its actions to the right), then connect the
  // rule's dot to the action's with the mouse.
  await page.getByRole("button", { name: "Auto-layout" }).click();
  await page.waitForTimeout(500);
  await drag(page, await centre(rule.locator(".react-flow__handle.source")), await centre(action.locator(".react-flow__handle.target")));
  await page.locator('.react-flow__edge[data-id="rule-1->action-1"]').waitFor();
  assert.match(await page.locator(".problem-count").innerText(), /No problems/);
  assert.match(await page.locator(".dirty-mark").innerText(), /Unsaved/);

  // A node dragged from the palette lands where it is dropped; undo takes it away.
  await page.locator(".palette .chip-message").dragTo(page.locator(".react-flow__pane"), { targetPosition: { x: 120, y: 60 } });
  await node(page, "action-2").waitFor();
  assert.equal(await node(page, "action-2").locator(".node-title").innerText(), "Message");
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await page.keyboard.press("Control+z");
  await node(page, "action-2").waitFor({ state: "detached" });

  // Undo takes the edge away, redo puts it back.
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await page.keyboard.press("Control+z");
  assert.equal(await page.locator('.react-flow__edge[data-id="rule-1->action-1"]').count(), 0);
  await page.keyboard.press("Control+Shift+z");
  await page.locator('.react-flow__edge[data-id="rule-1->action-1"]').waitFor();
  // The keyboard: Alt+↑ moves the selected rule up; Delete removes an action; undo.
  const order = () => page.locator(".outline .outline-name").allInnerTexts();
  await page.locator(".outline .outline-item", { hasText: "VIP visitors" }).click();
  await page.keyboard.press("Alt+ArrowUp");
  assert.equal((await order())[1], "VIP visitors");
  await page.keyboard.press("Control+z");
  assert.equal((await order())[2], "VIP visitors");
  await action.click();
  await page.keyboard.press("Delete");
  await action.waitFor({ state: "detached" });
  assert.match(await page.locator(".problem-count").innerText(), /1 problem/);
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await page.keyboard.press("Control+z");
  await page.locator('.react-flow__edge[data-id="rule-1->action-1"]').waitFor();
  await page.getByRole("button", { name: "Auto-layout" }).click();
  await page.waitForTimeout(500);
  await screenshot(page, "admin-routing-new-rule");

  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved — live now").waitFor();
  assert.equal(await page.locator(".dirty-mark").innerText(), "");

  const file = readFileSync(tenantFile(), "utf8");
  const section = file.slice(file.indexOf("# --- routing graph"));
  assert.match(section, /id = "rule-1"/);
  assert.match(section, /name = "VIP visitors"/);
  assert.match(section, /key = "vip"/);
  assert.match(section, /group = "sales"/);
  assert.match(section, /routing-round-robin/);
  assert.ok(section.indexOf('"rule-1"') < section.indexOf('"bot-otherwise"'), "saved before the catch-all rule");

  const token = await adminToken();
  const dry = await api(server, "POST", "/v1/tenants/demo/routing/dry-run", { token, body: { attributes: { vip: true } } });
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.json.rule, "rule-1");
  assert.equal(dry.json.group, "sales");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the test panel highlights the rule that fires, its path and the agent", async () => {
  const page = await openEditor();
  await node(page, "rule-1").waitFor();
  await page.getByRole("button", { name: "Test routing" }).click();
  const panel = page.locator(".test-panel");
  await panel.getByLabel("Attributes (one key=value a line)").fill("vip=true");
  await panel.getByRole("button", { name: "Run test" }).click();
  await panel.getByText("Rule that fires: VIP visitors").waitFor();
  assert.match(await node(page, "rule-1").locator(".node").getAttribute("class"), /is-fired/);
  assert.match(await node(page, "action-1").locator(".node").getAttribute("class"), /on-path/);
  assert.match(await node(page, "agent-free").locator(".node").getAttribute("class"), /off-path/);
  assert.match(await page.locator('.react-flow__edge[data-id="rule-1->action-1"]').getAttribute("class"), /edge-path/);
  // An edge is named by the nodes it joins, not by their ids.
  assert.match(await page.locator('.react-flow__edge[data-id="rule-1->action-1"]').getAttribute("aria-label"), /^From Rule \d+: VIP visitors to Route: to /);

  // Nobody is online and the visitor waited six minutes: the long-wait rule, message then queue.
  await panel.getByLabel("Attributes (one key=value a line)").fill("");
  await panel.getByLabel("Waited (seconds)").fill("360");
  await panel.getByRole("button", { name: "Run test" }).click();
  await panel.getByText("Rule that fires: Waited five minutes").waitFor();
  for (const id of ["long-wait", "long-wait-do-1", "long-wait-do-2"]) assert.match(await node(page, id).locator(".node").getAttribute("class"), /is-fired|on-path/, id);
  assert.match(await page.locator('.react-flow__edge[data-id="long-wait-do-1->long-wait-do-2"]').getAttribute("class"), /edge-path/);
  assert.match(await node(page, "rule-1").locator(".node").getAttribute("class"), /off-path/);
  await screenshot(page, "admin-routing-test");
  await page.context().close();
});

test("a broken graph shows the server's error on the right node and field, and saves nothing", async () => {
  const before = readFileSync(tenantFile(), "utf8");
  const page = await openEditor();
  await node(page, "agent-free").click();
  // A page glob the server refuses (an unclosed set): only the server checks globs.
  await inspector(page).getByLabel("Add condition").selectOption("page");
  await inspector(page).getByLabel("Page URL pattern (* any text, ? one character)").fill("https://shop.example/[oops");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("The server did not accept the graph").waitFor();
  assert.match(await node(page, "agent-free").locator(".node").getAttribute("class"), /has-error/);
  assert.equal(await node(page, "long-wait").locator(".node.has-error").count(), 0);
  const problem = inspector(page).locator(".field-error .field-problem");
  await problem.waitFor();
  assert.equal(await problem.innerText(), "'https://shop.example/[oops' is not a valid page pattern: a [ without its ] or a \\ at the end");
  assert.equal(await inspector(page).getByLabel("Page URL pattern (* any text, ? one character)").getAttribute("aria-invalid"), "true");
  await screenshot(page, "admin-routing-error");
  assert.equal(readFileSync(tenantFile(), "utf8"), before, "the tenant file is unchanged");

  // Mistakes the editor finds itself (a cycle, a dangling edge) never reach the server.
  const puts = [];
  page.on("request", (r) => r.method() === "PUT" && puts.push(r.url()));
  const broken = {
    rules: [{ id: "r", name: "Loops", match: "all", conditions: [] }],
    actions: [
      { id: "m1", type: "message", text: "one" },
      { id: "m2", type: "message", text: "two" },
      { id: "q", type: "queue", group: "support" },
    ],
    fallback: { id: "fallback" },
    edges: [{ from: "r", to: "q" }, { from: "m1", to: "m2" }, { from: "m2", to: "m1" }, { from: "ghost", to: "q" }],
  };
  await page.locator('input[type="file"]').setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(broken)) });
  await node(page, "m1").waitFor();
  assert.match(await node(page, "m1").locator(".node").getAttribute("class"), /has-error/);
  assert.match(await node(page, "m2").locator(".node").getAttribute("class"), /has-error/);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Not saved: fix the problems marked in red first.").waitFor();
  assert.match(await inspector(page).innerText(), /'ghost', which does not exist/); // the first problem's node is selected
  await node(page, "m1").click();
  assert.match(await inspector(page).innerText(), /The actions form a loop: m1 → m2 → m1/);
  assert.deepEqual(puts, []);
  assert.equal(readFileSync(tenantFile(), "utf8"), before, "the tenant file is unchanged");
  // Leaving with unsaved changes asks first.
  const asked = new Promise((resolve) =>
    page.once("dialog", async (d) => {
      resolve(d.type());
      await d.accept();
    }),
  );
  await page.close({ runBeforeUnload: true });
  assert.equal(await asked, "beforeunload");
  await page.context().close();
});

test("a change made elsewhere is noticed: a save over it is refused, a hand edit is offered to reload", async () => {
  const token = await adminToken();
  const page = await openEditor();
  await node(page, "rule-1").click();
  await inspector(page).getByLabel("Rule name").fill("Mine, not saved yet");

  // Meanwhile another admin saves over REST.
  const live = await api(server, "GET", "/v1/tenants/demo/routing", { token });
  const theirs = structuredClone(live.json);
  theirs.rules.find((r) => r.id === "rule-1").name = "Theirs";
  const put = await api(server, "PUT", "/v1/tenants/demo/routing", { token, body: theirs, headers: { "If-Match": live.headers.get("etag") } });
  assert.equal(put.status, 200, put.text);

  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Someone else changed the routing").waitFor();
  await screenshot(page, "admin-routing-changed");
  assert.doesNotMatch(readFileSync(tenantFile(), "utf8"), /Mine, not saved yet/);
  assert.match(readFileSync(tenantFile(), "utf8"), /Theirs/);
  await page.getByRole("button", { name: "Load the new version (discards your changes)" }).click();
  await node(page, "rule-1").getByText("Theirs").waitFor();
  assert.equal(await page.locator(".dirty-mark").innerText(), "");

  // Someone edits the tenant file by hand: the open editor notices and offers to reload.
  writeFileSync(tenantFile(), readFileSync(tenantFile(), "utf8").replace('name = "Theirs"', 'name = "Edited by hand"'));
  await page.getByText("The routing changed on the server").waitFor({ timeout: 15000 });
  assert.match(await node(page, "rule-1").innerText(), /Theirs/, "not reloaded without asking");
  await page.getByRole("button", { name: "Load the new version", exact: true }).click();
  await node(page, "rule-1").getByText("Edited by hand").waitFor();
  await page.context().close();
});

test("saved versions: who saved and when; an earlier one is viewed and restored by saving it", async () => {
  const page = await openEditor();
  await node(page, "rule-1").getByText("Edited by hand").waitFor();
  await page.getByRole("button", { name: "Versions" }).click();
  const panel = page.locator(".versions-panel");
  await panel.locator(".version").first().waitFor();
  // Newest first: the REST save of the last test, the editor's save, the demo file as it came.
  const items = await panel.locator(".version").allInnerTexts();
  assert.equal(items.length, 3, items.join("\n---\n"));
  assert.match(items[0], /#3[\s\S]*by Alex/);
  assert.match(items[1], /#2[\s\S]*by Alex/);
  assert.match(items[2], /#1[\s\S]*edited in the tenant file/);
  await screenshot(page, "admin-routing-versions");

  await panel.getByRole("button", { name: "View #1" }).click();
  await page.getByText("Showing version #1").waitFor();
  await node(page, "rule-1").waitFor({ state: "detached" });
  assert.match(await page.locator(".dirty-mark").innerText(), /Unsaved/);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved — live now").waitFor();
  assert.doesNotMatch(readFileSync(tenantFile(), "utf8"), /rule-1/);
  // The hand edit before it was kept too, then this save; the restored one is live.
  await panel.locator(".version", { hasText: "#5" }).waitFor();
  assert.match(await panel.locator(".version").nth(0).innerText(), /#5[\s\S]*live now[\s\S]*by Alex/);
  assert.match(await panel.locator(".version").nth(1).innerText(), /#4[\s\S]*edited in the tenant file/);
  await page.context().close();
});

test("the editor speaks Chinese", async () => {
  const page = await openEditor({ lang: "zh" });
  await node(page, "agent-free").waitFor();
  await page.getByRole("button", { name: "测试路由" }).waitFor();
  await node(page, "long-wait").click();
  await inspector(page).getByText("全部条件成立").waitFor();
  await screenshot(page, "admin-routing-zh");
  // The keyboard's way to disconnect and connect: the inspector's "Then".
  await node(page, "long-wait-do-1").click();
  await inspector(page).getByLabel("然后").selectOption("");
  await page.locator('.react-flow__edge[data-id="long-wait-do-1->long-wait-do-2"]').waitFor({ state: "detached" });
  await inspector(page).getByLabel("然后").selectOption("long-wait-do-2");
  await page.locator('.react-flow__edge[data-id="long-wait-do-1->long-wait-do-2"]').waitFor();
  const edge = await page.locator('.react-flow__edge[data-id="long-wait-do-1->long-wait-do-2"]').getAttribute("aria-label");
  assert.match(edge, /^从 消息：“Sorry for the wait\. .*” 到 排队：/);
  assert.doesNotMatch(edge, /long-wait/);
  assert.deepEqual((await inspector(page).getByLabel("然后").locator("option").allInnerTexts()).filter((o) => /long-wait/.test(o)), []);
  // The server's refusal (a page pattern only the server checks) is said in Chinese too.
  const before = readFileSync(tenantFile(), "utf8");
  await node(page, "agent-free").click();
  await inspector(page).getByLabel("添加条件").selectOption("page");
  await inspector(page).getByLabel("页面网址模式（* 任意文字，? 一个字符）").fill("https://shop.example/[oops");
  await toolbarFitsAt1280(page, "admin-routing-unsaved-1280-zh");
  await page.getByRole("button", { name: "保存", exact: true }).click();
  const problem = inspector(page).locator(".field-error .field-problem");
  await problem.waitFor();
  assert.equal(await problem.innerText(), "“https://shop.example/[oops”不是有效的页面匹配模式：有未闭合的 [ 或结尾的 \\");
  await screenshot(page, "admin-routing-error-zh");
  assert.equal(readFileSync(tenantFile(), "utf8"), before, "the tenant file is unchanged");
  page.once("dialog", (d) => void d.accept());
  await page.context().close();
});

test("a message's text per language: both edited, saved into the tenant file, labelled in both languages", async () => {
  const page = await openEditor();
  await node(page, "long-wait-do-1").click();
  const en = inspector(page).getByRole("textbox", { name: "In English (also for visitors of other languages)" });
  const zh = inspector(page).getByRole("textbox", { name: "In Chinese" });
  assert.match(await en.inputValue(), /^Sorry for the wait\. /);
  assert.match(await zh.inputValue(), /^抱歉让您久等了。/);
  await zh.fill("抱歉久等了，请留下您的问题。");
  await screenshot(page, "admin-routing-message-texts-en");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved — live now").waitFor();
  assert.match(readFileSync(tenantFile(), "utf8"), /text = \{ en = "Sorry for the wait\. [^"]*", zh = "抱歉久等了，请留下您的问题。" \}/);
  const graph = await api(server, "GET", "/v1/tenants/demo/routing", { token: await adminToken() });
  assert.equal(graph.json.actions.find((a) => a.id === "long-wait-do-1").text.zh, "抱歉久等了，请留下您的问题。");
  // Only an English text left: a plain string again, as older graphs have it.
  await node(page, "long-wait-do-1").click();
  await zh.fill("");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  // "Saved — live now" still shows from the first save, so wait for the file itself.
  const plain = /type = "message", [^\n]*text = "Sorry for the wait\. [^"]*" \}/;
  for (const began = Date.now(); !plain.test(readFileSync(tenantFile(), "utf8")); ) {
    assert.ok(Date.now() - began < 10000, "the second save did not write a plain English text");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await page.context().close();

  const zhPage = await openEditor({ lang: "zh" });
  await node(zhPage, "long-wait-do-1").click();
  await inspector(zhPage).getByRole("textbox", { name: "中文" }).fill("抱歉让您久等了。");
  await inspector(zhPage).getByRole("textbox", { name: "英文（其他语言的访客也看到这段）" }).waitFor();
  await inspector(zhPage).getByText("每位访客看到其小部件语言的文字；没有中文文字时，中文访客看到英文文字。").waitFor();
  await screenshot(zhPage, "admin-routing-message-texts-zh");
  await zhPage.getByRole("button", { name: "保存", exact: true }).click();
  await zhPage.getByText("已保存，已生效").waitFor();
  assert.match(readFileSync(tenantFile(), "utf8"), /zh = "抱歉让您久等了。" \}/);
  await zhPage.context().close();
});

test("an agent opening /admin/ is refused, and the server refuses their routing calls too", async () => {
  const page = await openEditor({ email: "agent@demo.local", password: "demo-agent" });
  await page.getByText("your account is an agent account").waitFor();
  assert.equal(await page.locator(".react-flow").count(), 0);
  await screenshot(page, "admin-refused");
  await page.context().close();
  const login = await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "agent@demo.local", password: "demo-agent" } });
  const r = await api(server, "GET", "/v1/tenants/demo/routing", { token: login.json.token });
  assert.equal(r.status, 403);
});

test("a rule and actions added with the buttons land beside the nodes already there, never over one", async () => {
  const page = await openEditor();
  await node(page, "agent-free").waitFor();
  const ids = async () => page.locator(".react-flow__node").evaluateAll((ns) => ns.map((n) => n.dataset.id));
  const overlaps = async (id) => {
    const mine = await node(page, id).boundingBox();
    const hits = [];
    for (const other of await ids()) {
      if (other === id) continue;
      const b = await node(page, other).boundingBox();
      if (b && mine.x < b.x + b.width && b.x < mine.x + mine.width && mine.y < b.y + b.height && b.y < mine.y + mine.height) hits.push(other);
    }
    return hits;
  };
  const added = async (click) => {
    const before = await ids();
    await click();
    let now = await ids();
    for (const began = Date.now(); now.length === before.length && Date.now() - began < 5000; now = await ids()) await page.waitForTimeout(50);
    const [id] = now.filter((n) => !before.includes(n));
    assert.ok(id, "a node was added");
    await page.waitForTimeout(200); // measured and drawn
    return id;
  };
  // The canvas's centre, where a new node used to go, is on the demo's nodes.
  const rule = await added(() => page.getByRole("button", { name: "Add rule" }).click());
  assert.deepEqual(await overlaps(rule), [], "the new rule covers no node");
  for (const kind of ["Message", "Queue", "Bot"]) {
    await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } }); // nothing selected: not a follow-up
    const action = await added(() => page.locator(".palette").getByRole("button", { name: kind }).click());
    assert.deepEqual(await overlaps(action), [], `the new ${kind} action covers no node`);
  }
  await screenshot(page, "admin-routing-added-beside");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the nodes name groups as the team knows them (Customer support), in both languages", async () => {
  for (const lang of ["en", "zh"]) {
    const page = await openEditor({ lang });
    await node(page, "agent-free").waitFor();
    assert.match(await node(page, "agent-free").innerText(), /Customer support/, `${lang}: the rule's condition`);
    assert.match(await node(page, "agent-free-do-1").innerText(), lang === "en" ? /to Customer support/ : /分配给 Customer support/, `${lang}: the route`);
    assert.match(await node(page, "long-wait-do-2").innerText(), /Customer support/, `${lang}: the queue`);
    assert.equal(await node(page, "agent-free-do-1").getAttribute("aria-label"), lang === "en" ? "Action Route: to Customer support" : "动作 分配：分配给 Customer support");
    // The arrow to it, as a screen reader names it, says the same; with the focus it
    // is drawn in the page's blue, as a focused node is ringed.
    const arrow = page.locator('.react-flow__edge[data-id="agent-free->agent-free-do-1"]');
    assert.match(await arrow.getAttribute("aria-label"), lang === "en" ? /to Route: to Customer support$/ : /到 分配：分配给 Customer support$/);
    await arrow.focus();
    assert.deepEqual(await arrow.locator(".react-flow__edge-path").evaluate((p) => [getComputedStyle(p).stroke, getComputedStyle(p).strokeWidth]), ["rgb(47, 111, 237)", "4px"]);
    if (lang === "zh") await screenshot(page, "admin-routing-group-names-zh");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});
