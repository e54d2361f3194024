// GPT-2 forward pass with capture, and incremental steps with a KV cache.
//
//   ids [T] --wte+wpe--> x [T, C] --L x block--> x --ln_f--> @ wte^T --> logits [T, V]
//   block:  x = x + c_proj(attention(ln_1(x)))      (causal, H heads of width D)
//           x = x + mlp_proj(gelu(c_fc(ln_2(x))))   (width 4C)
//
// One code path serves both the full run (P = 0 past tokens) and a KV-cache step (P = cached tokens):
// keys and values are written into a per-head store [H, Tk, D] (scratch, or the cache) and queries
// attend to rows [0, P + i]. Scratch buffers are thread_local and grow only: a repeated run of the
// same length allocates nothing except what Eigen's GEMM blocking needs.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "model/intervene.h"
#include "model/model.h"
#include "model/ops.h"
#include "model/safetensors.h"  // f16_to_f32

// ----------------------------------------------------------------------------------------------------
// scratch

struct ForwardScratch {
    std::vector<float> x;     // [n, C]   residual stream
    std::vector<float> xn;    // [n, C]   layer-normed input of a sublayer
    std::vector<float> qkv;   // [n, 3C]  c_attn output
    std::vector<float> q;     // [H, n, D] queries, head-major
    std::vector<float> k, v;  // [H, n, D] keys / values of a full run (a step uses the KV cache)
    std::vector<float> att;   // [n, C]   head outputs side by side (weights @ v), input of c_proj
    std::vector<float> out;   // [n, C]   sublayer output before the residual add
    std::vector<float> fc;    // [n, 4C]  MLP hidden
    std::vector<float> s, w;  // [n, Tk]  scores / weights of one head when they are not captured
    std::vector<float> rows;  // [chunk, V] LM-head rows of the logit lens
    std::vector<float> lens_x;  // [L, C] every layer's residual at the lens's one position
};

static thread_local ForwardScratch g_scratch;

void model_scratch_release() { g_scratch = ForwardScratch(); }

static float* grow(std::vector<float>& v, size_t n) {
    if (v.size() < n) v.resize(n);
    return v.data();
}

// The weight pointers (Model keeps them valid across copies and moves).
static const GPT2Weights& weights_of(const Model& m) { return m.w; }

// A product with layer l's weight matrix [K, N]: packed at load (p), kept as F16 (h, the F16 opt-in) or
// as F32 (f).
static void matmul_w(float* out, int ldo, const float* a, int lda, const float* f, const uint16_t* h,
                     const float* p, int l, const float* bias, int M, int K, int N) {
    if (p) matmul_packed(out, ldo, a, lda, p + l * packed_floats(K, N), bias, M, K, N);
    else if (h) matmul_f16(out, ldo, a, lda, h + (size_t)l * K * N, N, bias, M, K, N);
    else matmul(out, ldo, a, lda, f + (size_t)l * K * N, N, bias, M, K, N);
}

static bool ids_check(const Model& m, const int* ids, int n, int past, std::string& err) {
    if (!m.has_weights()) { err = "model not loaded"; return false; }
    if (n <= 0) { err = "no tokens"; return false; }
    if (past + n > m.cfg.n_positions) {
        err = std::to_string(past + n) + " tokens exceed the model's context of " + std::to_string(m.cfg.n_positions);
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= m.cfg.vocab_size) {
            err = "token id " + std::to_string(ids[i]) + " outside the vocabulary [0, " + std::to_string(m.cfg.vocab_size) + ")";
            return false;
        }
    }
    return true;
}

// ----------------------------------------------------------------------------------------------------
// layers

// x[n, C] = wte[ids] + wpe[past .. past+n)
static void embed_forward(float* x, const GPT2Weights& w, const int* ids, int n, int past, int C) {
    for (int i = 0; i < n; i++) {
        const size_t te = (size_t)ids[i] * C, pe = (size_t)(past + i) * C;  // rows of wte, wpe
        float* xi = x + (size_t)i * C;                           // [C]
        if (w.wte_h)
            for (int c = 0; c < C; c++) xi[c] = f16_to_f32(w.wte_h[te + c]) + f16_to_f32(w.wpe_h[pe + c]);
        else
            for (int c = 0; c < C; c++) xi[c] = w.wte[te + c] + w.wpe[pe + c];
    }
}

// Where one layer's attention reads and writes.
struct AttnIO {
    float* kstore;         // [H, *, D] keys: head h at kstore + h * kv_stride, rows [0, P) already filled
    float* vstore;         // [H, *, D] values, same layout
    size_t kv_stride;      // floats between heads in kstore / vstore
    float* scores;         // [H, n, Tk] rows of the new tokens when captured, else nullptr -> scratch
    float* weights;        // [H, n, Tk] likewise
    size_t att_stride;     // floats between heads in scores / weights (n*Tk, or T*T inside a full capture)
};

