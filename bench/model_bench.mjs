// Runs the model bench specs on the native build, the WASM build in node and the WASM build in
// headless Chromium (Debian's, via playwright-core), then prints one markdown table.
//   node bench/model_bench.mjs BENCH_DIR [--no-chromium]
// BENCH_DIR (build/bench) holds bench_native, bench_native_eigen, bench_wasm_node.js,
// bench_wasm_node_eigen.js, web/ (page + web build + tiny model) and gpt2small/ (random GPT-2 small).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.resolve(process.argv[2] || path.join(ROOT, 'build/bench'));
const withChromium = !process.argv.includes('--no-chromium');
const TINY = 'models/tiny-en-1m', SMALL = path.relative(ROOT, path.join(dir, 'gpt2small'));

const peak = ['peak', 'peak_l1'];
const gemms = [  // [M, K, N, bt, label]
  [128, 128, 384, 0, 'c_attn'], [128, 128, 128, 0, 'attn c_proj'], [128, 128, 512, 0, 'c_fc'],
  [128, 512, 128, 0, 'mlp c_proj'], [128, 128, 4096, 1, 'LM head (x·wteᵀ)'],
  [64, 768, 2304, 0, 'GPT-2 small c_attn'], [64, 768, 3072, 0, 'GPT-2 small c_fc'], [64, 3072, 768, 0, 'GPT-2 small mlp c_proj'],
];
const gemmSpecs = gemms.map(([M, K, N, bt]) => `gemm ${M} ${K} ${N} ${bt}`);
const fwd = [16, 64, 128].map((T) => `forward ${TINY} ${T}`);
const page = [16, 64, 128].map((T) => `page ${TINY} ${T}`);
const app = [16, 64, 128].map((T) => `app ${TINY} ${T}`);
const step = [`step ${TINY} 100`];
const small = [`forward ${SMALL} 64`];

function runProc(cmd, args, specs) {
  const out = execFileSync(cmd, [...args, ...specs], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  return out.trim().split('\n').map((l) => JSON.parse(l));
}
const nodeArgs = (js) => ['--no-experimental-fetch', path.join(dir, js)];

const R = {};  // R[config][spec] = result
function collect(config, results, specs) {
  R[config] = R[config] || {};
  results.forEach((r, i) => { R[config][specs[i]] = r; });
}
const all = [...peak, ...gemmSpecs, ...fwd, ...page, ...app, ...step];
const allSmall = fs.existsSync(path.join(dir, 'gpt2small/config.json')) ? small : [];
for (const [config, cmd, args] of [
  ['native', path.join(dir, 'bench_native'), []],
  ['node', process.execPath, nodeArgs('bench_wasm_node.js')],
]) {
  process.stderr.write(`running ${config} ...\n`);
  collect(config, runProc(cmd, args, all), all);
  for (const s of allSmall) collect(config, runProc(cmd, args, [s]), [s]);  // one process per big model
}
const before = [`forward ${TINY} 128`, 'gemm 128 128 384 0', 'gemm 128 128 4096 1'];
process.stderr.write('running Eigen builds (before) ...\n');
collect('native_eigen', runProc(path.join(dir, 'bench_native_eigen'), [], before), before);
collect('node_eigen', runProc(process.execPath, nodeArgs('bench_wasm_node_eigen.js'), before), before);

if (withChromium) {
  process.stderr.write('running Chromium ...\n');
  const { chromium } = await import(path.join(ROOT, 'node_modules/playwright-core/index.mjs'));
  const { startServer } = await import(path.join(ROOT, 'scripts/static-server.mjs'));
  const server = await startServer(path.join(dir, 'web'), { port: 0 });
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnlab-bench-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const pg = await ctx.newPage();
    await pg.goto(`http://127.0.0.1:${server.address().port}/model_bench_page.html`);
    await pg.evaluate(() => window.benchReady);
    const specs = [...peak, ...gemmSpecs, ...fwd, ...page, ...app, ...step];
    const res = [];
    for (const s of specs) res.push(await pg.evaluate((x) => window.run(x), s));
    collect('chromium', res, specs);
    R.chromium_version = await pg.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] || '?');
  } finally {
    await ctx.close();
    server.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}

// ---- table --------------------------------------------------------------------------------------------
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
const f = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
function cell(config, spec, kind) {  // kind: 'ms' or 'gf'
  const r = R[config]?.[spec];
  if (!r) return '–';
  if (r.error) return 'error: ' + r.error;
  const v = kind === 'gf' ? r.ms.map((m) => r.flop / m / 1e6) : r.ms;
  let s = `${f(med(v))} (${f(Math.min(...v))}–${f(Math.max(...v))})`;
  if (r.cpu && r.cpu[0] >= 0) {
    const c = kind === 'gf' ? r.cpu.map((m) => r.flop / m / 1e6) : r.cpu;
    s += ` · cpu ${f(med(c))}`;
  }
  return s;
}
const cpuMed = (config, spec) => { const r = R[config]?.[spec]; return r && r.cpu && r.cpu[0] >= 0 ? med(r.cpu) : NaN; };
const wallMed = (config, spec) => { const r = R[config]?.[spec]; return r ? med(r.ms) : NaN; };
// the limit: the better of the two peak loops
const pk = (config) => Math.max(...peak.map((p) => { const r = R[config]?.[p]; return r ? r.flop / med(r.ms) / 1e6 : NaN; }));
const pkCpu = (config) => Math.max(...peak.map((p) => { const r = R[config]?.[p]; return r ? r.flop / cpuMed(config, p) / 1e6 : NaN; }));
const ratio = (spec) => {
  const a = cpuMed('node', spec) / cpuMed('native', spec);
  return Number.isFinite(a) ? a.toFixed(2) + '× (cpu)' : '–';
};

