// Runs the model bench specs on the native build, the WASM build in node and the WASM build in
// headless Chromium (Debian's, via playwright-core), ONNX Runtime Web on the same weights in the same
// Chromium page, and the real page (dist/) cold-loaded in fresh browser contexts; prints one markdown table.
//   node bench/model_bench.mjs BENCH_DIR [--no-chromium] [--ort-only] [--no-page] [--no-gpt2small] [--rounds N]
//   node bench/model_bench.mjs BENCH_DIR --from BENCH_DIR/results.json     (re-print a saved run's table)
// BENCH_DIR (build/bench) holds bench_native, bench_native_eigen, bench_wasm_node.js,
// bench_wasm_node_eigen.js, web/ (page + web build + tiny model; ort/ -> node_modules/onnxruntime-web/dist,
// onnx/ -> the exported models, gpt2small/ -> the random GPT-2 small) and gpt2small/.
//
// Interleaving: the box is shared and its speed drifts by up to 2x within minutes, so every spec runs
// ROUNDS times (default 7) as ONE timed run (a batch of >= 30 ms) per round, and each round visits every
// configuration in turn: native process, node process, Eigen builds, then the Chromium bench page (where
// each of our forward runs is immediately followed or preceded by ORT's on the same T, alternating who
// goes first), then one cold load of the real page in a fresh context plus its frame-time sample.
// Drift then hits all columns of a row alike; cells are median (min-max) over the rounds.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const dir = path.resolve(argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--rounds' && argv[i - 1] !== '--from') || path.join(ROOT, 'build/bench'));
const ortOnly = argv.includes('--ort-only');
const withChromium = !argv.includes('--no-chromium');
const withPage = withChromium && !ortOnly && !argv.includes('--no-page') && fs.existsSync(path.join(ROOT, 'dist/index.html'));
const fromIdx = argv.indexOf('--from');  // --from results.json: print the table of an earlier run, run nothing
const fromFile = fromIdx >= 0 ? argv[fromIdx + 1] : null;
const ROUNDS = Number(argv[argv.indexOf('--rounds') + 1]) || 7;
const TINY = 'models/tiny-en-1m', SMALL = path.relative(ROOT, path.join(dir, 'gpt2small'));
const haveSmall = !argv.includes('--no-gpt2small') && fs.existsSync(path.join(dir, 'gpt2small/config.json'));
const ORT_T = [16, 64, 128];

const peak = ['peak', 'peak_l1'];
const gemms = [  // [M, K, N, bt, label]
  [128, 128, 384, 0, 'c_attn'], [128, 128, 128, 0, 'attn c_proj'], [128, 128, 512, 0, 'c_fc'],
  [128, 512, 128, 0, 'mlp c_proj'], [128, 128, 4096, 1, 'LM head (x·wteᵀ)'],
  [64, 768, 2304, 0, 'GPT-2 small c_attn'], [64, 768, 3072, 0, 'GPT-2 small c_fc'], [64, 3072, 768, 0, 'GPT-2 small mlp c_proj'],
];
const gemmSpecs = gemms.map(([M, K, N, bt]) => `gemm ${M} ${K} ${N} ${bt}`);
const fwd = ORT_T.map((T) => `forward ${TINY} ${T}`);
const page = [16, 64, 128].map((T) => `page ${TINY} ${T}`);
const app = [16, 64, 128].map((T) => `app ${TINY} ${T}`);
const step = [`step ${TINY} 100`];
const keystroke = [`keystroke ${TINY} 100`];
const intervene = [`ablate ${TINY} 16`, `ablate ${TINY} 128`, `patch ${TINY} 16`, `patch ${TINY} 128`];
const small = haveSmall ? [`forward ${SMALL} 64`] : [];
const smallPatch = haveSmall ? [`patch ${SMALL} 16`] : [];
const before = [`forward ${TINY} 128`, 'gemm 128 128 384 0', 'gemm 128 128 4096 1'];
const all = ortOnly ? fwd : [...peak, ...gemmSpecs, ...fwd, ...page, ...app, ...step, ...keystroke, ...intervene];

