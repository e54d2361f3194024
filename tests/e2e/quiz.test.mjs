// Predict, then reveal: a quiz link asks, hides the numbers until the answer, reveals them (checked against
// the CLI) and posts the answer to the embedding course page; bad quiz values get a notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch, serveDist, openPage, waitFrames, screenshotStats, ROOT } from './browser.mjs';
import { startServer } from '../../scripts/lib/static-server.mjs';

const TEXT = 'I saw a dog and a cat. It was barking.';
const ASK = `#v=1&text=${encodeURIComponent(TEXT)}&view=matrix&layer=1&head=1&token=8&quiz=attend`;
let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

test('an attend quiz hides the map until the answer, then reveals the CLI\'s weights; the link never holds the answer', async () => {
  const { page, log } = await openPage(browser.context, srv.url + ASK);
  await waitFrames(page, 3);
  let st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.quiz.kind, 'attend');
  assert.equal(st.quiz.answered, false);
  assert.match(st.quiz.question, /layer 1, head 1, which token will “It” attend to most/);
  assert.equal(await page.evaluate(() => window.attnlab.exportSvg()), '', 'no map is drawn before the answer');
  const cli = JSON.parse(execFileSync(path.join(ROOT, 'build/native/attnlab'),
    ['run', '--model', path.join(ROOT, 'dist', 'models', st.model.name), '--json', TEXT], { maxBuffer: 1 << 26 }).toString());
  const row = cli.attention[1][1][8].slice(0, 9);
  const best = row.indexOf(Math.max(...row));
  const guess = best === 6 ? 3 : 6;
  assert.equal(await page.evaluate((g) => window.attnlab.answer(g), 9), false, 'a later token is not an answer');
  assert.equal(await page.evaluate((g) => window.attnlab.answer(g), guess), true);
  await waitFrames(page, 3);
  st = await page.evaluate(() => window.attnlab.state());
  assert.equal(st.quiz.answered, true);
  assert.equal(st.quiz.answer, best);
  assert.ok(Math.abs(st.quiz.guess_value - row[guess]) < 1e-5 && Math.abs(st.quiz.answer_value - row[best]) < 1e-5);
  assert.equal(st.quiz.rank, 1 + row.filter((w) => w > row[guess]).length);
  assert.match(st.quiz.reveal, new RegExp(`The model's answer: “${cli.token_text[best].trim()}” with ${row[best].toFixed(2)}`));
  assert.ok((await page.evaluate(() => window.attnlab.exportSvg())).startsWith('<svg'), 'the map appears after the answer');
  await page.waitForFunction(() => location.hash.includes('quiz=attend'));
  assert.ok(!(await page.evaluate(() => location.hash)).match(/guess|answer/), 'the link holds the question only');
  await screenshotStats(page, 'quiz-revealed.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a next-token quiz in an embed posts the answer to the course page; a bad kind gets a notice', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnlab-quiz-'));
  const child = srv.url + `?embed=1#v=1&text=${encodeURIComponent('I have a dog. My dog')}&quiz=next`;
  fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><title>Course page</title>
<iframe id="f" sandbox="allow-scripts allow-same-origin" width="800" height="520" src="${child}"></iframe>
<script>window.events = []; addEventListener('message', (e) => { if (e.source === document.getElementById('f').contentWindow) window.events.push(e.data); });</script>`);
  const parent = await startServer(dir, { port: 0 });
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${parent.address().port}/`);
  await page.waitForFunction(() => window.events.some((e) => e.type === 'attnlab:ready'), null, { timeout: 60000 });
  const frame = page.frame({ url: /embed=1/ });
  await frame.waitForFunction(() => window.attnlab.state().quiz?.options?.length === 4);
  const st = await frame.evaluate(() => window.attnlab.state());
  const top = st.top[0].id;
  assert.deepEqual([...st.quiz.options].sort((a, b) => a - b), st.top.slice(0, 4).map((t) => t.id).sort((a, b) => a - b));
  const pick = st.quiz.options.find((o) => o !== top);
  assert.equal(await frame.evaluate((p) => window.attnlab.answer(p), pick), true);
  await page.waitForFunction(() => window.events.some((e) => e.type === 'attnlab:answer'));
  const msg = await page.evaluate(() => window.events.find((e) => e.type === 'attnlab:answer'));
  assert.equal(msg.kind, 'next'); assert.equal(msg.guess, pick); assert.equal(msg.answer, top);
  assert.equal(msg.correct, false); assert.equal(msg.of, 4);
  assert.ok(Math.abs(msg.answerValue - st.top[0].p) < 1e-6);
  await screenshotStats(page, 'quiz-embed.png');
  const { page: bad, log } = await openPage(browser.context, srv.url + `#v=1&text=Hi&quiz=essay`);
  await waitFrames(bad, 2);
  assert.equal((await bad.evaluate(() => window.attnlab.state())).quiz, undefined);
  assert.match(await bad.evaluate(() => document.getElementById('notice').textContent), /quiz/);
  assert.deepEqual([...errors, ...log.errors], []);
  await page.close(); await bad.close(); parent.close(); fs.rmSync(dir, { recursive: true, force: true });
});
