// The page end to end: loads, takes real typing in the text field, tokenizes, draws with WebGL2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serveDist, openPage, waitFrames, screenshotStats } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

test('page loads, typing re-tokenizes, canvas is drawn', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  const hasWebGL2 = await page.evaluate(() => !!document.createElement('canvas').getContext('webgl2'));
  assert.ok(hasWebGL2, 'WebGL2 context');

  const sentence = 'I saw a dog and a cat. It was barking.';
  await page.fill('#text', '');
  await page.click('#text');
  await page.keyboard.type(sentence, { delay: 5 });
  await waitFrames(page, 5);
  const st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.text, sentence);
  assert.ok(st.ids.length > 0 && st.ids.length === st.tokens.length);
  assert.equal(st.tokens.map((t) => t.text).join(''), sentence, 'tokens cover the text exactly');
  const stats = await screenshotStats(page, 'page-1280x800.png');
  assert.ok(stats.variance > 50, `screenshot is not blank (variance ${stats.variance.toFixed(1)})`);
  assert.deepEqual(log.errors, []);
});

test('HiDPI: devicePixelRatio 2 gives a 2x canvas backing store', async () => {
  const ctx = await browser.context.browser()?.newContext?.({ deviceScaleFactor: 2 });
  const page = ctx ? await ctx.newPage() : await browser.context.newPage();
  if (!ctx) await page.emulateMedia({});
  const client = await page.context().newCDPSession(page);
  await client.send('Emulation.setDeviceMetricsOverride', { width: 900, height: 700, deviceScaleFactor: 2, mobile: false });
  await page.goto(srv.url);
  await page.evaluate(() => window.attnlab.ready);
  await waitFrames(page, 5);
  const size = await page.evaluate(() => {
    const c = document.getElementById('canvas');
    return { w: c.width, h: c.height, cw: c.clientWidth, ch: c.clientHeight, dpr: devicePixelRatio };
  });
  assert.equal(size.dpr, 2);
  assert.equal(size.w, Math.round(size.cw * 2));
  assert.equal(size.h, Math.round(size.ch * 2));
  await screenshotStats(page, 'page-dpr2.png');
  await page.close();
});

test('idle frames build no state JSON; a canvas hover moves the change counter and updates the highlight', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  await page.evaluate(() => window.attnlab.apply({ view: 'matrix', layer: 0, head: 0, token: -1 }));
  await waitFrames(page, 5);
  // Count the engine's JSON dumps from here on (state() looks the export up at each call).
  await page.evaluate(() => {
    const mod = window.attnlabInternal.mod, real = mod._attnlab_state_json;
    window.jsonCalls = 0;
    mod._attnlab_state_json = (...a) => { window.jsonCalls++; return real(...a); };
  });
  await page.mouse.move(1270, 790);  // pointer parked on an empty corner
  await page.waitForTimeout(400);
  const parked = await page.evaluate(() => ({ calls: window.jsonCalls, v: window.attnlab.stateVersion() }));
  await waitFrames(page, 20);
  await page.waitForTimeout(600);      // four polling intervals
  const idle = await page.evaluate(() => ({ calls: window.jsonCalls, v: window.attnlab.stateVersion() }));
  assert.equal(idle.calls, parked.calls, 'no state JSON while nothing changes');
  assert.equal(idle.v, parked.v, 'the counter did not move over 20 idle frames');

  // Hover the third token chip: the counter moves, the JSON is fetched once, the source text is marked.
  const box = await page.locator('#canvas').boundingBox();
  let marked = '';
  // the chip row's height depends on what sits above it (the first visit's hint): scan down to it
  for (let i = 0; i < 24 * 8 && !marked; i++) {
    const x = 20 + (i % 24) * 12, y = 62 + Math.floor(i / 24) * 11;
    await page.mouse.move(box.x + x, box.y + y);
    await page.waitForTimeout(200);
    marked = await page.evaluate(() => document.querySelector('#highlight mark')?.textContent || '');
  }
  assert.ok(marked.length > 0, 'hovering a chip marks its text in the field');
  const after = await page.evaluate(() => ({ calls: window.jsonCalls, v: window.attnlab.stateVersion(), hover: window.attnlab.state().hover }));
  assert.ok(after.v > idle.v, 'hover moved the change counter');
  assert.ok(after.calls > idle.calls, 'and the JSON was fetched');
  assert.ok(after.hover >= 0);
  assert.deepEqual(log.errors, []);
  await page.close();
});
