// Parameter layout shared by inference, loading and training (llm.c style: one buffer, 16 tensors).
#include "model/model.h"
#include "model/ops.h"
#include "model/safetensors.h"

void gpt2_tensor_sizes(const GPT2Config& cfg, size_t sizes[GPT2_NUM_TENSORS]) {
    size_t V = cfg.vocab_size, maxT = cfg.n_positions, L = cfg.n_layer, C = cfg.n_embd;
    sizes[0] = V * C;          // wte
    sizes[1] = maxT * C;       // wpe
    sizes[2] = L * C;          // ln1w
    sizes[3] = L * C;          // ln1b
    sizes[4] = L * C * 3 * C;  // qkvw
    sizes[5] = L * 3 * C;      // qkvb
    sizes[6] = L * C * C;      // attprojw
    sizes[7] = L * C;          // attprojb
    sizes[8] = L * C;          // ln2w
    sizes[9] = L * C;          // ln2b
    sizes[10] = L * C * 4 * C; // fcw
    sizes[11] = L * 4 * C;     // fcb
    sizes[12] = L * 4 * C * C; // fcprojw
    sizes[13] = L * C;         // fcprojb
    sizes[14] = C;             // lnfw
    sizes[15] = C;             // lnfb
}

void gpt2_weights_point(const GPT2Config& cfg, float* params, GPT2Weights& w) {
    size_t sizes[GPT2_NUM_TENSORS];
    gpt2_tensor_sizes(cfg, sizes);
    float** ptrs[GPT2_NUM_TENSORS] = {&w.wte,  &w.wpe,     &w.ln1w,     &w.ln1b, &w.qkvw, &w.qkvb,
                                      &w.attprojw, &w.attprojb, &w.ln2w, &w.ln2b, &w.fcw,  &w.fcb,
                                      &w.fcprojw,  &w.fcprojb,  &w.lnfw, &w.lnfb};
    for (int i = 0; i < GPT2_NUM_TENSORS; i++) {
        *ptrs[i] = params;
        params += sizes[i];
    }
}

size_t gpt2_num_params(const GPT2Config& cfg) {
    size_t sizes[GPT2_NUM_TENSORS], n = 0;
    gpt2_tensor_sizes(cfg, sizes);
    for (size_t s : sizes) n += s;
    return n;
}

bool gpt2_tensor_is_matrix(int i) { return i == 0 || i == 1 || i == 4 || i == 6 || i == 10 || i == 12; }

void gpt2_split_counts(const GPT2Config& cfg, size_t& n_small, size_t& n_big) {
    size_t sizes[GPT2_NUM_TENSORS];
    gpt2_tensor_sizes(cfg, sizes);
    n_small = n_big = 0;
    for (int i = 0; i < GPT2_NUM_TENSORS; i++) (gpt2_tensor_is_matrix(i) ? n_big : n_small) += sizes[i];
}

void gpt2_weights_point_f16(const GPT2Config& cfg, float* small, uint16_t* big, GPT2Weights& w) {
    size_t sizes[GPT2_NUM_TENSORS];
    gpt2_tensor_sizes(cfg, sizes);
    w = GPT2Weights{};
    float** f32[GPT2_NUM_TENSORS] = {nullptr, nullptr, &w.ln1w, &w.ln1b, nullptr, &w.qkvb, nullptr, &w.attprojb,
                                     &w.ln2w, &w.ln2b, nullptr, &w.fcb, nullptr, &w.fcprojb, &w.lnfw, &w.lnfb};
    const uint16_t** f16[GPT2_NUM_TENSORS] = {&w.wte_h, &w.wpe_h, nullptr, nullptr, &w.qkvw_h, nullptr, &w.attprojw_h,
                                              nullptr, nullptr, nullptr, &w.fcw_h, nullptr, &w.fcprojw_h,
                                              nullptr, nullptr, nullptr};
    for (int i = 0; i < GPT2_NUM_TENSORS; i++) {
        if (gpt2_tensor_is_matrix(i)) *f16[i] = big, big += sizes[i];
        else *f32[i] = small, small += sizes[i];
    }
}