// Knock-outs of layer l, head h on the weight rows of queries P .. P+n-1 (w [n, Tk]): the edge's weight
// becomes 0 and the row is renormalised over the keys left (all zeros if none is left).
static void knock_out(float* w, int Tk, const Interventions& iv, int l, int h, int P, int n) {
    for (const AttentionEdge& e : iv.knockout) {
        if (e.layer != l || e.head != h || e.query < P || e.query >= P + n) continue;
        float* row = w + (size_t)(e.query - P) * Tk;
        row[e.key] = 0.0f;
        double sum = 0.0;
        for (int j = 0; j <= e.query; j++) sum += row[j];
        const float inv = sum > 0.0 ? (float)(1.0 / sum) : 0.0f;
        for (int j = 0; j <= e.query; j++) row[j] *= inv;
    }
}

// Ablation and patching of layer l's head outputs att [n, C] (rows = positions P .. P+n-1).
static void replace_head_outputs(float* att, const Interventions& iv, const GPT2Config& cfg, int l, int P, int n) {
    const int C = cfg.n_embd, H = cfg.n_head, D = C / H;
    for (const HeadRef& r : iv.ablate) {
        if (r.layer != l) continue;
        std::vector<double> mean(D, 0.0);                        // mean over the text's positions (P = 0 here)
        if (iv.ablate_mean)
            for (int i = 0; i < n; i++)
                for (int d = 0; d < D; d++) mean[d] += att[(size_t)i * C + r.head * D + d];
        for (int i = 0; i < n; i++)
            for (int d = 0; d < D; d++) att[(size_t)i * C + r.head * D + d] = (float)(mean[d] / n);
    }
    for (const HeadRef& r : iv.patch) {
        if (r.layer != l) continue;
        const Capture& src = *iv.patch_source;                   // head_out [L, H, T, D]
        for (int i = 0; i < n; i++)
            std::memcpy(att + (size_t)i * C + r.head * D,
                        src.head_out.data() + (((size_t)l * H + r.head) * src.T + P + i) * D, D * sizeof(float));
    }
}

// out[n, C] = c_proj(causal multi-head attention(xn[n, C])) for new tokens at positions P .. P+n-1.
// Leaves q [H, n, D] in s.q and head outputs [n, C] in s.att.
static void attention_forward(float* out, const float* xn, const GPT2Weights& w, const GPT2Config& cfg, int l, int n,
                              int P, AttnIO& io, ForwardScratch& s, const Interventions* iv) {
    const int C = cfg.n_embd, H = cfg.n_head, D = C / H, Tk = P + n;
    const float* qkvb = w.qkvb + (size_t)l * 3 * C;              // [3C]
    const float* projb = w.attprojb + (size_t)l * C;             // [C]
    float* qkv = grow(s.qkv, (size_t)n * 3 * C);                 // [n, 3C]
    float* q = grow(s.q, (size_t)H * n * D);                     // [H, n, D]
    float* att = grow(s.att, (size_t)n * C);                     // [n, C]
    const float scale = 1.0f / std::sqrt((float)D);

    matmul_w(qkv, 3 * C, xn, C, w.qkvw, w.qkvw_h, w.qkvw_p, l, qkvb, n, C, 3 * C);  // [n, 3C] = [n, C] @ [C, 3C] + [3C]

    // split heads: q -> [H, n, D]; k, v -> store rows P .. P+n-1
    for (int h = 0; h < H; h++) {
        float* qh = q + (size_t)h * n * D;                       // [n, D]
        float* kh = io.kstore + h * io.kv_stride + (size_t)P * D;  // [n, D]
        float* vh = io.vstore + h * io.kv_stride + (size_t)P * D;  // [n, D]
        for (int i = 0; i < n; i++) {
            const float* row = qkv + (size_t)i * 3 * C + h * D;  // [3C] row, head h's columns
            std::memcpy(qh + (size_t)i * D, row, D * sizeof(float));
            std::memcpy(kh + (size_t)i * D, row + C, D * sizeof(float));
            std::memcpy(vh + (size_t)i * D, row + 2 * C, D * sizeof(float));
        }
    }

    for (int h = 0; h < H; h++) {
        const float* qh = q + (size_t)h * n * D;                 // [n, D]
        const float* kh = io.kstore + h * io.kv_stride;          // [Tk, D]
        const float* vh = io.vstore + h * io.kv_stride;          // [Tk, D]
        float* sh = io.scores ? io.scores + h * io.att_stride : grow(s.s, (size_t)n * Tk);    // [n, Tk]
        float* wh = io.weights ? io.weights + h * io.att_stride : grow(s.w, (size_t)n * Tk);  // [n, Tk]
        matmul_bt(sh, Tk, qh, D, kh, D, scale, n, D, Tk);        // [n, Tk] = q.k / sqrt(D), unmasked
        for (int i = 0; i < n; i++)                              // query P+i sees keys 0 .. P+i
            softmax_causal(wh + (size_t)i * Tk, sh + (size_t)i * Tk, P + i + 1, Tk);
        if (iv) knock_out(wh, Tk, *iv, l, h, P, n);
        matmul(att + h * D, C, wh, Tk, vh, D, nullptr, n, Tk, D);  // [n, D] = [n, Tk] @ [Tk, D] into att's columns
    }
    if (iv) replace_head_outputs(att, *iv, cfg, l, P, n);

    matmul_w(out, C, att, C, w.attprojw, w.attprojw_h, w.attprojw_p, l, projb, n, C, C);  // [n, C] = [n, C] @ [C, C] + [C]
}

