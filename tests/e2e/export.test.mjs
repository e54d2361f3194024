// Export: the PNG decodes at 2x, the SVG is the view's scene (one element per cell), the JSON equals
// the native CLI's `attnlab run --json` for the same text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launch, serveDist, openPage, waitFrames, ROOT, OUT } from './browser.mjs';

const TEXT = 'I have a dog. It was barking.';
let browser, srv, page, log;
before(async () => {
  browser = await launch();
  srv = await serveDist();
  ({ page, log } = await openPage(browser.context, srv.url));
  await page.evaluate((t) => { window.attnlab.setText(t); window.attnlab.apply({ view: 'matrix', layer: 1, head: 1 }); }, TEXT);
  await waitFrames(page, 3);
});
after(async () => { await browser?.close(); srv?.server.close(); });

test('PNG: 2x the canvas, decodes, not blank', async () => {
  const r = await page.evaluate(async () => {
    const blob = await window.attnlab.exportPng(2);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const bmp = await createImageBitmap(blob);
    const c = document.getElementById('canvas');
    const png = btoa(String.fromCharCode(...bytes.subarray(0, 8)));
    let b64 = ''; for (let i = 0; i < bytes.length; i += 32768) b64 += String.fromCharCode(...bytes.subarray(i, i + 32768));
    return { png, w: bmp.width, h: bmp.height, cw: c.clientWidth, ch: c.clientHeight, data: btoa(b64) };
  });
  assert.equal(r.png, btoa('\x89PNG\r\n\x1a\n'));
  assert.equal(r.w, Math.round(r.cw * 2));
  assert.equal(r.h, Math.round(r.ch * 2));
  fs.writeFileSync(path.join(OUT, 'export-matrix@2x.png'), Buffer.from(r.data, 'base64'));
  await waitFrames(page, 2);  // the page returns to its own scale
  assert.equal(await page.evaluate(() => document.getElementById('canvas').width), r.cw * (await page.evaluate(() => devicePixelRatio)));
});

test('SVG of the model view: each thumbnail is an embedded PNG the browser decodes to its tile', async () => {
  await page.evaluate(() => window.attnlab.apply({ view: 'model', layer: 0, head: 0 }));
  await waitFrames(page, 3);
  const svg = await page.evaluate(() => window.attnlab.exportSvg());
  // Parsed in a blank page: the export is a standalone document, not subject to the app's CSP.
  const blank = await browser.context.newPage();
  const r = await blank.evaluate(async (svg) => {
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const images = [...doc.querySelectorAll('image.thumb')];
    const img = new Image();
    img.src = images[0].getAttribute('href');
    await img.decode();
    const c = new OffscreenCanvas(img.width, img.height), g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const px = (x, y) => [...g.getImageData(x, y, 1, 1).data];
    return { parseError: !!doc.querySelector('parsererror'), n: images.length, w: img.width, h: img.height,
             topLeft: px(0, 0), topRight: px(img.width - 1, 0) };
  }, svg);
  await blank.close();
  const st = await page.evaluate(() => window.attnlab.state());
  assert.equal(r.parseError, false);
  assert.equal(r.n, st.model.n_layer * st.model.n_head);
  assert.equal(r.w, r.h);
  assert.ok(r.w >= 1 && r.w <= st.ids.length);
  assert.notDeepEqual(r.topLeft, r.topRight, 'query 0 → key 0 (weight 1) differs from the masked corner');
  await page.evaluate(() => window.attnlab.apply({ view: 'matrix', layer: 1, head: 1 }));
  await waitFrames(page, 3);  // the next tests read the matrix scene
});

test('SVG: parses, one element per matrix cell', async () => {
  const svg = await page.evaluate(() => window.attnlab.exportSvg());
  const T = await page.evaluate(() => window.attnlab.state().ids.length);
  // Parsed in a blank page: the export is a standalone document, not subject to the app's CSP.
  const blank = await browser.context.newPage();
  const r = await blank.evaluate(({ svg, T }) => {
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    return { err: doc.querySelector('parsererror')?.textContent || '', T, svg,
             // the row table beside the matrix repeats one row's cells as bars: count distinct (i, j)
             cells: new Set([...doc.querySelectorAll('rect.cell')].map((e) => e.dataset.i + ',' + e.dataset.j)).size,
             masked: doc.querySelectorAll('rect.masked').length };
  }, { svg, T });
  await blank.close();
  assert.equal(r.err, '');
  assert.equal(r.cells, r.T * (r.T + 1) / 2, 'a cell per visible (query, key)');
  assert.equal(r.masked, r.T * (r.T - 1) / 2, 'a masked cell per future key');
  fs.writeFileSync(path.join(OUT, 'export-matrix.svg'), r.svg);
});

