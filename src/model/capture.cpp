// Reading a Capture (accessors) and the quantities derived from it that the views show: one query's
// attention step by step, the head mean, rollout, per-turn sums, cosine similarities and the nearest
// tokens of an embedding. The app and viz index captures only through these (model.h).
//
// Layouts (model.h): weights/scores [L, H, T, T]; q/k/v/head_out [Lq, Hq, T, D] with Lq = L or 1,
// Hq = H or 1 (all heads, or only qkv_layer/qkv_head); embed [T, C]; resid_mlp [L, T, C];
// lens_ids/lens_probs [L, T, lens_k].
#include <algorithm>
#include <cmath>
#include <cstring>

#include "model/model.h"

// ---- accessors -------------------------------------------------------------------------------------

static bool in_head(const Capture& c, int layer, int head) {
    return layer >= 0 && layer < c.L && head >= 0 && head < c.H;
}

static const float* head_block(const std::vector<float>& a, const Capture& c, int layer, int head) {
    const size_t TT = (size_t)c.T * c.T;
    if (!in_head(c, layer, head) || a.size() < (size_t)c.L * c.H * TT) return nullptr;
    return a.data() + ((size_t)layer * c.H + head) * TT;
}

const float* capture_head_weights(const Capture& c, int layer, int head) { return head_block(c.weights, c, layer, head); }

const float* capture_weights_row(const Capture& c, int layer, int head, int q) {
    const float* w = capture_head_weights(c, layer, head);
    return w && q >= 0 && q < c.T ? w + (size_t)q * c.T : nullptr;
}

const float* capture_scores_row(const Capture& c, int layer, int head, int q) {
    const float* s = head_block(c.scores, c, layer, head);
    return s && q >= 0 && q < c.T ? s + (size_t)q * c.T : nullptr;
}

// [T, D] block of a q/k/v/head_out array for (layer, head), if the capture holds that head.
static const float* qkv_block(const std::vector<float>& a, const Capture& c, int layer, int head) {
    if (!in_head(c, layer, head) || a.empty()) return nullptr;
    if (c.qkv_layer >= 0 && c.qkv_layer != layer) return nullptr;
    if (c.qkv_head >= 0 && c.qkv_head != head) return nullptr;
    const int li = c.qkv_layer < 0 ? layer : 0, hi = c.qkv_head < 0 ? head : 0, Hq = c.qkv_head < 0 ? c.H : 1;
    const size_t off = ((size_t)li * Hq + hi) * c.T * c.D;
    return off + (size_t)c.T * c.D <= a.size() ? a.data() + off : nullptr;
}

const float* capture_q(const Capture& c, int layer, int head) { return qkv_block(c.q, c, layer, head); }
const float* capture_k(const Capture& c, int layer, int head) { return qkv_block(c.k, c, layer, head); }
const float* capture_v(const Capture& c, int layer, int head) { return qkv_block(c.v, c, layer, head); }
const float* capture_head_out(const Capture& c, int layer, int head) { return qkv_block(c.head_out, c, layer, head); }

const float* capture_stream(const Capture& c, int layer, int t) {
    if (t < 0 || t >= c.T || layer < -1 || layer >= c.L) return nullptr;
    const std::vector<float>& a = layer < 0 ? c.embed : c.resid_mlp;
    const size_t off = ((size_t)(layer < 0 ? 0 : layer) * c.T + t) * c.C;
    return off + c.C <= a.size() ? a.data() + off : nullptr;
}

const int* capture_lens_ids(const Capture& c, int layer, int t) {
    if (c.lens_k <= 0 || layer < 0 || layer >= c.L || t < 0 || t >= c.T) return nullptr;
    const size_t off = ((size_t)layer * c.T + t) * c.lens_k;
    return off + c.lens_k <= c.lens_ids.size() ? c.lens_ids.data() + off : nullptr;
}

const float* capture_lens_probs(const Capture& c, int layer, int t) {
    if (c.lens_k <= 0 || layer < 0 || layer >= c.L || t < 0 || t >= c.T) return nullptr;
    const size_t off = ((size_t)layer * c.T + t) * c.lens_k;
    return off + c.lens_k <= c.lens_probs.size() ? c.lens_probs.data() + off : nullptr;
}

// ---- one query, step by step -------------------------------------------------------------------------

