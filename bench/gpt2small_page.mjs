// GPT-2 small in the page (a measurement, not a test). Loads a random
// GPT-2-small-shaped F32 checkpoint into dist/ in headless Chromium through the file input and through
// #model=<url> served from a second localhost port with CORS, and reports:
//   load time (start -> model ready; the loader's read and engine parts), forward time at T = 64
//   (the app's run_ms: tokenizer + forward + lens + capture; median of >= 5 texts), the same at T = 1024,
//   the full page update of a new sentence (setText) ÷ the bare forward on the same tokens (no captures,
//   last logits: attnlab_bench_forward) at T = 42 and 64 in the Matrix and Predict views, CPU time of the
//   renderer's main thread and wall time, rounds interleaved,
//   WASM heap (linear memory size and malloc'ed bytes), frame interval and in-frame CPU time of the
//   Model / Matrix / Heads / Aggregate views at T = 64 and T = 1024, and screenshots of those views at 1280×800
//   @1x and @2x and on a 390×844 phone (@3x), written to OUT.
//
//   node bench/gpt2small_page.mjs [--model DIR] [--dist DIR] [--out DIR] [--no-screens] [--no-url] [--f16]
//                                 [--rounds N] [--update-only]   (--update-only: no view frames, screenshots or T = 1024)
//   (--f16 ticks the loader's "F16 weights" before the file-input load)
// scripts/dev/measure-gpt2small writes the checkpoint (build/gpt2small/gpt2small_f32) and runs this.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { launch } from '../tests/e2e/browser.mjs';
import { startServer } from '../scripts/lib/static-server.mjs';
import { withCpu } from './renderer_cpu.mjs';  // CPU time of the renderer's main thread

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const MODEL = path.resolve(opt('--model', path.join(ROOT, 'build/gpt2small/gpt2small_f32')));
const DIST = path.resolve(opt('--dist', path.join(ROOT, 'dist')));
const OUT = path.resolve(opt('--out', path.join(ROOT, 'build/gpt2small/out')));
const FILES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'];
fs.mkdirSync(OUT, { recursive: true });
const log = (...a) => process.stderr.write(a.join(' ') + '\n');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const MB = 1048576;

