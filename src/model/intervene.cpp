// Interventions: checking, the canonical key, and the "L.H" / "L.H:Q:K" lists (see intervene.h).
#include "model/intervene.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>
#include <tuple>

static bool head_ok(const HeadRef& r, const GPT2Config& cfg, const char* what, std::string& err) {
    if (r.layer < 0 || r.layer >= cfg.n_layer || r.head < 0 || r.head >= cfg.n_head) {
        err = std::string(what) + " head " + std::to_string(r.layer) + "." + std::to_string(r.head) +
              " is outside the model's " + std::to_string(cfg.n_layer) + " layers x " + std::to_string(cfg.n_head) +
              " heads";
        return false;
    }
    return true;
}

bool interventions_check(const Interventions& iv, const GPT2Config& cfg, int T, std::string& err) {
    for (const HeadRef& r : iv.ablate)
        if (!head_ok(r, cfg, "ablated", err)) return false;
    for (const AttentionEdge& e : iv.knockout) {
        if (!head_ok({e.layer, e.head}, cfg, "knocked-out", err)) return false;
        if (e.query < 0 || e.query >= T || e.key < 0 || e.key > e.query) {
            err = "knock-out " + std::to_string(e.layer) + "." + std::to_string(e.head) + ":" + std::to_string(e.query) +
                  ":" + std::to_string(e.key) + " needs 0 <= key <= query < " + std::to_string(T) + " (tokens)";
            return false;
        }
    }
    if (!iv.patch.empty()) {
        const Capture* src = iv.patch_source;
        if (!src) {
            err = "patching needs a second text's run";
            return false;
        }
        if (src->T != T) {
            err = "patching needs two texts with the same number of tokens (" + std::to_string(T) + " and " +
                  std::to_string(src->T) + ")";
            return false;
        }
        if (src->L != cfg.n_layer || src->H != cfg.n_head || src->qkv_layer >= 0 || src->qkv_head >= 0 ||
            src->head_out.size() != (size_t)src->L * src->H * src->T * src->D) {
            err = "patching needs the second run's head outputs of every layer and head";
            return false;
        }
        for (const HeadRef& r : iv.patch)
            if (!head_ok(r, cfg, "patched", err)) return false;
    }
    return true;
}

std::string format_heads(const std::vector<HeadRef>& heads) {
    std::set<std::pair<int, int>> sorted;  // sorted, duplicates merged
    for (const HeadRef& r : heads) sorted.insert({r.layer, r.head});
    std::ostringstream o;
    const char* sep = "";
    for (auto& p : sorted) o << sep << p.first << "." << p.second, sep = ",";
    return o.str();
}

std::string format_edges(const std::vector<AttentionEdge>& edges) {
    std::set<std::tuple<int, int, int, int>> sorted;
    for (const AttentionEdge& e : edges) sorted.insert({e.layer, e.head, e.query, e.key});
    std::ostringstream o;
    const char* sep = "";
    for (auto& e : sorted)
        o << sep << std::get<0>(e) << "." << std::get<1>(e) << ":" << std::get<2>(e) << ":" << std::get<3>(e), sep = ",";
    return o.str();
}

std::string interventions_key(const Interventions& iv) {
    std::string out;
    auto part = [&](const std::string& name, const std::string& list) {
        if (!list.empty()) out += (out.empty() ? "" : ";") + name + "=" + list;
    };
    part("ablate", iv.ablate.empty() ? "" : (iv.ablate_mean ? "mean:" : "zero:") + format_heads(iv.ablate));
    part("knockout", format_edges(iv.knockout));
    part("patch", format_heads(iv.patch));
    return out;
}