bool attention_steps(const Capture& c, int layer, int head, int q, AttentionSteps& o) {
    const float* Q = capture_q(c, layer, head);           // [T, D]
    const float* K = capture_k(c, layer, head);           // [T, D]
    const float* V = capture_v(c, layer, head);           // [T, D]
    const float* out = capture_head_out(c, layer, head);  // [T, D]
    const float* w = capture_weights_row(c, layer, head, q);
    if (!Q || !K || !V || !out || !w) return false;
    const int T = c.T, D = c.D;
    const float sqrt_d = sqrtf((float)D);
    o.layer = layer, o.head = head, o.q = q, o.T = T, o.D = D;
    o.dot.resize(T), o.scaled.resize(T), o.weight.assign(w, w + T), o.weighted_v.resize((size_t)T * D);
    o.out.assign(out + (size_t)q * D, out + (size_t)(q + 1) * D);
    const float* sc = capture_scores_row(c, layer, head, q);
    for (int k = 0; k < T; k++) {
        if (sc) {
            o.scaled[k] = sc[k];  // what the model computed
            o.dot[k] = sc[k] * sqrt_d;
        } else {                  // dropped by a big capture: the same product from Q and K
            float dot = 0.0f;
            for (int d = 0; d < D; d++) dot += Q[(size_t)q * D + d] * K[(size_t)k * D + d];
            o.dot[k] = dot;
            o.scaled[k] = dot / sqrt_d;
        }
        for (int d = 0; d < D; d++) o.weighted_v[(size_t)k * D + d] = w[k] * V[(size_t)k * D + d];
    }
    return true;
}

// ---- aggregates over heads and layers -----------------------------------------------------------------

void attention_head_mean(const Capture& c, int layer, std::vector<float>& out) {
    if (!capture_head_weights(c, layer, 0)) {
        out.clear();
        return;
    }
    const size_t TT = (size_t)c.T * c.T;
    out.assign(TT, 0.0f);
    for (int h = 0; h < c.H; h++) {
        const float* w = capture_head_weights(c, layer, h);
        for (size_t i = 0; i < TT; i++) out[i] += w[i];
    }
    const float inv = 1.0f / c.H;
    for (size_t i = 0; i < TT; i++) out[i] *= inv;
}

void attention_rollout(const Capture& c, int last_layer, std::vector<float>& out, std::vector<float>& scratch) {
    if (last_layer >= c.L) last_layer = c.L - 1;
    if (last_layer < 0 || !capture_head_weights(c, 0, 0)) {
        out.clear();
        return;
    }
    const int T = c.T, H = c.H;
    const size_t TT = (size_t)T * T;
    out.resize(TT);
    scratch.resize(2 * TT);
    float* a = scratch.data();       // [T, T] A'_l
    float* p = scratch.data() + TT;  // [T, T] A'_l · R_{l-1}
    for (int l = 0; l <= last_layer; l++) {
        // A'_l = rownorm(0.5 · mean_h A + 0.5 · I)
        memset(a, 0, TT * sizeof(float));
        for (int h = 0; h < H; h++) {
            const float* w = capture_head_weights(c, l, h);
            for (size_t i = 0; i < TT; i++) a[i] += w[i];
        }
        for (int q = 0; q < T; q++) {
            float* row = a + (size_t)q * T;
            float sum = 0;
            for (int k = 0; k < T; k++) {
                row[k] = 0.5f * row[k] / H + (k == q ? 0.5f : 0.0f);
                sum += row[k];
            }
            // Rows of a softmax already sum to 1; renormalising keeps rollout a distribution even
            // if a capture row was truncated or not normalised.
            if (sum > 0) for (int k = 0; k < T; k++) row[k] /= sum;
        }
        if (l == 0) {
            memcpy(out.data(), a, TT * sizeof(float));
            continue;
        }
        // p = a · out. Causal rows are zero past the diagonal, so skipping zero factors does ~1/6
        // of the dense work and stays correct for non-causal captures.
        memset(p, 0, TT * sizeof(float));
        for (int q = 0; q < T; q++) {
            const float* arow = a + (size_t)q * T;
            float* prow = p + (size_t)q * T;
            for (int m = 0; m < T; m++) {
                float am = arow[m];
                if (am == 0.0f) continue;
                const float* orow = out.data() + (size_t)m * T;
                for (int k = 0; k < T; k++) prow[k] += am * orow[k];
            }
        }
        memcpy(out.data(), p, TT * sizeof(float));
    }
}

// ---- conversation turns --------------------------------------------------------------------------------

