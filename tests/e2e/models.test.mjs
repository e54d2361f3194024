// Bring-your-own model (web/loader.js) end to end: a GPT-2-shaped checkpoint with the full GPT-2
// vocabulary loaded through the file input, the folder input, a drop and a #model= URL on a second
// (CORS) origin; attention rows checked against the native CLI on the same text; corrupt, wrong and
// missing files give their message and leave the previous model selected and working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch, serveDist, openPage, ROOT, OUT } from './browser.mjs';
import { startServer } from '../../scripts/lib/static-server.mjs';

const FIX = path.join(ROOT, 'build/fixtures/model');
const GPT2VOCAB = path.join(FIX, 'gpt2vocab_f16');
const TINY = path.join(FIX, 'tiny_f32');
const CLI = path.join(ROOT, 'build/native/attnlab');
const FILES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'];
const TEXT = 'I saw a dog and a cat. It was barking.';

let browser, srv, fixSrv, noCorsSrv;
before(async () => {
  for (const p of [GPT2VOCAB, TINY, CLI]) {
    assert.ok(fs.existsSync(p), `${p} is missing: run bash tests/make_fixtures.sh and scripts/build native`);
  }
  browser = await launch();
  srv = await serveDist();
  fixSrv = await startServer(FIX, { port: 0, cors: true });        // the second origin (another port)
  noCorsSrv = await startServer(FIX, { port: 0, cors: false });
});
after(async () => {
  await browser?.close();
  srv?.server.close();
  fixSrv?.close();
  noCorsSrv?.close();
});

// ---- helpers -------------------------------------------------------------------------------------
function cliRun(dir, text) {
  return JSON.parse(execFileSync(CLI, ['run', '--model', dir, '--json', text], { maxBuffer: 64 << 20 }).toString());
}

