// Loading an LSTM directory (PyTorch word_language_model layout, see lstm.h): config.json +
// model.safetensors + vocab.json + merges.txt. The safetensors reader validates the container (sizes,
// offsets, dtypes); here every tensor is checked for presence, dtype, shape and finite values.
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "model/lstm.h"
#include "model/file.h"
#include "model/safetensors.h"

using json = nlohmann::json;

// ----------------------------------------------------------------------------------------------------
// layout

std::vector<LSTMTensorSpec> lstm_tensor_specs(const LSTMConfig& c) {
    const int64_t V = c.vocab_size, E = c.embedding_size, H = c.hidden_size;
    std::vector<LSTMTensorSpec> s;
    size_t off = 0;
    auto add = [&](const std::string& name, std::vector<int64_t> shape) {
        size_t n = 1;
        for (int64_t d : shape) n *= (size_t)d;
        s.push_back({name, shape, off, n});
        off += n;
    };
    add("encoder.weight", {V, E});
    for (int k = 0; k < c.num_layers; k++) {
        const std::string l = std::to_string(k);
        add("rnn.weight_ih_l" + l, {4 * H, k == 0 ? E : H});
        add("rnn.weight_hh_l" + l, {4 * H, H});
        add("rnn.bias_ih_l" + l, {4 * H});
        add("rnn.bias_hh_l" + l, {4 * H});
    }
    if (!c.tie_weights) add("decoder.weight", {V, H});
    add("decoder.bias", {V});
    return s;
}

size_t lstm_num_params(const LSTMConfig& c) {
    std::vector<LSTMTensorSpec> s = lstm_tensor_specs(c);
    return s.empty() ? 0 : s.back().offset + s.back().size;
}

void lstm_weights_point(const LSTMConfig& c, float* p, LSTMWeights& w) {
    std::vector<LSTMTensorSpec> s = lstm_tensor_specs(c);
    const int L = c.num_layers;
    w.encoder = p + s[0].offset;
    w.w_ih.assign(L, nullptr), w.w_hh.assign(L, nullptr), w.b_ih.assign(L, nullptr), w.b_hh.assign(L, nullptr);
    for (int k = 0; k < L; k++) {
        w.w_ih[k] = p + s[1 + 4 * k].offset;
        w.w_hh[k] = p + s[2 + 4 * k].offset;
        w.b_ih[k] = p + s[3 + 4 * k].offset;
        w.b_hh[k] = p + s[4 + 4 * k].offset;
    }
    w.dec_w = c.tie_weights ? w.encoder : p + s[1 + 4 * L].offset;
    w.dec_b = p + s.back().offset;
}

bool lstm_config_check(const LSTMConfig& c, std::string& err) {
    // bounds keep every size product far below 2^63 and a model below ~4G floats
    if (c.vocab_size < 1 || c.vocab_size > (1 << 24)) { err = "vocab_size must be in [1, 16777216]"; return false; }
    if (c.embedding_size < 1 || c.embedding_size > 65536) { err = "embedding_size must be in [1, 65536]"; return false; }
    if (c.hidden_size < 1 || c.hidden_size > 65536) { err = "hidden_size must be in [1, 65536]"; return false; }
    if (c.num_layers < 1 || c.num_layers > 256) { err = "num_layers must be in [1, 256]"; return false; }
    if (c.tie_weights && c.embedding_size != c.hidden_size) {
        err = "tie_weights needs embedding_size == hidden_size (" + std::to_string(c.embedding_size) +
              " != " + std::to_string(c.hidden_size) + ")";
        return false;
    }
    return true;
}

// ----------------------------------------------------------------------------------------------------
// config.json

std::string model_config_type(const std::string& config_json) {
    json j = json::parse(config_json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return "";
    auto mt = j.find("model_type");
    if (mt != j.end() && mt->is_string()) return mt->get<std::string>();
    auto ar = j.find("architectures");
    if (ar != j.end() && ar->is_array())
        for (const json& a : *ar)
            if (a.is_string() && (a.get<std::string>() == "GPT2LMHeadModel" || a.get<std::string>() == "GPT2Model"))
                return "gpt2";
    return "";
}

bool model_dir_type(const std::string& dir, std::string& type, std::string& err) {
    std::string text;
    if (!file_read(dir + "/config.json", text)) {
        err = "cannot read " + dir + "/config.json";
        return false;
    }
    type = model_config_type(text);
    return true;
}

static bool cfg_int(const json& j, const char* key, int& out, std::string& err) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) { err = std::string("config.json: missing \"") + key + "\""; return false; }
    if (!it->is_number_integer()) { err = std::string("config.json: \"") + key + "\" must be an integer"; return false; }
    int64_t v = it->get<int64_t>();
    if (v < INT32_MIN || v > INT32_MAX) { err = std::string("config.json: \"") + key + "\" is out of range"; return false; }
    out = (int)v;
    return true;
}

