// Offline use: after one visit the page (engine, UI font, built-in model, lessons) loads and runs with
// the network off, served by the service worker's versioned cache (web/sw.js); a new build replaces
// the cache; pages where a service worker cannot run still work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { launch, serveDist, openPage, waitFrames, ROOT } from './browser.mjs';
import { startServer } from '../../scripts/lib/static-server.mjs';

let browser, srv;
before(async () => { browser = await launch({ serviceWorkers: 'allow' }); srv = await serveDist(); });
after(async () => { await browser?.close(); srv?.server.close(); });

test('after one visit the page reloads and runs the model offline', async () => {
  const { page, log } = await openPage(browser.context, srv.url + '#v=1&text=I%20have%20a%20dog&view=matrix');
  assert.equal(await page.evaluate(() => window.attnlabOffline), true, 'the service worker did not get ready');
  const online = await page.evaluate(() => window.attnlab.state());
  // the cache holds every file the page loads by default, under this build's version
  const cached = await page.evaluate(async () => {
    const keys = await caches.keys();
    const c = await caches.open(keys.find((k) => k.startsWith('attnlab-')));
    return { keys, urls: (await c.keys()).map((r) => new URL(r.url).pathname) };
  });
  assert.equal(cached.keys.filter((k) => k.startsWith('attnlab-')).length, 1);
  const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/models/index.json'), 'utf8'));
  // of the engine's two builds, the one this browser loads (relaxed SIMD in Chromium: attnlab-fma.wasm)
  const wasm = '/' + await page.evaluate(() => attnlabWasmFile(''));
  assert.equal(wasm, '/attnlab-fma.wasm');
  assert.ok(!cached.urls.includes('/attnlab.wasm'), 'the build this browser does not load is cached');
  for (const f of [wasm, '/attnlab.js', '/features.js', '/fonts/DejaVuSans-ui.ttf', '/lessons.html',
                   '/' + index[0].path + index[0].weights])
    assert.ok(cached.urls.includes(f), f + ' is not cached');

  await browser.context.setOffline(true);
  try {
    await page.reload();
    await page.evaluate(() => window.attnlab.ready);
    await waitFrames(page, 2);
    const offline = await page.evaluate(() => window.attnlab.state());
    assert.deepEqual(offline.ids, online.ids);
    assert.deepEqual(offline.row, online.row);
    await page.evaluate(() => window.attnlab.setText('It was raining, so I stayed home.'));
    await page.waitForFunction(() => window.attnlab.state().text.startsWith('It was raining'));
    assert.ok((await page.evaluate(() => window.attnlab.state())).ids.length > 5);
    // the lessons page and an embed URL come from the cache too
    const lessons = await browser.context.newPage();
    await lessons.goto(srv.url + 'lessons.html');
    assert.match(await lessons.textContent('h1'), /Lessons/);
    await lessons.goto(srv.url + '?embed=1#v=1&text=hello');
    await lessons.evaluate(() => window.attnlab.ready);
    await lessons.close();
  } finally {
    await browser.context.setOffline(false);
  }
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('sw.js carries this build: its version and the default model', async () => {
  const sw = fs.readFileSync(path.join(ROOT, 'dist/sw.js'), 'utf8');
  assert.doesNotMatch(sw, /__VERSION__|__FILES__/);
  const version = sw.match(/const VERSION = '([0-9a-f]{16})'/);
  assert.ok(version, 'no version in dist/sw.js');
  const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/models/index.json'), 'utf8'));
  assert.ok(sw.includes('./' + index[0].path + index[0].weights));
});

test('a new build replaces the cache when the page is online', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnlab-sw-'));
  fs.cpSync(path.join(ROOT, 'dist'), dir, { recursive: true });
  const server = await startServer(dir, { port: 0 });
  const url = `http://127.0.0.1:${server.address().port}/`;
  try {
    const { page } = await openPage(browser.context, url);
    assert.equal(await page.evaluate(() => window.attnlabOffline), true);
    const swFile = path.join(dir, 'sw.js');
    const old = fs.readFileSync(swFile, 'utf8').match(/const VERSION = '([0-9a-f]+)'/)[1];
    fs.writeFileSync(swFile, fs.readFileSync(swFile, 'utf8').replace(old, 'f'.repeat(16)));  // "the next build"
    // the next visit (a reload) finds the new sw.js. (registration.update() from the page got the new file
    // too, but Chromium delayed that check by 60 s: a minute of every test run.)
    await page.reload();
    await page.waitForFunction(async () => (await caches.keys()).includes('attnlab-' + 'f'.repeat(16)) &&
      (await caches.keys()).filter((k) => k.startsWith('attnlab-')).length === 1, null, { timeout: 30000 });
    await page.close();
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
