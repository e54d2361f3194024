// Numeric kernels (see ops.h). Eigen does the matrix products through Maps: no copies, no allocation
// beyond Eigen's own GEMM blocking buffers.
#include "model/ops.h"

#include <Eigen/Core>
#include <cmath>

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;
using ConstMatMap = Eigen::Map<const RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;
using ConstRowVec = Eigen::Map<const Eigen::Matrix<float, 1, Eigen::Dynamic>>;

// ----------------------------------------------------------------------------------------------------
// matrix products

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

void gelu_inplace(float* x, int n) {
    // 0.5 x (1 + tanh(u)) == x / (1 + exp(-2u)), u = sqrt(2/pi) (x + 0.044715 x^3): one expf instead of
    // tanhf (libm's tanhf was a third of the forward time). exp overflow gives the right limit (-0).
    const float s2 = 2.0f * 0.7978845608028654f;  // 2 sqrt(2 / pi)
    for (int i = 0; i < n; i++) {
        float v = x[i];
        x[i] = v / (1.0f + std::exp(-s2 * (v + 0.044715f * v * v * v)));
    }
}

void softmax_causal(float* w, const float* s, int n_visible, int n) {
    float mx = s[0];
    for (int j = 1; j < n_visible; j++) mx = s[j] > mx ? s[j] : mx;
    double sum = 0.0;                                            // double: rows sum to 1 within 1e-6 at any T
    for (int j = 0; j < n_visible; j++) {
        w[j] = std::exp(s[j] - mx);
        sum += w[j];
    }
    float inv = (float)(1.0 / sum);
    for (int j = 0; j < n_visible; j++) w[j] *= inv;
    for (int j = n_visible; j < n; j++) w[j] = 0.0f;             // future keys: exactly zero
}

void softmax(float* probs, const float* x, int n) { softmax_causal(probs, x, n, n); }
