// LSTM training: forward and backward through time, AdamW, checkpoints, export (see lstm_train.h).
#include "train/lstm_train.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "train/layers.h"  // exp_fast, tanh_fast

typedef Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> MatRM;
typedef Eigen::Map<MatRM> MapM;
typedef Eigen::Map<const MatRM> CMapM;
typedef Eigen::Map<const MatRM, 0, Eigen::OuterStride<>> CStrided;
typedef Eigen::Map<MatRM, 0, Eigen::OuterStride<>> Strided;

static inline float sigmoid_fast(float x) { return 1.0f / (1.0f + exp_fast(-x)); }

// ----------------------------------------------------------------------------------------------------
// allocation and init

static void worker_alloc(const LSTMConfig& cfg, LSTMTrainWorker& wk, int B, int T) {
    if (wk.B == B && wk.T == T) return;
    const size_t L = cfg.num_layers, H = cfg.hidden_size, E = cfg.embedding_size, V = cfg.vocab_size;
    const size_t N = (size_t)B * T;
    wk.inputs.assign(N, 0);
    wk.targets.assign(N, 0);
    wk.x0.assign(N * E, 0.0f);
    wk.gates.assign(L * N * 4 * H, 0.0f);
    wk.c.assign(L * N * H, 0.0f);
    wk.h.assign(L * N * H, 0.0f);
    wk.tanhc.assign(L * N * H, 0.0f);
    wk.probs.assign(N * V, 0.0f);
    wk.losses.assign(N, 0.0f);
    wk.dh.assign(N * H, 0.0f);
    wk.dx.assign(N * std::max(E, H), 0.0f);
    wk.dz.assign(N * 4 * H, 0.0f);
    wk.dh_next.assign((size_t)B * H, 0.0f);
    wk.dc_next.assign((size_t)B * H, 0.0f);
    wk.hrow.assign((size_t)B * H, 0.0f);
    wk.B = B;
    wk.T = T;
}

static void model_alloc(LSTMTrainModel& m, const LSTMConfig& cfg) {
    m.cfg = cfg;
    const size_t n = lstm_num_params(cfg);
    m.params.assign(n, 0.0f);
    m.grads.assign(n, 0.0f);
    m.adam_m.assign(n, 0.0f);
    m.adam_v.assign(n, 0.0f);
    lstm_weights_point(cfg, m.params.data(), m.w);
    lstm_weights_point(cfg, m.grads.data(), m.g);
    m.workers.assign(1, LSTMTrainWorker());
}

bool lstm_train_init(LSTMTrainModel& m, const LSTMConfig& cfg, uint64_t seed, std::string& err) {
    if (!lstm_config_check(cfg, err)) return false;
    if (cfg.vocab_size > 65536) {
        err = "vocab_size above 65536 does not fit the uint16 token files";
        return false;
    }
    model_alloc(m, cfg);
    TrainRng rng;
    train_rng_seed(rng, seed);
    const float k_rnn = 1.0f / std::sqrt((float)cfg.hidden_size);
    for (const LSTMTensorSpec& s : lstm_tensor_specs(cfg)) {
        float* p = m.params.data() + s.offset;
        const bool rnn = s.name.compare(0, 4, "rnn.") == 0;
        const float a = rnn ? k_rnn : 0.1f;
        if (s.name == "decoder.bias") continue;  // zeros
        for (size_t i = 0; i < s.size; i++) p[i] = (2.0f * train_rng_uniform(rng) - 1.0f) * a;
        if (s.name.compare(0, 11, "rnn.bias_ih") == 0)
            for (int j = cfg.hidden_size; j < 2 * cfg.hidden_size; j++) p[j] = 1.0f;  // forget gate
    }
    return true;
}

// ----------------------------------------------------------------------------------------------------
// forward