void model_token_embedding(const Model& m, int id, float* out) {
    const int C = m.cfg.n_embd;
    for (int c = 0; c < C; c++)
        out[c] = m.w.wte_h ? f16_to_f32(m.w.wte_h[(size_t)id * C + c]) : m.w.wte[(size_t)id * C + c];
}

// The packed copy: per layer c_attn [C, 3C], attn c_proj [C, C], c_fc [C, 4C], mlp c_proj [4C, C] (each
// stacked over layers), then wte^T [C, V] for the LM head.
struct PackedParts {
    size_t qkv, proj, fc, fcproj, lm_head;  // floats of one layer's matrix (lm_head: the whole)
    size_t total(int L) const { return L * (qkv + proj + fc + fcproj) + lm_head; }
};
static PackedParts packed_parts(const GPT2Config& c) {
    const int C = c.n_embd;
    return {packed_floats(C, 3 * C), packed_floats(C, C), packed_floats(C, 4 * C), packed_floats(4 * C, C),
            packed_floats(C, c.vocab_size)};
}

size_t gpt2_packed_floats(const GPT2Config& cfg) {
    const size_t n = packed_parts(cfg).total(cfg.n_layer);
    return n * sizeof(float) <= GPT2_PACK_MAX_BYTES ? n : 0;
}

double gpt2_memory_bytes(const GPT2Config& cfg, bool f16) {
    size_t n_small, n_big;
    gpt2_split_counts(cfg, n_small, n_big);
    return f16 ? n_small * 4.0 + n_big * 2.0 : (n_small + n_big + gpt2_packed_floats(cfg)) * 4.0;
}

void Model::weights_repoint() {
    w = GPT2Weights{};
    if (!has_weights()) return;
    if (weights_f16()) { gpt2_weights_point_f16(cfg, params.data(), params_f16.data(), w); return; }
    gpt2_weights_point(cfg, params.data(), w);
    if (packed.empty() || packed.size() != gpt2_packed_floats(cfg)) return;
    const PackedParts p = packed_parts(cfg);
    const size_t L = cfg.n_layer;
    w.qkvw_p = packed.data();
    w.attprojw_p = w.qkvw_p + L * p.qkv;
    w.fcw_p = w.attprojw_p + L * p.proj;
    w.fcprojw_p = w.fcw_p + L * p.fc;
    w.wte_p = w.fcprojw_p + L * p.fcproj;
}

void model_pack_weights(Model& m, int only) {
    const size_t n = m.has_weights() && !m.weights_f16() ? gpt2_packed_floats(m.cfg) : 0;
    if (m.packed.size() != n) only = MODEL_PACK_ALL;  // a first pack: every matrix
    m.packed.resize(n);  // (every float is written below: a re-pack after teaching writes them once)
    m.weights_repoint();
    if (!n) return;
    const GPT2Weights& w = m.w;
    const size_t C = m.cfg.n_embd, L = m.cfg.n_layer;
    float* dst = m.packed.data();                                // in weights_repoint's order
    auto pack = [&](bool wanted, const float* b, int ldb, bool bt, int K, int N) {
        if (wanted) pack_weights(dst, b, ldb, bt, K, N);
        dst += packed_floats(K, N);
    };
    auto layer = [&](size_t l) { return only == MODEL_PACK_ALL || only == (int)l; };
    for (size_t l = 0; l < L; l++) pack(layer(l), w.qkvw + l * C * 3 * C, 3 * C, false, C, 3 * C);
    for (size_t l = 0; l < L; l++) pack(layer(l), w.attprojw + l * C * C, C, false, C, C);
    for (size_t l = 0; l < L; l++) pack(layer(l), w.fcw + l * C * 4 * C, 4 * C, false, C, 4 * C);
    for (size_t l = 0; l < L; l++) pack(layer(l), w.fcprojw + l * 4 * C * C, C, false, 4 * C, C);
    pack(only == MODEL_PACK_ALL || only == MODEL_PACK_WTE, w.wte, C, true, C, m.cfg.vocab_size);
}
