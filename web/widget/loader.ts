// The script a website embeds:
//   <script src="https://CHAT-HOST/widget.js" data-tenant="ID" async></script>
// It adds a launcher button and, on first use or when the browser is idle, an
// iframe with the chat from the Switchboard server. It defines nothing but
// window.Switchboard and injects no <style> or inline script: every style is set
// through the CSSOM (element.style), which a strict Content-Security-Policy allows.
import { isBridgeMessage, type FromFrame, type ToFrame } from "./bridge";
import { texts, widgetLanguage } from "./texts";
import { launcherLayout, frameLayout, type Side } from "./loader-layout";

type Listener = (detail: unknown) => void;

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.tenant) return current;
  return document.querySelector<HTMLScriptElement>('script[data-tenant][src*="widget.js"]');
}

// Inline and !important: not even a website's `button { … !important }` reaches them.
function applyStyle(el: HTMLElement, style: Record<string, string>): void {
  for (const [key, value] of Object.entries(style)) el.style.setProperty(key, value, "important");
}

function start(): void {
  if ((window as { Switchboard?: unknown }).Switchboard) return; // embedded twice
  const script = findScript();
  const tenant = script?.dataset.tenant;
  if (!script || !tenant) {
    console.warn("Switchboard: the widget's <script> tag needs data-tenant");
    return;
  }
  const server = new URL(script.src, location.href).origin;
  const storageKey = "switchboard:" + tenant;
  const pinnedLang = script.dataset.lang ?? null;
  const pageLang = document.documentElement.lang || null;
  // The frame decides with the tenant's default too, and says so in "look".
  let lang = widgetLanguage({ pinned: pinnedLang, page: pageLang, browser: navigator.languages ?? [navigator.language], fallback: "en" });
  let side: Side = script.dataset.position === "left" ? "left" : "right";
  const sideFixed = script.dataset.position === "left" || script.dataset.position === "right";
  let color = "#2f6fed";
  const kColor = /^#[0-9a-f]{3}([0-9a-f]{3})?$/i;
  // The tenant's colour and side as last seen on this website, so the launcher does
  // not change colour once the frame has read the settings.
  try {
    const look = JSON.parse(localStorage.getItem(storageKey + ":look") ?? "{}");
    if (kColor.test(String(look.color))) color = look.color;
    if (!sideFixed && (look.position === "left" || look.position === "right")) side = look.position;
  } catch {
    /* storage blocked or empty */
  }

  const listeners = new Map<string, Set<Listener>>();
  const emit = (name: string, detail?: unknown) => {
    for (const fn of listeners.get(name) ?? []) {
      try {
        fn(detail);
      } catch (e) {
        console.error(e);
      }
    }
  };

  // --- the launcher ---------------------------------------------------------
  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.setAttribute("aria-haspopup", "dialog");
  launcher.setAttribute("aria-expanded", "false");
  const icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("width", "28");
  icon.setAttribute("height", "28");
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z");
  icon.appendChild(path);
  launcher.appendChild(icon);
  const badge = document.createElement("span");
  badge.setAttribute("aria-hidden", "true");
  launcher.appendChild(badge);

  let frame: HTMLIFrameElement | null = null;
  let frameReady = false;
  let isOpen = false;
  let unread = 0;
  const queue: ToFrame[] = []; // sent once the frame is ready

  const phone = window.matchMedia("(max-width: 480px)");

  function label(): void {
    const t = texts[lang];
    let name = isOpen ? t.closeChat : t.openChat;
    if (!isOpen && unread > 0) name += " (" + t.unread.replace("{n}", String(unread)) + ")";
    launcher.setAttribute("aria-label", name);
    launcher.title = isOpen ? t.closeChat : t.openChat;
    badge.textContent = unread > 99 ? "99+" : String(unread);
    if (frame) frame.title = t.frameTitle;
  }

  function layout(): void {
    const narrow = phone.matches;
    applyStyle(launcher, launcherLayout({ side, color, hidden: isOpen && narrow }));
    applyStyle(badge, {
      all: "initial",
      position: "absolute",
      top: "-4px",
      [side === "left" ? "left" : "right"]: "-4px",
      "min-width": "20px",
      height: "20px",
      padding: "0 5px",
      "box-sizing": "border-box",
      "border-radius": "10px",
      background: "#d93025",
      color: "#fff",
      font: "bold 12px/20px system-ui, sans-serif",
      "text-align": "center",
      display: unread > 0 && !isOpen ? "block" : "none",
    });
    if (frame) {
      const vv = window.visualViewport;
      applyStyle(frame, frameLayout({ side, open: isOpen, narrow, viewportHeight: vv?.height ?? innerHeight, viewportTop: vv?.offsetTop ?? 0 }));
    }
  }

  // The tenant's side arrives with the frame's settings, shortly after the page
  // loaded on a first visit. A launcher that moved while pressed would lose the
  // click (the release lands on the page, not on it) and the chat would not open:
  // while it is pressed it stays put, and moves once released.
  let pressed = false;
  let sideLater: Side | null = null;
  function moveTo(next: Side): void {
    if (pressed) sideLater = next;
    else side = next;
  }
  launcher.addEventListener("pointerdown", () => (pressed = true));
  const released = () => {
    pressed = false;
    if (!sideLater) return;
    const next = sideLater;
    sideLater = null;
    // After this release's click (dispatched in the same task), if there is one.
    setTimeout(() => {
      side = next;
      layout();
    });
  };
  window.addEventListener("pointerup", released, true);
  window.addEventListener("pointercancel", released, true);

  function post(message: ToFrame): void {
    if (!frame || !frameReady) {
      if (message.switchboard !== "hidden" && message.switchboard !== "open") queue.push(message);
      return;
    }
    frame.contentWindow?.postMessage(message, server);
  }

  function readStored(): string | null {
    try {
      return localStorage.getItem(storageKey);
    } catch {
      return null; // storage blocked: the chat still works for this page
    }
  }

  function ensureFrame(): void {
    if (frame) return;
    frame = document.createElement("iframe");
    const src = new URL("/widget/", server);
    src.searchParams.set("tenant", tenant!);
    src.searchParams.set("origin", location.origin);
    frame.src = src.href;
    frame.setAttribute("allow", "clipboard-read; clipboard-write");
    frame.setAttribute("referrerpolicy", "origin");
    label();
    layout();
    document.body.appendChild(frame);
  }

  function open(): void {
    ensureFrame();
    if (isOpen) return;
    isOpen = true;
    unread = 0;
    launcher.setAttribute("aria-expanded", "true");
    label();
    layout();
    if (frameReady) {
      frame!.focus();
      post({ switchboard: "open" });
    }
    emit("open");
  }

  function close(): void {
    if (!isOpen) return;
    isOpen = false;
    launcher.setAttribute("aria-expanded", "false");
    label();
    layout();
    post({ switchboard: "hidden" });
    launcher.focus();
    emit("close");
  }

  window.addEventListener("message", (event: MessageEvent) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== server) return;
    const data = event.data;
    if (!isBridgeMessage<FromFrame>(data)) return;
    switch (data.switchboard) {
      case "ready":
        frameReady = true;
        frame.contentWindow!.postMessage(
          { switchboard: "init", stored: readStored(), lang: pinnedLang, pageLang, page: location.href, open: isOpen } satisfies ToFrame,
          server,
        );
        for (const message of queue.splice(0)) post(message);
        if (isOpen) frame.focus();
        emit("ready");
        break;
      case "store":
        try {
          localStorage.setItem(storageKey, String(data.value));
        } catch {
          /* storage blocked */
        }
        break;
      case "unread":
        unread = isOpen ? 0 : Math.max(0, Number(data.count) || 0);
        label();
        layout();
        emit("unread", unread);
        break;
      case "close":
        close();
        break;
      case "look":
        if (kColor.test(String(data.color))) color = String(data.color);
        if (!sideFixed && (data.position === "left" || data.position === "right")) moveTo(data.position);
        if (data.lang === "en" || data.lang === "zh") lang = data.lang;
        try {
          localStorage.setItem(storageKey + ":look", JSON.stringify({ color, position: data.position }));
        } catch {
          /* storage blocked */
        }
        label();
        layout();
        break;
      case "event":
        emit(String(data.name), data.detail);
        break;
    }
  });

  // Another tab of this website stored something (a rating given or declined
  // there): this tab's frame hears of it. A frame not ready yet reads it at init.
  window.addEventListener("storage", (event: StorageEvent) => {
    if (event.key !== storageKey || !frame || !frameReady) return;
    frame.contentWindow?.postMessage({ switchboard: "stored", value: event.newValue } satisfies ToFrame, server);
  });

  launcher.addEventListener("click", () => (isOpen ? close() : open()));
  phone.addEventListener?.("change", layout);
  window.visualViewport?.addEventListener("resize", layout);
  window.visualViewport?.addEventListener("scroll", layout);

  const api = Object.freeze({
    open,
    close,
    identify(visitor: { name?: string; email?: string; attributes?: Record<string, string | number | boolean> }) {
      const v = visitor ?? {};
      post({ switchboard: "identify", name: v.name, email: v.email, attributes: v.attributes });
    },
    on(name: string, fn: Listener) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name)!.add(fn);
      return () => listeners.get(name)?.delete(fn);
    },
  });
  Object.defineProperty(window, "Switchboard", { value: api, configurable: false, enumerable: false, writable: false });

  const mount = () => {
    label();
    layout();
    document.body.appendChild(launcher);
    // Returning visitors get their frame soon (unread badge, live messages);
    // new ones when the browser is idle, never before the page has loaded.
    const idle = (window as { requestIdleCallback?: (fn: () => void, o?: { timeout: number }) => void }).requestIdleCallback;
    if (idle) idle(ensureFrame, { timeout: 3000 });
    else setTimeout(ensureFrame, 1500);
  };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
}

start();
