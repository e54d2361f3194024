// Numeric kernels (see ops.h).
//
// Matrix products: a hand-written 128-bit GEMM (f32x4 multiply-add) used by every build, so the native
// build (SSE, -march=x86-64-v2) and the WASM builds (wasm_simd128.h) run the same algorithm at the same
// vector width. The page's second WASM build (-mrelaxed-simd, attnlab-fma.wasm) fuses each multiply-add
// into one f32x4.relaxed_madd, which rounds once where mul + add round twice: its products differ from the
// other builds' by about an ulp per term (the unit tests' tolerances cover both). -DATTNLAB_GEMM_EIGEN
// (or a target with neither) falls back to Eigen through Maps.
//
//   out[M, N] = a[M, K] @ B            B = b[K, N] (matmul) or b[N, K]^T (matmul_bt)
//   for each 16-column block j0 and 256-deep block k0:
//       pack B[k0.., j0..j0+16) once into a contiguous panel bp[kc, 16] (zero-padded, scale folded in)
//       for each 2-row block i0:  c[2, 16] (+)= a[i0.., k0..] @ bp   (8 f32x4 accumulators in registers)
//   M < 4 (a KV-cache step, one query): no packing, row-times-matrix loops on the operands directly.
// (2 x 16 tiles: per k, 4 panel loads and 2 broadcasts of a for 8 multiply-adds. V8 keeps them all in
// registers and runs them 15-18 % faster than 4 x 8 tiles, in both WASM builds; 3 x 12 and wider spill.)
// Weight matrices are packed once instead, at load (pack_weights, Model::packed): matmul_packed runs the
// same kernel on those panels, with no per-call packing (about 15 % of GPT-2 small's forward).
#include "model/ops.h"
#include "model/safetensors.h"  // f16_to_f32

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#if !defined(ATTNLAB_GEMM_EIGEN) && defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define ATTNLAB_F4 1
typedef v128_t f4;
static inline f4 f4_load(const float* p) { return wasm_v128_load(p); }
static inline void f4_store(float* p, f4 v) { wasm_v128_store(p, v); }
static inline f4 f4_splat_at(const float* p) { return wasm_v128_load32_splat(p); }
static inline f4 f4_splat(float x) { return wasm_f32x4_splat(x); }
static inline f4 f4_zero() { return wasm_f32x4_splat(0.0f); }
static inline f4 f4_add(f4 a, f4 b) { return wasm_f32x4_add(a, b); }
static inline f4 f4_mul(f4 a, f4 b) { return wasm_f32x4_mul(a, b); }
static inline f4 f4_sub(f4 a, f4 b) { return wasm_f32x4_sub(a, b); }
static inline f4 f4_div(f4 a, f4 b) { return wasm_f32x4_div(a, b); }
#ifdef __wasm_relaxed_simd__
// a * b + c. clang-14 writes the relaxed-SIMD proposal's early opcode (0xfd 0xaf); the build renumbers it
// to the standard f32x4.relaxed_madd (0xfd 0x105, same operands) after linking: scripts/lib/wasm-relaxed.mjs.
static inline f4 f4_madd(f4 a, f4 b, f4 c) { return __builtin_wasm_fma_f32x4(a, b, c); }
#else
static inline f4 f4_madd(f4 a, f4 b, f4 c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }
#endif
static inline f4 f4_clamp(f4 x, float lo, float hi) {
    return wasm_f32x4_pmin(wasm_f32x4_pmax(x, wasm_f32x4_splat(lo)), wasm_f32x4_splat(hi));
}
static inline f4 f4_round(f4 x) { return wasm_f32x4_nearest(x); }
static inline f4 f4_pow2(f4 n) {  // 2^n for integral n in [-126, 127]
    return wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
}
// 4 F16 values -> f32x4: each half sign-extended and shifted left 13 has its exponent and mantissa in
// place and the sign in bit 31 (bits 28..30, copies of the sign, are masked off): a float 2^-112 times the
// half (exact for normal and subnormal halves; weights are finite), scaled back by one multiply.
static inline f4 f4_load_h(const uint16_t* p) {
    v128_t bits = wasm_v128_and(wasm_i32x4_shl(wasm_i32x4_load16x4(p), 13), wasm_i32x4_splat((int)0x8fffe000u));
    return wasm_f32x4_mul(bits, wasm_f32x4_splat(0x1p112f));
}
static inline float f4_hsum(f4 v) {
    return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) +
           wasm_f32x4_extract_lane(v, 3);
}
#elif !defined(ATTNLAB_GEMM_EIGEN) && defined(__SSE2__)
#include <immintrin.h>
#define ATTNLAB_F4 1
typedef __m128 f4;
static inline f4 f4_load(const float* p) { return _mm_loadu_ps(p); }
static inline void f4_store(float* p, f4 v) { _mm_storeu_ps(p, v); }
static inline f4 f4_splat_at(const float* p) { return _mm_set1_ps(*p); }
static inline f4 f4_splat(float x) { return _mm_set1_ps(x); }
static inline f4 f4_zero() { return _mm_setzero_ps(); }
static inline f4 f4_add(f4 a, f4 b) { return _mm_add_ps(a, b); }
static inline f4 f4_mul(f4 a, f4 b) { return _mm_mul_ps(a, b); }
static inline f4 f4_sub(f4 a, f4 b) { return _mm_sub_ps(a, b); }
static inline f4 f4_div(f4 a, f4 b) { return _mm_div_ps(a, b); }
static inline f4 f4_madd(f4 a, f4 b, f4 c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }  // a * b + c
static inline f4 f4_clamp(f4 x, float lo, float hi) { return _mm_min_ps(_mm_max_ps(x, _mm_set1_ps(lo)), _mm_set1_ps(hi)); }
static inline f4 f4_round(f4 x) { return _mm_cvtepi32_ps(_mm_cvtps_epi32(x)); }  // nearest (MXCSR default)
static inline f4 f4_pow2(f4 n) {  // 2^n for integral n in [-126, 127]
    return _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(_mm_cvtps_epi32(n), _mm_set1_epi32(127)), 23));
}
static inline f4 f4_load_h(const uint16_t* p) {  // as the WASM version, SSE2 only
    // each half into a lane's high 16 bits, then an arithmetic shift right 3: sign-extended, shifted left 13
    __m128i h = _mm_srai_epi32(_mm_unpacklo_epi16(_mm_setzero_si128(), _mm_loadl_epi64((const __m128i*)p)), 3);
    __m128i bits = _mm_and_si128(h, _mm_set1_epi32((int)0x8fffe000u));
    return _mm_mul_ps(_mm_castsi128_ps(bits), _mm_set1_ps(0x1p112f));
}
static inline float f4_hsum(f4 v) {
    float t[4];
    _mm_storeu_ps(t, v);
    return t[0] + t[1] + t[2] + t[3];
}
#endif

