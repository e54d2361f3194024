// Occlusion influence for GPT-2 and the LSTM (see influence.h).
#include "model/influence.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "model/ops.h"

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

// Occluding token j leaves positions 0..j-1 unchanged (causal attention), so each occluded run re-uses
// the keys, values and residuals of the previous one up to its first difference (model_forward_reuse):
// the runs cost P²/2 token rows instead of P².
bool influence_occlusion_gpt2(const Model& m, const std::vector<int>& ids, int position, int neutral,
                              std::vector<float>& kl, std::string& err) {
    if (!args_check(ids, position, neutral, m.cfg.vocab_size, err)) return false;
    const int V = m.cfg.vocab_size;
    CaptureOptions opt;                      // what re-use needs: K/V of every head and the residuals
    opt.attention = opt.scores = false;
    opt.qkv = opt.residuals = true;
    opt.logits_all = false;
    std::vector<int> run(ids.begin(), ids.begin() + position + 1);
    Capture cap;
    if (!model_forward(m, run, opt, cap, err)) return false;
    const std::vector<float> clean = cap.logits;  // [V] at position
    kl.assign(position + 1, 0.0f);
    for (int j = position; j >= 0; j--) {       // last first: each run shares the longest prefix with the one before
        const int keep = run[j];
        run[j] = neutral;
        if (!model_forward_reuse(m, run, opt, cap, err)) return false;
        kl[j] = (float)influence_kl_logits(clean.data(), cap.logits.data(), V);
        run[j] = keep;
    }
    return true;
}

// All P+1 occluded runs advance together, one row each: at step t the runs j < t have diverged from the
// clean one, run t starts from the clean state after step t-1 with the neutral token, runs j > t still
// equal the clean run (not computed). So each step is two GEMMs of t+1 rows per layer (ops.h kernels)
// instead of t+1 row-times-matrix products, and the decoder is one GEMM over the P+1 final states.
bool influence_occlusion_lstm(const LSTMModel& m, const std::vector<int>& ids, int position, int neutral,
                              std::vector<float>& kl, std::string& err) {
    if (!args_check(ids, position, neutral, m.cfg.vocab_size, err)) return false;
    const int V = m.cfg.vocab_size, L = m.cfg.num_layers, H = m.cfg.hidden_size, E = m.cfg.embedding_size;
    const int G = 4 * H, P1 = position + 1;
    std::vector<int> run(ids.begin(), ids.begin() + P1);
    LSTMCapture cap;
    if (!lstm_forward(m, run, false, cap, err)) return false;
    const LSTMWeights& w = m.w;
    std::vector<float> hs((size_t)L * P1 * H, 0.0f), cs((size_t)L * P1 * H, 0.0f);  // [L, P1, H] row j = run j
    std::vector<float> x((size_t)P1 * std::max(E, H)), z((size_t)P1 * G), rec((size_t)P1 * G), bias((size_t)L * G);
    for (int l = 0; l < L; l++)
        for (int i = 0; i < G; i++) bias[(size_t)l * G + i] = w.b_ih[l][i] + w.b_hh[l][i];
    for (int t = 0; t < P1; t++) {
        const int rows = t + 1;
        for (int l = 0; l < L; l++) {  // run t joins with the clean state after step t-1
            float* h = hs.data() + ((size_t)l * P1 + t) * H;
            float* c = cs.data() + ((size_t)l * P1 + t) * H;
            for (int i = 0; i < H; i++) {
                h[i] = t > 0 ? lstm_capture_h(cap, l, t - 1)[i] : 0.0f;
                c[i] = t > 0 ? lstm_capture_c(cap, l, t - 1)[i] : 0.0f;
            }
        }
        for (int r = 0; r < rows; r++)  // layer-0 input: the text's token, the neutral one for run t
            std::memcpy(x.data() + (size_t)r * E, w.encoder + (size_t)(r == t ? neutral : run[t]) * E, E * sizeof(float));
        for (int l = 0; l < L; l++) {
            const int in = l == 0 ? E : H;
            float* h = hs.data() + (size_t)l * P1 * H;  // [rows, H]
            float* c = cs.data() + (size_t)l * P1 * H;
            matmul_bt(z.data(), G, x.data(), in, w.w_ih[l], in, 1.0f, rows, in, G);
            matmul_bt(rec.data(), G, h, H, w.w_hh[l], H, 1.0f, rows, H, G);
            for (int r = 0; r < rows; r++) {
                float* zr = z.data() + (size_t)r * G;
                const float* rr = rec.data() + (size_t)r * G;
                for (int i = 0; i < G; i++) zr[i] += bias[(size_t)l * G + i] + rr[i];
            }
            lstm_cell_rows(z.data(), c, h, rows, H);
            std::memcpy(x.data(), h, (size_t)rows * H * sizeof(float));  // input of the layer above
        }
    }
    std::vector<float> logits((size_t)P1 * V);
    matmul_bt(logits.data(), V, hs.data() + (size_t)(L - 1) * P1 * H, H, w.dec_w, H, 1.0f, P1, H, V);
    kl.assign(P1, 0.0f);
    for (int j = 0; j < P1; j++) {
        float* lg = logits.data() + (size_t)j * V;
        for (int v = 0; v < V; v++) lg[v] += w.dec_b[v];
        kl[j] = (float)influence_kl_logits(cap.logits.data(), lg, V);
    }
    return true;
}
