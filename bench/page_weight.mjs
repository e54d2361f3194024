// Page weight (a measurement, not a test): opens dist/ in headless Chromium, waits for the page to be
// ready, and lists every file it loaded by default with its size raw, gzipped -9 (what a static host
// with compression sends) and as transferred from scripts/lib/static-server.mjs (no compression).
//   node bench/page_weight.mjs [DIST]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launch } from '../tests/e2e/browser.mjs';
import { startServer } from '../scripts/lib/static-server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(process.argv[2] || path.join(ROOT, 'dist'));
const browser = await launch();
const srv = await startServer(DIST, { port: 0 });
const base = `http://127.0.0.1:${srv.address().port}/`;
let entries;
try {
  const page = await browser.context.newPage();
  await page.goto(base);
  await page.evaluate(() => window.attnlab.ready);
  entries = await page.evaluate(() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
    .map((e) => ({ url: e.name, transfer: e.transferSize })));
} finally {
  await browser.close();
  srv.close();
}
const rows = [];
for (const e of entries) {
  const rel = decodeURIComponent(new URL(e.url).pathname.slice(1)) || 'index.html';
  const file = path.join(DIST, rel);
  if (!fs.existsSync(file)) continue;
  const raw = fs.readFileSync(file);
  rows.push({ file: rel, raw: raw.length, gz: zlib.gzipSync(raw, { level: 9 }).length, transfer: e.transfer });
}
const sum = (k) => rows.reduce((a, r) => a + r[k], 0);
console.log(`Page weight of ${path.relative(ROOT, DIST) || DIST}, ${new Date().toISOString()}\n`);
console.log('| file | bytes | gzip -9 | transferred |\n|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.file} | ${r.raw} | ${r.gz} | ${r.transfer} |`);
console.log(`| **total (${rows.length} files)** | ${sum('raw')} | ${sum('gz')} | ${sum('transfer')} |`);
