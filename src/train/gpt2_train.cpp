// GPT-2 training: whole-model forward/backward, AdamW, schedule, data sampling (see train.h).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "train/common.h"
#include "train/layers.h"
#include "train/train.h"

// ----------------------------------------------------------------------------------------------------
// threads and RNG

void train_set_threads(int n) {
#ifdef _OPENMP
    omp_set_num_threads(n > 0 ? n : 1);
#endif
    (void)n;
}

void train_rng_seed(TrainRng& r, uint64_t seed) { r.state = seed; }

uint64_t train_rng_u64(TrainRng& r) { return splitmix64_next(r.state); }

float train_rng_uniform(TrainRng& r) { return (train_rng_u64(r) >> 40) * (1.0f / 16777216.0f); }

float train_rng_normal(TrainRng& r) {
    float u1 = train_rng_uniform(r), u2 = train_rng_uniform(r);
    if (u1 < 1e-12f) u1 = 1e-12f;
    return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853071795864f * u2);
}

// ----------------------------------------------------------------------------------------------------
// allocation and init

static void worker_alloc(const GPT2Config& cfg, TrainWorker& wk, int B, int T) {
    if (wk.B == B && wk.T == T) return;
    const size_t L = cfg.n_layer, C = cfg.n_embd, V = cfg.vocab_size, H = cfg.n_head;
    const size_t N = (size_t)B * T;
    TrainActivations& a = wk.acts;
    a.encoded.assign(N * C, 0.0f);
    a.ln1.assign(L * N * C, 0.0f);
    a.ln1_mean.assign(L * N, 0.0f);
    a.ln1_rstd.assign(L * N, 0.0f);
    a.qkv.assign(L * N * 3 * C, 0.0f);
    a.att.assign(L * B * H * T * T, 0.0f);
    a.atty.assign(L * N * C, 0.0f);
    a.residual2.assign(L * N * C, 0.0f);
    a.ln2.assign(L * N * C, 0.0f);
    a.ln2_mean.assign(L * N, 0.0f);
    a.ln2_rstd.assign(L * N, 0.0f);
    a.fch.assign(L * N * 4 * C, 0.0f);
    a.fch_gelu.assign(L * N * 4 * C, 0.0f);
    a.residual3.assign(L * N * C, 0.0f);
    a.lnf.assign(N * C, 0.0f);
    a.lnf_mean.assign(N, 0.0f);
    a.lnf_rstd.assign(N, 0.0f);
    a.probs.assign(N * V, 0.0f);
    a.losses.assign(N, 0.0f);
    a.scratch.assign(N * C, 0.0f);
    TrainGradScratch& g = wk.gs;
    g.dresidual.assign(N * C, 0.0f);
    g.dln.assign(N * C, 0.0f);
    g.datty.assign(N * C, 0.0f);
    g.dqkv.assign(N * 3 * C, 0.0f);
    g.dfch.assign(N * 4 * C, 0.0f);
    g.dfch_gelu.assign(N * 4 * C, 0.0f);
    wk.inputs.assign(N, 0);
    wk.targets.assign(N, 0);
    wk.B = B;
    wk.T = T;
}

static bool config_check(const GPT2Config& c, std::string& err) {
    if (c.n_layer <= 0 || c.n_head <= 0 || c.n_embd <= 0 || c.n_positions <= 0 || c.vocab_size <= 0) {
        err = "config: n_layer, n_head, n_embd, n_positions and vocab_size must all be positive";
        return false;
    }
    if (c.n_embd % c.n_head != 0) {
        err = "config: n_embd must be divisible by n_head";
        return false;
    }
    if (c.vocab_size > 65536) {
        err = "config: vocab_size above 65536 does not fit the uint16 token files";
        return false;
    }
    return true;
}

