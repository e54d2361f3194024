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
#include "train/train.h"

// ----------------------------------------------------------------------------------------------------
// checkpoint file: little-endian
//   magic "ATLCKPT1" | int32 n_layer, n_head, n_embd, n_positions, vocab_size | float ln_eps
//   | int32 step | uint64 rng | float params[P] | float adam_m[P] | float adam_v[P]

static const char CKPT_MAGIC[8] = {'A', 'T', 'L', 'C', 'K', 'P', 'T', '1'};

bool checkpoint_save(const TrainModel& m, const TrainState& st, const std::string& path, std::string& err) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) {
            err = "cannot write checkpoint " + tmp;
            return false;
        }
        int32_t hdr[5] = {m.cfg.n_layer, m.cfg.n_head, m.cfg.n_embd, m.cfg.n_positions, m.cfg.vocab_size};
        int32_t step = st.step;
        f.write(CKPT_MAGIC, 8);
        f.write(reinterpret_cast<const char*>(hdr), sizeof(hdr));
        f.write(reinterpret_cast<const char*>(&m.cfg.layer_norm_epsilon), sizeof(float));
        f.write(reinterpret_cast<const char*>(&step), sizeof(step));
        f.write(reinterpret_cast<const char*>(&st.rng.state), sizeof(uint64_t));
        for (const std::vector<float>* v : {&m.params, &m.adam_m, &m.adam_v})
            f.write(reinterpret_cast<const char*>(v->data()), v->size() * sizeof(float));
        if (!f) {
            err = "write failed for checkpoint " + tmp;
            return false;
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {  // atomic: a crash never leaves half a checkpoint
        err = "cannot rename " + tmp + " to " + path;
        return false;
    }
    return true;
}

bool checkpoint_load(TrainModel& m, TrainState& st, const std::string& path, std::string& err) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        err = "cannot open checkpoint " + path;
        return false;
    }
    char magic[8];
    int32_t hdr[5], step;
    float eps;
    uint64_t rng;
    f.read(magic, 8);
    f.read(reinterpret_cast<char*>(hdr), sizeof(hdr));
    f.read(reinterpret_cast<char*>(&eps), sizeof(eps));
    f.read(reinterpret_cast<char*>(&step), sizeof(step));
    f.read(reinterpret_cast<char*>(&rng), sizeof(rng));
    if (!f || memcmp(magic, CKPT_MAGIC, 8) != 0) {
        err = path + " is not an attnlab training checkpoint";
        return false;
    }
    GPT2Config cfg;
    cfg.n_layer = hdr[0];
    cfg.n_head = hdr[1];
    cfg.n_embd = hdr[2];
    cfg.n_positions = hdr[3];
    cfg.vocab_size = hdr[4];
    cfg.layer_norm_epsilon = eps;
    if (!train_model_init(m, cfg, 0, 0.0f, err)) return false;
    for (std::vector<float>* v : {&m.params, &m.adam_m, &m.adam_v})
        f.read(reinterpret_cast<char*>(v->data()), v->size() * sizeof(float));
    if (!f) {
        err = "checkpoint " + path + " is truncated";
        return false;
    }
    st.step = step;
    st.rng.state = rng;
    return true;
}

// ----------------------------------------------------------------------------------------------------
// F16

// The loader's conversions (model/safetensors.cpp): one implementation, so a checkpoint exported here
// reads back bit-exactly.
uint16_t float_to_half(float f) { return f32_to_f16(f); }

float half_to_float(uint16_t h) { return f16_to_f32(h); }

// ----------------------------------------------------------------------------------------------------
// Hugging Face export

static bool read_text(const std::string& path, std::string& out) { return file_read(path, out); }

static bool write_text(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    return (bool)f;
}

// 1e-5f as the double 1e-05 (not 9.99999974e-06), so config.json reads like Hugging Face's.
static double float_shortest(float f) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.7g", f);
    return strtod(buf, nullptr);
}

struct ExportTensor {
    std::string name;
    std::vector<int64_t> shape;
    const float* data;
};

bool export_hf(const TrainModel& m, const std::string& tokenizer_dir, const std::string& out_dir, bool f16,
               std::string& err) {
    const GPT2Config& c = m.cfg;
    std::string vocab, merges;
    if (!read_text(tokenizer_dir + "/vocab.json", vocab) || !read_text(tokenizer_dir + "/merges.txt", merges)) {
        err = "cannot read vocab.json / merges.txt in " + tokenizer_dir;
        return false;
    }
    nlohmann::json vj = nlohmann::json::parse(vocab, nullptr, false);
    if (vj.is_discarded() || !vj.is_object()) {
        err = tokenizer_dir + "/vocab.json is not a JSON object";
        return false;
    }
    if ((int)vj.size() != c.vocab_size) {
        err = "vocab.json has " + std::to_string(vj.size()) + " entries but the model has vocab_size " +
              std::to_string(c.vocab_size);
        return false;
    }
    int eot = c.vocab_size - 1;
    if (vj.contains("<|endoftext|>") && vj["<|endoftext|>"].is_number_integer()) eot = vj["<|endoftext|>"].get<int>();

    mkdir(out_dir.c_str(), 0755);
    nlohmann::ordered_json cfg = {
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
    if (!write_text(out_dir + "/config.json", cfg.dump(2) + "\n") || !write_text(out_dir + "/vocab.json", vocab) ||
        !write_text(out_dir + "/merges.txt", merges)) {
        err = "cannot write into " + out_dir;
        return false;
    }

    // tensors in HF GPT2Model names; per-layer slices of the stacked buffers
    const int64_t L = c.n_layer, C = c.n_embd, V = c.vocab_size, maxT = c.n_positions;
    const GPT2Weights& w = m.w;
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

    const size_t elem = f16 ? 2 : 4;
    nlohmann::ordered_json header;
    header["__metadata__"] = {{"format", "pt"}};
    size_t off = 0;
    for (const ExportTensor& t : ts) {
        size_t n = 1;
        for (int64_t d : t.shape) n *= (size_t)d;
        header[t.name] = {{"dtype", f16 ? "F16" : "F32"}, {"shape", t.shape}, {"data_offsets", {off, off + n * elem}}};
        off += n * elem;
    }
    std::string hj = header.dump();
    while (hj.size() % 8 != 0) hj += ' ';  // align the data section to 8 bytes
    std::ofstream f(out_dir + "/model.safetensors", std::ios::binary | std::ios::trunc);
    if (!f) {
        err = "cannot write " + out_dir + "/model.safetensors";
        return false;
    }
    uint64_t hlen = hj.size();
    f.write(reinterpret_cast<const char*>(&hlen), 8);
    f.write(hj.data(), hj.size());
    for (const ExportTensor& t : ts) {
        size_t n = 1;
        for (int64_t d : t.shape) n *= (size_t)d;
        if (f16) {
            std::vector<uint16_t> h(n);
            for (size_t i = 0; i < n; i++) h[i] = float_to_half(t.data[i]);
            f.write(reinterpret_cast<const char*>(h.data()), n * 2);
        } else {
            f.write(reinterpret_cast<const char*>(t.data), n * 4);
        }
    }
    if (!f) {
        err = "write failed for " + out_dir + "/model.safetensors";
        return false;
    }
    return true;
}