// B operands are float, or uint16_t F16 weights converted as they are read.
static inline float b_at(const float* p) { return *p; }
static inline float b_at(const uint16_t* p) { return f16_to_f32(*p); }
#ifdef ATTNLAB_F4
static inline f4 f4_load_b(const float* p) { return f4_load(p); }
static inline f4 f4_load_b(const uint16_t* p) { return f4_load_h(p); }
#endif

enum { PANEL = 16 };                                             // columns of a packed panel (all builds)

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;
using ConstMatMap = Eigen::Map<const RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;
using ConstRowVec = Eigen::Map<const Eigen::Matrix<float, 1, Eigen::Dynamic>>;

const char* matmul_backend() {
#if defined(ATTNLAB_F4) && defined(__wasm_relaxed_simd__)
    return "f32x4 kernel (wasm relaxed simd, fused multiply-add)";
#elif defined(ATTNLAB_F4) && defined(__wasm_simd128__)
    return "f32x4 kernel (wasm simd128)";
#elif defined(ATTNLAB_F4)
    return "f32x4 kernel (SSE)";
#else
    return "Eigen";
#endif
}

// ----------------------------------------------------------------------------------------------------
// matrix products

#ifdef ATTNLAB_F4

enum { MR = 2, NR = PANEL, KC = 256, NV = NR / 4 };             // NV f32x4 per panel row
enum { FEW_ROWS = 4 };                                           // M below this: the unpacked row loops

