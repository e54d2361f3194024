// Occlusion influence for GPT-2 and the LSTM (see influence.h).
#include "model/influence.h"

#include <algorithm>
#include <cmath>

int influence_neutral_id(Tokenizer& tok, int vocab_size) {
    for (const char* text : {" the", " "}) {
        std::vector<int> ids = tokenizer_encode_ids(tok, text);
        if (ids.size() == 1 && ids[0] < vocab_size) return ids[0];
    }
    return 0;
}

static void log_softmax(const float* x, int V, std::vector<double>& out) {
    out.resize(V);
    double mx = x[0];
    for (int i = 1; i < V; i++) mx = std::max(mx, (double)x[i]);
    double z = 0.0;
    for (int i = 0; i < V; i++) z += std::exp((double)x[i] - mx);
    const double lz = std::log(z) + mx;
    for (int i = 0; i < V; i++) out[i] = (double)x[i] - lz;
}

double influence_kl_logits(const float* p_logits, const float* q_logits, int V) {
    std::vector<double> lp, lq;
    log_softmax(p_logits, V, lp);
    log_softmax(q_logits, V, lq);
    double kl = 0.0;
    for (int i = 0; i < V; i++) kl += std::exp(lp[i]) * (lp[i] - lq[i]);
    return std::max(kl, 0.0);  // rounding can give -1e-17 for equal distributions
}

static bool args_check(const std::vector<int>& ids, int position, int neutral, int V, std::string& err) {
    if (ids.empty()) { err = "no tokens"; return false; }
    if (position < 0 || position >= (int)ids.size()) {
        err = "position " + std::to_string(position) + " is outside the text's " + std::to_string(ids.size()) + " tokens";
        return false;
    }
    if (neutral < 0 || neutral >= V) { err = "neutral token id " + std::to_string(neutral) + " is outside the vocabulary"; return false; }
    return true;
}

bool influence_occlusion_gpt2(const Model& m, const std::vector<int>& ids, int position, int neutral,
                              std::vector<float>& kl, std::string& err) {
    if (!args_check(ids, position, neutral, m.cfg.vocab_size, err)) return false;
    const int V = m.cfg.vocab_size;
    CaptureOptions opt;
    opt.attention = opt.scores = opt.qkv = opt.residuals = false;
    opt.logits_all = false;
    std::vector<int> run(ids.begin(), ids.begin() + position + 1);
    Capture cap;
    if (!model_forward(m, run, opt, cap, err)) return false;
    const std::vector<float> clean = cap.logits;  // [V] at position
    kl.assign(position + 1, 0.0f);
    for (int j = 0; j <= position; j++) {
        const int keep = run[j];
        run[j] = neutral;
        if (!model_forward(m, run, opt, cap, err)) return false;
        kl[j] = (float)influence_kl_logits(clean.data(), cap.logits.data(), V);
        run[j] = keep;
    }
    return true;
}

bool influence_occlusion_lstm(const LSTMModel& m, const std::vector<int>& ids, int position, int neutral,
                              std::vector<float>& kl, std::string& err) {
    if (!args_check(ids, position, neutral, m.cfg.vocab_size, err)) return false;
    const int V = m.cfg.vocab_size, L = m.cfg.num_layers, H = m.cfg.hidden_size;
    std::vector<int> run(ids.begin(), ids.begin() + position + 1);
    LSTMCapture cap;
    if (!lstm_forward(m, run, false, cap, err)) return false;
    // occluding j leaves steps 0..j-1 unchanged: restart from the clean state after step j-1
    std::vector<float> h((size_t)L * H), c((size_t)L * H), logits;
    kl.assign(position + 1, 0.0f);
    for (int j = 0; j <= position; j++) {
        for (int l = 0; l < L; l++) {
            for (int i = 0; i < H; i++) {
                h[(size_t)l * H + i] = j > 0 ? lstm_capture_h(cap, l, j - 1)[i] : 0.0f;
                c[(size_t)l * H + i] = j > 0 ? lstm_capture_c(cap, l, j - 1)[i] : 0.0f;
            }
        }
        const int keep = run[j];
        run[j] = neutral;
        if (!lstm_continue(m, h.data(), c.data(), run.data() + j, position + 1 - j, logits, err)) return false;
        run[j] = keep;
        kl[j] = (float)influence_kl_logits(cap.logits.data(), logits.data(), V);
    }
    return true;
}