const pageCsp = () => fs.readFileSync(path.join(ROOT, 'dist/index.html'), 'utf8').match(/connect-src[^;"]*/)[0];

// Resolves once the loader is idle again after a load it started, with its outcome.
async function waitLoad(page) {
  await page.waitForFunction(() => window.attnlabLoader.last && !window.attnlabLoader.busy, null, { timeout: 60000 });
  return page.evaluate(() => window.attnlabLoader.last);
}

async function loadViaInput(page, selector, files) {
  const before = await page.evaluate(() => window.attnlabLoader.last);
  await page.setInputFiles(selector, files);
  await page.waitForFunction((b) => window.attnlabLoader.last !== null && JSON.stringify(window.attnlabLoader.last) !== b &&
    !window.attnlabLoader.busy, JSON.stringify(before), { timeout: 60000 });
  return page.evaluate(() => window.attnlabLoader.last);
}

// Selects (layer, head, query) and returns state().row.
async function rowOf(page, layer, head, token) {
  return page.evaluate((sel) => { window.attnlab.apply(sel); return window.attnlab.state().row; }, { layer, head, token });
}

// Every layer/head for two queries (the last and a middle one) against the CLI's attention.
async function assertRowsMatch(page, dir, text) {
  await page.evaluate((t) => window.attnlab.setText(t), text);
  const ref = cliRun(dir, text);
  const st = await page.evaluate(() => window.attnlab.state());
  assert.deepEqual(st.ids, ref.ids, 'token ids match the CLI');
  const T = ref.ids.length;
  for (let l = 0; l < ref.attention.length; l++) {
    for (let h = 0; h < ref.attention[l].length; h++) {
      for (const q of [T - 1, T >> 1]) {
        const row = await rowOf(page, l, h, q), want = ref.attention[l][h][q];
        assert.equal(row.length, want.length);
        const maxDiff = Math.max(...row.map((w, k) => Math.abs(w - want[k])));
        assert.ok(maxDiff <= 1e-4, `layer ${l} head ${h} query ${q}: max |diff| ${maxDiff}`);
      }
    }
  }
}

function configOf(dir) { return JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')); }
function assertModelIs(m, dir) {
  const c = configOf(dir);
  for (const k of ['n_layer', 'n_head', 'n_embd', 'n_positions', 'vocab_size']) assert.equal(m[k], c[k], k);
}

// A copy of a fixture with one file replaced, in test-output/ (never in the fixture folders).
function brokenCopy(name, src, file, mutate) {
  const dir = path.join(OUT, 'models', name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of FILES) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, file), mutate(fs.readFileSync(path.join(src, file))));
  return dir;
}

// The previous model is still selected and still runs the forward pass.
async function assertStillUsable(page, prev) {
  const st = await page.evaluate(() => { window.attnlab.setText('Still here after a failed load.'); return window.attnlab.state(); });
  assert.equal(st.model.name, prev.model.name, 'the previous model stays selected');
  assert.equal(st.model_index, prev.model_index);
  assert.equal(st.models.length, prev.models.length, 'a failed load adds no model');
  assert.ok(st.ids.length > 0 && Array.isArray(st.row), 'the previous model still runs');
}

// ---- tests ---------------------------------------------------------------------------------------
test('file input: GPT-2-vocab checkpoint loads, is listed, and its attention rows match the CLI', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  const before = await page.evaluate(() => window.attnlab.state());
  const last = await loadViaInput(page, '#loader-files', FILES.map((f) => path.join(GPT2VOCAB, f)));
  assert.equal(last.ok, true, last.message);
  const st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.models.length, before.models.length + 1);
  assert.equal(st.model_index, st.models.length - 1, 'the new model is selected');
  assertModelIs(st.model, GPT2VOCAB);
  assert.deepEqual(st.models[st.model_index], st.model);
  assert.equal(st.models[0].name, before.models[0].name, 'the built-in model stays listed first');
  await assertRowsMatch(page, GPT2VOCAB, TEXT);

  // The switcher lists every model with its size; choosing one selects it in the engine.
  const options = await page.$$eval('#loader-model option', (os) => os.map((o) => o.textContent));
  assert.equal(options.length, st.models.length);
  assert.match(options.at(-1), /2×2 heads, d16, vocab 50257, [\d.]+M params/);
  await page.selectOption('#loader-model', '0');
  assert.equal(await page.evaluate(() => window.attnlab.state().model_index), 0);
  assert.equal(await page.locator('#loader-load').getAttribute('type'), 'button');
  assert.equal(await page.locator('label[for=loader-model]').textContent(), 'Model');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('folder input and switcher: a different model (tiny_f32) matches the CLI, switching back and forth', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  const last = await loadViaInput(page, '#loader-folder', TINY);
  assert.equal(last.ok, true, last.message);
  const st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.model.name, 'tiny_f32', 'named after its folder');
  assertModelIs(st.model, TINY);
  await assertRowsMatch(page, TINY, 'the cat sat');
  await page.selectOption('#loader-model', '0');
  await page.selectOption('#loader-model', String(st.model_index));
  await assertRowsMatch(page, TINY, 'the cat sat');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('drop: the four files dropped on the page load (drop hint shown while dragging)', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  const files = FILES.map((f) => ({ name: f, b64: fs.readFileSync(path.join(TINY, f)).toString('base64') }));
  const hint = await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
    document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
    const shown = !document.getElementById('loader-drop').hidden;
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    return shown;
  }, files);
  assert.ok(hint, 'drop hint visible while dragging files');
  const last = await waitLoad(page);
  assert.equal(last.ok, true, last.message);
  assert.ok(await page.locator('#loader-drop').isHidden());
  assertModelIs(await page.evaluate(() => window.attnlab.state().model), TINY);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('#model= URL on a second origin with CORS loads the same checkpoint, with matching rows', async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const pageUrl = srv.url;  // the page's own CSP lets it reach a loopback CORS host (last test)
  const modelUrl = `http://127.0.0.1:${fixSrv.address().port}/gpt2vocab_f16/`;
  await page.goto(pageUrl + '#model=' + encodeURIComponent(modelUrl));
  await page.evaluate(() => window.attnlab.ready);
  const last = await waitLoad(page);
  assert.equal(last.ok, true, last.message);
  const st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.model.name, 'gpt2vocab_f16');
  assert.equal(st.models.length, 2);
  assertModelIs(st.model, GPT2VOCAB);
  await assertRowsMatch(page, GPT2VOCAB, TEXT);

  // hashchange: a model URL without trailing slash, on a host without CORS, fails with the message.
  const prev = await page.evaluate(() => window.attnlab.state());
  await page.evaluate((u) => { location.hash = 'model=' + u; }, `http://127.0.0.1:${noCorsSrv.address().port}/tiny_f32`);
  await page.waitForFunction(() => window.attnlabLoader.last && !window.attnlabLoader.last.ok && !window.attnlabLoader.busy);
  const fail = await page.evaluate(() => window.attnlabLoader.last);
  assert.match(fail.message, /could not fetch http:\/\/127\.0\.0\.1:\d+\/tiny_f32\/config\.json: the host must allow cross-origin requests/i);
  assert.equal(await page.locator('#loader-msg').getAttribute('role'), 'alert');
  await assertStillUsable(page, prev);

  // Back to the loaded URL: selected again without a second download.
  const reqs = [];
  page.on('request', (r) => reqs.push(r.url()));
  await page.evaluate((u) => { location.hash = 'model=' + encodeURIComponent(u); }, modelUrl);
  await page.waitForFunction(() => window.attnlabLoader.last.ok && !window.attnlabLoader.busy);
  assert.equal(await page.evaluate(() => window.attnlab.state().model_index), 1);
  assert.deepEqual(reqs.filter((u) => u.includes('safetensors')), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('#model= relative URL (same origin) and a 404 folder', async () => {
  const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/models/index.json'), 'utf8'));
  const { page, log } = await openPage(browser.context, srv.url + '#model=' + index[0].path);
  const last = await waitLoad(page);
  assert.equal(last.ok, true, last.message);
  assert.equal(await page.evaluate(() => window.attnlab.state().models.length), 2);
  const prev = await page.evaluate(() => window.attnlab.state());
  await page.evaluate(() => { location.hash = 'model=models/no-such-model/'; });
  await page.waitForFunction(() => !window.attnlabLoader.last.ok && !window.attnlabLoader.busy);
  assert.match(await page.locator('#loader-msg').textContent(), /models\/no-such-model\/config\.json: HTTP 404/);
  await assertStillUsable(page, prev);
  assert.deepEqual(log.errors.filter((e) => !/404/.test(e)), []);
  await page.close();
});

test('corrupt, wrong and missing files give their message and keep the previous model', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  const prev = await page.evaluate(() => { window.attnlab.setText('A sentence before.'); return window.attnlab.state(); });

  const truncated = brokenCopy('truncated', GPT2VOCAB, 'model.safetensors', (b) => b.subarray(0, b.length >> 1));
  let last = await loadViaInput(page, '#loader-files', FILES.map((f) => path.join(truncated, f)));
  assert.equal(last.ok, false);
  assert.match(last.message, /^Could not load model from files: model\.safetensors: .*truncated file\?\) \(still using /);
  assert.match(await page.locator('#loader-msg').textContent(), /model\.safetensors/);
  await assertStillUsable(page, prev);

  const llama = brokenCopy('llama', GPT2VOCAB, 'config.json', (b) => {
    const c = JSON.parse(b); c.model_type = 'llama'; c.architectures = ['LlamaForCausalLM']; return JSON.stringify(c);
  });
  last = await loadViaInput(page, '#loader-files', FILES.map((f) => path.join(llama, f)));
  assert.equal(last.ok, false);
  assert.match(last.message, /unsupported model_type "llama" \(only "gpt2" is supported\)/);
  await assertStillUsable(page, prev);

  const badJson = brokenCopy('badjson', TINY, 'config.json', () => '{"n_layer": 2,');
  last = await loadViaInput(page, '#loader-folder', badJson);
  assert.match(last.message, /^config\.json is not valid JSON/);
  await assertStillUsable(page, prev);

  last = await loadViaInput(page, '#loader-files', ['config.json', 'model.safetensors', 'vocab.json'].map((f) => path.join(TINY, f)));
  assert.match(last.message, /^Missing merges\.txt\. A model needs the four files/);
  await assertStillUsable(page, prev);

  // Too large: a config whose F32 weights cannot fit in 4 GB (checked before anything is allocated).
  const huge = brokenCopy('huge', TINY, 'config.json', (b) => {
    const c = JSON.parse(b); c.n_layer = 48; c.n_embd = 4096; return JSON.stringify(c);
  });
  const bigFile = path.join(huge, 'model.safetensors');
  fs.truncateSync(bigFile, Math.round(2.2 * 1024 ** 3));        // sparse: 2.2 GB file + F32 weights > 4 GB
  last = await loadViaInput(page, '#loader-files', FILES.map((f) => path.join(huge, f)));
  fs.rmSync(bigFile);
  assert.match(last.message, /too large for this page: loading it needs about [\d.]+ GB/);
  await assertStillUsable(page, prev);

  assert.deepEqual(log.errors, []);
  await page.close();
});

test('web/index.html CSP lets #model= reach CORS hosts (https, and the loopback hosts the test above uses)', () => {
  for (const src of ["'self'", 'https:', 'http://127.0.0.1:*']) assert.ok(pageCsp().split(/\s+/).includes(src), pageCsp());
});
