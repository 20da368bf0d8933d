// Helpers of widget.test.mjs (and chat.test.mjs): a website on another origin that embeds the widget
// under a strict Content-Security-Policy, an agent driven over the raw WebSocket
// (from a page of the server's own origin), and handles on the widget's frame.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { api, launchBrowser, startServer } from "./harness.mjs";

// A plain website (its own origin) with its own styles and globals. Paths:
//   /            the page with the embed tag (?lang=zh sets <html lang>, ?widget=0 leaves it out,
//                ?position=left adds data-position, ?pin=en adds data-lang)
//   /host.css    its stylesheet; /host.js its script (a global, and a CSP violation log)
// chat: the Switchboard server's URL, or a function answering it (when the
// website must exist before the server, e.g. to be in its allowed_origins).
export async function startWebsite(chat) {
  const chatUrl = () => (typeof chat === "function" ? chat() : chat);
  const cspFor = (chatUrl) => [
    "default-src 'self'",
    `script-src 'self' ${chatUrl}`,
    `frame-src ${chatUrl}`,
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
  ].join("; ");
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, "http://x");
    if (url.pathname === "/host.css") {
      response.writeHead(200, { "Content-Type": "text/css" });
      response.end("body { font-family: Georgia, serif; color: rgb(20, 30, 40); background: rgb(250, 245, 235); margin: 24px; }\n" +
        "button { background: rgb(200, 0, 0) !important; color: yellow; font-size: 30px; border-radius: 0 !important; width: 300px !important; }\n" +
        "iframe { border: 5px solid lime; }\nh1 { font-size: 40px; }\n.box { padding: 12px; border: 1px solid black; }\n");
      return;
    }
    if (url.pathname === "/host.js") {
      response.writeHead(200, { "Content-Type": "text/javascript" });
      response.end("window.hostGlobal = 'kept';\nwindow.__violations = [];\n" +
        "document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));\n");
      return;
    }
    if (url.pathname !== "/") {
      response.writeHead(404).end();
      return;
    }
    const chatUrl_ = chatUrl();
    const csp = cspFor(chatUrl_);
    const lang = url.searchParams.get("lang") ?? "en";
    const position = url.searchParams.get("position");
    const pin = url.searchParams.get("pin");
    const tag = url.searchParams.get("widget") === "0" ? "" :
      `<script src="${chatUrl_}/widget.js" data-tenant="${url.searchParams.get("tenant") ?? "demo"}"${position ? ` data-position="${position}"` : ""}${pin ? ` data-lang="${pin}"` : ""} async></script>`;
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": csp });
    response.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>Host shop</title><link rel="stylesheet" href="/host.css"><script src="/host.js"></script></head>` +
      `<body><h1>A plain shop</h1><div class="box"><p>Products and prices.</p><button class="buy" type="button">Buy</button></div>${tag}</body></html>`);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}

// A server (its tenant files edited by `prepare` first), Chromium and the website
// that embeds the widget; close() stops all three.
export async function startWidgetWorld(prepare) {
  const world = { server: null, browser: null, website: null };
  world.close = async () => {
    await world.browser?.close();
    await world.website?.close();
    await world.server?.dispose();
  };
  world.server = await startServer({ prepare });
  world.browser = await launchBrowser();
  world.website = await startWebsite(world.server.url);
  return world;
}

// An agent of the demo tenant over the raw WebSocket, from a page on the server's
// origin. Frames received are kept in order; waitFor finds one by partial match.
export async function startAgent(browser, server, { email = "agent@demo.local", password = "demo-agent" } = {}) {
  const login = await api(server, "POST", "/v1/tenants/demo/auth/login", { body: { email, password } });
  if (login.status !== 200) throw new Error(`agent login: ${login.status} ${login.text}`);
  const token = login.json.token;
  const context = await browser.newContext();
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const agent = { token, context, page };
  agent.connect = async (hello) => {
    await page.goto(server.url + "/healthz");
    await page.evaluate(({ url, hello }) => new Promise((resolve, reject) => {
      window.received = window.received ?? [];
      const ws = new WebSocket(url);
      window.ws = ws;
      ws.onopen = () => hello && ws.send(JSON.stringify(hello));
      ws.onmessage = (e) => {
        const frame = JSON.parse(e.data);
        window.received.push(frame);
        if (frame.type === "welcome") resolve();
      };
      ws.onerror = () => reject(new Error("the agent socket failed"));
    }), { url: `${server.url.replace("http", "ws")}/v1/ws/agent?tenant=demo&token=${encodeURIComponent(token)}`, hello });
  };
  agent.send = (frame) => page.evaluate((f) => window.ws.send(JSON.stringify(f)), frame);
  const matcher = `(function matches(value, pattern) {
      if (pattern === null || typeof pattern !== "object") return value === pattern;
      if (value === null || typeof value !== "object") return false;
      return Object.keys(pattern).every((k) => matches(value[k], pattern[k]));
    })`;
  agent.waitFor = async (pattern, timeout = 15000) => {
    const handle = await page.waitForFunction(({ pattern, matcher }) => {
      const matches = eval(matcher);
      return (window.received ?? []).find((f) => matches(f, pattern));
    }, { pattern, matcher }, { timeout });
    return handle.jsonValue();
  };
  agent.count = (pattern) => page.evaluate(({ pattern, matcher }) => {
    const matches = eval(matcher);
    return (window.received ?? []).filter((f) => matches(f, pattern)).length;
  }, { pattern, matcher });
  agent.clear = () => page.evaluate(() => (window.received = []));
  agent.disconnect = () => page.evaluate(() => window.ws?.close());
  agent.close = () => context.close();
  return agent;
}

// The widget's frame (a Playwright Frame) once the loader has created it.
export async function widgetFrame(page) {
  const element = await page.waitForSelector('iframe[src*="/widget/"]', { state: "attached" });
  const frame = await element.contentFrame();
  await frame.waitForSelector("#app > *", { state: "attached" });
  return frame;
}

// Opens the chat from the launcher and waits for the panel. A wait that gives up
// says where the widget stopped (watchWidget): a screenshot, the requests of the
// page and its frame (the settings request among them), their console, the
// bridge messages and the launcher's and frame's state.
export async function openChat(page, { launcher = /^Open chat/, textbox = "Message" } = {}) {
  const watch = await watchWidget(page);
  try {
    watch.note("clicking the launcher");
    await page.getByRole("button", { name: launcher }).click();
    watch.note("launcher clicked");
    const frame = await widgetFrame(page);
    watch.note("frame drawn (#app has content)");
    const log = frame.getByRole("log");
    await frame.getByRole("dialog").waitFor();
    return { frame, log, input: frame.getByRole("textbox", { name: textbox }) };
  } catch (error) {
    throw await watch.explain(error, "openChat");
  } finally {
    watch.stop();
  }
}

// Records what a page with the widget does from now on, for a failing wait to
// explain itself: every request (when sent, its status, when its body ended or why
// it failed), every console message and page error of the page and its frames,
// the messages the frame sends the loader, the loader's open/close events, and
// the test's own steps (note). Nothing is added to the website's window but a
// Symbol-keyed property (the tests compare its own keys).
export async function watchWidget(page) {
  const began = Date.now();
  const at = () => `+${((Date.now() - began) / 1000).toFixed(2)} s`;
  const requests = new Map();
  const lines = [];
  const where = (frame) => {
    try {
      return frame === page.mainFrame() ? "page" : `frame ${new URL(frame.url()).pathname}`;
    } catch {
      return "frame";
    }
  };
  const handlers = {
    request: (r) => requests.set(r, { what: `${r.method()} ${r.url()} (${r.resourceType()})`, sent: at() }),
    response: (r) => {
      const e = requests.get(r.request());
      if (e) Object.assign(e, { status: r.status(), answered: at() });
    },
    requestfinished: (r) => {
      const e = requests.get(r);
      if (e) e.finished = at();
    },
    requestfailed: (r) => {
      const e = requests.get(r);
      if (e) e.failed = `${r.failure()?.errorText ?? "failed"} ${at()}`;
    },
    console: (m) => lines.push(`${at()} console.${m.type()} (${m.location()?.url ?? "?"}): ${m.text()}`),
    pageerror: (e) => lines.push(`${at()} page error: ${e.message}`),
    frameattached: () => lines.push(`${at()} frame attached`),
    framenavigated: (f) => f !== page.mainFrame() && lines.push(`${at()} ${where(f)} navigated: ${f.url()}`),
  };
  for (const [event, fn] of Object.entries(handlers)) page.on(event, fn);
  const key = "switchboard-test-watch";
  const inPage = (fn, arg) => Promise.race([page.evaluate(fn, arg), new Promise((resolve) => setTimeout(() => resolve("(no answer in 3 s)"), 3000))]);
  // The frame's messages to the loader and the loader's events, timed in the page.
  await inPage((key) => {
    if (window[Symbol.for(key)]) return;
    const seen = (window[Symbol.for(key)] = { t0: performance.now(), log: [] });
    const stamp = () => `+${((performance.now() - seen.t0) / 1000).toFixed(2)} s`;
    addEventListener("message", (e) => {
      const type = e.data && typeof e.data === "object" ? e.data.switchboard : undefined;
      if (type) seen.log.push(`${stamp()} frame -> loader: ${type}${type === "look" ? ` ${e.data.position} ${e.data.color}` : ""}`);
    });
    for (const name of ["ready", "open", "close"]) window.Switchboard?.on(name, () => seen.log.push(`${stamp()} loader event: ${name}`));
    if (!window.Switchboard) seen.log.push(`${stamp()} (no window.Switchboard yet: the loader has not run)`);
  }, key).catch(() => {});

  const watch = {
    note: (what) => lines.push(`${at()} test: ${what}`),
    stop: () => {
      for (const [event, fn] of Object.entries(handlers)) page.off(event, fn);
    },
    // The error to throw instead of `error`: its message first, then what the
    // widget did. Printed in full too (node --test shortens long messages).
    async explain(error, step) {
      watch.note(`gave up: ${String(error.message).split("\n")[0]}`);
      // The frames' own view first: a frame that loaded before the watch began made
      // its requests unseen by it, but its resource timing still has them.
      const frames = [];
      for (const frame of page.frames()) {
        if (frame === page.mainFrame()) continue;
        const state = await Promise.race([
          frame.evaluate(() => ({
            readyState: document.readyState,
            title: document.title,
            app: document.getElementById("app")?.innerHTML.slice(0, 300) ?? "(no #app)",
            dialogs: document.querySelectorAll("[role=dialog]").length,
            api: performance.getEntriesByType("resource").filter((r) => r.name.includes("/v1/")).map((r) =>
              `${new URL(r.name).pathname} started ${(r.startTime / 1000).toFixed(2)} s, ended ${(r.responseEnd / 1000).toFixed(2)} s, status ${r.responseStatus ?? "?"}`),
            seconds_since_frame_began: (performance.now() / 1000).toFixed(2),
          })),
          new Promise((resolve) => setTimeout(() => resolve("(no answer in 3 s)"), 3000)),
        ]).catch((e) => `(cannot evaluate: ${e.message})`);
        frames.push({ url: frame.url(), state });
      }
      const settings = [...requests.values()].filter((e) => /\/v1\/tenants\/[^/]+\/widget(\?|$)/.test(e.what.split(" ")[1]));
      const inFrames = frames.flatMap((f) => (typeof f.state === "object" ? f.state.api.filter((a) => /\/widget /.test(a)) : []));
      const summary = settings.length > 0
        ? settings.map((e) => `settings request sent ${e.sent}, ${e.status !== undefined ? `status ${e.status} ${e.answered}` : "no answer"}` +
            `${e.finished ? `, body ended ${e.finished}` : ""}${e.failed ? `, failed: ${e.failed}` : ""}`).join("; ")
        : inFrames.length > 0
          ? `settings request made before the watch began (frame time): ${inFrames.join("; ")}`
          : "no settings request (GET /v1/tenants/ID/widget) seen, nor in any frame's resource timing";
      const out = [`${step} gave up ${at()} after it began; ${summary}`];
      out.push("requests since the watch began:");
      for (const e of requests.values())
        out.push(`  ${e.sent} ${e.what}: ${e.status ?? "no answer"} ${e.answered ?? ""}${e.finished ? ` ended ${e.finished}` : ""}${e.failed ? ` FAILED ${e.failed}` : ""}`);
      out.push("console, frames and steps:", ...lines.map((l) => "  " + l));
      const host = await inPage((key) => {
        const seen = window[Symbol.for(key)];
        const launcher = [...document.querySelectorAll("button[aria-haspopup=dialog]")].map((b) => {
          const r = b.getBoundingClientRect();
          return `aria-expanded=${b.getAttribute("aria-expanded")} label=${b.getAttribute("aria-label")} at ${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.width)}x${Math.round(r.height)}`;
        });
        const frames = [...document.querySelectorAll("iframe")].map((f) => `src=${f.src} display=${getComputedStyle(f).display} ${f.offsetWidth}x${f.offsetHeight}`);
        return { log: seen?.log ?? ["(not watched)"], launcher, frames, focus: document.activeElement?.tagName };
      }, key).catch((e) => ({ log: [`(the page did not answer: ${e.message})`] }));
      out.push("in the page (bridge messages since the watch began):", ...(host.log ?? []).map((l) => "  " + l));
      out.push(`  launcher: ${JSON.stringify(host.launcher)}; iframes: ${JSON.stringify(host.frames)}; focus: ${host.focus}`);
      for (const f of frames) out.push(`frame ${f.url}: ${JSON.stringify(f.state)}`);
      const shot = await saveScreenshot(page, `${step}-failed-${Date.now()}`);
      out.push(`screenshot: ${shot}`);
      const text = out.join("\n");
      console.error(`--- ${step} failed: what the widget did ---\n${text}\n---`);
      const explained = new Error(`${error.message}\n${text}`, { cause: error });
      explained.stack = `${explained.message}\n${String(error.stack ?? "").split("\n").slice(1).join("\n")}`;
      return explained;
    },
  };
  return watch;
}

// A screenshot where CTest keeps them (SWITCHBOARD_SCREENSHOT_DIR), else in the
// system's temporary directory; its path, or why there is none.
async function saveScreenshot(page, name) {
  const dir = process.env.SWITCHBOARD_SCREENSHOT_DIR || os.tmpdir();
  const file = path.join(dir, `${name}.png`);
  try {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: file, timeout: 5000 });
    return file;
  } catch (e) {
    return `none (${e.message.split("\n")[0]})`;
  }
}

// Records every state an own message goes through (pending, sent, read).
export async function recordStates(frame) {
  await frame.evaluate(() => {
    window.__states = {};
    const look = () => {
      for (const el of document.querySelectorAll(".sb-mine[data-state]")) {
        const text = el.querySelector(".sb-bubble")?.textContent ?? "";
        const list = (window.__states[text] = window.__states[text] ?? []);
        if (list.at(-1) !== el.dataset.state) list.push(el.dataset.state);
      }
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  return (text) => frame.evaluate((t) => window.__states[t] ?? [], text);
}

// The HTTP status of a visitor WebSocket upgrade sent with this Origin (101: accepted).
export function upgradeStatus(serverUrl, origin) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${serverUrl}/v1/ws/visitor?tenant=demo`, {
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": randomBytes(16).toString("base64"), Origin: origin },
    });
    request.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve(response.statusCode);
    });
    request.on("response", (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on("error", reject);
    request.end();
  });
}

// Support's business hours would make the result depend on the time of day.
// The demo tenant's routing graph (between its markers) replaced by these TOML
// lines (always open too); `by` names the test file that wrote it.
export function demoGraph(tenantsDir, by, lines) {
  alwaysOpen(tenantsDir);
  const file = path.join(tenantsDir, "demo.toml");
  const text = readFileSync(file, "utf8");
  const begin = text.indexOf("# --- routing graph");
  const end = text.indexOf("# --- end of routing graph ---");
  if (begin < 0 || end < begin) throw new Error("demo.toml has no routing graph markers");
  const graph = [`# --- routing graph: written by ${by} ---`, ...lines, ""].join("\n");
  writeFileSync(file, text.slice(0, begin) + graph + text.slice(end));
}

export function alwaysOpen(tenantsDir) {
  const file = path.join(tenantsDir, "demo.toml");
  const text = readFileSync(file, "utf8").replace(/\[groups\.support\.hours\]\n(?:[a-z-]+ = .*\n)*/, "");
  writeFileSync(file, text);
}

// Records (and dismisses) every dialog a page opens: alert() must never run.
export function watchDialogs(page) {
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  return dialogs;
}
