// Every explorer view on the shipped model: select with real mouse/keyboard events, check the state,
// the screen-reader mirror, and that each view draws its own content; save one screenshot per view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serveDist, openPage, waitFrames, screenshotStats } from './browser.mjs';
import { checkView } from './viewcheck.mjs';

let browser, srv, page, log;
before(async () => {
  browser = await launch();
  srv = await serveDist();
  ({ page, log } = await openPage(browser.context, srv.url));
  await page.evaluate(() => window.attnlab.setText('I saw a dog and a cat. It was barking.'));
  await waitFrames(page, 3);
});
after(async () => { await browser?.close(); srv?.server.close(); });

const VIEWS = ['tokens', 'heads', 'matrix', 'model', 'math', 'aggregate', 'embed', 'predict', 'context', 'compare'];

// Each view's own content against the CLI's run of the same text (tests/e2e/viewcheck.mjs): the SVG
// of its scene and the pixels inside its area, or the text it drew. Layer 1, head 1 and the pronoun
// "It" as the query (found by text; if a tokenizer splits it, a token two thirds in).
for (const view of VIEWS) {
  test(`view ${view} draws its own content`, async () => {
    const tokens = (await page.evaluate(() => window.attnlab.state())).tokens;
    const it = tokens.findIndex((t) => t.text.trim() === 'It'), token = it > 0 ? it : Math.floor(tokens.length * 2 / 3);
    await page.evaluate((s) => window.attnlab.apply(s), { view, layer: 1, head: 1, token });
    await waitFrames(page, 4);
    const st = await page.evaluate(() => window.attnlab.state());
    assert.equal(st.view, view);
    assert.equal(st.token, token);
    await checkView(page, st);
    await screenshotStats(page, `view-${view}.png`);
    assert.deepEqual(log.errors, []);
  });
}

test('keyboard: arrows move the query token, brackets the layer, -/= the head', async () => {
  await page.evaluate(() => window.attnlab.apply({ view: 'matrix', layer: 0, head: 0, token: 3 }));
  await page.click('#canvas', { position: { x: 5, y: 400 } });  // focus the canvas (empty area)
  await page.evaluate(() => window.attnlab.apply({ token: 3 }));
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press(']');
  await page.keyboard.press('=');
  await waitFrames(page, 3);
  const st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.token, 4);
  assert.equal(st.layer, 1);
  assert.equal(st.head, 1);
});

test('screen-reader mirror describes the selection and lists the row as a table', async () => {
  await page.evaluate(() => window.attnlab.apply({ view: 'matrix', layer: 0, head: 0, token: 8 }));
  await waitFrames(page, 2);
  const st = await page.evaluate(() => window.attnlab.state());
  await page.waitForFunction(() => document.querySelector('#a11y table'));
  const mirror = await page.evaluate(() => ({
    text: document.querySelector('#a11y p').textContent,
    rows: document.querySelectorAll('#a11y table tr').length,
  }));
  assert.match(mirror.text, /^Layer 0, head 0: .* attends most to /);
  assert.equal(mirror.rows, 1 + 9, 'header + one row per visible key');
  assert.ok(Math.abs(st.row.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'row sums to 1');
});

test('predict: temperature reshapes the distribution; step appends a seeded token', async () => {
  await page.evaluate(() => window.attnlab.apply({ view: 'predict', temperature: 1, top_k: 0, top_p: 1, seed: 7 }));
  const p1 = await page.evaluate(() => window.attnlab.state().top[0].p);
  await page.evaluate(() => window.attnlab.apply({ temperature: 0.3 }));
  const p2 = await page.evaluate(() => window.attnlab.state().top[0].p);
  assert.ok(p2 > p1, `a lower temperature sharpens (${p1} -> ${p2})`);
  await page.evaluate(() => window.attnlab.apply({ top_k: 3 }));
  const st = await page.evaluate(() => window.attnlab.state());
  assert.ok(Math.abs(st.top.slice(0, 3).reduce((a, t) => a + t.p, 0) - 1) < 1e-5, 'top-k 3 keeps three tokens');
  const before = st.text;
  await page.evaluate(() => window.attnlab.step());
  const after1 = await page.evaluate(() => window.attnlab.state());
  assert.ok(after1.text.length > before.length && after1.text.startsWith(before));
  assert.equal(await page.inputValue('#text'), after1.text, 'the text field shows the generated token');
  assert.deepEqual(log.errors, []);
});

test('phone (390×844) and HiDPI (devicePixelRatio 2) layouts draw', async () => {
  for (const [name, w, h, dpr] of [['phone-390x844', 390, 844, 3], ['hidpi-1280x800@2x', 1280, 800, 2]]) {
    const p = await browser.context.newPage();
    await p.setViewportSize({ width: w, height: h });
    const cdp = await p.context().newCDPSession(p);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: w, height: h, deviceScaleFactor: dpr, mobile: w < 500 });
    await p.goto(srv.url + '#v=1&text=I%20saw%20a%20dog%20and%20a%20cat.%20It%20was%20barking.&view=matrix&layer=1&head=1&token=8');
    await p.evaluate(() => window.attnlab.ready);
    await waitFrames(p, 4);
    const c = await p.evaluate(() => ({ w: document.getElementById('canvas').width, cw: document.getElementById('canvas').clientWidth }));
    assert.equal(c.w, Math.round(c.cw * dpr));
    const stats = await screenshotStats(p, `${name}.png`);
    assert.ok(stats.variance > 50);
    await p.close();
  }
});