static double worker_forward(const LSTMTrainModel& m, LSTMTrainWorker& wk, const int* inputs, const int* targets,
                             int B, int T) {
    worker_alloc(m.cfg, wk, B, T);
    const int L = m.cfg.num_layers, H = m.cfg.hidden_size, E = m.cfg.embedding_size, V = m.cfg.vocab_size;
    const int G = 4 * H, N = B * T;
    const LSTMWeights& w = m.w;
    memcpy(wk.inputs.data(), inputs, sizeof(int) * N);
    if (targets) memcpy(wk.targets.data(), targets, sizeof(int) * N);
    else std::fill(wk.targets.begin(), wk.targets.end(), 0);

    for (int n = 0; n < N; n++) memcpy(wk.x0.data() + (size_t)n * E, w.encoder + (size_t)inputs[n] * E, E * sizeof(float));
    std::vector<float> bias(G);
    for (int k = 0; k < L; k++) {
        const int in = k == 0 ? E : H;
        const float* X = k == 0 ? wk.x0.data() : wk.h.data() + (size_t)(k - 1) * N * H;  // [N, in]
        float* Z = wk.gates.data() + (size_t)k * N * G;                                   // [N, 4H]
        float* C = wk.c.data() + (size_t)k * N * H;                                       // [N, H]
        float* Hk = wk.h.data() + (size_t)k * N * H;                                      // [N, H]
        float* TC = wk.tanhc.data() + (size_t)k * N * H;                                  // [N, H]
        for (int j = 0; j < G; j++) bias[j] = w.b_ih[k][j] + w.b_hh[k][j];
        MapM(Z, N, G).noalias() = CMapM(X, N, in) * CMapM(w.w_ih[k], G, in).transpose();  // all steps at once
        CMapM Whh(w.w_hh[k], G, H);
        for (int t = 0; t < T; t++) {
            if (t > 0) {  // z_t += h_{t-1} @ W_hh^T for the B windows together (rows b*T + t)
                Strided zt(Z + (size_t)t * G, B, G, Eigen::OuterStride<>((Eigen::Index)T * G));
                CStrided hp(Hk + (size_t)(t - 1) * H, B, H, Eigen::OuterStride<>((Eigen::Index)T * H));
                zt.noalias() += hp * Whh.transpose();
            }
            for (int b = 0; b < B; b++) {
                const size_t n = (size_t)b * T + t;
                float* z = Z + n * G;
                const float* cp = t > 0 ? C + (n - 1) * H : nullptr;
                for (int j = 0; j < H; j++) {
                    const float i = sigmoid_fast(z[j] + bias[j]);
                    const float f = sigmoid_fast(z[H + j] + bias[H + j]);
                    const float g = tanh_fast(z[2 * H + j] + bias[2 * H + j]);
                    const float o = sigmoid_fast(z[3 * H + j] + bias[3 * H + j]);
                    z[j] = i, z[H + j] = f, z[2 * H + j] = g, z[3 * H + j] = o;
                    const float c = (cp ? f * cp[j] : 0.0f) + i * g;
                    const float tc = tanh_fast(c);
                    C[n * H + j] = c;
                    TC[n * H + j] = tc;
                    Hk[n * H + j] = o * tc;
                }
            }
        }
    }
    // decoder + softmax + cross-entropy
    const float* top = wk.h.data() + (size_t)(L - 1) * N * H;
    MapM logits(wk.probs.data(), N, V);
    logits.noalias() = CMapM(top, N, H) * CMapM(w.dec_w, V, H).transpose();
    double total = 0.0;
    for (int n = 0; n < N; n++) {
        float* p = wk.probs.data() + (size_t)n * V;
        float maxv = -1e30f;
        for (int i = 0; i < V; i++) {
            p[i] += w.dec_b[i];
            maxv = p[i] > maxv ? p[i] : maxv;
        }
        float sum = 0.0f;
        for (int i = 0; i < V; i++) p[i] = exp_fast(p[i] - maxv);
        for (int i = 0; i < V; i++) sum += p[i];
        const float inv = 1.0f / sum;
        for (int i = 0; i < V; i++) p[i] *= inv;
        wk.losses[n] = -std::log(std::max(p[wk.targets[n]], 1e-30f));
        total += wk.losses[n];
    }
    wk.loss = targets ? total / N : 0.0;
    return wk.loss;
}

// ----------------------------------------------------------------------------------------------------
// backward through time; accumulates into g, the loss being sum(losses) * inv_n

