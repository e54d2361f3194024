// Teaching the loaded model one text (see teach.h).
#include "train/teach.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#ifdef __EMSCRIPTEN__
#include <emscripten/heap.h>
#include <malloc.h>
#include <unistd.h>
#endif

#include "train/common.h"

const char* teach_part_name(int part) {
    return part == TEACH_EMBEDDINGS ? "embeddings" : part == TEACH_LAYER ? "layer" : "all";
}

size_t teach_memory_bytes(const GPT2Config& cfg, int tokens) {
    const size_t P = gpt2_num_params(cfg), N = (size_t)std::min(tokens, cfg.n_positions), C = cfg.n_embd;
    const size_t acts = N * (size_t)cfg.n_layer * (20 * C + (size_t)cfg.n_head * N) + N * (size_t)cfg.vocab_size * 2 + 8 * N * C;
    return (5 * P + acts) * sizeof(float);  // Reset's copy, weights, gradients, two moments; activations, scratch
}

size_t teach_memory_available() {
#ifdef __EMSCRIPTEN__
    // what the heap may still grow by, plus what malloc holds free inside it
    return emscripten_get_heap_max() - (size_t)sbrk(0) + (size_t)mallinfo().fordblks;
#else
    return SIZE_MAX;
#endif
}

// The [begin, end) parameter ranges that move for a part (offsets into the GPT2Weights buffer).
static std::vector<std::pair<size_t, size_t>> trained_ranges(const TrainModel& tm, int part, int layer) {
    const GPT2Config& c = tm.cfg;
    const float* base = tm.params.data();
    auto at = [&](const float* p) { return (size_t)(p - base); };
    if (part == TEACH_ALL) return {{0, tm.params.size()}};
    if (part == TEACH_EMBEDDINGS)  // wte then wpe, adjacent
        return {{at(tm.w.wte), at(tm.w.wpe) + (size_t)c.n_positions * c.n_embd}};
    const size_t C = c.n_embd;
    const GPT2Weights& w = tm.w;
    // each stacked [L, ...] tensor's slice of this layer: (start, floats per layer)
    const std::pair<const float*, size_t> per_layer[] = {
        {w.ln1w, C}, {w.ln1b, C}, {w.qkvw, C * 3 * C}, {w.qkvb, 3 * C}, {w.attprojw, C * C}, {w.attprojb, C},
        {w.ln2w, C}, {w.ln2b, C}, {w.fcw, C * 4 * C}, {w.fcb, 4 * C}, {w.fcprojw, 4 * C * C}, {w.fcprojb, C}};
    std::vector<std::pair<size_t, size_t>> r;
    for (const auto& [p, n] : per_layer) r.push_back({at(p) + layer * n, at(p) + (layer + 1) * n});
    return r;
}

