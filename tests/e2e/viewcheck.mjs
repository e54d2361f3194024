// Checks that the current view drew its own content, not just something: every expectation comes from
// the native CLI (`attnlab run --json` on the same model and text), from the page's state(), or from
// the SVG of the same scene; nothing is specific to one model. Two kinds of evidence:
//  - scene views (heads, matrix, model, aggregate, predict, compare): the SVG export is checked against
//    the CLI's numbers, and the screen against the SVG (the colour of every filled rect and image texel
//    that no text or line crosses, found at one offset inside the view's area);
//  - ImGui views (tokens, math, embed, context, and the ImGui parts of predict/compare): the text the
//    view drew in the last frame (ImGui's own log of it, attnlab_view_text) names the right tokens and
//    numbers, and the view's area is not blank.
// A view that draws nothing fails both.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { ROOT, waitFrames } from './browser.mjs';

// ---- the same model and text through the native CLI ----------------------------------------------
const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/models/index.json'), 'utf8'));
export const MODEL_DIR = path.join(ROOT, 'dist', index[0].path);  // the page's built-in model
const CLI = path.join(ROOT, 'build/native/attnlab');
const runs = new Map();
// The CLI's run of a text, with the page's interventions when a state is given (Intervene mode).
// modelDir: another folder than the built-in model (a taught copy of it).
export function cliRun(text, st = null, modelDir = MODEL_DIR) {
  const iv = [];
  if (st?.ablate) iv.push('--ablate', st.ablate, '--ablate-mode', st.ablate_mode);
  if (st?.knockout) iv.push('--knockout', st.knockout);
  const key = JSON.stringify([text, iv, modelDir]);
  if (!runs.has(key)) {
    const out = execFileSync(CLI, ['run', '--model', modelDir, '--json', '--scores', '--residuals', '--lens', '1', ...iv, text],
      { maxBuffer: 256 << 20 });
    runs.set(key, JSON.parse(out.toString()));
  }
  return runs.get(key);
}

// A token's bytes from its vocab.json spelling (GPT-2's byte stand-ins: "\u0120the" is " the").
const standIn = new Map();
for (let b = 0, n = 0; b < 256; b++) {
  const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
  standIn.set(String.fromCodePoint(printable ? b : 256 + n++), b);
}
export const tokenBytes = (spelling) => Buffer.from([...spelling].map((ch) => standIn.get(ch)));

// A token as the views label it (viz_token_label): whitespace and control characters made visible,
// bytes that are not valid UTF-8 as \xNN.
export function tokenLabel(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const c = bytes[i], n = c < 0x80 ? 1 : (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 0;
    let cp = n === 1 ? c : -1;
    if (n > 1 && i + n <= bytes.length && [...bytes.subarray(i + 1, i + n)].every((x) => (x & 0xc0) === 0x80)) {
      cp = [...bytes.subarray(i + 1, i + n)].reduce((v, x) => (v << 6) | (x & 0x3f), c & (0x7f >> n));
      if (cp < [0, 0, 0x80, 0x800, 0x10000][n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = -1;
    }
    if (cp < 0) { out += '\\x' + c.toString(16).toUpperCase().padStart(2, '0'); i++; continue; }
    out += cp === 0x20 ? '·' : cp === 0x0a ? '↵' : cp === 0x09 ? '→' : cp === 0x0d ? '␍' : cp < 0x20 ? String.fromCodePoint(0x2400 + cp)
      : cp === 0x7f ? '␡' : String.fromCodePoint(cp);
    i += n;
  }
  return out;
}
const label = (cli, t) => tokenLabel(tokenBytes(cli.tokens[t]));  // token t of a CLI run

const cosine = (a, b) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) ab += a[i] * b[i], aa += a[i] * a[i], bb += b[i] * b[i];
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
};

// sampling_distribution (src/model/sample.cpp) over the CLI's logits, for the Predict view's bars.
export function distribution(logits, { temperature, top_k: topK, top_p: topP }) {
  const V = logits.length, p = new Array(V).fill(0);
  if (!(temperature > 0)) { p[logits.indexOf(Math.max(...logits))] = 1; return p; }
  const z = logits.map((x) => x / Math.fround(temperature));
  let kept = [...z.keys()].sort((a, b) => z[b] - z[a] || a - b);
  if (topK > 0 && topK < V) kept = kept.slice(0, topK);
  const zmax = z[kept[0]];
  let sum = 0;
  for (const i of kept) sum += (p[i] = Math.exp(z[i] - zmax));
  for (const i of kept) p[i] /= sum;
  if (Math.fround(topP) < 1) {
    let cum = 0, n = 0;
    while (n < kept.length) { cum += p[kept[n++]]; if (cum >= Math.fround(topP)) break; }
    for (const i of kept.slice(n)) p[i] = 0;
    for (const i of kept.slice(0, n)) p[i] /= cum;
  }
  return p;
}