const rows = [];
rows.push(['f32x4 peak, dependent chains acc = acc·m + c (12 chains), GFLOP/s', cell('native', 'peak', 'gf'), cell('node', 'peak', 'gf'),
  cell('chromium', 'peak', 'gf'), ratio('peak')]);
rows.push(['f32x4 peak, acc += x·b with b loaded from L1 (8 accumulators, the GEMM mix), GFLOP/s', cell('native', 'peak_l1', 'gf'), cell('node', 'peak_l1', 'gf'),
  cell('chromium', 'peak_l1', 'gf'), ratio('peak_l1')]);
rows.push(['**limit** (the better peak row; GEMM % below is against it)', f(pkCpu('native')) + ' (cpu)', f(pkCpu('node')) + ' (cpu)', f(pk('chromium')) + ' (wall)', '–']);
gemms.forEach(([M, K, N, bt, label], i) => {
  const s = gemmSpecs[i], r = R.node?.[s];
  const frac = (c, p) => { const x = R[c]?.[s]; return x ? ` = ${(100 * x.flop / med(x.cpu[0] >= 0 ? x.cpu : x.ms) / 1e6 / p).toFixed(0)}%` : ''; };
  rows.push([`GEMM ${label} [${M}×${K}]·[${K}×${N}]${bt ? 'ᵀ' : ''}, GFLOP/s (% of peak, cpu)`,
    cell('native', s, 'gf') + frac('native', pkCpu('native')), cell('node', s, 'gf') + frac('node', pkCpu('node')),
    cell('chromium', s, 'gf') + (R.chromium ? ` = ${(100 * R.chromium[s].flop / wallMed('chromium', s) / 1e6 / pk('chromium')).toFixed(0)}%` : ''), ratio(s)]);
});
for (const s of fwd) rows.push([`forward T=${s.split(' ')[2]} (all logits + attention weights), ms`, cell('native', s, 'ms'), cell('node', s, 'ms'), cell('chromium', s, 'ms'), ratio(s)]);
for (const s of page) rows.push([`page capture T=${s.split(' ')[2]} (all captures, all logits, no lens), ms`, cell('native', s, 'ms'), cell('node', s, 'ms'), cell('chromium', s, 'ms'), ratio(s)]);
for (const s of app) rows.push([`page update as src/app/app.cpp runs it T=${s.split(' ')[2]} (all captures, logit lens top-3, last-position logits), ms`, cell('native', s, 'ms'), cell('node', s, 'ms'), cell('chromium', s, 'ms'), ratio(s)]);
rows.push(['keystroke: append 1 token to a 100-token KV cache (last logits only), ms', cell('native', step[0], 'ms'), cell('node', step[0], 'ms'), cell('chromium', step[0], 'ms'), ratio(step[0])]);
for (const s of allSmall) rows.push(['GPT-2 small shape (124M, random) forward T=64, ms', cell('native', s, 'ms'), cell('node', s, 'ms'), '–', ratio(s)]);
for (const s of before) {
  const what = s.startsWith('forward') ? 'forward T=128, ms' : `GEMM ${s.slice(5)}, GFLOP/s`;
  const kind = s.startsWith('forward') ? 'ms' : 'gf';
  const a = cpuMed('node_eigen', s) / cpuMed('native_eigen', s);
  rows.push([`before (Eigen GEMM): ${what}`, cell('native_eigen', s, kind), cell('node_eigen', s, kind), '–',
    Number.isFinite(a) ? a.toFixed(2) + '× (cpu)' : '–']);
}

const be = (c) => R[c]?.peak?.backend || '?';
console.log(`| measurement | native (g++ -O3 -march=x86-64-v2; ${be('native')}) | WASM in node ${process.versions.node} (${be('node')}) | WASM in Chromium ${R.chromium_version || '–'} | WASM/native (node vs native, cpu medians) |`);
console.log('|---|---|---|---|---|');
for (const r of rows) console.log('| ' + r.join(' | ') + ' |');
console.log(`\nCells: median (min–max) of 7 runs of wall time (each run a batch of ≥ 30 ms); "cpu" = median CPU time of the same runs (thread CPU time native, process.cpuUsage in node; not available in Chromium).`);
fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(R, null, 1));
