// Every lesson link opens the view it describes, on the built-in model, with no errors, and the view
// draws its own content for the lesson's text and settings (tests/e2e/viewcheck.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, serveDist, openPage, waitFrames, screenshotStats, ROOT } from './browser.mjs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { checkView, MODEL_DIR } from './viewcheck.mjs';

const html = fs.readFileSync(path.join(ROOT, 'dist/lessons.html'), 'utf8');
const links = [...html.matchAll(/<a href="(index\.html#[^"]+)">/g)].map((m) => m[1].replace(/&amp;/g, '&'));

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

test('lessons page lists one link per learner question', () => {
  const sections = (html.match(/<section>/g) || []).length;
  assert.ok(sections >= 8, `${sections} lessons`);
  assert.equal(links.length, sections);
});

links.forEach((href, i) => {
  test(`lesson ${i + 1} opens its view`, async () => {
    const want = new URLSearchParams(href.split('#')[1]);
    const { page, log } = await openPage(browser.context, srv.url + href);
    await waitFrames(page, 3);
    const st = await page.evaluate(() => window.attnlab.state());
    assert.equal(st.view, want.get('view'));
    assert.equal(st.text, want.get('text'));
    for (const k of ['layer', 'head']) if (want.has(k)) assert.equal(st[k], Number(want.get(k)));
    if (want.has('token')) assert.equal(st.token, Number(want.get('token')));
    // a Teach lesson: once the page has taught the model, the view is checked against the same teaching
    // done natively (`attnlab teach --out`)
    let modelDir;
    if (want.has('teach')) {
      await page.waitForFunction(() => { const t = window.attnlab.state().teach; return !t.running && t.done > 0; });
      modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lesson-taught-'));
      execFileSync(path.join(ROOT, 'build/native/attnlab'), ['teach', '--model', MODEL_DIR, '--steps', want.get('steps'),
        '--lr', want.get('lr'), '--seed', want.get('seed'), '--out', modelDir, want.get('teach')]);
      assert.equal((await page.evaluate(() => window.attnlab.state())).modified, true);
    }
    await checkView(page, await page.evaluate(() => window.attnlab.state()), { modelDir });  // the view's own content, against the CLI
    if (modelDir) fs.rmSync(modelDir, { recursive: true });
    await screenshotStats(page, `lesson-${i + 1}-${st.view}.png`);
    assert.deepEqual(log.errors, []);
    await page.close();
  });
});
