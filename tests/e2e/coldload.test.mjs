// The cold load (web/app.js, scripts/build): the default model's files and the font are requested with the
// page (rel=preload), each is downloaded once (the preload is the response app.js's fetch gets), the
// weights are on their way before the engine has started, and no frame is drawn before the first map:
// the stages' performance marks come in the order engine, model, font, ready, first frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, serveDist, openPage, ROOT } from './browser.mjs';

const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/models/index.json'), 'utf8'));

let browser, srv;
before(async () => { browser = await launch(); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

test('the built-in model is requested with the page, once, and the first frame draws the first map', async () => {
  const { page, log } = await openPage(browser.context, srv.url);
  await page.waitForFunction(() => performance.getEntriesByName('attnlab:first-frame').length === 1);
  const { marks, resources } = await page.evaluate(() => ({
    marks: Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])),
    resources: performance.getEntriesByType('resource').map((e) => ({ path: new URL(e.name).pathname, start: e.startTime,
                                                                       end: e.responseEnd })),
  }));
  const stages = ['attnlab:engine', 'attnlab:model', 'attnlab:font', 'attnlab:ready', 'attnlab:first-frame'];
  for (let i = 1; i < stages.length; i++) assert.ok(marks[stages[i - 1]] <= marks[stages[i]], `${stages[i - 1]} after ${stages[i]}`);
  const weights = '/' + index[0].path + index[0].weights;
  for (const f of [weights, '/' + index[0].path + 'vocab.json', '/models/index.json', '/fonts/DejaVuSans-ui.ttf'])
    assert.equal(log.requests.filter((u) => new URL(u).pathname === f).length, 1, f + ' was not requested exactly once');
  // not after models/index.json has arrived (where app.js learns the weights' name), nor after the engine started
  const w = resources.find((r) => r.path === weights), ix = resources.find((r) => r.path === '/models/index.json');
  assert.ok(w.start < ix.end, `the weights were requested at ${w.start} ms, after index.json arrived (${ix.end} ms)`);
  assert.ok(w.start < marks['attnlab:engine'], `the weights were requested at ${w.start} ms, after the engine started`);
  assert.deepEqual(log.errors, []);
});
