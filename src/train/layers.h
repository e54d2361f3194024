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
