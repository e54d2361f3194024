// The walkthrough: a #tour=N link opens step N with its view and the run's own numbers (checked against
// the CLI), the keyboard moves through the steps, embeds and phones show it; bad values get a notice; a first
// visit (no link) opens on the head that links "It" to its antecedent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch, serveDist, openPage, waitFrames, screenshotStats, ROOT } from './browser.mjs';

const TEXT = 'The dog chased the cat because it was hungry.';
const LINK = '#v=1&text=' + encodeURIComponent(TEXT);
let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

test('#tour=3 opens step 3 on the Math view; its numbers are the CLI\'s; N / B move through the steps', async () => {
  const { page, log } = await openPage(browser.context, srv.url + LINK + '&tour=3');
  await waitFrames(page, 3);
  let st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.tour, 3);
  assert.equal(st.view, 'math');
  assert.match(st.tour_title, /^Step 3 of 9/);
  const modelDir = path.join(ROOT, 'dist', 'models', st.model.name);
  const cli = JSON.parse(execFileSync(path.join(ROOT, 'build/native/attnlab'), ['run', '--model', modelDir, '--json', '--scores', TEXT],
                                      { maxBuffer: 1 << 26 }).toString());
  // the focus: the strongest link from the last token to an earlier word (not itself, not the first token)
  const q = cli.ids.length - 1;
  let best = { w: -1 };
  cli.attention.forEach((layer, l) => layer.forEach((head, h) => { for (let k = 1; k < q; k++) if (head[q][k] > best.w) best = { l, h, k, w: head[q][k] }; }));
  assert.equal(st.layer, best.l); assert.equal(st.head, best.h); assert.equal(st.token, q);
  const dot = cli.scores[best.l][best.h][q][best.k] * Math.sqrt(cli.config.n_embd / cli.config.n_head);
  assert.ok(st.tour_text.includes(dot.toFixed(2)), `step 3 names Q·K ${dot.toFixed(2)}: ${st.tour_text}`);
  await page.locator('#canvas').focus();
  await page.keyboard.press('n');
  await waitFrames(page, 2);
  st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.tour, 4);
  assert.ok(st.tour_text.includes(best.w.toFixed(2)), `step 4 names the weight ${best.w.toFixed(2)}: ${st.tour_text}`);
  await page.keyboard.press('PageDown'); await page.keyboard.press('PageDown');
  await waitFrames(page, 2);
  assert.equal((await page.evaluate(() => window.attnlab.state())).view, 'model');  // step 6
  await page.keyboard.press('b');
  await waitFrames(page, 2);
  st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.tour, 5);
  await page.waitForFunction(() => location.hash.includes('tour=5'));
  await screenshotStats(page, 'tour-step5.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the tour in an embed and on a phone; a bad tour value gets a notice', async () => {
  const { page, log } = await openPage(browser.context, srv.url + '?embed=1' + LINK + '&tour=8', { viewport: { width: 390, height: 844 } });
  await waitFrames(page, 3);
  const st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.tour, 8);
  assert.equal(st.view, 'context');
  assert.ok(st.tour_text.includes(`${st.ids.length} tokens of its ${st.model.n_positions}-token window`), st.tour_text);
  const shot = await screenshotStats(page, 'tour-phone-embed.png');
  assert.ok(shot.variance > 100);
  const { page: bad, log: log2 } = await openPage(browser.context, srv.url + LINK + '&tour=12');
  await waitFrames(bad, 2);
  assert.equal((await bad.evaluate(() => window.attnlab.state())).tour, 0);
  assert.match(await bad.evaluate(() => document.getElementById('notice').textContent), /tour/);
  assert.deepEqual([...log.errors, ...log2.errors], []);
  await page.close(); await bad.close();
});

test('a first visit opens on the head that links "It" to its antecedent, with a hint that the first edit removes', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  await waitFrames(page, 3);
  const st = await page.evaluate(() => window.attnlab.state());
  const it = st.tokens.findIndex((t) => t.text.trim() === 'It');
  assert.ok(it > 0, 'the default sentence has "It"');
  assert.equal(st.token, it);
  assert.equal(st.view, 'matrix');
  assert.match(st.hint, /Tour/);
  const cli = JSON.parse(execFileSync(path.join(ROOT, 'build/native/attnlab'),
    ['run', '--model', path.join(ROOT, 'dist', 'models', st.model.name), '--json', st.text], { maxBuffer: 1 << 26 }).toString());
  const words = st.tokens.map((t, k) => k).filter((k) => k > 0 && k < it - 1 && /^[A-Za-z]{3,}$/.test(st.tokens[k].text.trim()));
  let best = { w: -1 };
  cli.attention.forEach((layer, l) => layer.forEach((head, h) => { for (const k of words) if (head[it][k] > best.w) best = { l, h, k, w: head[it][k] }; }));
  assert.deepEqual([st.layer, st.head], [best.l, best.h]);
  assert.ok(Math.abs(st.row[best.k] - best.w) < 1e-5, `"It" -> "${st.tokens[best.k].text.trim()}" ${best.w.toFixed(3)}`);
  await page.evaluate(() => window.attnlab.setText('A new sentence.'));
  const after = await page.evaluate(() => window.attnlab.state());
  assert.equal(after.hint, '');
  assert.equal(after.locked, -1);
  assert.deepEqual(log.errors, []);
  await page.close();
});