// out[n, C] = c_proj(gelu(c_fc(xn[n, C])))
static void mlp_forward(float* out, const float* xn, const GPT2Weights& w, const GPT2Config& cfg, int l, int n,
                        ForwardScratch& s) {
    const int C = cfg.n_embd;
    const float* fcb = w.fcb + (size_t)l * 4 * C;                // [4C]
    const float* projb = w.fcprojb + (size_t)l * C;              // [C]
    float* fc = grow(s.fc, (size_t)n * 4 * C);                   // [n, 4C]
    matmul_w(fc, 4 * C, xn, C, w.fcw, w.fcw_h, w.fcw_p, l, fcb, n, C, 4 * C); // [n, 4C]
    gelu_inplace(fc, n * 4 * C);                                 // [n, 4C]
    matmul_w(out, C, fc, 4 * C, w.fcprojw, w.fcprojw_h, w.fcprojw_p, l, projb, n, 4 * C, C);  // [n, C]
}

static void residual_add(float* x, const float* y, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] += y[i];
}

// logits[n, V] = ln_f(x[n, C]) @ wte^T   (tied LM head)
static void lm_head_forward(float* logits, const float* x, const GPT2Weights& w, const GPT2Config& cfg, int n,
                            ForwardScratch& s) {
    const int C = cfg.n_embd, V = cfg.vocab_size;
    float* xn = grow(s.xn, (size_t)n * C);                       // [n, C]
    layernorm(xn, x, w.lnfw, w.lnfb, n, C, cfg.layer_norm_epsilon);
    if (w.wte_p) matmul_bt_packed(logits, V, xn, C, w.wte, C, w.wte_p, n, C, V);  // [n, V] = [n, C] @ [V, C]^T
    else if (w.wte_h) matmul_bt_f16(logits, V, xn, C, w.wte_h, C, 1.0f, n, C, V);
    else matmul_bt(logits, V, xn, C, w.wte, C, 1.0f, n, C, V);
}

// Logit lens: top-k ids and softmax probabilities of ln_f + LM head on the n rows x[n, C]; row r's go to
// ids_out / probs_out + r * stride ([k] each).
static void lens_forward(int* ids_out, float* probs_out, size_t stride, const float* x, int n, int k,
                         const GPT2Weights& w, const GPT2Config& cfg, ForwardScratch& s) {
    const int V = cfg.vocab_size, chunk = 32;                    // rows per LM-head GEMM: bounds scratch to 32 x V
    float* rows = grow(s.rows, (size_t)chunk * V);               // [chunk, V]
    for (int r0 = 0; r0 < n; r0 += chunk) {
        int m = std::min(chunk, n - r0);
        lm_head_forward(rows, x + (size_t)r0 * cfg.n_embd, w, cfg, m, s);  // [m, V]
        for (int r = 0; r < m; r++) {
            const float* z = rows + (size_t)r * V;               // [V]
            int* top = ids_out + (size_t)(r0 + r) * stride;      // [k] best first; ties keep the lower id
            float* ptop = probs_out + (size_t)(r0 + r) * stride; // [k]
            int have = 0;
            float mx = z[0];
            for (int i = 0; i < V; i++) {
                mx = z[i] > mx ? z[i] : mx;
                if (have == k && !(z[i] > z[top[k - 1]])) continue;
                int j = have < k ? have++ : k - 1;               // insertion into the sorted top list
                while (j > 0 && z[i] > z[top[j - 1]]) { top[j] = top[j - 1]; j--; }
                top[j] = i;
            }
            double sum = 0.0;
            for (int i = 0; i < V; i++) sum += std::exp((double)(z[i] - mx));
            for (int j = 0; j < k; j++) ptop[j] = (float)(std::exp((double)(z[top[j]] - mx)) / sum);
        }
    }
}

