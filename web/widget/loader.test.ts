import { describe, expect, it } from "vitest";
import { chooseLanguage, texts, widgetLanguage } from "./texts";
import { frameLayout, launcherLayout } from "./loader-layout";

describe("language", () => {
  it("takes the first English or Chinese of data-lang, page, browser", () => {
    expect(chooseLanguage(["zh-CN", "en"])).toBe("zh");
    expect(chooseLanguage([undefined, "", "de", "en-US"])).toBe("en");
    expect(chooseLanguage(["fr", "de"])).toBeNull();
  });
  it("follows the visitor's browser over the page, unless the embed tag pins a language", () => {
    const pick = (pinned: string | null, page: string | null, browser: string[], fallback: "en" | "zh" = "en") => widgetLanguage({ pinned, page, browser, fallback });
    // A Chinese browser on an English page; an English one on a Chinese page.
    expect(pick(null, "en", ["zh-CN"])).toBe("zh");
    expect(pick(null, "zh-CN", ["en-US", "en"])).toBe("en");
    // The site owner's data-lang wins over both.
    expect(pick("en", "en", ["zh-CN"])).toBe("en");
    expect(pick("zh", "en", ["en-US"])).toBe("zh");
    // A visitor who reads both gets the page's; the first the widget has otherwise.
    expect(pick(null, "zh", ["en-US", "zh-TW"])).toBe("zh");
    expect(pick(null, "de", ["fr", "zh-HK", "en"])).toBe("zh");
    // A browser in neither: the page's, else the tenant's default.
    expect(pick(null, "zh-CN", ["fr-FR"])).toBe("zh");
    expect(pick(null, null, ["fr-FR"], "zh")).toBe("zh");
    expect(pick("de", "", [], "en")).toBe("en");
  });
  it("has every text in both languages", () => {
    expect(Object.keys(texts.zh).sort()).toEqual(Object.keys(texts.en).sort());
    for (const value of Object.values(texts.zh)) expect(value).not.toBe("");
  });
});

describe("layout on the website", () => {
  it("puts the panel above the launcher on a desktop and fills a phone's visible viewport", () => {
    const desk = frameLayout({ side: "left", open: true, narrow: false, viewportHeight: 800, viewportTop: 0 });
    expect(desk).toMatchObject({ left: "20px", right: "auto", width: "380px", display: "block" });
    const phone = frameLayout({ side: "right", open: true, narrow: true, viewportHeight: 500.4, viewportTop: 40 });
    expect(phone).toMatchObject({ top: "40px", left: "0", width: "100vw", height: "500px" });
    expect(frameLayout({ side: "right", open: false, narrow: true, viewportHeight: 1, viewportTop: 0 }).display).toBe("none");
    expect(launcherLayout({ side: "right", color: "#000", hidden: true }).display).toBe("none");
  });
});
