// GPT-2 forward/backward kernels for training (see layers.h for the dimension legend).
#include "train/layers.h"

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "model/ops.h"

typedef Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> MatRM;
typedef Eigen::Map<MatRM> MapM;
typedef Eigen::Map<const MatRM> CMapM;

// ----------------------------------------------------------------------------------------------------
// The weight products: Eigen natively (its GEMM, OpenMP-parallel); in WASM, where Eigen has no SIMD
// kernels, the engine's f32x4 kernels (model/ops.h: the page's inference products).
//   prod_nn: out (= or +=) a[M,K] @ b[K,N]    prod_nt: a[M,K] @ b[N,K]^T    prod_tn: a[K,M]^T @ b[K,N]

#ifdef __wasm_simd128__
static thread_local std::vector<float> g_prod, g_trans;
static void accumulate(float* out, const float* x, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] += x[i];
}
static void prod_nn(float* out, const float* a, const float* b, int M, int K, int N, bool acc) {
    if (acc) g_prod.resize((size_t)M * N);
    matmul(acc ? g_prod.data() : out, N, a, K, b, N, nullptr, M, K, N);
    if (acc) accumulate(out, g_prod.data(), (size_t)M * N);
}
static void prod_nt(float* out, const float* a, const float* b, int M, int K, int N, bool acc) {
    if (acc) g_prod.resize((size_t)M * N);
    matmul_bt(acc ? g_prod.data() : out, N, a, K, b, K, 1.0f, M, K, N);
    if (acc) accumulate(out, g_prod.data(), (size_t)M * N);
}
static void prod_tn(float* out, const float* a, const float* b, int M, int K, int N, bool acc) {
    g_trans.resize((size_t)M * K);  // a^T, row-major [M, K]
    for (int k = 0; k < K; k++)
        for (int m = 0; m < M; m++) g_trans[(size_t)m * K + k] = a[(size_t)k * M + m];
    prod_nn(out, g_trans.data(), b, M, K, N, acc);
}
#else
static void prod_nn(float* out, const float* a, const float* b, int M, int K, int N, bool acc) {
    MapM y(out, M, N);
    CMapM A(a, M, K), B(b, K, N);
    if (acc) y.noalias() += A * B;
    else y.noalias() = A * B;
}
static void prod_nt(float* out, const float* a, const float* b, int M, int K, int N, bool acc) {
    MapM y(out, M, N);
    CMapM A(a, M, K), B(b, N, K);
    if (acc) y.noalias() += A * B.transpose();
    else y.noalias() = A * B.transpose();
}
static void prod_tn(float* out, const float* a, const float* b, int M, int K, int N, bool acc) {
    MapM y(out, M, N);
    CMapM A(a, K, M), B(b, K, N);
    if (acc) y.noalias() += A.transpose() * B;
    else y.noalias() = A.transpose() * B;
}
#endif

// ----------------------------------------------------------------------------------------------------
// encoder

void encoder_forward(float* out, const int* inp, const float* wte, const float* wpe, int B, int T, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < B * T; n++) {
        const float* te = wte + (size_t)inp[n] * C;  // [C]
        const float* pe = wpe + (size_t)(n % T) * C;  // [C]
        float* o = out + (size_t)n * C;               // [C]
        for (int i = 0; i < C; i++) o[i] = te[i] + pe[i];
    }
}

void encoder_backward(float* dwte, float* dwpe, const float* dout, const int* inp, int B, int T, int C) {
    // serial: rows scatter into shared wte rows (repeated tokens); cheap next to the GEMMs
    for (int n = 0; n < B * T; n++) {
        const float* d = dout + (size_t)n * C;
        float* te = dwte + (size_t)inp[n] * C;
        float* pe = dwpe + (size_t)(n % T) * C;
        for (int i = 0; i < C; i++) {
            te[i] += d[i];
            pe[i] += d[i];
        }
    }
}

// ----------------------------------------------------------------------------------------------------
// layernorm

void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* w, const float* b,
                       int N, int C, float eps) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float* x = inp + (size_t)n * C;
        float m = 0.0f;
        for (int i = 0; i < C; i++) m += x[i];
        m /= C;
        float var = 0.0f;
        for (int i = 0; i < C; i++) var += (x[i] - m) * (x[i] - m);
        var /= C;
        float s = 1.0f / std::sqrt(var + eps);
        float* o = out + (size_t)n * C;
        for (int i = 0; i < C; i++) o[i] = (x[i] - m) * s * w[i] + b[i];
        mean[n] = m;
        rstd[n] = s;
    }
}

