// The small numeric kernels of the forward pass. All matrices are row-major float32.
// The two matmul functions are the only place that does matrix products: swap in hand SIMD kernels here.
#pragma once
#include <cstddef>
#include <cstdint>

// out[M, N] = a[M, K] @ b[K, N] (+ bias[N] if not null).  lda/ldb/ldo: row strides in floats.
void matmul(float* out, int ldo, const float* a, int lda, const float* b, int ldb, const float* bias, int M, int K,
            int N);
// out[M, N] = scale * a[M, K] @ b[N, K]^T.  (attention scores q.k, the tied LM head x.wte)
void matmul_bt(float* out, int ldo, const float* a, int lda, const float* b, int ldb, float scale, int M, int K,
               int N);
// The same with b holding F16 values (weights kept as F16 in memory), converted as they are read;
// the products are those of matmul / matmul_bt on the converted values, in the same order.
void matmul_f16(float* out, int ldo, const float* a, int lda, const uint16_t* b, int ldb, const float* bias, int M,
                int K, int N);
void matmul_bt_f16(float* out, int ldo, const float* a, int lda, const uint16_t* b, int ldb, float scale, int M, int K,
                   int N);
// Weight matrices packed once, at load, into the panels the products above build on every call:
// B = b[K, N] (bt: b[N, K]^T, the tied LM head) as ceil(N / 16) panels of [K, 16], zero-padded.
// packed_floats(K, N) is their size in floats, or 0 in a build whose products do not pack (Eigen):
// such a build keeps calling matmul / matmul_bt.
size_t packed_floats(int K, int N);
void pack_weights(float* dst, const float* b, int ldb, bool bt, int K, int N);
// out[M, N] = a[M, K] @ B (+ bias[N] if not null), B = b[K, N] packed by pack_weights: matmul's sums in
// matmul's order (bit for bit from 4 rows on; 1-3 rows read each panel once, as matmul reads b once).
void matmul_packed(float* out, int ldo, const float* a, int lda, const float* bp, const float* bias, int M, int K,
                   int N);
// out[M, N] = a[M, K] @ b[N, K]^T with bp = b packed (bt): matmul_bt's (scale 1) sums bit for bit, from bp
// where matmul_bt would pack (16 rows and more), from b where it reads b once without packing.
void matmul_bt_packed(float* out, int ldo, const float* a, int lda, const float* b, int ldb, const float* bp, int M,
                      int K, int N);
// Which matrix-product code this build uses ("f32x4 kernel (wasm simd128)", "f32x4 kernel (SSE)", "Eigen").
const char* matmul_backend();

// out[T, C] = (x - mean) / sqrt(var + eps) * g + b, per row (biased variance, as torch)
void layernorm(float* out, const float* x, const float* g, const float* b, int T, int C, float eps);
// x[n] = gelu(x), tanh approximation (HF "gelu_new")
void gelu_inplace(float* x, int n);
// LSTM cells of `rows` rows (torch gate order): z[rows, 4H] pre-activations i | f | g | o (biases added)
// become the activations σ(i) σ(f) tanh(g) σ(o) in place; c[rows, H] = f*c + i*g, h[rows, H] = o*tanh(c).
void lstm_cell_rows(float* z, float* c, float* h, int rows, int H);
// Causal softmax of one attention row: w[0..n_visible) = softmax(s[0..n_visible)), w[n_visible..n) = 0 exactly.
void softmax_causal(float* w, const float* s, int n_visible, int n);
// probs[n] = softmax(x[n]); returns nothing. In place allowed.
void softmax(float* probs, const float* x, int n);
