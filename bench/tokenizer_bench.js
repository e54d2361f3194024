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

// warm: after one untimed run (gpt-tokenizer caches pieces; js-tiktoken has no cache, so warm = JIT-warmed)
function bench(name, encode) {
  let nIds = encode(text).length;  // warm-up
  const mbps = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    nIds = encode(text).length;
    const t1 = process.hrtime.bigint();
    mbps.push(bytes / 1e6 / (Number(t1 - t0) / 1e9));
  }
  return { name, bytes, ids: nIds, warm_mbps: median(mbps) };
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
const idCounts = new Set(results.map((r) => r.ids));
if (idCounts.size !== 1) console.log(`\nWARNING: encoders disagree on the id count: ${[...idCounts].join(', ')}`);
