// Screenshot of the built page (dist/) at a share-link fragment, for looking at a UI change:
//   node scripts/dev/screenshot.mjs '#v=1&text=…&view=model' OUT.png [WIDTH HEIGHT DPR] [--iframe] [--js EXPR]
//     [--vision deuteranopia|protanopia|tritanopia|achromatopsia]
// --js runs EXPR in the page first (e.g. "window.attnlab.patch(5, 6)") and waits for a patching scan to end;
// --wait EXPR waits until EXPR is true in the page (e.g. "window.attnlab.state().memory?.done");
// --iframe embeds the page (?embed=1) in a sandboxed iframe of a parent page. Prints the state's summary.
import { launch, serveDist, waitFrames } from '../../tests/e2e/browser.mjs';

const args = process.argv.slice(2);
const flag = (k) => { const i = args.indexOf(k); if (i < 0) return null; const v = args[i + 1]; args.splice(i, 2); return v; };
const js = flag('--js');
const wait = flag('--wait');
const vision = flag('--vision');  // a simulated colour-vision deficiency: deuteranopia, protanopia, tritanopia, achromatopsia
const iframe = args.includes('--iframe') && args.splice(args.indexOf('--iframe'), 1);
const [frag = '', out = 'screenshot.png', w = '1280', h = '800', dpr = '1'] = args;
const b = await launch();
const s = await serveDist();
const page = await b.context.newPage();
const log = { errors: [] };
page.on('pageerror', (e) => log.errors.push('pageerror: ' + e.message));
page.on('console', (m) => { if (m.type() === 'error') log.errors.push('console: ' + m.text()); });
await page.setViewportSize({ width: +w, height: +h });
const cdp = await page.context().newCDPSession(page);
await cdp.send('Emulation.setDeviceMetricsOverride', { width: +w, height: +h, deviceScaleFactor: +dpr, mobile: +w < 500 });
if (vision) await cdp.send('Emulation.setEmulatedVisionDeficiency', { type: vision });
await page.goto(iframe ? s.url + 'lessons.html' : s.url + frag);  // an iframe's parent: any page of the server
let app = page;
if (iframe) {
  await page.evaluate(([src, h]) => {
    document.body.innerHTML = '<p style="font:14px sans-serif;margin:8px">A course page</p>';
    const f = Object.assign(document.createElement('iframe'), { id: 'f', src, width: '100%', height: String(h) });
    f.setAttribute('sandbox', 'allow-scripts allow-same-origin');
    f.style.border = '0';
    document.body.append(f);
  }, [`${s.url}?embed=1${frag}`, +h - 60]);
  app = await (await page.waitForSelector('#f')).contentFrame();
  await app.waitForFunction(() => window.attnlab && window.attnlab.frames > 5);
}
await app.evaluate(() => window.attnlab.ready);
await waitFrames(app, 6);
if (js) {
  await app.evaluate(js);
  await app.waitForFunction(() => { const p = window.attnlab.state().patch; return p.next < 0 || p.next === p.diffs.length; });
  await waitFrames(app, 4);
}
if (wait) {
  // polled (the page's CSP forbids the string eval waitForFunction would use)
  for (let t0 = Date.now(); !(await app.evaluate(wait)); await new Promise((r) => setTimeout(r, 200)))
    if (Date.now() - t0 > 120000) throw new Error('--wait: still false after 120 s: ' + wait);
  await waitFrames(app, 4);
}
await page.screenshot({ path: out });
const st = await app.evaluate(() => window.attnlab.state());
console.log(JSON.stringify({ tokens: st.ids.length, view: st.view, interventions: st.interventions, notice: st.notice,
                             patch: st.patch.status, memory: st.memory && st.memory.status, errors: log.errors }));
await b.close();
s.server.close();