static void model_alloc(TrainModel& m, const GPT2Config& cfg) {
    m.cfg = cfg;
    size_t n = gpt2_num_params(cfg);
    m.params.assign(n, 0.0f);
    m.grads.assign(n, 0.0f);
    m.adam_m.assign(n, 0.0f);
    m.adam_v.assign(n, 0.0f);
    gpt2_weights_point(cfg, m.params.data(), m.w);
    gpt2_weights_point(cfg, m.grads.data(), m.g);
    m.workers.assign(1, TrainWorker());
}

bool train_model_init(TrainModel& m, const GPT2Config& cfg, uint64_t seed, float init_std, std::string& err) {
    if (!config_check(cfg, err)) return false;
    model_alloc(m, cfg);
    size_t sizes[GPT2_NUM_TENSORS];
    gpt2_tensor_sizes(cfg, sizes);
    TrainRng rng;
    train_rng_seed(rng, seed);
    const float proj_std = init_std / std::sqrt(2.0f * cfg.n_layer);  // residual projections (GPT-2)
    float* p = m.params.data();
    for (int t = 0; t < GPT2_NUM_TENSORS; t++) {
        bool is_ln_weight = (t == 2 || t == 8 || t == 14);
        bool is_bias = (t == 3 || t == 5 || t == 7 || t == 9 || t == 11 || t == 13 || t == 15);
        bool is_proj = (t == 6 || t == 12);
        for (size_t i = 0; i < sizes[t]; i++) {
            if (is_ln_weight) p[i] = 1.0f;
            else if (is_bias) p[i] = 0.0f;
            else p[i] = train_rng_normal(rng) * (is_proj ? proj_std : init_std);
        }
        p += sizes[t];
    }
    return true;
}

void train_wpe_sinusoid(TrainModel& m, float rms) {
    const int T = m.cfg.n_positions, C = m.cfg.n_embd;
    const float amp = rms * std::sqrt(2.0f);  // sin and cos over a full period: rms = amplitude / sqrt 2
    for (int p = 0; p < T; p++)
        for (int i = 0; i + 1 < C; i += 2) {
            const double angle = p * std::pow(10000.0, -(double)i / C);
            m.w.wpe[(size_t)p * C + i] = amp * (float)std::sin(angle);
            m.w.wpe[(size_t)p * C + i + 1] = amp * (float)std::cos(angle);
        }
}

// ----------------------------------------------------------------------------------------------------
// forward / backward

