// The keystroke path in the page: typing at the end of a long text re-tokenizes only its end and
// recomputes only the new token(s); the result equals a full run of the same text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serveDist, openPage } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

const BASE = 'The dog chased the cat across the garden because it was hungry, and the cat ran up a tree. ' +
  'When the rain started, everyone took an umbrella and went inside to wait for the storm to pass. ' +
  'Later the sun came out again and the children played in the park until it was dark. ' +
  'The old man sat on the bench and read his newspaper while the dog slept at his feet, and a bird sang ' +
  'in the tall tree behind them';

test('typing at the end of a 100-token text reuses the prefix and equals a full run', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  await page.evaluate((t) => window.attnlab.setText(t), BASE);
  const base = await page.evaluate(() => window.attnlab.state());
  assert.ok(base.ids.length >= 95 && base.ids.length <= 110, `${base.ids.length} tokens`);

  // Real typing into the text field, one character at a time.
  await page.focus('#text');
  await page.keyboard.press('End');
  const times = [];
  for (const ch of '. It was late') {
    await page.keyboard.type(ch);
    const st = await page.evaluate(() => window.attnlab.state());
    assert.ok(st.tokens_reused >= st.ids.length - 3,
      `after '${ch}': ${st.tokens_reused} of ${st.ids.length} tokens reused`);
    assert.ok(st.tokens_kept >= st.ids.length - 4, `after '${ch}': ${st.tokens_kept} tokens kept by the tokenizer`);
    times.push(st.run_ms);
  }
  times.sort((a, b) => a - b);
  console.log(`# keystroke at T≈${base.ids.length + 4}: median run ${times[times.length >> 1].toFixed(2)} ms ` +
    `(min ${times[0].toFixed(2)}, max ${times[times.length - 1].toFixed(2)})`);

  // The same text from scratch (empty text first: nothing to reuse) gives the same capture.
  const incremental = JSON.parse(await page.evaluate(() => window.attnlab.exportJson(true)));
  const typed = await page.evaluate(() => window.attnlab.state());
  assert.equal(typed.text, BASE + '. It was late');
  await page.evaluate(() => window.attnlab.setText(''));
  await page.evaluate((t) => window.attnlab.setText(t), typed.text);
  const full = await page.evaluate(() => window.attnlab.state());
  assert.equal(full.tokens_reused, 0);
  const fresh = JSON.parse(await page.evaluate(() => window.attnlab.exportJson(true)));
  assert.deepEqual(incremental.ids, fresh.ids);
  let maxDiff = 0;
  fresh.attention.forEach((layer, l) => layer.forEach((head, h) => head.forEach((row, q) => row.forEach((w, k) => {
    maxDiff = Math.max(maxDiff, Math.abs(w - incremental.attention[l][h][q][k]));
  }))));
  assert.ok(maxDiff < 1e-5, `attention max diff ${maxDiff}`);
  const logitDiff = Math.max(...fresh.logits.map((z, i) => Math.abs(z - incremental.logits[i])));
  assert.ok(logitDiff < 1e-3, `logits max diff ${logitDiff}`);
  assert.deepEqual(incremental.top.map((t) => t.id), fresh.top.map((t) => t.id));

  // An edit in the middle re-runs from there; backspace at the end keeps the rest.
  await page.evaluate((t) => window.attnlab.setText(t.replace('garden', 'yard')), typed.text);
  const mid = await page.evaluate(() => window.attnlab.state());
  assert.ok(mid.tokens_reused > 0 && mid.tokens_reused < 20, `middle edit reused ${mid.tokens_reused}`);
  // (setText put the whole text in the field with the caret at its end; the field still has the focus)
  await page.keyboard.press('Backspace');
  const back = await page.evaluate(() => window.attnlab.state());
  assert.equal(back.text, mid.text.slice(0, -1), 'backspace removed the last character');
  assert.ok(back.tokens_reused >= back.ids.length - 3 && back.tokens_reused > mid.tokens_reused,
    `backspace at the end reused ${back.tokens_reused} of ${back.ids.length} tokens`);
  await page.evaluate(() => window.attnlab.setText(''));
  await page.evaluate((t) => window.attnlab.setText(t), back.text);
  const backFull = await page.evaluate(() => window.attnlab.state());
  assert.deepEqual(back.ids, backFull.ids, 'the same tokens as a full run');
  assert.equal(back.row.length, backFull.row.length);
  const rowDiff = Math.max(...back.row.map((w, k) => Math.abs(w - backFull.row[k])));
  assert.ok(rowDiff < 1e-5, `and the same attention row (max diff ${rowDiff})`);
  assert.deepEqual(log.errors, []);
});