// ---- texts of exactly T GPT-2 tokens (js-tiktoken r50k_base = the GPT-2 vocabulary) ----------------
const require = createRequire(import.meta.url);
const { getEncoding } = require(path.join(ROOT, 'node_modules/js-tiktoken'));
const enc = getEncoding('r50k_base');
const prose = [path.join(ROOT, 'README.md'), path.join(ROOT, 'models/tiny-en-1m/README.md')]
  .filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8')).join('\n\n')
  .replace(/```[\s\S]*?```/g, ' ').replace(/[|#*`]/g, ' ').replace(/\s+/g, ' ');
function textsOf(T, n) {
  const words = prose.split(' '), out = [];
  for (let start = 0; out.length < n && start < words.length; start += 37) {
    let s = '';
    for (let i = start; ; i = (i + 1) % words.length) {   // wraps around for T = 1024
      const next = s ? s + ' ' + words[i] : words[i];
      const k = enc.encode(next).length;
      if (k > T) break;
      s = next;
      if (k === T) { out.push(s); break; }
    }
  }
  return out;
}

// ---- page helpers -----------------------------------------------------------------------------------
async function waitFrames(page, n) {
  const start = await page.evaluate(() => window.attnlab.frames);
  await page.waitForFunction((s) => window.attnlab.frames >= s, start + n, { timeout: 120000, polling: 50 });
}
// Frames drawn per wall-clock interval (rAF-paced: 16.7 ms when a frame fits) and, if the build
// exports it, the CPU time spent inside the frame function (UI build + draw submission).
async function frameStats(page, ms = 2000) {
  await waitFrames(page, 2);
  return page.evaluate(async (ms) => {
    const f0 = window.attnlab.frames, t0 = performance.now();
    const cpu = [];
    while (performance.now() - t0 < ms) {
      await new Promise((r) => requestAnimationFrame(r));
      if (window.attnlab.frameMs) cpu.push(window.attnlab.frameMs());
    }
    const frames = window.attnlab.frames - f0, dt = performance.now() - t0;
    cpu.sort((a, b) => a - b);
    return { interval_ms: frames ? dt / frames : Infinity, frames, cpu_ms: cpu.length ? cpu[cpu.length >> 1] : null };
  }, ms);
}
async function heap(page) {
  return page.evaluate(() => ({
    wasm_mb: window.attnlabInternal.mod.HEAPU8.buffer.byteLength / 1048576,
    malloc_mb: window.attnlab.heapUsed() / 1048576,
  }));
}
async function setText(page, text) {
  return page.evaluate((t) => {
    const t0 = performance.now();
    window.attnlab.setText(t);
    const wall = performance.now() - t0;
    const st = window.attnlab.state();
    return { T: st.ids.length, run_ms: st.run_ms, wall_ms: wall, notice: st.notice };
  }, text);
}
// A new sentence in `view` (setText: tokenizer, forward with the view's captures, lens, state, status line),
// then the bare forward on the same tokens; each with the renderer's CPU time.
async function updateVsBare(page, view, text, other) {
  await page.evaluate((v) => window.attnlab.apply({ view: v }), view);
  await page.evaluate((t) => window.attnlab.setText(t), other);   // so that `text` is new (nothing reused)
  await waitFrames(page, 2);                                         // the view's frames (e.g. its lens) are done
  const [u, cpu] = await withCpu(() => page.evaluate((t) => {
    const t0 = performance.now();
    window.attnlab.setText(t);
    const wall = performance.now() - t0, st = window.attnlab.state();
    return { T: st.ids.length, run_ms: st.run_ms, wall, reused: st.tokens_reused };
  }, text));
  const [bare, bare_cpu] = await withCpu(() => page.evaluate(() => window.attnlabInternal.mod._attnlab_bench_forward()));
  return { ...u, cpu, bare, bare_cpu };
}

async function waitLoaded(page, before) {
  await page.waitForFunction((b) => window.attnlabLoader && window.attnlabLoader.last &&
    JSON.stringify(window.attnlabLoader.last) !== b && !window.attnlabLoader.busy, before, { timeout: 600000, polling: 50 });
  return page.evaluate(() => window.attnlabLoader.last);
}

const VIEWPORTS = [['1280x800@1', 1280, 800, 1], ['1280x800@2', 1280, 800, 2], ['phone390x844@3', 390, 844, 3]];
const VIEWS = ['model', 'matrix', 'heads', 'aggregate', 'math'];
const F16 = args.includes('--f16');

// ---- run --------------------------------------------------------------------------------------------
const results = { date: new Date().toISOString(), model: path.relative(ROOT, MODEL), views: {},
  weights_mb: fs.statSync(path.join(MODEL, 'model.safetensors')).size / MB };
const browser = await launch();
const distSrv = await startServer(DIST, { port: 0 });
const modelSrv = await startServer(path.dirname(MODEL), { port: 0, cors: true });   // the second origin
const pageUrl = `http://127.0.0.1:${distSrv.address().port}/`;
try {
  // 1. file input
  log('file input: loading', results.model, '...');
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(pageUrl);
  await page.evaluate(() => window.attnlab.ready);
  results.heap_builtin = await heap(page);
  // This machine's floor: the built-in model's matrix view (T ≈ 12), same viewport.
  await page.evaluate(() => window.attnlab.apply({ view: 'matrix' }));
  results.views['built-in matrix T=' + (await page.evaluate(() => window.attnlab.state().ids.length))] = await frameStats(page);
  if (F16) await page.setChecked('#loader-f16', true);    // the loader's opt-in: matrices kept as F16
  let t0 = Date.now();
  await page.setInputFiles('#loader-files', FILES.map((f) => path.join(MODEL, f)));
  const last = await waitLoaded(page, 'null');
  if (!last.ok) throw new Error('load failed: ' + last.message);
  results.file = { load_ms: Date.now() - t0, read_ms: last.read_ms, engine_ms: last.engine_ms };
  results.heap_loaded = await heap(page);
  const loaded = await page.evaluate(() => window.attnlab.state().model);
  results.file.weights = loaded.weights;
  results.file.weight_mb = loaded.weight_bytes / MB;
  log('  ', JSON.stringify(results.file));

  // 2. forward at T = 64: median over different texts (the first run also warms the scratch buffers)
  const t64 = textsOf(64, 8);
  await setText(page, t64[t64.length - 1]);
  const runs = [];
  for (const t of t64.slice(0, 7)) runs.push(await setText(page, t));
  if (runs.some((r) => r.T !== 64)) throw new Error('a text is not 64 tokens: ' + runs.map((r) => r.T));
  results.forward64 = { n: runs.length, run_ms_median: median(runs.map((r) => r.run_ms)),
    run_ms_min: Math.min(...runs.map((r) => r.run_ms)), run_ms_max: Math.max(...runs.map((r) => r.run_ms)),
    set_text_wall_ms_median: median(runs.map((r) => r.wall_ms)) };
  results.heap_t64 = await heap(page);
  log('   T=64', JSON.stringify(results.forward64));
  // full page update ÷ bare forward, same T: rounds interleave the views (the box's drift hits both alike)
  const rounds = Number(opt('--rounds', 5));
  if (await page.evaluate(() => !!window.attnlabInternal.mod._attnlab_bench_forward)) {
    results.update_vs_bare = {};
    for (const T of [42, 64]) {
      const texts = textsOf(T, rounds + 1), rows = { matrix: [], predict: [] };
      for (let i = 0; i < rounds; i++)
        for (const view of Object.keys(rows)) rows[view].push(await updateVsBare(page, view, texts[i], texts[rounds]));
      for (const [view, r] of Object.entries(rows)) {
        if (r.some((x) => x.T !== T || x.reused !== 0)) throw new Error(`update at T=${T}: ${JSON.stringify(r)}`);
        const m = (f) => median(r.map(f));
        results.update_vs_bare[`${view} T=${T}`] = { n: r.length, cpu_ms: m((x) => x.cpu), bare_cpu_ms: m((x) => x.bare_cpu),
          ratio_cpu: m((x) => x.cpu / x.bare_cpu), run_ms: m((x) => x.run_ms), bare_ms: m((x) => x.bare),
          ratio_wall: m((x) => x.run_ms / x.bare) };
        log(`   update ÷ bare, ${view} T=${T}`, JSON.stringify(results.update_vs_bare[`${view} T=${T}`]));
      }
    }
    await page.evaluate(() => window.attnlab.apply({ view: 'matrix' }));  // the keystrokes below: as before
  }

  // a keystroke at the end of a 64-token text: only the changed tail is recomputed
  const typed = [];
  let text = t64[2];
  await setText(page, text);
  for (const ch of ' and then') {
    text += ch;
    const r = await setText(page, text);
    const st = await page.evaluate(() => window.attnlab.state());
    typed.push({ run_ms: r.run_ms, reused: st.tokens_reused, T: st.ids.length });
  }
  results.keystroke64 = { n: typed.length, run_ms_median: median(typed.map((r) => r.run_ms)),
    run_ms_min: Math.min(...typed.map((r) => r.run_ms)), run_ms_max: Math.max(...typed.map((r) => r.run_ms)),
    reused_min: Math.min(...typed.map((r) => r.reused)), T_max: Math.max(...typed.map((r) => r.T)) };
  log('   keystroke at T=64', JSON.stringify(results.keystroke64));

  // 3. views at T = 64 and T = 1024: frame times at 1280×800@1, screenshots at three viewports
  const cdp = await page.context().newCDPSession(page);
  const t1024 = textsOf(1024, 2);
  for (const [T, text] of args.includes('--update-only') ? [] : [[64, t64[0]], [1024, t1024[0]]]) {
    const r = await setText(page, text);
    if (T === 1024) { results.forward1024 = r; results.heap_t1024 = await heap(page); log('   T=1024', JSON.stringify(r)); }
    for (const [vp, w, h, dpr] of VIEWPORTS) {
      await cdp.send('Emulation.setDeviceMetricsOverride', { width: w, height: h, deviceScaleFactor: dpr, mobile: w < 500 });
      await page.setViewportSize({ width: w, height: h });
      for (const view of VIEWS) {
        await page.evaluate((v) => window.attnlab.apply({ view: v, layer: 5, head: 3, token: -1 }), view);
        await waitFrames(page, 3);
        if (vp === VIEWPORTS[0][0]) {
          results.views[`${view} T=${T}`] = await frameStats(page);
          log(`   ${view} T=${T}`, JSON.stringify(results.views[`${view} T=${T}`]));
        }
        if (!args.includes('--no-screens')) await page.screenshot({ path: path.join(OUT, `${view}-T${T}-${vp}.png`) });
      }
    }
    await cdp.send('Emulation.clearDeviceMetricsOverride');
    await page.setViewportSize({ width: 1280, height: 800 });
  }
  results.page_errors = errors;
  await page.close();

  // 4. #model=<url> on a second origin (CORS)
  if (!args.includes('--no-url')) {
    const modelUrl = `http://127.0.0.1:${modelSrv.address().port}/${path.basename(MODEL)}/`;
    log('#model= URL:', modelUrl, '...');
    const p2 = await browser.context.newPage();
    t0 = Date.now();
    await p2.goto(pageUrl + '#model=' + encodeURIComponent(modelUrl));
    await p2.evaluate(() => window.attnlab.ready);
    const readyMs = Date.now() - t0;
    const l2 = await waitLoaded(p2, 'null');
    if (!l2.ok) throw new Error('URL load failed: ' + l2.message);
    results.url = { page_open_to_model_ready_ms: Date.now() - t0, page_ready_ms: readyMs,
      download_ms: l2.read_ms, engine_ms: l2.engine_ms };
    const r = await setText(p2, t64[1]);
    results.url.forward64_run_ms = r.run_ms;
    log('  ', JSON.stringify(results.url));
    await p2.close();
  }
} finally {
  await browser.close();
  distSrv.close();
  modelSrv.close();
}

fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(results, null, 1));
const f = (x, d = 0) => (x == null ? '–' : Number(x).toFixed(d));
const rows = [
  ['weights file', `${f(results.weights_mb)} MB (F32); in memory ${results.file.weights} ${f(results.file.weight_mb)} MB`],
  ['load, file input (select -> ready)', `${f(results.file.load_ms)} ms (read ${f(results.file.read_ms)} + engine ${f(results.file.engine_ms)})`],
  results.url && ['load, #model= on a CORS origin (open -> ready)', `${f(results.url.page_open_to_model_ready_ms)} ms (page ${f(results.url.page_ready_ms)}, download ${f(results.url.download_ms)}, engine ${f(results.url.engine_ms)})`],
  ['forward T=64 (run_ms, median of ' + results.forward64.n + ')', `${f(results.forward64.run_ms_median, 1)} ms (${f(results.forward64.run_ms_min, 1)}–${f(results.forward64.run_ms_max, 1)}); setText wall ${f(results.forward64.set_text_wall_ms_median, 1)} ms`],
  ['keystroke at the end of a 64-token text (run_ms, median of ' + results.keystroke64.n + ')', `${f(results.keystroke64.run_ms_median, 1)} ms (${f(results.keystroke64.run_ms_min, 1)}–${f(results.keystroke64.run_ms_max, 1)}); ≥ ${results.keystroke64.reused_min} tokens reused`],
  ...Object.entries(results.update_vs_bare || {}).map(([k, v]) => [`full page update ÷ bare forward, same T: ${k} (median of ${v.n} pairs)`,
    `**${f(v.ratio_cpu, 2)}×** CPU (${f(v.cpu_ms)} ÷ ${f(v.bare_cpu_ms)} ms); wall run_ms ÷ bare ${f(v.ratio_wall, 2)}× (${f(v.run_ms)} ÷ ${f(v.bare_ms)} ms)`]),
  results.forward1024 && ['forward T=1024 (run_ms, one run)', `${f(results.forward1024.run_ms, 0)} ms`],
  ['WASM memory / malloc: built-in', `${f(results.heap_builtin.wasm_mb)} / ${f(results.heap_builtin.malloc_mb)} MB`],
  ['WASM memory / malloc: GPT-2 small loaded', `${f(results.heap_loaded.wasm_mb)} / ${f(results.heap_loaded.malloc_mb)} MB`],
  ['WASM memory / malloc: after T=64', `${f(results.heap_t64.wasm_mb)} / ${f(results.heap_t64.malloc_mb)} MB`],
  results.heap_t1024 && ['WASM memory / malloc: after T=1024', `${f(results.heap_t1024.wasm_mb)} / ${f(results.heap_t1024.malloc_mb)} MB`],
  ...Object.entries(results.views).map(([k, v]) => [`frame: ${k} (1280×800@1)`,
    `interval ${f(v.interval_ms, 1)} ms` + (v.cpu_ms != null ? `, in-frame CPU ${f(v.cpu_ms, 2)} ms` : '')]),
].filter(Boolean);
console.log(`GPT-2 small in the page, ${results.date} (load average at the end: ${(await import('node:os')).loadavg()[0].toFixed(1)})\n\n| measure | value |\n|---|---|`);
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
if (results.page_errors?.length) console.log('\npage errors:', results.page_errors.join('; '));