static double worker_forward(const TrainModel& m, TrainWorker& wk, const int* inputs, const int* targets, int B,
                             int T) {
    worker_alloc(m.cfg, wk, B, T);
    const int L = m.cfg.n_layer, C = m.cfg.n_embd, V = m.cfg.vocab_size, H = m.cfg.n_head;
    const int N = B * T;
    const float eps = m.cfg.layer_norm_epsilon;
    const GPT2Weights& w = m.w;
    TrainActivations& a = wk.acts;
    memcpy(wk.inputs.data(), inputs, sizeof(int) * N);
    if (targets) memcpy(wk.targets.data(), targets, sizeof(int) * N);
    else std::fill(wk.targets.begin(), wk.targets.end(), 0);  // scored against token 0; loss reported as 0

    encoder_forward(a.encoded.data(), inputs, w.wte, w.wpe, B, T, C);
    for (int l = 0; l < L; l++) {
        const float* resid = l == 0 ? a.encoded.data() : a.residual3.data() + (size_t)(l - 1) * N * C;  // [N,C]
        float* ln1 = a.ln1.data() + (size_t)l * N * C;
        float* qkv = a.qkv.data() + (size_t)l * N * 3 * C;
        float* att = a.att.data() + (size_t)l * B * H * T * T;
        float* atty = a.atty.data() + (size_t)l * N * C;
        float* res2 = a.residual2.data() + (size_t)l * N * C;
        float* ln2 = a.ln2.data() + (size_t)l * N * C;
        float* fch = a.fch.data() + (size_t)l * N * 4 * C;
        float* fchg = a.fch_gelu.data() + (size_t)l * N * 4 * C;
        float* res3 = a.residual3.data() + (size_t)l * N * C;
        layernorm_forward(ln1, a.ln1_mean.data() + (size_t)l * N, a.ln1_rstd.data() + (size_t)l * N, resid,
                          w.ln1w + l * C, w.ln1b + l * C, N, C, eps);
        matmul_forward(qkv, ln1, w.qkvw + (size_t)l * C * 3 * C, w.qkvb + l * 3 * C, N, C, 3 * C);
        attention_forward(atty, att, qkv, B, T, C, H);
        matmul_forward(a.scratch.data(), atty, w.attprojw + (size_t)l * C * C, w.attprojb + l * C, N, C, C);
        residual_forward(res2, resid, a.scratch.data(), N * C);
        layernorm_forward(ln2, a.ln2_mean.data() + (size_t)l * N, a.ln2_rstd.data() + (size_t)l * N, res2,
                          w.ln2w + l * C, w.ln2b + l * C, N, C, eps);
        matmul_forward(fch, ln2, w.fcw + (size_t)l * C * 4 * C, w.fcb + l * 4 * C, N, C, 4 * C);
        gelu_forward(fchg, fch, N * 4 * C);
        matmul_forward(a.scratch.data(), fchg, w.fcprojw + (size_t)l * 4 * C * C, w.fcprojb + l * C, N, 4 * C, C);
        residual_forward(res3, res2, a.scratch.data(), N * C);
    }
    const float* last = a.residual3.data() + (size_t)(L - 1) * N * C;
    layernorm_forward(a.lnf.data(), a.lnf_mean.data(), a.lnf_rstd.data(), last, w.lnfw, w.lnfb, N, C, eps);
    double loss = lm_head_forward(a.probs.data(), a.losses.data(), a.lnf.data(), w.wte, wk.targets.data(), N, C, V);
    wk.loss = targets ? loss : 0.0;
    return wk.loss;
}

