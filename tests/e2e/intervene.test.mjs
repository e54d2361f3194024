// Intervene mode in the page: ablations and knock-outs give the native CLI's numbers, patching gives the
// CLI's single-head patched runs, share links carry every intervention exactly (postMessage: share.test.mjs),
// bad values get a notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch, serveDist, openPage, waitFrames, screenshotStats, ROOT } from './browser.mjs';

const CLI = path.join(ROOT, 'build/native/attnlab');
const TEXT = 'The dog chased the cat because it was hungry.';
const SOURCE = 'The cat chased the dog because it was hungry.';  // the same token count: a patching source

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

function cliRun(modelDir, args, text = TEXT) {
  return JSON.parse(execFileSync(CLI, ['run', '--model', modelDir, '--json', ...args, text], { maxBuffer: 1 << 28 }).toString());
}

function maxAttentionDiff(a, b) {
  let d = 0;
  a.forEach((layer, l) => layer.forEach((head, h) => head.forEach((row, q) => row.forEach((w, k) => {
    d = Math.max(d, Math.abs(w - b[l][h][q][k]));
  }))));
  return d;
}

test('ablating heads and cutting edges in the page equals the CLI on the same model', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  await page.evaluate((t) => window.attnlab.setText(t), TEXT);
  const modelDir = path.join(ROOT, 'dist', 'models', (await page.evaluate(() => window.attnlab.state())).model.name);
  const cases = [
    { set: { intervene: 1, ablate: '1.1,2.3' }, args: ['--ablate', '1.1,2.3'], key: 'ablate=zero:1.1,2.3' },
    { set: { ablate: '0.2', ablate_mode: 'mean', knockout: '' }, args: ['--ablate', '0.2', '--ablate-mode', 'mean'], key: 'ablate=mean:0.2' },
    { set: { ablate: '', knockout: '2.1:10:1,3.0:10:0' }, args: ['--knockout', '2.1:10:1,3.0:10:0'], key: 'knockout=2.1:10:1,3.0:10:0' },
  ];
  const plain = cliRun(modelDir, []);
  for (const c of cases) {
    assert.equal(await page.evaluate((s) => window.attnlab.apply(s), c.set), '', JSON.stringify(c.set));
    const st = await page.evaluate(() => window.attnlab.state());
    assert.equal(st.interventions, c.key);
    const exported = JSON.parse(await page.evaluate(() => window.attnlab.exportJson(true)));
    const cli = cliRun(modelDir, c.args);
    assert.equal(exported.interventions, cli.interventions, 'the export records the interventions as the CLI does');
    assert.ok(maxAttentionDiff(cli.attention, exported.attention) < 1e-5, c.key);
    const rel = Math.max(...cli.logits.map((x, i) => Math.abs(x - exported.logits[i]) / Math.max(1, Math.abs(x))));
    assert.ok(rel < 1e-4, `${c.key}: logits max rel diff ${rel}`);
    assert.ok(Math.max(...cli.logits.map((x, i) => Math.abs(x - plain.logits[i]))) > 1e-3, `${c.key} changes the logits`);
    // the effects panel's "before" is the plain run, its next-token changes the two distributions'
    assert.ok(st.effects, 'effects while intervening');
    const soft = (z) => { const m = Math.max(...z), e = z.map((x) => Math.exp(x - m)), s = e.reduce((a, b) => a + b); return e.map((x) => x / s); };
    const pb = soft(plain.logits), pa = soft(cli.logits);
    for (const ch of st.effects.changes) {
      assert.ok(Math.abs(ch.before - pb[ch.id]) < 1e-4 && Math.abs(ch.after - pa[ch.id]) < 1e-4, `token ${ch.id}`);
    }
    const svg = await page.evaluate(() => window.attnlab.exportSvg());
    assert.ok(svg.includes(`<desc>interventions: ${c.key}</desc>`), 'the SVG export records them');
  }
  // the maps that changed: a knock-out changes its own head's row
  const st = await page.evaluate(() => window.attnlab.state());
  assert.ok(st.effects.maps.some((m) => m.layer === 2 && m.head === 1));
  await page.evaluate(() => window.attnlab.apply({ view: 'model' }));
  await waitFrames(page, 3);
  const shot = await screenshotStats(page, 'intervene-model.png');
  assert.ok(shot.variance > 100, 'the Model grid with the Intervene panel is drawn');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('patching every head in the page equals the CLI\'s single-head patched runs', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  await page.evaluate(([t, s]) => { window.attnlab.setText(t); window.attnlab.apply({ compare: s, intervene: 1 }); }, [TEXT, SOURCE]);
  const st0 = await page.evaluate(() => window.attnlab.state());
  const [a, b] = [st0.top[0].id, st0.top[1].id];
  assert.equal(await page.evaluate(([x, y]) => window.attnlab.patch(x, y), [a, b]), '');
  await page.waitForFunction(() => { const p = window.attnlab.state().patch; return p.next === p.diffs.length; }, null, { timeout: 60000 });
  const p = (await page.evaluate(() => window.attnlab.state())).patch;
  const { n_layer: L, n_head: H, name } = st0.model;
  assert.equal(p.diffs.length, L * H);
  assert.match(p.status, new RegExp(`^${L * H} of ${L * H} heads patched`));
  const modelDir = path.join(ROOT, 'dist', 'models', name);
  for (const [l, h] of [[0, 1], [L - 1, H - 1], [1, 2]]) {
    const cli = cliRun(modelDir, ['--patch', `${l}.${h}`, '--patch-from', SOURCE]);
    const d = cli.logits[a] - cli.logits[b];
    assert.ok(Math.abs(p.diffs[l * H + h] - d) < 1e-3, `head ${l}.${h}: page ${p.diffs[l * H + h]} vs CLI ${d}`);
  }
  const plain = cliRun(modelDir, []), src = cliRun(modelDir, [], SOURCE);
  assert.ok(Math.abs(p.clean - (plain.logits[a] - plain.logits[b])) < 1e-3);
  assert.ok(Math.abs(p.corrupt - (src.logits[a] - src.logits[b])) < 1e-3);
  // a Compare sentence of another length is refused with the reason; cancelling stops a scan
  await page.evaluate(() => window.attnlab.apply({ compare: 'Short.' }));
  assert.match(await page.evaluate(([x, y]) => window.attnlab.patch(x, y), [a, b]), /as many tokens/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('share links carry every intervention exactly; bad values get a notice', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  await page.evaluate((t) => {
    window.attnlab.setText(t);
    window.attnlab.apply({ view: 'matrix', layer: 2, head: 1, intervene: 1, ablate: '0.1,1.3', ablate_mode: 'mean', knockout: '2.1:10:1' });
  }, TEXT);
  await page.waitForFunction(() => location.hash.includes('knockout='));
  const link = await page.evaluate(() => window.attnlab.shareUrl());
  assert.match(link, /&intervene=1&ablate=0.1,1.3&knockout=2.1:10:1&ablate_mode=mean/);
  const pick = (st) => ({ interventions: st.interventions, intervene: st.intervene, top: st.top, row: st.row, effects: st.effects });
  const before = pick(await page.evaluate(() => window.attnlab.state()));
  const { page: page2, log: log2 } = await openPage(browser.context, link);
  await waitFrames(page2, 2);
  assert.deepEqual(pick(await page2.evaluate(() => window.attnlab.state())), before);
  assert.equal(await page2.evaluate(() => window.attnlab.shareUrl()), link);

  const bad = '#v=1&text=I%20have%20a%20dog&intervene=7&ablate=9.9&knockout=1.1:99:0&ablate_mode=half';
  const { page: page3, log: log3 } = await openPage(browser.context, srv.url + bad);
  await waitFrames(page3, 2);
  const st3 = await page3.evaluate(() => window.attnlab.state());
  assert.equal(st3.interventions, '');
  assert.equal(st3.text, 'I have a dog');
  const notice = await page3.evaluate(() => document.getElementById('notice').textContent);
  for (const k of ['intervene', 'ablate', 'knockout', 'ablate_mode']) assert.match(notice, new RegExp(k), `notice names ${k}`);
  assert.deepEqual([...log.errors, ...log2.errors, ...log3.errors], []);
  await page.close(); await page2.close(); await page3.close();
});