// c[R, 16] = (first ? init[16] (bias, or zeros if null) : c) + a[R, kc] @ bp[kc, 16]
template <int R>
static inline void kernel(float* c, int ldc, const float* a, int lda, const float* bp, int kc, bool first,
                          const float* init) {
    f4 acc[R][NV];                                               // row r: columns 4v .. 4v+3
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++)
            acc[r][v] = !first ? f4_load(c + r * ldc + 4 * v) : init ? f4_load(init + 4 * v) : f4_zero();
    for (int k = 0; k < kc; k++) {
        f4 b[NV];                                                // [16] row k of the panel
        for (int v = 0; v < NV; v++) b[v] = f4_load(bp + k * NR + 4 * v);
        for (int r = 0; r < R; r++) {
            f4 ar = f4_splat_at(a + (size_t)r * lda + k);        // a[r, k] in all lanes
            for (int v = 0; v < NV; v++) acc[r][v] = f4_madd(ar, b[v], acc[r][v]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) f4_store(c + r * ldc + 4 * v, acc[r][v]);
}

// One row block of up to MR rows against a panel; partial column blocks go through a [R, 16] tile.
static void kernel_block(float* c, int ldc, const float* a, int lda, const float* bp, int kc, bool first,
                         const float* init, int rows, int cols) {
    float tile[MR * NR];
    float* cc = c;
    int ldcc = ldc;
    if (cols < NR) {
        cc = tile, ldcc = NR;
        if (!first)
            for (int r = 0; r < rows; r++) std::memcpy(tile + r * NR, c + (size_t)r * ldc, cols * sizeof(float));
    }
    if (rows == 2) kernel<2>(cc, ldcc, a, lda, bp, kc, first, init);
    else kernel<1>(cc, ldcc, a, lda, bp, kc, first, init);
    if (cols < NR)
        for (int r = 0; r < rows; r++) std::memcpy(c + (size_t)r * ldc, tile + r * NR, cols * sizeof(float));
}

// All row blocks of a[M, kc] against one panel bp[kc, 8] (columns j0 .. j0+nc of out).
static void panel_rows(float* out, int ldo, const float* a, int lda, const float* bp, int kc, bool first,
                       const float* init, int M, int nc) {
    for (int i0 = 0; i0 < M; i0 += MR)
        kernel_block(out + (size_t)i0 * ldo, ldo, a + (size_t)i0 * lda, lda, bp, kc, first, init,
                     std::min((int)MR, M - i0), nc);
}

// The first sums of columns j0 .. j0+nc: bias[j0 ..] zero-padded to 8, or null (zeros).
static const float* bias_panel(float init[NR], const float* bias, int j0, int nc) {
    if (!bias) return nullptr;
    for (int j = 0; j < NR; j++) init[j] = j < nc ? bias[j0 + j] : 0.0f;
    return init;
}

static thread_local std::vector<float> g_panel;                  // [KC, 8] grows once

// One panel: B[0 .. kc, 0 .. nc) -> bp[kc, 16], zero-padded, times scale. b points at B's first element:
// B = b[K, N] (row k at b + k * ldb) or, with bt, b[N, K]^T (column j at b + j * ldb).
template <typename BT>
static void pack_panel(float* bp, const BT* b, int ldb, bool bt, float scale, int kc, int nc) {
    if (!bt && nc == NR && scale == 1.0f) {
        for (int k = 0; k < kc; k++) {
            const BT* src = b + (size_t)k * ldb;                 // [16]
            for (int v = 0; v < NV; v++) f4_store(bp + k * NR + 4 * v, f4_load_b(src + 4 * v));
        }
    } else if (!bt) {
        for (int k = 0; k < kc; k++)
            for (int j = 0; j < NR; j++) bp[k * NR + j] = j < nc ? scale * b_at(b + (size_t)k * ldb + j) : 0.0f;
    } else {
        for (int j = 0; j < NR; j++) {
            if (j >= nc) { for (int k = 0; k < kc; k++) bp[k * NR + j] = 0.0f; continue; }
            const BT* src = b + (size_t)j * ldb;                 // [kc] row j of b
            if (scale == 1.0f) for (int k = 0; k < kc; k++) bp[k * NR + j] = b_at(src + k);
            else for (int k = 0; k < kc; k++) bp[k * NR + j] = scale * b_at(src + k);
        }
    }
}

// The packed path. bt: B = b[N, K]^T, else B = b[K, N]. scale multiplies B while packing.
template <typename BT>
static void gemm_packed(float* out, int ldo, const float* a, int lda, const BT* b, int ldb, bool bt, float scale,
                        const float* bias, int M, int K, int N) {
    if (g_panel.size() < (size_t)KC * NR) g_panel.resize((size_t)KC * NR);
    float* bp = g_panel.data();                                  // [kc, 16]
    float binit[NR];
    for (int j0 = 0; j0 < N; j0 += NR) {
        const int nc = std::min((int)NR, N - j0);
        const float* init = bias_panel(binit, bias, j0, nc);
        for (int k0 = 0; k0 < K; k0 += KC) {
            const int kc = std::min((int)KC, K - k0);
            pack_panel(bp, bt ? b + (size_t)j0 * ldb + k0 : b + (size_t)k0 * ldb + j0, ldb, bt, scale, kc, nc);
            panel_rows(out + j0, ldo, a + k0, lda, bp, kc, k0 == 0, init, M, nc);
        }
    }
}

// Weights packed at load: the panels of gemm_packed, all of them, side by side ([N / 16][K, 16]).
size_t packed_floats(int K, int N) { return (size_t)(N + NR - 1) / NR * NR * K; }

void pack_weights(float* dst, const float* b, int ldb, bool bt, int K, int N) {
    for (int j0 = 0; j0 < N; j0 += NR)                           // each panel [K, 16] whole
        pack_panel(dst + (size_t)j0 * K, bt ? b + (size_t)j0 * ldb : b + j0, ldb, bt, 1.0f, K, std::min((int)NR, N - j0));
}

void matmul_packed(float* out, int ldo, const float* a, int lda, const float* bp, const float* bias, int M, int K,
                   int N) {
    if (M <= 0 || N <= 0) return;
    float binit[NR];
    for (int j0 = 0; j0 < N; j0 += NR) {
        const int nc = std::min((int)NR, N - j0);
        const float* panel = bp + (size_t)j0 * K;                // [K, 16]
        const float* init = bias_panel(binit, bias, j0, nc);
        for (int k0 = 0; k0 < K; k0 += KC)                       // (a[.., k0 .. k0+KC) and the panel rows stay in L1)
            panel_rows(out + j0, ldo, a + k0, lda, panel + (size_t)k0 * NR, std::min((int)KC, K - k0), k0 == 0, init, M, nc);
    }
}

// Few rows (M < FEW_ROWS: a keystroke's one to three new tokens): no packing; B streams through once, row k of B
// (converted once, if F16) against all R rows of a. out[i, :] = bias + sum_k a[i, k] * b[k, :]
template <int R, typename BT>
static void gemm_rows_r(float* out, int ldo, const float* a, int lda, const BT* b, int ldb, const float* bias, int K,
                        int N) {
    for (int r = 0; r < R; r++)
        for (int j = 0; j < N; j++) out[(size_t)r * ldo + j] = bias ? bias[j] : 0.0f;
    for (int k = 0; k < K; k++) {
        const BT* bk = b + (size_t)k * ldb;                      // [N]
        f4 s[R];
        for (int r = 0; r < R; r++) s[r] = f4_splat(a[(size_t)r * lda + k]);
        int j = 0;
        for (; j + 4 <= N; j += 4) {
            const f4 bv = f4_load_b(bk + j);
            for (int r = 0; r < R; r++) {
                float* o = out + (size_t)r * ldo + j;
                f4_store(o, f4_madd(s[r], bv, f4_load(o)));
            }
        }
        for (; j < N; j++)
            for (int r = 0; r < R; r++) out[(size_t)r * ldo + j] += a[(size_t)r * lda + k] * b_at(bk + j);
    }
}

template <typename BT>
static void gemm_rows(float* out, int ldo, const float* a, int lda, const BT* b, int ldb, const float* bias, int M,
                      int K, int N) {
    if (M == 3) gemm_rows_r<3>(out, ldo, a, lda, b, ldb, bias, K, N);
    else if (M == 2) gemm_rows_r<2>(out, ldo, a, lda, b, ldb, bias, K, N);
    else gemm_rows_r<1>(out, ldo, a, lda, b, ldb, bias, K, N);
}

// Few rows, B transposed: out[i, j] = scale * dot(a[i, :], b[j, :]), no packing. Four rows of b at a time
// are read from memory once for all rows of a (they stay in L1 meanwhile), against two rows of a: 8 dot
// products in 8 registers, 6 loads per 8 multiply-adds (the packed kernel's ratio). The logit lens's
// dozen rows against GPT-2's 154 MB LM head then read it once, where packing would copy it every call.
enum { BT_ROWS = 16 };                                           // M below this: this path
template <int R, int NC, typename BT>
static inline void dots_bt(float* out, int ldo, const float* a, int lda, const BT* b, int ldb, float scale, int K) {
    f4 acc[R][NC];
    for (int r = 0; r < R; r++)
        for (int c = 0; c < NC; c++) acc[r][c] = f4_zero();
    int k = 0;
    for (; k + 4 <= K; k += 4) {
        f4 av[R];
        for (int r = 0; r < R; r++) av[r] = f4_load(a + (size_t)r * lda + k);
        for (int c = 0; c < NC; c++) {
            const f4 bv = f4_load_b(b + (size_t)c * ldb + k);
            for (int r = 0; r < R; r++) acc[r][c] = f4_madd(av[r], bv, acc[r][c]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int c = 0; c < NC; c++) {
            float sum = f4_hsum(acc[r][c]);
            for (int kk = k; kk < K; kk++) sum += a[(size_t)r * lda + kk] * b_at(b + (size_t)c * ldb + kk);
            out[(size_t)r * ldo + c] = scale * sum;
        }
}

// One row (a single-token step's LM head): b streams through once, row after row, two accumulators per dot.
template <typename BT>
static void gemm_row_bt(float* out, const float* a, const BT* b, int ldb, float scale, int K, int N) {
    for (int j = 0; j < N; j++) {
        const BT* bj = b + (size_t)j * ldb;                      // [K]
        f4 s0 = f4_zero(), s1 = f4_zero();
        int k = 0;
        for (; k + 8 <= K; k += 8) {
            s0 = f4_madd(f4_load(a + k), f4_load_b(bj + k), s0);
            s1 = f4_madd(f4_load(a + k + 4), f4_load_b(bj + k + 4), s1);
        }
        float sum = f4_hsum(f4_add(s0, s1));
        for (; k < K; k++) sum += a[k] * b_at(bj + k);
        out[j] = scale * sum;
    }
}

template <typename BT>
static void gemm_rows_bt(float* out, int ldo, const float* a, int lda, const BT* b, int ldb, float scale, int M,
                         int K, int N) {
    if (M < FEW_ROWS) {                                          // (one sequential stream per row is faster there)
        for (int i = 0; i < M; i++) gemm_row_bt(out + (size_t)i * ldo, a + (size_t)i * lda, b, ldb, scale, K, N);
        return;
    }
    for (int j = 0; j < N; j += 4) {
        const BT* bj = b + (size_t)j * ldb;                      // [4, K] rows j .. j+3 of b
        float* oj = out + j;
        const bool four = j + 4 <= N;
        for (int i = 0; i < M; i += 2) {
            const float* ai = a + (size_t)i * lda;               // [2, K]
            float* o = oj + (size_t)i * ldo;
            if (i + 2 <= M && four) dots_bt<2, 4>(o, ldo, ai, lda, bj, ldb, scale, K);
            else if (four) dots_bt<1, 4>(o, ldo, ai, lda, bj, ldb, scale, K);
            else
                for (int r = i; r < std::min(i + 2, M); r++)     // the last 1-3 columns
                    for (int c = j; c < N; c++) dots_bt<1, 1>(out + (size_t)r * ldo + c, ldo, a + (size_t)r * lda, lda,
                                                              b + (size_t)c * ldb, ldb, scale, K);
        }
    }
}

template <typename BT>
static void matmul_any(float* out, int ldo, const float* a, int lda, const BT* b, int ldb, const float* bias, int M,
                       int K, int N) {
    if (M <= 0 || N <= 0) return;
    if (M < FEW_ROWS) gemm_rows(out, ldo, a, lda, b, ldb, bias, M, K, N);
    else gemm_packed(out, ldo, a, lda, b, ldb, false, 1.0f, bias, M, K, N);
}

template <typename BT>
static void matmul_bt_any(float* out, int ldo, const float* a, int lda, const BT* b, int ldb, float scale, int M,
                          int K, int N) {
    if (M <= 0 || N <= 0) return;
    if (M < BT_ROWS) gemm_rows_bt(out, ldo, a, lda, b, ldb, scale, M, K, N);
    else gemm_packed(out, ldo, a, lda, b, ldb, true, scale, nullptr, M, K, N);
}

void matmul_bt_packed(float* out, int ldo, const float* a, int lda, const float* b, int ldb, const float* bp, int M,
                      int K, int N) {
    if (M < BT_ROWS) matmul_bt_any(out, ldo, a, lda, b, ldb, 1.0f, M, K, N);
    else matmul_packed(out, ldo, a, lda, bp, nullptr, M, K, N);
}

void matmul(float* out, int ldo, const float* a, int lda, const float* b, int ldb, const float* bias, int M, int K,
            int N) {
    matmul_any(out, ldo, a, lda, b, ldb, bias, M, K, N);
}
void matmul_f16(float* out, int ldo, const float* a, int lda, const uint16_t* b, int ldb, const float* bias, int M,
                int K, int N) {
    matmul_any(out, ldo, a, lda, b, ldb, bias, M, K, N);
}
void matmul_bt(float* out, int ldo, const float* a, int lda, const float* b, int ldb, float scale, int M, int K,
               int N) {
    matmul_bt_any(out, ldo, a, lda, b, ldb, scale, M, K, N);
}
void matmul_bt_f16(float* out, int ldo, const float* a, int lda, const uint16_t* b, int ldb, float scale, int M, int K,
                   int N) {
    matmul_bt_any(out, ldo, a, lda, b, ldb, scale, M, K, N);
}

#else  // Eigen

void matmul(float* out, int ldo, const float* a, int lda, const float* b, int ldb, const float* bias, int M, int K,
            int N) {
    MatMap o(out, M, N, Eigen::OuterStride<>(ldo));              // [M, N]
    ConstMatMap x(a, M, K, Eigen::OuterStride<>(lda));           // [M, K]
    ConstMatMap w(b, K, N, Eigen::OuterStride<>(ldb));           // [K, N]
    if (bias) {
        o.rowwise() = ConstRowVec(bias, N);                      // [M, N] broadcast bias
        o.noalias() += x * w;                                    // [M, N]
    } else {
        o.noalias() = x * w;                                     // [M, N]
    }
}

void matmul_bt(float* out, int ldo, const float* a, int lda, const float* b, int ldb, float scale, int M, int K,
               int N) {
    MatMap o(out, M, N, Eigen::OuterStride<>(ldo));              // [M, N]
    ConstMatMap x(a, M, K, Eigen::OuterStride<>(lda));           // [M, K]
    ConstMatMap y(b, N, K, Eigen::OuterStride<>(ldb));           // [N, K]
    if (scale == 1.0f) o.noalias() = x * y.transpose();           // [M, N]
    else o.noalias() = (x * scale) * y.transpose();               // [M, N] (scale folded into the smaller operand)
}

// No packing at load: packed_floats() = 0 keeps the model on matmul / matmul_bt, so pack_weights has
// nothing to do. (matmul_packed still computes the product from panels, plainly, for completeness.)
size_t packed_floats(int, int) { return 0; }
void pack_weights(float*, const float*, int, bool, int, int) {}

void matmul_packed(float* out, int ldo, const float* a, int lda, const float* bp, const float* bias, int M, int K,
                   int N) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            float sum = bias ? bias[j] : 0.0f;
            for (int k = 0; k < K; k++) sum += a[(size_t)i * lda + k] * bp[(size_t)(j / PANEL) * PANEL * K + k * PANEL + j % PANEL];
            out[(size_t)i * ldo + j] = sum;
        }
}

void matmul_bt_packed(float* out, int ldo, const float* a, int lda, const float* b, int ldb, const float*, int M,
                      int K, int N) {
    matmul_bt(out, ldo, a, lda, b, ldb, 1.0f, M, K, N);
}

// F16 operands: converted to a float copy first (the Eigen build is the comparison baseline only).
static const float* f16_copy(const uint16_t* b, int ldb, int rows, int cols) {
    static thread_local std::vector<float> tmp;
    tmp.resize((size_t)rows * cols);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) tmp[(size_t)r * cols + c] = b_at(b + (size_t)r * ldb + c);
    return tmp.data();
}
void matmul_f16(float* out, int ldo, const float* a, int lda, const uint16_t* b, int ldb, const float* bias, int M,
                int K, int N) {
    matmul(out, ldo, a, lda, f16_copy(b, ldb, K, N), N, bias, M, K, N);
}
void matmul_bt_f16(float* out, int ldo, const float* a, int lda, const uint16_t* b, int ldb, float scale, int M, int K,
                   int N) {
    matmul_bt(out, ldo, a, lda, f16_copy(b, ldb, N, K), K, scale, M, K, N);
}

