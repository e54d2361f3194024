// Loading a Hugging Face GPT-2 directory: config.json + model.safetensors + vocab.json + merges.txt.
//
// HF tensor names (optionally prefixed "transformer."), Conv1D layout [in, out] = our layout:
//   wte.weight [V, C]   wpe.weight [maxT, C]   ln_f.{weight,bias} [C]   lm_head.weight [V, C] (tied, optional)
//   h.{i}.ln_1.{weight,bias} [C]               h.{i}.ln_2.{weight,bias} [C]
//   h.{i}.attn.c_attn.weight [C, 3C]  bias [3C]    h.{i}.attn.c_proj.weight [C, C]  bias [C]
//   h.{i}.mlp.c_fc.weight [C, 4C]     bias [4C]    h.{i}.mlp.c_proj.weight [4C, C]  bias [C]
//   h.{i}.attn.bias, h.{i}.attn.masked_bias: causal-mask buffers, ignored
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "model/file.h"
#include "model/model.h"
#include "model/safetensors.h"

using json = nlohmann::json;

// ----------------------------------------------------------------------------------------------------
// config.json

static bool config_int(const json& j, const char* key, int lo, int hi, int& out, std::string& err) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) { err = std::string("config.json: missing \"") + key + "\""; return false; }
    if (!it->is_number_integer()) { err = std::string("config.json: \"") + key + "\" must be an integer"; return false; }
    int64_t v = it->get<int64_t>();
    if (v < lo || v > hi) {
        err = std::string("config.json: \"") + key + "\" = " + std::to_string(v) + " outside [" + std::to_string(lo) +
              ", " + std::to_string(hi) + "]";
        return false;
    }
    out = (int)v;
    return true;
}

bool gpt2_config_parse(const std::string& config_json, GPT2Config& cfg, std::string& err) {
    json j = json::parse(config_json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) { err = "config.json: not a JSON object"; return false; }

    // architecture: model_type "gpt2", or (older files) architectures naming a GPT-2 class
    auto mt = j.find("model_type");
    if (mt != j.end() && !mt->is_null()) {
        if (!mt->is_string() || mt->get<std::string>() != "gpt2") {
            err = "config.json: unsupported model_type " + mt->dump() + " (only \"gpt2\" is supported)";
            return false;
        }
    } else {
        bool ok = false;
        auto ar = j.find("architectures");
        if (ar != j.end() && ar->is_array())
            for (const json& a : *ar)
                if (a.is_string() && (a.get<std::string>() == "GPT2LMHeadModel" || a.get<std::string>() == "GPT2Model"))
                    ok = true;
        if (!ok) { err = "config.json: no model_type \"gpt2\" (or GPT2LMHeadModel architecture)"; return false; }
    }

    GPT2Config c;
    if (!config_int(j, "n_layer", 1, 256, c.n_layer, err)) return false;
    if (!config_int(j, "n_head", 1, 1024, c.n_head, err)) return false;
    if (!config_int(j, "n_embd", 1, 65536, c.n_embd, err)) return false;
    if (!config_int(j, "vocab_size", 1, 1 << 24, c.vocab_size, err)) return false;
    const char* pos_key = (j.contains("n_positions") && !j["n_positions"].is_null()) ? "n_positions" : "n_ctx";
    if (!config_int(j, pos_key, 1, 1 << 20, c.n_positions, err)) return false;
    if (c.n_embd % c.n_head != 0) {
        err = "config.json: n_embd (" + std::to_string(c.n_embd) + ") is not divisible by n_head (" +
              std::to_string(c.n_head) + ")";
        return false;
    }
    auto eps = j.find("layer_norm_epsilon");
    if (eps != j.end() && !eps->is_null()) {
        // at least 1e-12: smaller values round to 0 in float32 and LayerNorm would divide by zero
        if (!eps->is_number() || !(eps->get<double>() >= 1e-12) || !(eps->get<double>() < 1)) {
            err = "config.json: layer_norm_epsilon must be a number in [1e-12, 1)";
            return false;
        }
        c.layer_norm_epsilon = (float)eps->get<double>();
    }

    // variants this engine does not implement: refuse rather than compute something else
    auto act = j.find("activation_function");
    if (act != j.end() && !act->is_null()) {
        std::string a = act->is_string() ? act->get<std::string>() : act->dump();
        if (a != "gelu_new" && a != "gelu_pytorch_tanh" && a != "gelu_fast") {
            err = "config.json: unsupported activation_function \"" + a + "\" (only the tanh GELU: gelu_new)";
            return false;
        }
    }
    auto inner = j.find("n_inner");
    if (inner != j.end() && !inner->is_null() &&
        !(inner->is_number_integer() && inner->get<int64_t>() == 4 * (int64_t)c.n_embd)) {
        err = "config.json: n_inner must be null or 4 * n_embd";
        return false;
    }
    auto flag = [&](const char* key, bool want) {
        auto f = j.find(key);
        return f == j.end() || f->is_null() || (f->is_boolean() && f->get<bool>() == want);
    };
    if (!flag("scale_attn_weights", true) || !flag("scale_attn_by_inverse_layer_idx", false) ||
        !flag("add_cross_attention", false)) {
        err = "config.json: unsupported attention variant (scale_attn_weights must be true, "
              "scale_attn_by_inverse_layer_idx and add_cross_attention false)";
        return false;
    }
    cfg = c;
    return true;
}

