// The "F16 weights" opt-in of the model loader: off by default (exact F32); ticked, the next model
// keeps its weight matrices as F16 (half the memory) and still matches the native CLI: exactly for an
// F16 file, within F16 precision for an F32 file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch, serveDist, openPage, ROOT } from './browser.mjs';

const FIX = path.join(ROOT, 'build/fixtures/model');
const CLI = path.join(ROOT, 'build/native/attnlab');
const FILES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'];
const TEXT = 'I saw a dog and a cat. It was barking.';

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

async function load(page, dir, f16) {
  await page.setChecked('#loader-f16', f16);
  const before = await page.evaluate(() => JSON.stringify(window.attnlabLoader.last));
  await page.setInputFiles('#loader-files', FILES.map((f) => path.join(dir, f)));
  await page.waitForFunction((b) => JSON.stringify(window.attnlabLoader.last) !== b && !window.attnlabLoader.busy,
    before, { timeout: 60000 });
  const last = await page.evaluate(() => window.attnlabLoader.last);
  assert.ok(last.ok, last.message);
  await page.evaluate((t) => window.attnlab.setText(t), TEXT);
  return page.evaluate(() => window.attnlab.state());
}

// Largest difference between the page's attention (every layer, head, query) and the CLI's.
async function maxDiffToCli(page, dir) {
  const cli = JSON.parse(execFileSync(CLI, ['run', '--model', dir, '--json', TEXT], { maxBuffer: 64 << 20 }).toString());
  const got = JSON.parse(await page.evaluate(() => window.attnlab.exportJson(true)));
  assert.deepEqual(got.ids, cli.ids);
  let d = 0;
  cli.attention.forEach((layer, l) => layer.forEach((head, h) => head.forEach((row, q) => row.forEach((w, k) => {
    d = Math.max(d, Math.abs(w - got.attention[l][h][q][k]));
  }))));
  return d;
}

test('F16 weights: off by default, half the memory when ticked, same attention as the CLI', async () => {
  for (const p of [CLI, path.join(FIX, 'gpt2vocab_f16')]) assert.ok(fs.existsSync(p), `${p} missing`);
  const { page, log } = await openPage(browser.context, srv.url);
  assert.equal(await page.isChecked('#loader-f16'), false);

  const exact = await load(page, path.join(FIX, 'gpt2vocab_f16'), false);
  assert.equal(exact.model.weights, 'F32');
  const half = await load(page, path.join(FIX, 'gpt2vocab_f16'), true);
  assert.equal(half.model.weights, 'F16');
  assert.equal(half.model.file_dtype, 'F16');
  assert.ok(half.model.weight_bytes < 0.55 * exact.model.weight_bytes,
    `${half.model.weight_bytes} vs ${exact.model.weight_bytes} bytes`);
  assert.match(await page.locator('#loader-model option:checked').textContent(), /F16 in memory/);
  // An F16 file keeps its exact values: the same numbers as the CLI's F32 run.
  const dExact = await maxDiffToCli(page, path.join(FIX, 'gpt2vocab_f16'));
  assert.ok(dExact < 1e-5, `F16 file kept as F16: attention max diff ${dExact}`);

  // An F32 file rounded to F16: close, not equal.
  const rounded = await load(page, path.join(FIX, 'tiny_f32'), true);
  assert.equal(rounded.model.weights, 'F16');
  assert.equal(rounded.model.file_dtype, 'F32');
  const dRounded = await maxDiffToCli(page, path.join(FIX, 'tiny_f32'));
  assert.ok(dRounded > 0 && dRounded < 5e-3, `F32 file kept as F16: attention max diff ${dRounded}`);
  console.log(`# F16 in memory: ${half.model.weight_bytes} vs ${exact.model.weight_bytes} bytes; ` +
    `attention vs CLI: F16 file ${dExact.toExponential(1)}, F32 file ${dRounded.toExponential(1)}`);

  // The embed view reads wte through the F16 layout too.
  await page.evaluate(() => window.attnlab.apply({ view: 'embed' }));
  await page.waitForTimeout(300);
  assert.deepEqual(log.errors, []);
});
