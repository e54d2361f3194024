// Training a GPT-2 on the CPU (native only): forward + backward, AdamW, warmup + cosine schedule,
// gradient clipping, checkpoints, and export to the Hugging Face GPT-2 layout.
//
// Dimension legend (as in llm.c):
//   B batch size   T sequence length (<= maxT)   N = B*T   C n_embd   V vocab   L layers   H heads
//   D = C/H head size   4C MLP width
//
// Parameters use the shared layout of model/model.h (GPT2Weights: one buffer, 16 tensors, HF Conv1D
// [in, out] matrices), so a trained buffer is exactly what the inference engine loads.
// Errors are returned (false + message), never thrown.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/model.h"

// Fixes the OpenMP (and so Eigen GEMM) thread count; results are deterministic for a given count.
void train_set_threads(int n);

// ---- random numbers (state saved in checkpoints) ----------------------------------------------------
struct TrainRng {
    uint64_t state = 0;
};
void train_rng_seed(TrainRng& r, uint64_t seed);
uint64_t train_rng_u64(TrainRng& r);     // splitmix64
float train_rng_uniform(TrainRng& r);    // [0, 1)
float train_rng_normal(TrainRng& r);     // N(0, 1), Box-Muller

// ---- the model being trained ---------------------------------------------------------------------------
struct TrainActivations {
    std::vector<float> encoded;                  // [N, C]
    std::vector<float> ln1, ln1_mean, ln1_rstd;  // [L, N, C], [L, N], [L, N]
    std::vector<float> qkv;                      // [L, N, 3C]
    std::vector<float> att;                      // [L, B, H, T, T]
    std::vector<float> atty;                     // [L, N, C] attention output before c_proj
    std::vector<float> residual2;                // [L, N, C] after the attention add
    std::vector<float> ln2, ln2_mean, ln2_rstd;  // [L, N, C], [L, N], [L, N]
    std::vector<float> fch, fch_gelu;            // [L, N, 4C]
    std::vector<float> residual3;                // [L, N, C] after the MLP add (= input of layer l+1)
    std::vector<float> lnf, lnf_mean, lnf_rstd;  // [N, C], [N], [N]
    std::vector<float> probs;                    // [N, V] (gradient of the logits after backward)
    std::vector<float> losses;                   // [N]
    std::vector<float> scratch;                  // [N, C] c_proj outputs
};

struct TrainGradScratch {                        // per-layer backward buffers, reused across layers
    std::vector<float> dresidual;                // [N, C] gradient flowing down the residual stream
    std::vector<float> dln, datty;               // [N, C]
    std::vector<float> dqkv;                     // [N, 3C]
    std::vector<float> dfch, dfch_gelu;          // [N, 4C]
};

// One slice of a batch: its activations, backward scratch and (for workers > 0) its own gradients.
// train_step splits the batch into shards, one worker each, handed to the threads dynamically: each
// runs forward + backward single-threaded (one fork/join per step), then gradients are summed in shard
// order, so results are deterministic for a fixed shard count, whatever the thread count.
struct TrainWorker {
    int B = 0, T = 0;                            // activations are sized for this shape
    TrainActivations acts;
    TrainGradScratch gs;
    std::vector<int> inputs, targets;            // [N]
    std::vector<float> grads;                    // [num_params] (unused by worker 0: it writes TrainModel::grads)
    double loss = 0.0;                           // mean loss over this worker's rows
};

struct TrainModel {
    GPT2Config cfg;
    std::vector<float> params, grads, adam_m, adam_v;  // each [num_params]
    GPT2Weights w, g;                                  // views into params / grads
    std::vector<TrainWorker> workers;                  // [threads]; workers[0] serves train_forward
    double loss = 0.0;                                 // mean loss of the last forward
};

// Allocates parameters (GPT-2 init: N(0, std), projections N(0, std/sqrt(2L)), layernorm 1/0).
bool train_model_init(TrainModel& m, const GPT2Config& cfg, uint64_t seed, float init_std, std::string& err);
// Replaces the position embeddings by sinusoids (Vaswani et al.: sin/cos pairs, wavelengths from 2 pi to
// 10000 * 2 pi) scaled to root-mean-square `rms`. They stay trainable; a relative offset such as "the
// previous token" is then a linear map of them, which a query/key pair can learn from the first steps.
void train_wpe_sinusoid(TrainModel& m, float rms);
// Runs the forward pass on inputs/targets [B*T] (in workers[0], using the OpenMP threads inside each
// kernel) and returns the mean cross-entropy (nats/token). targets may be null: then only the
// activations and probabilities are computed (loss = 0).
double train_forward(TrainModel& m, const int* inputs, const int* targets, int B, int T);
void train_zero_grad(TrainModel& m);
// Accumulates d(mean loss)/d(params) into m.grads (after train_forward with targets).
void train_backward(TrainModel& m);
// Forward + backward of one batch split over `shards` workers run in parallel; sets m.grads (zeroed
// first) and returns the mean loss. shards = 1 equals train_forward + train_zero_grad + train_backward.
double train_forward_backward(TrainModel& m, const int* inputs, const int* targets, int B, int T, int shards);

