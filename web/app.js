// Attention Lab page glue: starts the WASM module, loads the built-in model and the font, wires the
// HTML text field to C++, and exposes window.attnlab for tests and embedding.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const textEl = $('text'), highlightEl = $('highlight'), statusEl = $('status');
  let mod = null;            // the Emscripten module once started
  let resolveReady, rejectReady;
  const ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });
  ready.catch(() => {});     // a failed start is shown on the page; tests read the rejection

  // ---- messages ----------------------------------------------------------------------------------
  function showLoading(msg) { $('loading').hidden = !msg; if (msg) $('loading-text').textContent = msg; }
  function showFatal(msg) {
    $('fatal').hidden = false;
    $('fatal-text').textContent = msg;  // text, never HTML
    showLoading(null);
    rejectReady(new Error(msg));
  }
  window.attnlabFatal = showFatal;

  // ---- feature checks (the probes: features.js) ----------------------------------------------------
  function checkBrowser() {
    if (typeof WebAssembly !== 'object') return 'This page needs WebAssembly, which this browser does not support.';
    if (!WebAssembly.validate(SIMD_PROBE)) return 'This page needs WebAssembly SIMD (Chrome 91+, Firefox 89+, Safari 16.4+).';
    const probe = document.createElement('canvas');
    if (!probe.getContext('webgl2')) return 'This page needs WebGL2, which this browser or its settings do not provide.';
    return null;
  }

  // ---- strings across the boundary -----------------------------------------------------------------
  // UTF-8 through TextEncoder, which turns unpaired surrogates into U+FFFD (Emscripten's own
  // stringToUTF8 would pair a lone high surrogate with whatever follows it).
  const utf8 = new TextEncoder();
  function toHeapUTF8(s) {
    const bytes = utf8.encode(s), p = mod._malloc(bytes.length + 1);
    mod.HEAPU8.set(bytes, p);
    mod.HEAPU8[p + bytes.length] = 0;
    return { p, n: bytes.length };
  }
  function withCString(s, fn) {
    const { p } = toHeapUTF8(s);
    try { return fn(p); } finally { mod._free(p); }
  }
  function copyToHeap(bytes) {
    const p = mod._attnlab_try_malloc(Math.max(1, bytes.length)) >>> 0;  // addresses above 2 GB
    if (!p) throw new Error('not enough memory for ' + (bytes.length / 1048576).toFixed(1) + ' MB');
    mod.HEAPU8.set(bytes, p);
    return p;
  }

  // ---- state ---------------------------------------------------------------------------------------
  function state() {
    if (!mod) return null;
    return JSON.parse(mod.UTF8ToString(mod._attnlab_state_json()));
  }

  // The source-text highlight behind the textarea: the hovered token's UTF-16 range is marked.
  let lastMark = '';
  function updateHighlight(st) {
    st = st || state();
    if (!st) return;
    const tok = st.hover >= 0 ? st.tokens[st.hover] : (st.locked >= 0 ? st.tokens[st.locked] : null);
    const text = textEl.value;
    const key = text.length + ':' + (tok ? tok.u16.join(',') : '');
    if (key === lastMark && highlightEl.childNodes.length) return;
    lastMark = key;
    highlightEl.textContent = '';
    if (!tok || st.text !== text) { highlightEl.textContent = text; return; }
    const mark = document.createElement('mark');
    mark.textContent = text.slice(tok.u16[0], tok.u16[1]);
    highlightEl.append(text.slice(0, tok.u16[0]), mark, text.slice(tok.u16[1]));
    highlightEl.scrollTop = textEl.scrollTop;
  }

  function setText(s) {
    s = String(s);
    if (textEl.value !== s) textEl.value = s;
    if (!mod) return;
    const { p, n } = toHeapUTF8(s);
    try { mod._attnlab_set_text(p, n); } finally { mod._free(p); }
    afterChange();
  }

  // After any state change: status line, source highlight, screen-reader mirror.
  function afterChange(st) {
    st = st || state();
    scheduleLinkUpdate();
    emitSelection(st);
    emitAnswer(st);
    statusEl.textContent = st.notice || (st.ids.length + ' tokens · ' + st.run_ms.toFixed(1) + ' ms');
    updateHighlight(st);
    updateMirror(st);
    if (st.view === 'memory' && window.attnlabEnsureMemory) window.attnlabEnsureMemory(st);
  }

  // Canvas-driven changes (hover, clicks, keys): the engine's change counter is polled, and the full
  // state JSON is fetched only when it moved, so an idle page builds no JSON.
  let seenVersion = -1;
  function pollState() {
    const v = mod._attnlab_state_version();
    if (v === seenVersion) return;
    seenVersion = v;
    const st = state();
    scheduleLinkUpdate();  // the address bar follows clicks and keys too (tour steps, ablations, selections)
    emitSelection(st);
    emitAnswer(st);
    updateHighlight(st);
    updateMirror(st);
    if (st.view === 'memory' && window.attnlabEnsureMemory) window.attnlabEnsureMemory(st);
  }

  // ---- screen-reader mirror: the selection in words and the current matrix row as a table ----------
  let lastMirror = '';
  function updateMirror(st) {
    st = st || state();
    const mem = st.memory && st.memory.done ? st.memory : null;
    const key = st.describe + '|' + st.layer + '|' + st.head + '|' + st.token + '|' + st.ids.length + '|' + st.view + '|' + !!mem;
    if (key === lastMirror) return;
    lastMirror = key;
    const root = $('a11y');
    root.textContent = '';
    const p = document.createElement('p');
    p.textContent = st.describe;
    root.append(p);
    // The Memory view: both models' influence per token; the other views: the selected attention row.
    if (mem) {
      mirrorTable(root, `Influence of each token on the prediction after token ${mem.position} (KL, nats)`,
        ['token', mem.transformer_model + ' (transformer)', mem.lstm_model + ' (LSTM)'],
        mem.transformer.map((v, k) => [st.tokens[k].text, v.toFixed(4), mem.lstm[k].toFixed(4)]));
    } else if (st.row) {
      mirrorTable(root, `Attention of token ${st.token} in layer ${st.layer + 1}, head ${st.head + 1}`, ['key', 'weight'],
        st.row.slice(0, st.token + 1).map((w, k) => [st.tokens[k].text, w.toFixed(3)]));
    }
  }
  function mirrorTable(root, caption, headers, rows) {
    const table = document.createElement('table');
    const cap = document.createElement('caption');
    cap.textContent = caption;
    table.append(cap);
    const head = table.insertRow();
    for (const h of headers) { const th = document.createElement('th'); th.textContent = h; head.append(th); }
    for (const r of rows) {
      const tr = table.insertRow();
      for (const c of r) tr.insertCell().textContent = c;
    }
    root.append(table);
  }

  // ---- loading -------------------------------------------------------------------------------------
  async function fetchBytes(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
    return new Uint8Array(await r.arrayBuffer());
  }

  // The built-in model's four files (the first entry of models/index.json): {name, files}. The
  // weights file is the one the entry names (model.planes.safetensors: the engine joins it back).
  async function fetchBuiltinModel() {
    const index = JSON.parse(new TextDecoder().decode(await fetchBytes('models/index.json')));
    if (!index.length) throw new Error('no built-in model in models/index.json');
    const files = await Promise.all(['config.json', index[0].weights || 'model.safetensors', 'vocab.json', 'merges.txt']
      .map((f) => fetchBytes(index[0].path + f)));
    return { name: index[0].name, files };
  }

  // Returns '' on success, else the engine's message (the previous model stays loaded).
  // Each argument is a Uint8Array, or for the weights also a heap pointer already filled
  // ({ptr, length}: loaders that stream a file straight into WASM memory avoid a second copy).
  // keepF16: keep the weight matrices as F16 in memory (the user's opt-in; default exact F32).
  // The small files of each loaded model, for "Download taught model" (a folder that loads again).
  const modelFiles = new Map();            // model name -> {config, vocab, merges} (Uint8Array)
  function loadModelBytes(name, config, safetensors, vocab, merges, keepF16 = false) {
    modelFiles.set(name, { config: config.slice(), vocab: vocab.slice(), merges: merges.slice() });
    const err = withModelFiles([config, safetensors, vocab, merges], (p) => withCString(name, (pn) => mod.UTF8ToString(
      mod._attnlab_load_model(pn, p[0], config.length, p[1], safetensors.length, p[2], vocab.length, p[3], merges.length,
        keepF16 ? 1 : 0))));
    if (!err) setText(textEl.value);
    return err;
  }
  // The same for an LSTM folder (config.json model_type "lstm"): the Memory view's recurrent model.
  function loadLstmBytes(name, config, safetensors, vocab, merges) {
    const err = withModelFiles([config, safetensors, vocab, merges], (p) => withCString(name, (pn) => mod.UTF8ToString(
      mod._attnlab_load_lstm(pn, p[0], config.length, p[1], safetensors.length, p[2], vocab.length, p[3], merges.length))));
    afterChange();
    return err;
  }
  // Heap copies of the four files for fn(pointers), which frees them (the engine's load does); on a
  // failed copy, what was copied is freed here and the message returned.
  function withModelFiles(files, fn) {
    const ptrs = [];
    try {
      for (const b of files) ptrs.push(b.ptr !== undefined ? b.ptr : copyToHeap(b));
    } catch (e) {
      ptrs.forEach((p, i) => { if (files[i].ptr === undefined) mod._free(p); });
      if (files[1].ptr !== undefined) mod._free(files[1].ptr);
      return e.message;
    }
    return fn(ptrs);
  }

  async function loadFont(download) {
    try {
      const ttf = await download;
      const p = copyToHeap(ttf);
      mod._attnlab_set_font(p, ttf.length);
      mod._free(p);
    } catch (e) { console.warn('font: ' + e.message + ' (using the built-in font)'); }
  }

  // ---- share links: the fragment holds the whole state (see src/app/url_state.h) -------------------
  let linkTimer = 0, restoring = false;
  function currentFragment() { return mod.UTF8ToString(mod._attnlab_format_fragment()); }
  function scheduleLinkUpdate() {
    if (restoring || linkTimer) return;
    // Chromium throttles replaceState storms; one update per 250 ms still follows typing.
    linkTimer = setTimeout(() => {
      linkTimer = 0;
      const frag = currentFragment() + (window.attnlabModelFragment ? window.attnlabModelFragment() : '');
      if (frag !== location.hash) history.replaceState(null, '', location.pathname + location.search + frag);
    }, 250);
  }
  function showNotice(msg) {
    const el = $('notice');
    el.hidden = !msg;
    el.textContent = msg || '';
  }
  // Restores state from a fragment: text first (it defines the tokens), then view/selection.
  function restoreFragment(fragment) {
    if (!fragment || fragment === '#') return;
    restoring = true;
    try {
      const parsed = JSON.parse(withCString(fragment, (p) => mod.UTF8ToString(mod._attnlab_parse_fragment(p))));
      let notice = mod.UTF8ToString(mod._attnlab_last_notice());
      if (typeof parsed.text === 'string') setText(parsed.text);
      delete parsed.text; delete parsed.model;
      const applied = withCString(JSON.stringify(parsed), (p) => mod.UTF8ToString(mod._attnlab_apply(p)));
      notice = (notice + ' ' + applied.replace(/ignored (\w+)/g, 'The link\'s $1 was ignored')).trim();
      showNotice(notice);
    } finally { restoring = false; }
    afterChange();
  }
  async function copyText(s) {
    try { await navigator.clipboard.writeText(s); return true; } catch (e) {
      const ta = document.createElement('textarea');  // clipboard API refused (e.g. sandboxed iframe)
      ta.value = s; document.body.append(ta); ta.select();
      const ok = document.execCommand('copy'); ta.remove(); return ok;
    }
  }
  function shareUrl() {
    const u = new URL(location.href);
    u.searchParams.delete('embed');
    u.hash = currentFragment() + (window.attnlabModelFragment ? window.attnlabModelFragment() : '');
    return u.toString();
  }
  function embedCode() {
    const u = new URL(shareUrl());
    u.searchParams.set('embed', '1');
    const esc = (x) => x.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    return `<iframe src="${esc(u.toString())}" title="Attention Lab: how a transformer reads a sentence" ` +
           `width="100%" height="520" loading="lazy" style="border:0" allow="clipboard-write"></iframe>`;
  }
  async function onCopy(btn, text) {
    const ok = await copyText(text);
    const label = btn.textContent;
    btn.textContent = ok ? 'Copied' : 'Copy failed';
    setTimeout(() => { btn.textContent = label; }, 1200);
  }

  // ---- embedding: postMessage API for course sites ---------------------------------------------------
  // The parent may send {type:'attnlab:set', text?, view?, layer?, head?, token?, ...}: data only, each
  // value validated by the engine; nothing from a message is ever evaluated or inserted as HTML.
  // With ?origin=<origin> only that origin is accepted and addressed; otherwise the embedding parent.
  const params = new URLSearchParams(location.search);
  const embedded = params.get('embed') === '1';
  const allowedOrigin = params.get('origin');
  function parentOrigin() {
    if (allowedOrigin) return allowedOrigin;
    try { return document.referrer ? new URL(document.referrer).origin : '*'; } catch { return '*'; }
  }
  function postToParent(msg) {
    if (window.parent === window) return;
    const target = parentOrigin();
    window.parent.postMessage(msg, target === 'null' ? '*' : target);
  }
  let lastSelection = '';
  function emitSelection(st) {
    if (window.parent === window) return;
    const sel = { type: 'attnlab:selection', view: st.view, layer: st.layer, head: st.head, token: st.token,
                  tokenText: st.token >= 0 ? st.tokens[st.token].text : null };
    const key = JSON.stringify(sel);
    if (key !== lastSelection) { lastSelection = key; postToParent(sel); }
  }
  // Predict, then reveal: a course page can record the learner's answer.
  let lastAnswer = '';
  function emitAnswer(st) {
    const qz = st.quiz;
    if (!qz || !qz.answered) { lastAnswer = ''; return; }
    const msg = { type: 'attnlab:answer', kind: qz.kind, question: qz.question, text: st.text, layer: st.layer,
                  head: st.head, token: st.token, guess: qz.guess, answer: qz.answer, correct: qz.correct,
                  rank: qz.rank, of: qz.of, guessValue: qz.guess_value, answerValue: qz.answer_value };
    const key = JSON.stringify(msg);
    if (key !== lastAnswer) { lastAnswer = key; postToParent(msg); }
  }
  function onMessage(e) {
    if (e.source !== window.parent || window.parent === window) return;
    if (allowedOrigin && e.origin !== allowedOrigin) return;
    const d = e.data;
    if (!d || typeof d !== 'object' || d.type !== 'attnlab:set') return;
    const partial = {};
    for (const k of ['view', 'layer', 'head', 'token', 'temperature', 'top_k', 'top_p', 'seed', 'compare', 'aggregate',
                     'intervene', 'ablate', 'ablate_mode', 'knockout', 'tour', 'quiz', 'palette', 'scale', 'values',
                     'teach', 'steps', 'lr', 'part'])
      if (k in d) partial[k] = d[k];
    if (typeof d.text === 'string') setText(d.text);
    const notice = Object.keys(partial).length ? apply(partial) : '';
    postToParent({ type: 'attnlab:applied', notice });
  }

  // ---- export: PNG (2x, read back from WebGL), SVG (the view's scene), JSON (as `attnlab run --json`) -
  async function exportPng(scale = 2) {
    const wp = mod._malloc(8);
    const ptr = mod._attnlab_read_frame(scale, wp, wp + 4);
    const w = mod.HEAP32[wp >> 2], h = mod.HEAP32[(wp >> 2) + 1];
    mod._free(wp);
    const pixels = new Uint8ClampedArray(mod.HEAPU8.buffer, ptr, w * h * 4).slice();
    const canvas = new OffscreenCanvas(w, h);
    canvas.getContext('2d').putImageData(new ImageData(pixels, w, h), 0, 0);
    return canvas.convertToBlob({ type: 'image/png' });
  }
  function exportSvg() { return mod.UTF8ToString(mod._attnlab_export_svg()); }
  function exportJson(allHeads = true) { return mod.UTF8ToString(mod._attnlab_export_json(allHeads ? 1 : 0)); }
  // A self-contained snapshot for an LMS or a paper: the view as SVG (PNG for the table views), the
  // sentence, the model, the selected token's attention row and the next-token table as HTML tables,
  // and the share link. No script, no engine: its CSP allows nothing but inline styles and data: images.
  async function exportHtml() {
    const st = state(), svg = exportSvg(), j = JSON.parse(exportJson(false));
    const esc = (x) => String(x).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
    const spell = (t) => t.replace(/\u0120/g, ' ').replace(/\u010a/g, '\u23ce');
    let picture = svg;
    if (!picture) {
      const png = await exportPng(1);
      const url = await new Promise((res) => { const r = new FileReader(); r.onload = () => res(r.result); r.readAsDataURL(png); });
      picture = `<img alt="${esc(st.describe)}" src="${url}">`;
    }
    const q = st.token >= 0 && st.token < st.tokens.length ? st.token : st.tokens.length - 1;
    const row = (st.row || []).slice(0, q + 1).map((w, k) =>
      `<tr><td>${k}</td><td>${esc(st.tokens[k].text)}</td><td>${w.toFixed(4)}</td></tr>`).join('');
    const top = (j.top || []).map((t) => `<tr><td>${esc(spell(t.token))}</td><td>${t.prob.toFixed(4)}</td></tr>`).join('');
    const link = shareUrl();
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Attention Lab snapshot: ${esc(st.text.slice(0, 60))}</title>
<style>body{font:15px/1.4 system-ui,sans-serif;max-width:60em;margin:1em auto;padding:0 1em}
a{word-break:break-all}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}svg,img{max-width:100%;height:auto}</style>
</head><body>
<h1>Attention Lab snapshot</h1>
<p><strong>Sentence:</strong> ${esc(st.text)}</p>
<p><strong>Model:</strong> ${esc(st.model.name)} (${st.model.n_layer} layers × ${st.model.n_head} heads, d_model ${st.model.n_embd}).
<strong>View:</strong> ${esc(st.view)}, layer ${st.layer}, head ${st.head}, token ${q} (${esc(st.tokens[q].text)}).</p>
<p>${esc(st.describe)}</p>
<figure>${picture}</figure>
<h2>Attention of “${esc(st.tokens[q].text)}” (layer ${st.layer}, head ${st.head})</h2>
<table><tr><th>key</th><th>token</th><th>weight</th></tr>${row}</table>
<h2>Next token after the whole text</h2>
<table><tr><th>token</th><th>probability</th></tr>${top}</table>
<p>Open this view live: <a href="${esc(link)}">${esc(link)}</a></p>
</body></html>
`;
  }
  function download(blob, name) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }
  async function onExport(kind) {
    const st = state(), base = `attention-lab-${st.view}-L${st.layer}H${st.head}`;
    if (kind === 'png') download(await exportPng(2), base + '.png');
    else if (kind === 'svg') {
      const svg = exportSvg();
      if (!svg) return showNotice('This view is a table: export it as PNG or JSON.');
      download(new Blob([svg], { type: 'image/svg+xml' }), base + '.svg');
    } else if (kind === 'html') download(new Blob([await exportHtml()], { type: 'text/html' }), base + '.html');
    else download(new Blob([exportJson(true)], { type: 'application/json' }), base + '.json');
  }

  async function start() {
    if (embedded) document.body.classList.add('embed');
    const problem = checkBrowser();
    if (problem) return showFatal(problem);
    showLoading('Loading the engine…');
    // The font and the model download while the engine compiles and starts (cold load: one round of
    // requests, not three in a row). Failures are held until awaited.
    const font = fetchBytes('fonts/DejaVuSans-ui.ttf');
    const builtin = fetchBuiltinModel();
    font.catch(() => {});
    builtin.catch(() => {});
    let started;
    const startedPromise = new Promise((res) => { started = res; });
    window.attnlabStarted = () => started();
    const wasmFile = attnlabWasmFile(location.search);
    mod = await createAttnlab({
      locateFile: (path) => (path === 'attnlab.wasm' ? wasmFile : path),  // one JS, two builds
      canvas: $('canvas'),
      print: (s) => console.log(s),
      printErr: (s) => console.warn(s),
    });
    await startedPromise;
    performance.mark('attnlab:engine');        // the cold-load stages (bench: cold load to first map)
    // No frames until the first map can be drawn: the main thread is the cold load's bottleneck, and a
    // frame drawn now (software GL in many browsers) would hold up the model's download and load.
    mod.pauseMainLoop();
    try {
      showLoading('Loading the model…');
      const { name, files } = await builtin;
      const err = loadModelBytes(name, files[0], files[1], files[2], files[3]);
      if (err) throw new Error('the built-in model did not load: ' + err);
      performance.mark('attnlab:model');
      await loadFont(font);
      performance.mark('attnlab:font');
    } finally {
      // the end of the first frame after this: the first attention map is drawn
      mod.postMainLoop = () => { performance.mark('attnlab:first-frame'); mod.postMainLoop = undefined; };
      mod.resumeMainLoop();
    }
    showLoading(null);
    textEl.addEventListener('input', () => setText(textEl.value));
    // SDL cancels the default mousedown, so the canvas would never take keyboard focus by itself.
    $('canvas').addEventListener('pointerdown', () => $('canvas').focus());
    textEl.addEventListener('scroll', () => { highlightEl.scrollTop = textEl.scrollTop; });
    setInterval(pollState, 150);
    if (!location.hash || location.hash === '#') { mod._attnlab_first_visit(); afterChange(); }
    restoreFragment(location.hash);
    window.addEventListener('hashchange', () => restoreFragment(location.hash));
    $('copy-link').addEventListener('click', (e) => onCopy(e.target, shareUrl()));
    $('copy-embed').addEventListener('click', (e) => onCopy(e.target, embedCode()));
    $('export').addEventListener('change', (e) => { const k = e.target.value; e.target.value = ''; if (k) onExport(k); });
    window.addEventListener('message', onMessage);
    postToParent({ type: 'attnlab:ready', version: 1 });
    const dark = window.matchMedia('(prefers-color-scheme: dark)');
    mod._attnlab_set_dark(dark.matches ? 1 : 0);
    dark.addEventListener('change', (e) => mod._attnlab_set_dark(e.matches ? 1 : 0));
    performance.mark('attnlab:ready');
    resolveReady();
  }

  // Applies a partial state (view, layer, head, token, temperature, top_k, top_p, seed, compare …).
  // Returns '' or a notice naming the values that were ignored.
  function apply(partial) {
    if (!mod) return 'not ready';
    const notice = withCString(JSON.stringify(partial), (p) => mod.UTF8ToString(mod._attnlab_apply(p)));
    afterChange();
    return notice;
  }
  function step() { mod._attnlab_step(); window.attnlabTextChanged(); }

  // ---- Teach: fine-tuning in the page (src/app/teach.h) ----------------------------------------------
  // Teaches the selected model `text` (default: the current text) for `steps` AdamW steps, a few a frame;
  // resolves to {losses} (one per step) when done, rejects with the reason if it cannot start or is
  // stopped. `seed` is the page's one seed (sampling and teaching); `part`: all | embeddings | layer:N.
  function finetune({ text, steps = 30, learning_rate: lr = 1e-4, seed, part = 'all' } = {}) {
    const partial = { teach: text === undefined ? state().text : String(text), steps, lr, part };
    if (seed !== undefined) partial.seed = seed;
    const notice = apply(partial);
    if (!state().teach.running) return Promise.reject(new Error(state().teach.status || notice));
    return new Promise((resolve, reject) => {
      const poll = () => {
        const t = state().teach;
        if (t.running) return setTimeout(poll, 30);
        if (t.done < steps) reject(new Error(t.status));
        else resolve({ losses: t.losses });
      };
      setTimeout(poll, 30);
    });
  }
  function resetModel() { mod._attnlab_teach_reset(); afterChange(); }
  // The taught model as a zip of its folder (model.safetensors with the taught F32 weights, and the
  // config.json, vocab.json, merges.txt it was loaded with): unzipped, it loads again. Downloads it
  // (unless save is false) and returns the Blob; null if the selected model is not taught.
  function taughtModel(save = true) {
    const lenPtr = mod._malloc(4);
    const p = mod._attnlab_taught_safetensors(lenPtr) >>> 0, n = mod.HEAP32[lenPtr >> 2];
    mod._free(lenPtr);
    if (!n) return null;
    const name = state().model.name, files = modelFiles.get(name) || {};
    const dir = name.replace(/[^\w.-]+/g, '_') + '-taught';
    const entries = [['model.safetensors', mod.HEAPU8.slice(p, p + n)]];
    for (const f of ['config', 'vocab', 'merges']) if (files[f]) entries.push([f + (f === 'merges' ? '.txt' : '.json'), files[f]]);
    const zip = makeZip(entries.map(([f, data]) => [dir + '/' + f, data]));
    if (save) download(zip, dir + '.zip');
    return zip;
  }
  // A zip with stored (uncompressed) entries [path, Uint8Array]: what any unzip tool reads.
  const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  function crc32(data) {
    let c = 0xFFFFFFFF;
    for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xFF] ^ (c >>> 8);
    return (c ^ 0xFFFFFFFF) >>> 0;
  }
  function makeZip(entries) {
    const parts = [], central = [];
    let offset = 0;
    for (const [path, data] of entries) {
      const name = new TextEncoder().encode(path), crc = crc32(data);
      // local header (30 bytes) and central directory entry (46 bytes): version 2.0, stored, 1980-01-01
      const local = new DataView(new ArrayBuffer(30)), dir = new DataView(new ArrayBuffer(46));
      local.setUint32(0, 0x04034b50, true); local.setUint16(4, 20, true); local.setUint16(12, 0x21, true);
      local.setUint32(14, crc, true); local.setUint32(18, data.length, true); local.setUint32(22, data.length, true);
      local.setUint16(26, name.length, true);
      dir.setUint32(0, 0x02014b50, true); dir.setUint16(4, 20, true); dir.setUint16(6, 20, true); dir.setUint16(14, 0x21, true);
      dir.setUint32(16, crc, true); dir.setUint32(20, data.length, true); dir.setUint32(24, data.length, true);
      dir.setUint16(28, name.length, true); dir.setUint32(42, offset, true);
      parts.push(new Uint8Array(local.buffer), name, data);
      central.push(new Uint8Array(dir.buffer), name);
      offset += 30 + name.length + data.length;
    }
    const size = central.reduce((sum, a) => sum + a.length, 0), end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true); end.setUint16(8, entries.length, true); end.setUint16(10, entries.length, true);
    end.setUint32(12, size, true); end.setUint32(16, offset, true);
    return new Blob([...parts, ...central, new Uint8Array(end.buffer)], { type: 'application/zip' });
  }
  // Activation patching of every head (the Compare sentence as the source), a few heads per frame:
  // returns '' once started, else why not; state().patch shows the progress and the results.
  function patch(tokA, tokB) {
    const r = mod.UTF8ToString(mod._attnlab_patch_start(tokA | 0, tokB | 0));
    afterChange();
    return r;
  }
  window.attnlabTextChanged = () => { const st = state(); textEl.value = st.text; afterChange(st); };

  // For web/loader.js (bring-your-own model): the module and the low-level calls it needs.
  window.attnlabInternal = {
    get mod() { return mod; },
    loadModelBytes,
    loadLstmBytes,
    selectModel(i) { const ok = mod._attnlab_select_model(i); afterChange(); return !!ok; },
    tryMalloc(n) { return mod._attnlab_try_malloc(n); },
    // The bytes the engine keeps for a model of this config.json text (-1 if it would reject it).
    configMemory(json, f16) { return withCString(json, (p) => mod._attnlab_config_memory(p, f16 ? 1 : 0)); },
    afterChange,
  };

  window.attnlab = {
    ready,
    setText,
    state,
    apply,
    step,
    // the learner's answer to the link's quiz: a token index (attend) or a vocabulary id (next); true if taken
    answer(choice) { const ok = !!mod._attnlab_quiz_answer(choice | 0); afterChange(); return ok; },
    patch,
    finetune,
    resetModel,
    downloadModel: taughtModel,
    weightsDigest: () => mod.UTF8ToString(mod._attnlab_weights_digest()),
    patchCancel() { mod._attnlab_patch_cancel(); afterChange(); },
    shareUrl: () => shareUrl(),
    exportPng, exportSvg, exportJson, exportHtml,
    embedCode: () => embedCode(),
    get frames() { return mod ? mod._attnlab_frames() : 0; },
    heapUsed() { return mod._attnlab_heap_used(); },
    stateVersion() { return mod ? mod._attnlab_state_version() : 0; },
    frameMs() { return mod ? mod._attnlab_frame_ms() : 0; },
  };
  start().catch((e) => showFatal('Attention Lab could not start: ' + e.message));
})();
