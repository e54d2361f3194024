// The built-in model's weights travel byte-planar (model.planes.safetensors, written by scripts/build;
// src/model/safetensors.h): the default page fetches that file and not model.safetensors, and the
// engine ends up with exactly the weights of the plain file. A planar file picked with "Load model…"
// loads too; a corrupt one gets the engine's message and leaves the page usable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, serveDist, openPage, ROOT } from './browser.mjs';

const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/models/index.json'), 'utf8'));
const DIR = path.join(ROOT, 'dist', index[0].path);

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

async function loadFiles(page, files) {
  const before = JSON.stringify(await page.evaluate(() => window.attnlabLoader.last));
  await page.setInputFiles('#loader-files', files);
  await page.waitForFunction((b) => JSON.stringify(window.attnlabLoader.last) !== b && !window.attnlabLoader.busy,
    before, { timeout: 60000 });
  return page.evaluate(() => window.attnlabLoader.last);
}

test('the default page fetches the planar weights and gets the plain file\'s weights bit for bit', async () => {
  assert.equal(index[0].weights, 'model.planes.safetensors');
  assert.ok(fs.statSync(path.join(DIR, 'model.planes.safetensors')).size > 1e6);
  const { page, log } = await openPage(browser.context, srv.url);
  const weights = log.requests.filter((u) => u.includes('.safetensors')).map((u) => new URL(u).pathname);
  assert.deepEqual(weights, ['/' + index[0].path + 'model.planes.safetensors']);
  const builtin = await page.evaluate(() => window.attnlab.weightsDigest());

  // the plain file of the same folder, through #model='s path: a second model, the same weights
  assert.equal(await page.evaluate((p) => window.attnlabLoader.loadUrl(p), index[0].path), true);
  assert.equal(await page.evaluate(() => window.attnlab.state().model_index), 1);
  assert.ok(log.requests.some((u) => u.endsWith('/' + index[0].path + 'model.safetensors')));
  assert.equal(await page.evaluate(() => window.attnlab.weightsDigest()), builtin);

  // a folder holding only the planar file, picked with "Load model…"
  let last = await loadFiles(page, ['config.json', 'model.planes.safetensors', 'vocab.json', 'merges.txt']
    .map((f) => path.join(DIR, f)));
  assert.equal(last.ok, true, last.message);
  assert.equal(await page.evaluate(() => window.attnlab.state().model_index), 2);
  assert.equal(await page.evaluate(() => window.attnlab.weightsDigest()), builtin);

  // a cut planar file: the engine's message, the previous model still selected
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnlab-planes-'));
  for (const f of ['config.json', 'vocab.json', 'merges.txt']) fs.copyFileSync(path.join(DIR, f), path.join(tmp, f));
  const planar = fs.readFileSync(path.join(DIR, 'model.planes.safetensors'));
  fs.writeFileSync(path.join(tmp, 'model.planes.safetensors'), planar.subarray(0, planar.length - 1000));
  last = await loadFiles(page, ['config.json', 'model.planes.safetensors', 'vocab.json', 'merges.txt']
    .map((f) => path.join(tmp, f)));
  assert.equal(last.ok, false);
  assert.match(last.message, /planar safetensors: tensor '.*': data_offsets .* outside the file/);
  assert.equal(await page.evaluate(() => window.attnlab.state().model_index), 2);
  assert.equal(await page.evaluate(() => window.attnlab.weightsDigest()), builtin);
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(log.errors, []);
  await page.close();
});