// ---- optimizer -----------------------------------------------------------------------------------------
// Copying windows (teach in-context copying): with probability frac a window repeats one of its spans,
// L in [T/16, max_frac T] tokens, later in the same window; with probability `random` the span is random
// ids from [random_lo, random_hi) instead of the window's text. No extra random numbers are drawn when
// frac = 0.
struct CopyWindows {
    float frac = 0.0f, max_frac = 0.25f, random = 0.0f;
    int random_lo = 0, random_hi = 0;
    // periodic: the span (L in [T/32, max_frac T]) repeats itself to the end of the window, so every token
    // after its first copy is predictable from one period back (many copies per window, not one)
    bool periodic = false;
    // reverse: the probability that a copying window is reversed instead (never periodic): from its start,
    // pairs of a span (a fresh stretch of the text, or random ids) and the same span read backwards, so the
    // token after a repeated token is the one *before* its earlier copy, and no pair of tokens comes twice
    // (an induction head cannot predict it from an earlier backwards copy): attending to that same earlier
    // token (a duplicate-token head) and reading what the previous-token head wrote there predicts it. No
    // extra random numbers when 0.
    float reverse = 0.0f;
    // mark: the probability that a copying window marks repeats instead (drawn before `reverse`): it
    // starts with mark_token, then every token that already occurred in it is followed by mark_token. Its
    // tokens are the window's text or, with probability `random`, random ids half of which repeat an earlier
    // one. Whether the current token occurred before is then what predicts the next one, which a
    // duplicate-token head (attending from a token to its earlier copy) answers. No extra random numbers
    // when 0.
    float mark = 0.0f;
    int mark_token = -1;
};
struct TrainOptions {
    int B = 16, T = 128;
    int steps = 1000;            // total optimizer steps (the cosine reaches min_lr here)
    int warmup = 100;
    float lr = 3e-3f, min_lr_frac = 0.1f;
    float beta1 = 0.9f, beta2 = 0.95f, adam_eps = 1e-8f, weight_decay = 0.1f;
    float grad_clip = 1.0f;      // max global gradient norm (<= 0: off)
    uint64_t seed = 1337;
    int threads = 2;
    CopyWindows copy;            // copying windows (batch_sample)
    int shards = 0;              // batch slices per step (0: 2 x threads, at most B); results depend on
                                 // the shard count only, not on the thread count or which thread ran what
};

float train_lr_at(const TrainOptions& o, int step);     // warmup + cosine; step counts from 0
float train_grad_norm(const TrainModel& m);             // global L2 norm of m.grads
// One AdamW update at 1-based optimizer step t, with gradients scaled by grad_scale (clipping).
// Weight decay applies to the matrices (wte, wpe, c_attn, c_proj, c_fc, mlp c_proj), not biases/layernorms.
void train_adamw_update(TrainModel& m, const TrainOptions& o, float lr, int t, float grad_scale);

// ---- data: uint16 token files ----------------------------------------------------------------------------
bool token_file_load(const std::string& path, std::vector<uint16_t>& out, std::string& err);
// B random windows of T+1 tokens: inputs = window[0..T), targets = window[1..T], some of them copying windows.
void batch_sample(const std::vector<uint16_t>& toks, int B, int T, TrainRng& rng, int* inputs, int* targets,
                  const CopyWindows& copy = CopyWindows());
// Mean loss over up to max_batches consecutive, non-overlapping windows from the start of toks.
double eval_loss(TrainModel& m, const std::vector<uint16_t>& toks, int B, int T, int max_batches);

// ---- checkpoints: params + Adam state + step + RNG -------------------------------------------------------
struct TrainState {
    int step = 0;                // optimizer steps done
    TrainRng rng;                // data sampling RNG
};
bool checkpoint_save(const TrainModel& m, const TrainState& st, const std::string& path, std::string& err);
// Restores cfg, params, Adam moments, step and RNG into m (allocating it) and st.
bool checkpoint_load(TrainModel& m, TrainState& st, const std::string& path, std::string& err);

// ---- one training step ---------------------------------------------------------------------------------------
struct StepStats {
    double loss;
    float lr, grad_norm;
};
// Samples a batch from toks, runs forward/backward, clips and updates; increments st.step.
StepStats train_step(TrainModel& m, TrainState& st, const TrainOptions& o, const std::vector<uint16_t>& toks);

// ---- speed --------------------------------------------------------------------------------------------------
// Training FLOPs per token of a configuration at window T: 3 x (forward multiply-adds x 2), counting the
// matrix products (weights, tied LM head, causal Q.K and att.V), not the element-wise work.
double train_flops_per_token(const GPT2Config& cfg, int T);
// The host's best multiply-add rate over `seconds` of FMA loops on `threads` threads (GFLOP/s).
double train_peak_gflops(int threads, double seconds);

// ---- export to the Hugging Face GPT-2 layout ------------------------------------------------------------------
// Writes config.json, model.safetensors (F16; F32 if f16 is false), and copies vocab.json + merges.txt
// from tokenizer_dir into out_dir (created if missing).
bool export_hf(const TrainModel& m, const std::string& tokenizer_dir, const std::string& out_dir, bool f16,
               std::string& err);
uint16_t float_to_half(float f);  // round to nearest even
float half_to_float(uint16_t h);
