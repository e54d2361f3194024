// Share links round-trip exactly; hostile links are harmless; the page works embedded in a sandboxed
// cross-origin iframe and talks to its parent only through the documented postMessage API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, serveDist, openPage, waitFrames, screenshotStats, ROOT } from './browser.mjs';
import { startServer } from '../../scripts/lib/static-server.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

const pick = (st) => ({ text: st.text, view: st.view, layer: st.layer, head: st.head, token: st.token,
                        sampling: st.sampling, compare: st.compare, ids: st.ids, row: st.row });

test('a share link restores the identical state and numbers', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  await page.evaluate(() => {
    window.attnlab.setText('I stayed home cause it was raining.\n\nWhy did you stay home?');
    window.attnlab.apply({ view: 'math', layer: 1, head: 2, token: 3, temperature: 0.7, top_k: 40, top_p: 0.9,
                           seed: 1234, compare: 'She donated to a good cause & left.' });
  });
  await page.waitForFunction(() => location.hash.includes('view=math') && location.hash.includes('seed=1234'));
  const link = await page.evaluate(() => window.attnlab.shareUrl());
  const before = pick(await page.evaluate(() => window.attnlab.state()));
  assert.match(link, /#v=1&text=I%20stayed%20home/);

  const { page: page2, log: log2 } = await openPage(browser.context, link);
  await waitFrames(page2, 2);
  const afterSt = pick(await page2.evaluate(() => window.attnlab.state()));
  assert.deepEqual(afterSt, before);
  assert.deepEqual([...log.errors, ...log2.errors], []);
  await page.close(); await page2.close();
});

test('bad link values fall back to defaults with a visible notice; markup in text is never injected', async () => {
  const hostile = '#v=1&text=%3Cimg%20src%3Dx%20onerror%3D%22window.pwned%3D1%22%3E%3Cscript%3Ewindow.pwned%3D2%3C%2Fscript%3E%ED%A0%80'
    + '&layer=99999999999&head=-3&view=%3Cscript%3E&token=abc&temperature=NaN&seed=%zz&unknown=1';
  const { page, log } = await openPage(browser.context, srv.url + hostile);
  await waitFrames(page, 2);
  const st = await page.evaluate(() => window.attnlab.state());
  assert.ok(st.text.startsWith('<img src=x onerror="window.pwned=1"><script>'), 'text kept as text');
  assert.ok(st.text.endsWith('\uFFFD'), 'invalid UTF-8 replaced');
  assert.equal(st.layer, 0); assert.equal(st.head, 0); assert.equal(st.view, 'matrix');
  const notice = await page.evaluate(() => { const n = document.getElementById('notice'); return n.hidden ? '' : n.textContent; });
  for (const k of ['layer', 'head', 'view', 'token', 'temperature', 'seed']) assert.match(notice, new RegExp(k), `notice names ${k}`);
  const injected = await page.evaluate(() => ({ pwned: window.pwned, imgs: document.querySelectorAll('img').length,
                                               scripts: document.querySelectorAll('script').length }));
  const shipped = (fs.readFileSync(path.join(ROOT, 'dist/index.html'), 'utf8').match(/<script\b/g) || []).length;
  assert.deepEqual(injected, { pwned: undefined, imgs: 0, scripts: shipped });  // only the page's own scripts
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('embedded in a sandboxed cross-origin iframe: ready, set text, selection events', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnlab-parent-'));
  const child = srv.url + '?embed=1#v=1&text=I%20have%20a%20dog';
  fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><title>Course page</title>
<h1>Lesson</h1><iframe id="f" sandbox="allow-scripts allow-same-origin" width="800" height="500" src="${child}"></iframe>
<script>
window.events = [];
addEventListener('message', (e) => { if (e.source === document.getElementById('f').contentWindow) window.events.push(e.data); });
</script>`);
  const parent = await startServer(dir, { port: 0 });
  const parentUrl = `http://127.0.0.1:${parent.address().port}/`;
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(parentUrl);
  await page.waitForFunction(() => window.events.some((e) => e.type === 'attnlab:ready'), null, { timeout: 60000 });
  const frame = page.frame({ url: /embed=1/ });
  assert.ok(await frame.evaluate(() => document.body.classList.contains('embed')));
  assert.equal(await frame.evaluate(() => window.attnlab.state().text), 'I have a dog');
  await page.evaluate(() => document.getElementById('f').contentWindow.postMessage(
    { type: 'attnlab:set', text: 'It was raining.', view: 'heads', layer: 1, token: 1, code: 'window.evil=1',
      ablate: '1.1', knockout: '0.0:2:1' }, '*'));
  await page.waitForFunction(() => window.events.some((e) => e.type === 'attnlab:applied'));
  const st = await frame.evaluate(() => ({ ...window.attnlab.state(), evil: window.evil }));
  assert.equal(st.text, 'It was raining.'); assert.equal(st.view, 'heads'); assert.equal(st.layer, 1);
  assert.equal(st.evil, undefined);
  assert.equal(st.interventions, 'ablate=zero:1.1;knockout=0.0:2:1', 'the message\'s interventions are applied');
  await page.waitForFunction(() => window.events.some((e) => e.type === 'attnlab:selection' && e.view === 'heads'));
  const code = await frame.evaluate(() => window.attnlab.embedCode());
  assert.match(code, /^<iframe src="[^"]*embed=1[^"]*" title="[^"]+" width="100%" height="\d+" loading="lazy"/);
  await screenshotStats(page, 'embed-iframe.png');
  assert.deepEqual(errors, []);
  await page.close(); parent.close(); fs.rmSync(dir, { recursive: true, force: true });
});