static void worker_backward(const LSTMTrainModel& m, LSTMTrainWorker& wk, const LSTMWeights& g, float inv_n) {
    const int B = wk.B, T = wk.T;
    const int L = m.cfg.num_layers, H = m.cfg.hidden_size, E = m.cfg.embedding_size, V = m.cfg.vocab_size;
    const int G = 4 * H, N = B * T;
    const LSTMWeights& w = m.w;

    // dlogits = (probs - onehot) * inv_n, in place
    for (int n = 0; n < N; n++) {
        float* p = wk.probs.data() + (size_t)n * V;
        p[wk.targets[n]] -= 1.0f;
        for (int i = 0; i < V; i++) p[i] *= inv_n;
    }
    const float* top = wk.h.data() + (size_t)(L - 1) * N * H;
    CMapM dlogits(wk.probs.data(), N, V);
    MapM(wk.dh.data(), N, H).noalias() = dlogits * CMapM(w.dec_w, V, H);           // [N,V] @ [V,H]
    MapM(g.dec_w, V, H).noalias() += dlogits.transpose() * CMapM(top, N, H);       // [V,N] @ [N,H]
    for (int n = 0; n < N; n++) {  // bias: plain row-order loop (deterministic rounding)
        const float* row = wk.probs.data() + (size_t)n * V;
        for (int i = 0; i < V; i++) g.dec_b[i] += row[i];
    }

    for (int k = L - 1; k >= 0; k--) {
        const int in = k == 0 ? E : H;
        const float* X = k == 0 ? wk.x0.data() : wk.h.data() + (size_t)(k - 1) * N * H;
        const float* A = wk.gates.data() + (size_t)k * N * G;  // activations
        const float* C = wk.c.data() + (size_t)k * N * H;
        const float* Hk = wk.h.data() + (size_t)k * N * H;
        const float* TC = wk.tanhc.data() + (size_t)k * N * H;
        float* dz = wk.dz.data();                              // [N, 4H] d(pre-activations)
        const float* dh = wk.dh.data();                        // [N, H] from the layer above / decoder
        std::fill(wk.dh_next.begin(), wk.dh_next.end(), 0.0f);
        std::fill(wk.dc_next.begin(), wk.dc_next.end(), 0.0f);
        CMapM Whh(w.w_hh[k], G, H);
        for (int t = T - 1; t >= 0; t--) {
            for (int b = 0; b < B; b++) {
                const size_t n = (size_t)b * T + t;
                const float* a = A + n * G;
                float* d = dz + n * G;
                float* dhn = wk.dh_next.data() + (size_t)b * H;
                float* dcn = wk.dc_next.data() + (size_t)b * H;
                for (int j = 0; j < H; j++) {
                    const float i = a[j], f = a[H + j], gg = a[2 * H + j], o = a[3 * H + j];
                    const float tc = TC[n * H + j];
                    const float cp = t > 0 ? C[(n - 1) * H + j] : 0.0f;
                    const float dhv = dh[n * H + j] + dhn[j];
                    const float dc = dcn[j] + dhv * o * (1.0f - tc * tc);
                    d[j] = dc * gg * i * (1.0f - i);
                    d[H + j] = dc * cp * f * (1.0f - f);
                    d[2 * H + j] = dc * i * (1.0f - gg * gg);
                    d[3 * H + j] = dhv * tc * o * (1.0f - o);
                    dcn[j] = dc * f;
                }
            }
            if (t > 0) {  // dh_{t-1} = dz_t @ W_hh  ([B,4H] @ [4H,H])
                CStrided dzt(dz + (size_t)t * G, B, G, Eigen::OuterStride<>((Eigen::Index)T * G));
                MapM(wk.dh_next.data(), B, H).noalias() = dzt * Whh;
            }
        }
        // dW_hh += sum_t>0 dz_t^T h_{t-1}: per window, its rows 1..T-1 of dz against rows 0..T-2 of h
        if (T > 1) {
            MapM dWhh(g.w_hh[k], G, H);
            for (int b = 0; b < B; b++) {
                CMapM dzb(dz + ((size_t)b * T + 1) * G, T - 1, G);
                CMapM hb(Hk + (size_t)b * T * H, T - 1, H);
                dWhh.noalias() += dzb.transpose() * hb;
            }
        }
        CMapM dZ(dz, N, G);
        MapM(g.w_ih[k], G, in).noalias() += dZ.transpose() * CMapM(X, N, in);  // [4H,N] @ [N,in]
        for (int n = 0; n < N; n++) {
            const float* row = dz + (size_t)n * G;
            for (int j = 0; j < G; j++) {
                g.b_ih[k][j] += row[j];
                g.b_hh[k][j] += row[j];
            }
        }
        if (k > 0) {  // gradient into the layer below's h
            MapM(wk.dh.data(), N, H).noalias() = dZ * CMapM(w.w_ih[k], G, H);
        } else {      // into the embeddings (serial scatter: repeated tokens share rows)
            MapM(wk.dx.data(), N, E).noalias() = dZ * CMapM(w.w_ih[0], G, E);
            for (int n = 0; n < N; n++) {
                const float* d = wk.dx.data() + (size_t)n * E;
                float* e = g.encoder + (size_t)wk.inputs[n] * E;
                for (int j = 0; j < E; j++) e[j] += d[j];
            }
        }
    }
}