// ----------------------------------------------------------------------------------------------------
// full run with capture

// Computes rows P .. T-1 of cap (T = ids.size()), which is already sized and laid out for T; rows
// before P are valid and, for P > 0, so are the K/V of every layer and head in cap.k / cap.v. With
// every head's K/V captured they are written straight into the capture, else into scratch (P = 0 only).
// The logit lens covers positions [lens_begin, lens_end): from the captured residuals when there are
// any, else from the live residual stream (P = 0 only).
// With x_in, the run starts at layer `start` from the residual stream x_in [T, C] entering it (what a
// run with the same earlier layers computed there) instead of the embeddings.
static void forward_rows(const Model& m, const std::vector<int>& ids, int P, const CaptureOptions& opt, Capture& cap,
                         int lens_begin, int lens_end, const Interventions* iv, int start = 0,
                         const float* x_in = nullptr, bool last_logits_only = false) {
    const GPT2Config& cfg = m.cfg;
    const int T = (int)ids.size(), n = T - P, L = cfg.n_layer, H = cfg.n_head, C = cfg.n_embd, D = C / H;
    const int V = cfg.vocab_size, k = cap.lens_k;
    const GPT2Weights& w = weights_of(m);
    ForwardScratch& s = g_scratch;
    const size_t TT = (size_t)T * T, TD = (size_t)T * D, TC = (size_t)T * C, nC = (size_t)n * C;
    const bool keep_scores = opt.attention && opt.scores;
    const bool all_kv = opt.qkv && opt.qkv_layer < 0 && opt.qkv_head < 0;
    const int Hq = opt.qkv_head < 0 ? H : 1;

    float* x = grow(s.x, nC);                                    // [n, C] rows P .. T-1
    float* out = grow(s.out, nC);                                // [n, C]
    // A lens at one position (the Predict view on a long text) takes every layer's row there in one LM-head
    // product after the last layer: layer by layer, GPT-2 small would read its 154 MB wte L times.
    const bool lens_one = k > 0 && lens_end - lens_begin == 1 && !last_logits_only;
    float* lens_x = lens_one ? grow(s.lens_x, (size_t)L * C) : nullptr;  // [L, C]
    if (x_in) std::memcpy(x, x_in + (size_t)P * C, nC * sizeof(float));
    else embed_forward(x, w, ids.data() + P, n, P, C);
    if (opt.residuals && !x_in) std::memcpy(cap.embed.data() + (size_t)P * C, x, nC * sizeof(float));

    for (int l = start; l < L; l++) {
        AttnIO io;
        io.kstore = all_kv ? cap.k.data() + (size_t)l * H * TD : grow(s.k, (size_t)H * TD);  // [H, T, D]
        io.vstore = all_kv ? cap.v.data() + (size_t)l * H * TD : grow(s.v, (size_t)H * TD);
        io.kv_stride = TD;
        io.scores = keep_scores ? cap.scores.data() + (size_t)l * H * TT + (size_t)P * T : nullptr;   // rows P..
        io.weights = opt.attention ? cap.weights.data() + (size_t)l * H * TT + (size_t)P * T : nullptr;
        io.att_stride = TT;

        float* xn = grow(s.xn, nC);
        layernorm(xn, x, w.ln1w + (size_t)l * C, w.ln1b + (size_t)l * C, n, C, cfg.layer_norm_epsilon);
        attention_forward(out, xn, w, cfg, l, n, P, io, s, iv);  // [n, C]

        if (opt.qkv && (opt.qkv_layer < 0 || opt.qkv_layer == l)) {
            const int lq = opt.qkv_layer < 0 ? l : 0;
            for (int h = 0; h < H; h++) {
                if (opt.qkv_head >= 0 && opt.qkv_head != h) continue;
                const size_t at = ((size_t)lq * Hq + (opt.qkv_head < 0 ? h : 0)) * TD + (size_t)P * D;  // row P
                std::memcpy(cap.q.data() + at, s.q.data() + (size_t)h * n * D, (size_t)n * D * sizeof(float));
                if (!all_kv) {
                    std::memcpy(cap.k.data() + at, io.kstore + h * TD, TD * sizeof(float));
                    std::memcpy(cap.v.data() + at, io.vstore + h * TD, TD * sizeof(float));
                }
                for (int t = 0; t < n; t++)                      // att [n, C] columns h*D .. -> [n, D]
                    std::memcpy(cap.head_out.data() + at + (size_t)t * D, s.att.data() + (size_t)t * C + h * D,
                                D * sizeof(float));
            }
        }

        residual_add(x, out, nC);
        if (opt.residuals) std::memcpy(cap.resid_attn.data() + (size_t)l * TC + (size_t)P * C, x, nC * sizeof(float));
        if (last_logits_only && l == L - 1) {
            // only the last position's logits are wanted: its MLP is the only one left that matters
            float* xl = x + (size_t)(n - 1) * C;
            xn = grow(s.xn, C);
            layernorm(xn, xl, w.ln2w + (size_t)l * C, w.ln2b + (size_t)l * C, 1, C, cfg.layer_norm_epsilon);
            mlp_forward(out, xn, w, cfg, l, 1, s);               // [1, C]
            residual_add(xl, out, C);
            break;
        }
        xn = grow(s.xn, nC);
        layernorm(xn, x, w.ln2w + (size_t)l * C, w.ln2b + (size_t)l * C, n, C, cfg.layer_norm_epsilon);
        mlp_forward(out, xn, w, cfg, l, n, s);                   // [n, C]
        residual_add(x, out, nC);
        if (opt.residuals) std::memcpy(cap.resid_mlp.data() + (size_t)l * TC + (size_t)P * C, x, nC * sizeof(float));

        const float* lens_src = opt.residuals ? cap.resid_mlp.data() + (size_t)l * TC : x;  // [T, C] (x: P = 0)
        if (lens_one) std::memcpy(lens_x + (size_t)l * C, lens_src + (size_t)lens_begin * C, C * sizeof(float));
        else if (k > 0 && lens_begin < lens_end)
            lens_forward(cap.lens_ids.data() + ((size_t)l * T + lens_begin) * k,
                         cap.lens_probs.data() + ((size_t)l * T + lens_begin) * k, k,
                         lens_src + (size_t)lens_begin * C, lens_end - lens_begin, k, w, cfg, s);
    }
    if (lens_one && start < L)                                   // layers start .. L-1, one row each
        lens_forward(cap.lens_ids.data() + ((size_t)start * T + lens_begin) * k,
                     cap.lens_probs.data() + ((size_t)start * T + lens_begin) * k, (size_t)T * k,
                     lens_x + (size_t)start * C, L - start, k, w, cfg, s);

    if (opt.logits_all) lm_head_forward(cap.logits.data() + (size_t)P * V, x, w, cfg, n, s);  // [n, V]
    else lm_head_forward(cap.logits.data(), x + (size_t)(n - 1) * C, w, cfg, 1, s);          // [1, V]
}

