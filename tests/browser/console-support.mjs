// Helpers shared by the console's browser tests (console.test.mjs, chat.test.mjs):
// signing in to the real console and finding its conversations and messages.

// Signs in on the console's sign-in page and waits for the inbox.
export async function signIn(page, server, who) {
  await page.goto(`${server.url}/console/`);
  await page.getByLabel("Workspace").fill(who.tenant);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("tab", { name: /Mine/ }).waitFor();
}

// The console's conversation list entry of a visitor.
export const convButton = (page, name) => page.getByRole("button", { name: new RegExp(`^${name}`) });
export const log = (page) => page.getByRole("log", { name: "Messages" });