// ---- what the page drew ---------------------------------------------------------------------------
// The text of the view's last frame (collected from the first call on, so: ask, wait, ask again).
export async function viewText(page) {
  await page.evaluate(() => window.attnlabInternal.mod._attnlab_view_text());
  await waitFrames(page, 2);
  return page.evaluate(() => { const m = window.attnlabInternal.mod; return m.UTF8ToString(m._attnlab_view_text()); });
}

// The view's area in page pixels.
async function viewRect(page) {
  return page.evaluate(() => {
    const m = window.attnlabInternal.mod, c = document.getElementById('canvas').getBoundingClientRect();
    const r = [0, 1, 2, 3].map((i) => m._attnlab_view_rect(i));
    return { x: c.left + r[0], y: c.top + r[1], w: r[2], h: r[3] };
  });
}

// A PNG (8-bit RGB or RGBA, not interlaced: Chromium's screenshots and the engine's rasters) as RGBA.
function pngDecode(buf) {
  assert.equal(buf.toString('latin1', 1, 4), 'PNG');
  let off = 8, w = 0, h = 0, type = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off), kind = buf.toString('latin1', off + 4, off + 8), d = buf.subarray(off + 8, off + 8 + len);
    if (kind === 'IHDR') {
      w = d.readUInt32BE(0), h = d.readUInt32BE(4), type = d[9];
      assert.ok(d[8] === 8 && (type === 2 || type === 6) && d[12] === 0, 'PNG: 8-bit RGB(A), not interlaced');
    } else if (kind === 'IDAT') idat.push(d);
    off += 12 + len;
  }
  const bpp = type === 6 ? 4 : 3, stride = w * bpp, raw = zlib.inflateSync(Buffer.concat(idat));
  const px = Buffer.alloc(w * h * 4), row = Buffer.alloc(stride), prev = Buffer.alloc(stride);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)], src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      row[i] = (src[i] + [0, a, b, (a + b) >> 1, paeth][f]) & 255;
    }
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < 3; k++) px[(y * w + x) * 4 + k] = row[x * bpp + k];
      px[(y * w + x) * 4 + 3] = bpp === 4 ? row[x * bpp + 3] : 255;
    }
    row.copy(prev);
  }
  return { w, h, px, at(x, y) { const o = (y * w + x) * 4; return [px[o], px[o + 1], px[o + 2], px[o + 3]]; } };
}

export async function screenshot(page, file) {
  const opts = file ? { path: file } : {};
  return pngDecode(await page.screenshot(opts));
}

// ---- the SVG export as a list of elements ---------------------------------------------------------
const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
  .replace(/&apos;/g, "'").replace(/&amp;/g, '&');
