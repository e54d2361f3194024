// Shared e2e helpers: Debian's Chromium driven by playwright-core (never a downloaded browser),
// dist/ served on an ephemeral loopback port, console/page errors collected per page.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/lib/static-server.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT = path.join(ROOT, 'test-output', 'e2e');
fs.mkdirSync(OUT, { recursive: true });

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'];

// Service workers are blocked unless a test asks for them (offline.test.mjs): elsewhere a page must be
// served by the network, as on its first visit, so routes and request logs see every request.
export async function launch({ serviceWorkers = 'block' } = {}) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnlab-chromium-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: '/usr/bin/chromium', args: FLAGS, headless: true, viewport: { width: 1280, height: 800 },
    serviceWorkers,
  });
  return { context, close: async () => { await context.close(); fs.rmSync(userDir, { recursive: true, force: true }); } };
}

export async function serveDist(opts = {}) {
  const server = await startServer(path.join(ROOT, 'dist'), { port: 0, ...opts });
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

// Opens the page and records every console error, page error and request.
export async function openPage(context, url, { viewport, deviceScaleFactor } = {}) {
  const page = await context.newPage();
  const log = { errors: [], requests: [] };
  page.on('pageerror', (e) => log.errors.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push('console: ' + m.text()); });
  page.on('request', (r) => log.requests.push(r.url()));
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(url);
  await page.evaluate(() => window.attnlab.ready);
  return { page, log };
}

export async function waitFrames(page, n = 3) {
  const start = await page.evaluate(() => window.attnlab.frames);
  await page.waitForFunction((s) => window.attnlab.frames >= s, start + n, { timeout: 30000 });
}

// Pixel statistics of a PNG screenshot taken in the page (decoded by the browser itself).
export async function screenshotStats(page, file) {
  const png = await page.screenshot({ path: path.join(OUT, file) });
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = new OffscreenCanvas(img.width, img.height), g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, img.width, img.height).data;
    let sum = 0, sum2 = 0, n = d.length / 4;
    for (let i = 0; i < d.length; i += 4) { const y = (d[i] + d[i + 1] + d[i + 2]) / 3; sum += y; sum2 += y * y; }
    const mean = sum / n;
    return { width: img.width, height: img.height, mean, variance: sum2 / n - mean * mean };
  }, png.toString('base64'));
}
