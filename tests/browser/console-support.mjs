// Helpers shared by the console's browser tests (console.test.mjs, chat.test.mjs):
// signing in to the real console and finding its conversations and messages, and a
// visitor on the raw WebSocket.
import { createRequire } from "node:module";
import path from "node:path";
import { sourceDir } from "./harness.mjs";

const WebSocketImpl = globalThis.WebSocket ?? createRequire(path.join(sourceDir(), "web", "package.json"))("playwright-core/lib/utilsBundle").ws;

// Signs in on the console's sign-in page and waits for the inbox.
export async function signIn(page, server, who) {
  await page.goto(`${server.url}/console/`);
  await page.getByLabel("Workspace").fill(who.tenant);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("tab", { name: /Mine/ }).waitFor();
}

// The console's conversation list entry of a visitor.
export const convButton = (page, name) => page.getByRole("button", { name: new RegExp(`^${name}`) });
export const log = (page) => page.getByRole("log", { name: "Messages" });

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, fn, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// A visitor on the raw WebSocket: every frame it gets is kept in `frames`.
export class Visitor {
  constructor(server, tenant, hello) {
    this.server = server;
    this.tenant = tenant;
    this.hello = hello;
    this.frames = [];
    this.token = null;
    this.conversationId = null;
    this.n = 0;
    this.lastSeq = 0;
  }
  async connect() {
    this.ws = new WebSocketImpl(`${this.server.url.replace("http", "ws")}/v1/ws/visitor?tenant=${this.tenant}`);
    const ws = this.ws;
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error("visitor socket failed"));
    });
    ws.onmessage = (e) => {
      const frame = JSON.parse(typeof e.data === "string" ? e.data : e.data.toString());
      this.frames.push(frame);
      if (frame.type === "message" && frame.seq > this.lastSeq) this.lastSeq = frame.seq;
      if (frame.type === "ack" && frame.seq > this.lastSeq) this.lastSeq = frame.seq;
      if (frame.type === "welcome") {
        this.token = frame.visitor_token;
        if (frame.conversation_id) this.conversationId = frame.conversation_id;
      }
      if (frame.conversation_id && !this.conversationId) this.conversationId = frame.conversation_id;
    };
    const seen = this.frames.length;
    // Back after a drop: the same visitor, and what it missed replayed.
    const resume = this.token ? { visitor_token: this.token, ...(this.conversationId ? { last_seq: { [this.conversationId]: this.lastSeq } } : {}) } : {};
    this.send({ ...this.hello, ...resume });
    await this.waitFrame((f) => f.type === "welcome", seen);
    return this;
  }
  send(frame) {
    this.ws.send(JSON.stringify(frame));
  }
  say(text) {
    this.send({ type: "message", client_msg_id: `v${++this.n}-${Date.now()}`, text });
  }
  async waitFrame(match, from = 0, timeoutMs = 10000) {
    return waitFor("a visitor frame", () => this.frames.slice(from).find(match), timeoutMs);
  }
  close() {
    try {
      this.ws.close();
    } catch {}
  }
}

// Waits until probe()'s value passes ok(value); a wait that gives up says what it
// saw last, so a failure under load tells a slow page from a wrong one.
export async function until(what, probe, ok, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  let seen;
  for (;;) {
    seen = await probe();
    if (ok(seen)) return seen;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(seen)}`);
    await sleep(50);
  }
}
