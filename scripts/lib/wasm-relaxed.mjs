// Renumbers the relaxed-SIMD fused multiply-add of a linked .wasm from the proposal's early opcode to the
// standard one, in place:
//
//   node scripts/lib/wasm-relaxed.mjs FILE.wasm
//
// Why: Debian's emscripten 3.1.6 compiles with clang-14, whose __builtin_wasm_fma_f32x4 writes the early
// f32x4.fma (0xfd 0xaf); browsers run the standard f32x4.relaxed_madd (0xfd 0x105, a * b + c with the same
// operand order), and binaryen 108 (the link's optimizer) only knows the early one, so the renumbering
// has to come after the link. Both opcodes' LEB128 encodings are two bytes (0xaf 0x01, 0x85 0x02): the
// module's layout does not change. The code section is decoded instruction by instruction (no byte
// search), any other early relaxed-SIMD opcode is an error, and the result must validate with relaxed
// SIMD enabled (this script re-runs itself under node's flag to check).
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const EARLY_FMA = 0xaf, MADD = 0x105;
// early relaxed-SIMD opcodes in slots the standard SIMD set left free (clang-14's numbering)
const EARLY_OTHER = new Set([0xa2, 0xa5, 0xa6, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xcf, 0xd0, 0xd2, 0xd3]);

function reader(bytes, pos) {
  const r = {
    pos,
    byte() { return bytes[r.pos++]; },
    leb() {                                   // unsigned or signed: only the length matters here
      let v = 0, shift = 0, b;
      do { b = bytes[r.pos++]; if (shift < 28) v |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
      return v >>> 0;
    },
    skip(n) { r.pos += n; },
    memarg() { const align = r.leb(); if (align & 0x40) r.leb(); r.leb(); },  // (memory index,) offset
  };
  return r;
}

// Walks one function body [start, end); calls onFma(offset of the opcode's LEB) for each early fma.
function walkBody(bytes, start, end, onFma) {
  const r = reader(bytes, start);
  for (let groups = r.leb(); groups > 0; groups--) { r.leb(); r.byte(); }   // locals: count, type
  while (r.pos < end) {
    const op = r.byte();
    if (op === 0x02 || op === 0x03 || op === 0x04) r.leb();                  // block type
    else if (op === 0x0c || op === 0x0d || op === 0x10 || op === 0x12 || (op >= 0x20 && op <= 0x26) ||
             op === 0xd2 || op === 0x41 || op === 0x42 || op === 0x3f || op === 0x40) r.leb();
    else if (op === 0x0e) { for (let n = r.leb(); n >= 0; n--) r.leb(); }   // br_table: labels + default
    else if (op === 0x11 || op === 0x13) { r.leb(); r.leb(); }              // call_indirect: type, table
    else if (op === 0x1c) r.skip(r.leb());                                   // select t*
    else if (op >= 0x28 && op <= 0x3e) r.memarg();
    else if (op === 0x43) r.skip(4);
    else if (op === 0x44) r.skip(8);
    else if (op === 0xd0) r.byte();
    else if (op === 0xfc) {
      const sub = r.leb();
      if (sub === 8 || sub === 10 || sub === 12 || sub === 14) { r.leb(); r.leb(); }
      else if (sub === 9 || sub === 11 || sub === 13 || (sub >= 15 && sub <= 17)) r.leb();
      else if (sub > 7) throw new Error(`unknown 0xfc ${sub} at ${r.pos}`);
    } else if (op === 0xfd) {
      const at = r.pos, sub = r.leb();
      if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) r.memarg();
      else if (sub === 0x0c || sub === 0x0d) r.skip(16);                    // v128.const, shuffle
      else if (sub >= 0x15 && sub <= 0x22) r.byte();                        // lane index
      else if (sub >= 0x54 && sub <= 0x5b) { r.memarg(); r.byte(); }         // load/store lane
      else if (sub === EARLY_FMA) onFma(at);
      else if (EARLY_OTHER.has(sub)) throw new Error(`early relaxed-SIMD opcode 0xfd 0x${sub.toString(16)} at ${at}: only f32x4.fma is renumbered`);
    } else if (op === 0xfe) { const sub = r.leb(); if (sub === 3) r.byte(); else r.memarg(); }
    else if (op === 0x06 || op === 0x07 || op === 0x08 || op === 0x09 || op === 0x18 || op === 0x19)
      throw new Error(`exception-handling opcode 0x${op.toString(16)} at ${r.pos - 1}: not expected`);
  }
  if (r.pos !== end) throw new Error(`function body ends at ${r.pos}, not ${end}`);
}

// Returns the number of renumbered instructions; bytes are changed in place.
export function renumberRelaxedFma(bytes) {
  if (bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('not a .wasm file');
  const r = reader(bytes, 8);
  let n = 0;
  while (r.pos < bytes.length) {
    const id = r.byte(), size = r.leb(), end = r.pos + size;
    if (id === 10) {
      for (let count = r.leb(); count > 0; count--) {
        const bodySize = r.leb(), bodyEnd = r.pos + bodySize;
        walkBody(bytes, r.pos, bodyEnd, (at) => {
          if (bytes[at] !== 0xaf || bytes[at + 1] !== 0x01) throw new Error(`f32x4.fma at ${at} is not encoded in two bytes`);
          bytes[at] = 0x80 | (MADD & 0x7f);
          bytes[at + 1] = MADD >> 7;
          n++;
        });
        r.pos = bodyEnd;
      }
    }
    r.pos = end;
  }
  return n;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, file] = process.argv[2] === '--validate' ? ['validate', process.argv[3]] : ['rewrite', process.argv[2]];
  if (!file) { console.error('usage: node scripts/lib/wasm-relaxed.mjs FILE.wasm'); process.exit(2); }
  const bytes = readFileSync(file);
  if (mode === 'validate') process.exit(WebAssembly.validate(bytes) ? 0 : 1);
  const n = renumberRelaxedFma(bytes);
  if (n === 0) { console.error(`${file}: no f32x4.fma to renumber (was it compiled with -mrelaxed-simd?)`); process.exit(1); }
  writeFileSync(file, bytes);
  try {
    execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', fileURLToPath(import.meta.url), '--validate', file]);
  } catch {
    console.error(`${file}: does not validate with relaxed SIMD after renumbering ${n} instructions`);
    process.exit(1);
  }
  console.log(`${file}: ${n} f32x4.fma renumbered to f32x4.relaxed_madd`);
}
