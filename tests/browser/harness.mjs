// Browser-test harness: a real Switchboard server on a free port with its own
// data and a copy of the repository's tenants, and Debian's Chromium driven by
// playwright-core. Every test file starts what it needs and stops it at the end.
//
// CTest passes the build layout in the environment:
//   SWITCHBOARD_BINARY, SWITCHBOARD_PLUGIN_DIR, SWITCHBOARD_WEB_DIR,
//   SWITCHBOARD_SOURCE_DIR, SWITCHBOARD_SCREENSHOT_DIR (optional)
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { deflateSync } from "node:zlib";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run browser tests through ctest`);
  return value;
};

export const sourceDir = () => env("SWITCHBOARD_SOURCE_DIR");
const requireFromWeb = () => createRequire(path.join(sourceDir(), "web", "package.json"));

// A server process. `prepare(tenantsDir)` may edit the copied tenant files first.
// With `tls`, it serves https:// and wss:// with a self-signed certificate made now
// (browsers must be launched with { ignoreCertificateErrors: true }).
export async function startServer({ prepare, extraArgs = [], tls = false } = {}) {
  const root = mkdtempSync(path.join(os.tmpdir(), "sb-browser-"));
  const tenantsDir = path.join(root, "tenants");
  cpSync(path.join(sourceDir(), "tenants"), tenantsDir, { recursive: true });
  if (prepare) await prepare(tenantsDir);
  const config = path.join(root, "switchboard.toml");
  let configText = readFileSync(path.join(sourceDir(), "conf", "switchboard.toml"), "utf8");
  if (tls) {
    const cert = path.join(root, "server.crt");
    const key = path.join(root, "server.key");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert], { stdio: "ignore" });
    configText = configText.replace(/^\[tls\]$/m, `[tls]\ncert_file = "${cert}"\nkey_file = "${key}"`);
  }
  writeFileSync(config, configText);

  const server = { root, tenantsDir, port: 0, process: null, runs: 0 };
  server.start = async () => {
    server.runs += 1;
    const log = openSync(path.join(root, `server-${server.runs}.log`), "w");
    const args = ["--config", config, "--listen", `127.0.0.1:${server.port}`, "--data-dir", path.join(root, "data"),
      "--plugin-dir", env("SWITCHBOARD_PLUGIN_DIR"), "--tenants-dir", tenantsDir, "--web-dir", env("SWITCHBOARD_WEB_DIR"), ...extraArgs];
    const child = spawn(env("SWITCHBOARD_BINARY"), args, { cwd: root, stdio: ["ignore", "pipe", log] });
    server.process = child;
    server.port = await new Promise((resolve, reject) => {
      let out = "";
      // When to give up on a server that will not start, not a bound the tests check:
      // the demo tenant's bot reads its dictionaries first (3.7 s at load 4.6, 12-20 s
      // measured at load 9-10 on 2 cores), and CI runs two tests at a time.
      const timer = setTimeout(() => reject(new Error(`server did not start in 120 s; see ${root}/server-${server.runs}.log`)), 120000);
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const m = out.match(/listening on 127\.0\.0\.1:(\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}; see ${root}/server-${server.runs}.log`));
      });
    });
    server.url = `${tls ? "https" : "http"}://127.0.0.1:${server.port}`;
    return server;
  };
  // Stops the process (SIGTERM, or SIGKILL for a crash) and waits for it.
  server.stop = async (signal = "SIGTERM") => {
    const child = server.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  };
  server.restart = async (signal = "SIGTERM") => {
    await server.stop(signal);
    return server.start();
  };
  server.dispose = async () => {
    await server.stop();
    if (!process.env.SWITCHBOARD_KEEP_TEMP) rmSync(root, { recursive: true, force: true });
  };
  return server.start();
}

export async function launchBrowser({ ignoreCertificateErrors = false } = {}) {
  const { chromium } = requireFromWeb()("playwright-core");
  // playwright gives each launch (and each context) its own temporary profile;
  // a --user-data-dir of our own would make launch() refuse to start.
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", ...(ignoreCertificateErrors ? ["--ignore-certificate-errors"] : [])],
    headless: true,
  });
}

// Saves a screenshot when SWITCHBOARD_SCREENSHOT_DIR is set (web/README.md shows them).
export async function screenshot(page, name) {
  const dir = process.env.SWITCHBOARD_SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

// A plain JSON call to the server's REST API.
export async function api(server, method, pathAndQuery, { body, token, headers = {} } = {}) {
  const response = await fetch(server.url + pathAndQuery, {
    method,
    headers: { ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, json, text, headers: response.headers };
}

// A tiny valid PNG (w×h, one colour), for the image upload.
export function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows = [];
  for (let y = 0; y < h; y++) {
    rows.push(0);
    for (let x = 0; x < w; x++) rows.push(47, 111, 237);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.from(rows))), chunk("IEND", Buffer.alloc(0))]);
}

// A file to upload, for setInputFiles. Large files go by
// path: a buffer crosses the DevTools protocol base64-encoded, and 11 MB took 20 s
// that way on a loaded 2-core machine (over the tests' 15-second step limit); a
// path is handed to Chromium as it is (70 ms). The file lives in the server's
// temporary directory and goes with it.
export function fileOnDisk(server, name, bytes) {
  const dir = path.join(server.root, "uploads");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

// A one-page PDF.
export const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);