// ----------------------------------------------------------------------------------------------------
// model.safetensors -> params

static bool weights_load(Model& m, const uint8_t* st, size_t st_len, std::string& err, bool keep_f16) {
    const GPT2Config& c = m.cfg;
    const int64_t L = c.n_layer, C = c.n_embd, V = c.vocab_size, maxT = c.n_positions;
    std::string joined;  // a planar file (the page's download of a built-in model) joined back first
    if (!safetensors_join_if_planar(st, st_len, joined, err)) return false;
    SafeTensorsFile f;
    if (!safetensors_parse(st, st_len, f, err)) return false;

    std::string pre = safetensors_find(f, "transformer.wte.weight") ? "transformer." : "";
    // The 16 tensors of GPT2Weights, in order: HF name (per-layer ones with {i}), shape of one slice.
    struct Spec { const char* name; std::vector<int64_t> shape; bool per_layer; };
    const Spec specs[GPT2_NUM_TENSORS] = {
        {"wte.weight", {V, C}, false},         {"wpe.weight", {maxT, C}, false},
        {"ln_1.weight", {C}, true},            {"ln_1.bias", {C}, true},
        {"attn.c_attn.weight", {C, 3 * C}, true}, {"attn.c_attn.bias", {3 * C}, true},
        {"attn.c_proj.weight", {C, C}, true},  {"attn.c_proj.bias", {C}, true},
        {"ln_2.weight", {C}, true},            {"ln_2.bias", {C}, true},
        {"mlp.c_fc.weight", {C, 4 * C}, true}, {"mlp.c_fc.bias", {4 * C}, true},
        {"mlp.c_proj.weight", {4 * C, C}, true}, {"mlp.c_proj.bias", {C}, true},
        {"ln_f.weight", {C}, false},           {"ln_f.bias", {C}, false},
    };

    // pass 1: every tensor present with the right dtype and shape (so sizes are bounded by the file)
    std::set<std::string> known;
    std::vector<const SafeTensor*> found;  // [16 x (L or 1)] in parameter order
    std::string dtype;
    for (int s = 0; s < GPT2_NUM_TENSORS; s++) {
        for (int64_t i = 0; i < (specs[s].per_layer ? L : 1); i++) {
            std::string name = pre + (specs[s].per_layer ? "h." + std::to_string(i) + "." : "") + specs[s].name;
            const SafeTensor* t = safetensors_expect(f, name, specs[s].shape, err);
            if (!t) return false;
            found.push_back(t);
            known.insert(name);
            dtype = dtype.empty() || dtype == t->dtype ? t->dtype : "mixed";
        }
    }
    for (int64_t i = 0; i < L; i++) {  // causal-mask buffers HF saves alongside
        known.insert(pre + "h." + std::to_string(i) + ".attn.bias");
        known.insert(pre + "h." + std::to_string(i) + ".attn.masked_bias");
    }
    known.insert("lm_head.weight");
    for (const SafeTensor& t : f.tensors) {
        if (!known.count(t.name)) {
            err = "model.safetensors: unexpected tensor '" + t.name + "' (not part of a GPT-2 checkpoint" +
                  (pre.empty() ? "" : " with the 'transformer.' prefix") + ")";
            return false;
        }
    }

    // pass 2: convert into the one parameter buffer (or, keeping F16, the matrices into params_f16)
    size_t n_small = gpt2_num_params(c), n_big = 0;
    if (keep_f16) gpt2_split_counts(c, n_small, n_big);
    m.params.assign(n_small, 0.0f);
    m.params_f16.assign(n_big, 0);
    float* dst = m.params.data();
    uint16_t* dst16 = m.params_f16.data();
    size_t at = 0;                                               // index into found
    for (int s = 0; s < GPT2_NUM_TENSORS; s++) {
        for (int64_t i = 0; i < (specs[s].per_layer ? L : 1); i++) {
            const SafeTensor* t = found[at++];
            size_t count = t->nbytes / safetensors_dtype_size(t->dtype);
            if (keep_f16 && gpt2_tensor_is_matrix(s)) {
                safetensors_to_f16(*t, dst16);
                for (size_t j = 0; j < count; j++) {
                    if ((dst16[j] & 0x7c00) == 0x7c00) {             // inf / NaN (or beyond F16's range)
                        err = "model.safetensors: tensor '" + t->name + "' has a value F16 cannot hold (element " +
                              std::to_string(j) + "); load the model as F32";
                        return false;
                    }
                }
                dst16 += count;
                continue;
            }
            safetensors_to_f32(*t, dst);
            for (size_t j = 0; j < count; j++) {  // NaN/inf weights would poison every number the page shows
                if (!std::isfinite(dst[j])) {
                    err = "model.safetensors: tensor '" + t->name + "' has a non-finite value (" +
                          std::to_string(dst[j]) + ") at element " + std::to_string(j);
                    return false;
                }
            }
            dst += count;
        }
    }
    m.weights_repoint();

    // tied LM head: lm_head.weight, when present, must equal wte (compared in chunks: no V x C copy)
    if (const SafeTensor* head = safetensors_find(f, "lm_head.weight")) {
        if (!safetensors_expect(f, "lm_head.weight", {V, C}, err)) return false;
        const SafeTensor* wte = found[0];
        const size_t n = (size_t)(V * C), step = 1 << 15;
        const size_t hs = safetensors_dtype_size(head->dtype), ws = safetensors_dtype_size(wte->dtype);
        std::vector<float> a(step), b(step);
        for (size_t i = 0; i < n; i += step) {
            const size_t k = std::min(step, n - i);
            SafeTensor hp = *head, wp = *wte;
            hp.data += i * hs, hp.nbytes = k * hs;
            wp.data += i * ws, wp.nbytes = k * ws;
            safetensors_to_f32(hp, a.data());
            safetensors_to_f32(wp, b.data());
            if (std::memcmp(a.data(), b.data(), k * sizeof(float)) != 0) {
                err = "model.safetensors: lm_head.weight differs from wte.weight (untied LM heads are not supported)";
                return false;
            }
        }
    }
    m.source_dtype = dtype;
    return true;
}

