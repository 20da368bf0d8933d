import { render } from "preact";
import { describe, expect, it } from "vitest";
import type { Store } from "../store";
import { StoreContext, useApp } from "./context";
import { initials, RichText } from "./RichText";

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

describe("useApp", () => {
  it("shows a change made between the first render and the subscription", async () => {
    // A minimal store: the hook only reads state and subscribes.
    const listeners = new Set<() => void>();
    const store = {
      state: { phase: "loading" },
      subscribe(fn: () => void) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
      set(phase: string) {
        this.state = { phase };
        for (const fn of listeners) fn();
      },
    };
    function Phase() {
      const [state] = useApp();
      return <p>{state.phase}</p>;
    }
    const root = document.createElement("div");
    render(
      <StoreContext.Provider value={store as unknown as Store}>
        <Phase />
      </StoreContext.Provider>,
      root,
    );
    store.set("signed-out"); // before Preact ran the effects: nobody listens yet
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(root.textContent).toBe("signed-out");
  });
});

describe("initials", () => {
  it("shows a Chinese, Japanese or Korean name by its first character, a Latin one by first and last initials", () => {
    expect(initials("访客 1d7638")).toBe("访");
    expect(initials("王小明")).toBe("王");
    expect(initials("さくら 田中")).toBe("さ");
    expect(initials("김민준")).toBe("김");
    expect(initials("Ada Lovelace")).toBe("AL");
    expect(initials("ada")).toBe("A");
    expect(initials("Visitor 1d7638")).toBe("V1");
    expect(initials("  ")).toBe("?");
  });
});