export function svgParse(svg) {
  const bg = (svg.match(/<svg[^>]*background:#([0-9a-f]{6})/) || [])[1];
  const els = [];
  for (const m of svg.matchAll(/<(rect|line|text|image|circle|polygon|path)\b([^>]*?)(?:\/>|>([^<]*)<\/\1>)/g)) {
    const a = {};
    for (const kv of m[2].matchAll(/([\w:-]+)="([^"]*)"/g)) a[kv[1]] = kv[2];
    els.push({ tag: m[1], a, text: unescape(m[3] || ''), cls: a.class || '', i: a['data-i'] === undefined ? -1 : +a['data-i'],
      j: a['data-j'] === undefined ? -1 : +a['data-j'] });
  }
  return { bg: bg ? hex(bg) : null, els };
}
const hex = (h) => [0, 2, 4].map((k) => parseInt(h.slice(k, k + 2), 16));

// The scene's filled rects and images (with decoded texels), in document (= drawing) order.
function fillsOf(scene) {
  const fills = [];
  for (const e of scene.els) {
    if (!(e.tag === 'rect' && e.a.fill && e.a.fill !== 'none') && e.tag !== 'image') continue;
    const texels = e.tag === 'image' ? pngDecode(Buffer.from(e.a.href.split(',')[1], 'base64')) : null;
    fills.push({ e, x: +e.a.x, y: +e.a.y, w: +e.a.width, h: +e.a.height, r: +(e.a.rx || 0), texels });
  }
  return fills;
}

// Points of the scene where only filled rects and images overlap (no text, line, outline or other
// shape within ~3 units): a few per rect (corners inset, centre, along long bars), texel centres of images.
function probes(scene, fills) {
  const blockers = [];
  for (const e of scene.els) {
    const a = e.a, n = (k) => +a[k];
    if (e.tag === 'rect' && a.fill === 'none') {
      blockers.push({ x: n('x') - 3, y: n('y') - 3, w: n('width') + 6, h: n('height') + 6, ring: true });
    } else if (e.tag === 'line') {
      blockers.push({ x: Math.min(n('x1'), n('x2')) - 3, y: Math.min(n('y1'), n('y2')) - 3,
        w: Math.abs(n('x2') - n('x1')) + 6, h: Math.abs(n('y2') - n('y1')) + 6, line: [n('x1'), n('y1'), n('x2'), n('y2')] });
    } else if (e.tag === 'text') {  // generous: 0.75 em per character
      const size = +(a['font-size'] || 12), w = 0.75 * size * [...e.text].length + 4;
      const x = a['text-anchor'] === 'middle' ? n('x') - w / 2 : a['text-anchor'] === 'end' ? n('x') - w : n('x') - 2;
      blockers.push({ x, y: n('y') - size, w, h: 1.45 * size });
    } else if (e.tag === 'circle') {
      blockers.push({ x: n('cx') - n('r') - 3, y: n('cy') - n('r') - 3, w: 2 * n('r') + 6, h: 2 * n('r') + 6 });
    } else if (e.tag !== 'rect' && e.tag !== 'image') {  // polygon, path: their points' box
      const v = (a.points || a.d || '').match(/-?[\d.]+/g)?.map(Number) || [];
      const xs = v.filter((_, i) => i % 2 === 0), ys = v.filter((_, i) => i % 2 === 1);
      blockers.push({ x: Math.min(...xs) - 3, y: Math.min(...ys) - 3, w: Math.max(...xs) - Math.min(...xs) + 6,
        h: Math.max(...ys) - Math.min(...ys) + 6 });
    }
  }
  const inside = (b, x, y) => x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h;
  const lineNear = ([x1, y1, x2, y2], x, y) => {
    const dx = x2 - x1, dy = y2 - y1, t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy || 1)));
    return Math.hypot(x - x1 - t * dx, y - y1 - t * dy) < 3;
  };
  const blocked = (x, y) => blockers.some((b) => inside(b, x, y) &&
    (b.line ? lineNear(b.line, x, y) : !b.ring || !inside({ x: b.x + 6, y: b.y + 6, w: b.w - 12, h: b.h - 12 }, x, y)));
  const out = [];
  for (const f of fills) {
    if (f.w < 5 || f.h < 5) continue;
    const m = Math.max(2, f.r);
    let pts = [[f.x + m, f.y + m], [f.x + f.w - m, f.y + f.h - m], [f.x + f.w / 2, f.y + f.h / 2]];
    // long bars: points along the middle (a peaked prediction draws one long bar and slivers narrower
    // than the probes' margin, so the long bar must carry the evidence)
    if (f.w >= 40) for (let k = 1; k < 8; k++) if (k !== 4) pts.push([f.x + k * f.w / 8, f.y + f.h / 2]);
    if (f.texels) {  // texel centres (the GPU may filter across texel edges)
      const tw = f.w / f.texels.w, th = f.h / f.texels.h;
      pts = [];
      for (let k = 0; k < 8 && tw >= 4 && th >= 4; k++)
        pts.push([f.x + ((k * 5 + 1) % f.texels.w + 0.5) * tw, f.y + ((k * 3 + 2) % f.texels.h + 0.5) * th]);
    }
    for (const [x, y] of pts) if (!blocked(x, y)) out.push({ x, y, f });
  }
  return out;
}

// The colour the scene has at (x, y): its fills composited in order over the background, as the GPU does.
function colourAt(scene, fills, x, y) {
  let c = scene.bg.slice();
  for (const f of fills) {
    if (x < f.x || x >= f.x + f.w || y < f.y || y >= f.y + f.h) continue;
    let fill, alpha;
    if (f.texels) {
      const t = f.texels.at(Math.min(f.texels.w - 1, Math.floor((x - f.x) / f.w * f.texels.w)),
        Math.min(f.texels.h - 1, Math.floor((y - f.y) / f.h * f.texels.h)));
      fill = t.slice(0, 3), alpha = t[3] / 255;
    } else {
      fill = hex(f.e.a.fill.slice(1)), alpha = f.e.a['fill-opacity'] === undefined ? 1 : +f.e.a['fill-opacity'];
    }
    c = c.map((v, k) => fill[k] * alpha + v * (1 - alpha));
  }
  return c;
}

// The scene (its SVG) is on screen inside the view's area: at one offset, >= 90% of the probe points
// have their colour (within 6 per channel), and there are enough of them. Returns the offset.
export async function assertSceneOnScreen(page, svg, what, { minProbes = 8, file } = {}) {
  const scene = svgParse(svg);
  assert.ok(scene.bg, `${what}: the SVG names its background`);
  const fills = fillsOf(scene);
  const far = (c, d) => Math.max(...c.map((v, k) => Math.abs(v - d[k]))) > 24;
  const pts = probes(scene, fills).map((p) => ({ ...p, want: colourAt(scene, fills, p.x, p.y) }))
    .filter((p) => far(p.want, scene.bg));  // a blank view would match background-coloured points
  const view = await viewRect(page);
  const shot = await screenshot(page, file);
  const close = (x, y, want) => {
    x = Math.round(x), y = Math.round(y);
    if (x < view.x || y < view.y || x >= view.x + view.w || y >= view.y + view.h || x >= shot.w || y >= shot.h) return null;
    return Math.max(...shot.at(x, y).slice(0, 3).map((v, k) => Math.abs(v - want[k]))) <= 6;
  };
  // the offset: where the most of 32 probes spread over the scene match (the scene starts at the view's
  // cursor; probes from one region only, e.g. a row of similar cells, could match one cell off)
  const first = pts.filter((_, i) => i % Math.max(1, Math.floor(pts.length / 32)) === 0).slice(0, 32);
  let best = { hits: -1 };
  for (let oy = Math.floor(view.y); oy < view.y + view.h; oy++) {
    for (let ox = Math.floor(view.x); ox < view.x + 48; ox++) {
      let hits = 0;
      for (const p of first) if (close(ox + p.x, oy + p.y, p.want)) hits++;
      if (hits > best.hits) best = { hits, ox, oy };
    }
  }
  let seen = 0, match = 0;
  for (const p of pts) {
    const ok = close(best.ox + p.x, best.oy + p.y, p.want);
    if (ok === null) continue;
    seen++;
    if (ok) match++;
  }
  if (process.env.VIEWCHECK_DEBUG) {
    for (const p of pts) {
      const x = Math.round(best.ox + p.x), y = Math.round(best.oy + p.y);
      if (close(best.ox + p.x, best.oy + p.y, p.want) === false)
        console.log(what, p.f.e.tag, p.f.e.cls, p.f.e.i, p.f.e.j, [p.x, p.y], p.want.map(Math.round), shot.at(x, y).slice(0, 3));
    }
  }
  assert.ok(seen >= minProbes, `${what}: only ${seen} probe points of the SVG fall inside the view (${pts.length} in all)`);
  assert.ok(match >= 0.9 * seen, `${what}: ${match}/${seen} probe points on screen have the SVG's colour`);
  return { ox: best.ox, oy: best.oy, match, seen };
}