// ----------------------------------------------------------------------------------------------------
// entry points

bool model_load_memory(Model& m, const std::string& config_json, const uint8_t* safetensors, size_t safetensors_len,
                       const std::string& vocab_json, const std::string& merges_txt, std::string& err, bool keep_f16) {
    Model tmp;
    if (!gpt2_config_parse(config_json, tmp.cfg, err)) return false;
    if (!weights_load(tmp, safetensors, safetensors_len, err, keep_f16)) return false;
    if (!tokenizer_load_for_model(tmp.tok, vocab_json, merges_txt, tmp.cfg.vocab_size, err)) return false;
    tmp.name = m.name;
    m = std::move(tmp);
    model_pack_weights(m);  // (F32 weights: the products' packed copy; also re-points w)
    return true;
}

bool model_load_dir(Model& m, const std::string& dir, std::string& err, bool keep_f16) {
    ModelFolder f;
    if (!model_folder_read(dir, f, err)) return false;
    std::string old_name = m.name;
    m.name = f.name;
    if (!model_load_memory(m, f.config, (const uint8_t*)f.safetensors.data(), f.safetensors.size(), f.vocab, f.merges,
                           err, keep_f16)) {
        m.name = old_name;
        err = dir + ": " + err;
        return false;
    }
    return true;
}
