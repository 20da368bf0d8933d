import { render } from "preact";
import { describe, expect, it } from "vitest";
import { RichText } from "./RichText";

describe("RichText", () => {
  it("renders visitor HTML as text and only http(s) links as links", () => {
    const root = document.createElement("div");
    render(<RichText text={'<img src=x onerror=alert(1)> see https://example.com/a, javascript:alert(2)'} />, root);
    expect(root.querySelector("img")).toBeNull();
    expect(root.textContent).toBe("<img src=x onerror=alert(1)> see https://example.com/a, javascript:alert(2)");
    const links = root.querySelectorAll("a");
    expect(links.length).toBe(1);
    expect(links[0].getAttribute("href")).toBe("https://example.com/a");
    expect(links[0].getAttribute("rel")).toContain("noopener");
  });
});
