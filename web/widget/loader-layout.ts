// Where the launcher and the chat frame sit on the website: plain style tables the
// loader applies through element.style, so no stylesheet enters the host page.
export type Side = "left" | "right";

const kTop = "2147483000"; // above nearly everything a website stacks

export function launcherLayout(o: { side: Side; color: string; hidden: boolean }): Record<string, string> {
  return {
    all: "initial",
    position: "fixed",
    bottom: "20px",
    [o.side]: "20px",
    [o.side === "left" ? "right" : "left"]: "auto",
    width: "60px",
    height: "60px",
    "border-radius": "50%",
    border: "0",
    margin: "0",
    padding: "0",
    background: o.color,
    color: "#fff",
    cursor: "pointer",
    display: o.hidden ? "none" : "flex",
    "align-items": "center",
    "justify-content": "center",
    "box-shadow": "0 4px 14px rgba(0,0,0,.25)",
    "z-index": kTop,
    "box-sizing": "border-box",
    outline: "revert",
  };
}

// Desktop: a panel above the launcher. Narrow screens: the whole visual viewport
// (its height follows the on-screen keyboard, so the last message stays visible).
export function frameLayout(o: { side: Side; open: boolean; narrow: boolean; viewportHeight: number; viewportTop: number }): Record<string, string> {
  const base: Record<string, string> = {
    all: "initial",
    position: "fixed",
    border: "0",
    margin: "0",
    padding: "0",
    background: "transparent",
    "color-scheme": "normal",
    "z-index": kTop,
    display: o.open ? "block" : "none",
    "box-sizing": "border-box",
  };
  if (o.narrow) {
    return {
      ...base,
      top: Math.round(o.viewportTop) + "px",
      left: "0",
      right: "auto",
      bottom: "auto",
      width: "100vw",
      height: Math.round(o.viewportHeight) + "px",
      "max-height": "100dvh",
      "border-radius": "0",
      "box-shadow": "none",
    };
  }
  return {
    ...base,
    top: "auto",
    bottom: "92px",
    [o.side]: "20px",
    [o.side === "left" ? "right" : "left"]: "auto",
    width: "380px",
    height: "min(640px, calc(100vh - 112px))",
    "max-width": "calc(100vw - 40px)",
    "border-radius": "14px",
    "box-shadow": "0 8px 32px rgba(0,0,0,.28)",
  };
}
