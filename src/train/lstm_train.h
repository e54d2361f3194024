// Training the LSTM language model (native only): forward and backward through time, AdamW, checkpoints,
// export to the PyTorch word_language_model layout (see model/lstm.h for the equations and file layout).
//
// Dimension legend:
//   B batch (windows)   T window length (truncated BPTT: gradients flow back to the window's start)
//   N = B*T rows, row n = b*T + t   V vocab   E embedding   H hidden   L layers   G = 4H (i | f | g | o)
//
// Each training window starts from the zero state, as every run of the engine does, so what the model
// learns is exactly what the page and `attnlab eval` measure (windows of T tokens, no carried state).
// Per layer: one GEMM for the input projections of all B*T rows, then T sequential steps of one
// [B, H] @ [H, 4H] GEMM each (the B windows of a step together); backward mirrors it: T sequential
// [B, 4H] @ [4H, H] steps for dh_{t-1}, then three GEMMs over all rows for dW_ih, dW_hh and dX.
//
// Parameters use the buffer layout of model/lstm.h (lstm_tensor_specs), so a trained buffer is what
// the engine loads. Reuses train.h's RNG, options, schedule, data sampling and F16 conversion.
// Errors are returned (false + message), never thrown.
#pragma once
#include <string>
#include <vector>

#include "model/lstm.h"
#include "train/train.h"

struct LSTMTrainWorker {
    int B = 0, T = 0;
    std::vector<int> inputs, targets;  // [N]
    std::vector<float> x0;             // [N, E] embeddings of the inputs
    std::vector<float> gates;          // [L, N, 4H] activations i | f | g | o
    std::vector<float> c, h;           // [L, N, H]
    std::vector<float> tanhc;          // [L, N, H] tanh(c)
    std::vector<float> probs;          // [N, V] (dlogits after backward)
    std::vector<float> losses;         // [N]
    std::vector<float> dh, dx, dz;     // backward scratch: [N, H], [N, max(E, H)], [N, 4H]
    std::vector<float> dh_next, dc_next, hrow;  // [B, H], [B, H], [B, H]
    std::vector<float> grads;          // [num_params] (workers > 0)
    double loss = 0.0;
};

struct LSTMTrainModel {
    LSTMConfig cfg;
    std::vector<float> params, grads, adam_m, adam_v;  // each [num_params]
    LSTMWeights w, g;                                  // views into params / grads
    std::vector<LSTMTrainWorker> workers;
    double loss = 0.0;
};

// word_language_model's init: encoder (and untied decoder) U(-0.1, 0.1), decoder bias 0; LSTM weights and
// biases U(-1/sqrt(H), 1/sqrt(H)) as torch.nn.LSTM, except the forget-gate slice of b_ih set to 1 (so
// that memory is kept by default early in training; Jozefowicz et al. 2015).
bool lstm_train_init(LSTMTrainModel& m, const LSTMConfig& cfg, uint64_t seed, std::string& err);
// Forward on inputs/targets [B*T] in workers[0]; mean cross-entropy (nats/token). targets may be null.
double lstm_train_forward(LSTMTrainModel& m, const int* inputs, const int* targets, int B, int T);
void lstm_train_zero_grad(LSTMTrainModel& m);
// Accumulates d(mean loss)/d(params) into m.grads after lstm_train_forward with targets.
void lstm_train_backward(LSTMTrainModel& m);
// The batch split over `shards` workers (dynamic threads, gradients summed in shard order: deterministic
// for a fixed shard count). Zeroes m.grads first; returns the mean loss.
double lstm_train_forward_backward(LSTMTrainModel& m, const int* inputs, const int* targets, int B, int T, int shards);
float lstm_train_grad_norm(const LSTMTrainModel& m);
// AdamW as the GPT trainer's (decay on the matrices: encoder, W_ih, W_hh, untied decoder; not biases).
void lstm_train_adamw_update(LSTMTrainModel& m, const TrainOptions& o, float lr, int t, float grad_scale);
// Samples a batch (batch_sample), forward/backward, clip, update; increments st.step.
StepStats lstm_train_step(LSTMTrainModel& m, TrainState& st, const TrainOptions& o, const std::vector<uint16_t>& toks);
// Mean loss over up to max_batches consecutive, non-overlapping windows from the start of toks.
double lstm_eval_loss(LSTMTrainModel& m, const std::vector<uint16_t>& toks, int B, int T, int max_batches);
// Training FLOPs per token (3 x 2 x multiply-adds of the products).
double lstm_flops_per_token(const LSTMConfig& cfg);

// ---- checkpoints: magic "ATLLSTM1" | int32 V, E, H, L, tie | int32 step | uint64 rng | params, m, v ---------
bool lstm_checkpoint_save(const LSTMTrainModel& m, const TrainState& st, const std::string& path, std::string& err);
bool lstm_checkpoint_load(LSTMTrainModel& m, TrainState& st, const std::string& path, std::string& err);

// ---- export: config.json, model.safetensors (F16, or F32), vocab.json + merges.txt copied -----------------
// Tied models also get decoder.weight (a copy of encoder.weight), as torch's state_dict has both: torch's
// load_state_dict(strict=True) refuses the file without it (tests/reference/torch_check_lstm.py). The
// copy costs V x H F16 values (1.4 MB for lstm-en-v2); the engine's loader checks it equals the encoder.
bool lstm_export(const LSTMTrainModel& m, const std::string& tokenizer_dir, const std::string& out_dir, bool f16,
                 std::string& err);