// ---- results: R[config][spec] = {flop, backend, ms: [...], cpu: [...]} (runs appended per round) --------
const R = fromFile ? JSON.parse(fs.readFileSync(fromFile, 'utf8')) : { meta: { rounds: ROUNDS } };
function collect(config, spec, r) {
  const c = (R[config] = R[config] || {});
  if (r.error) { c[spec] = r; return; }
  if (!c[spec]) c[spec] = { ...r, ms: [], cpu: [] };
  if (c[spec].error) return;
  c[spec].ms.push(...r.ms);
  c[spec].cpu.push(...(r.cpu || [-1]));
}
const SET1 = 'set runs 1';
function runProc(config, cmd, args, specs) {
  const out = execFileSync(cmd, [...args, SET1, ...specs], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const lines = out.trim().split('\n').map((l) => JSON.parse(l)).slice(1);
  lines.forEach((r, i) => collect(config, specs[i], r));
}
// TurboFan for every function at instantiation and no V8 background threads: process.cpuUsage is then the
// main thread's CPU time (as native's thread clock), and no run executes baseline (Liftoff) code.
const nodeArgs = (js) => ['--no-experimental-fetch', '--single-threaded', '--no-liftoff', '--no-wasm-dynamic-tiering', path.join(dir, js)];
const log = (s) => process.stderr.write(s + '\n');

// ---- CPU time of Chromium's renderer main thread ------------------------------------------------------
// The page has no CPU clock, but this is Linux: the renderer's main thread (tid = pid) is a descendant of
// this node process, and /proc/PID/task/PID/schedstat holds its run time in ns. Both engines (our harness
// and ORT with numThreads = 1, no proxy) run on that thread, so the CPU time of one page.evaluate divided
// by the calls it made (warm-up + sizing + timed) is the per-call CPU time, as native/node report it.
function childPids(type) {
  const parent = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const mine = (p) => { for (let i = 0; i < 64 && p > 1; i++) { if (p === process.pid) return true; p = parent.get(p); } return false; };
  const out = [];
  for (const p of parent.keys()) {
    if (!mine(p)) continue;
    try { if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`--type=${type}`)) out.push(p); } catch { /* gone */ }
  }
  return out;
}
// all threads of Chromium's GPU processes (WebGL runs there, on SwiftShader: CPU rasterizing), in ms
function gpuCpuMs() {
  let ns = 0;
  for (const p of childPids('gpu-process')) {
    try {
      for (const t of fs.readdirSync(`/proc/${p}/task`)) ns += Number(fs.readFileSync(`/proc/${p}/task/${t}/schedstat`, 'utf8').split(' ')[0]) || 0;
    } catch { /* gone */ }
  }
  return ns / 1e6;
}
const schedNs = (p) => { try { return Number(fs.readFileSync(`/proc/${p}/task/${p}/schedstat`, 'utf8').split(' ')[0]); } catch { return NaN; } };
async function withCpu(fn) {  // -> [result of fn, CPU ms of the busiest renderer main thread meanwhile]
  const pids = childPids('renderer'), a = pids.map(schedNs);
  const r = await fn();
  const d = pids.map((p, i) => schedNs(p) - a[i]).filter(Number.isFinite);
  return [r, d.length ? Math.max(...d) / 1e6 : NaN];
}
const evalCpu = async (fn, arg) => {  // page.evaluate with cpu = [CPU ms per call]
  const [r, cpu] = await withCpu(() => benchPage.evaluate(fn, arg));
  if (!r.error && r.calls > 0 && Number.isFinite(cpu)) r.cpu = [cpu / r.calls];
  return r;
};

// ---- Chromium: one browser; the bench page in one context for the whole run --------------------------
let browser = null, benchPage = null, benchServer = null, distServer = null;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'];
const onnxFile = (model, T) => `onnx/${model}_T${T}.onnx`;