static bool forward_full(const Model& m, const std::vector<int>& ids, const CaptureOptions& opt,
                         const Interventions* iv, Capture& cap, std::string& err) {
    const GPT2Config& cfg = m.cfg;
    const int T = (int)ids.size();
    if (!ids_check(m, ids.data(), T, 0, err)) return false;
    const int L = cfg.n_layer, H = cfg.n_head, C = cfg.n_embd, D = C / H, V = cfg.vocab_size;
    if (opt.qkv && (opt.qkv_layer >= L || opt.qkv_head >= H)) {
        err = "capture: qkv_layer / qkv_head out of range";
        return false;
    }
    const int k = std::min(std::max(opt.lens_top_k, 0), V);
    if (k > 0 && opt.lens_pos >= T) {
        err = "capture: lens_pos " + std::to_string(opt.lens_pos) + " outside the " + std::to_string(T) + " tokens";
        return false;
    }

    // ---- size the capture (resize keeps capacity: a reused Capture does not reallocate) ----
    const size_t TT = (size_t)T * T, TD = (size_t)T * D, TC = (size_t)T * C;
    cap.T = T; cap.L = L; cap.H = H; cap.C = C; cap.D = D; cap.V = V;
    cap.opt = opt;
    cap.ids = ids;
    cap.interventions = iv ? interventions_key(*iv) : "";
    const bool keep_scores = opt.attention && opt.scores;
    cap.scores.resize(keep_scores ? (size_t)L * H * TT : 0);
    cap.weights.resize(opt.attention ? (size_t)L * H * TT : 0);
    const int Lq = !opt.qkv ? 0 : opt.qkv_layer < 0 ? L : 1;
    const int Hq = !opt.qkv ? 0 : opt.qkv_head < 0 ? H : 1;
    cap.qkv_layer = opt.qkv ? opt.qkv_layer : -1;
    cap.qkv_head = opt.qkv ? opt.qkv_head : -1;
    cap.q.resize((size_t)Lq * Hq * TD);
    cap.k.resize((size_t)Lq * Hq * TD);
    cap.v.resize((size_t)Lq * Hq * TD);
    cap.head_out.resize((size_t)Lq * Hq * TD);
    cap.embed.resize(opt.residuals ? TC : 0);
    cap.resid_attn.resize(opt.residuals ? (size_t)L * TC : 0);
    cap.resid_mlp.resize(opt.residuals ? (size_t)L * TC : 0);
    cap.logits.resize((size_t)(opt.logits_all ? T : 1) * V);
    cap.lens_k = k;
    cap.lens_ids.assign((size_t)L * T * k, -1);                  // rows outside the lens range stay -1 / 0
    cap.lens_probs.assign((size_t)L * T * k, 0.0f);

    const int lens_begin = opt.lens_pos < 0 ? 0 : opt.lens_pos, lens_end = opt.lens_pos < 0 ? T : opt.lens_pos + 1;
    forward_rows(m, ids, 0, opt, cap, lens_begin, lens_end, iv);
    return true;
}

