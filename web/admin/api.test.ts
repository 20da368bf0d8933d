// The admin pages' calls when the server cannot be reached at all.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, call } from "./api";
import { pagesApi } from "./pages/api";

afterEach(() => {
  vi.unstubAllGlobals();
  document.documentElement.lang = "";
});

describe("a server that cannot be reached", () => {
  it("is an ApiError in the page's language, not the browser's 'Failed to fetch'", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    document.documentElement.lang = "zh-CN";
    const zh = await call("GET", "/v1/tenants/demo/routing").catch((e) => e);
    expect(zh).toBeInstanceOf(ApiError);
    expect(zh.status).toBe(0);
    expect(zh.code).toBe("network");
    expect(zh.message).toContain("无法连接服务器");
    document.documentElement.lang = "en";
    const kb = await pagesApi({ tenant: "demo", agent: { id: "a", name: "A", role: "admin" }, csrf: "x" })
      .putKb("x = 1", null)
      .catch((e) => e);
    expect(kb).toBeInstanceOf(ApiError);
    expect(kb.message).toMatch(/^Cannot reach the server/);
  });

  it("a save names the version it was loaded as", async () => {
    const seen: Record<string, string>[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        seen.push(init.headers as Record<string, string>);
        return new Response('{"file":"demo/faq.toml"}', { status: 200, headers: { ETag: '"v2"' } });
      }),
    );
    const api = pagesApi({ tenant: "demo", agent: { id: "a", name: "A", role: "admin" }, csrf: "x" });
    expect(await api.putKb("x = 1", '"v1"')).toEqual({ file: "demo/faq.toml", etag: '"v2"' });
    expect(seen[0]["If-Match"]).toBe('"v1"');
    await api.putIntents("y = 1", null);
    expect(seen[1]["If-Match"]).toBeUndefined();
  });
});
