// Head roles on seeded repeated sequences (see roles.h for the definitions).
#include "model/roles.h"

#include <algorithm>
#include <cmath>

static const char* ROLE_NAMES[6] = {"previous_token", "duplicate_token", "induction", "first_token", "self", "local"};

static float role_at(const HeadRoles& r, int i) {
    const float v[6] = {r.previous_token, r.duplicate_token, r.induction, r.first_token, r.self, r.local};
    return v[i];
}

static int top_index(const HeadRoles& r, const HeadRoles& u) {
    int best = 0;
    double best_lift = -1e9;
    for (int i = 0; i < 6; i++) {
        const double b = role_at(u, i), lift = b < 1.0 ? (role_at(r, i) - b) / (1.0 - b) : 0.0;
        if (lift > best_lift) best_lift = lift, best = i;
    }
    return best;
}

const char* HeadRoles::top_role(const HeadRoles& u) const { return ROLE_NAMES[top_index(*this, u)]; }
float HeadRoles::top_score(const HeadRoles& u) const { return role_at(*this, top_index(*this, u)); }

std::vector<std::vector<int>> role_probes(const GPT2Config& cfg, int count, uint64_t seed, int& n) {
    const int V = cfg.vocab_size;
    n = std::max(1, std::min(50, (cfg.n_positions - 1) / 2));
    const int lo = V > 512 ? 256 : 0, span = std::max(1, V - 1 - lo);
    Rng rng;
    rng_seed(rng, seed);
    std::vector<std::vector<int>> probes;
    for (int c = 0; c < count; c++) {
        std::vector<int> s(n);
        for (int& id : s) id = lo + (int)(rng_u64(rng) % (uint64_t)span);
        std::vector<int> ids = {V - 1};
        ids.insert(ids.end(), s.begin(), s.end());
        ids.insert(ids.end(), s.begin(), s.end());
        probes.push_back(ids);
    }
    return probes;
}

// Adds one sequence's per-head means; repeat_n > 0 marks a probe [eot, s, s] with |s| = repeat_n.
// lh = -1 scores the even head instead of a real one (weights 1 / (q + 1)).
static void score_sequence(const Capture& cap, int repeat_n, std::vector<HeadRoles>& acc, std::vector<int>& seqs,
                           std::vector<int>& rep_seqs) {
    const int T = cap.T;
    for (int lh = 0; lh <= cap.L * cap.H; lh++) {                 // the last one: the even head
        const float* w = lh < cap.L * cap.H ? cap.weights.data() + (size_t)lh * T * T : nullptr;  // [T, T]
        auto at = [&](int q, int k) { return w ? (double)w[(size_t)q * T + k] : 1.0 / (q + 1); };
        double prev = 0, first = 0, self = 0, local = 0;
        int nl = 0;
        for (int t = 1; t < T; t++) {
            prev += at(t, t - 1);
            first += at(t, 0);
            self += at(t, t);
            if (t >= 3) local += at(t, t - 3) + at(t, t - 2) + at(t, t - 1), nl++;
        }
        HeadRoles& r = acc[lh];
        if (T > 1) {
            r.previous_token += (float)(prev / (T - 1));
            r.first_token += (float)(first / (T - 1));
            r.self += (float)(self / (T - 1));
            seqs[lh]++;
        }
        if (nl) r.local += (float)(local / nl);
        if (repeat_n > 0) {
            double dup = 0, ind = 0;
            for (int q = 1 + repeat_n; q < 1 + 2 * repeat_n; q++) {
                dup += at(q, q - repeat_n);
                ind += at(q, q - repeat_n + 1);
            }
            r.duplicate_token += (float)(dup / repeat_n);
            r.induction += (float)(ind / repeat_n);
            rep_seqs[lh]++;
        }
    }
}

bool head_roles(const Model& m, const std::vector<int>& text_ids, std::vector<HeadRoles>& out, std::string& err,
                int count, uint64_t seed, HeadRoles* uniform) {
    const int L = m.cfg.n_layer, H = m.cfg.n_head, LH = L * H;
    int n = 0;
    std::vector<std::vector<int>> probes = role_probes(m.cfg, count, seed, n);
    std::vector<HeadRoles> acc((size_t)LH + 1);                  // every head, then the even head
    std::vector<int> seqs(LH + 1, 0), rep_seqs(LH + 1, 0), local_seqs(LH + 1, 0);
    CaptureOptions opt;
    opt.scores = opt.qkv = opt.residuals = false;
    Capture cap;
    for (size_t i = 0; i <= probes.size(); i++) {
        const bool is_text = i == probes.size();
        if (is_text && text_ids.empty()) break;
        if (!model_forward(m, is_text ? text_ids : probes[i], opt, cap, err)) return false;
        score_sequence(cap, is_text ? 0 : n, acc, seqs, rep_seqs);
        if (cap.T > 3)
            for (int& c : local_seqs) c++;
    }
    for (int lh = 0; lh <= LH; lh++) {
        HeadRoles& r = acc[lh];
        r.layer = lh / H, r.head = lh % H;
        const float s = seqs[lh] ? 1.0f / seqs[lh] : 0.0f, rs = rep_seqs[lh] ? 1.0f / rep_seqs[lh] : 0.0f;
        const float ls = local_seqs[lh] ? 1.0f / local_seqs[lh] : 0.0f;
        r.previous_token *= s, r.first_token *= s, r.self *= s, r.local *= ls;
        r.duplicate_token *= rs, r.induction *= rs;
    }
    if (uniform) *uniform = acc[LH];
    out.assign(acc.begin(), acc.begin() + LH);
    return true;
}

std::vector<HeadSimilarity> heads_like(const Capture& cap, int layer, int head) {
    std::vector<HeadSimilarity> out;
    const float* a = capture_head_weights(cap, layer, head);
    if (!a) return out;
    const size_t n = (size_t)cap.T * cap.T;
    auto norm = [&](const float* w) {
        double s = 0;
        for (size_t i = 0; i < n; i++) s += (double)w[i] * w[i];
        return std::sqrt(s);
    };
    const double na = norm(a);
    for (int l = 0; l < cap.L; l++)
        for (int h = 0; h < cap.H; h++) {
            if (l == layer && h == head) continue;
            const float* b = capture_head_weights(cap, l, h);
            double dot = 0;
            for (size_t i = 0; i < n; i++) dot += (double)a[i] * b[i];
            const double nb = norm(b);
            out.push_back({l, h, na > 0 && nb > 0 ? (float)(dot / (na * nb)) : 0.0f});
        }
    std::stable_sort(out.begin(), out.end(),
                     [](const HeadSimilarity& x, const HeadSimilarity& y) { return x.similarity > y.similarity; });
    return out;
}