test('pixels: each matrix cell on screen has the colour of its weight (checked against the SVG of the same scene)', async () => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.evaluate(() => window.attnlab.apply({ view: 'matrix', layer: 1, head: 1, token: -1 }));
  await waitFrames(page, 4);
  const svg = await page.evaluate(() => window.attnlab.exportSvg());
  const cells = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*fill="#([0-9a-f]{6})"[^>]*class="cell" data-i="(\d+)" data-j="(\d+)"/g)]
    .map((m) => ({ x: +m[1], y: +m[2], w: +m[3], h: +m[4], fill: m[5], i: +m[6], j: +m[7] }))
    .filter((c) => c.w >= 10 && c.i <= 11);
  assert.ok(cells.length > 20, `found ${cells.length} cells in the SVG`);
  // The scene's origin on screen: the first cell's top-left, found from the view's placement.
  const png = await page.screenshot();
  const probe = await page.evaluate(async ({ b64, cells }) => {
    const img = new Image(); img.src = 'data:image/png;base64,' + b64; await img.decode();
    const c = new OffscreenCanvas(img.width, img.height), g = c.getContext('2d'); g.drawImage(img, 0, 0);
    const rect = document.getElementById('canvas').getBoundingClientRect();
    const data = g.getImageData(0, 0, img.width, img.height).data;
    const px = (x, y) => { const o = (Math.round(y) * img.width + Math.round(x)) * 4; return [data[o], data[o + 1], data[o + 2]]; };
    const hex = (h) => [0, 2, 4].map((k) => parseInt(h.slice(k, k + 2), 16));
    // Search the scene's offset inside the canvas: the one where the most cell centres match.
    const close = (p, f) => Math.max(...p.map((v, k) => Math.abs(v - f[k]))) <= 3;
    let best = { hits: -1 };
    for (let ox = 0; ox < 40; ox++) for (let oy = 0; oy < 400; oy++) {
      let hits = 0;
      for (const cell of cells.slice(0, 12))
        if (close(px(rect.left + ox + cell.x + cell.w / 2, rect.top + oy + cell.y + cell.h / 2), hex(cell.fill))) hits++;
      if (hits > best.hits) best = { hits, ox, oy };
    }
    let match = 0;
    for (const cell of cells)
      if (close(px(rect.left + best.ox + cell.x + cell.w / 2, rect.top + best.oy + cell.y + cell.h / 2), hex(cell.fill))) match++;
    return { match, total: cells.length, ox: best.ox, oy: best.oy };
  }, { b64: png.toString('base64'), cells });
  assert.ok(probe.match >= probe.total * 0.9, `${probe.match}/${probe.total} cell centres have their weight's colour`);
});
