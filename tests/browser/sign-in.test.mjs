// Signing in to the console and the admin pages, in headless Chromium against a
// real server: one name for the workspace field and the same words for a refusal in
// both UIs and both languages; and when the server
// ends the admin's session, the sign-in form comes back saying why, from the 401's
// `problem` (docs/protocol.md, "Session end"), with the console's sentences, in the
// admin's language: signed out everywhere by another admin (the dashboard's live
// numbers meet it by themselves), the password changed, the account removed.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, launchBrowser, screenshot, startServer } from "./harness.mjs";
import { openAdmin } from "./admin-support.mjs";
import { until } from "./console-support.mjs";

let server;
let browser;
let token; // the demo admin's

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  token = (await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email: "admin@demo.local", password: "demo-admin" } })).json.token;
});
after(async () => {
  await browser?.close();
  await server?.dispose();
});

// A second admin, made over REST, signed in to the admin pages at #hash.
async function secondAdmin(email, hash, lang) {
  const made = await api(server, "POST", "/v1/tenants/demo/agents", { token, body: { email, name: "Second Admin", password: "second-admin-1", role: "admin" } });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const page = await openAdmin(browser, server, hash, { lang, email, password: "second-admin-1" });
  await page.locator(".who").waitFor();
  return { page, id: made.json.id };
}
const notice = (page) => page.locator('form.signin [role="status"]');
async function saysOnSignIn(page, expected) {
  await until(`the sign-in form to say "${expected}"`, async () => ((await notice(page).count()) ? await notice(page).innerText() : ""), (v) => v === expected, 20000);
}

test("signed out everywhere by another admin: the dashboard's next poll brings sign-in saying so", async () => {
  const { page, id } = await secondAdmin("second1@demo.local", "dashboard", "en");
  await page.locator(".dash-live").waitFor();
  const r = await api(server, "POST", `/v1/tenants/demo/agents/${id}/sign-out`, { token });
  assert.equal(r.status, 200);
  await saysOnSignIn(page, "An admin signed you out. Please sign in again.");
  await screenshot(page, "admin-signed-out-by-admin");
  await page.context().close();
});