bool model_forward_tail_logits(const Model& m, const std::vector<int>& ids, int start, const float* x_in,
                               const Interventions& iv, std::vector<float>& logits, std::string& err) {
    const int T = (int)ids.size();
    if (!ids_check(m, ids.data(), T, 0, err)) return false;
    if (start < 0 || start >= m.cfg.n_layer || !x_in) {
        err = "forward: start layer out of range";
        return false;
    }
    static Capture cap;  // holds only the logits (kept: no allocation per call)
    CaptureOptions opt;
    opt.attention = opt.scores = opt.qkv = opt.residuals = false;
    cap.T = T, cap.L = m.cfg.n_layer, cap.H = m.cfg.n_head, cap.C = m.cfg.n_embd, cap.D = cap.C / cap.H;
    cap.V = m.cfg.vocab_size, cap.opt = opt, cap.lens_k = 0;
    cap.logits.resize(cap.V);
    forward_rows(m, ids, 0, opt, cap, 0, 0, &iv, start, x_in, /*last_logits_only=*/true);
    logits.assign(cap.logits.begin(), cap.logits.end());
    return true;
}

bool model_forward(const Model& m, const std::vector<int>& ids, const CaptureOptions& opt, Capture& cap,
                   std::string& err) {
    return forward_full(m, ids, opt, nullptr, cap, err);
}

bool model_forward_iv(const Model& m, const std::vector<int>& ids, const CaptureOptions& opt, const Interventions& iv,
                      Capture& cap, std::string& err) {
    if (iv.empty()) return forward_full(m, ids, opt, nullptr, cap, err);
    if (!interventions_check(iv, m.cfg, (int)ids.size(), err)) return false;
    return forward_full(m, ids, opt, &iv, cap, err);
}

// ----------------------------------------------------------------------------------------------------
// re-using an earlier capture (the keystroke path)

// v holds `blocks` row-major [r0, c0] blocks; lays them out as [r1, c1] blocks in place, keeping each
// block's top-left [keep_r, keep_c] corner and setting the rest to `fill`. Rows and columns grow (or
// shrink) together, so moving rows last-to-first (first-to-last) never overwrites one not yet moved.
template <typename E>
static void relayout(std::vector<E>& v, size_t blocks, int r0, int c0, int r1, int c1, int keep_r, int keep_c, E fill) {
    if (v.empty()) return;                                       // not captured
    const size_t b0 = (size_t)r0 * c0, b1 = (size_t)r1 * c1;
    auto move_row = [&](size_t b, int r) {
        E* dst = v.data() + b * b1 + (size_t)r * c1;
        const E* src = v.data() + b * b0 + (size_t)r * c0;
        int keep = r < keep_r ? keep_c : 0;
        if (keep && dst != src) std::memmove(dst, src, keep * sizeof(E));  // (same T: rows stay put)
        std::fill(dst + keep, dst + c1, fill);
    };
    if (b1 >= b0) {
        v.resize(blocks * b1);
        for (size_t b = blocks; b-- > 0;)
            for (int r = r1; r-- > 0;) move_row(b, r);
    } else {
        for (size_t b = 0; b < blocks; b++)
            for (int r = 0; r < r1; r++) move_row(b, r);
        v.resize(blocks * b1);
    }
}

static bool same_capture_options(const CaptureOptions& a, const CaptureOptions& b) {  // the lens aside
    return a.attention == b.attention && a.scores == b.scores && a.qkv == b.qkv && a.qkv_layer == b.qkv_layer &&
           a.qkv_head == b.qkv_head && a.residuals == b.residuals && a.logits_all == b.logits_all;
}