// Accumulates gradients into g; the loss being differentiated is sum(losses) * inv_n.
static void worker_backward(const TrainModel& m, TrainWorker& wk, const GPT2Weights& g, float inv_n) {
    const int B = wk.B, T = wk.T;
    const int L = m.cfg.n_layer, C = m.cfg.n_embd, V = m.cfg.vocab_size, H = m.cfg.n_head;
    const int N = B * T;
    const GPT2Weights& w = m.w;
    TrainActivations& a = wk.acts;
    TrainGradScratch& s = wk.gs;

    std::fill(s.dln.begin(), s.dln.end(), 0.0f);
    std::fill(s.dresidual.begin(), s.dresidual.end(), 0.0f);
    lm_head_backward(s.dln.data(), g.wte, a.probs.data(), a.lnf.data(), w.wte, wk.targets.data(), N, C, V, inv_n);
    const float* last = a.residual3.data() + (size_t)(L - 1) * N * C;
    layernorm_backward(s.dresidual.data(), g.lnfw, g.lnfb, s.dln.data(), last, w.lnfw, a.lnf_mean.data(),
                       a.lnf_rstd.data(), N, C);

    for (int l = L - 1; l >= 0; l--) {
        const float* resid = l == 0 ? a.encoded.data() : a.residual3.data() + (size_t)(l - 1) * N * C;
        const float* ln1 = a.ln1.data() + (size_t)l * N * C;
        const float* qkv = a.qkv.data() + (size_t)l * N * 3 * C;
        const float* att = a.att.data() + (size_t)l * B * H * T * T;
        const float* atty = a.atty.data() + (size_t)l * N * C;
        const float* res2 = a.residual2.data() + (size_t)l * N * C;
        const float* ln2 = a.ln2.data() + (size_t)l * N * C;
        const float* fch = a.fch.data() + (size_t)l * N * 4 * C;
        const float* fchg = a.fch_gelu.data() + (size_t)l * N * 4 * C;

        // dresidual holds d(res3); res3 = res2 + fcproj  ->  both get dres3 (res2's is dresidual itself)
        std::fill(s.dfch_gelu.begin(), s.dfch_gelu.end(), 0.0f);
        matmul_backward(s.dfch_gelu.data(), g.fcprojw + (size_t)l * 4 * C * C, g.fcprojb + l * C,
                        s.dresidual.data(), fchg, w.fcprojw + (size_t)l * 4 * C * C, N, 4 * C, C);
        std::fill(s.dfch.begin(), s.dfch.end(), 0.0f);
        gelu_backward(s.dfch.data(), fch, s.dfch_gelu.data(), N * 4 * C);
        std::fill(s.dln.begin(), s.dln.end(), 0.0f);
        matmul_backward(s.dln.data(), g.fcw + (size_t)l * C * 4 * C, g.fcb + l * 4 * C, s.dfch.data(), ln2,
                        w.fcw + (size_t)l * C * 4 * C, N, C, 4 * C);
        layernorm_backward(s.dresidual.data(), g.ln2w + l * C, g.ln2b + l * C, s.dln.data(), res2,
                           w.ln2w + l * C, a.ln2_mean.data() + (size_t)l * N, a.ln2_rstd.data() + (size_t)l * N,
                           N, C);

        // dresidual now holds d(res2); res2 = resid + attproj
        std::fill(s.datty.begin(), s.datty.end(), 0.0f);
        matmul_backward(s.datty.data(), g.attprojw + (size_t)l * C * C, g.attprojb + l * C, s.dresidual.data(),
                        atty, w.attprojw + (size_t)l * C * C, N, C, C);
        std::fill(s.dqkv.begin(), s.dqkv.end(), 0.0f);
        attention_backward(s.dqkv.data(), s.datty.data(), qkv, att, B, T, C, H);
        std::fill(s.dln.begin(), s.dln.end(), 0.0f);
        matmul_backward(s.dln.data(), g.qkvw + (size_t)l * C * 3 * C, g.qkvb + l * 3 * C, s.dqkv.data(), ln1,
                        w.qkvw + (size_t)l * C * 3 * C, N, C, 3 * C);
        layernorm_backward(s.dresidual.data(), g.ln1w + l * C, g.ln1b + l * C, s.dln.data(), resid,
                           w.ln1w + l * C, a.ln1_mean.data() + (size_t)l * N, a.ln1_rstd.data() + (size_t)l * N,
                           N, C);
        // dresidual now holds d(resid), the input of layer l
    }
    encoder_backward(g.wte, g.wpe, s.dresidual.data(), wk.inputs.data(), B, T, C);
}

double train_forward(TrainModel& m, const int* inputs, const int* targets, int B, int T) {
    m.loss = worker_forward(m, m.workers[0], inputs, targets, B, T);
    return m.loss;
}

void train_zero_grad(TrainModel& m) { std::fill(m.grads.begin(), m.grads.end(), 0.0f); }

void train_backward(TrainModel& m) {
    TrainWorker& wk = m.workers[0];
    worker_backward(m, wk, m.g, 1.0f / (wk.B * wk.T));
}

double train_forward_backward(TrainModel& m, const int* inputs, const int* targets, int B, int T, int shards) {
    auto point = [&](float* buf, GPT2Weights& v) { gpt2_weights_point(m.cfg, buf, v); };
    auto run = [&](TrainWorker& wk, const int* in, const int* tg, int b, const GPT2Weights& g, float inv_n) {
        worker_forward(m, wk, in, tg, b, T);
        worker_backward(m, wk, g, inv_n);
    };
    m.loss = sharded_forward_backward<TrainModel, GPT2Weights>(m, inputs, targets, B, T, shards, point, run);
    return m.loss;
}

// ----------------------------------------------------------------------------------------------------
// optimizer

float train_lr_at(const TrainOptions& o, int step) {
    if (o.warmup > 0 && step < o.warmup) return o.lr * (step + 1) / o.warmup;
    float min_lr = o.lr * o.min_lr_frac;
    if (step >= o.steps) return min_lr;
    float span = (float)(o.steps - o.warmup);
    float ratio = span > 0 ? (step - o.warmup) / span : 1.0f;
    float coeff = 0.5f * (1.0f + std::cos(3.14159265358979f * ratio));  // 1 -> 0
    return min_lr + coeff * (o.lr - min_lr);
}

