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

  // ---- feature checks -----------------------------------------------------------------------------
  // The smallest module using a SIMD opcode (i8x16.splat + i8x16.popcnt): valid only with WASM SIMD.
  const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10,
                                     1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  function checkBrowser() {
    if (typeof WebAssembly !== 'object') return 'This page needs WebAssembly, which this browser does not support.';
    if (!WebAssembly.validate(SIMD_PROBE)) return 'This page needs WebAssembly SIMD (Chrome 91+, Firefox 89+, Safari 16.4+).';
    const probe = document.createElement('canvas');
    if (!probe.getContext('webgl2')) return 'This page needs WebGL2, which this browser or its settings do not provide.';
    return null;
  }

  // ---- strings across the boundary -----------------------------------------------------------------
  function withCString(s, fn) {
    const n = mod.lengthBytesUTF8(s) + 1, p = mod._malloc(n);
    try { mod.stringToUTF8(s, p, n); return fn(p); } finally { mod._free(p); }
  }
  function copyToHeap(bytes) {
    const p = mod._attnlab_try_malloc(Math.max(1, bytes.length));
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
  function updateHighlight() {
    const st = state();
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
    withCString(s, (p) => mod._attnlab_set_text(p));
    afterChange();
  }

  // After any state change: status line, source highlight, screen-reader mirror.
  function afterChange(st) {
    st = st || state();
    statusEl.textContent = st.notice || (st.ids.length + ' tokens · ' + st.run_ms.toFixed(1) + ' ms');
    updateHighlight();
    updateMirror(st);
  }

  // ---- screen-reader mirror: the selection in words and the current matrix row as a table ----------
  let lastMirror = '';
  function updateMirror(st) {
    st = st || state();
    const key = st.describe + '|' + st.layer + '|' + st.head + '|' + st.token + '|' + st.ids.length;
    if (key === lastMirror) return;
    lastMirror = key;
    const root = $('a11y');
    root.textContent = '';
    const p = document.createElement('p');
    p.textContent = st.describe;
    root.append(p);
    if (!st.row) return;
    const table = document.createElement('table');
    const cap = document.createElement('caption');
    cap.textContent = `Attention of token ${st.token} in layer ${st.layer + 1}, head ${st.head + 1}`;
    table.append(cap);
    const head = table.insertRow();
    for (const h of ['key', 'weight']) { const th = document.createElement('th'); th.textContent = h; head.append(th); }
    st.row.forEach((w, k) => {
      if (k > st.token) return;
      const tr = table.insertRow();
      tr.insertCell().textContent = st.tokens[k].text;
      tr.insertCell().textContent = w.toFixed(3);
    });
    root.append(table);
  }

  // ---- loading -------------------------------------------------------------------------------------
  async function fetchBytes(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
    return new Uint8Array(await r.arrayBuffer());
  }

  async function loadModelFromUrl(base, name) {
    const files = await Promise.all(['config.json', 'model.safetensors', 'vocab.json', 'merges.txt']
      .map((f) => fetchBytes(base + f)));
    return loadModelBytes(name, files[0], files[1], files[2], files[3]);
  }

  // Returns '' on success, else the engine's message (the previous model stays loaded).
  // Each argument is a Uint8Array, or for the weights also a heap pointer already filled
  // ({ptr, length}: loaders that stream a file straight into WASM memory avoid a second copy).
  function loadModelBytes(name, config, safetensors, vocab, merges) {
    const ptrs = [];
    try {
      for (const b of [config, safetensors, vocab, merges]) ptrs.push(b.ptr !== undefined ? b.ptr : copyToHeap(b));
    } catch (e) {
      ptrs.forEach((p, i) => { if ([config, safetensors, vocab, merges][i].ptr === undefined) mod._free(p); });
      if (safetensors.ptr !== undefined) mod._free(safetensors.ptr);
      return e.message;
    }
    const err = withCString(name, (pn) => mod.UTF8ToString(mod._attnlab_load_model(
      pn, ptrs[0], config.length, ptrs[1], safetensors.length, ptrs[2], vocab.length, ptrs[3], merges.length)));
    if (!err) setText(textEl.value);
    return err;
  }

  async function loadFont() {
    try {
      const ttf = await fetchBytes('fonts/DejaVuSans.ttf');
      const p = copyToHeap(ttf);
      mod._attnlab_set_font(p, ttf.length);
      mod._free(p);
    } catch (e) { console.warn('font: ' + e.message + ' (using the built-in font)'); }
  }

  async function start() {
    const problem = checkBrowser();
    if (problem) return showFatal(problem);
    showLoading('Loading the engine…');
    let started;
    const startedPromise = new Promise((res) => { started = res; });
    window.attnlabStarted = () => started();
    mod = await createAttnlab({
      canvas: $('canvas'),
      print: (s) => console.log(s),
      printErr: (s) => console.warn(s),
    });
    await startedPromise;
    await loadFont();
    showLoading('Loading the model…');
    const index = JSON.parse(new TextDecoder().decode(await fetchBytes('models/index.json')));
    if (!index.length) throw new Error('no built-in model in models/index.json');
    const err = await loadModelFromUrl(index[0].path, index[0].name);
    if (err) throw new Error('the built-in model did not load: ' + err);
    showLoading(null);
    textEl.addEventListener('input', () => setText(textEl.value));
    // SDL cancels the default mousedown, so the canvas would never take keyboard focus by itself.
    $('canvas').addEventListener('pointerdown', () => $('canvas').focus());
    textEl.addEventListener('scroll', () => { highlightEl.scrollTop = textEl.scrollTop; });
    setInterval(() => { updateHighlight(); updateMirror(); }, 150);
    const dark = window.matchMedia('(prefers-color-scheme: dark)');
    mod._attnlab_set_dark(dark.matches ? 1 : 0);
    dark.addEventListener('change', (e) => mod._attnlab_set_dark(e.matches ? 1 : 0));
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
  window.attnlabTextChanged = () => { const st = state(); textEl.value = st.text; afterChange(st); };

  // For web/loader.js (bring-your-own model): the module and the low-level calls it needs.
  window.attnlabInternal = {
    get mod() { return mod; },
    loadModelBytes,
    selectModel(i) { const ok = mod._attnlab_select_model(i); afterChange(); return !!ok; },
    tryMalloc(n) { return mod._attnlab_try_malloc(n); },
    afterChange,
  };

  window.attnlab = {
    ready,
    setText,
    state,
    apply,
    step,
    get frames() { return mod ? mod._attnlab_frames() : 0; },
  };
  start().catch((e) => showFatal('Attention Lab could not start: ' + e.message));
})();
