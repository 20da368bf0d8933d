// Prints what the widget costs a website before the visitor opens it, gzipped:
// the loader (/widget.js), the frame page and every script and style it loads
// (its entry, the chunks that imports, its CSS).
//
//   node size.mjs [WEB_DIR]        (default ../build/web)      --json: one JSON line
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

export const kBudgetBytes = 35 * 1024;

export function widgetFirstLoad(webDir) {
  const files = [];
  const seen = new Set();
  const add = (relative) => {
    if (seen.has(relative)) return;
    seen.add(relative);
    const content = readFileSync(path.join(webDir, relative));
    files.push({ file: relative, bytes: content.length, gzip: gzipSync(content, { level: 9 }).length });
    // A script's static imports load with it (esbuild's shared chunks).
    if (relative.endsWith(".js") && relative.startsWith("assets/")) {
      for (const m of content.toString("utf8").matchAll(/(?:from|import)\s*["']\.\/([\w.-]+\.js)["']/g)) add("assets/" + m[1]);
    }
  };
  add("widget.js");
  add("widget/index.html");
  const html = readFileSync(path.join(webDir, "widget/index.html"), "utf8");
  for (const m of html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)) add(m[1]);
  const total = files.reduce((sum, f) => sum + f.gzip, 0);
  return { files, total, budget: kBudgetBytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dir = path.resolve(args.find((a) => !a.startsWith("--")) ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "build", "web"));
  const report = widgetFirstLoad(dir);
  if (args.includes("--json")) {
    console.log(JSON.stringify(report));
  } else {
    console.log("widget first load (before the visitor opens it), gzipped:");
    for (const f of report.files) console.log(`  ${f.file.padEnd(40)} ${String(f.bytes).padStart(7)} B  ${String(f.gzip).padStart(6)} B gz`);
    console.log(`  ${"total".padEnd(40)} ${"".padStart(9)}  ${String(report.total).padStart(6)} B gz (${(report.total / 1024).toFixed(1)} KB; budget ${kBudgetBytes / 1024} KB)`);
  }
  if (report.total > kBudgetBytes) process.exitCode = 1;
}
