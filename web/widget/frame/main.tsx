// The chat frame, served by Switchboard at /widget/?tenant=ID&origin=WEBSITE and
// framed by the loader on the website. It talks to the website only by
// postMessage, to the origin it was given, and believes only that origin's
// messages from its parent window.
import { render } from "preact";
import { isBridgeMessage, type FromFrame, type ToFrame, type ToPreview } from "../bridge";
import { texts, widgetLanguage } from "../texts";
import { fetchSettings, readSettings, type WidgetSettings } from "./settings";
import { Session, type Persisted } from "./session";
import { App } from "./App";
import "./style.css";

const params = new URLSearchParams(location.search);
const tenant = params.get("tenant") ?? "";
const parentOrigin = params.get("origin") ?? "";
const preview = params.get("preview") === "1";

// Chromium says who frames us: a page claiming another origin gets nothing.
function framedBy(origin: string): boolean {
  if (window.parent === window || !/^https?:\/\/[^/]+$/.test(origin)) return false;
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  return !ancestors || ancestors.length === 0 || ancestors[0] === origin;
}

function toParent(message: FromFrame): void {
  window.parent.postMessage(message, parentOrigin);
}

function readStored(value: string | null): Persisted {
  try {
    const parsed = value ? JSON.parse(value) : {};
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

// What the website asked before the frame was ready to act on it.
const early: { open: boolean; identify: Extract<ToFrame, { switchboard: "identify" }> | null } = { open: false, identify: null };
let act: ((message: ToFrame) => void) | null = null;

function identifyOf(data: Extract<ToFrame, { switchboard: "identify" }>) {
  const attributes: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(data.attributes ?? {})) if (["string", "number", "boolean"].includes(typeof v)) attributes[k] = v;
  return { name: typeof data.name === "string" ? data.name : undefined, email: typeof data.email === "string" ? data.email : undefined, attributes };
}

async function boot(init: Extract<ToFrame, { switchboard: "init" }>): Promise<void> {
  const settings = await fetchSettings(tenant);
  const lang = widgetLanguage({
    pinned: init.lang,
    page: init.pageLang,
    browser: navigator.languages ?? [navigator.language],
    fallback: settings.default_language,
  });
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.documentElement.style.setProperty("--sb-color", settings.color);
  const t = texts[lang];
  const own = settings.texts[lang] ?? {};
  document.title = own.title ?? t.title;
  toParent({ switchboard: "look", color: settings.color, position: settings.position, lang });

  const session = new Session({
    tenant,
    origin: location.origin,
    settings,
    lang,
    page: String(init.page ?? ""),
    stored: readStored(init.stored),
    persist: (value) => toParent({ switchboard: "store", value: JSON.stringify(value) }),
    onUnread: (count) => toParent({ switchboard: "unread", count }),
    onEvent: (name, detail) => toParent({ switchboard: "event", name, detail }),
  });

  let focusTick = 0;
  const close = () => toParent({ switchboard: "close" });
  const draw = () =>
    render(
      <App
        session={session}
        settings={settings}
        t={t}
        title={own.title ?? t.title}
        greeting={own.greeting ?? t.greeting}
        offlineMessage={own.offline_message ?? t.offlineMessage}
        onClose={close}
        focusTick={focusTick}
      />,
      document.getElementById("app")!,
    );
  // A returning visitor connects at once (live messages, the unread badge); a new
  // one when they first open the chat, so a page view costs no connection.
  // A form comes first (nobody can answer, or the tenant asks who you are): the
  // socket waits for it.
  const formFirst = () => !session.chat.conversationId && !session.currentToken() && (!settings.available || (settings.pre_chat.enabled && settings.pre_chat.fields.length > 0));
  const show = () => {
    if (!formFirst()) session.start();
    focusTick += 1;
    session.setVisible(true);
    draw();
    // Whether anyone can answer changes: asked again while no conversation is open.
    if (!session.chat.conversationId && focusTick > 1) {
      void fetchSettings(tenant).then((fresh) => {
        if (fresh.available === settings.available) return;
        settings.available = fresh.available;
        draw();
      });
    }
  };
  act = (data) => {
    if (data.switchboard === "open") show();
    else if (data.switchboard === "hidden") session.setVisible(false);
    else if (data.switchboard === "identify") session.identify(identifyOf(data));
    else if (data.switchboard === "stored") session.storedElsewhere(readStored(typeof data.value === "string" ? data.value : null));
  };
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  });
  if (early.identify) session.identify(identifyOf(early.identify));
  draw();
  if (session.currentToken()) session.start();
  if (init.open || early.open) show();
}

// The admin page's live preview: the real panel with the settings the admin has not
// saved yet, sent by that page (this server's own origin, the page's parent window
// only). Nothing connects and nothing can be sent: the panel is inert.
function bootPreview(): void {
  const app = document.getElementById("app")!;
  app.inert = true;
  const session = new Session({
    tenant,
    origin: location.origin,
    settings: readSettings(tenant, {}),
    lang: "en",
    page: "",
    stored: {},
    persist: () => undefined,
    onUnread: () => undefined,
    onEvent: () => undefined,
  });
  // What the admin's form does not hold, as visitors get it: files in the chat
  // ([attachments]), so the paperclip shows only when the tenant offers it. Until
  // it is read, none.
  let served: WidgetSettings | null = null;
  let last: ToPreview | null = null;
  void fetchSettings(tenant).then((s) => {
    served = s;
    if (last) draw(last);
  });
  window.addEventListener("message", (event: MessageEvent) => {
    if (event.source !== window.parent || event.origin !== location.origin) return;
    const data = event.data;
    if (!isBridgeMessage<ToPreview>(data) || data.switchboard !== "preview") return;
    last = data;
    draw(data);
  });
  function draw(data: ToPreview) {
    const lang = data.lang === "zh" ? "zh" : "en";
    const drafted = readSettings(tenant, data.settings);
    const settings = { ...drafted, attachments: served?.attachments ?? { ...drafted.attachments, enabled: false }, available: true };
    const t = texts[lang];
    const own = settings.texts[lang] ?? {};
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.documentElement.style.setProperty("--sb-color", settings.color);
    render(
      <App
        session={session}
        settings={settings}
        t={t}
        title={own.title ?? t.title}
        greeting={own.greeting ?? t.greeting}
        offlineMessage={own.offline_message ?? t.offlineMessage}
        onClose={() => undefined}
        focusTick={0}
      />,
      app,
    );
  }
  toParent({ switchboard: "ready" });
}

if (preview && parentOrigin === location.origin && framedBy(parentOrigin) && tenant) {
  bootPreview();
} else if (framedBy(parentOrigin) && tenant && !preview) {
  let booted = false;
  window.addEventListener("message", (event: MessageEvent) => {
    if (event.source !== window.parent || event.origin !== parentOrigin) return;
    const data = event.data;
    if (!isBridgeMessage<ToFrame>(data)) return;
    if (data.switchboard === "init") {
      if (booted) return;
      booted = true;
      void boot(data);
    } else if (act) {
      act(data);
    } else if (data.switchboard === "open" || data.switchboard === "hidden") {
      early.open = data.switchboard === "open";
    } else if (data.switchboard === "identify") {
      early.identify = data;
    }
  });
  toParent({ switchboard: "ready" });
} else {
  document.getElementById("app")!.textContent = "This chat opens from the website that embeds it.";
}