async function chromiumSetup() {
  const { chromium } = await import(path.join(ROOT, 'node_modules/playwright-core/index.mjs'));
  const { startServer } = await import(path.join(ROOT, 'scripts/lib/static-server.mjs'));
  benchServer = await startServer(path.join(dir, 'web'), { port: 0 });
  if (withPage) distServer = await startServer(path.join(ROOT, 'dist'), { port: 0 });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
  const ctx = await browser.newContext();
  benchPage = await ctx.newPage();
  benchPage.on('pageerror', (e) => log('bench page error: ' + e.message));
  await benchPage.goto(`http://127.0.0.1:${benchServer.address().port}/model_bench_page.html`);
  await benchPage.evaluate(() => window.benchReady);
  R.chromium_version = await benchPage.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] || '?');
  await benchPage.evaluate(() => run('set runs 1'));
  R.ort = { version: await benchPage.evaluate(() => ort.env.versions?.web || ort.env.versions?.common || '?'), load: {}, check: {} };
  for (const T of ORT_T) {
    R.ort.load[`tiny ${T}`] = await benchPage.evaluate(([u, T]) => ortLoad('tiny' + T, u, 4096, T), [onnxFile('tiny-en-1m', T), T]);
    R.ort.check[`tiny ${T}`] = await benchPage.evaluate(([k, d, T]) => compare(k, d, T), ['tiny' + T, TINY, T]);
    log(`ORT check tiny T=${T}: ${JSON.stringify(R.ort.check[`tiny ${T}`])}`);
  }
  if (haveSmall) {
    log('loading GPT-2 small into the bench page (ours, then ORT) ...');
    await benchPage.evaluate(() => loadModel('gpt2small'));
    const warm = await benchPage.evaluate(() => run('dump gpt2small 1 /tmp/warm.bin'));  // parses the model
    if (warm.error) log('GPT-2 small (ours, Chromium): ' + warm.error);
    await benchPage.evaluate(() => dropModelFile('gpt2small'));
    R.ort.load['small 64'] = await benchPage.evaluate(([u]) => ortLoad('small64', u, 50257, 64), [onnxFile('gpt2small', 64)]);
    R.ort.check['small 64'] = await benchPage.evaluate(() => compare('small64', 'gpt2small', 64));
    log(`ORT check GPT-2 small T=64: ${JSON.stringify(R.ort.check['small 64'])}`);
  }
}

// One Chromium round: every spec once; each ORT-comparable forward paired with ORT on the same T.
async function chromiumRound(round) {
  const ortKey = (s) => {
    const T = Number(s.split(' ')[2]);
    if (s === `forward ${TINY} ${T}` && ORT_T.includes(T)) return 'tiny' + T;
    return null;
  };
  const specs = [...all, ...small, ...(ortOnly ? [] : smallPatch)];
  for (const s of specs) {
    const webSpec = s.replace(SMALL, 'gpt2small');
    const key = s === small[0] ? 'small64' : ortKey(s);
    const ours = () => evalCpu((x) => run(x), webSpec).then((r) => collect('chromium', s, r));
    const theirs = () => evalCpu((k) => ortRun(k, 1), key).then((r) => collect('ort', s, r));
    if (!key) await ours();
    else if (round % 2 === 0) { await ours(); await theirs(); }
    else { await theirs(); await ours(); }
  }
}

