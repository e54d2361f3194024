// fuzz_model_load: arbitrary config.json + model.safetensors + vocab.json + merges.txt through
// model_load_memory (and the config and safetensors parsers, and the byte-planar split and join, on
// their own; model_load_memory joins a planar file first).
//
// Input: config FUZZ_SEP safetensors FUZZ_SEP vocab FUZZ_SEP merges. Bad files must give false and a
// message, never a crash, UB or an allocation out of proportion to the input (scripts/dev/fuzz runs this
// target with -malloc_limit_mb). A model that loads must be usable: it runs a short forward pass.
#include <cmath>

#include "fuzz_common.h"
#include "model/model.h"
#include "model/safetensors.h"

static void check_config(const std::string& config_json) {
    GPT2Config cfg;
    std::string err;
    if (!gpt2_config_parse(config_json, cfg, err)) {
        FUZZ_CHECK(!err.empty(), "gpt2_config_parse failed without a message");
        return;
    }
    FUZZ_CHECK(cfg.n_layer >= 1 && cfg.n_head >= 1 && cfg.n_embd >= 1 && cfg.n_positions >= 1 && cfg.vocab_size >= 1,
               "config accepted with a non-positive size");
    FUZZ_CHECK(cfg.n_embd % cfg.n_head == 0, "n_embd %d not divisible by n_head %d", cfg.n_embd, cfg.n_head);
    FUZZ_CHECK(cfg.layer_norm_epsilon > 0 && std::isfinite(cfg.layer_norm_epsilon), "epsilon %g", cfg.layer_norm_epsilon);
}

// Every tensor the parser hands out lies inside the buffer and has shape x dtype size == its bytes.
static void check_safetensors(const std::string& file) {
    SafeTensorsFile st;
    std::string err;
    const uint8_t* buf = (const uint8_t*)file.data();
    if (!safetensors_parse(buf, file.size(), st, err)) {
        FUZZ_CHECK(!err.empty(), "safetensors_parse failed without a message");
        return;
    }
    for (const SafeTensor& t : st.tensors) {
        FUZZ_CHECK(t.data >= buf && t.nbytes <= file.size() && t.data + t.nbytes <= buf + file.size(),
                   "tensor '%s' outside the file", t.name.c_str());
        const int esize = safetensors_dtype_size(t.dtype);
        if (esize == 0) continue;
        uint64_t numel = 1;
        for (int64_t d : t.shape) numel *= (uint64_t)d;
        FUZZ_CHECK(numel * esize == t.nbytes, "tensor '%s' shape does not match its bytes", t.name.c_str());
        if (t.dtype == "F32" || t.dtype == "F16" || t.dtype == "BF16") {
            std::vector<float> out(numel);
            FUZZ_CHECK(safetensors_to_f32(t, out.data()), "conversion of '%s' failed", t.name.c_str());
        }
    }
}

// Byte-planar files (the page's download of a built-in model): a file that splits joins back byte for
// byte; a file that joins gives a file the parser accepts, no larger than the planar one.
static void check_planes(const std::string& file) {
    const uint8_t* buf = (const uint8_t*)file.data();
    std::string planar, back, err;
    if (safetensors_split_f16_planes(buf, file.size(), planar, err)) {
        FUZZ_CHECK(safetensors_is_f16_planes((const uint8_t*)planar.data(), planar.size()), "a split is not planar");
        FUZZ_CHECK(safetensors_join_f16_planes((const uint8_t*)planar.data(), planar.size(), back, err),
                   "a split does not join: %s", err.c_str());
        FUZZ_CHECK(back == file, "split -> join changed the bytes");
    } else {
        FUZZ_CHECK(!err.empty(), "safetensors_split_f16_planes failed without a message");
    }
    err.clear();
    if (safetensors_join_f16_planes(buf, file.size(), back, err)) {
        SafeTensorsFile st;
        FUZZ_CHECK(safetensors_parse((const uint8_t*)back.data(), back.size(), st, err), "a joined file does not parse: %s",
                   err.c_str());
        FUZZ_CHECK(back.size() <= file.size(), "joined %zu bytes from %zu", back.size(), file.size());
    } else {
        FUZZ_CHECK(!err.empty() && back.empty(), "safetensors_join_f16_planes failed without a message or left bytes");
    }
}

// A loaded model is consistent and runs: T = min(3, n_positions) tokens, everything captured.
static void check_model(Model& m) {
    FUZZ_CHECK(m.params.size() == gpt2_num_params(m.cfg), "params %zu, expected %zu", m.params.size(),
               gpt2_num_params(m.cfg));
    for (float v : m.params) FUZZ_CHECK(std::isfinite(v), "a loaded weight is not finite");
    FUZZ_CHECK(tokenizer_vocab_size(m.tok) <= m.cfg.vocab_size, "tokenizer larger than the model");
    const int T = std::min(3, m.cfg.n_positions);
    std::vector<int> ids;
    for (int t = 0; t < T; t++) ids.push_back(t * 7 % m.cfg.vocab_size);
    CaptureOptions opt;
    opt.logits_all = true;
    opt.lens_top_k = 2;
    Capture cap;
    std::string err;
    FUZZ_CHECK(model_forward(m, ids, opt, cap, err), "forward on a loaded model failed: %s", err.c_str());
    FUZZ_CHECK(cap.T == T && cap.logits.size() == (size_t)T * m.cfg.vocab_size, "capture has T=%d", cap.T);
    // out-of-range ids are refused, not read
    ids[0] = m.cfg.vocab_size;
    FUZZ_CHECK(!model_forward(m, ids, opt, cap, err), "forward accepted id == vocab_size");
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> parts = fuzz_split(data, size, 4);
    check_config(parts[0]);
    check_safetensors(parts[1]);
    check_planes(parts[1]);

    Model m;
    m.name = "previous";
    std::string err;
    if (!model_load_memory(m, parts[0], (const uint8_t*)parts[1].data(), parts[1].size(), parts[2], parts[3], err)) {
        FUZZ_CHECK(!err.empty(), "model_load_memory failed without a message");
        FUZZ_CHECK(m.params.empty() && m.name == "previous", "a failed load changed the model");
        return 0;
    }
    check_model(m);
    return 0;
}
