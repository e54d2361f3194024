// The engine ships twice (CMakeLists.txt): attnlab-fma.wasm, whose matrix products use relaxed SIMD's fused
// multiply-add, and attnlab.wasm (SIMD128) for browsers without relaxed SIMD; web/features.js picks one.
// Chromium has relaxed SIMD: the default page loads the FMA build, ?wasm=simd128 the other, and both show
// the same attention and predictions within float rounding (FMA rounds once where mul + add round twice).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serveDist, openPage } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

const TEXT = 'Mary gave the book to John because she had finished it. John thanked Mary for the book';

async function run(query) {
  const { page, log } = await openPage(browser.context, srv.url + query + '#v=1&view=matrix&text=' + encodeURIComponent(TEXT));
  const wasm = log.requests.filter((u) => u.endsWith('.wasm')).map((u) => new URL(u).pathname);
  const out = JSON.parse(await page.evaluate(() => window.attnlab.exportJson()));
  const top = (await page.evaluate(() => window.attnlab.state())).top;
  assert.deepEqual(log.errors, []);
  await page.close();
  return { wasm, out, top };
}

// every number of two nested arrays: the largest difference, and whether any differs at all
function compare(a, b, acc = { max: 0, differ: false }) {
  if (Array.isArray(a)) {
    assert.equal(a.length, b.length);
    a.forEach((x, i) => compare(x, b[i], acc));
  } else {
    acc.max = Math.max(acc.max, Math.abs(a - b));
    acc.differ ||= a !== b;
  }
  return acc;
}

test('the FMA build loads where relaxed SIMD runs, the SIMD128 build on request, and they agree', async () => {
  const fma = await run('');
  const plain = await run('?wasm=simd128');
  assert.deepEqual(fma.wasm, ['/attnlab-fma.wasm']);
  assert.deepEqual(plain.wasm, ['/attnlab.wasm']);
  assert.deepEqual(fma.out.ids, plain.out.ids);
  assert.ok(fma.out.ids.length > 15);
  const att = compare(fma.out.attention, plain.out.attention);
  assert.ok(att.max < 1e-5, `attention differs by ${att.max}`);
  assert.ok(att.differ, 'the two builds gave bit-identical attention: is the FMA build fusing?');
  assert.deepEqual(fma.top.map((t) => t.id), plain.top.map((t) => t.id));
  const p = compare(fma.top.map((t) => t.p), plain.top.map((t) => t.p));
  assert.ok(p.max < 1e-5, `top probabilities differ by ${p.max}`);
});