float train_grad_norm(const TrainModel& m) { return grad_norm(m.grads); }

void train_adamw_update(TrainModel& m, const TrainOptions& o, float lr, int t, float grad_scale) {
    size_t sizes[GPT2_NUM_TENSORS];
    gpt2_tensor_sizes(m.cfg, sizes);
    const float b1c = 1.0f - std::pow(o.beta1, (float)t);
    const float b2c = 1.0f - std::pow(o.beta2, (float)t);
    size_t off = 0;
    for (int ti = 0; ti < GPT2_NUM_TENSORS; ti++) {
        const bool decay = (ti == 0 || ti == 1 || ti == 4 || ti == 6 || ti == 10 || ti == 12);
        adamw_span(m.params.data() + off, m.grads.data() + off, m.adam_m.data() + off, m.adam_v.data() + off,
                   sizes[ti], o, lr, b1c, b2c, grad_scale, decay ? o.weight_decay : 0.0f);
        off += sizes[ti];
    }
}

// ----------------------------------------------------------------------------------------------------
// data

bool token_file_load(const std::string& path, std::vector<uint16_t>& out, std::string& err) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) {
        err = "cannot open token file " + path;
        return false;
    }
    std::streamsize bytes = f.tellg();
    if (bytes < 0 || bytes % 2 != 0) {
        err = "token file " + path + " has an odd size (expected uint16 tokens)";
        return false;
    }
    out.resize((size_t)bytes / 2);
    f.seekg(0);
    if (bytes > 0 && !f.read(reinterpret_cast<char*>(out.data()), bytes)) {
        err = "cannot read token file " + path;
        return false;
    }
    return true;
}

// Whether a copying window's spans are random ids (with probability copy.random; no draw when it is 0), and
// one such id: merged tokens in [random_lo, random_hi).
static bool random_spans(TrainRng& rng, const CopyWindows& copy) {
    return copy.random > 0.0f && train_rng_uniform(rng) < copy.random && copy.random_hi > copy.random_lo;
}
static int random_id(TrainRng& rng, const CopyWindows& copy) {
    return copy.random_lo + (int)(train_rng_u64(rng) % (uint64_t)(copy.random_hi - copy.random_lo));
}

// A repeat-marked window (CopyWindows::mark) in win[0..T]: the marker, then tokens from the text at `start`
// (or random ids, half of them repeating an earlier one), each repeat followed by the marker.
static void write_marked_window(std::vector<int>& win, const std::vector<uint16_t>& toks, size_t start, int T,
                                TrainRng& rng, const CopyWindows& copy) {
    const bool random = random_spans(rng, copy);
    std::vector<bool> seen(65536, false);
    std::vector<int> drawn;
    win[0] = copy.mark_token;
    for (int t = 1, next = 1; t <= T;) {
        int tok;
        if (!random) {
            tok = toks[start + next++];  // at most T reads: within the window's text
        } else if (!drawn.empty() && train_rng_uniform(rng) < 0.5f) {
            tok = drawn[train_rng_u64(rng) % drawn.size()];
        } else {
            tok = random_id(rng, copy);
            drawn.push_back(tok);
        }
        win[t++] = tok;
        if (seen[tok] && t <= T) win[t++] = copy.mark_token;
        seen[tok] = true;
    }
}

