// fuzz_lstm_load: arbitrary config.json + model.safetensors + vocab.json + merges.txt through
// lstm_load_memory (and lstm_config_parse on its own).
//
// Input: config FUZZ_SEP safetensors FUZZ_SEP vocab FUZZ_SEP merges. Bad files must give false and a
// message and leave the previous model untouched, never a crash, UB or an allocation out of proportion
// to the input (-malloc_limit_mb in scripts/dev/fuzz). A model that loads must be consistent and usable: it
// runs a short forward pass with capture, continues from a state, gives occlusion influence, and
// refuses out-of-range ids.
#include <cmath>

#include "fuzz_common.h"
#include "model/influence.h"
#include "model/lstm.h"

static void check_config(const std::string& config_json) {
    LSTMConfig cfg;
    std::string err;
    if (!lstm_config_parse(config_json, cfg, err)) {
        FUZZ_CHECK(!err.empty(), "lstm_config_parse failed without a message");
        return;
    }
    FUZZ_CHECK(cfg.vocab_size >= 1 && cfg.embedding_size >= 1 && cfg.hidden_size >= 1 && cfg.num_layers >= 1,
               "config accepted with a non-positive size");
    FUZZ_CHECK(!cfg.tie_weights || cfg.embedding_size == cfg.hidden_size, "tied with E != H");
    FUZZ_CHECK(model_config_type(config_json) == "lstm", "an accepted config is not typed lstm");
}

static void check_model(LSTMModel& m) {
    FUZZ_CHECK(m.params.size() == lstm_num_params(m.cfg), "params %zu, expected %zu", m.params.size(),
               lstm_num_params(m.cfg));
    for (float v : m.params) FUZZ_CHECK(std::isfinite(v), "a loaded weight is not finite");
    FUZZ_CHECK(tokenizer_vocab_size(m.tok) <= m.cfg.vocab_size, "tokenizer larger than the model");
    FUZZ_CHECK(!m.cfg.tie_weights || m.w.dec_w == m.w.encoder, "tied decoder does not use the encoder");
    const int V = m.cfg.vocab_size, L = m.cfg.num_layers, H = m.cfg.hidden_size;
    std::vector<int> ids = {0, 7 % V, 13 % V};
    LSTMCapture cap;
    std::string err;
    FUZZ_CHECK(lstm_forward(m, ids, true, cap, err), "forward on a loaded model failed: %s", err.c_str());
    FUZZ_CHECK(cap.T == 3 && cap.logits.size() == (size_t)3 * V && cap.h.size() == (size_t)L * 3 * H &&
                   cap.gates.size() == (size_t)L * 3 * 4 * H,
               "capture sizes");
    for (float g : cap.gates) FUZZ_CHECK(g >= -1.0f && g <= 1.0f, "a gate activation outside [-1, 1]: %g", g);
    std::vector<float> h((size_t)L * H, 0.0f), c((size_t)L * H, 0.0f), logits;
    FUZZ_CHECK(lstm_continue(m, h.data(), c.data(), ids.data(), 3, logits, err), "continue failed: %s", err.c_str());
    std::vector<float> kl;
    FUZZ_CHECK(influence_occlusion_lstm(m, ids, 2, influence_neutral_id(m.tok, V), kl, err), "influence failed: %s",
               err.c_str());
    FUZZ_CHECK(kl.size() == 3, "influence size");
    for (float k : kl) FUZZ_CHECK(!(k < 0.0f), "negative KL %g", k);
    ids[1] = V;  // out-of-range ids are refused, not read
    FUZZ_CHECK(!lstm_forward(m, ids, false, cap, err), "forward accepted id == vocab_size");
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> parts = fuzz_split(data, size, 4);
    check_config(parts[0]);
    LSTMModel m;
    m.name = "previous";
    std::string err;
    if (!lstm_load_memory(m, parts[0], (const uint8_t*)parts[1].data(), parts[1].size(), parts[2], parts[3], err)) {
        FUZZ_CHECK(!err.empty(), "lstm_load_memory failed without a message");
        FUZZ_CHECK(m.params.empty() && m.name == "previous", "a failed load changed the model");
        return 0;
    }
    check_model(m);
    return 0;
}