void attention_turns(const Capture& c, const std::vector<std::string>& token_bytes, int layer, int head,
                     TurnAttention& o) {
    const int T = c.T;
    o.turn.assign(T, 0);
    o.n_turns = 0, o.n_queries = 0;
    o.into_head.clear(), o.into_mean.clear(), o.repeats.clear();
    if (T == 0 || !capture_head_weights(c, layer, head)) return;
    // A blank line (two newlines with only spaces between) ends a turn; the next token with text starts
    // the next one. GPT-2's BPE often makes each "\n" its own token, so the newlines are counted across
    // tokens; the blank line's own tokens stay with the turn they end.
    int newlines = 0;
    bool blank = false;
    for (int t = 0; t < T; t++) {
        static const std::string none;
        const std::string& b = t < (int)token_bytes.size() ? token_bytes[t] : none;
        if (blank && b.find_first_not_of(" \t\r\n") != std::string::npos) o.n_turns++, blank = false;
        o.turn[t] = o.n_turns;
        for (char ch : b) {
            if (ch == '\n') blank |= ++newlines >= 2;
            else if (ch != ' ' && ch != '\t' && ch != '\r') newlines = 0;
        }
    }
    o.n_turns++;
    const int last = o.n_turns - 1;
    // Sums in place (the caller keeps `o` across frames: an idle frame does not allocate).
    o.into_head.assign(o.n_turns, 0.0f);
    o.into_mean.assign(o.n_turns, 0.0f);
    for (int q = 0; q < T; q++) {
        if (o.turn[q] != last) continue;
        o.n_queries++;
        const float* w = capture_weights_row(c, layer, head, q);
        for (int k = 0; k <= q; k++) o.into_head[o.turn[k]] += w[k];
        for (int h = 0; h < c.H; h++) {
            const float* wh = capture_weights_row(c, layer, h, q);
            for (int k = 0; k <= q; k++) o.into_mean[o.turn[k]] += wh[k] / c.H;
        }
        // Attention paid back to earlier occurrences of the same token id.
        double back = 0;
        int seen = 0;
        for (int k = 0; k < q && q < (int)c.ids.size(); k++)
            if (c.ids[k] == c.ids[q]) back += w[k], seen++;
        if (seen) o.repeats.push_back({q, seen, (float)back});
    }
    const float nq = (float)std::max(o.n_queries, 1);
    for (int t = 0; t < o.n_turns; t++) o.into_head[t] /= nq, o.into_mean[t] /= nq;
}

// ---- vectors -------------------------------------------------------------------------------------------

float vec_cosine(const float* a, const float* b, int n) {
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < n; i++) ab += (double)a[i] * b[i], aa += (double)a[i] * a[i], bb += (double)b[i] * b[i];
    return aa > 0 && bb > 0 ? (float)(ab / sqrt(aa * bb)) : 0.0f;
}

void capture_stream_drift(const Capture& c, int t, std::vector<float>& out) {
    out.clear();
    const float* in = capture_stream(c, -1, t);
    if (!in) return;
    for (int l = 0; l < c.L; l++) {
        const float* r = capture_stream(c, l, t);
        if (!r) break;
        out.push_back(vec_cosine(r, in, c.C));
    }
}

void capture_stream_similarity(const Capture& a, int ta, const Capture& b, int tb, std::vector<float>& out) {
    out.clear();
    if (a.C != b.C) return;
    for (int l = -1; l < std::min(a.L, b.L); l++) {
        const float* va = capture_stream(a, l, ta);
        const float* vb = capture_stream(b, l, tb);
        if (!va || !vb) break;
        out.push_back(vec_cosine(va, vb, a.C));
    }
}

int model_nearest_tokens(const Model& m, int id, int k, int* out_ids, float* out_sims) {
    const int V = m.cfg.vocab_size, C = m.cfg.n_embd;
    if (id < 0 || id >= V || k <= 0 || !m.has_weights()) return 0;
    k = std::min(k, V);
    std::vector<float> e(C), row(C);
    model_token_embedding(m, id, e.data());
    std::vector<std::pair<float, int>> all((size_t)V);
    for (int t = 0; t < V; t++) {
        model_token_embedding(m, t, row.data());
        all[t] = {vec_cosine(e.data(), row.data(), C), t};
    }
    std::partial_sort(all.begin(), all.begin() + k, all.end(),
                      [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    for (int i = 0; i < k; i++) out_ids[i] = all[i].second, out_sims[i] = all[i].first;
    return k;
}