// A copying window (CopyWindows): in win[0..T], a span of L in [T/16, max_frac T] tokens written again later
// in the same window (after the original), so the second copy is predictable; with probability `random` the
// span is first filled with random ids from [random_lo, random_hi) (nothing but the earlier copy predicts it).
static void write_copy_window(std::vector<int>& win, int T, TrainRng& rng, const CopyWindows& copy) {
    // reversed: the later copies run backwards (see CopyWindows::reverse)
    const bool reversed = copy.reverse > 0.0f && train_rng_uniform(rng) < copy.reverse;
    const bool periodic = copy.periodic && !reversed;
    const int lo = std::max(2, T / (periodic ? 32 : 16)), hi = std::max(lo, (int)(copy.max_frac * T));
    const int L = lo + (int)(train_rng_u64(rng) % (uint64_t)(hi - lo + 1));
    if (periodic && 2 * L <= T + 1) {
        const int src = (int)(train_rng_u64(rng) % (uint64_t)(T + 2 - 2 * L));  // [0, T+1-2L]
        if (random_spans(rng, copy))
            for (int i = 0; i < L; i++) win[src + i] = random_id(rng, copy);
        for (int i = src + L; i <= T; i++) win[i] = win[i - L];
    } else if (reversed && 2 * L <= T + 1) {
        // from the window's start, pairs of a span and the same span backwards, each span a fresh stretch of
        // the text (or random ids): every token of a backwards copy is followed by the one before its
        // earlier copy, and no pair of tokens comes twice
        const bool random = random_spans(rng, copy);
        for (int i = 0; i + 2 * L <= T + 1; i += 2 * L) {
            if (random)
                for (int j = 0; j < L; j++) win[i + j] = random_id(rng, copy);
            for (int j = 0; j < L; j++) win[i + L + j] = win[i + L - 1 - j];
        }
    } else if (2 * L <= T + 1) {
        const int src = (int)(train_rng_u64(rng) % (uint64_t)(T + 2 - 2 * L));  // [0, T+1-2L]
        const int dst = src + L + (int)(train_rng_u64(rng) % (uint64_t)(T + 2 - 2 * L - src));
        if (random_spans(rng, copy))
            for (int i = 0; i < L; i++) win[src + i] = random_id(rng, copy);
        for (int i = 0; i < L; i++) win[dst + i] = win[src + i];
    }
}

void batch_sample(const std::vector<uint16_t>& toks, int B, int T, TrainRng& rng, int* inputs, int* targets,
                  const CopyWindows& copy) {
    const uint64_t span = toks.size() - (size_t)T;  // valid window starts: [0, size - T - 1]
    std::vector<int> win(T + 1);
    for (int b = 0; b < B; b++) {
        size_t start = (size_t)(train_rng_u64(rng) % span);
        for (int t = 0; t <= T; t++) win[t] = toks[start + t];
        if (copy.frac > 0.0f && train_rng_uniform(rng) < copy.frac) {
            if (copy.mark > 0.0f && copy.mark_token >= 0 && train_rng_uniform(rng) < copy.mark)
                write_marked_window(win, toks, start, T, rng, copy);
            else
                write_copy_window(win, T, rng, copy);
        }
        for (int t = 0; t < T; t++) {
            inputs[b * T + t] = win[t];
            targets[b * T + t] = win[t + 1];
        }
    }
}

double eval_loss(TrainModel& m, const std::vector<uint16_t>& toks, int B, int T, int max_batches) {
    return eval_loss_with(toks, B, T, max_batches,
                          [&](const int* in, const int* tg, int b, int t) { return train_forward(m, in, tg, b, t); });
}

// ----------------------------------------------------------------------------------------------------
// one step

StepStats train_step(TrainModel& m, TrainState& st, const TrainOptions& o, const std::vector<uint16_t>& toks) {
    return train_step_with(
        st, o, toks, m.grads,
        [&](const int* in, const int* tg, int shards) { return train_forward_backward(m, in, tg, o.B, o.T, shards); },
        [&](float lr, int t, float scale) { train_adamw_update(m, o, lr, t, scale); });
}

double train_flops_per_token(const GPT2Config& c, int T) {
    const double C = c.n_embd, L = c.n_layer, V = c.vocab_size;
    const double macs = L * 12.0 * C * C + V * C + L * C * (T + 1.0);  // attention: (T+1)/2 keys, twice
    return 3.0 * 2.0 * macs;
}
