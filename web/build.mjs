// Builds every browser UI into one folder the server serves (--web-dir):
//
//   widget.js            the loader a website embeds (stable URL, revalidated by ETag)
//   widget/index.html    the chat panel, loaded by the loader in an iframe
//   console/index.html   the agent console
//   admin/index.html     the admin pages (React 18 + React Flow; see README.md)
//   demo/index.html      a demo website with the widget embedded
//   assets/NAME-HASH.*   scripts and styles, content-hashed (cached for a year)
//
//   node build.mjs [--outdir DIR] [--watch]     (default DIR: dist)
import * as esbuild from "esbuild";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outdir = path.resolve(args.includes("--outdir") ? args[args.indexOf("--outdir") + 1] : path.join(root, "dist"));

// Each page: its entry script (with the CSS it imports) and its HTML template.
// A template names its assets as {{entry.js}} and {{entry.css}}.
const pages = [
  { entry: "widget", script: "widget/frame/main.tsx", html: "widget/frame/index.html", out: "widget/index.html" },
  { entry: "console", script: "console/main.tsx", html: "console/index.html", out: "console/index.html" },
  // Its files say `@jsxImportSource react` themselves; the others stay on Preact.
  { entry: "admin", script: "admin/main.tsx", html: "admin/index.html", out: "admin/index.html" },
  { entry: "demo", script: null, html: "demo/index.html", out: "demo/index.html" },
];

const common = {
  bundle: true,
  minify: true,
  sourcemap: false,
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  logLevel: "warning",
};

async function build() {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(path.join(outdir, "assets"), { recursive: true });

  // The loader keeps its name: websites link to /widget.js.
  await esbuild.build({ ...common, entryPoints: [path.join(root, "widget/loader.ts")], outfile: path.join(outdir, "widget.js"), format: "iife" });

  const scripted = pages.filter((p) => p.script);
  const result = await esbuild.build({
    ...common,
    entryPoints: Object.fromEntries(scripted.map((p) => [p.entry, path.join(root, p.script)])),
    outdir: path.join(outdir, "assets"),
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    assetNames: "[name]-[hash]",
    format: "esm",
    splitting: true,
    metafile: true,
  });

  // Which hashed files each entry produced.
  const produced = {};
  for (const [file, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const entry = scripted.find((p) => path.resolve(root, p.script) === path.resolve(meta.entryPoint));
    if (!entry) continue;
    produced[entry.entry] = { js: "/assets/" + path.basename(file), css: meta.cssBundle ? "/assets/" + path.basename(meta.cssBundle) : null };
  }

  for (const page of pages) {
    let html = await readFile(path.join(root, page.html), "utf8");
    const assets = produced[page.entry] ?? {};
    html = html.replaceAll(`{{${page.entry}.js}}`, assets.js ?? "").replaceAll(`{{${page.entry}.css}}`, assets.css ?? "");
    if (/\{\{[^}]+\}\}/.test(html)) throw new Error(`${page.html}: a placeholder was not filled: ${html.match(/\{\{[^}]+\}\}/)[0]}`);
    await mkdir(path.dirname(path.join(outdir, page.out)), { recursive: true });
    await writeFile(path.join(outdir, page.out), html);
  }
  console.log(`web: built into ${outdir}`);
}

await build();
