/** @jsxImportSource react */
// The admin app around its pages: its sign-in form names the workspace field as the
// console does; when the server ends the session, the sign-in
// form says why, from the 401's code, in the admin's language and with the
// console's sentences (shared/session-end.ts).
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { kTexts as kConsoleTexts } from "../console/i18n";

const kAdmin = { tenant: "demo", agent: { id: "ann", name: "Ann", role: "admin" }, csrf_token: "csrf1" };

describe("the admin app's sign-in", () => {
  let root: Root | null = null;
  let host: HTMLElement;
  let refusal: unknown = null; // the body of the 401 every tenant call gets
  let signedIn = true;
  beforeEach(() => {
    signedIn = true;
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    localStorage.clear();
    host = document.createElement("div");
    document.body.append(host);
    vi.stubGlobal("fetch", async (url: string) => {
      const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
      if (url === "/v1/session?probe=1") return json(200, signedIn ? kAdmin : { session: null });
      if (url.startsWith("/v1/tenants/demo/")) return json(401, refusal);
      return json(404, { error: { code: "not_found", message: "no such endpoint" } });
    });
  });
  afterEach(() => {
    act(() => root?.unmount());
    root = null;
    host.remove();
    vi.unstubAllGlobals();
  });

  async function shown(lang: "en" | "zh", page = "#team"): Promise<string> {
    location.hash = page;
    localStorage.setItem("switchboard.admin.lang", lang);
    await act(async () => {
      root = createRoot(host);
      root.render(<App />);
    });
    for (let i = 0; i < 50 && !host.querySelector("form.signin"); i++) await act(() => new Promise((r) => setTimeout(r, 10)));
    expect(host.querySelector("form.signin")).not.toBeNull();
    return host.querySelector('form.signin [role="status"]')?.textContent ?? "";
  }

  it("says the password changed, not that the session expired", async () => {
    refusal = { error: { code: "unauthorized", problem: "password_changed", message: "this token predates a password change; sign in again" } };
    expect(await shown("en")).toBe("Your password was changed. Please sign in with the new one.");
  });

  it("says an admin signed them out everywhere, in Chinese", async () => {
    refusal = { error: { code: "unauthorized", problem: "signed_out_by_admin", message: "an admin signed this agent out everywhere" } };
    expect(await shown("zh")).toBe("管理员已将您登出，请重新登录。");
  });

  it("says the account was removed, and for a code it does not know, the server's words", async () => {
    refusal = { error: { code: "unauthorized", problem: "agent_removed", message: "this agent was removed from the tenant" } };
    expect(await shown("en")).toBe("Your account was removed from this workspace.");
    act(() => root?.unmount());
    refusal = { error: { code: "unauthorized", problem: "account_locked", message: "locked by the security team" } };
    expect(await shown("en")).toBe("You were signed out: locked by the security team.");
  });

  it("says why from the pages with calls of their own too (the dashboard, the conversations)", async () => {
    refusal = { error: { code: "unauthorized", problem: "signed_out", message: "this session was signed out; sign in again" } };
    expect(await shown("en", "#dashboard")).toBe("You signed out in another tab or window.");
    act(() => root?.unmount());
    refusal = { error: { code: "unauthorized", problem: "password_changed", message: "this token predates a password change" } };
    expect(await shown("zh", "#conversations")).toBe("您的密码已更改，请使用新密码登录。");
  });

  it("calls the tenant field by the console's word, in both languages, as its accessible name too", async () => {
    signedIn = false;
    for (const lang of ["en", "zh"] as const) {
      refusal = null;
      await shown(lang);
      const input = host.querySelector<HTMLInputElement>('form.signin input[name="tenant"]')!;
      const label = input.closest("label")!;
      expect(label.textContent).toBe(kConsoleTexts[lang].tenant);
      expect(input.placeholder).toBe(kConsoleTexts[lang].tenantHint);
      act(() => root?.unmount());
      root = null;
    }
  });
});
