// Encode throughput of js-tiktoken and gpt-tokenizer (r50k_base = GPT-2) on the same text, and the
// markdown table of all results. Not a test; run by scripts/dev/bench-tokenizer.
// Usage: node bench/tokenizer_bench.js TEXT RESULT.json...   (each RESULT.json: one line from tokenizer_bench)
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..');

const [textPath, ...resultFiles] = process.argv.slice(2);
const text = fs.readFileSync(textPath, 'utf8');
const bytes = Buffer.byteLength(text);
const RUNS = 7;

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }

// FNV-1a (32-bit) over each id's 4 little-endian bytes, as bench/tokenizer_bench.cpp computes it
function idsFnv1a(ids) {
  let h = 2166136261;
  for (const id of ids) for (let b = 0; b < 4; b++) h = Math.imul(h ^ ((id >>> (8 * b)) & 0xff), 16777619) >>> 0;
  return h;
}

// warm: after one untimed run (gpt-tokenizer caches pieces; js-tiktoken has no cache, so warm = JIT-warmed)
function bench(name, encode) {
  const ids = encode(text);  // warm-up; its ids are compared with the other encoders'
  const mbps = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    encode(text);
    const t1 = process.hrtime.bigint();
    mbps.push(bytes / 1e6 / (Number(t1 - t0) / 1e9));
  }
  return { name, bytes, ids: ids.length, ids_fnv1a: idsFnv1a(ids), idList: ids, warm_mbps: median(mbps) };
}

const { getEncoding } = require(path.join(root, 'node_modules/js-tiktoken'));
const tiktoken = getEncoding('r50k_base');
const gptTokenizer = require(path.join(root, 'node_modules/gpt-tokenizer/cjs/encoding/r50k_base'));

const results = resultFiles.map((f) => JSON.parse(fs.readFileSync(f, 'utf8').trim()));
const jsTik = bench('js-tiktoken 1.0.21 (node)', (t) => tiktoken.encode(t, [], []));
const gptTok = bench('gpt-tokenizer 4.0.0 (node)', (t) => gptTokenizer.encode(t, { disallowedSpecial: new Set() }));
results.push(jsTik, gptTok);

const base = jsTik.warm_mbps;
const rows = [];
for (const r of results) {
  rows.push([r.name, r.warm_mbps.toFixed(2), (r.warm_mbps / base).toFixed(2) + 'x', r.ids]);
  if (r.cold_mbps !== undefined) {
    rows.push([r.name + ', cold cache', r.cold_mbps.toFixed(2), (r.cold_mbps / base).toFixed(2) + 'x', r.ids]);
  }
}
console.log(`\nGPT-2 (r50k_base) encode, ${(bytes / 1e6).toFixed(2)} MB of varied text, median of ${RUNS} runs\n`);
console.log('| encoder | MB/s | vs js-tiktoken | ids |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
// The encoders must give the same ids (not only as many): a disagreement fails the run.
const differ = results.filter((r) => r.ids_fnv1a !== jsTik.ids_fnv1a || r.ids !== jsTik.ids);
if (differ.length) {
  for (const r of differ) {
    let at = '';
    if (r.idList) {  // both lists here: the first position where they differ
      const i = r.idList.findIndex((id, k) => id !== jsTik.idList[k]);
      at = ` (first difference at id ${i < 0 ? Math.min(r.ids, jsTik.ids) : i})`;
    }
    console.error(`FAIL: ${r.name} gives other ids than ${jsTik.name}: ${r.ids} ids, FNV-1a ${r.ids_fnv1a} vs ${jsTik.ids} ids, FNV-1a ${jsTik.ids_fnv1a}${at}`);
  }
  process.exit(1);
}
console.log(`\nAll ${results.length} encoders give the same ${jsTik.ids} ids (FNV-1a ${jsTik.ids_fnv1a}).`);