// A non-negative decimal integer below 1e6 that fills [b, e) exactly.
static bool parse_index(const std::string& s, size_t b, size_t e, int& out) {
    if (b >= e || e - b > 6) return false;
    int v = 0;
    for (size_t i = b; i < e; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

template <typename Item, typename ParseOne>
static bool parse_list(const std::string& s, std::vector<Item>& out, const char* form, std::string& err, ParseOne one) {
    out.clear();
    if (s.empty()) return true;
    size_t b = 0;
    while (true) {
        size_t e = s.find(',', b);
        if (e == std::string::npos) e = s.size();
        Item item;
        if (!one(s.substr(b, e - b), item)) {
            err = "\"" + s.substr(b, e - b) + "\" is not " + form;
            out.clear();
            return false;
        }
        out.push_back(item);
        if (e == s.size()) return true;
        b = e + 1;
    }
}

bool parse_heads(const std::string& s, std::vector<HeadRef>& out, std::string& err) {
    return parse_list(s, out, "layer.head (e.g. 1.3)", err, [](const std::string& t, HeadRef& r) {
        const size_t dot = t.find('.');
        return dot != std::string::npos && parse_index(t, 0, dot, r.layer) && parse_index(t, dot + 1, t.size(), r.head);
    });
}

bool parse_edges(const std::string& s, std::vector<AttentionEdge>& out, std::string& err) {
    return parse_list(s, out, "layer.head:query:key (e.g. 1.3:7:2)", err, [](const std::string& t, AttentionEdge& e) {
        const size_t dot = t.find('.'), c1 = t.find(':'), c2 = c1 == std::string::npos ? c1 : t.find(':', c1 + 1);
        return dot != std::string::npos && c1 != std::string::npos && c2 != std::string::npos && dot < c1 &&
               parse_index(t, 0, dot, e.layer) && parse_index(t, dot + 1, c1, e.head) &&
               parse_index(t, c1 + 1, c2, e.query) && parse_index(t, c2 + 1, t.size(), e.key);
    });
}

bool patch_clean_run(const Model& m, const std::vector<int>& ids, Capture& clean, std::string& err) {
    CaptureOptions opt;  // the residual stream entering each layer, the last position's logits
    opt.attention = opt.scores = opt.qkv = false;
    opt.residuals = true;
    return model_forward(m, ids, opt, clean, err);
}

bool patch_scan(const Model& m, const std::vector<int>& ids, const Capture& source, int tok_a, int tok_b, int begin,
                int end, std::vector<float>& diffs, std::string& err, const Capture* clean_in) {
    const int LH = m.cfg.n_layer * m.cfg.n_head, V = m.cfg.vocab_size;
    if (tok_a < 0 || tok_a >= V || tok_b < 0 || tok_b >= V) {
        err = "patching: the two tokens must be in the vocabulary [0, " + std::to_string(V) + ")";
        return false;
    }
    if (begin < 0 || end > LH || begin > end) {
        err = "patching: head range outside [0, " + std::to_string(LH) + ")";
        return false;
    }
    diffs.resize(LH, 0.0f);
    Interventions iv;
    iv.patch_source = &source;
    iv.patch = {{0, 0}};
    if (!interventions_check(iv, m.cfg, (int)ids.size(), err)) return false;
    // the clean run's residual stream entering each layer: a patched head changes nothing before its layer
    Capture own;
    if (clean_in && (clean_in->ids != ids || clean_in->embed.empty() || !clean_in->interventions.empty())) {
        err = "patching: the clean run given is not a plain run of these tokens with residuals";
        return false;
    }
    if (!clean_in && begin < end && !patch_clean_run(m, ids, own, err)) return false;
    const Capture& clean = clean_in ? *clean_in : own;
    const size_t TC = (size_t)clean.T * clean.C;
    std::vector<float> logits;
    for (int i = begin; i < end; i++) {
        const int l = i / m.cfg.n_head;
        iv.patch[0] = {l, i % m.cfg.n_head};
        const float* x_in = l == 0 ? clean.embed.data() : clean.resid_mlp.data() + (size_t)(l - 1) * TC;
        if (!model_forward_tail_logits(m, ids, l, x_in, iv, logits, err)) return false;
        diffs[i] = logits[tok_a] - logits[tok_b];
    }
    return true;
}

float capture_text_loss(const Capture& cap) {
    const int T = cap.T, V = cap.V;
    if (T < 2 || (int)cap.ids.size() != T || cap.logits.size() != (size_t)T * V) return NAN;
    double sum = 0;
    for (int t = 0; t + 1 < T; t++) {
        const float* z = cap.logits.data() + (size_t)t * V;
        const float mx = *std::max_element(z, z + V);
        float e = 0;  // terms in (0, 1]: float is exact enough, and expf is what keeps T·V of them cheap
        for (int v = 0; v < V; v++) e += std::exp(z[v] - mx);
        sum += std::log((double)e) + mx - z[cap.ids[t + 1]];  // -log softmax(z)[next]
    }
    return (float)(sum / (T - 1));
}

bool intervention_effects(const Capture& before, const Capture& after, int n_changes, InterventionEffects& out,
                          std::string& err) {
    out = InterventionEffects();
    if (before.T != after.T || before.L != after.L || before.H != after.H || before.V != after.V ||
        before.ids != after.ids || before.T == 0 || before.logits.size() < (size_t)before.V ||
        after.logits.size() < (size_t)after.V) {
        err = "effects: the two runs are not of the same text and model";
        return false;
    }
    const int T = before.T, V = before.V;
    out.loss_before = capture_text_loss(before), out.loss_after = capture_text_loss(after);
    // next-token distributions at the last position (plain softmax: the model's own distribution)
    std::vector<float> pb, pa;
    SamplingParams plain;
    sampling_distribution(before.logits.data() + before.logits.size() - V, V, plain, pb);
    sampling_distribution(after.logits.data() + after.logits.size() - V, V, plain, pa);
    std::vector<int> order(V);
    for (int i = 0; i < V; i++) order[i] = i;
    const int k = std::clamp(n_changes, 0, V);
    auto moved = [&](int i) { return std::fabs(pa[i] - pb[i]); };
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int a, int b) { return moved(a) != moved(b) ? moved(a) > moved(b) : a < b; });
    for (int i = 0; i < k; i++) out.changes.push_back({order[i], pb[order[i]], pa[order[i]]});
    if (capture_head_weights(before, 0, 0) && capture_head_weights(after, 0, 0)) {
        for (int l = 0; l < before.L; l++)
            for (int h = 0; h < before.H; h++) {
                const float *wb = capture_head_weights(before, l, h), *wa = capture_head_weights(after, l, h);
                float d = 0;
                for (size_t i = 0; i < (size_t)T * T; i++) d = std::max(d, std::fabs(wa[i] - wb[i]));
                if (d > EFFECT_MAP_EPS) out.maps.push_back({l, h, d});
            }
        std::stable_sort(out.maps.begin(), out.maps.end(),
                         [](const MapChange& a, const MapChange& b) { return a.max_diff > b.max_diff; });
    }
    return true;
}