// The view's area has drawn content: enough pixels far from its background colour.
export async function assertViewNotBlank(page, what, file) {
  const view = await viewRect(page);
  const shot = await screenshot(page, file);
  const counts = new Map();
  const px = [];
  for (let y = Math.ceil(view.y); y < Math.min(shot.h, view.y + view.h); y += 2)
    for (let x = Math.ceil(view.x); x < Math.min(shot.w, view.x + view.w); x += 2) {
      const c = shot.at(x, y), key = c[0] << 16 | c[1] << 8 | c[2];
      counts.set(key, (counts.get(key) || 0) + 1), px.push(c);
    }
  const bgKey = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const bg = [bgKey >> 16, (bgKey >> 8) & 255, bgKey & 255];
  const ink = px.filter((c) => Math.max(...c.slice(0, 3).map((v, k) => Math.abs(v - bg[k]))) > 40).length;
  assert.ok(ink >= 150, `${what}: the view's area is blank (${ink} drawn pixels in a 1/4 sample)`);
}

// ---- per view: content against the CLI ------------------------------------------------------------
const near = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tolerance ${tol})`);
const fixed = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Every number printed in a row must be the CLI's, to the printed precision (+ a float32 ulp margin).
function assertPrinted(printed, want, decimals, what) {
  near(Number(printed), want, 0.5 * 10 ** -decimals + 2e-6 + Math.abs(want) * 2e-6, what);
}

// ImGui tables as logged: "| a | b |" per row (rows of a scrolled table can share a line), as cells.
const cellsOf = (text) => text.split('\n').filter((l) => l.includes('|')).flatMap((l) => l.split('|').map((c) => c.trim()));
const rowsOf = (text) => text.split('\n').filter((l) => l.trim().startsWith('|'))
  .map((l) => l.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim()));

// The built-in model's vocabulary: id -> bytes.
let vocab;
function vocabBytes(id) {
  vocab ??= new Map(Object.entries(JSON.parse(fs.readFileSync(path.join(MODEL_DIR, 'vocab.json'), 'utf8')))
    .map(([k, i]) => [i, tokenBytes(k)]));
  return vocab.get(id);
}

const exportSvg = (page) => page.evaluate(() => window.attnlab.exportSvg());

const CHECKS = {
  async tokens(page, st, cli) {
    const text = await viewText(page), q = st.token, T = cli.ids.length;
    assert.ok(text.includes(`splits the text into ${T} pieces (byte-level BPE, vocabulary of ${cli.config.vocab_size})`), text);
    const bytes = tokenBytes(cli.tokens[q]);
    const want = `Token ${q}: "${label(cli, q)}"  id ${cli.ids[q]}  ${bytes.length} byte${bytes.length === 1 ? '' : 's'}: ` +
      [...bytes].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
    assert.ok(text.includes(want), `tokens view: ${JSON.stringify(want)} in ${JSON.stringify(text)}`);
    await assertViewNotBlank(page, 'tokens view');
  },

  async heads(page, st, cli) {
    const svg = await exportSvg(page);
    const links = svgParse(svg).els.filter((e) => e.cls === 'link');
    const l = st.layer, H = cli.config.n_head, T = cli.ids.length;
    // viz_head_view_build: with a token in focus only its lines, else every query's lines of weight >= 0.02;
    // a line's opacity is 0.9 × weight and lines that would round to alpha 0 are left out
    const focus = st.hover >= 0 ? st.hover : st.locked;
    const queries = focus >= 0 ? [focus] : [...Array(T).keys()], wMin = focus >= 0 ? 0 : 0.02;
    let want = 0;
    for (let h = 0; h < H; h++) {
      for (const q of queries) {
        for (let k = 0; k <= q; k++) {
          const w = cli.attention[l][h][q][k];
          if (0.9 * w < 0.5 / 255 || w < wMin) continue;
          want++;
          const line = links.find((e) => e.i === q && e.j === k && +e.a['data-head'] === h);
          assert.ok(line, `heads view: a line for head ${h}, ${q} -> ${k} (weight ${w})`);
          near(+(line.a['stroke-opacity'] ?? 1), 0.9 * w, 0.0085, `heads view: line opacity, head ${h}, ${q} -> ${k}`);
        }
      }
    }
    assert.equal(links.length, want, 'heads view: no other lines');
    await assertSceneOnScreen(page, svg, 'heads view');
  },

  async matrix(page, st, cli) {
    const svg = await exportSvg(page);
    matrixMatchesCli(svgParse(svg).els, cli.attention[st.layer][st.head], st.token, 'matrix view');
    await assertSceneOnScreen(page, svg, 'matrix view');
  },

  async model(page, st, cli) {
    const svg = await exportSvg(page);
    const thumbs = svgParse(svg).els.filter((e) => e.cls === 'thumb' && e.tag === 'image');
    const L = cli.config.n_layer, H = cli.config.n_head, T = cli.ids.length;
    assert.equal(new Set(thumbs.map((e) => e.i * H + e.j)).size, L * H, 'model view: a thumbnail image per layer and head');
    // Each thumbnail is its head's matrix: its texels have the colours of the matrix view's cells for that
    // layer and head (whose printed weights are the CLI's). Long texts are pooled: one texel per cell only here.
    assert.ok(thumbs.every((e) => pngDecode(Buffer.from(e.a.href.split(',')[1], 'base64')).w === T), 'one texel per token');
    for (let l = 0; l < L; l++) {
      for (let h = 0; h < H; h++) {
        await page.evaluate((s) => window.attnlab.apply(s), { view: 'matrix', layer: l, head: h });
        await waitFrames(page, 2);
        const els = svgParse(await exportSvg(page)).els;
        matrixMatchesCli(els, cli.attention[l][h], -1, `matrix L${l}H${h}`);
        const img = pngDecode(Buffer.from(thumbs.find((e) => e.i === l && e.j === h).a.href.split(',')[1], 'base64'));
        for (const c of els.filter((e) => e.tag === 'rect' && e.cls === 'cell' && e.i >= 0)) {
          const t = img.at(c.j, c.i), f = hex(c.a.fill.slice(1));
          assert.ok(Math.max(...f.map((v, k) => Math.abs(v - t[k]))) <= 2, `model view: thumbnail L${l}H${h} texel ${c.i},${c.j}`);
        }
      }
    }
    await page.evaluate((s) => window.attnlab.apply(s), { view: 'model', layer: st.layer, head: st.head });
    await waitFrames(page, 3);
    assert.equal(await exportSvg(page), svg, 'model view: the same scene after the round trip');
    await assertSceneOnScreen(page, svg, 'model view');
  },

  async aggregate(page, st, cli) {
    const svg = await exportSvg(page);
    const els = svgParse(svg).els, H = cli.config.n_head, l = st.layer, T = cli.ids.length;
    assert.equal(st.aggregate, 'mean', 'checked for the mean over heads');
    const title = els.find((e) => e.cls === 'title');
    assert.equal(title?.text, `Mean over ${H} heads · layer ${l} (derived)`);
    const mean = cli.attention[l][0].map((row, q) => row.map((_, k) => cli.attention[l].reduce((s, A) => s + A[q][k], 0) / H));
    const cells = els.filter((e) => e.tag === 'rect' && e.cls === 'cell' && e.i >= 0);
    assert.equal(new Set(cells.map((e) => e.i * T + e.j)).size, T * (T + 1) / 2, 'aggregate view: a cell per unmasked (query, key)');
    const values = els.filter((e) => e.cls === 'value' && e.tag === 'text' && e.j >= 0 && /^\d\.\d\d$/.test(e.text));
    assert.ok(values.length >= T, `aggregate view: ${values.length} printed cells`);
    for (const v of values) assertPrinted(v.text, mean[v.i][v.j], 2, `aggregate cell ${v.i},${v.j}`);
    await assertSceneOnScreen(page, svg, 'aggregate view');
  },

  // Math, Embed and Context draw scenes: their numbers are read from the view's own SVG (the scene the
  // screen shows) and checked against the CLI; the screen must not be blank in the view's area.
  async math(page, st, cli) {
    const texts = svgParse(await exportSvg(page)).els.filter((e) => e.tag === 'text');
    const q = st.token, l = st.layer, h = st.head, T = cli.ids.length;
    const D = cli.config.n_embd / cli.config.n_head;
    assert.ok(texts.some((e) => e.text === `÷√${D}`), 'math view: the ÷√d column');
    // one row per key: "k token" | Q·K | ÷√d | (−∞ if masked) | softmax | weight × V
    const shown = [];
    let sum = 0;
    for (const r of texts.filter((e) => e.cls === 'label' && e.i >= 0 && /^\d+ /.test(e.text))) {
      const m = r.text.match(/^(\d+) (.*)$/), k = +m[1], sc = cli.scores[l][h][q][k];
      shown.push(k);
      assert.equal(m[2], label(cli, k), `math row ${k}: key`);
      const v = texts.filter((e) => e.cls === 'value' && e.j === k).map((e) => e.text);
      assert.ok(v.length >= 3, `math row ${k}: ${JSON.stringify(v)}`);
      assertPrinted(v[0], sc * Math.sqrt(D), 3, `math row ${k}: Q·K`);
      assertPrinted(v[1], sc, 3, `math row ${k}: ÷√d`);
      assert.equal(v.includes('−∞'), k > q, `math row ${k}: masked iff after the query`);
      assertPrinted(v[v.length - 1], cli.attention[l][h][q][k], 4, `math row ${k}: softmax`);
      sum += Number(v[v.length - 1]);
    }
    assert.deepEqual(shown, [...shown.keys()], 'math view: the keys in order from the first');
    assert.ok(shown.length >= Math.min(q + 1, T, 4), `math view: ${shown.length} rows`);
    if (shown.length > q) near(sum, 1, 1e-3 * (q + 1), 'math view: the weights sum to 1');
    await assertViewNotBlank(page, 'math view');
  },

  async embed(page, st, cli) {
    const texts = svgParse(await exportSvg(page)).els.filter((e) => e.tag === 'text').map((e) => e.text);
    const q = st.token, L = cli.config.n_layer, name = label(cli, q);
    // the token nearest to a token's own embedding is itself, at cosine 1.00
    const i = texts.findIndex((t) => t.startsWith('Nearest tokens by cosine similarity of their embeddings'));
    assert.ok(i >= 0, `embed view: the nearest-tokens line in ${JSON.stringify(texts.slice(0, 5))}`);
    assert.equal(texts[i + 1], `“${name}” 1.00`, 'embed view: the nearest token is itself');
    const e = cli.residuals[0][q];
    for (let l = 0; l < L; l++) {
      const m = texts.map((t) => t.match(new RegExp(`^after layer ${l} +\\(cosine to the input (-?\\d\\.\\d\\d)`))).find(Boolean);
      assert.ok(m, `embed view: the line for layer ${l}`);
      assertPrinted(m[1], cosine(cli.residuals[l + 1][q], e), 2, `embed view: cosine after layer ${l}`);
    }
    await assertViewNotBlank(page, 'embed view');
  },

  async predict(page, st, cli) {
    const svg = await exportSvg(page);
    const els = svgParse(svg).els, T = cli.ids.length;
    const p = distribution(cli.logits, st.sampling);
    const order = [...p.keys()].sort((a, b) => p[b] - p[a] || a - b);
    const bars = els.filter((e) => e.cls === 'bar').sort((a, b) => a.i - b.i);
    assert.ok(bars.length >= Math.min(5, p.filter((x) => x > 0).length), `predict view: ${bars.length} bars`);
    bars.forEach((b, r) => {
      assert.equal(b.j, order[r], `predict view: bar ${r} is token ${order[r]} (p ${p[order[r]]})`);
      const pct = els.find((e) => e.cls === 'value' && e.i === r && e.j === b.j);
      assertPrinted(pct.text.replace('%', ''), 100 * p[order[r]], 1, `predict view: bar ${r} percentage`);
      const shown = els.find((e) => e.cls === 'label' && e.i === r && e.j === b.j);
      if (shown) assert.equal(shown.text, tokenLabel(vocabBytes(order[r])), `predict view: bar ${r} label`);
      if (p[order[r]] / p[order[0]] * +bars[0].a.width > 2)
        near(+b.a.width / +bars[0].a.width, p[order[r]] / p[order[0]], 0.02, `predict view: bar ${r} length`);
    });
    // the logit lens (ImGui table): the top guess after each layer at the positions in sight
    const text = await viewText(page);
    const rows = rowsOf(text), cols = Math.min(T, 64);
    for (let l = 0; l < cli.config.n_layer; l++) {
      const row = rows.find((r) => r[0] === `layer ${l}`);
      assert.ok(row && row.length > 1, `predict view: a logit-lens row for layer ${l} in ${JSON.stringify(text)}`);
      row.slice(1).forEach((cell, c) => {
        if (cell === '–') return;  // long texts: the lens at the last position only
        const t = T - cols + c, m = cell.match(/^(.*) (\d+)%$/), lens = cli.lens[l][t];
        assert.ok(m, `lens cell ${JSON.stringify(cell)}`);
        assert.equal(m[1], tokenLabel(vocabBytes(lens.ids[0])), `predict view: lens, layer ${l}, position ${t}`);
        near(+m[2], 100 * lens.probs[0], 0.5 + 1e-4, `predict view: lens probability, layer ${l}, position ${t}`);
      });
    }
    await assertSceneOnScreen(page, svg, 'predict view');
  },

  async context(page, st, cli) {
    const els = svgParse(await exportSvg(page)).els.filter((e) => e.tag === 'text');
    const texts = els.map((e) => e.text), T = cli.ids.length, l = st.layer, h = st.head, H = cli.config.n_head;
    const N = cli.config.n_positions;
    assert.ok(texts.includes(`${T} / ${N} tokens`), `context view: the window bar in ${JSON.stringify(texts.slice(0, 3))}`);
    // turns: a blank line (two newlines with only spaces between, counted across tokens) ends a turn;
    // the next token with text starts the next one
    const turn = [];
    let n = 0, newlines = 0, blank = false;
    cli.tokens.forEach((s) => {
      const b = tokenBytes(s).toString('latin1');
      if (blank && /[^ \t\r\n]/.test(b)) n++, blank = false;
      turn.push(n);
      for (const ch of b) {
        if (ch === '\n') blank = blank || ++newlines >= 2;
        else if (!' \t\r'.includes(ch)) newlines = 0;
      }
    });
    const last = turn[T - 1];
    const into = new Array(n + 1).fill(0), intoMean = new Array(n + 1).fill(0);
    let nq = 0;
    for (let q = 0; q < T; q++) {
      if (turn[q] !== last) continue;
      nq++;
      for (let k = 0; k <= q; k++) {
        into[turn[k]] += cli.attention[l][h][q][k];
        for (let hh = 0; hh < H; hh++) intoMean[turn[k]] += cli.attention[l][hh][q][k] / H;
      }
    }
    assert.ok(texts.some((t) => t.startsWith(`Attention from the last turn's ${nq} tokens into each turn (layer ${l};`)),
      `context view: the turns table in ${JSON.stringify(texts)}`);
    for (let t = 0; t <= n; t++) {
      const row = els.find((e) => e.cls === 'label' && e.text === `${t + 1}${t === last ? ' (last)' : ''}`);
      assert.ok(row, `context view: the row of turn ${t + 1} in ${JSON.stringify(texts)}`);
      const v = els.filter((e) => e.cls === 'value' && e.i === row.i && e.j >= 0).sort((x, y) => x.j - y.j);
      assertPrinted(v[0].text, into[t] / nq, 3, `context view: turn ${t + 1}, this head`);
      assertPrinted(v[1].text, intoMean[t] / nq, 3, `context view: turn ${t + 1}, mean of heads`);
    }
    // repeated tokens of the last turn and the attention they pay back
    let bullets = 0;
    for (let q = 0; q < T; q++) {
      if (turn[q] !== last) continue;
      let back = 0, seen = 0;
      for (let k = 0; k < q; k++) if (cli.ids[k] === cli.ids[q]) back += cli.attention[l][h][q][k], seen++;
      if (!seen) continue;
      bullets++;
      const re = new RegExp(`“${fixed(label(cli, q))}” \\(token ${q}\\) seen ${seen} times? before: ` +
        `(\\d\\.\\d\\d) of its attention \\(layer ${l} head ${h}\\)`);
      const m = texts.map((t) => t.match(re)).find(Boolean);
      assert.ok(m, `context view: the repeated token ${q} in ${JSON.stringify(texts)}`);
      assertPrinted(m[1], back, 2, `context view: attention of token ${q} to its earlier occurrences`);
    }
    if (!bullets) assert.ok(texts.some((t) => t.includes('(none: repeat a word from an earlier turn)')));
    await assertViewNotBlank(page, 'context view');
  },

  async compare(page, st, cli) {
    const other = cliRun(st.compare), text = await viewText(page), qa = st.token;
    const m = text.match(/"(.*)" \(sentence 1, token (\d+)\) vs "(.*)" \(sentence 2, token (\d+)\)/);
    assert.ok(m, `compare view: names both tokens in ${JSON.stringify(text.slice(0, 400))}`);
    const qb = +m[4];
    assert.equal(+m[2], qa);
    assert.equal(m[1], label(cli, qa));
    assert.equal(m[3], tokenBytes(other.tokens[qb]).toString('utf8'));
    // default partner: the last token of sentence 2 with the same text, else its last token
    if (st.compare_token < 0) {
      const same = other.tokens.lastIndexOf(cli.tokens[qa]);
      assert.equal(qb, same >= 0 ? same : other.ids.length - 1, 'compare view: the default partner token');
    }
    const rows = rowsOf(text).filter((r) => /^(embedding \+ position|after layer \d+)$/.test(r[0]));
    assert.equal(rows.length, cli.config.n_layer + 1, `compare view: a cosine per stage in ${JSON.stringify(text)}`);
    rows.forEach((r, i) => assertPrinted(r[1], cosine(cli.residuals[i][qa], other.residuals[i][qb]), 3, `compare view: cosine, ${r[0]}`));
    // the two row tables (scene): sentence 1's row qa on the left, sentence 2's row qb on the right
    const svg = await exportSvg(page);
    const els = svgParse(svg).els.filter((e) => e.cls === 'value' && e.j >= 0);
    const edge = Math.min(...els.map((e) => +e.a.x));
    assertTable(els.filter((e) => +e.a.x === edge), cli.attention[st.layer][st.head], qa, 'compare view, sentence 1');
    assertTable(els.filter((e) => +e.a.x !== edge), other.attention[st.layer][st.head], qb, 'compare view, sentence 2');
    await assertSceneOnScreen(page, svg, 'compare view');
  },

  // Memory: once computed, both models' influence rows (state) equal `attnlab influence` on each model's
  // folder (the page's own copies) for the same ids, the rollout row too; the printed bar values are those
  // rows; the scene is on screen.
  async memory(page, st) {
    for (let i = 0; !st.memory?.done; i++) {
      assert.ok(i < 400, `memory view: still computing after ${i} polls (${st.memory?.status})`);
      await waitFrames(page, 2);
      st = await page.evaluate(() => window.attnlab.state());
    }
    const m = st.memory, ids = st.ids.slice(0, m.position + 1).join(',');
    for (const [key, name] of [['transformer', m.transformer_model], ['lstm', m.lstm_model]]) {
      const cli = JSON.parse(execFileSync(CLI, ['influence', '--model', path.join(ROOT, 'dist/models', name), '--json', '--ids', ids]));
      assert.equal(m[key].length, m.position + 1, `memory view: one ${key} value per token up to the prediction`);
      m[key].forEach((v, j) => near(v, cli.influence[j], 2e-3 * cli.influence[j] + 1e-5, `memory view: ${key} influence of token ${j}`));
      if (cli.rollout) m.rollout.forEach((v, j) => near(v, cli.rollout[j], 1e-4, `memory view: rollout of token ${j}`));
    }
    const svg = await exportSvg(page);
    const rows = [m.transformer, m.lstm, m.rollout];
    const els = svgParse(svg).els;
    // printed values (on wide columns, the hovered and the cut-off ones) are the rows' numbers
    const values = els.filter((e) => e.cls === 'value' && e.tag === 'text' && e.i >= 0 && e.j >= 0 && e.j <= 2);
    for (const v of values) assertPrinted(v.text, rows[v.j][v.i], v.text.split('.')[1].length, `memory view: bar ${v.j} of token ${v.i}`);
    // every bar up to the prediction, ordered as its value (one scale per row)
    for (let j = 0; j < 3; j++) {
      const bars = els.filter((e) => e.cls === 'bar' && e.tag === 'rect' && e.j === j);
      // (a long text scrolls: only the columns in sight are drawn)
      assert.ok(bars.length >= Math.min(m.position + 1, 16) && bars.every((b) => b.i <= m.position),
        `memory view: a bar per token in sight in row ${j} (${bars.length})`);
      const byValue = bars.map((b) => [rows[j][b.i], +b.a.height]).sort((a, b) => a[0] - b[0]);
      for (let k = 1; k < byValue.length; k++)
        assert.ok(byValue[k][1] >= byValue[k - 1][1] - 0.01, `memory view: row ${j} bar heights follow the values`);
    }
    await assertSceneOnScreen(page, svg, 'memory view');
    return st;
  },
};

