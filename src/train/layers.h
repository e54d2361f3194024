// GPT-2 building blocks for training: forward/backward pairs on plain float arrays (llm.c style).
//
// Dimension legend:
//   B batch size   T sequence length   N = B*T rows   C channels (n_embd)   OC output channels
//   V vocabulary   H heads             D = C/H head size
//
// Conventions: activations are row-major [N, ...]; matrices use the HF Conv1D layout [in, out]
// (y = x @ W + b). Every backward *accumulates* (+=) into its parameter and input gradients.
// Parallel loops use OpenMP static schedules and no cross-thread float reductions, so results are
// bitwise deterministic for a fixed thread count.
#pragma once
#include <cstdint>
#include <cstring>

// e^x written so that GCC vectorizes loops that call it (-O3 -march=native: 16 lanes with AVX-512):
// Cephes expf, 2^n * p(r) with r = x - n ln2 in [-ln2/2, ln2/2], ~2 ulp; x clamped to [-87.3, 88.3]
// (no inf; e^-87.3 = 1.3e-38 stands for an underflow to 0). libm's expf/tanhf were a sixth of a step.
static inline float exp_fast(float x) {
    x = x < -87.3f ? -87.3f : (x > 88.3f ? 88.3f : x);
    const float shifter = 12582912.0f;                           // 1.5 * 2^23: adding it rounds to nearest
    float n = (x * 1.44269504088896341f + shifter) - shifter;
    float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
    float y = 1.9875691500e-4f;
    y = y * r + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    y = y * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;                     // 2^n, n in [-126, 128)
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

// tanh(a) = 1 - 2 / (e^(2a) + 1): exact limits at +-inf through the clamped exp.
static inline float tanh_fast(float a) { return 1.0f - 2.0f / (exp_fast(2.0f * a) + 1.0f); }


// out[N,C] = wte[inp[n]] + wpe[n % T]
void encoder_forward(float* out, const int* inp, const float* wte, const float* wpe, int B, int T, int C);
void encoder_backward(float* dwte, float* dwpe, const float* dout, const int* inp, int B, int T, int C);

// out = (x - mean) * rstd * w + b, per row; mean/rstd [N] are kept for the backward pass.
void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* w, const float* b,
                       int N, int C, float eps);
void layernorm_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w,
                        const float* mean, const float* rstd, int N, int C);

// out[N,OC] = inp[N,C] @ w[C,OC] + b[OC] (b may be null). GEMMs through Eigen.
void matmul_forward(float* out, const float* inp, const float* w, const float* b, int N, int C, int OC);
void matmul_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w, int N,
                     int C, int OC);

// Causal multi-head self-attention on qkv[N, 3C] (q | k | v, head-major inside each third).
// att[B,H,T,T] keeps the softmax rows (zeros above the diagonal); out[N,C] = att @ v per head.
void attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int H);
void attention_backward(float* dqkv, const float* dout, const float* qkv, const float* att, int B, int T, int C,
                        int H);

// GELU, tanh approximation (GPT-2's "gelu_new").
void gelu_forward(float* out, const float* inp, int n);
void gelu_backward(float* dinp, const float* inp, const float* dout, int n);

void residual_forward(float* out, const float* a, const float* b, int n);
void residual_backward(float* da, float* db, const float* dout, int n);

// Tied LM head + softmax + cross-entropy. logits[N,V] = x[N,C] @ wte[V,C]^T; probs overwrite logits.
// losses[N] = -log probs[n, targets[n]]; returns the mean loss (summed in double).
double lm_head_forward(float* probs, float* losses, const float* x, const float* wte, const int* targets, int N,
                       int C, int V);
// dlogits = (probs - onehot) * inv_n written in place over probs (inv_n = 1/N for the mean loss, or
// 1/N_total when the batch is split over workers); then dx += dlogits @ wte, dwte += dlogits^T @ x.
void lm_head_backward(float* dx, float* dwte, float* probs, const float* x, const float* wte, const int* targets,
                      int N, int C, int V, float inv_n);