test("a password changed elsewhere: the next page opened says so, in Chinese", async () => {
  const { page, id } = await secondAdmin("second2@demo.local", "team", "zh");
  await page.getByRole("table").first().waitFor();
  const r = await api(server, "PATCH", `/v1/tenants/demo/agents/${id}`, { token, body: { password: "changed-password-2" } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  await page.getByRole("link", { name: "快捷回复" }).click();
  await saysOnSignIn(page, "您的密码已更改，请使用新密码登录。");
  await screenshot(page, "admin-password-changed-zh");
  await page.context().close();
});

test("removed from the workspace: the next page opened says so", async () => {
  const { page, id } = await secondAdmin("second3@demo.local", "canned", "en");
  await page.getByRole("heading", { name: "Canned replies" }).waitFor();
  const r = await api(server, "DELETE", `/v1/tenants/demo/agents/${id}`, { token });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  await page.getByRole("link", { name: "Team" }).click();
  await saysOnSignIn(page, "Your account was removed from this workspace.");
  await page.context().close();
});

test("the workspace field has one name in the admin pages and the console, in English and Chinese", async () => {
  for (const [lang, name] of [["en", "Workspace"], ["zh", "工作区"]]) {
    const context = await browser.newContext({ locale: lang === "zh" ? "zh-CN" : "en-US" });
    const page = await context.newPage();
    for (const ui of ["admin", "console"]) {
      await page.goto(`${server.url}/${ui}/`);
      const field = page.getByRole("textbox", { name, exact: true });
      await field.waitFor();
      assert.equal(await field.getAttribute("autocomplete"), "organization", `${ui} in ${lang}`);
    }
    await page.getByRole("textbox", { name, exact: true }).fill("demo");
    await screenshot(page, `console-signin-${lang}`);
    await page.goto(`${server.url}/admin/`);
    await page.getByRole("textbox", { name, exact: true }).fill("demo");
    await screenshot(page, `admin-signin-${lang}`);
    await context.close();
  }
});

test("a workspace that does not exist, and a wrong password, are said alike by both UIs in their language, and both empty the password", async () => {
  const words = {
    en: { fields: ["Workspace", "Email", "Password"], submit: "Sign in", none: "There is no workspace with this id.", wrong: "Wrong email or password." },
    zh: { fields: ["工作区", "邮箱", "密码"], submit: "登录", none: "没有这个工作区。", wrong: "邮箱或密码错误。" },
  };
  for (const [lang, w] of Object.entries(words)) {
    const context = await browser.newContext({ locale: lang === "zh" ? "zh-CN" : "en-US" });
    const page = await context.newPage();
    for (const ui of ["console", "admin"]) {
      await page.goto(`${server.url}/${ui}/`);
      const [workspace, email] = w.fields.map((name) => page.getByRole("textbox", { name, exact: true }));
      const password = page.getByLabel(w.fields[2], { exact: true });
      const alert = page.getByRole("alert");
      await workspace.fill("no-such-shop");
      await email.fill("agent@demo.local");
      await password.fill("demo-agent");
      await page.getByRole("button", { name: w.submit, exact: true }).click();
      await until(`${ui} in ${lang} to say there is no such workspace`, () => alert.allInnerTexts(), (v) => v.join() === w.none);
      await workspace.fill("demo");
      await password.fill("not-the-password");
      await page.getByRole("button", { name: w.submit, exact: true }).click();
      await until(`${ui} in ${lang} to say the password is wrong`, () => alert.allInnerTexts(), (v) => v.join() === w.wrong);
      assert.equal(await password.inputValue(), "", `${ui} in ${lang} empties the password field after a refusal`);
    }
    await context.close();
  }
});

test("signing in while the server is down says so in the page's language, in both UIs", async () => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  const uis = ["console", "admin"];
  const pages = [];
  for (const ui of uis) {
    const p = ui === "console" ? page : await context.newPage();
    await p.goto(`${server.url}/${ui}/`);
    await p.getByRole("textbox", { name: "工作区", exact: true }).waitFor();
    pages.push(p);
  }
  await server.stop();
  try {
    for (const [i, p] of pages.entries()) {
      await p.getByRole("textbox", { name: "工作区", exact: true }).fill("demo");
      await p.getByRole("textbox", { name: "邮箱", exact: true }).fill("agent@demo.local");
      await p.getByLabel("密码", { exact: true }).fill("demo-agent");
      await p.getByRole("button", { name: "登录", exact: true }).click();
      await until(`${uis[i]} to say the server cannot be reached`, () => p.getByRole("alert").allInnerTexts(), (v) => v.join() === "无法登录：无法连接服务器（可能正在重启，或网络中断）。请稍后再试。");
    }
    await screenshot(pages[0], "console-signin-server-down-zh");
  } finally {
    await server.start();
    await context.close();
  }
});

test("the routing editor keeps unsaved work when the session ended, and its banner says why", async () => {
  const { page, id } = await secondAdmin("second4@demo.local", "routing", "en");
  await page.locator(".react-flow__node").first().click();
  await page.getByLabel("Rule name").fill("Renamed before the sign-out");
  const r = await api(server, "POST", `/v1/tenants/demo/agents/${id}/sign-out`, { token });
  assert.equal(r.status, 200);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const banner = page.locator(".banner-error");
  await until("the banner to say why it was not saved", () => banner.innerText(), (v) => v.includes("Not saved: An admin signed you out. Please sign in again. Export your version (Export JSON) to keep it, then reload the page."));
  assert.equal(await page.getByLabel("Rule name").inputValue(), "Renamed before the sign-out", "the edit is still there");
  await screenshot(page, "admin-editor-signed-out");
  await page.context().close();
});