double lstm_train_forward(LSTMTrainModel& m, const int* inputs, const int* targets, int B, int T) {
    m.loss = worker_forward(m, m.workers[0], inputs, targets, B, T);
    return m.loss;
}

void lstm_train_zero_grad(LSTMTrainModel& m) { std::fill(m.grads.begin(), m.grads.end(), 0.0f); }

void lstm_train_backward(LSTMTrainModel& m) {
    LSTMTrainWorker& wk = m.workers[0];
    worker_backward(m, wk, m.g, 1.0f / (wk.B * wk.T));
}

double lstm_train_forward_backward(LSTMTrainModel& m, const int* inputs, const int* targets, int B, int T, int shards) {
    if (shards < 1) shards = 1;
    if (shards > B) shards = B;
    if ((int)m.workers.size() < shards) m.workers.resize(shards);
    const size_t P = m.params.size();
    const float inv_n = 1.0f / (B * T);
    std::vector<LSTMWeights> gv(shards);
    for (int k = 0; k < shards; k++) {
        if (k == 0) gv[k] = m.g;
        else {
            m.workers[k].grads.assign(P, 0.0f);
            lstm_weights_point(m.cfg, m.workers[k].grads.data(), gv[k]);
        }
    }
    lstm_train_zero_grad(m);
    int threads = 1;
#ifdef _OPENMP
    threads = std::min(omp_get_max_threads(), shards);
#endif
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (int k = 0; k < shards; k++) {
        const int b0 = B * k / shards, b1 = B * (k + 1) / shards;
        worker_forward(m, m.workers[k], inputs + (size_t)b0 * T, targets + (size_t)b0 * T, b1 - b0, T);
        worker_backward(m, m.workers[k], gv[k], inv_n);
    }
    double loss = 0.0;
    for (int k = 0; k < shards; k++) {
        const int b0 = B * k / shards, b1 = B * (k + 1) / shards;
        loss += m.workers[k].loss * (b1 - b0) / B;
    }
    for (int k = 1; k < shards; k++) {
        float* dst = m.grads.data();
        const float* src = m.workers[k].grads.data();
        for (size_t i = 0; i < P; i++) dst[i] += src[i];
    }
    m.loss = loss;
    return loss;
}

// ----------------------------------------------------------------------------------------------------
// optimizer, step, evaluation

float lstm_train_grad_norm(const LSTMTrainModel& m) {
    double s = 0.0;
    for (float gv : m.grads) s += (double)gv * gv;
    return (float)std::sqrt(s);
}

void lstm_train_adamw_update(LSTMTrainModel& m, const TrainOptions& o, float lr, int t, float grad_scale) {
    const float b1c = 1.0f - std::pow(o.beta1, (float)t);
    const float b2c = 1.0f - std::pow(o.beta2, (float)t);
    for (const LSTMTensorSpec& s : lstm_tensor_specs(m.cfg)) {
        const float wd = s.shape.size() == 2 ? o.weight_decay : 0.0f;
        float* p = m.params.data() + s.offset;
        const float* gr = m.grads.data() + s.offset;
        float* mm = m.adam_m.data() + s.offset;
        float* vv = m.adam_v.data() + s.offset;
        for (size_t i = 0; i < s.size; i++) {
            const float gi = gr[i] * grad_scale;
            mm[i] = o.beta1 * mm[i] + (1.0f - o.beta1) * gi;
            vv[i] = o.beta2 * vv[i] + (1.0f - o.beta2) * gi * gi;
            const float mh = mm[i] / b1c, vh = vv[i] / b2c;
            p[i] -= lr * (mh / (std::sqrt(vh) + o.adam_eps) + wd * p[i]);
        }
    }
}