static bool forward_reuse(const Model& m, const std::vector<int>& ids, const CaptureOptions& opt,
                          const Interventions* iv, Capture& cap, std::string& err, int* reused) {
    if (reused) *reused = 0;
    const GPT2Config& cfg = m.cfg;
    const int T = (int)ids.size(), L = cfg.n_layer, H = cfg.n_head, C = cfg.n_embd, V = cfg.vocab_size;
    int P = 0;                                                   // tokens shared with the earlier run
    while (P < T && P < cap.T && P < (int)cap.ids.size() && ids[P] == cap.ids[P]) P++;
    P = std::min(P, T - 1);                                      // same ids or a cut: redo the last token
    const bool usable = P > 0 && same_capture_options(cap.opt, opt) && opt.qkv && opt.qkv_layer < 0 &&
                        opt.qkv_head < 0 && opt.residuals && cap.L == L && cap.H == H && cap.C == C && cap.V == V &&
                        H > 0 && cap.T > 0 && cap.interventions == (iv ? interventions_key(*iv) : "") &&
                        !(iv && iv->ablate_mean && !iv->ablate.empty());  // a mean mixes every position
    if (!usable) return forward_full(m, ids, opt, iv, cap, err);
    if (!ids_check(m, ids.data() + P, T - P, P, err)) return false;
    const int k = std::min(std::max(opt.lens_top_k, 0), V);
    if (k > 0 && opt.lens_pos >= T) {
        err = "capture: lens_pos " + std::to_string(opt.lens_pos) + " outside the " + std::to_string(T) + " tokens";
        return false;
    }
    const int T0 = cap.T, D = C / H, n = T - P;
    const bool keep_scores = opt.attention && opt.scores;
    // every earlier row holds its lens (same k, every position): else the lens is computed afresh
    const bool lens_rows_valid = opt.lens_pos < 0 && cap.opt.lens_pos < 0 && cap.lens_k == k;

    // ---- move the shared prefix to the new T (rows P.. are recomputed below) ----
    const size_t LH = (size_t)L * H;
    relayout(cap.scores, LH, T0, T0, T, T, P, P, 0.0f);          // [L, H, T, T]
    relayout(cap.weights, LH, T0, T0, T, T, P, P, 0.0f);         // [L, H, T, T]
    for (std::vector<float>* v : {&cap.q, &cap.k, &cap.v, &cap.head_out})
        relayout(*v, LH, T0, D, T, D, P, D, 0.0f);               // [L, H, T, D]
    relayout(cap.embed, 1, T0, C, T, C, P, C, 0.0f);             // [T, C]
    relayout(cap.resid_attn, L, T0, C, T, C, P, C, 0.0f);        // [L, T, C]
    relayout(cap.resid_mlp, L, T0, C, T, C, P, C, 0.0f);         // [L, T, C]
    if (opt.logits_all) relayout(cap.logits, 1, T0, V, T, V, P, V, 0.0f);  // [T, V]
    else cap.logits.resize(V);                                   // [1, V]
    if (lens_rows_valid) {
        relayout(cap.lens_ids, L, T0, k, T, k, P, k, -1);       // [L, T, k]
        relayout(cap.lens_probs, L, T0, k, T, k, P, k, 0.0f);
    } else {
        cap.lens_ids.assign((size_t)L * T * k, -1);
        cap.lens_probs.assign((size_t)L * T * k, 0.0f);
    }
    cap.lens_k = k;
    cap.T = T;
    cap.ids = ids;
    cap.opt = opt;

    // ---- the new tokens P .. T-1, attending to the kept keys and values ----
    // The lens: new rows only while the earlier ones hold theirs, else the whole requested range.
    const int lens_begin = opt.lens_pos >= 0 ? opt.lens_pos : lens_rows_valid ? P : 0;
    const int lens_end = opt.lens_pos >= 0 ? opt.lens_pos + 1 : T;
    forward_rows(m, ids, P, opt, cap, lens_begin, lens_end, iv);
    if (keep_scores) {                                           // earlier queries x new keys: the unmasked
        const size_t TT = (size_t)T * T, TD = (size_t)T * D;     // scores above the diagonal, as a full run
        const float scale = 1.0f / std::sqrt((float)D);
        for (size_t lh = 0; lh < LH; lh++)
            matmul_bt(cap.scores.data() + lh * TT + P, T, cap.q.data() + lh * TD, D, cap.k.data() + lh * TD + (size_t)P * D,
                      D, scale, P, D, n);                        // [P, n] into columns P.. of rows 0..P-1
    }
    if (reused) *reused = P;
    return true;
}