// ---- the real page: cold load in a fresh context, bytes, frame time with the Model view at T = 128 -----
// Signals (an init script, before the page's own scripts): app.js assigns window.attnlab; when its
// `ready` resolves (engine started, font and model loaded, the default sentence run through the model)
// we hook the Emscripten main loop (Module.preMainLoop / postMainLoop). "First attention map drawn" =
// performance.now() (ms since navigation start) at the end of the first main-loop frame after ready:
// that frame's ImGui draw list holds the attention map and has been submitted to WebGL.
function pageInit() {
  const b = (window.__bench = { ready: null, firstMap: null, frameMs: [], rafMs: [], syncMs: [], collect: 0, lastPost: 0 });
  let app;
  Object.defineProperty(window, 'attnlab', {
    configurable: true,
    get() { return app; },
    set(v) {
      app = v;
      v.ready.then(() => {
        b.ready = performance.now();
        const mod = window.attnlabInternal.mod;
        const gl = document.getElementById('canvas').getContext('webgl2');  // the page's own context
        const px = new Uint8Array(4);
        let t0 = 0;
        mod.preMainLoop = () => { t0 = performance.now(); };
        mod.postMainLoop = () => {
          let t = performance.now();
          if (b.firstMap === null) b.firstMap = t;
          if (b.collect === 1) { b.frameMs.push(t - t0); if (b.lastPost) b.rafMs.push(t - b.lastPost); }
          if (b.collect === 2) {  // + wait for the GPU (SwiftShader here) to finish the frame
            gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
            t = performance.now();
            b.syncMs.push(t - t0);
          }
          b.lastPost = t;
        };
      }, () => {});
    },
  });
}
const LONG_TEXT = 'I saw a dog and a cat. It was barking at the mailman, who ran away down the street. '.repeat(10);
const distFiles = {};  // url path -> {raw, gzip}
function distSizes(urlPath) {
  if (!distFiles[urlPath]) {
    const buf = fs.readFileSync(path.join(ROOT, 'dist', urlPath === '/' ? 'index.html' : decodeURIComponent(urlPath)));
    distFiles[urlPath] = { raw: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length,
      br: zlib.brotliCompressSync(buf).length };
  }
  return distFiles[urlPath];
}
async function pageRound(framesPerRound) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await ctx.addInitScript(pageInit);
    const pg = await ctx.newPage();
    const errors = [], responses = [];
    pg.on('pageerror', (e) => errors.push(e.message));
    pg.on('response', (r) => responses.push(r));
    const base = `http://127.0.0.1:${distServer.address().port}/`;
    await pg.goto(base);
    await pg.waitForFunction(() => window.__bench.firstMap !== null, null, { timeout: 60000, polling: 20 });
    const t = await pg.evaluate(() => ({ ready: window.__bench.ready, firstMap: window.__bench.firstMap }));
    // bytes: every response received by the time the first map was drawn (body sizes as transferred)
    let raw = 0, gz = 0, br = 0;
    const files = [];
    for (const r of responses) {
      const u = new URL(r.url());
      if (u.origin !== new URL(base).origin) continue;
      const sz = await r.request().sizes();
      const d = distSizes(u.pathname);
      raw += sz.responseBodySize; gz += d.gzip; br += d.br;
      files.push([u.pathname, sz.responseBodySize, d.gzip]);
    }
    // the default view (Matrix, one head) on the default sentence: GPU-synced frames, for comparison
    await pg.evaluate(() => { window.__bench.collect = 2; });
    await pg.waitForFunction((n) => window.__bench.syncMs.length >= n, Math.ceil(framesPerRound / 2), { timeout: 120000, polling: 100 });
    const matrixSync = await pg.evaluate(() => { const b = window.__bench; b.collect = 0; const r = b.syncMs; b.syncMs = []; return r; });
    // frame time: the Model view (every layer x head) at T = 128
    await pg.evaluate((s) => { window.attnlab.setText(s); window.attnlab.apply({ view: 'model' }); }, LONG_TEXT);
    const st = await pg.evaluate(() => { const s = window.attnlab.state(); return { T: s.ids.length, view: s.view }; });
    const f0 = await pg.evaluate(() => window.attnlab.frames);
    await pg.waitForFunction((f) => window.attnlab.frames >= f + 5, f0, { timeout: 30000 });
    await pg.evaluate(() => { window.__bench.collect = 1; window.__bench.lastPost = 0; });
    const g0 = gpuCpuMs();
    await pg.waitForFunction((n) => window.__bench.frameMs.length >= n, framesPerRound, { timeout: 120000, polling: 100 });
    const gpuMsPerFrame = (gpuCpuMs() - g0) / await pg.evaluate(() => window.__bench.frameMs.length);
    await pg.evaluate(() => { window.__bench.collect = 2; });
    await pg.waitForFunction((n) => window.__bench.syncMs.length >= n, framesPerRound, { timeout: 120000, polling: 100 });
    const fr = await pg.evaluate(() => { window.__bench.collect = 0; return window.__bench; });
    // the real page's own update paths (what the textarea's input event runs: setText = tokenize + forward +
    // state refresh of the status line, highlight and screen-reader mirror): a keystroke appending " x" to
    // a 100-token text, and a full change of a 128-token text (its first word); app run_ms alongside.
    const ks = await pg.evaluate((long) => {
      const A = window.attnlab;
      A.setText(long);
      const st = A.state();
      const base = long.slice(0, st.tokens[99].u16[1]), alt = 'You' + long.slice(1);
      const o = { key: [], keyRun: [], upd: [], updRun: [], T100: 0, T128: st.ids.length };
      for (let i = 0; i < 6; i++) {
        A.setText(base);
        let t = performance.now();
        A.setText(base + ' x');
        o.key.push(performance.now() - t);
        let s = A.state();
        o.keyRun.push(s.run_ms); o.T100 = s.ids.length;
        t = performance.now();
        A.setText(i % 2 ? long : alt);
        o.upd.push(performance.now() - t);
        o.updRun.push(A.state().run_ms);
      }
      A.setText(long);
      return o;
    }, LONG_TEXT);
    const timing = await pg.evaluate(() => performance.getEntriesByType('resource').map((e) =>
      [new URL(e.name).pathname, Math.round(e.startTime), Math.round(e.responseEnd)]));
    return { ...t, ks, matrixSync, gpuMsPerFrame, raw, gzip: gz, br, files, timing, T: st.T, view: st.view, frameMs: fr.frameMs, rafMs: fr.rafMs, syncMs: fr.syncMs, errors };
  } finally {
    await ctx.close();
  }
}

