// Checkpoints (params + Adam state + step + RNG) and export to the Hugging Face GPT-2 layout.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>

#include "model/file.h"
#include "model/safetensors.h"  // f32_to_f16, f16_to_f32
#include "train/common.h"
#include "train/train.h"

// ----------------------------------------------------------------------------------------------------
// checkpoint file: little-endian
//   magic "ATLCKPT1" | int32 n_layer, n_head, n_embd, n_positions, vocab_size | float ln_eps
//   | int32 step | uint64 rng | float params[P] | float adam_m[P] | float adam_v[P]

static const char CKPT_MAGIC[8] = {'A', 'T', 'L', 'C', 'K', 'P', 'T', '1'};

bool checkpoint_save(const TrainModel& m, const TrainState& st, const std::string& path, std::string& err) {
    const int32_t hdr[5] = {m.cfg.n_layer, m.cfg.n_head, m.cfg.n_embd, m.cfg.n_positions, m.cfg.vocab_size};
    std::string header(reinterpret_cast<const char*>(hdr), sizeof(hdr));
    header.append(reinterpret_cast<const char*>(&m.cfg.layer_norm_epsilon), sizeof(float));
    return checkpoint_write(path, CKPT_MAGIC, header, st, m.params, m.adam_m, m.adam_v, err);
}

bool checkpoint_load(TrainModel& m, TrainState& st, const std::string& path, std::string& err) {
    auto alloc = [&](const std::string& header, std::string& e) -> std::vector<std::vector<float>*> {
        int32_t hdr[5];
        GPT2Config cfg;
        std::memcpy(hdr, header.data(), sizeof(hdr));
        std::memcpy(&cfg.layer_norm_epsilon, header.data() + sizeof(hdr), sizeof(float));
        cfg.n_layer = hdr[0], cfg.n_head = hdr[1], cfg.n_embd = hdr[2], cfg.n_positions = hdr[3], cfg.vocab_size = hdr[4];
        if (!train_model_init(m, cfg, 0, 0.0f, e)) return {};
        return {&m.params, &m.adam_m, &m.adam_v};
    };
    return checkpoint_read(path, CKPT_MAGIC, 5 * sizeof(int32_t) + sizeof(float), "training checkpoint", alloc, st, err);
}

// ----------------------------------------------------------------------------------------------------
// F16

// The loader's conversions (model/safetensors.cpp): one implementation, so a checkpoint exported here
// reads back bit-exactly.
uint16_t float_to_half(float f) { return f32_to_f16(f); }

float half_to_float(uint16_t h) { return f16_to_f32(h); }

// ----------------------------------------------------------------------------------------------------
// Hugging Face export

// 1e-5f as the double 1e-05 (not 9.99999974e-06), so config.json reads like Hugging Face's.
static double float_shortest(float f) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.7g", f);
    return strtod(buf, nullptr);
}


// The tensors in HF GPT2Model names; per-layer slices of the stacked buffers.
std::vector<ExportTensor> gpt2_export_tensors(const GPT2Config& c, const GPT2Weights& w) {
    const int64_t L = c.n_layer, C = c.n_embd, V = c.vocab_size, maxT = c.n_positions;
    std::vector<ExportTensor> ts;
    ts.push_back({"wte.weight", {V, C}, w.wte});
    ts.push_back({"wpe.weight", {maxT, C}, w.wpe});
    for (int64_t l = 0; l < L; l++) {
        std::string p = "h." + std::to_string(l) + ".";
        ts.push_back({p + "ln_1.weight", {C}, w.ln1w + l * C});
        ts.push_back({p + "ln_1.bias", {C}, w.ln1b + l * C});
        ts.push_back({p + "attn.c_attn.weight", {C, 3 * C}, w.qkvw + l * C * 3 * C});
        ts.push_back({p + "attn.c_attn.bias", {3 * C}, w.qkvb + l * 3 * C});
        ts.push_back({p + "attn.c_proj.weight", {C, C}, w.attprojw + l * C * C});
        ts.push_back({p + "attn.c_proj.bias", {C}, w.attprojb + l * C});
        ts.push_back({p + "ln_2.weight", {C}, w.ln2w + l * C});
        ts.push_back({p + "ln_2.bias", {C}, w.ln2b + l * C});
        ts.push_back({p + "mlp.c_fc.weight", {C, 4 * C}, w.fcw + l * C * 4 * C});
        ts.push_back({p + "mlp.c_fc.bias", {4 * C}, w.fcb + l * 4 * C});
        ts.push_back({p + "mlp.c_proj.weight", {4 * C, C}, w.fcprojw + l * 4 * C * C});
        ts.push_back({p + "mlp.c_proj.bias", {C}, w.fcprojb + l * C});
    }
    ts.push_back({"ln_f.weight", {C}, w.lnfw});
    ts.push_back({"ln_f.bias", {C}, w.lnfb});

    return ts;
}

bool export_hf(const TrainModel& m, const std::string& tokenizer_dir, const std::string& out_dir, bool f16,
               std::string& err) {
    const GPT2Config& c = m.cfg;
    auto config = [&](int eot) {
        return nlohmann::ordered_json{
            {"model_type", "gpt2"},
            {"architectures", {"GPT2LMHeadModel"}},
            {"vocab_size", c.vocab_size},
            {"n_positions", c.n_positions},
            {"n_ctx", c.n_positions},
            {"n_embd", c.n_embd},
            {"n_layer", c.n_layer},
            {"n_head", c.n_head},
            {"n_inner", nullptr},
            {"activation_function", "gelu_new"},
            {"layer_norm_epsilon", float_shortest(c.layer_norm_epsilon)},
            {"resid_pdrop", 0.0},
            {"embd_pdrop", 0.0},
            {"attn_pdrop", 0.0},
            {"initializer_range", 0.02},
            {"scale_attn_weights", true},
            {"tie_word_embeddings", true},
            {"bos_token_id", eot},
            {"eos_token_id", eot},
            {"torch_dtype", f16 ? "float16" : "float32"},
        };
    };
    if (!export_folder(tokenizer_dir, out_dir, c.vocab_size, config, err)) return false;

    return export_safetensors(out_dir + "/model.safetensors", gpt2_export_tensors(c, m.w), f16, err);
}