test('SVG of the math, embed and context views: each exports its own scene', async () => {
  const st = await page.evaluate(() => window.attnlab.state());
  const T = st.ids.length, q = 3, { n_layer: L, n_embd: C } = st.model;
  const svgs = {};
  for (const view of ['math', 'embed', 'context']) {
    await page.evaluate(({ view, q }) => window.attnlab.apply({ view, layer: 1, head: 1, token: q }), { view, q });
    await waitFrames(page, 3);
    svgs[view] = await page.evaluate(() => window.attnlab.exportSvg());
  }
  const blank = await browser.context.newPage();
  const r = await blank.evaluate((svgs) => {
    const parse = (s) => new DOMParser().parseFromString(s, 'image/svg+xml');
    const math = parse(svgs.math), embed = parse(svgs.embed), context = parse(svgs.context);
    const value = (doc, i, j) => [...doc.querySelectorAll(`text.value[data-i="${i}"][data-j="${j}"]`)].map((e) => e.textContent);
    return {
      errors: [math, embed, context].map((d) => !!d.querySelector('parsererror')),
      mathMasked: math.querySelectorAll('rect.masked').length,
      mathWeights: [...Array(8).keys()].map((k) => value(math, 3, k).at(-1)),
      embedComponents: embed.querySelectorAll('rect.component').length,
      contextText: context.documentElement.textContent,
    };
  }, svgs);
  await blank.close();
  await page.evaluate(() => window.attnlab.apply({ view: 'matrix', layer: 1, head: 1, token: -1 }));
  assert.deepEqual(r.errors, [false, false, false]);
  assert.equal(r.mathMasked, T - 1 - q, 'a masked key per later token');
  const all = JSON.parse(await page.evaluate(() => window.attnlab.exportJson(true)));
  r.mathWeights.slice(0, q + 1).forEach((w, k) => assert.equal(w, all.attention[1][1][q][k].toFixed(4), `weight of key ${k}`));
  assert.equal(r.mathWeights[q + 1], '0.0000');
  assert.equal(r.embedComponents, C * (2 + L), 'the embedding, the input stream and one stream per layer');
  assert.match(r.contextText, new RegExp(`${T} / \\d+ tokens`));
  assert.match(r.contextText, /Attention from the last turn/);
  fs.writeFileSync(path.join(OUT, 'export-math.svg'), svgs.math);
});

test('JSON equals the native CLI on the same model and text', async () => {
  const exported = JSON.parse(await page.evaluate(() => window.attnlab.exportJson(true)));
  const st = await page.evaluate(() => window.attnlab.state());
  const modelDir = path.join(ROOT, 'dist', 'models', st.model.name);
  const cli = JSON.parse(execFileSync(path.join(ROOT, 'build/native/attnlab'), ['run', '--model', modelDir, '--json', TEXT],
                                      { maxBuffer: 1 << 28 }).toString());
  assert.deepEqual(exported.ids, cli.ids);
  assert.deepEqual(exported.tokens, cli.tokens);
  assert.deepEqual(exported.config, cli.config);
  let maxDiff = 0;
  cli.attention.forEach((layer, l) => layer.forEach((head, h) => head.forEach((row, q) => row.forEach((w, k) => {
    maxDiff = Math.max(maxDiff, Math.abs(w - exported.attention[l][h][q][k]));
  }))));
  assert.ok(maxDiff < 1e-5, `attention max |WASM - native| = ${maxDiff}`);
  const logitDiff = Math.max(...cli.logits.map((x, i) => Math.abs(x - exported.logits[i]) / Math.max(1, Math.abs(x))));
  assert.ok(logitDiff < 1e-4, `logits max rel diff ${logitDiff}`);
  assert.deepEqual(exported.top.map((t) => t.id), cli.top.map((t) => t.id));
  assert.deepEqual(log.errors, []);
});

test('JSON of the selected head: [1][1][T][T] with attention_layer/head, the same rows as the full export', async () => {
  // one writer (src/model/capture_json.cpp) for both shapes and for the CLI
  const one = JSON.parse(await page.evaluate(() => window.attnlab.exportJson(false)));
  const all = JSON.parse(await page.evaluate(() => window.attnlab.exportJson(true)));
  assert.equal(one.attention_layer, 1);
  assert.equal(one.attention_head, 1);
  assert.equal(one.attention.length, 1);
  assert.equal(one.attention[0].length, 1);
  assert.deepEqual(one.attention[0][0], all.attention[1][1]);
  assert.equal(all.attention_layer, undefined);
  assert.deepEqual(one.ids, all.ids);
  assert.deepEqual(one.logits, all.logits);
  assert.deepEqual(one.top, all.top);
});