// ---- the rounds -------------------------------------------------------------------------------------
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
if (!fromFile) try {
  if (withChromium) { log('starting Chromium (bench page, ORT sessions) ...'); await chromiumSetup(); }
  R.page = [];
  const t0 = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    log(`round ${round + 1}/${ROUNDS} (${((Date.now() - t0) / 1000).toFixed(0)} s) ...`);
    runProc('native', path.join(dir, 'bench_native'), [], all);
    const big = [...small, ...(ortOnly ? [] : smallPatch)];
    for (const s of big) runProc('native', path.join(dir, 'bench_native'), [], [s]);  // one process per big model
    runProc('node', process.execPath, nodeArgs('bench_wasm_node.js'), all);
    for (const s of big) runProc('node', process.execPath, nodeArgs('bench_wasm_node.js'), [s]);
    if (!ortOnly && fs.existsSync(path.join(dir, 'bench_wasm_node_eigen.js'))) {  // not built by --ort-only
      runProc('native_eigen', path.join(dir, 'bench_native_eigen'), [], before);
      runProc('node_eigen', process.execPath, nodeArgs('bench_wasm_node_eigen.js'), before);
    }
    if (withChromium) await chromiumRound(round);
    if (withPage) R.page.push(await pageRound(Math.ceil(140 / ROUNDS)));
  }
} finally {
  if (browser) await browser.close();
  if (benchServer) benchServer.close();
  if (distServer) distServer.close();
}

