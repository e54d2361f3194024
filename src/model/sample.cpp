// Sampling and generation. The algorithm is specified exactly so native, WASM and the numpy reference
// (tests/reference/gpt2_numpy.py) pick the same tokens for the same seed:
//
//   temperature <= 0   one-hot on the first maximum logit (greedy)   [non-finite logits: never kept]
//   z = logit / temperature (double)
//   top_k in (0, V)    keep the k best by (z descending, id ascending)
//   p = softmax(z) over the kept ids
//   top_p < 1          keep the smallest prefix, by (p descending, id ascending), whose sum >= top_p
//                      (at least one id), renormalise
//   draw               u = rng_uniform(); the first id (ascending) whose running sum of p exceeds u
//
// Rng: splitmix64; rng_uniform = top 24 bits / 2^24 (exact in float, same on every platform).
#include <algorithm>
#include <cmath>

#include "model/model.h"

// ----------------------------------------------------------------------------------------------------
// rng

void rng_seed(Rng& r, uint64_t seed) { r.state = seed; }

uint64_t splitmix64_next(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rng_next(Rng& r) { return splitmix64_next(r.state); }

uint64_t rng_u64(Rng& r) { return rng_next(r); }

float rng_uniform(Rng& r) { return (float)(rng_next(r) >> 40) * (1.0f / 16777216.0f); }

// ----------------------------------------------------------------------------------------------------
// sampling

void sampling_distribution(const float* logits, int V, const SamplingParams& sp, std::vector<float>& probs) {
    probs.assign(V > 0 ? V : 0, 0.0f);
    if (V <= 0) return;
    if (!(sp.temperature > 0.0f)) {                              // greedy (also for NaN temperature)
        int best = -1;                                           // first finite maximum
        for (int i = 0; i < V; i++)
            if (std::isfinite(logits[i]) && (best < 0 || logits[i] > logits[best])) best = i;
        probs[best < 0 ? 0 : best] = 1.0f;
        return;
    }
    std::vector<double> z(V);                                    // [V]
    std::vector<int> kept;                                       // ids still in the running
    kept.reserve(V);
    for (int i = 0; i < V; i++) {
        z[i] = (double)logits[i] / (double)sp.temperature;
        if (std::isfinite(z[i])) kept.push_back(i);              // NaN/inf logits never win by accident
    }
    if (kept.empty()) {
        probs[0] = 1.0f;                                         // nothing usable: a valid one-hot, no crash
        return;
    }
    auto by_z = [&](int a, int b) { return z[a] > z[b] || (z[a] == z[b] && a < b); };
    if (sp.top_k > 0 && sp.top_k < (int)kept.size()) {
        std::nth_element(kept.begin(), kept.begin() + (sp.top_k - 1), kept.end(), by_z);
        kept.resize(sp.top_k);
    }
    double zmax = -INFINITY;
    for (int i : kept) zmax = std::max(zmax, z[i]);
    std::vector<double> p(V, 0.0);                               // [V]
    double sum = 0.0;
    for (int i : kept) sum += (p[i] = std::exp(z[i] - zmax));
    for (int i : kept) p[i] /= sum;
    if (sp.top_p < 1.0f) {
        std::sort(kept.begin(), kept.end(), [&](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
        double cum = 0.0;
        size_t n = 0;
        while (n < kept.size()) {
            cum += p[kept[n++]];
            if (cum >= (double)sp.top_p) break;
        }
        for (size_t j = n; j < kept.size(); j++) p[kept[j]] = 0.0;
        kept.resize(n);
        for (int i : kept) p[i] /= cum;
    }
    for (int i : kept) probs[i] = (float)p[i];
}

int sample_from(const std::vector<float>& probs, Rng& rng) {
    float u = rng_uniform(rng);
    double cum = 0.0;
    int last = -1;
    for (size_t i = 0; i < probs.size(); i++) {
        if (!(probs[i] > 0.0f)) continue;
        cum += probs[i];
        last = (int)i;
        if ((double)u < cum) return (int)i;
    }
    return last < 0 ? 0 : last;                                  // rounding left u above the total
}

// ----------------------------------------------------------------------------------------------------
// generation

bool model_generate(const Model& m, const std::vector<int>& prompt, int steps, const SamplingParams& sp,
                    std::vector<GenerateStep>& out, std::string& err) {
    out.clear();
    if (prompt.empty()) { err = "generate: empty prompt"; return false; }
    if ((int)prompt.size() > m.cfg.n_positions) {
        err = "generate: prompt of " + std::to_string(prompt.size()) + " tokens exceeds the context of " +
              std::to_string(m.cfg.n_positions);
        return false;
    }
    KVCache kv;
    kvcache_init(m, kv);
    Rng rng;
    rng_seed(rng, sp.seed);
    std::vector<int> pending = prompt;                           // tokens not yet in the cache
    std::vector<float> logits;                                   // [V]
    for (int s = 0; s < steps; s++) {
        if (kv.T + (int)pending.size() >= m.cfg.n_positions) break;  // the sequence never exceeds n_positions
        if (!model_step(m, kv, pending, logits, err)) return false;
        GenerateStep st;
        sampling_distribution(logits.data(), m.cfg.vocab_size, sp, st.probs);
        st.id = sample_from(st.probs, rng);
        pending.assign(1, st.id);
        out.push_back(std::move(st));
    }
    return true;
}
