// The Memory view's computation (issue 17) in the real page (dist/, headless Chromium) against the
// same work natively (`attnlab influence --all`, both models): every token's occlusion influence on
// every later prediction, T + 1 runs per model (state().memory.ms: the engine time of the per-frame
// slices, wall clock in WASM). The page's pair tiny-en-v2 + lstm-en-v2, T = 32, 64, 128, 256.
//   node bench/memory_page.mjs [--rounds 3]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { launch, serveDist, openPage, ROOT } from '../tests/e2e/browser.mjs';

const rounds = process.argv.includes('--rounds') ? Number(process.argv[process.argv.indexOf('--rounds') + 1]) : 3;
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
const b = await launch();
const s = await serveDist();
const { page } = await openPage(b.context, s.url + '#v=1&view=memory&text=a');
const state = () => page.evaluate(() => window.attnlab.state());
for (let st = await state(); !st.memory?.done; st = await state()) await new Promise((r) => setTimeout(r, 100));
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const native = (model, ids) => JSON.parse(execFileSync(path.join(ROOT, 'build/native/attnlab'),
  ['influence', '--model', path.join(ROOT, 'dist/models', model), '--all', '--ids', ids.join(',')], { maxBuffer: 64 << 20 }).toString()).ms;
const words = 'the dog saw a cat and it ran to the park because it was hungry'.split(' ');
const rows = [];
for (const n of [32, 64, 128, 256]) {
  let text = '';
  for (let i = 0; text.split(' ').length < n; i++) text += words[i % words.length] + ' ';
  const page_ms = [];
  let st;
  for (let r = 0; r < rounds; r++) {
    await page.evaluate((t) => window.attnlab.setText(t), text.trim() + (r % 2 ? ' .' : ''));
    for (st = await state(); !st.memory?.done; st = await state()) await new Promise((res) => setTimeout(res, 50));
    page_ms.push(st.memory.ms);
  }
  const nat = [];
  for (let r = 0; r < rounds; r++) nat.push(native(st.memory.transformer_model, st.ids) + native(st.memory.lstm_model, st.ids));
  rows.push({ T: st.ids.length, page: med(page_ms), native: med(nat), models: `${st.memory.transformer_model} + ${st.memory.lstm_model}` });
}
console.log(`Memory view, ${rows[0].models}, ${rounds} rounds, ${new Date().toISOString()}, commit ${commit}; medians, ms`);
console.log('| T | native (both models) | in Chromium (both models, per-frame slices) | Chromium ÷ native |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.T} | ${r.native.toFixed(0)} | ${r.page.toFixed(0)} | ${(r.page / r.native).toFixed(2)}× |`);
await b.close();
s.server.close();
