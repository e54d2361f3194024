// LSTM training: forward and backward through time, AdamW, checkpoints, export (see lstm_train.h).
#include "train/lstm_train.h"
#include "train/common.h"

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
    auto point = [&](float* buf, LSTMWeights& v) { lstm_weights_point(m.cfg, buf, v); };
    auto run = [&](LSTMTrainWorker& wk, const int* in, const int* tg, int b, const LSTMWeights& g, float inv_n) {
        worker_forward(m, wk, in, tg, b, T);
        worker_backward(m, wk, g, inv_n);
    };
    m.loss = sharded_forward_backward<LSTMTrainModel, LSTMWeights>(m, inputs, targets, B, T, shards, point, run);
    return m.loss;
}

// ----------------------------------------------------------------------------------------------------
// optimizer, step, evaluation

float lstm_train_grad_norm(const LSTMTrainModel& m) { return grad_norm(m.grads); }

void lstm_train_adamw_update(LSTMTrainModel& m, const TrainOptions& o, float lr, int t, float grad_scale) {
    const float b1c = 1.0f - std::pow(o.beta1, (float)t);
    const float b2c = 1.0f - std::pow(o.beta2, (float)t);
    for (const LSTMTensorSpec& s : lstm_tensor_specs(m.cfg))
        adamw_span(m.params.data() + s.offset, m.grads.data() + s.offset, m.adam_m.data() + s.offset,
                   m.adam_v.data() + s.offset, s.size, o, lr, b1c, b2c, grad_scale,
                   s.shape.size() == 2 ? o.weight_decay : 0.0f);
}

StepStats lstm_train_step(LSTMTrainModel& m, TrainState& st, const TrainOptions& o, const std::vector<uint16_t>& toks) {
    return train_step_with(
        st, o, toks, m.grads,
        [&](const int* in, const int* tg, int shards) { return lstm_train_forward_backward(m, in, tg, o.B, o.T, shards); },
        [&](float lr, int t, float scale) { lstm_train_adamw_update(m, o, lr, t, scale); });
}

double lstm_eval_loss(LSTMTrainModel& m, const std::vector<uint16_t>& toks, int B, int T, int max_batches) {
    return eval_loss_with(toks, B, T, max_batches, [&](const int* in, const int* tg, int b, int t) {
        return lstm_train_forward(m, in, tg, b, t);
    });
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
    const int32_t hdr[5] = {m.cfg.vocab_size, m.cfg.embedding_size, m.cfg.hidden_size, m.cfg.num_layers,
                            m.cfg.tie_weights ? 1 : 0};
    return checkpoint_write(path, LSTM_MAGIC, std::string(reinterpret_cast<const char*>(hdr), sizeof(hdr)), st,
                            m.params, m.adam_m, m.adam_v, err);
}

bool lstm_checkpoint_load(LSTMTrainModel& m, TrainState& st, const std::string& path, std::string& err) {
    auto alloc = [&](const std::string& header, std::string& e) -> std::vector<std::vector<float>*> {
        int32_t hdr[5];
        std::memcpy(hdr, header.data(), sizeof(hdr));
        LSTMConfig cfg;
        cfg.vocab_size = hdr[0], cfg.embedding_size = hdr[1], cfg.hidden_size = hdr[2], cfg.num_layers = hdr[3];
        cfg.tie_weights = hdr[4] != 0;
        if (!lstm_train_init(m, cfg, 0, e)) return {};
        return {&m.params, &m.adam_m, &m.adam_v};
    };
    return checkpoint_read(path, LSTM_MAGIC, 5 * sizeof(int32_t), "LSTM training checkpoint", alloc, st, err);
}

// ----------------------------------------------------------------------------------------------------
// export

bool lstm_export(const LSTMTrainModel& m, const std::string& tokenizer_dir, const std::string& out_dir, bool f16,
                 std::string& err) {
    const LSTMConfig& c = m.cfg;
    auto config = [&](int) {
        return nlohmann::ordered_json{
            {"model_type", "lstm"},
            {"vocab_size", c.vocab_size},
            {"embedding_size", c.embedding_size},
            {"hidden_size", c.hidden_size},
            {"num_layers", c.num_layers},
            {"tie_weights", c.tie_weights},
            {"torch_dtype", f16 ? "float16" : "float32"},
        };
    };
    if (!export_folder(tokenizer_dir, out_dir, c.vocab_size, config, err)) return false;
    std::vector<ExportTensor> ts;
    for (const LSTMTensorSpec& s : lstm_tensor_specs(c)) {
        if (s.name == "decoder.bias" && c.tie_weights)  // torch's state_dict order: decoder.weight, decoder.bias
            ts.push_back({"decoder.weight", {c.vocab_size, c.hidden_size}, m.w.encoder});
        ts.push_back({s.name, s.shape, m.params.data() + s.offset});
    }
    return export_safetensors(out_dir + "/model.safetensors", ts, f16, err);
}
