// What the GPT-2 and the LSTM trainers share: the batch split over shards, the AdamW update, one
// optimizer step, evaluation, checkpoint files and the exported folder (config, tokenizer, safetensors).
// Each trainer keeps only what is its own: the forward and backward pass, the parameter layout, the
// checkpoint header and the tensor names.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "train/train.h"

// The batch split into `shards` slices run in parallel, forward + backward, each into its own gradient
// buffer (shard 0 into m.grads, zeroed first), then summed in shard order: shards go to whichever thread
// is free (a descheduled thread does not hold up the step), and the result depends on the shard count
// only, not on the thread count or on which thread ran which shard. Returns the mean loss.
//   Model: params, grads, g (views into grads), workers[k].grads / .loss
//   point(buffer, views) lays the model's tensor views over a gradient buffer
//   run(worker, inputs, targets, windows, grad views, inv_n) runs one slice (and sets worker.loss)
template <typename Model, typename Views, typename Point, typename Run>
double sharded_forward_backward(Model& m, const int* inputs, const int* targets, int B, int T, int shards, Point point,
                                Run run) {
    shards = std::max(1, std::min(shards, B));
    if ((int)m.workers.size() < shards) m.workers.resize(shards);
    const size_t P = m.params.size();
    const float inv_n = 1.0f / (B * T);
    std::vector<Views> gv(shards);
    for (int k = 0; k < shards; k++) {
        if (k == 0) gv[k] = m.g;
        else {
            m.workers[k].grads.assign(P, 0.0f);
            point(m.workers[k].grads.data(), gv[k]);
        }
    }
    std::fill(m.grads.begin(), m.grads.end(), 0.0f);
#ifdef _OPENMP
    const int threads = std::min(omp_get_max_threads(), shards);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
#endif
    for (int k = 0; k < shards; k++) {
        const int b0 = B * k / shards, b1 = B * (k + 1) / shards;
        run(m.workers[k], inputs + (size_t)b0 * T, targets + (size_t)b0 * T, b1 - b0, gv[k], inv_n);
    }
    double loss = 0.0;
    for (int k = 0; k < shards; k++) loss += m.workers[k].loss * (B * (k + 1) / shards - B * k / shards) / B;
    for (int k = 1; k < shards; k++) {  // serial: cheap, and no fork/join
        float* dst = m.grads.data();
        const float* src = m.workers[k].grads.data();
        for (size_t i = 0; i < P; i++) dst[i] += src[i];
    }
    return loss;
}

float grad_norm(const std::vector<float>& grads);  // global L2 norm
// AdamW on n parameters at 1-based step t (bias corrections b1c = 1 - beta1^t, b2c = 1 - beta2^t), the
// gradients scaled by grad_scale (clipping); wd: this tensor's weight decay (0 for biases and norms).
void adamw_span(float* p, const float* g, float* m, float* v, size_t n, const TrainOptions& o, float lr, float b1c,
                float b2c, float grad_scale, float wd);

// One optimizer step: a batch sampled from toks (batch_sample, the options' copying windows), fb(inputs,
// targets, shards) for the loss and the gradients in `grads`, their global norm, clipping, the schedule's
// learning rate, update(lr, t, grad_scale); increments st.step.
template <typename FB, typename Update>
StepStats train_step_with(TrainState& st, const TrainOptions& o, const std::vector<uint16_t>& toks,
                          const std::vector<float>& grads, FB fb, Update update) {
    const int N = o.B * o.T;
    std::vector<int> in(N), tg(N);
    batch_sample(toks, o.B, o.T, st.rng, in.data(), tg.data(), o.copy);
    StepStats s;
    const int shards = o.shards > 0 ? o.shards : std::min(o.B, 2 * std::max(o.threads, 1));
    s.loss = fb(in.data(), tg.data(), shards);
    s.grad_norm = grad_norm(grads);
    const float scale = (o.grad_clip > 0 && s.grad_norm > o.grad_clip) ? o.grad_clip / s.grad_norm : 1.0f;
    s.lr = train_lr_at(o, st.step);
    update(s.lr, st.step + 1, scale);
    st.step++;
    return s;
}

// Mean of fwd(inputs, targets, B, T) over up to max_batches consecutive, non-overlapping windows from
// the start of toks.
double eval_loss_with(const std::vector<uint16_t>& toks, int B, int T, int max_batches,
                      const std::function<double(const int*, const int*, int, int)>& fwd);

// ---- checkpoint files: magic[8] | header (the model's shape) | int32 step | uint64 rng | float params[P]
//      | adam_m[P] | adam_v[P], little-endian, written to a temporary file and renamed (never half a file) --
bool checkpoint_write(const std::string& path, const char magic[8], const std::string& header, const TrainState& st,
                      const std::vector<float>& params, const std::vector<float>& adam_m,
                      const std::vector<float>& adam_v, std::string& err);
// Reads magic and header_bytes of header; alloc(header, err) sizes the model from it (false refuses the
// file) and returns the three arrays to fill, in the order written. what names the kind in messages.
bool checkpoint_read(const std::string& path, const char magic[8], size_t header_bytes, const char* what,
                     const std::function<std::vector<std::vector<float>*>(const std::string&, std::string&)>& alloc,
                     TrainState& st, std::string& err);

// ---- the exported folder ----------------------------------------------------------------------------
struct ExportTensor {
    std::string name;
    std::vector<int64_t> shape;
    const float* data;
};
// Reads vocab.json and merges.txt in tokenizer_dir (vocab.json must be an object of vocab_size entries),
// creates out_dir, writes config.json = config(eot) and copies the two files; eot is the id of
// "<|endoftext|>" (vocab_size - 1 if it has none).
bool export_folder(const std::string& tokenizer_dir, const std::string& out_dir, int vocab_size,
                   const std::function<nlohmann::ordered_json(int eot)>& config, std::string& err);
// model.safetensors: the tensors in order, F16 (rounded to nearest even) or F32, metadata {"format": "pt"}.
std::string safetensors_bytes(const std::vector<ExportTensor>& tensors, bool f16);
std::vector<ExportTensor> gpt2_export_tensors(const GPT2Config& cfg, const GPT2Weights& w);  // HF GPT2Model names
bool export_safetensors(const std::string& path, const std::vector<ExportTensor>& tensors, bool f16, std::string& err);