bool lstm_config_parse(const std::string& config_json, LSTMConfig& cfg, std::string& err) {
    json j = json::parse(config_json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) { err = "config.json: not a JSON object"; return false; }
    auto mt = j.find("model_type");
    if (mt == j.end() || !mt->is_string() || mt->get<std::string>() != "lstm") {
        err = "config.json: model_type must be \"lstm\"";
        return false;
    }
    LSTMConfig c;
    if (!cfg_int(j, "vocab_size", c.vocab_size, err) || !cfg_int(j, "embedding_size", c.embedding_size, err) ||
        !cfg_int(j, "hidden_size", c.hidden_size, err) || !cfg_int(j, "num_layers", c.num_layers, err))
        return false;
    auto tw = j.find("tie_weights");
    if (tw != j.end() && !tw->is_null()) {
        if (!tw->is_boolean()) { err = "config.json: \"tie_weights\" must be true or false"; return false; }
        c.tie_weights = tw->get<bool>();
    }
    if (!lstm_config_check(c, err)) {
        err = "config.json: " + err;
        return false;
    }
    cfg = c;
    return true;
}

// ----------------------------------------------------------------------------------------------------
// model.safetensors

static bool weights_load(LSTMModel& m, const uint8_t* st, size_t st_len, std::string& err) {
    std::string joined;  // a planar file (the page's download of a built-in model) joined back first
    if (!safetensors_join_if_planar(st, st_len, joined, err)) return false;
    SafeTensorsFile f;
    if (!safetensors_parse(st, st_len, f, err)) return false;
    const std::vector<LSTMTensorSpec> specs = lstm_tensor_specs(m.cfg);
    std::set<std::string> known;
    std::vector<const SafeTensor*> found;
    std::string dtype;
    for (const LSTMTensorSpec& s : specs) {  // pass 1: all there, right dtype and shape (bounds the sizes)
        const SafeTensor* t = safetensors_expect(f, s.name, s.shape, err);
        if (!t) return false;
        found.push_back(t);
        known.insert(s.name);
        dtype = dtype.empty() || dtype == t->dtype ? t->dtype : "mixed";
    }
    const SafeTensor* tied_dec = nullptr;  // a tied model's decoder.weight (torch's state_dict has it)
    if (m.cfg.tie_weights && safetensors_find(f, "decoder.weight")) {
        tied_dec = safetensors_expect(f, "decoder.weight", {m.cfg.vocab_size, m.cfg.hidden_size}, err);
        if (!tied_dec) return false;
        known.insert("decoder.weight");
    }
    for (const SafeTensor& t : f.tensors)
        if (!known.count(t.name)) {
            err = "model.safetensors: unexpected tensor '" + t.name + "' (not part of an LSTM with " +
                  std::to_string(m.cfg.num_layers) + " layer" + (m.cfg.num_layers == 1 ? "" : "s") + ")";
            return false;
        }

    m.params.assign(lstm_num_params(m.cfg), 0.0f);
    for (size_t i = 0; i < specs.size(); i++) {  // pass 2: convert, refuse NaN / inf
        float* dst = m.params.data() + specs[i].offset;
        safetensors_to_f32(*found[i], dst);
        for (size_t j = 0; j < specs[i].size; j++)
            if (!std::isfinite(dst[j])) {
                err = "model.safetensors: tensor '" + specs[i].name + "' has a non-finite value at element " +
                      std::to_string(j);
                return false;
            }
    }
    if (tied_dec) {  // must equal the encoder (we use the encoder for both)
        std::vector<float> d(specs[0].size);
        safetensors_to_f32(*tied_dec, d.data());
        if (std::memcmp(d.data(), m.params.data(), d.size() * sizeof(float)) != 0) {
            err = "model.safetensors: tie_weights is true but decoder.weight differs from encoder.weight";
            return false;
        }
    }
    m.source_dtype = dtype;
    m.repoint();
    return true;
}

// ----------------------------------------------------------------------------------------------------
// entry points

bool lstm_load_memory(LSTMModel& m, const std::string& config_json, const uint8_t* safetensors, size_t safetensors_len,
                      const std::string& vocab_json, const std::string& merges_txt, std::string& err) {
    LSTMModel tmp;
    if (!lstm_config_parse(config_json, tmp.cfg, err)) return false;
    if (!weights_load(tmp, safetensors, safetensors_len, err)) return false;
    if (!tokenizer_load_for_model(tmp.tok, vocab_json, merges_txt, tmp.cfg.vocab_size, err)) return false;
    tmp.name = m.name;
    m = std::move(tmp);
    m.repoint();
    return true;
}

bool lstm_load_dir(LSTMModel& m, const std::string& dir, std::string& err) {
    ModelFolder f;
    if (!model_folder_read(dir, f, err)) return false;
    std::string old_name = m.name;
    m.name = f.name;
    if (!lstm_load_memory(m, f.config, (const uint8_t*)f.safetensors.data(), f.safetensors.size(), f.vocab, f.merges, err)) {
        m.name = old_name;
        err = dir + ": " + err;
        return false;
    }
    return true;
}
