// The WebAssembly features the page needs or uses, and which engine build it loads. The page (app.js) and
// the offline cache (sw.js) ask the same question, so the cache holds the build the page will load.
'use strict';
// The smallest module using a SIMD opcode (i8x16.splat + i8x16.popcnt): valid only with WASM SIMD.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10,
                                   1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
// f32x4.relaxed_madd (0xfd 0x105) of a function's three v128 parameters: valid only with relaxed SIMD.
const RELAXED_SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123,
                                           3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11]);

// attnlab-fma.wasm (the matrix products with fused multiply-add) where relaxed SIMD validates, else
// attnlab.wasm (SIMD128: Safari, older browsers). `?wasm=simd128` in the query asks for the SIMD128 build
// anywhere (benchmarks and tests compare the two).
function attnlabWasmFile(search) {
  if (/[?&]wasm=simd128(&|$)/.test(search || '')) return 'attnlab.wasm';
  return WebAssembly.validate(RELAXED_SIMD_PROBE) ? 'attnlab-fma.wasm' : 'attnlab.wasm';
}
