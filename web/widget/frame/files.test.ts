import { describe, expect, it } from "vitest";
import { checkFile, formatBytes } from "./files";
import { readSettings } from "./settings";

const limits = { enabled: true, max_bytes: 10 * 1024 * 1024, allowed_types: ["image/png", "application/pdf"] };

describe("files", () => {
  it("refuses what the tenant does not take, before uploading", () => {
    expect(checkFile({ size: 1000, type: "image/png" }, limits)).toBeNull();
    expect(checkFile({ size: 11 * 1024 * 1024, type: "image/png" }, limits)).toEqual({ reason: "too_large", limit: "10 MB" });
    expect(checkFile({ size: 10, type: "text/html" }, limits)).toEqual({ reason: "type" });
    expect(checkFile({ size: 10, type: "" }, limits)).toBeNull(); // the server decides from the bytes
    expect(checkFile({ size: 10, type: "image/png" }, { ...limits, enabled: false })).toEqual({ reason: "disabled" });
  });
  it("says sizes in words", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(33554432)).toBe("32 MB");
  });
});

describe("settings", () => {
  it("keeps well-formed values and defaults the rest", () => {
    const s = readSettings("demo", {
      color: "#123abc",
      logo: "javascript:alert(1)",
      position: "left",
      texts: { en: { title: "Help", greeting: 3 } },
      pre_chat: { enabled: true, fields: ["name", "phone", "email"] },
      attachments: { enabled: false, max_bytes: 100, allowed_types: ["image/png"] },
      available: false,
    });
    expect(s).toMatchObject({ color: "#123abc", logo: null, position: "left", texts: { en: { title: "Help" } }, available: false });
    expect(s.pre_chat).toEqual({ enabled: true, fields: ["name", "email"] });
    expect(s.attachments).toEqual({ enabled: false, max_bytes: 100, allowed_types: ["image/png"] });
    expect(readSettings("demo", { color: "red; background:url(x)" }).color).toBe("#2f6fed");
  });
});
