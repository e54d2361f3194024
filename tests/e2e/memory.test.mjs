// The Memory view (issue 17): the page loads its LSTM and the transformer trained with the same tokens,
// both models' influence equals the CLI's (tests/e2e/viewcheck.mjs), the share link and an embed reopen
// the same numbers, edits restart the computation, and an LSTM folder loads through the model loader.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, serveDist, openPage, waitFrames, screenshotStats } from './browser.mjs';
import { checkView } from './viewcheck.mjs';

const TEXT = 'Anna lent Ben her red umbrella because it was raining. Later that week, Ben gave the umbrella back to';

// The transformer the view compares: the default model when it reads the LSTM's tokens, else the LSTM's pair.
const DIST = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../dist/models');
const INDEX = JSON.parse(fs.readFileSync(path.join(DIST, 'index.json'), 'utf8'));
const LSTM = INDEX.find((e) => e.type === 'lstm');
const sameTokens = (a, b) => ['vocab.json', 'merges.txt'].every((f) =>
  fs.readFileSync(path.join(DIST, a, f)).equals(fs.readFileSync(path.join(DIST, b, f))));
const PAIRED = sameTokens(INDEX[0].name, LSTM.name) ? INDEX[0].name : LSTM.pair;

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

const state = (page) => page.evaluate(() => window.attnlab.state());
async function memoryDone(page) {
  for (let i = 0; i < 400; i++) {
    const st = await state(page);
    if (st.memory?.done) return st;
    await waitFrames(page, 2);
  }
  assert.fail('the Memory view did not finish: ' + (await state(page)).memory?.status);
}

test('a memory link loads both models, matches the CLI, and its share link reopens the same numbers', async () => {
  const { page, log } = await openPage(browser.context, srv.url + '#v=1&view=memory&text=' + encodeURIComponent(TEXT));
  const st = await checkView(page, await memoryDone(page));
  assert.equal(st.view, 'memory');
  assert.equal(st.memory.lstm_model, LSTM.name);
  assert.equal(st.memory.transformer_model, PAIRED, 'the default model, or the transformer trained with the LSTM\'s tokens');
  assert.equal(st.memory.position, st.ids.length - 1);
  assert.equal(st.memory.transformer.length, st.ids.length);
  assert.equal(st.memory.by_distance.lstm.length, st.ids.length);
  assert.equal(st.memory.cell_norm.length, st.lstm.num_layers);
  await screenshotStats(page, 'view-memory.png');
  // the screen-reader mirror: both models' influence per token
  await page.waitForFunction(() => /Influence of each token/.test(document.querySelector('#a11y caption')?.textContent || ''));
  const mirror = await page.$$eval('#a11y tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(mirror.length, st.ids.length + 1);
  assert.equal(+mirror[1][2], +st.memory.lstm[0].toFixed(4));
  const url = await page.evaluate(() => window.attnlab.shareUrl());
  assert.match(url, /view=memory/);
  if (PAIRED !== INDEX[0].name)
    assert.match(url, new RegExp(`model=models%2F${PAIRED}%2F`), 'the link names the transformer it compared');
  assert.deepEqual(log.errors, []);

  const again = await openPage(browser.context, url);
  const st2 = await memoryDone(again.page);
  assert.equal(st2.text, TEXT);
  for (const k of ['transformer', 'lstm', 'rollout']) assert.deepEqual(st2.memory[k], st.memory[k], k);
  assert.deepEqual(again.log.errors, []);
  await page.close();
  await again.page.close();
});

test('selecting a token explains its prediction; edits restart the computation; bad input stays usable', async () => {
  const { page, log } = await openPage(browser.context, srv.url + '#v=1&view=memory&text=' + encodeURIComponent(TEXT));
  await memoryDone(page);
  await page.evaluate(() => window.attnlab.apply({ token: 5 }));
  let st = await checkView(page, await state(page));
  assert.equal(st.memory.position, 5);
  assert.equal(st.memory.lstm.length, 6);
  await page.evaluate(() => window.attnlab.apply({ token: -1 }));
  // a new text while computing: the numbers are for the new text once done
  await page.evaluate((t) => window.attnlab.setText(t), TEXT + ' her.');
  st = await state(page);
  assert.equal(st.memory.done, false);
  st = await memoryDone(page);
  assert.equal(st.memory.transformer.length, st.ids.length);
  for (const t of ['', '🙂 \uD800 é', 'x'.repeat(3000)]) {
    await page.evaluate((s) => window.attnlab.setText(s), t);
    await waitFrames(page, 4);
    st = await state(page);
    if (t === '') assert.ok(!st.memory.done && st.memory.transformer.length === 0, 'no numbers for an empty text');
  }
  // the long text: cut to the transformer's window, and its computation under way (a full window takes
  // seconds: bench/memory_page.mjs)
  assert.equal(st.ids.length, 256);
  await page.waitForFunction(() => window.attnlab.state().memory.progress > 0);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('in an embed, and an LSTM folder loaded through the loader opens the Memory view', async () => {
  const embed = await openPage(browser.context, srv.url + '?embed=1#v=1&view=memory&text=' + encodeURIComponent('I have a dog. It'));
  const st = await memoryDone(embed.page);
  assert.equal(st.memory.transformer.length, st.ids.length);
  assert.deepEqual(embed.log.errors, []);
  await embed.page.close();

  // tiny-en-1m reads other tokens than the LSTM: the view then loads the transformer that shares them
  const { page, log } = await openPage(browser.context, srv.url + '#v=1&view=matrix&text=' + encodeURIComponent('I have a dog.') +
    '&model=' + encodeURIComponent('models/tiny-en-1m/'));
  await page.waitForFunction(() => window.attnlab?.state()?.model?.name === 'tiny-en-1m');
  // read at once: the view then asks for its transformer, and that load replaces the message
  const { ok, after, msg } = await page.evaluate(async (u) => ({ ok: await window.attnlabLoader.loadUrl(u),
    after: window.attnlab.state(), msg: document.getElementById('loader-msg').textContent }), LSTM.path);
  assert.ok(ok);
  assert.equal(after.view, 'memory');
  assert.equal(after.lstm.name, LSTM.name);
  assert.match(msg, new RegExp(`Loaded the LSTM ${LSTM.name}`));
  assert.equal(after.model.name, 'tiny-en-1m', 'the selected transformer stays until the view asks for the pair');
  const done = await memoryDone(page);  // the view then loads the transformer trained with the LSTM's tokens
  assert.equal(done.memory.transformer_model, LSTM.pair);
  assert.deepEqual(log.errors, []);
  await page.close();
});