bool model_forward_reuse(const Model& m, const std::vector<int>& ids, const CaptureOptions& opt, Capture& cap,
                         std::string& err, int* reused) {
    return forward_reuse(m, ids, opt, nullptr, cap, err, reused);
}

bool model_forward_reuse_iv(const Model& m, const std::vector<int>& ids, const CaptureOptions& opt,
                            const Interventions& iv, Capture& cap, std::string& err, int* reused) {
    if (reused) *reused = 0;
    if (iv.empty()) return forward_reuse(m, ids, opt, nullptr, cap, err, reused);
    if (!interventions_check(iv, m.cfg, (int)ids.size(), err)) return false;
    return forward_reuse(m, ids, opt, &iv, cap, err, reused);
}

// ----------------------------------------------------------------------------------------------------
// KV cache

void kvcache_init(const Model& m, KVCache& kv) {
    const GPT2Config& c = m.cfg;
    size_t n = (size_t)c.n_layer * c.n_head * c.n_positions * (c.n_head ? c.n_embd / c.n_head : 0);
    kv.T = 0;
    kv.k.assign(n, 0.0f);
    kv.v.assign(n, 0.0f);
}

bool model_step(const Model& m, KVCache& kv, const std::vector<int>& ids, std::vector<float>& logits,
                std::string& err) {
    const GPT2Config& cfg = m.cfg;
    const int n = (int)ids.size(), P = kv.T;
    const int L = cfg.n_layer, H = cfg.n_head, C = cfg.n_embd, D = C / std::max(H, 1), maxT = cfg.n_positions;
    if (kv.k.size() != (size_t)L * H * maxT * D || kv.v.size() != kv.k.size() || P < 0) {
        err = "KV cache not initialised for this model (call kvcache_init)";
        return false;
    }
    if (!ids_check(m, ids.data(), n, P, err)) return false;
    const GPT2Weights& w = weights_of(m);
    ForwardScratch& s = g_scratch;
    const size_t nC = (size_t)n * C;

    float* x = grow(s.x, nC);                                    // [n, C]
    float* out = grow(s.out, nC);                                // [n, C]
    embed_forward(x, w, ids.data(), n, P, C);                    // [n, C] positions P .. P+n-1
    for (int l = 0; l < L; l++) {
        AttnIO io;
        io.kstore = kv.k.data() + (size_t)l * H * maxT * D;      // [H, maxT, D]
        io.vstore = kv.v.data() + (size_t)l * H * maxT * D;      // [H, maxT, D]
        io.kv_stride = (size_t)maxT * D;
        io.scores = io.weights = nullptr;
        io.att_stride = 0;
        float* xn = grow(s.xn, nC);
        layernorm(xn, x, w.ln1w + (size_t)l * C, w.ln1b + (size_t)l * C, n, C, cfg.layer_norm_epsilon);
        attention_forward(out, xn, w, cfg, l, n, P, io, s, nullptr);  // [n, C]
        residual_add(x, out, nC);
        xn = grow(s.xn, nC);
        layernorm(xn, x, w.ln2w + (size_t)l * C, w.ln2b + (size_t)l * C, n, C, cfg.layer_norm_epsilon);
        mlp_forward(out, xn, w, cfg, l, n, s);                   // [n, C]
        residual_add(x, out, nC);
    }
    logits.resize(cfg.vocab_size);
    lm_head_forward(logits.data(), x + (size_t)(n - 1) * C, w, cfg, 1, s);  // [V]
    kv.T = P + n;
    return true;
}

// ----------------------------------------------------------------------------------------------------
// sizes

size_t capture_bytes(const GPT2Config& cfg, int T, const CaptureOptions& opt) {
    const size_t L = cfg.n_layer, H = cfg.n_head, C = cfg.n_embd, D = H ? C / H : 0, V = cfg.vocab_size, t = T;
    const size_t Lq = !opt.qkv ? 0 : opt.qkv_layer < 0 ? L : 1, Hq = !opt.qkv ? 0 : opt.qkv_head < 0 ? H : 1;
    const size_t k = opt.lens_top_k > 0 ? std::min((size_t)opt.lens_top_k, V) : 0;
    size_t floats = (opt.attention ? (opt.scores ? 2 : 1) * L * H * t * t : 0) + 4 * Lq * Hq * t * D +
                    (opt.residuals ? (2 * L + 1) * t * C : 0) + (opt.logits_all ? t : 1) * V + 2 * L * t * k;
    return floats * sizeof(float) + t * sizeof(int);
}
