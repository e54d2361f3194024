// Interventions: checking, the canonical key, and the "L.H" / "L.H:Q:K" lists (see intervene.h).
#include "model/intervene.h"

#include <algorithm>
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

std::string interventions_key(const Interventions& iv) {
    std::set<std::pair<int, int>> ab, pa;                       // sorted, duplicates merged
    for (const HeadRef& r : iv.ablate) ab.insert({r.layer, r.head});
    for (const HeadRef& r : iv.patch) pa.insert({r.layer, r.head});
    std::set<std::tuple<int, int, int, int>> ko;
    for (const AttentionEdge& e : iv.knockout) ko.insert({e.layer, e.head, e.query, e.key});
    std::ostringstream o;
    if (!ab.empty()) {
        o << "ablate=" << (iv.ablate_mean ? "mean:" : "zero:");
        const char* sep = "";
        for (auto& p : ab) o << sep << p.first << "." << p.second, sep = ",";
    }
    if (!ko.empty()) {
        o << (ab.empty() ? "" : ";") << "knockout=";
        const char* sep = "";
        for (auto& e : ko)
            o << sep << std::get<0>(e) << "." << std::get<1>(e) << ":" << std::get<2>(e) << ":" << std::get<3>(e), sep = ",";
    }
    if (!pa.empty()) {
        o << (ab.empty() && ko.empty() ? "" : ";") << "patch=";
        const char* sep = "";
        for (auto& p : pa) o << sep << p.first << "." << p.second, sep = ",";
    }
    return o.str();
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

bool patch_scan(const Model& m, const std::vector<int>& ids, const Capture& source, int tok_a, int tok_b, int begin,
                int end, std::vector<float>& diffs, std::string& err) {
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
    iv.patch.resize(1);
    CaptureOptions opt;                                          // only the last position's logits
    opt.attention = opt.scores = opt.qkv = opt.residuals = false;
    Capture cap;
    for (int i = begin; i < end; i++) {
        iv.patch[0] = {i / m.cfg.n_head, i % m.cfg.n_head};
        if (!model_forward_iv(m, ids, opt, iv, cap, err)) return false;
        diffs[i] = cap.logits[tok_a] - cap.logits[tok_b];
    }
    return true;
}
