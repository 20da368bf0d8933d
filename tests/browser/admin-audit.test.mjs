// The admin "Audit log" page in headless Chromium against a real server with the
// demo tenants: an admin saves the routing graph in the editor and adds an agent in
// the Team page; the audit log shows both, newest first, with the admin's name,
// filters them by action and by person, and renders names as text. The editor's
// saved versions (now kept in the tenant's storage) still list and view. In Chinese,
// what was changed and what happened are worded in Chinese from the entries' codes,
// with only the admins' own values (names, e-mail, file names) as they were given.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, launchBrowser, screenshot, startServer } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function signIn(hash = "", lang = "en") {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, locale: lang === "zh" ? "zh-CN" : "en-US" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.errors = errors;
  await page.goto(`${server.url}/admin/?tenant=demo${hash}`);
  await page.getByLabel(lang === "zh" ? "邮箱" : "Email").fill("admin@demo.local");
  await page.getByLabel(lang === "zh" ? "密码" : "Password").fill("demo-admin");
  await page.getByRole("button", { name: lang === "zh" ? "登录" : "Sign in", exact: true }).click();
  return page;
}

test("an admin's routing save and new agent appear in the audit log with their name", async () => {
  const page = await signIn();
  // The routing editor: rename a rule and save.
  await page.locator(".outline .outline-item", { hasText: "Waited five minutes" }).click();
  await page.locator(".side .inspector").getByLabel("Rule name").fill("Waited too long");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved — live now").waitFor();

  // Its versions still list, newest first, and one can be viewed.
  await page.getByRole("button", { name: "Versions" }).click();
  const panel = page.locator(".versions-panel");
  await panel.locator(".version").first().waitFor();
  const items = await panel.locator(".version").allInnerTexts();
  assert.equal(items.length, 2, items.join("\n---\n"));
  assert.match(items[0], /#2[\s\S]*live now[\s\S]*by Alex/);
  assert.match(items[1], /#1[\s\S]*edited in the tenant file/);
  await panel.getByRole("button", { name: "View #1" }).click();
  await page.getByText("Showing version #1").waitFor();
  assert.ok((await page.locator(".outline .outline-name").allInnerTexts()).includes("Waited five minutes"));
  // Leave the viewed version unsaved: the navigation asks first.
  page.once("dialog", (d) => d.accept());

  // The Team page: a new agent whose name carries markup.
  await page.getByRole("link", { name: "Team" }).click();
  await page.getByRole("button", { name: "Add agent" }).click();
  const dialog = page.getByRole("dialog", { name: "New agent" });
  await dialog.getByLabel("Name").fill("Wu <b>Bold</b> 吴");
  await dialog.getByLabel("Email").fill("wu@demo.local");
  await dialog.getByLabel("Password", { exact: true }).fill("wu-password-1");
  await dialog.getByLabel("Groups").fill("support");
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.waitFor({ state: "detached" });

  // The audit log: both, newest first, by Alex.
  await page.getByRole("link", { name: "Audit log" }).click();
  const table = page.getByRole("table", { name: "Audit log" });
  // The page is shown once its table is; only then is the tab marked current.
  await table.waitFor();
  assert.equal(await page.getByRole("link", { name: "Audit log" }).getAttribute("aria-current"), "page");
  const rows = table.locator("tbody tr");
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  const agentRow = await rows.nth(0).innerText();
  assert.match(agentRow, /Alex/);
  assert.match(agentRow, /Added an agent/);
  assert.match(agentRow, /Wu <b>Bold<\/b> 吴 <wu@demo\.local>/);
  assert.match(agentRow, /groups support/);
  assert.equal(await table.locator("b").count(), 0, "a name is text, never HTML");
  const routingRow = await rows.nth(1).innerText();
  assert.match(routingRow, /Alex/);
  assert.match(routingRow, /Saved the routing graph/);
  assert.match(routingRow, /routing graph/);
  assert.match(routingRow, /changed Waited too long/);
  // When, in the browser's local time, with a machine-readable value.
  const when = await rows.nth(1).locator("time").getAttribute("datetime");
  assert.ok(Math.abs(Date.parse(when) - Date.now()) < 5 * 60_000, when);
  await screenshot(page, "admin-audit");

  // Filters: by action, then by person.
  await page.getByLabel("Action").selectOption({ label: "Saved the routing graph" });
  await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length === 1);
  assert.match(await rows.nth(0).innerText(), /Saved the routing graph/);
  await page.getByLabel("Action").selectOption({ label: "All actions" });
  await page.getByLabel("Person").selectOption({ label: "Dana (agent@demo.local)" });
  await page.getByText("No entries match these filters.").waitFor();
  await page.getByLabel("Person").selectOption({ label: "Alex (admin@demo.local)" });
  await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length === 2);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a filter changed while the last list is on its way shows the new filter's entries, not the late list", async () => {
  const page = await signIn("#audit");
  const table = page.getByRole("table", { name: "Audit log" });
  await table.locator("tbody tr").first().waitFor();
  // The unfiltered list comes late (as on a slow link); a person's list at once.
  await page.route(/\/v1\/tenants\/demo\/audit/, async (route) => {
    if (!new URL(route.request().url()).searchParams.has("actor")) await new Promise((r) => setTimeout(r, 1500));
    await route.continue().catch(() => {});
  });
  await page.getByLabel("Person").selectOption({ label: "Alex (admin@demo.local)" });
  await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length > 0);
  await page.getByLabel("Person").selectOption({ label: "Everyone" });
  await page.getByLabel("Person").selectOption({ label: "Dana (agent@demo.local)" });
  await page.getByText("No entries match these filters.").waitFor();
  // The everyone list arrives after: what is shown still answers the filter chosen.
  await page.waitForTimeout(2500);
  assert.ok(await page.getByText("No entries match these filters.").isVisible());
  assert.equal(await page.locator("table tbody tr").count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the audit log speaks Chinese", async () => {
  const page = await signIn("#audit", "zh");
  await page.getByRole("heading", { name: "审计日志" }).waitFor();
  const table = page.getByRole("table", { name: "审计日志" });
  await table.locator("tbody tr").first().waitFor();
  assert.match(await table.locator("tbody tr").first().innerText(), /添加了客服/);
  await page.getByLabel("操作").waitFor();
  await page.getByLabel("人员").waitFor();
  await page.context().close();
});