#endif

// ----------------------------------------------------------------------------------------------------
// element-wise and row-wise

void layernorm(float* out, const float* x, const float* g, const float* b, int T, int C, float eps) {
    for (int t = 0; t < T; t++) {
        const float* xt = x + (size_t)t * C;                     // [C]
        float* ot = out + (size_t)t * C;                         // [C]
        float mean = 0.0f;
        for (int i = 0; i < C; i++) mean += xt[i];
        mean /= C;
        float var = 0.0f;
        for (int i = 0; i < C; i++) var += (xt[i] - mean) * (xt[i] - mean);
        var /= C;
        float rstd = 1.0f / std::sqrt(var + eps);
        for (int i = 0; i < C; i++) ot[i] = (xt[i] - mean) * rstd * g[i] + b[i];
    }
}

#ifdef ATTNLAB_F4
// e^x on 4 lanes (Cephes expf: 2^n * p(r), r = x - n ln2 in [-ln2/2, ln2/2]; ~2 ulp). Inputs are
// clamped to [-87.3, 88.3]: no inf, and e^-87.3 (1.3e-38) stands for an underflow to 0.
static inline f4 f4_exp(f4 x) {
    x = f4_clamp(x, -87.3f, 88.3f);
    f4 n = f4_round(f4_mul(x, f4_splat(1.44269504088896341f)));
    f4 r = f4_sub(f4_sub(x, f4_mul(n, f4_splat(0.693359375f))), f4_mul(n, f4_splat(-2.12194440e-4f)));
    f4 y = f4_splat(1.9875691500e-4f);
    y = f4_add(f4_mul(y, r), f4_splat(1.3981999507e-3f));
    y = f4_add(f4_mul(y, r), f4_splat(8.3334519073e-3f));
    y = f4_add(f4_mul(y, r), f4_splat(4.1665795894e-2f));
    y = f4_add(f4_mul(y, r), f4_splat(1.6666665459e-1f));
    y = f4_add(f4_mul(y, r), f4_splat(5.0000001201e-1f));
    y = f4_add(f4_add(f4_mul(f4_mul(y, r), r), r), f4_splat(1.0f));
    return f4_mul(y, f4_pow2(n));
}
#endif

