// Honest colour: the palette, scale and values link keys change what the Matrix view draws (checked
// against the CLI's numbers and the palette's own colours), the legend states the scale, and a
// simulated colour-vision deficiency still separates the ends of each map.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch, serveDist, openPage, waitFrames, screenshotStats, ROOT } from './browser.mjs';

const TEXT = 'I saw a dog and a cat. It was barking.';
const BASE = `#v=1&text=${encodeURIComponent(TEXT)}&view=matrix&layer=1&head=1&token=8`;
let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

const cells = (svg) => [...svg.matchAll(/<rect class="cell" data-i="(\d+)" data-j="(\d+)"[^>]*fill="(#[0-9a-f]{6})"/g)]
  .map((m) => ({ i: +m[1], j: +m[2], fill: m[3] }));

test('values=scores draws the CLI\'s pre-softmax scores on a diverging map with its legend', async () => {
  const { page, log } = await openPage(browser.context, srv.url + BASE + '&values=scores');
  await waitFrames(page, 3);
  const st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.values, 'scores');
  const svg = await page.evaluate(() => window.attnlab.exportSvg());
  assert.match(svg, /scores before softmax/);
  assert.match(svg, /blue below 0, red above/);
  const cli = JSON.parse(execFileSync(path.join(ROOT, 'build/native/attnlab'),
    ['run', '--model', path.join(ROOT, 'dist', 'models', st.model.name), '--json', '--scores', TEXT], { maxBuffer: 1 << 26 }).toString());
  const sc = cli.scores[1][1];
  const printed = [...svg.matchAll(/<text[^>]*class="value" data-i="(\d+)" data-j="(\d+)"[^>]*>(-?\d+\.\d\d)</g)];  // the matrix (the row table prints 3 decimals)
  assert.ok(printed.length >= 40, `${printed.length} printed scores`);
  for (const [, i, j, v] of printed) assert.equal(v, sc[+i][+j].toFixed(2), `score ${i},${j}`);
  const shot = await screenshotStats(page, 'colour-scores.png');
  assert.ok(shot.variance > 200, 'the scores map is drawn');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('palette and per-row scale: the cells take the palette\'s colours; the link round-trips; a deuteranope still sees the scale', async () => {
  const { page, log } = await openPage(browser.context, srv.url + BASE);
  await waitFrames(page, 3);
  const plain = cells(await page.evaluate(() => window.attnlab.exportSvg()));
  await page.evaluate(() => window.attnlab.apply({ palette: 'gray', scale: 'row' }));
  await waitFrames(page, 3);
  const svg = await page.evaluate(() => window.attnlab.exportSvg());
  const gray = cells(svg);
  assert.equal(gray.length, plain.length);
  for (const c of gray) { const [r, g, b] = [1, 3, 5].map((k) => parseInt(c.fill.slice(k, k + 2), 16)); assert.ok(r === g && g === b, c.fill); }
  assert.match(svg, /each row scaled to its own largest/);
  // per row: every row's largest weight has the darkest (light theme) colour
  const rowMax = new Map();
  for (const c of gray) { const l = parseInt(c.fill.slice(1, 3), 16); rowMax.set(c.i, Math.min(rowMax.get(c.i) ?? 255, l)); }
  assert.ok([...rowMax.values()].every((l) => l === [...rowMax.values()][0]), 'the same top colour in every row');
  await page.waitForFunction(() => location.hash.includes('palette=gray') && location.hash.includes('scale=row'));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setEmulatedVisionDeficiency', { type: 'deuteranopia' });
  await page.evaluate(() => window.attnlab.apply({ palette: 'default', scale: 'global' }));
  await waitFrames(page, 3);
  const stats = await screenshotStats(page, 'colour-deuteranopia.png');
  assert.ok(stats.variance > 200, 'the map keeps its contrast under simulated deuteranopia');
  await cdp.send('Emulation.setEmulatedVisionDeficiency', { type: 'none' });
  const { page: bad, log: log2 } = await openPage(browser.context, srv.url + BASE + '&palette=rainbow&scale=log&values=x');
  await waitFrames(bad, 2);
  const notice = await bad.evaluate(() => document.getElementById('notice').textContent);
  for (const k of ['palette', 'scale', 'values']) assert.match(notice, new RegExp(k));
  assert.deepEqual([...log.errors, ...log2.errors], []);
  await page.close(); await bad.close();
});
