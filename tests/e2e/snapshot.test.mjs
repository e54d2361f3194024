// The HTML snapshot export: one self-contained file with the view (SVG, or PNG for a table view), the
// sentence, the model, the selected attention row and the next-token table, and the share link; no
// script. It is opened in a blank page (its own CSP) and its numbers are checked against state().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serveDist, openPage } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

test('HTML snapshot: view, numbers and link, without script', async () => {
  const { page, log } = await openPage(browser.context,
    srv.url + '#v=1&text=I%20saw%20a%20dog%20and%20a%20cat.%20It%20was%20%3Cb%3Ebarking%3C%2Fb%3E.&view=matrix&layer=1&head=1&token=8');
  const st = await page.evaluate(() => window.attnlab.state());
  const html = await page.evaluate(() => window.attnlab.exportHtml());
  const link = await page.evaluate(() => window.attnlab.shareUrl());
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<b>barking/, 'the sentence is escaped');
  assert.ok(html.includes('<svg'), 'the matrix view is embedded as SVG');

  const view = await browser.context.newPage();
  const errors = [];
  view.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await view.setContent(html);
  const got = await view.evaluate(() => ({
    svg: document.querySelectorAll('figure svg').length,
    rows: [...document.querySelectorAll('table')[0].querySelectorAll('tr')].slice(1)
      .map((tr) => [...tr.children].map((td) => td.textContent)),
    top: document.querySelectorAll('table')[1].querySelectorAll('tr').length - 1,
    href: document.querySelector('a').getAttribute('href'),
    text: document.body.textContent,
  }));
  assert.equal(got.svg, 1);
  assert.equal(got.href, link);
  assert.equal(got.rows.length, st.token + 1);
  got.rows.forEach(([k, tok, w], i) => {
    assert.equal(Number(k), i);
    assert.equal(tok, st.tokens[i].text);
    assert.ok(Math.abs(Number(w) - st.row[i]) < 1e-4, `row ${i}: ${w} vs ${st.row[i]}`);
  });
  assert.ok(got.top >= 5);
  assert.ok(got.text.includes(st.model.name) && got.text.includes('barking'));
  assert.deepEqual([...log.errors, ...errors], []);
  await view.close();
  await page.close();
});

test('a view without a vector scene is embedded as a PNG', async () => {
  const { page } = await openPage(browser.context, srv.url + '#v=1&text=I%20have%20a%20dog&view=predict');
  const svg = await page.evaluate(() => window.attnlab.exportSvg());
  const html = await page.evaluate(() => window.attnlab.exportHtml());
  if (svg) assert.ok(html.includes('<svg'));
  else assert.match(html, /<img alt="[^"]*" src="data:image\/png;base64,/);
  await page.close();
});