void gelu_inplace(float* x, int n) {
    // 0.5 x (1 + tanh(u)) == x / (1 + exp(-2u)), u = sqrt(2/pi) (x + 0.044715 x^3): one exp instead of
    // tanhf (libm's tanhf was a third of the forward time). exp overflow gives the right limit (-0).
    const float s2 = 2.0f * 0.7978845608028654f;  // 2 sqrt(2 / pi)
    int i = 0;
#ifdef ATTNLAB_F4
    const f4 ms2 = f4_splat(-s2), c3 = f4_splat(0.044715f), one = f4_splat(1.0f);
    for (; i + 4 <= n; i += 4) {
        f4 v = f4_load(x + i);
        f4 u = f4_mul(ms2, f4_add(v, f4_mul(c3, f4_mul(v, f4_mul(v, v)))));
        f4_store(x + i, f4_div(v, f4_add(one, f4_exp(u))));
    }
#endif
    for (; i < n; i++) {
        float v = x[i];
        x[i] = v / (1.0f + std::exp(-s2 * (v + 0.044715f * v * v * v)));
    }
}

// σ(x) = 1 / (1 + e^-x), tanh(x) = 1 - 2 / (e^2x + 1): exact limits through the clamped exp.
void lstm_cell_rows(float* z, float* c, float* h, int rows, int H) {
    for (int r = 0; r < rows; r++) {
        float* zi = z + (size_t)r * 4 * H;
        float* zf = zi + H;
        float* zg = zi + 2 * H;
        float* zo = zi + 3 * H;
        float* cr = c + (size_t)r * H;
        float* hr = h + (size_t)r * H;
        int j = 0;
#ifdef ATTNLAB_F4
        const f4 one = f4_splat(1.0f), two = f4_splat(2.0f), zero = f4_zero();
        for (; j + 4 <= H; j += 4) {
            f4 i = f4_div(one, f4_add(one, f4_exp(f4_sub(zero, f4_load(zi + j)))));
            f4 f = f4_div(one, f4_add(one, f4_exp(f4_sub(zero, f4_load(zf + j)))));
            f4 g = f4_sub(one, f4_div(two, f4_add(f4_exp(f4_mul(two, f4_load(zg + j))), one)));
            f4 o = f4_div(one, f4_add(one, f4_exp(f4_sub(zero, f4_load(zo + j)))));
            f4 cn = f4_add(f4_mul(f, f4_load(cr + j)), f4_mul(i, g));
            f4 tc = f4_sub(one, f4_div(two, f4_add(f4_exp(f4_mul(two, cn)), one)));
            f4_store(zi + j, i), f4_store(zf + j, f), f4_store(zg + j, g), f4_store(zo + j, o);
            f4_store(cr + j, cn);
            f4_store(hr + j, f4_mul(o, tc));
        }
#endif
        for (; j < H; j++) {
            const float i = 1.0f / (1.0f + std::exp(-zi[j])), f = 1.0f / (1.0f + std::exp(-zf[j]));
            const float g = 1.0f - 2.0f / (std::exp(2.0f * zg[j]) + 1.0f), o = 1.0f / (1.0f + std::exp(-zo[j]));
            zi[j] = i, zf[j] = f, zg[j] = g, zo[j] = o;
            cr[j] = f * cr[j] + i * g;
            hr[j] = o * (1.0f - 2.0f / (std::exp(2.0f * cr[j]) + 1.0f));
        }
    }
}

void softmax_causal(float* w, const float* s, int n_visible, int n) {
    float mx = s[0];
    for (int j = 1; j < n_visible; j++) mx = s[j] > mx ? s[j] : mx;
    int j = 0;
#ifdef ATTNLAB_F4
    const f4 vmx = f4_splat(mx);
    for (; j + 4 <= n_visible; j += 4) f4_store(w + j, f4_exp(f4_sub(f4_load(s + j), vmx)));
#endif
    for (; j < n_visible; j++) w[j] = std::exp(s[j] - mx);
    double sum = 0.0;                                            // double: rows sum to 1 within 1e-6 at any T
    for (j = 0; j < n_visible; j++) sum += w[j];
    float inv = (float)(1.0 / sum);
    for (j = 0; j < n_visible; j++) w[j] *= inv;
    for (j = n_visible; j < n; j++) w[j] = 0.0f;                 // future keys: exactly zero
}

void softmax(float* probs, const float* x, int n) { softmax_causal(probs, x, n, n); }