// ---- table --------------------------------------------------------------------------------------------
const f = (x) => (!Number.isFinite(x) ? '–' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const mmm = (v) => `${f(med(v))} (${f(Math.min(...v))}–${f(Math.max(...v))})`;
function cell(config, spec, kind) {  // kind: 'ms' or 'gf'
  const r = R[config]?.[spec];
  if (!r) return '–';
  if (r.error) return 'error: ' + r.error;
  const v = kind === 'gf' ? r.ms.map((m) => r.flop / m / 1e6) : r.ms;
  let s = mmm(v);
  if (r.cpu && r.cpu.length && r.cpu[0] >= 0) {
    const c = kind === 'gf' ? r.cpu.map((m) => r.flop / m / 1e6) : r.cpu;
    s += ` · cpu ${f(med(c))}`;
  }
  return s;
}
const cpuMed = (config, spec) => { const r = R[config]?.[spec]; return r && r.cpu && r.cpu[0] >= 0 ? med(r.cpu) : NaN; };
const wallMed = (config, spec) => { const r = R[config]?.[spec]; return r && r.ms ? med(r.ms) : NaN; };
// the limit: the better of the two peak loops
const pk = (config) => Math.max(...peak.map((p) => { const r = R[config]?.[p]; return r ? r.flop / med(r.ms) / 1e6 : NaN; }));
const pkCpu = (config) => Math.max(...peak.map((p) => { const r = R[config]?.[p]; return r ? r.flop / cpuMed(config, p) / 1e6 : NaN; }));
const ratio = (spec, a = 'node', b = 'native') => {
  const x = cpuMed(a, spec) / cpuMed(b, spec);
  if (!Number.isFinite(x)) return '–';
  const y = a === 'node' ? cpuMed('chromium', spec) / cpuMed(b, spec) : NaN;
  return `WASM/native ${x.toFixed(2)}×` + (Number.isFinite(y) ? ` node, ${y.toFixed(2)}× Chromium` : '') + ' (cpu)';
};
// ORT / ours: median of the per-round ratios (each pair measured back to back) and the ratio of medians
function ortRatio(spec) {
  const a = R.ort?.[spec], b = R.chromium?.[spec];
  if (!a?.ms?.length || !b?.ms?.length) return '–';
  const c = cpuMed('ort', spec) / cpuMed('chromium', spec);
  const useCpu = Number.isFinite(c);
  const x = useCpu ? a.cpu : a.ms, y = useCpu ? b.cpu : b.ms;
  const per = x.map((v, i) => v / y[i]).filter(Number.isFinite);  // each pair measured back to back
  return `**ORT/ours ${f(med(per))}×** (median of the ${per.length} back-to-back pairs${useCpu ? ', cpu' : ''}; ${f(Math.min(...per))}–${f(Math.max(...per))})` +
    (useCpu ? `; ratio of cpu medians ${c.toFixed(2)}×, of wall medians ${(med(a.ms) / med(b.ms)).toFixed(2)}×` : '');
}
// ORT and ours on the same weights must agree: float32 sums in another order differ by ~1e-5..1e-4 in the
// logits (measured: <= 1.4e-4 on GPT-2 small) and ~1e-6 in the attention weights. Above these tolerances
// (or on a shape mismatch) the run fails after printing its table.
const ORT_TOL = { logits: 1e-3, attention: 1e-4 };
const ortCheckFailures = () => Object.entries(R.ort?.check || {}).flatMap(([k, c]) =>
  c.error ? [`${k}: ${c.error}`]
    : c.logits > ORT_TOL.logits || c.attention > ORT_TOL.attention || !Number.isFinite(c.logits + c.attention)
      ? [`${k}: max abs diff logits ${c.logits}, attention ${c.attention} (tolerance ${ORT_TOL.logits}, ${ORT_TOL.attention})`] : []);
const diffNote = (k) => {
  const c = R.ort?.check?.[k];
  if (!c) return '';
  if (c.error) return ` · check: ${c.error}`;
  return ` · max abs diff vs ours: logits ${c.logits.toExponential(1)} (max |logit| ${f(c.maxLogit)}), attention ${c.attention.toExponential(1)}`;
};

const rows = [];
if (!ortOnly) {
  rows.push(['f32x4 peak, dependent chains acc = acc·m + c (12 chains), GFLOP/s', cell('native', 'peak', 'gf'), cell('node', 'peak', 'gf'),
    cell('chromium', 'peak', 'gf'), ratio('peak')]);
  rows.push(['f32x4 peak, acc += x·b with b loaded from L1 (8 accumulators, the GEMM mix), GFLOP/s', cell('native', 'peak_l1', 'gf'), cell('node', 'peak_l1', 'gf'),
    cell('chromium', 'peak_l1', 'gf'), ratio('peak_l1')]);
  const chrCpu = Number.isFinite(pkCpu('chromium'));
  const pkChr = chrCpu ? pkCpu('chromium') : pk('chromium');
  rows.push(['**limit** (the better peak row; GEMM % below is against it)', f(pkCpu('native')) + ' (cpu)', f(pkCpu('node')) + ' (cpu)', f(pkChr) + (chrCpu ? ' (cpu)' : ' (wall)'), '–']);
  gemms.forEach(([M, K, N, bt, label], i) => {
    const s = gemmSpecs[i];
    const frac = (c, p) => { const x = R[c]?.[s]; return x?.ms?.length ? ` = ${(100 * x.flop / med(x.cpu.length && x.cpu[0] >= 0 ? x.cpu : x.ms) / 1e6 / p).toFixed(0)}%` : ''; };
    rows.push([`GEMM ${label} [${M}×${K}]·[${K}×${N}]${bt ? 'ᵀ' : ''}, GFLOP/s (% of peak, cpu)`,
      cell('native', s, 'gf') + frac('native', pkCpu('native')), cell('node', s, 'gf') + frac('node', pkCpu('node')),
      cell('chromium', s, 'gf') + frac('chromium', pkChr), ratio(s)]);
  });
}
for (const s of fwd) {
  const T = s.split(' ')[2];
  rows.push([`forward T=${T} (all logits + attention weights), ms`, cell('native', s, 'ms'), cell('node', s, 'ms'), cell('chromium', s, 'ms'), ratio(s)]);
  if (R.ort?.[s]) rows.push([`same work in ONNX Runtime Web ${R.ort.version} (wasm, SIMD, 1 thread), T=${T}, ms${diffNote('tiny ' + T)}`, '–', '–', cell('ort', s, 'ms'), ortRatio(s)]);
}
for (const s of small) {
  rows.push(['GPT-2 small shape (124M, random) forward T=64, ms', cell('native', s, 'ms'), cell('node', s, 'ms'), cell('chromium', s, 'ms'), ratio(s)]);
  if (R.ort?.[s]) rows.push([`GPT-2 small in ONNX Runtime Web ${R.ort.version} (wasm, SIMD, 1 thread), T=64, ms${diffNote('small 64')}`, '–', '–', cell('ort', s, 'ms'), ortRatio(s)]);
}
if (!ortOnly) {
  for (const s of page) rows.push([`page capture T=${s.split(' ')[2]} (all captures, all logits, no lens), ms`, cell('native', s, 'ms'), cell('node', s, 'ms'), cell('chromium', s, 'ms'), ratio(s)]);
  for (const s of app) rows.push([`page update as src/app/app.cpp runs it T=${s.split(' ')[2]} (all captures, logit lens top-3, last-position logits), ms`, cell('native', s, 'ms'), cell('node', s, 'ms'), cell('chromium', s, 'ms'), ratio(s)]);
  rows.push(['keystroke: append 1 token to a 100-token KV cache (last logits only), ms', cell('native', step[0], 'ms'), cell('node', step[0], 'ms'), cell('chromium', step[0], 'ms'), ratio(step[0])]);
  const kr = R.native?.[keystroke[0]]?.reused;
  rows.push([`keystroke as the page runs it: model_forward_reuse with app.cpp's options, last of 101 tokens replaced (${kr ?? '?'} tokens reused), ms`, cell('native', keystroke[0], 'ms'), cell('node', keystroke[0], 'ms'), cell('chromium', keystroke[0], 'ms'), ratio(keystroke[0])]);
  for (const s of intervene) {
    const [kind, , T] = s.split(' '), r = R.native?.[s];
    rows.push(kind === 'ablate'
      ? [`Intervene: toggling an ablation as the page does (app_toggle_ablation, Model view, T=${r?.T ?? T}: re-run with it, "before" run, effects), ms`, cell('native', s, 'ms'), cell('node', s, 'ms'), cell('chromium', s, 'ms'), ratio(s) + '; target < 16']
      : [`Intervene: patching heat map, every head (${r?.heads ?? '?'} single-head patched runs) at T=${T}, ms`, cell('native', s, 'ms'), cell('node', s, 'ms'), cell('chromium', s, 'ms'), ratio(s) + (T === '16' ? '; target < 100' : '')]);
  }
  for (const s of smallPatch)
    rows.push([`Intervene: GPT-2 small shape patching heat map, 144 heads at T=16, ms`, cell('native', s, 'ms'), cell('node', s, 'ms'), cell('chromium', s, 'ms'), ratio(s)]);
  for (const s of before) {
    const what = s.startsWith('forward') ? 'forward T=128, ms' : `GEMM ${s.slice(5)}, GFLOP/s`;
    const kind = s.startsWith('forward') ? 'ms' : 'gf';
    rows.push([`before (Eigen GEMM): ${what}`, cell('native_eigen', s, kind), cell('node_eigen', s, kind), '–', ratio(s, 'node_eigen', 'native_eigen')]);
  }
}
if (R.page?.length) {
  const P = R.page, kb = (x) => (x / 1e6).toFixed(2) + ' MB';
  const frames = P.flatMap((p) => p.frameMs), raf = P.flatMap((p) => p.rafMs), sync = P.flatMap((p) => p.syncMs);
  const perRound = (k) => P.map((p) => med(p[k]));
  const p90 = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length * 0.9)];
  rows.push([`page (dist/): cold load to first attention map drawn (fresh context, no cache), ms; ready = ${f(med(P.map((p) => p.ready)))}`, '–', '–', mmm(P.map((p) => p.firstMap)), 'target < 1000'],
    [`page: bytes transferred by then (${P[0].files.length} files, server sends them uncompressed), raw / gzip -9 / brotli`, '–', '–',
      `${kb(med(P.map((p) => p.raw)))} / ${kb(med(P.map((p) => p.gzip)))} / ${kb(med(P.map((p) => p.br)))}`, 'target < 3 MB'],
    [`page: frame time, Model view (all layers × heads) at T=${P[0].T}: main-loop work (JS + WASM: UI, draw lists, GL calls), ms (${frames.length} frames; min–max of the per-round medians)`, '–', '–',
      `${f(med(frames))} (${f(Math.min(...perRound('frameMs')))}–${f(Math.max(...perRound('frameMs')))}) · p90 ${f(p90(frames))}`, `target < 8; rAF interval median ${f(med(raf))}`],
    [`page: the same frames until the GPU has finished them (readPixels of 1 pixel after the frame; WebGL on SwiftShader = CPU rasterizing), ms (${sync.length} frames)`, '–', '–',
      `${f(med(sync))} (${f(Math.min(...perRound('syncMs')))}–${f(Math.max(...perRound('syncMs')))}) · p90 ${f(p90(sync))} · GPU process CPU ${f(med(P.map((p) => p.gpuMsPerFrame)))} ms/frame`,
      `target < 8; Matrix view (1 head, default sentence) synced: ${f(med(P.flatMap((p) => p.matrixSync)))}`]);
  if (P[0].ks) {
    const K = (k) => P.flatMap((p) => p.ks[k]);
    rows.push([`page: keystroke in the real app, " x" appended to the first 100 tokens of a text (${P[0].ks.T100} tokens after) (attnlab.setText: tokenize + forward + status/highlight/mirror), ms (${K('key').length} keystrokes; app run_ms = tokenizer + engine)`, '–', '–',
      `${mmm(K('key'))} · run_ms ${f(med(K('keyRun')))}`, 'target < 2'],
      [`page: full update in the real app, T=${P[0].ks.T128} (first word changed), ms (${K('upd').length} updates)`, '–', '–',
        `${mmm(K('upd'))} · run_ms ${f(med(K('updRun')))}`, 'target < 8']);
  }
}

