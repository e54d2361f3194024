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

// The clean run's probabilities at position p (logits row [V]) and their Σ p·log p, for the KLs against it.
static void keep_clean(InfluenceJob& job, int slot, const float* logits, int V) {
    std::vector<double> lp;
    log_softmax(logits, V, lp);
    double negent = 0.0;
    for (int i = 0; i < V; i++) negent += std::exp(lp[i]) * lp[i];
    double* p = job.clean_p.data() + (size_t)slot * V;
    for (int i = 0; i < V; i++) p[i] = std::exp(lp[i]);
    job.clean_negent[slot] = negent;
}

// KL(clean at slot || softmax(q)) = Σ p·log p − Σ p·q + logsumexp(q): V exps per pair (p and Σ p·log p
// are the clean run's, kept per position).
static float kl_vs_clean(const InfluenceJob& job, int slot, const float* q, int V) {
    const double* p = job.clean_p.data() + (size_t)slot * V;
    float mx = q[0];
    for (int i = 1; i < V; i++) mx = std::max(mx, q[i]);
    double z = 0.0, pq = 0.0;
    for (int i = 0; i < V; i++) {
        z += std::exp((double)q[i] - mx);
        pq += p[i] * q[i];
    }
    return (float)std::max(job.clean_negent[slot] - pq + mx + std::log(z), 0.0);  // rounding: -1e-17 for equal inputs
}

bool influence_job_start(InfluenceJob& job, const Model* gpt, const LSTMModel* lstm, const std::vector<int>& ids,
                         int neutral, bool last_only, std::string& err) {
    job = InfluenceJob{};
    if (!gpt == !lstm) { err = "influence: one model, GPT-2 or LSTM"; return false; }
    const int V = gpt ? gpt->cfg.vocab_size : lstm->cfg.vocab_size;
    if (!args_check(ids, (int)ids.size() - 1, neutral, V, err)) return false;
    job.gpt = gpt, job.lstm = lstm, job.ids = ids, job.neutral = neutral, job.last_only = last_only;
    const int T = (int)ids.size(), slots = last_only ? 1 : T;
    job.clean_p.resize((size_t)slots * V);
    job.clean_negent.resize(slots);
    if (gpt) {
        CaptureOptions opt;                    // what re-use needs: K/V of every head and the residuals
        opt.attention = opt.scores = false;
        opt.qkv = opt.residuals = true;
        opt.logits_all = !last_only;
        if (!model_forward(*gpt, ids, opt, job.cap, err)) return false;
        job.run = ids;
    } else {
        if (!lstm_forward(*lstm, ids, !last_only, job.lcap, err)) return false;
        const LSTMConfig& c = lstm->cfg;
        const int L = c.num_layers, H = c.hidden_size, G = 4 * H;
        job.hs.assign((size_t)L * T * H, 0.0f), job.cs.assign((size_t)L * T * H, 0.0f);
        job.x.resize((size_t)T * std::max(c.embedding_size, H)), job.z.resize((size_t)T * G), job.rec.resize((size_t)T * G);
        job.bias.resize((size_t)L * G);
        for (int l = 0; l < L; l++)
            for (int i = 0; i < G; i++) job.bias[(size_t)l * G + i] = lstm->w.b_ih[l][i] + lstm->w.b_hh[l][i];
    }
    const std::vector<float>& clean = gpt ? job.cap.logits : job.lcap.logits;
    for (int s = 0; s < slots; s++) keep_clean(job, s, clean.data() + (size_t)s * V, V);
    job.kl.assign(last_only ? (size_t)T : (size_t)T * T, 0.0f);
    job.T = T;
    return true;
}

// GPT-2 unit: token j = T-1-done occluded; its run changes the predictions at j .. T-1.
static bool gpt_unit(InfluenceJob& job, std::string& err) {
    const Model& m = *job.gpt;
    const int T = job.T, V = m.cfg.vocab_size, j = T - 1 - job.done;
    job.run[j] = job.neutral;
    const bool ok = model_forward_reuse(m, job.run, job.cap.opt, job.cap, err);
    job.run[j] = job.ids[j];
    if (!ok) return false;
    if (job.last_only) job.kl[j] = kl_vs_clean(job, 0, job.cap.logits.data(), V);
    else
        for (int p = j; p < T; p++) job.kl[(size_t)p * T + j] = kl_vs_clean(job, p, job.cap.logits.data() + (size_t)p * V, V);
    return true;
}

