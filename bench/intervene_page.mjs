// The Intervene panel's own timing in the real page (dist/, headless Chromium): activation patching of
// every head (state().patch.ms, the engine time of the scan's per-frame slices, wall clock in WASM) and
// one ablation toggle (state().run_ms of the re-run), on the built-in model at T = 16 and 128.
//   node bench/intervene_page.mjs [--rounds 5]
import { launch, serveDist, openPage } from '../tests/e2e/browser.mjs';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const b = await launch();
const s = await serveDist();
const { page } = await openPage(b.context, s.url);
const rows = await page.evaluate(async (rounds) => {
  const words = 'the dog saw a cat and it ran to the park because it was hungry'.split(' ');
  const out = [];
  for (const n of [16, 128]) {
    let text = '';
    for (let i = 0; window.attnlab.setText(text + words[i % words.length]) || window.attnlab.state().total_tokens <= n; i++)
      text += words[i % words.length] + ' ';
    window.attnlab.setText(text.trim());
    window.attnlab.apply({ compare: text.trim().replace('dog', 'cat'), intervene: 1, ablate: '' });
    const st = window.attnlab.state();
    const patch = [], toggle = [];
    for (let r = 0; r < rounds; r++) {
      window.attnlab.patch(st.top[0].id, st.top[1].id);
      for (;;) {
        const p = window.attnlab.state().patch;
        if (p.next < 0 || p.next === p.diffs.length) { patch.push(p.ms); break; }
        await new Promise((res) => setTimeout(res, 5));
      }
      window.attnlab.apply({ ablate: '1.1' });
      toggle.push(window.attnlab.state().run_ms);
      window.attnlab.apply({ ablate: '' });
      toggle.push(window.attnlab.state().run_ms);
    }
    out.push({ T: st.ids.length, patch, toggle, model: st.model.name, heads: st.model.n_layer * st.model.n_head });
  }
  return out;
}, rounds);
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const f = (x) => x.toFixed(1);
console.log(`Intervene in the page (${rows[0].model}), ${new Date().toISOString()}, ${rounds} rounds; median (min–max), ms`);
console.log('| T | patching every head (engine time of the slices) | ablation toggle on / off (run_ms) |');
console.log('|---|---|---|');
for (const r of rows)
  console.log(`| ${r.T} | ${f(med(r.patch))} (${f(Math.min(...r.patch))}–${f(Math.max(...r.patch))}), ${r.heads} heads | ${f(med(r.toggle))} (${f(Math.min(...r.toggle))}–${f(Math.max(...r.toggle))}) |`);
await b.close();
s.server.close();