StepStats lstm_train_step(LSTMTrainModel& m, TrainState& st, const TrainOptions& o, const std::vector<uint16_t>& toks) {
    const int N = o.B * o.T;
    std::vector<int> in(N), tg(N);
    batch_sample(toks, o.B, o.T, st.rng, in.data(), tg.data(), o.copy);
    StepStats s;
    const int shards = o.shards > 0 ? o.shards : std::min(o.B, 2 * std::max(o.threads, 1));
    s.loss = lstm_train_forward_backward(m, in.data(), tg.data(), o.B, o.T, shards);
    s.grad_norm = lstm_train_grad_norm(m);
    const float scale = (o.grad_clip > 0 && s.grad_norm > o.grad_clip) ? o.grad_clip / s.grad_norm : 1.0f;
    s.lr = train_lr_at(o, st.step);
    lstm_train_adamw_update(m, o, s.lr, st.step + 1, scale);
    st.step++;
    return s;
}

double lstm_eval_loss(LSTMTrainModel& m, const std::vector<uint16_t>& toks, int B, int T, int max_batches) {
    std::vector<int> in((size_t)B * T), tg((size_t)B * T);
    size_t pos = 0;
    double total = 0.0;
    int batches = 0;
    while (batches < max_batches && pos + (size_t)B * T + 1 <= toks.size()) {
        for (int i = 0; i < B * T; i++) {
            in[i] = toks[pos + i];
            tg[i] = toks[pos + i + 1];
        }
        total += lstm_train_forward(m, in.data(), tg.data(), B, T);
        pos += (size_t)B * T;
        batches++;
    }
    return batches ? total / batches : 0.0;
}

double lstm_flops_per_token(const LSTMConfig& c) {
    const double E = c.embedding_size, H = c.hidden_size, L = c.num_layers, V = c.vocab_size;
    const double macs = 4 * H * (E + H) + (L - 1) * 4 * H * (2 * H) + V * H;
    return 3.0 * 2.0 * macs;
}

// ----------------------------------------------------------------------------------------------------
// checkpoints

static const char LSTM_MAGIC[8] = {'A', 'T', 'L', 'L', 'S', 'T', 'M', '1'};

bool lstm_checkpoint_save(const LSTMTrainModel& m, const TrainState& st, const std::string& path, std::string& err) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) {
            err = "cannot write checkpoint " + tmp;
            return false;
        }
        int32_t hdr[5] = {m.cfg.vocab_size, m.cfg.embedding_size, m.cfg.hidden_size, m.cfg.num_layers,
                          m.cfg.tie_weights ? 1 : 0};
        int32_t step = st.step;
        f.write(LSTM_MAGIC, 8);
        f.write(reinterpret_cast<const char*>(hdr), sizeof(hdr));
        f.write(reinterpret_cast<const char*>(&step), sizeof(step));
        f.write(reinterpret_cast<const char*>(&st.rng.state), sizeof(uint64_t));
        for (const std::vector<float>* v : {&m.params, &m.adam_m, &m.adam_v})
            f.write(reinterpret_cast<const char*>(v->data()), v->size() * sizeof(float));
        if (!f) {
            err = "write failed for checkpoint " + tmp;
            return false;
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {  // atomic: never half a checkpoint
        err = "cannot rename " + tmp + " to " + path;
        return false;
    }
    return true;
}

bool lstm_checkpoint_load(LSTMTrainModel& m, TrainState& st, const std::string& path, std::string& err) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        err = "cannot open checkpoint " + path;
        return false;
    }
    char magic[8];
    int32_t hdr[5], step;
    uint64_t rng;
    f.read(magic, 8);
    f.read(reinterpret_cast<char*>(hdr), sizeof(hdr));
    f.read(reinterpret_cast<char*>(&step), sizeof(step));
    f.read(reinterpret_cast<char*>(&rng), sizeof(rng));
    if (!f || memcmp(magic, LSTM_MAGIC, 8) != 0) {
        err = path + " is not an attnlab LSTM training checkpoint";
        return false;
    }
    LSTMConfig cfg;
    cfg.vocab_size = hdr[0], cfg.embedding_size = hdr[1], cfg.hidden_size = hdr[2], cfg.num_layers = hdr[3];
    cfg.tie_weights = hdr[4] != 0;
    if (!lstm_train_init(m, cfg, 0, err)) {
        err = path + ": " + err;
        return false;
    }
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
// export