const be = (c) => R[c]?.peak?.backend || R[c]?.[fwd[0]]?.backend || '?';
console.log(`| measurement | native (g++ -O3 -march=x86-64-v2; ${be('native')}) | WASM in node ${process.versions.node} (${be('node')}) | WASM in Chromium ${R.chromium_version || '–'} | ratio |`);
console.log('|---|---|---|---|---|');
for (const r of rows) console.log('| ' + r.join(' | ') + ' |');
console.log(`\nCells: median (min–max) over ${R.meta?.rounds ?? ROUNDS} interleaved rounds of wall time, one timed run per round (a batch of ≥ 30 ms); "cpu" = median CPU time per call of the same runs (thread CPU time native, process.cpuUsage in node, the renderer main thread's /proc schedstat in Chromium, which also counts the run's warm-up calls). Ratios use CPU medians: the box is shared, wall time includes waiting for a core.`);
if (R.page?.length) {
  console.log(`\nPage files (bytes as transferred / gzip -9): ` + R.page[0].files.map(([u, r, g]) => `${u} ${r} / ${g}`).join(', '));
  const errs = R.page.flatMap((p) => p.errors);
  if (errs.length) console.log('Page errors: ' + errs.join('; '));
}
if (!fromFile) fs.writeFileSync(path.join(dir, ortOnly ? 'results-ort.json' : 'results.json'), JSON.stringify(R, null, 1));
const ortFailed = ortCheckFailures();
if (ortFailed.length) {
  console.error('FAIL: ONNX Runtime Web and ours differ on the same weights:\n  ' + ortFailed.join('\n  '));
  process.exit(1);
}