test("in Chinese, what changed and the details of the admin's own changes are Chinese", async () => {
  const login = await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "admin@demo.local", password: "demo-admin" } });
  assert.equal(login.status, 200, login.text);
  const token = login.json.token;
  // Four changes over REST: the routing graph with a rule renamed, a new agent, the
  // knowledge base saved, a canned reply added.
  const graph = (await api(server, "GET", "/v1/tenants/demo/routing", { token })).json;
  const rule = graph.rules.find((r) => r.name === "Waited too long" || r.name === "Waited five minutes");
  assert.ok(rule, JSON.stringify(graph.rules.map((r) => r.name)));
  rule.name = "等太久了";
  const saved = await api(server, "PUT", "/v1/tenants/demo/routing", { token, body: graph });
  assert.equal(saved.status, 200, saved.text);
  const agent = await api(server, "POST", "/v1/tenants/demo/agents", {
    token,
    body: { name: "周<i>斜</i>", email: "zhou@demo.local", password: "zhou-password-1", groups: [] },
  });
  assert.equal(agent.status, 201, agent.text);
  const kb = await api(server, "GET", "/v1/tenants/demo/kb", { token });
  assert.equal(kb.status, 200);
  const kbSaved = await api(server, "PUT", "/v1/tenants/demo/kb", { token, body: kb.text, headers: { "Content-Type": "application/toml" } });
  assert.equal(kbSaved.status, 200, kbSaved.text);
  const kbFile = kbSaved.json.file;
  const canned = await api(server, "POST", "/v1/tenants/demo/canned-replies", { token, body: { shortcut: "/zh-wait", text: "请稍等 <u>一下</u>" } });
  assert.equal(canned.status, 201, canned.text);

  const page = await signIn("#audit", "zh");
  const table = page.getByRole("table", { name: "审计日志" });
  const rows = table.locator("tbody tr");
  await page.waitForFunction(() => document.querySelector("table tbody tr")?.getAttribute("data-action") === "canned_reply.created");
  const cells = async (i) => ({
    action: await rows.nth(i).getAttribute("data-action"),
    target: await rows.nth(i).locator(".audit-target").innerText(),
    summary: await rows.nth(i).locator(".audit-summary").innerText(),
  });
  const [cannedRow, kbRow, agentRow, routingRow] = [await cells(0), await cells(1), await cells(2), await cells(3)];
  assert.deepEqual(
    [cannedRow.action, kbRow.action, agentRow.action, routingRow.action],
    ["canned_reply.created", "kb.saved", "agent.created", "routing.saved"],
  );
  await screenshot(page, "admin-audit-zh");

  // Without the values the admin gave, not a Latin letter is left in either column.
  const latin = (text, ...values) => {
    let rest = text;
    for (const v of values) rest = rest.split(v).join("");
    return rest.match(/[A-Za-z]+/g);
  };
  assert.equal(routingRow.target, "路由图");
  assert.match(routingRow.summary, /条规则：修改 等太久了/);
  assert.equal(latin(routingRow.summary), null, routingRow.summary);
  assert.equal(agentRow.target, "周<i>斜</i> <zhou@demo.local>");
  assert.equal(agentRow.summary, "角色 客服；分组 无；接待上限 5");
  assert.equal(await table.locator("i").count(), 0, "a name is text, never HTML");
  assert.equal(kbRow.target, `文件 ${kbFile}`);
  assert.match(kbRow.summary, /^已替换：\d+ 行，\d+ 字节$/);
  assert.equal(cannedRow.target, "快捷回复 /zh-wait");
  assert.equal(cannedRow.summary, "内容：请稍等 <u>一下</u>");
  assert.equal(await table.locator("u").count(), 0, "a reply's text is text, never HTML");
  for (const row of [routingRow, agentRow, kbRow, cannedRow])
    assert.equal(latin(`${row.target} ${row.summary}`, "周<i>斜</i>", "zhou@demo.local", kbFile, "/zh-wait", "<u>", "</u>"), null, JSON.stringify(row));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
