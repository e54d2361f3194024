// GPT-2 forward/backward kernels for training (see layers.h for the dimension legend).
#include "train/layers.h"

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

typedef Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> MatRM;
typedef Eigen::Map<MatRM> MapM;
typedef Eigen::Map<const MatRM> CMapM;
typedef Eigen::Map<const Eigen::RowVectorXf> CMapRow;

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
    MapM y(out, N, OC);
    CMapM x(inp, N, C), W(w, C, OC);
    y.noalias() = x * W;
    if (b) y.rowwise() += CMapRow(b, OC);
}

void matmul_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w, int N,
                     int C, int OC) {
    CMapM dy(dout, N, OC), x(inp, N, C), W(w, C, OC);
    MapM dx(dinp, N, C), dW(dw, C, OC);
    dx.noalias() += dy * W.transpose();  // [N,OC] @ [OC,C]
    dW.noalias() += x.transpose() * dy;  // [C,N] @ [N,OC]
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
    MapM logits(probs, N, V);
    CMapM X(x, N, C), W(wte, V, C);
    logits.noalias() = X * W.transpose();  // [N,C] @ [C,V]
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
    CMapM dlogits(probs, N, V), X(x, N, C), W(wte, V, C);
    MapM dX(dx, N, C), dW(dwte, V, C);
    dX.noalias() += dlogits * W;              // [N,V] @ [V,C]
    dW.noalias() += dlogits.transpose() * X;  // [V,N] @ [N,C]
}