static bool read_text(const std::string& path, std::string& out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    std::ostringstream ss;
    ss << f.rdbuf();
    out = ss.str();
    return true;
}

static bool write_text(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    return (bool)f;
}

bool lstm_export(const LSTMTrainModel& m, const std::string& tokenizer_dir, const std::string& out_dir, bool f16,
                 std::string& err) {
    const LSTMConfig& c = m.cfg;
    std::string vocab, merges;
    if (!read_text(tokenizer_dir + "/vocab.json", vocab) || !read_text(tokenizer_dir + "/merges.txt", merges)) {
        err = "cannot read vocab.json / merges.txt in " + tokenizer_dir;
        return false;
    }
    nlohmann::json vj = nlohmann::json::parse(vocab, nullptr, false);
    if (vj.is_discarded() || !vj.is_object() || (int)vj.size() != c.vocab_size) {
        err = tokenizer_dir + "/vocab.json is not a JSON object of vocab_size (" + std::to_string(c.vocab_size) +
              ") entries";
        return false;
    }
    mkdir(out_dir.c_str(), 0755);
    nlohmann::ordered_json cfg = {
        {"model_type", "lstm"},
        {"vocab_size", c.vocab_size},
        {"embedding_size", c.embedding_size},
        {"hidden_size", c.hidden_size},
        {"num_layers", c.num_layers},
        {"tie_weights", c.tie_weights},
        {"torch_dtype", f16 ? "float16" : "float32"},
    };
    if (!write_text(out_dir + "/config.json", cfg.dump(2) + "\n") || !write_text(out_dir + "/vocab.json", vocab) ||
        !write_text(out_dir + "/merges.txt", merges)) {
        err = "cannot write into " + out_dir;
        return false;
    }
    struct Out {
        std::string name;
        std::vector<int64_t> shape;
        const float* data;
        size_t n;
    };
    std::vector<Out> ts;
    for (const LSTMTensorSpec& s : lstm_tensor_specs(c)) {
        if (s.name == "decoder.bias" && c.tie_weights)  // torch's state_dict order: decoder.weight, decoder.bias
            ts.push_back({"decoder.weight", {c.vocab_size, c.hidden_size}, m.w.encoder,
                          (size_t)c.vocab_size * c.hidden_size});
        ts.push_back({s.name, s.shape, m.params.data() + s.offset, s.size});
    }
    const size_t elem = f16 ? 2 : 4;
    nlohmann::ordered_json header;
    header["__metadata__"] = {{"format", "pt"}};
    size_t off = 0;
    for (const Out& t : ts) {
        header[t.name] = {{"dtype", f16 ? "F16" : "F32"}, {"shape", t.shape}, {"data_offsets", {off, off + t.n * elem}}};
        off += t.n * elem;
    }
    std::string hj = header.dump();
    while (hj.size() % 8 != 0) hj += ' ';
    std::ofstream f(out_dir + "/model.safetensors", std::ios::binary | std::ios::trunc);
    if (!f) {
        err = "cannot write " + out_dir + "/model.safetensors";
        return false;
    }
    const uint64_t hlen = hj.size();
    f.write(reinterpret_cast<const char*>(&hlen), 8);
    f.write(hj.data(), hj.size());
    for (const Out& t : ts) {
        if (f16) {
            std::vector<uint16_t> h(t.n);
            for (size_t i = 0; i < t.n; i++) h[i] = float_to_half(t.data[i]);
            f.write(reinterpret_cast<const char*>(h.data()), t.n * 2);
        } else {
            f.write(reinterpret_cast<const char*>(t.data), t.n * 4);
        }
    }
    if (!f) {
        err = "write failed for " + out_dir + "/model.safetensors";
        return false;
    }
    return true;
}