// The matrix view's scene for one head: a cell per unmasked (query, key), every printed weight the
// CLI's, and the row table of `query` (if >= 0).
function matrixMatchesCli(els, A, query, what) {
  const T = A.length;
  const cells = els.filter((e) => e.tag === 'rect' && e.cls === 'cell' && e.i >= 0 && e.j >= 0 && e.i >= e.j);
  assert.equal(new Set(cells.map((e) => e.i * T + e.j)).size, T * (T + 1) / 2, `${what}: a cell per unmasked (query, key)`);
  const values = els.filter((e) => e.cls === 'value' && e.tag === 'text' && e.j >= 0 && /^\d\.\d\d$/.test(e.text));
  for (const v of values) assertPrinted(v.text, A[v.i][v.j], 2, `${what}: cell ${v.i},${v.j}`);
  if (query >= 0) assertTable(els, A, query, `${what}, row table`);
}

// A row table (viz_row_table_build) for `query`: "0.123" per key, equal to the CLI's weights.
function assertTable(els, A, query, what) {
  const vals = els.filter((e) => e.cls === 'value' && e.tag === 'text' && e.i === query && e.j >= 0 && /^\d\.\d{3}$/.test(e.text));
  // the keys in sight: 0, 1, 2 … in order (a long row is cut where the view's area ends), at least 16
  const keys = [...new Set(vals.map((v) => v.j))].sort((a, b) => a - b);
  assert.deepEqual(keys, [...keys.keys()], `${what}: the keys of query ${query} from the first, in order`);
  assert.ok(keys.length >= Math.min(query + 1, 16), `${what}: ${keys.length} keys of query ${query} in sight`);
  for (const v of vals) assertPrinted(v.text, A[query][v.j], 3, `${what}: ${query} -> ${v.j}`);
}

// Checks the current view of `page` (state st) against the CLI's run of the same text.
export async function checkView(page, st, { modelDir } = {}) {
  assert.ok(CHECKS[st.view], `no check for view ${st.view}`);
  // (the Memory view runs its own models through the CLI: not the built-in one)
  return CHECKS[st.view](page, st, st.view === 'memory' ? null : cliRun(st.text, st, modelDir));
}