void layernorm_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w,
                        const float* mean, const float* rstd, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float* x = inp + (size_t)n * C;
        const float* d = dout + (size_t)n * C;
        float* dx = dinp + (size_t)n * C;
        float m = mean[n], s = rstd[n];
        float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
        for (int i = 0; i < C; i++) {
            float norm = (x[i] - m) * s;
            float dnorm = w[i] * d[i];
            dnorm_mean += dnorm;
            dnorm_norm_mean += dnorm * norm;
        }
        dnorm_mean /= C;
        dnorm_norm_mean /= C;
        for (int i = 0; i < C; i++) {
            float norm = (x[i] - m) * s;
            float dnorm = w[i] * d[i];
            dx[i] += (dnorm - dnorm_mean - norm * dnorm_norm_mean) * s;
        }
    }
    // parameter gradients: a reduction over rows, done serially in a fixed order
    for (int n = 0; n < N; n++) {
        const float* x = inp + (size_t)n * C;
        const float* d = dout + (size_t)n * C;
        float m = mean[n], s = rstd[n];
        for (int i = 0; i < C; i++) {
            dw[i] += (x[i] - m) * s * d[i];
            db[i] += d[i];
        }
    }
}

// ----------------------------------------------------------------------------------------------------
// matmul (Eigen parallelizes the GEMM over output blocks with OpenMP: deterministic per thread count)

void matmul_forward(float* out, const float* inp, const float* w, const float* b, int N, int C, int OC) {
    prod_nn(out, inp, w, N, C, OC, false);
    if (b)
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OC; o++) out[(size_t)n * OC + o] += b[o];
}

void matmul_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w, int N,
                     int C, int OC) {
    prod_nt(dinp, dout, w, N, OC, C, true);  // dx += [N,OC] @ [OC,C]
    prod_tn(dw, inp, dout, C, N, OC, true);  // dW += [C,N] @ [N,OC]
    // bias: plain row-order loop (Eigen's colwise sum peels by address, so its rounding would vary)
    if (db)
        for (int n = 0; n < N; n++) {
            const float* row = dout + (size_t)n * OC;
            for (int o = 0; o < OC; o++) db[o] += row[o];
        }
}

// ----------------------------------------------------------------------------------------------------
// attention

// Per (b, h) the attention is four small matrix products through Eigen (S = Q K^T, O = P V forward;
// dP = dO V^T, dV += P^T dO, dQ += dS K, dK += dS^T Q backward) on strided views of qkv, computing the
// full T x T square and masking it: twice the causal work, at GEMM speed instead of per-row loops.
typedef Eigen::Map<const MatRM, 0, Eigen::OuterStride<>> CStrided;
typedef Eigen::Map<MatRM, 0, Eigen::OuterStride<>> Strided;

void attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int H) {
    const int D = C / H;
    const int C3 = 3 * C;
    const float scale = 1.0f / std::sqrt((float)D);
#pragma omp parallel for schedule(static)
    for (int bh = 0; bh < B * H; bh++) {
        const int b = bh / H, h = bh % H;
        const float* base = qkv + (size_t)b * T * C3;
        CStrided q(base + h * D, T, D, Eigen::OuterStride<>(C3));          // [T, D]
        CStrided k(base + C + h * D, T, D, Eigen::OuterStride<>(C3));      // [T, D]
        CStrided v(base + 2 * C + h * D, T, D, Eigen::OuterStride<>(C3));  // [T, D]
        float* a = att + (size_t)bh * T * T;                               // [T, T]
        MapM p(a, T, T);
        p.noalias() = (q * scale) * k.transpose();
        for (int t = 0; t < T; t++) {                                      // causal softmax, row by row
            float* row = a + (size_t)t * T;
            const int n = t + 1;
            float maxv = row[0];
            for (int t2 = 1; t2 < n; t2++) maxv = row[t2] > maxv ? row[t2] : maxv;
            for (int t2 = 0; t2 < n; t2++) row[t2] = exp_fast(row[t2] - maxv);
            float sum = 0.0f;
            for (int t2 = 0; t2 < n; t2++) sum += row[t2];
            const float inv = 1.0f / sum;
            for (int t2 = 0; t2 < n; t2++) row[t2] *= inv;
            for (int t2 = n; t2 < T; t2++) row[t2] = 0.0f;
        }
        Strided o(out + (size_t)b * T * C + h * D, T, D, Eigen::OuterStride<>(C));  // [T, D]
        o.noalias() = p * v;
    }
}