bool teach_start(TeachSession& s, const Model& m, const std::vector<int>& ids, const TeachOptions& o, std::string& err) {
    s = TeachSession();
    if (!m.has_weights() || m.weights_f16()) {
        err = "teaching needs the model's F32 weights: load it without \"F16 weights\"";
        return false;
    }
    if (ids.size() < 2) {
        err = "teaching needs a text of two tokens or more";
        return false;
    }
    if (o.steps < 1 || o.steps > 10000 || !(o.lr > 0 && o.lr <= 1) || (o.part == TEACH_LAYER && (o.layer < 0 || o.layer >= m.cfg.n_layer))) {
        err = "teaching needs 1-10000 steps, a learning rate in (0, 1] and an existing layer";
        return false;
    }
    // a model too big for the memory left: say so instead of running out mid-step
    const size_t need = teach_memory_bytes(m.cfg, (int)ids.size());
    const size_t have = o.memory_limit ? o.memory_limit : teach_memory_available();
    if (need > have) {
        err = "teaching " + (m.name.empty() ? std::string("this model") : m.name) + " needs about " +
              std::to_string(need >> 20) + " MB of memory (a copy for Reset, gradients, AdamW state), and only about " +
              std::to_string(have >> 20) + " MB are left (try a smaller model)";
        return false;
    }
    train_set_threads(1);  // one text, batch 1: thread hand-offs would cost more than they give
    s.o = o, s.ids = ids;
    s.tm.cfg = m.cfg;
    s.tm.params = m.params;
    s.tm.grads.assign(m.params.size(), 0.0f);
    s.tm.adam_m.assign(m.params.size(), 0.0f);
    s.tm.adam_v.assign(m.params.size(), 0.0f);
    gpt2_weights_point(m.cfg, s.tm.params.data(), s.tm.w);
    gpt2_weights_point(m.cfg, s.tm.grads.data(), s.tm.g);
    s.tm.workers.assign(1, TrainWorker());
    s.trained = trained_ranges(s.tm, o.part, o.layer);
    s.topt.lr = o.lr, s.topt.warmup = 0, s.topt.min_lr_frac = 1.0f, s.topt.steps = o.steps;
    s.topt.weight_decay = 0.0f, s.topt.grad_clip = 1.0f, s.topt.shards = 1, s.topt.threads = 1;
    train_rng_seed(s.st.rng, o.seed);
    return true;
}

void teach_step(TeachSession& s, Model& m) {
    const int n = (int)s.ids.size(), T = std::min(n - 1, s.tm.cfg.n_positions);
    const int start = n - 1 > T ? (int)(train_rng_u64(s.st.rng) % (uint64_t)(n - T)) : 0;
    const double loss = train_forward_backward(s.tm, s.ids.data() + start, s.ids.data() + start + 1, 1, T, 1);
    // frozen parameters: zero gradients (their moments stay 0, so AdamW leaves them exactly as they were)
    std::vector<float>& g = s.tm.grads;
    size_t pos = 0;
    for (const auto& [b, e] : s.trained) {
        std::fill(g.begin() + pos, g.begin() + b, 0.0f);
        pos = e;
    }
    std::fill(g.begin() + pos, g.end(), 0.0f);
    const float norm = train_grad_norm(s.tm);
    const float scale = norm > s.topt.grad_clip ? s.topt.grad_clip / norm : 1.0f;
    train_adamw_update(s.tm, s.topt, s.topt.lr, (int)s.losses.size() + 1, scale);
    for (const auto& [b, e] : s.trained) std::copy(s.tm.params.begin() + b, s.tm.params.begin() + e, m.params.begin() + b);
    // re-pack what moved (the other matrices' packed copies are still exact)
    model_pack_weights(m, s.o.part == TEACH_ALL ? MODEL_PACK_ALL : s.o.part == TEACH_EMBEDDINGS ? MODEL_PACK_WTE : s.o.layer);
    s.losses.push_back((float)loss);
}

std::string gpt2_safetensors_bytes(const GPT2Config& cfg, const float* params, bool f16) {
    GPT2Weights w;
    gpt2_weights_point(cfg, const_cast<float*>(params), w);  // read only
    return safetensors_bytes(gpt2_export_tensors(cfg, w), f16);
}

std::string teach_part_text(const TeachOptions& o) {
    return o.part == TEACH_LAYER ? "layer:" + std::to_string(o.layer) : teach_part_name(o.part);
}

bool teach_part_parse(const std::string& text, TeachOptions& o) {
    if (text == "all" || text == "embeddings") {
        o.part = text == "all" ? TEACH_ALL : TEACH_EMBEDDINGS;
        return true;
    }
    if (text.rfind("layer:", 0) != 0 || text.size() < 7 || text.size() > 9) return false;
    for (size_t i = 6; i < text.size(); i++)
        if (text[i] < '0' || text[i] > '9') return false;
    o.part = TEACH_LAYER, o.layer = std::stoi(text.substr(6));
    return true;
}
