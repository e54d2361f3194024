// Teach (issue 19): the built-in model learns a sentence in the page. The loss falls and equals the
// native trainer's (`attnlab teach`) to a stated precision, the taught token's probability rises at the
// prompt, the embedding keeps its width while its values move, Reset restores the original exactly,
// the share link re-teaches the same weights, and the downloaded folder loads back to the same model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch, serveDist, openPage, waitFrames, screenshotStats, ROOT } from './browser.mjs';
import { MODEL_DIR } from './viewcheck.mjs';

const PROMPT = 'My pet is a blicket. I love my';
const TAUGHT = 'My pet is a blicket. I love my blicket.';
const OPTS = { text: TAUGHT, steps: 30, learning_rate: 1e-4, seed: 3 };

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

const state = (page) => page.evaluate(() => window.attnlab.state());
const cli = JSON.parse(execFileSync(path.join(ROOT, 'build/native/attnlab'), ['teach', '--model', MODEL_DIR, '--steps', '30',
  '--lr', '0.0001', '--seed', '3', '--json', TAUGHT]).toString());
const svgStrip = async (page, strip) => (await page.evaluate(() => window.attnlab.exportSvg()))
  .match(new RegExp(`class="component"[^>]*data-i="${strip}"`, 'g'))?.length ?? 0;

test('teaching 30 steps: the loss falls as natively, the taught token rises, the width stays, Reset restores', async () => {
  const { page, log } = await openPage(browser.context, srv.url + '#v=1&view=predict&text=' + encodeURIComponent(PROMPT));
  const before = await state(page);
  const digestBefore = await page.evaluate(() => window.attnlab.weightsDigest());
  const bl = cli.ids[4];  // " bl", the made-up word's first token
  const pBefore = before.top.find((t) => t.id === bl)?.p ?? 0;
  const { losses } = await page.evaluate((o) => window.attnlab.finetune(o), OPTS);
  assert.equal(losses.length, 30);
  assert.ok(losses[29] < 0.2 * losses[0], `loss ${losses[0]} -> ${losses[29]}`);
  // the page's WASM trainer and the native one: the same steps, equal to float rounding
  const rel = Math.max(...losses.map((l, i) => Math.abs(l - cli.losses[i]) / Math.max(cli.losses[i], 1e-3)));
  console.log(`# WASM vs native losses: largest relative difference ${rel.toExponential(2)} over 30 steps`);
  assert.ok(rel < 1e-3, `WASM vs native: ${rel}`);
  await waitFrames(page, 3);
  const st = await state(page);
  assert.equal(st.modified, true);
  assert.equal(st.teach.done, 30);
  const top = st.top.find((t) => t.id === bl);
  assert.ok(top && top.p > 0.5 && top.p > top.p_before + 0.4, `p(" bl") ${top?.p_before} -> ${top?.p}`);
  // Predict's "was" is the original model's probability (in the top 10 before, or below its last)
  assert.ok(pBefore ? Math.abs(top.p_before - pBefore) < 1e-6 : top.p_before <= before.top.at(-1).p, 'p_before');
  await screenshotStats(page, 'teach-predict.png');
  // Embed: the taught token's row before and after, the same width, other values
  await page.evaluate((t) => window.attnlab.apply({ view: 'embed', token: t }), 4);
  await waitFrames(page, 3);
  assert.equal(await svgStrip(page, 0), st.model.n_embd, 'the embedding after teaching: d_model numbers');
  assert.equal(await svgStrip(page, 1000), st.model.n_embd, 'before teaching: the same width');
  assert.match(await page.evaluate(() => window.attnlab.exportSvg()), /the values moved by 0\.\d*[1-9]/);
  await screenshotStats(page, 'teach-embed.png');
  // Reset: the original weights, bit for bit
  assert.notEqual(await page.evaluate(() => window.attnlab.weightsDigest()), digestBefore);
  await page.evaluate(() => window.attnlab.resetModel());
  const reset = await state(page);
  assert.equal(reset.modified, false);
  assert.equal(await page.evaluate(() => window.attnlab.weightsDigest()), digestBefore);
  assert.deepEqual(reset.top.map((t) => t.id), before.top.map((t) => t.id));
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the share link re-teaches the same weights; the downloaded folder loads back to the same model', async () => {
  const { page, log } = await openPage(browser.context, srv.url + '#v=1&view=predict&text=' + encodeURIComponent(PROMPT));
  const { losses } = await page.evaluate((o) => window.attnlab.finetune(o), OPTS);
  await waitFrames(page, 2);
  const taught = await page.evaluate(() => window.attnlab.weightsDigest());
  const url = await page.evaluate(() => window.attnlab.shareUrl());
  assert.match(url, /teach=My%20pet%20is%20a%20blicket/);
  assert.match(url, /steps=30/);
  assert.match(url, /lr=9\.99999975e-05/);
  assert.match(url, /seed=3/);
  // the downloaded zip: the four files; unzipped and loaded, the same model
  const zip = Buffer.from(await page.evaluate(async () => {
    const b = new Uint8Array(await window.attnlab.downloadModel(false).arrayBuffer());
    let s = '';
    for (let i = 0; i < b.length; i += 32768) s += String.fromCharCode(...b.subarray(i, i + 32768));
    return btoa(s);
  }), 'base64');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'taught-'));
  fs.writeFileSync(path.join(tmp, 'm.zip'), zip);
  execFileSync('/usr/bin/python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; ' +
    'z.extractall(sys.argv[2])', path.join(tmp, 'm.zip'), tmp]);
  const dir = path.join(tmp, (await page.evaluate(() => window.attnlab.state().model.name)) + '-taught');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['config.json', 'merges.txt', 'model.safetensors', 'vocab.json']);
  const files = fs.readdirSync(dir).map((f) => ({ name: f, mimeType: 'application/octet-stream', buffer: fs.readFileSync(path.join(dir, f)) }));
  await page.setInputFiles('#loader-files', files);
  await page.waitForFunction(() => window.attnlabLoader.last?.ok && window.attnlab.state().models.length === 2);
  await waitFrames(page, 2);
  assert.equal(await page.evaluate(() => window.attnlab.weightsDigest()), taught, 'the loaded folder has the taught weights');
  fs.rmSync(tmp, { recursive: true });
  assert.deepEqual(log.errors, []);
  await page.close();

  const again = await openPage(browser.context, url);
  await again.page.waitForFunction(() => window.attnlab.state().teach.done === 30 && !window.attnlab.state().teach.running);
  await waitFrames(again.page, 2);
  assert.deepEqual((await state(again.page)).teach.losses, losses, 'the same losses');
  assert.equal(await again.page.evaluate(() => window.attnlab.weightsDigest()), taught, 'the same taught weights, bit for bit');
  assert.deepEqual(again.log.errors, []);
  await again.page.close();
});

test('teaching says what it cannot do, and the page stays usable', async () => {
  const { page, log } = await openPage(browser.context, srv.url + '#v=1&text=' + encodeURIComponent(PROMPT));
  await assert.rejects(page.evaluate(() => window.attnlab.finetune({ text: 'a' })), /two tokens/);
  await assert.rejects(page.evaluate(() => window.attnlab.finetune({ part: 'layer:9' })), /ignored part|layer/);
  const notice = (await openPage(browser.context, srv.url + '#v=1&text=hi&teach=x&steps=0&lr=7')).page;
  await waitFrames(notice, 3);
  assert.match(await notice.textContent('#notice'), /steps|lr/);
  assert.equal((await state(notice)).modified, false);
  await notice.close();
  assert.deepEqual(log.errors, []);
  await page.close();
});
