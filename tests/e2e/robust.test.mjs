// Bad input never crashes the page, nothing typed is lost, memory stays flat, no stray requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serveDist, openPage, waitFrames } from './browser.mjs';

let browser, srv, page, log;
before(async () => {
  browser = await launch();
  srv = await serveDist();
  ({ page, log } = await openPage(browser.context, srv.url));
});
after(async () => { await browser?.close(); srv?.server.close(); });

async function setAndRead(text) {
  await page.evaluate((t) => window.attnlab.setText(t), text);
  await waitFrames(page, 2);
  return page.evaluate(() => window.attnlab.state());
}

test('empty text: a hint, no tokens, views still draw', async () => {
  for (const view of ['matrix', 'heads', 'model', 'predict']) {
    await page.evaluate((v) => window.attnlab.apply({ view: v }), view);
    const st = await setAndRead('');
    assert.equal(st.ids.length, 0);
    assert.match(st.notice, /Type a sentence/);
  }
});

test('100,000 characters: truncated to the context window with a clear message, page responsive', async () => {
  const text = 'The quick brown fox jumps over the lazy dog. '.repeat(2223).slice(0, 100000);
  const t0 = Date.now();
  const st = await setAndRead(text);
  const ms = Date.now() - t0;
  assert.equal(st.text.length, 100000, 'nothing typed is lost');
  assert.equal(st.ids.length, st.model.n_positions);
  assert.ok(st.truncated && st.total_tokens > st.model.n_positions);
  assert.match(st.notice, new RegExp(`The context window is ${st.model.n_positions} tokens; showing the first ${st.model.n_positions}`));
  assert.ok(ms < 15000, `update + 2 frames took ${ms} ms`);
  assert.equal(await page.inputValue('#text'), text);
});

test('malformed interventions: each is refused with a notice naming it, the experiment and the page stay as they were', async () => {
  await setAndRead('The dog chased the cat because it was hungry.');
  assert.equal(await page.evaluate(() => window.attnlab.apply({ view: 'model', intervene: 1, ablate: '1.1' })), '');
  const good = (await page.evaluate(() => window.attnlab.state())).interventions;
  const bad = [{ ablate: '99.0' }, { ablate: '1.x' }, { ablate: 7 }, { ablate: '1.1,,2.0' }, { ablate: '-1.0' },
    { ablate: '1.1'.repeat(5000) }, { ablate: '1.1\u0000' }, { knockout: '1.0:1:3' }, { knockout: '1.0:99999:0' },
    { knockout: '1.0:3' }, { knockout: null }, { ablate_mode: 'half' }, { intervene: 'yes' }];
  for (const b of bad) {
    const notice = await page.evaluate((x) => window.attnlab.apply(x), b);
    const key = Object.keys(b)[0];
    assert.match(notice, new RegExp(`ignored ${key}`), JSON.stringify(b).slice(0, 60));
    const st = await page.evaluate(() => window.attnlab.state());
    assert.equal(st.interventions, good);
    assert.ok(st.ids.length > 0 && st.top.length > 0, 'the model still runs');
  }
  await waitFrames(page, 2);
  await page.evaluate(() => window.attnlab.apply({ intervene: 0, ablate: '' }));
  assert.deepEqual(log.errors, []);
});

test('malformed teaching and colour link keys: a notice names each, the page opens with its defaults', async () => {
  const bad = '#v=1&text=I%20have%20a%20dog&tour=0x3&quiz=%3Cscript%3E&palette=rainbow&scale=log&values=probs&tour=99';
  const p = await browser.context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(srv.url + bad);
  await p.evaluate(() => window.attnlab.ready);
  await waitFrames(p, 2);
  const st = await p.evaluate(() => window.attnlab.state());
  assert.equal(st.text, 'I have a dog');
  assert.equal(st.tour, 0); assert.equal(st.quiz, undefined);
  assert.equal(st.palette, 'default'); assert.equal(st.scale, 'global'); assert.equal(st.values, 'weights');
  const notice = await p.evaluate(() => document.getElementById('notice').textContent);
  for (const k of ['tour', 'quiz', 'palette', 'scale', 'values']) assert.match(notice, new RegExp(k), `notice names ${k}`);
  assert.equal(await p.evaluate(() => document.querySelectorAll('script:not([src])').length), 0);
  assert.deepEqual(errors, []);
  await p.close();
});

test('unpaired surrogates, emoji, ZWJ, flags, CJK, RTL, combining marks, control characters and NUL', async () => {
  const cases = ['\uD800 lone high', 'lone low \uDC00!', 'family 👨‍👩‍👧‍👦 flag 🇯🇵 ok',
    '漢字かな交じり文', 'שלום עולם مرحبا', 'e\u0301 n\u0303 a\u0308', 'bell\u0007 tab\t nul\u0000 end', '\r\n\r\n  \u00a0'];
  for (const c of cases) {
    const st = await setAndRead(c);
    const expected = c.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
    assert.equal(st.text, expected, JSON.stringify(c));
    // Byte-level tokens may split a code point (emoji): their UTF-16 ranges then share that code point.
    // The ranges index the JS string the user typed and together cover it without gaps.
    assert.equal(st.tokens[0].u16[0], 0);
    assert.equal(st.tokens.at(-1).u16[1], c.length);
    for (let i = 1; i < st.tokens.length; i++) {
      const [a, b] = [st.tokens[i - 1].u16, st.tokens[i].u16];
      assert.ok(a[0] <= b[0] && b[0] <= a[1] && a[1] <= b[1], `contiguous ranges in ${JSON.stringify(c)}`);
    }
    if (!st.tokens.some((t) => t.text.includes('\uFFFD')))
      assert.equal(st.tokens.map((t) => t.text).join(''), expected, 'tokens spell the text: ' + JSON.stringify(c));
  }
});

test('1,000 re-runs with different sentences keep the WASM heap flat', async () => {
  const used = await page.evaluate(async () => {
    const words = ['dog', 'cat', 'rain', 'home', 'because', 'it', 'was', 'barking', 'I', 'saw', 'a', 'good', 'cause'];
    const out = [];
    for (let i = 0; i < 1000; i++) {
      let s = '';
      for (let j = 0; j < 5 + (i * 7) % 40; j++) s += words[(i * 31 + j * 17) % words.length] + ' ';
      window.attnlab.setText(s);
      if (i === 99 || i === 999) out.push(window.attnlab.heapUsed());
    }
    return out;
  });
  const [warm, end] = used;
  assert.ok(end <= warm * 1.05 + 65536, `heap used after warm-up ${warm} B, after 1000 runs ${end} B`);
});

test('no network requests beyond the page\'s own assets; no inline script; CSP present', async () => {
  const foreign = log.requests.filter((u) => !u.startsWith(srv.url) && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
  const csp = await page.evaluate(() => ({
    meta: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content || '',
    inline: document.querySelectorAll('script:not([src])').length,
    handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
  }));
  assert.match(csp.meta, /default-src 'self'/);
  assert.match(csp.meta, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(csp.inline, 0);
  assert.equal(csp.handlers, 0);
  assert.deepEqual(log.errors, []);
});
