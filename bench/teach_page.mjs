// Teach (issue 19) in the real page (dist/, headless Chromium) against the native trainer on the same
// steps: training tokens/s (the text's T-1 predicted tokens × steps ÷ the time spent stepping:
// state().teach.ms in the page, `attnlab teach --json` natively), and the page's frames while it
// teaches (the engine's CPU time per frame, attnlab.frameMs(), which includes the steps and the views'
// re-run; and the interval between animation frames). Built-in model, all weights, T = 16 and 64.
//   node bench/teach_page.mjs [--rounds 5] [--steps 20]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { launch, serveDist, openPage, ROOT } from '../tests/e2e/browser.mjs';
import { MODEL_DIR } from '../tests/e2e/viewcheck.mjs';

const arg = (k, d) => (process.argv.includes(k) ? Number(process.argv[process.argv.indexOf(k) + 1]) : d);
const rounds = arg('--rounds', 5), steps = arg('--steps', 20);
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
const b = await launch();
const s = await serveDist();
const { page } = await openPage(b.context, s.url + '#v=1&view=matrix');
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const rows = [];
for (const n of [16, 64]) {
  const r = await page.evaluate(async ({ n, steps, rounds }) => {
    const words = 'the dog saw a cat and it ran to the park because it was hungry'.split(' ');
    let text = '';
    for (let i = 0; window.attnlab.setText(text + words[i % words.length]) || window.attnlab.state().total_tokens <= n; i++)
      text += words[i % words.length] + ' ';
    text = text.trim();
    window.attnlab.setText(text);
    const out = { text, T: window.attnlab.state().ids.length, ms: [], frame: [], interval: [] };
    for (let k = 0; k < rounds; k++) {
      window.attnlab.resetModel();
      let last = performance.now(), done = false;
      const sample = () => {  // every animation frame while teaching
        if (done) return;
        const now = performance.now();
        out.interval.push(now - last), out.frame.push(window.attnlab.frameMs());
        last = now;
        requestAnimationFrame(sample);
      };
      requestAnimationFrame(sample);
      await window.attnlab.finetune({ text, steps, learning_rate: 1e-4, seed: 1 });
      done = true;
      out.ms.push(window.attnlab.state().teach.ms);
    }
    window.attnlab.resetModel();
    return out;
  }, { n, steps, rounds });
  const native = [];
  for (let k = 0; k < rounds; k++)
    native.push(JSON.parse(execFileSync(path.join(ROOT, 'build/native/attnlab'), ['teach', '--model', MODEL_DIR, '--steps',
      String(steps), '--lr', '0.0001', '--seed', '1', '--json', r.text]).toString()).ms);
  rows.push({ ...r, native });
}
const tps = (T, ms) => ((T - 1) * steps) / (ms / 1000);
const f = (x, d = 1) => x.toFixed(d);
const model = (await page.evaluate(() => window.attnlab.state().model.name));
console.log(`Teach on ${model}, all weights, ${steps} steps, ${rounds} rounds, ${new Date().toISOString()}, commit ${commit}; medians`);
console.log('| T | native trainer, tokens/s | in Chromium (WASM), tokens/s | native ÷ Chromium | frame while teaching: engine ms (max) | frame interval, ms (max) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows)
  console.log(`| ${r.T} | ${f(tps(r.T, med(r.native)), 0)} | ${f(tps(r.T, med(r.ms)), 0)} | ${f(med(r.ms) / med(r.native), 2)}× | ` +
              `${f(med(r.frame))} (${f(Math.max(...r.frame))}) | ${f(med(r.interval))} (${f(Math.max(...r.interval))}) |`);
await b.close();
s.server.close();
