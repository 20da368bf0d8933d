// The messages the loader (on the website) and the frame (on the Switchboard
// server) exchange with postMessage. Each side names the other's origin as the
// target and accepts only messages from the other's window and origin.
// Every message is an object with `switchboard` naming its kind.

// Frame → loader.
export type FromFrame =
  | { switchboard: "ready" }
  // Keep this opaque string in the website's localStorage (visitor token, conversation).
  | { switchboard: "store"; value: string }
  | { switchboard: "unread"; count: number }
  | { switchboard: "close" }
  // The tenant's look, for the launcher.
  | { switchboard: "look"; color: string; position: "left" | "right"; lang: "en" | "zh" }
  // For Switchboard.on(name, fn) on the website.
  | { switchboard: "event"; name: string; detail: unknown };

// Loader → frame.
// init's `lang` is the embed tag's data-lang (the website owner's choice, which
// wins), `pageLang` the page's <html lang> (texts/index.ts, widgetLanguage). A
// loader older than pageLang sent the page's language as `lang`.
export type ToFrame =
  | { switchboard: "init"; stored: string | null; lang: string | null; pageLang?: string | null; page: string; open: boolean }
  | { switchboard: "open" }
  | { switchboard: "hidden" }
  // Another tab of the website changed the stored string (the storage event).
  | { switchboard: "stored"; value: string | null }
  | { switchboard: "identify"; name?: string; email?: string; attributes?: Record<string, string | number | boolean> };

// Admin page → frame in preview mode (/widget/?preview=1, framed by the admin
// page on the Switchboard origin): draw the panel with these unsaved settings (the
// form of GET /v1/tenants/ID/widget/settings) in this language.
export type ToPreview = { switchboard: "preview"; settings: unknown; lang: "en" | "zh" };

export function isBridgeMessage<T extends { switchboard: string }>(data: unknown): data is T {
  return !!data && typeof data === "object" && typeof (data as { switchboard?: unknown }).switchboard === "string";
}
