// The admin UI's Team, Canned replies and Knowledge pages in headless Chromium
// against a real server with the demo tenants: an agent created in the UI can sign
// in; a canned reply added in the UI is served by REST; a FAQ entry added in the UI
// is saved and answers a visitor; a broken entry shows the server's error on its
// row and saves nothing; an agent is refused.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, test } from "node:test";
import { api, launchBrowser, screenshot, sourceDir, startServer } from "./harness.mjs";

const WebSocketImpl = globalThis.WebSocket ?? createRequire(path.join(sourceDir(), "web", "package.json"))("playwright-core/lib/utilsBundle").ws;

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

async function token(email, password) {
  const r = await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email, password } });
  return r;
}
const adminToken = async () => (await token("admin@demo.local", "demo-admin")).json.token;

// A signed-in admin page on the demo tenant, at #hash.
async function open(hash, { email = "admin@demo.local", password = "demo-admin", lang = "en", height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width: 1360, height }, locale: lang === "zh" ? "zh-CN" : "en-US" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused/.test(m.text())) errors.push(m.text());
  });
  page.errors = errors;
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

test("an admin adds an agent in the Team page, who can then sign in; file agents and bad fields are explained; disable asks first", async () => {
  const page = await open("team");
  const table = page.locator(".team-table");
  await table.locator('tr[data-agent="agent@demo.local"]').waitFor();
  assert.equal(await page.getByRole("link", { name: "Team" }).getAttribute("aria-current"), "page");
  // The demo agents come from the tenant file.
  assert.match(await table.locator('tr[data-agent="agent@demo.local"]').innerText(), /Tenant file/);

  await page.getByRole("button", { name: "Add agent" }).click();
  const dialog = page.getByRole("dialog", { name: "New agent" });
  await dialog.getByLabel("Name").fill("Lin Mei 林梅");
  await dialog.getByLabel("Email").fill("lin@demo.local");
  await dialog.getByLabel("Password", { exact: true }).fill("short");
  await dialog.getByLabel("Groups").fill("support, sales");
  await dialog.getByLabel("Chats at once").fill("3");
  await dialog.getByRole("button", { name: "Save" }).click();
  // The server's 422 lands on the password field.
  const password = dialog.getByLabel("Password", { exact: true });
  await waitFor("the password error", async () => (await password.getAttribute("aria-invalid")) === "true");
  assert.match(await dialog.locator(".pfield.has-error").innerText(), /password must be a string of 8/);
  assert.equal((await token("lin@demo.local", "short")).status, 401);

  await password.fill("lin-password-1");
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.waitFor({ state: "detached" });
  const row = table.locator('tr[data-agent="lin@demo.local"]');
  await row.waitFor();
  assert.match(await row.innerText(), /Lin Mei 林梅/);
  assert.match(await row.innerText(), /support/);
  assert.match(await row.innerText(), /0 \/ 3/);
  assert.match(await page.locator(".banner-success").innerText(), /Lin Mei 林梅 can sign in now/);
  await screenshot(page, "admin-team");

  // The new agent signs in over REST.
  const login = await token("lin@demo.local", "lin-password-1");
  assert.equal(login.status, 200, login.text);
  assert.equal(login.json.agent.name, "Lin Mei 林梅");

  // Editing: the role changes; an email taken by another agent is refused on its field.
  await page.getByRole("button", { name: "Edit Lin Mei 林梅" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Lin Mei 林梅" });
  await edit.getByLabel("Email").fill("agent@demo.local");
  await edit.getByRole("button", { name: "Save" }).click();
  await waitFor("the email error", async () => (await edit.getByLabel("Email").getAttribute("aria-invalid")) === "true");
  assert.match(await edit.locator(".pfield.has-error").innerText(), /an agent with this email exists/);
  await edit.getByLabel("Email").fill("lin@demo.local");
  await edit.getByLabel("Role").selectOption("admin");
  await edit.getByRole("button", { name: "Save" }).click();
  await edit.waitFor({ state: "detached" });
  await waitFor("the admin role", async () => /Admin/.test(await row.innerText()));

  // An agent of the tenant file: the server's 409 is explained.
  await page.getByRole("button", { name: /^Edit .*/ }).first().waitFor();
  const fileRow = table.locator('tr[data-agent="agent@demo.local"]');
  await fileRow.getByRole("button", { name: /^Edit / }).click();
  const fileEdit = page.getByRole("dialog");
  await fileEdit.getByLabel("Chats at once").fill("9");
  await fileEdit.getByRole("button", { name: "Save" }).click();
  await waitFor("the tenant-file explanation", async () => /defined in the tenant file/.test(await fileEdit.innerText()));
  await fileEdit.getByRole("button", { name: "Cancel" }).click();

  // Disabling asks first; cancel keeps the agent, confirm disables it.
  await page.getByRole("button", { name: "Disable Lin Mei 林梅" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();
  assert.equal((await token("lin@demo.local", "lin-password-1")).status, 200);
  await page.getByRole("button", { name: "Disable Lin Mei 林梅" }).click();
  const ask = page.getByRole("alertdialog");
  assert.match(await ask.innerText(), /Disable Lin Mei 林梅\?/);
  await ask.getByRole("button", { name: "Disable" }).click();
  await row.waitFor({ state: "detached" });
  assert.notEqual((await token("lin@demo.local", "lin-password-1")).status, 200);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