// LSTM unit: step t of every run. Runs j < t have diverged from the clean one, run t starts from the
// clean state after step t-1 with the neutral token, runs j > t still equal the clean run (not computed).
static void lstm_unit(InfluenceJob& job) {
    const LSTMModel& m = *job.lstm;
    const LSTMWeights& w = m.w;
    const int T = job.T, V = m.cfg.vocab_size, L = m.cfg.num_layers, H = m.cfg.hidden_size, E = m.cfg.embedding_size;
    const int G = 4 * H, t = job.done, rows = t + 1;
    for (int l = 0; l < L; l++) {  // run t joins with the clean state after step t-1
        float* h = job.hs.data() + ((size_t)l * T + t) * H;
        float* c = job.cs.data() + ((size_t)l * T + t) * H;
        for (int i = 0; i < H; i++) {
            h[i] = t > 0 ? lstm_capture_h(job.lcap, l, t - 1)[i] : 0.0f;
            c[i] = t > 0 ? lstm_capture_c(job.lcap, l, t - 1)[i] : 0.0f;
        }
    }
    for (int r = 0; r < rows; r++)  // layer-0 input: the text's token, the neutral one for run t
        std::memcpy(job.x.data() + (size_t)r * E, w.encoder + (size_t)(r == t ? job.neutral : job.ids[t]) * E,
                    E * sizeof(float));
    for (int l = 0; l < L; l++) {
        const int in = l == 0 ? E : H;
        float* h = job.hs.data() + (size_t)l * T * H;  // [rows, H]
        float* c = job.cs.data() + (size_t)l * T * H;
        matmul_bt(job.z.data(), G, job.x.data(), in, w.w_ih[l], in, 1.0f, rows, in, G);
        matmul_bt(job.rec.data(), G, h, H, w.w_hh[l], H, 1.0f, rows, H, G);
        for (int r = 0; r < rows; r++) {
            float* zr = job.z.data() + (size_t)r * G;
            const float* rr = job.rec.data() + (size_t)r * G;
            for (int i = 0; i < G; i++) zr[i] += job.bias[(size_t)l * G + i] + rr[i];
        }
        lstm_cell_rows(job.z.data(), c, h, rows, H);
        std::memcpy(job.x.data(), h, (size_t)rows * H * sizeof(float));  // input of the layer above
    }
    if (job.last_only && t < T - 1) return;  // only the last step's predictions are wanted
    job.logits.resize((size_t)rows * V);
    matmul_bt(job.logits.data(), V, job.hs.data() + (size_t)(L - 1) * T * H, H, w.dec_w, H, 1.0f, rows, H, V);
    for (int r = 0; r < rows; r++) {
        float* lg = job.logits.data() + (size_t)r * V;
        for (int v = 0; v < V; v++) lg[v] += w.dec_b[v];
        job.kl[job.last_only ? r : (size_t)t * T + r] = kl_vs_clean(job, job.last_only ? 0 : t, lg, V);
    }
}

bool influence_job_step(InfluenceJob& job, std::string& err) {
    if (influence_job_done(job) || job.T == 0) return true;
    if (job.gpt) {
        if (!gpt_unit(job, err)) return false;
    } else {
        lstm_unit(job);
    }
    job.done++;
    return true;
}

static bool occlusion(const Model* gpt, const LSTMModel* lstm, const std::vector<int>& ids, int position, int neutral,
                      std::vector<float>& kl, std::string& err) {
    if (!args_check(ids, position, neutral, gpt ? gpt->cfg.vocab_size : lstm->cfg.vocab_size, err)) return false;
    InfluenceJob job;
    if (!influence_job_start(job, gpt, lstm, std::vector<int>(ids.begin(), ids.begin() + position + 1), neutral, true, err))
        return false;
    while (!influence_job_done(job))
        if (!influence_job_step(job, err)) return false;
    kl = std::move(job.kl);
    return true;
}

bool influence_occlusion_gpt2(const Model& m, const std::vector<int>& ids, int position, int neutral,
                              std::vector<float>& kl, std::string& err) {
    return occlusion(&m, nullptr, ids, position, neutral, kl, err);
}

bool influence_occlusion_lstm(const LSTMModel& m, const std::vector<int>& ids, int position, int neutral,
                              std::vector<float>& kl, std::string& err) {
    return occlusion(nullptr, &m, ids, position, neutral, kl, err);
}

void influence_by_distance(const std::vector<float>& kl, int T, std::vector<float>& mean) {
    mean.assign(T, 0.0f);
    for (int d = 0; d < T; d++) {
        double s = 0.0;
        for (int p = d; p < T; p++) s += kl[(size_t)p * T + p - d];
        mean[d] = (float)(s / (T - d));
    }
}
