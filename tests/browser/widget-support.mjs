// Helpers of widget.test.mjs (and chat.test.mjs): a website on another origin that embeds the widget
// under a strict Content-Security-Policy, an agent driven over the raw WebSocket
// (from a page of the server's own origin), and handles on the widget's frame.
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { api } from "./harness.mjs";

// A plain website (its own origin) with its own styles and globals. Paths:
//   /            the page with the embed tag (?lang=zh sets <html lang>, ?widget=0 leaves it out,
//                ?position=left adds data-position)
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
    const tag = url.searchParams.get("widget") === "0" ? "" :
      `<script src="${chatUrl_}/widget.js" data-tenant="${url.searchParams.get("tenant") ?? "demo"}"${position ? ` data-position="${position}"` : ""} async></script>`;
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": csp });
    response.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>Host shop</title><link rel="stylesheet" href="/host.css"><script src="/host.js"></script></head>` +
      `<body><h1>A plain shop</h1><div class="box"><p>Products and prices.</p><button class="buy" type="button">Buy</button></div>${tag}</body></html>`);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
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

// Opens the chat from the launcher and waits for the panel.
export async function openChat(page, { launcher = /^Open chat/, textbox = "Message" } = {}) {
  await page.getByRole("button", { name: launcher }).click();
  const frame = await widgetFrame(page);
  const log = frame.getByRole("log");
  await frame.getByRole("dialog").waitFor();
  return { frame, log, input: frame.getByRole("textbox", { name: textbox }) };
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