void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, int B, int T, int C,
                        int H) {
    const int D = C / H;
    const int C3 = 3 * C;
    const float scale = 1.0f / std::sqrt((float)D);
    // each (b, h) touches only its own slices of dqkv, so the loop parallelizes without reductions
#pragma omp parallel
    {
        MatRM ds(T, T);                                                    // d(att), then d(scores)
#pragma omp for schedule(static)
        for (int bh = 0; bh < B * H; bh++) {
            const int b = bh / H, h = bh % H;
            const float* base = qkv + (size_t)b * T * C3;
            float* dbase = dqkv + (size_t)b * T * C3;
            CStrided q(base + h * D, T, D, Eigen::OuterStride<>(C3));
            CStrided k(base + C + h * D, T, D, Eigen::OuterStride<>(C3));
            CStrided v(base + 2 * C + h * D, T, D, Eigen::OuterStride<>(C3));
            Strided dq(dbase + h * D, T, D, Eigen::OuterStride<>(C3));
            Strided dk(dbase + C + h * D, T, D, Eigen::OuterStride<>(C3));
            Strided dv(dbase + 2 * C + h * D, T, D, Eigen::OuterStride<>(C3));
            CStrided dout_h(dout + (size_t)b * T * C + h * D, T, D, Eigen::OuterStride<>(C));
            CMapM p(att + (size_t)bh * T * T, T, T);
            // out = P V:  dP = dO V^T,  dV += P^T dO
            ds.noalias() = dout_h * v.transpose();
            dv.noalias() += p.transpose() * dout_h;
            // softmax backward: dS = P * (dP - sum(P * dP)) / sqrt(D) on the visible keys, 0 above
            for (int t = 0; t < T; t++) {
                const float* pr = att + (size_t)bh * T * T + (size_t)t * T;
                float* dr = ds.data() + (size_t)t * T;
                const int n = t + 1;
                float dot = 0.0f;
                for (int t2 = 0; t2 < n; t2++) dot += pr[t2] * dr[t2];
                for (int t2 = 0; t2 < n; t2++) dr[t2] = pr[t2] * (dr[t2] - dot) * scale;
                for (int t2 = n; t2 < T; t2++) dr[t2] = 0.0f;
            }
            dq.noalias() += ds * k;
            dk.noalias() += ds.transpose() * q;
        }
    }
}

// ----------------------------------------------------------------------------------------------------
// gelu (tanh approximation)

static const float GELU_SCALE = 0.7978845608028654f;  // sqrt(2/pi)

void gelu_forward(float* out, const float* inp, int n) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        float x = inp[i];
        float cube = 0.044715f * x * x * x;
        out[i] = 0.5f * x * (1.0f + tanh_fast(GELU_SCALE * (x + cube)));
    }
}

void gelu_backward(float* dinp, const float* inp, const float* dout, int n) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        float x = inp[i];
        float cube = 0.044715f * x * x * x;
        float arg = GELU_SCALE * (x + cube);
        float th = tanh_fast(arg);
        float sech2 = 1.0f - th * th;
        float local = 0.5f * (1.0f + th) + 0.5f * x * sech2 * GELU_SCALE * (1.0f + 3.0f * 0.044715f * x * x);
        dinp[i] += local * dout[i];
    }
}

// ----------------------------------------------------------------------------------------------------
// residual

void residual_forward(float* out, const float* a, const float* b, int n) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
}

void residual_backward(float* da, float* db, const float* dout, int n) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        da[i] += dout[i];
        db[i] += dout[i];
    }
}

// ----------------------------------------------------------------------------------------------------
// tied LM head + softmax + cross-entropy

double lm_head_forward(float* probs, float* losses, const float* x, const float* wte, const int* targets, int N,
                       int C, int V) {
    prod_nt(probs, x, wte, N, C, V, false);  // logits = [N,C] @ [C,V]
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        float* p = probs + (size_t)n * V;
        float maxv = -1e30f;
        for (int i = 0; i < V; i++) maxv = p[i] > maxv ? p[i] : maxv;
        float sum = 0.0f;
        for (int i = 0; i < V; i++) p[i] = exp_fast(p[i] - maxv);
        for (int i = 0; i < V; i++) sum += p[i];
        float inv = 1.0f / sum;
        for (int i = 0; i < V; i++) p[i] *= inv;
        losses[n] = -std::log(p[targets[n]]);
    }
    double total = 0.0;
    for (int n = 0; n < N; n++) total += losses[n];
    return total / N;
}

void lm_head_backward(float* dx, float* dwte, float* probs, const float* x, const float* wte, const int* targets,
                      int N, int C, int V, float inv_n) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        float* p = probs + (size_t)n * V;
        p[targets[n]] -= 1.0f;
        for (int i = 0; i < V; i++) p[i] *= inv_n;
    }
    prod_nn(dx, probs, wte, N, V, C, true);    // dX += [N,V] @ [V,C]
    prod_tn(dwte, probs, x, V, N, C, true);    // dW += [V,N] @ [N,C]
}
