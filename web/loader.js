// Bring-your-own model: a "Load model…" button and folder picker, drag-and-drop anywhere
// on the page, and #model=<folder url> in the location hash. The weights file is streamed in chunks
// straight into WASM memory (never held whole in JS as well), with a progress bar. Every failure
// leaves the previously selected model loaded and usable.
'use strict';
(function () {
  const FILES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'];
  const MB = 1048576;
  const MAX_WASM = 4 * 1024 * MB;          // -sMAXIMUM_MEMORY=4GB: a 32-bit heap cannot go further
  const HEAP_MARGIN = 64 * MB;             // tokenizer tables, capture buffers, the allocator's own slack

  const app = window.attnlab, internal = window.attnlabInternal;
  let busy = false;
  const loadedUrls = new Map();            // absolute folder url -> {index, url as given}: a repeated #model= just selects
  const ui = {};
  // The last load's outcome, for tests and embedding pages: {ok, message, name, read_ms, engine_ms, bytes}.
  let lastLoad = null;

  // ---- small helpers --------------------------------------------------------------------------------
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k in e && !k.startsWith('aria') && k !== 'role') e[k] = v;
      else e.setAttribute(k, v);
    }
    e.append(...children);
    return e;
  }
  const fmtMB = (n) => (n / MB).toFixed(n < 10 * MB ? 2 : 1) + ' MB';
  const isPlanar = (fileName) => fileName.endsWith('.planes.safetensors');  // scripts/build's name for them
  const nextPaint = () => new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
  class LoadError extends Error {}         // a message meant for the user, shown as is

  // ---- UI: buttons, hidden inputs, model switcher, progress, message, drop hint ----------------------
  function buildUi() {
    const bar = document.getElementById('bar');
    ui.files = el('input', { type: 'file', multiple: true, hidden: true, id: 'loader-files',
      accept: '.json,.safetensors,.txt', 'aria-label': 'Model files: config.json, model.safetensors, vocab.json, merges.txt' });
    ui.folder = el('input', { type: 'file', multiple: true, hidden: true, id: 'loader-folder',
      'aria-label': 'Model folder' });
    ui.folder.webkitdirectory = true;     // the folder picker; browsers without it still have the files one
    ui.loadBtn = el('button', { type: 'button', id: 'loader-load', disabled: true,
      title: 'Pick config.json, model.safetensors, vocab.json and merges.txt (or drop them on the page)' }, 'Load model…');
    ui.folderBtn = el('button', { type: 'button', id: 'loader-load-folder', disabled: true,
      title: 'Pick a folder holding the four files of a GPT-2-family checkpoint' }, 'Folder…');
    ui.select = el('select', { id: 'loader-model', disabled: true });
    // Opt-in: keep the weight matrices as F16 (half the memory; GPT-2 small needs ~0.25 GB instead of
    // ~0.5 GB). Off (the default) every weight is exact F32.
    ui.f16 = el('input', { type: 'checkbox', id: 'loader-f16' });
    ui.f16Label = el('label', { htmlFor: 'loader-f16', className: 'loader-label',
      title: 'Keep the weight matrices of the next model you load as F16: half the memory, numbers differ ' +
             'from F32 in the 3rd–4th significant digit. Off: exact F32.' }, ui.f16, ' F16 weights');
    const label = el('label', { htmlFor: 'loader-model', className: 'loader-label' }, 'Model');
    ui.progress = el('div', { id: 'loader-progress', role: 'progressbar', hidden: true,
      'aria-label': 'Loading model', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0' });
    ui.fill = el('div', { className: 'loader-fill' });
    ui.progressText = el('span', { className: 'loader-progress-text' });
    ui.progress.append(ui.fill, ui.progressText);
    // Errors are announced at once (alert); successes politely (status).
    ui.msg = el('div', { id: 'loader-msg', role: 'status', 'aria-live': 'polite' });
    ui.group = el('div', { id: 'loader', role: 'group', 'aria-label': 'Model' },
      label, ui.select, ui.loadBtn, ui.folderBtn, ui.f16Label, ui.files, ui.folder, ui.progress, ui.msg);
    bar.append(ui.group);
    ui.drop = el('div', { id: 'loader-drop', hidden: true, 'aria-hidden': 'true' },
      el('p', {}, 'Drop a model folder, or its four files: ' + FILES.join(', ')));
    document.body.append(ui.drop);

    ui.loadBtn.addEventListener('click', () => ui.files.click());
    ui.folderBtn.addEventListener('click', () => ui.folder.click());
    for (const input of [ui.files, ui.folder]) {
      input.addEventListener('change', () => {
        const list = [...input.files];
        input.value = '';                  // picking the same files again must fire change again
        if (list.length) loadFromFiles(list.map((f) => ({ file: f, path: f.webkitRelativePath || f.name })));
      });
    }
    ui.select.addEventListener('change', () => {
      internal.selectModel(Number(ui.select.value));
      refreshSwitcher();
    });
  }

  function setBusy(on) {
    busy = on;
    ui.loadBtn.disabled = ui.folderBtn.disabled = ui.select.disabled = ui.f16.disabled = on;
    if (!on) ui.progress.hidden = true;
  }

  function showMessage(text, isError) {
    ui.msg.textContent = text;
    ui.msg.setAttribute('role', isError ? 'alert' : 'status');
    ui.msg.classList.toggle('loader-error', !!isError);
  }

  // done/total in bytes; total 0 = unknown (the bar then shows only the bytes so far).
  function showProgress(what, done, total) {
    ui.progress.hidden = false;
    const pct = total ? Math.min(100, (100 * done) / total) : 0;
    ui.fill.style.width = pct.toFixed(1) + '%';  // CSSOM, allowed under style-src 'self'
    ui.progress.setAttribute('aria-valuenow', pct.toFixed(0));
    const text = what + ': ' + (total ? fmtMB(done) + ' / ' + fmtMB(total) : fmtMB(done));
    ui.progress.setAttribute('aria-valuetext', text);
    ui.progressText.textContent = text;
  }

  function describeModel(m) {
    return `${m.name} — ${m.n_layer}×${m.n_head} heads, d${m.n_embd}, vocab ${m.vocab_size}, ` +
           `${(m.params / 1e6).toFixed(1)}M params` + (m.weights === 'F16' ? ', F16 in memory' : '');
  }

  function refreshSwitcher() {
    const st = app.state();
    if (!st) return;
    ui.select.textContent = '';
    st.models.forEach((m, i) => {
      ui.select.append(el('option', { value: String(i), title: `context ${m.n_positions} tokens` }, describeModel(m)));
    });
    ui.select.value = String(st.model_index);
  }

  // ---- choosing the four files ---------------------------------------------------------------------
  // entries: [{file, path}] from an input or a drop (path includes folders). Returns {name, files}
  // with files keyed by the canonical name, or throws a LoadError naming what is missing or wrong.
  function pickFiles(entries) {
    const depth = (p) => p.split('/').length;
    entries = [...entries].sort((a, b) => depth(a.path) - depth(b.path));  // the top-level copy wins
    const base = (p) => p.slice(p.lastIndexOf('/') + 1);
    const byName = {};
    for (const e of entries) if (!(base(e.path) in byName)) byName[base(e.path)] = e;
    const files = {};
    for (const f of FILES) if (byName[f]) files[f] = byName[f].file;
    if (!files['model.safetensors']) {
      // A single differently named .safetensors is unambiguous; shards or PyTorch files are not supported.
      const st = entries.filter((e) => base(e.path).endsWith('.safetensors'));
      if (st.length === 1 && !/-of-\d+\.safetensors$/.test(st[0].path)) files['model.safetensors'] = st[0].file;
      else if (st.length > 1) throw new LoadError('Found ' + st.length + ' .safetensors files (' +
        st.map((e) => base(e.path)).slice(0, 3).join(', ') + '…): sharded checkpoints are not supported; ' +
        'use a single model.safetensors.');
      else if (byName['pytorch_model.bin']) throw new LoadError('Found pytorch_model.bin but no model.safetensors: ' +
        'only the safetensors format is supported (convert it, or download model.safetensors).');
    }
    const missing = FILES.filter((f) => !files[f]);
    if (missing.length) {
      let hint = '';
      if (byName['tokenizer.json'] && (missing.includes('vocab.json') || missing.includes('merges.txt')))
        hint = ' (tokenizer.json alone is not enough: the byte-level BPE needs vocab.json and merges.txt)';
      const got = entries.length ? ' Got: ' + entries.slice(0, 6).map((e) => base(e.path)).join(', ') +
        (entries.length > 6 ? ', …' : '') + '.' : '';
      throw new LoadError('Missing ' + missing.join(', ') + hint + '. A model needs the four files ' +
        FILES.join(', ') + '.' + got);
    }
    // The model's name: its folder, else the config's _name_or_path, else a generic one.
    const top = entries.find((e) => e.file === files['config.json']).path;
    const folder = top.includes('/') ? top.slice(0, top.lastIndexOf('/')).split('/').pop() : '';
    return { name: folder, files };
  }

  // ---- config checks before the big read --------------------------------------------------------------
  function parseConfig(bytes) {
    let cfg;
    try { cfg = JSON.parse(new TextDecoder().decode(bytes)); } catch (e) {
      throw new LoadError('config.json is not valid JSON (' + e.message + ').');
    }
    if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) throw new LoadError('config.json is not a JSON object.');
    return cfg;
  }

  // An upper bound of the WASM memory a load needs: the file (twice for a byte-planar one, which the
  // engine joins into a second copy), the weights as the engine keeps them (its own count,
  // gpt2_memory_bytes: F16 two bytes per parameter; F32 four, plus the copy packed for the products), the
  // engine's bounded conversion scratch and the page's margin. Either is bounded by the file size (at most
  // one parameter per two bytes, F16 being the smallest dtype), which alone bounds a config the engine
  // would reject.
  function memoryNeeded(cfg, fileBytes, f16, planar) {
    const counted = internal.configMemory(JSON.stringify(cfg), f16);
    const bound = fileBytes / 2 * (f16 ? 2 : 8);
    const kept = counted >= 0 ? Math.min(counted, bound) : bound;
    return fileBytes * (planar ? 2 : 1) + kept + HEAP_MARGIN;
  }

  // Fails early with a clear message instead of letting the engine run out of memory mid-load (an
  // out-of-memory inside the engine would abort the whole module). The probe grows the heap once.
  function checkMemory(cfg, fileBytes, f16, planar) {
    const need = memoryNeeded(cfg, fileBytes, f16, planar);
    const hint = () => (!f16 && memoryProbe(memoryNeeded(cfg, fileBytes, true, planar)) ?
      ' Tick "F16 weights" to load it with half the memory.' : '');
    const tooLarge = (why) => new LoadError(`This model is too large for this page: loading it needs about ` +
      `${(need / 1024 / MB).toFixed(2)} GB of WebAssembly memory (the ${fmtMB(fileBytes)} weights file plus ` +
      `its ${f16 ? 'F16' : 'F32'} weights); ${why}.` + hint());
    if (need >= MAX_WASM) throw tooLarge('the page can use at most 4 GB');
    if (!memoryProbe(need)) throw tooLarge('the browser could not provide that much (close other tabs, or try a smaller model)');
  }

  function memoryProbe(bytes) {
    if (bytes >= MAX_WASM) return false;
    const p = internal.tryMalloc(bytes) >>> 0;
    if (p) internal.mod._free(p);
    return !!p;
  }

  // Allocates the weights buffer in the WASM heap (pointers above 2 GB come back negative: >>> 0).
  function heapAlloc(n) {
    const p = internal.tryMalloc(Math.max(1, n)) >>> 0;
    if (!p) throw new LoadError(`Not enough memory for the ${fmtMB(n)} weights file.`);
    return p;
  }

  // Copies a stream into the heap at ptr (n bytes expected). Memory growth can replace HEAPU8, so it is
  // re-read for every chunk. Returns the byte count actually received.
  async function streamToHeap(stream, ptr, n, onProgress) {
    const reader = stream.getReader();
    let off = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (off + value.length > n) { reader.cancel(); throw new LoadError(`model.safetensors is larger than announced (${n} bytes).`); }
      internal.mod.HEAPU8.set(value, ptr + off);
      off += value.length;
      onProgress(off);
    }
    return off;
  }

  // ---- the common path: config/vocab/merges bytes + a weights source -> engine ------------------------
  // weights: {size, stream(), planar} where size may be 0 (unknown) for a download without
  // Content-Length; planar: a byte-planar file (*.planes.safetensors, src/model/safetensors.h).
  async function loadInto(name, small, weights, what) {
    const t0 = performance.now();
    const cfg = parseConfig(small.config);
    const f16 = ui.f16.checked;
    if (weights.size) checkMemory(cfg, weights.size, f16, weights.planar);
    let st;
    if (weights.size) {
      const ptr = heapAlloc(weights.size);
      try {
        const got = await streamToHeap(await weights.stream(), ptr, weights.size,
          (d) => showProgress(what, d, weights.size));
        if (got !== weights.size) throw new LoadError(`model.safetensors ended early: got ${got} of ${weights.size} bytes.`);
      } catch (e) { internal.mod._free(ptr); throw e; }
      st = { ptr, length: weights.size };
    } else {
      // Unknown length (e.g. a compressed response): collect chunks, then one copy into the heap.
      const chunks = [];
      let total = 0;
      const reader = (await weights.stream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        total += value.length;
        showProgress(what, total, 0);
      }
      checkMemory(cfg, total, f16, weights.planar);
      const ptr = heapAlloc(total);
      let off = 0;
      for (const c of chunks) { internal.mod.HEAPU8.set(c, ptr + off); off += c.length; }
      st = { ptr, length: total };
    }
    const readMs = performance.now() - t0;
    showProgress('Preparing the model', 1, 1);
    await nextPaint();                     // the engine's load is synchronous: let the bar paint first
    const t1 = performance.now();
    const prevName = app.state().model?.name;
    // An LSTM folder (model_type "lstm") becomes the Memory view's recurrent model, beside the selected
    // transformer; everything else is a GPT-2-family model the views select.
    const isLstm = cfg.model_type === 'lstm';
    name = isLstm ? name || 'lstm' :
      uniqueName(name || (typeof cfg._name_or_path === 'string' && cfg._name_or_path.split('/').pop()) || 'model from files');
    let err = (isLstm ? internal.loadLstmBytes : internal.loadModelBytes)(name, small.config, st, small.vocab, small.merges, f16);  // frees st
    const engineMs = performance.now() - t1;
    if (err) {
      internal.afterChange();
      // The safetensors parser says "safetensors:"; users see file names, so name the file.
      if (err.startsWith('safetensors:')) err = 'model.' + err;
      throw new LoadError(`Could not load ${name}: ${err}` + (prevName && !isLstm ? ` (still using ${prevName})` : ''));
    }
    lastLoad = { ok: true, name, read_ms: readMs, engine_ms: engineMs, bytes: st.length, message: '', lstm: isLstm };
    if (isLstm) {
      const l = app.state().lstm;
      if (app.state().view !== 'memory') app.apply({ view: 'memory' });
      showMessage(`Loaded the LSTM ${l.name} — ${l.num_layers} layers of ${l.hidden_size}, vocab ${l.vocab_size}, ` +
        `${(l.params / 1e6).toFixed(1)}M params (Memory view) in ${((readMs + engineMs) / 1000).toFixed(1)} s.`, false);
      return -1;
    }
    refreshSwitcher();
    const m = app.state().model;
    showMessage(`Loaded ${describeModel(m)} in ${((readMs + engineMs) / 1000).toFixed(1)} s.`, false);
    return app.state().model_index;
  }

  function uniqueName(name) {
    const names = new Set(app.state().models.map((m) => m.name));
    if (!names.has(name)) return name;
    let i = 2;
    while (names.has(`${name} (${i})`)) i++;
    return `${name} (${i})`;
  }

  // Runs one load at a time; every failure becomes a message and leaves the current model selected.
  async function guarded(fn) {
    if (busy) { showMessage('A model is already loading; wait for it to finish.', true); return false; }
    setBusy(true);
    showMessage('', false);
    try {
      await fn();
      return true;
    } catch (e) {
      const msg = e instanceof LoadError ? e.message : 'Could not load the model: ' + (e && e.message || e);
      lastLoad = { ok: false, message: msg };
      showMessage(msg, true);
      refreshSwitcher();
      return false;
    } finally {
      setBusy(false);
    }
  }

  // ---- from files (input or drop) -------------------------------------------------------------------
  function loadFromFiles(entries) {
    return guarded(async () => {
      const { name, files } = pickFiles(entries);
      const small = {};
      for (const [key, f] of [['config', 'config.json'], ['vocab', 'vocab.json'], ['merges', 'merges.txt']]) {
        try { small[key] = new Uint8Array(await files[f].arrayBuffer()); } catch (e) {
          throw new LoadError(`Could not read ${f}: ${e.message}`);
        }
      }
      const w = files['model.safetensors'];
      if (w.size >= MAX_WASM) throw new LoadError(`model.safetensors is ${fmtMB(w.size)}: too large for this page (at most 4 GB of memory).`);
      await loadInto(name, small, { size: w.size, stream: () => w.stream(), planar: isPlanar(w.name) },
        'Reading ' + w.name);
    });
  }

  // ---- from a URL (#model=) ---------------------------------------------------------------------------
  let cspBlocked = null;                   // the origin a CSP violation just named, if any
  document.addEventListener('securitypolicyviolation', (e) => {
    if (e.effectiveDirective === 'connect-src') cspBlocked = e.blockedURI;
  });

  async function fetchOrExplain(url) {
    cspBlocked = null;
    let r;
    try {
      r = await fetch(url, { mode: 'cors', credentials: 'omit' });
    } catch (e) {
      await new Promise((res) => setTimeout(res, 0));  // the violation event may land just after the rejection
      if (cspBlocked) throw new LoadError(`Could not fetch ${url}: this page's Content-Security-Policy (connect-src) ` +
        `does not allow connecting to ${new URL(url).origin}.`);
      throw new LoadError(`Could not fetch ${url}: the host must allow cross-origin requests ` +
        `(Access-Control-Allow-Origin), or it is unreachable.`);
    }
    if (!r.ok) throw new LoadError(`Could not fetch ${url}: HTTP ${r.status}${r.statusText ? ' ' + r.statusText : ''}` +
      (r.status === 404 ? ` (the folder must hold ${FILES.join(', ')})` : '') + '.');
    return r;
  }

  // link: false for the page's own loads (the Memory view's LSTM), which a share link need not name.
  // weights: the weights file's name in the folder (a built-in model's index entry names its planar one).
  function loadFromUrl(folderUrl, { link = true, weights = 'model.safetensors' } = {}) {
    return guarded(async () => {
      let base;
      try { base = new URL(folderUrl, location.href); } catch { throw new LoadError(`Not a valid model URL: ${folderUrl}`); }
      if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new LoadError(`Model URLs must be http(s): ${folderUrl}`);
      if (!base.pathname.endsWith('/')) base.pathname += '/';   // a folder: the four files live under it
      const key = base.href;
      if (link) pendingUrl = folderUrl;
      if (loadedUrls.has(key)) {           // already loaded in this page: just switch to it
        if (loadedUrls.get(key).index < 0) return;  // the LSTM: nothing to select
        internal.selectModel(loadedUrls.get(key).index);
        refreshSwitcher();
        lastLoad = { ok: true, name: app.state().model.name, reused: true, message: '' };
        return;
      }
      const small = {};
      for (const [k, f] of [['config', 'config.json'], ['vocab', 'vocab.json'], ['merges', 'merges.txt']]) {
        showProgress('Downloading ' + f, 0, 0);
        const r = await fetchOrExplain(new URL(f, base).href);
        small[k] = new Uint8Array(await r.arrayBuffer());
      }
      parseConfig(small.config);          // a wrong config fails before the big download
      const stUrl = new URL(weights, base).href;
      const r = await fetchOrExplain(stUrl);
      // Content-Length is the body's length only when the response is not content-encoded.
      const len = r.headers.get('Content-Encoding') ? 0 : Number(r.headers.get('Content-Length')) || 0;
      if (len >= MAX_WASM) throw new LoadError(`${stUrl} is ${fmtMB(len)}: too large for this page (at most 4 GB of memory).`);
      const name = decodeURIComponent(base.pathname.split('/').filter(Boolean).pop() || base.host);
      const index = await loadInto(name, small, { size: len, stream: () => r.body, planar: isPlanar(weights) },
        'Downloading ' + weights);
      loadedUrls.set(key, { index, url: folderUrl });
    }).finally(() => { pendingUrl = null; });
  }

  // #model=<url> among the share-link keys (#v=1&text=…&model=…); the other keys belong to app.js.
  function hashModelUrl(hash) {
    for (const part of hash.replace(/^#/, '').split('&')) {
      if (part.startsWith('model=')) {
        try { return decodeURIComponent(part.slice(6)); } catch { return part.slice(6); }
      }
    }
    return null;
  }
  function loadFromHash(hash) {
    const url = hashModelUrl(hash);
    return url ? loadFromUrl(url) : Promise.resolve(false);
  }

  // app.js rewrites the fragment after every change and asks this for the model part, so a copied
  // link reopens the model: the URL being loaded, else the selected model's URL if it came from one.
  let pendingUrl = null;
  window.attnlabModelFragment = () => {
    let url = pendingUrl;
    if (!url) {
      const st = app.state();
      for (const m of loadedUrls.values()) if (st && m.index === st.model_index) url = m.url;
    }
    return url ? '&model=' + encodeURIComponent(url) : '';
  };

  // ---- drag and drop ----------------------------------------------------------------------------------
  // Folders arrive as FileSystemEntry trees (webkitGetAsEntry); plain files as dataTransfer.files.
  function readEntry(entry, path, out) {
    if (entry.isFile) return new Promise((res) => entry.file((f) => { out.push({ file: f, path }); res(); }, () => res()));
    if (!entry.isDirectory) return Promise.resolve();
    const reader = entry.createReader();
    return new Promise((res) => {
      const batch = () => reader.readEntries(async (list) => {   // returns at most ~100 per call
        if (!list.length) return res();
        await Promise.all(list.map((e) => readEntry(e, path + '/' + e.name, out)));
        batch();
      }, () => res());
      batch();
    });
  }

  async function droppedEntries(dt) {
    const roots = [...(dt.items || [])].map((it) => (it.kind === 'file' && it.webkitGetAsEntry ? it.webkitGetAsEntry() : null));
    if (roots.length && roots.every(Boolean)) {
      const out = [];
      await Promise.all(roots.map((e) => readEntry(e, e.name, out)));
      return out;
    }
    return [...dt.files].map((f) => ({ file: f, path: f.name }));
  }

  function setupDrop() {
    let depth = 0;                         // dragenter/leave fire for every child element crossed
    const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
    document.addEventListener('dragenter', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (++depth === 1) ui.drop.hidden = false;
    });
    document.addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();                  // without this the browser would navigate to the dropped file
      e.dataTransfer.dropEffect = busy ? 'none' : 'copy';
    });
    document.addEventListener('dragleave', (e) => {
      if (!hasFiles(e)) return;
      if (--depth <= 0) { depth = 0; ui.drop.hidden = true; }
    });
    document.addEventListener('drop', async (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      ui.drop.hidden = true;
      const entries = await droppedEntries(e.dataTransfer);  // read the items before the event ends
      if (entries.length) loadFromFiles(entries);
    });
  }

  // ---- start ------------------------------------------------------------------------------------------
  // The hash as opened, and at each change the event's newURL: app.js may rewrite location.hash
  // (share-link state) before this reads it.
  const startHash = location.hash;
  buildUi();
  setupDrop();
  const started = app.ready.then(() => {
    setBusy(false);
    refreshSwitcher();
    window.addEventListener('hashchange', (e) => loadFromHash(new URL(e.newURL).hash));
    return loadFromHash(startHash);
  }, () => {});                            // a failed start is already shown by app.js

  // ---- the Memory view's models -----------------------------------------------------------------------
  // The view needs an LSTM and a transformer that read the same tokens. When it opens (app.js calls
  // this), the page loads its built-in LSTM (the models/index.json entry of type "lstm") and, if the
  // selected transformer uses another tokenizer, the transformer trained with it (the entry's "pair"),
  // which then becomes the selected model (and the share link names it). Once per page.
  let memoryPending = false, memoryTried = false;
  window.attnlabEnsureMemory = async (st) => {
    if (memoryTried || memoryPending || (st.lstm && st.lstm.pairs_with_model)) return;
    memoryPending = true;
    try {
      await started;
      while (busy) await new Promise((res) => setTimeout(res, 100));  // a load the user started goes first
      memoryTried = true;
      let index = [];
      try { index = await (await fetch('models/index.json')).json(); } catch { /* no list: the message below */ }
      const entry = index.find((e) => e.type === 'lstm');
      if (!app.state().lstm) {
        if (!entry) { showMessage('This page ships no LSTM: load an LSTM folder (Load model…) to compare.', true); return; }
        if (!await loadFromUrl(entry.path, { link: false, weights: entry.weights })) return;
      }
      const now = app.state();
      const pair = entry && index.find((e) => e.name === entry.pair);
      if (!now.lstm || now.lstm.pairs_with_model || !pair) return;
      // the pair is the page's default model (loaded first, by app.js): select it rather than load a copy
      const builtin = pair === index[0] && now.models[0]?.name === pair.name;
      if (builtin) { internal.selectModel(0); refreshSwitcher(); } else await loadFromUrl(pair.path, { weights: pair.weights });
    } finally { memoryPending = false; }
  };

  // For tests and embedding pages: the same paths the UI takes.
  window.attnlabLoader = {
    loadUrl: loadFromUrl,
    loadFiles: (files) => loadFromFiles([...files].map((f) => ({ file: f, path: f.webkitRelativePath || f.name }))),
    get busy() { return busy; },
    get last() { return lastLoad; },
  };
})();
