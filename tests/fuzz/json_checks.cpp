// The checker for fuzz_json_export (declared in fuzz_common.h). Like checks.cpp it is built without
// coverage hooks (scripts/dev/fuzz): the fuzzer steers by the writer, not by nlohmann's parser.
//
// What a consumer of `attnlab run --json` / the page export relies on:
//  - the bytes are valid UTF-8 and one JSON object (strict parser: nlohmann::json), ending in "}\n";
//  - exactly the schema's keys, once each (duplicates are caught while parsing);
//  - every array has the capture's shape; each finite float comes back within 7 significant digits
//    (relative error <= 5e-7), each NaN/inf is null; ids and lens ids are exact;
//  - strings are the sanitized bytes (tokenizer_sanitize_utf8) and "tokens" map back to the raw bytes;
//  - "top" is a best-first top-k of an independent softmax of the last position's logits.
#include <algorithm>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "fuzz_common.h"
#include "model/capture_json.h"
#include "model/model.h"

using nlohmann::json;

// float32 with "%.7g": rounding to 7 significant digits is at most half a unit in the 7th digit.
static bool same_float(const json& j, float x) {
    if (!std::isfinite(x)) return j.is_null();
    if (!j.is_number()) return false;
    const double p = j.get<double>(), d = x;
    return std::fabs(p - d) <= 5.0000001e-7 * std::fabs(d);
}

static void check_floats(const json& j, const float* x, size_t n, const char* what) {
    FUZZ_CHECK(j.is_array() && j.size() == n, "%s: expected %zu numbers, got %s", what, n, j.dump().substr(0, 200).c_str());
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(same_float(j[i], x[i]), "%s[%zu]: %s for %.9g", what, i, j[i].dump().c_str(), (double)x[i]);
}

static void check_string(const json& j, std::string_view raw, const char* what) {
    FUZZ_CHECK(j.is_string(), "%s is not a string", what);
    const std::string& s = j.get_ref<const std::string&>();
    FUZZ_CHECK(fuzz_utf8_valid(s), "%s is not valid UTF-8", what);
    if (fuzz_utf8_valid(raw)) FUZZ_CHECK(s == raw, "%s: valid UTF-8 was changed", what);
    else FUZZ_CHECK(s == tokenizer_sanitize_utf8(raw), "%s: invalid UTF-8 not replaced as sanitize does", what);
}

// [n0][n1][rows][cols] of a [*, *, rows, cols] tensor, only layer/head `pick_*` if >= 0.
static void check_attention(const json& j, const std::vector<float>& a, int L, int H, int T, int pick_l, int pick_h,
                            const char* what) {
    const int nl = pick_l >= 0 ? 1 : L, nh = pick_l >= 0 ? 1 : H;
    FUZZ_CHECK(j.is_array() && (int)j.size() == nl, "%s: %d layers expected", what, nl);
    for (int li = 0; li < nl; li++) {
        const int l = pick_l >= 0 ? pick_l : li;
        FUZZ_CHECK(j[li].is_array() && (int)j[li].size() == nh, "%s[%d]: %d heads expected", what, li, nh);
        for (int hi = 0; hi < nh; hi++) {
            const int h = pick_l >= 0 ? pick_h : hi;
            const json& rows = j[li][hi];
            FUZZ_CHECK(rows.is_array() && (int)rows.size() == T, "%s[%d][%d]: %d rows expected", what, li, hi, T);
            for (int q = 0; q < T; q++) check_floats(rows[q], a.data() + (((size_t)l * H + h) * T + q) * T, T, what);
        }
    }
}

static void check_top(const json& top, const Model& m, const float* logits, int V, int top_k) {
    // the model's own distribution, computed here: softmax (double) of the finite logits; no finite
    // logit at all gives a one-hot on id 0 (sampling_distribution's documented fallback)
    std::vector<double> q(V, 0.0);
    double zmax = -INFINITY, sum = 0;
    for (int i = 0; i < V; i++)
        if (std::isfinite(logits[i])) zmax = std::max(zmax, (double)logits[i]);
    if (zmax == -INFINITY) {
        q[0] = 1;
    } else {
        for (int i = 0; i < V; i++)
            if (std::isfinite(logits[i])) sum += (q[i] = std::exp((double)logits[i] - zmax));
        for (double& p : q) p /= sum;
    }
    const size_t n = (size_t)std::clamp(top_k, 0, V);
    FUZZ_CHECK(top.is_array() && top.size() == n, "top: %zu entries expected", n);
    std::set<int> seen;
    double prev = INFINITY, min_top = INFINITY;
    for (size_t r = 0; r < n; r++) {
        const json& e = top[r];
        FUZZ_CHECK(e.is_object() && e.size() == 3 && e.contains("id") && e.contains("token") && e.contains("prob"),
                   "top[%zu] is not {id, token, prob}", r);
        FUZZ_CHECK(e["id"].is_number_integer(), "top[%zu].id", r);
        const long long id = e["id"].get<long long>();
        FUZZ_CHECK(id >= 0 && id < V && seen.insert((int)id).second, "top[%zu].id %lld repeated or outside [0, %d)", r,
                   id, V);
        const json& token = e["token"];
        std::string back;
        FUZZ_CHECK(token.is_string() && tokenizer_unicode_to_bytes(token.get<std::string>(), back) &&
                       back == tokenizer_token_bytes(m.tok, (int)id),
                   "top[%zu].token does not spell token %lld", r, id);
        FUZZ_CHECK(e["prob"].is_number(), "top[%zu].prob is %s", r, e["prob"].dump().c_str());
        const double p = e["prob"].get<double>();
        FUZZ_CHECK(p >= 0 && p <= 1 && p <= prev, "top[%zu].prob %.9g not in [0, 1] or above the previous", r, p);
        // float32 of the double softmax, then 7 digits; subnormal floats hold fewer digits
        FUZZ_CHECK(std::fabs(p - q[id]) <= 2e-6 * q[id] + 1e-44, "top[%zu] = id %lld prob %.9g, softmax %.9g", r, id, p,
                   q[id]);
        prev = p;
        min_top = std::min(min_top, q[id]);
    }
    if (n > 0)
        for (int i = 0; i < V; i++)
            FUZZ_CHECK(seen.count(i) || q[i] <= min_top * (1 + 4e-6) + 1e-44, "id %d (p %.9g) beats a top entry (%.9g)", i,
                       q[i], min_top);
}

void fuzz_check_capture_json(std::string_view text, const Model& m, const Capture& cap, const std::vector<int>& ids,
                             const CaptureJsonOptions& opt) {
    const int T = cap.T, L = cap.L, H = cap.H, C = cap.C, V = cap.V;
    FUZZ_CHECK(fuzz_utf8_valid(text), "output is not valid UTF-8");
    FUZZ_CHECK(text.size() >= 2 && text.substr(text.size() - 2) == "}\n", "output does not end in \"}\\n\"");

    // parse, collecting the top-level keys as they come (a JSON object may not repeat one)
    std::vector<std::string> keys;
    bool repeated = false;
    json::parser_callback_t cb = [&](int depth, json::parse_event_t ev, json& parsed) {
        if (ev == json::parse_event_t::key && depth == 1) {
            const std::string k = parsed.get<std::string>();
            for (const std::string& seen : keys) repeated = repeated || seen == k;
            keys.push_back(k);
        }
        return true;
    };
    const json j = json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/false);
    FUZZ_CHECK(!j.is_discarded(), "not JSON:\n%.3000s", std::string(text).c_str());
    FUZZ_CHECK(j.is_object() && !repeated, "not one object with distinct keys");

    const bool one_head = opt.layer >= 0;
    std::set<std::string> expect = {"model", "config", "ids", "tokens", "token_text", "attention", "logits", "top"};
    if (one_head) expect.insert({"attention_layer", "attention_head"});
    if (opt.scores) expect.insert("scores");
    if (opt.logits_all) expect.insert("logits_all");
    if (opt.residuals) expect.insert("residuals");
    if (opt.lens) expect.insert("lens");
    if (opt.timing) expect.insert({"time_ms", "cpu_ms"});
    FUZZ_CHECK(std::set<std::string>(keys.begin(), keys.end()) == expect && keys.size() == expect.size(),
               "keys differ from the schema's (%zu keys, %zu expected)", keys.size(), expect.size());

    check_string(j["model"], m.name, "model");
    const json& cfg = j["config"];
    FUZZ_CHECK(cfg.is_object() && cfg.size() == 6, "config has %zu keys", cfg.size());
    FUZZ_CHECK(cfg["n_layer"] == L && cfg["n_head"] == H && cfg["n_embd"] == C &&
                   cfg["n_positions"] == m.cfg.n_positions && cfg["vocab_size"] == V,
               "config %s", cfg.dump().c_str());
    check_string(cfg["dtype"], m.source_dtype, "config.dtype");

    FUZZ_CHECK(j["ids"].is_array() && j["ids"].size() == (size_t)T, "ids: %d expected", T);
    FUZZ_CHECK(j["tokens"].is_array() && j["tokens"].size() == (size_t)T, "tokens: %d expected", T);
    FUZZ_CHECK(j["token_text"].is_array() && j["token_text"].size() == (size_t)T, "token_text: %d expected", T);
    for (int t = 0; t < T; t++) {
        FUZZ_CHECK(j["ids"][t].is_number_integer() && j["ids"][t].get<long long>() == ids[t], "ids[%d]", t);
        const std::string& raw = tokenizer_token_bytes(m.tok, ids[t]);
        check_string(j["token_text"][t], raw, "token_text");
        std::string back;
        FUZZ_CHECK(j["tokens"][t].is_string() && tokenizer_unicode_to_bytes(j["tokens"][t].get<std::string>(), back) &&
                       back == raw,
                   "tokens[%d] does not spell the token's bytes", t);
    }

    check_attention(j["attention"], cap.weights, L, H, T, opt.layer, opt.head, "attention");
    if (one_head)
        FUZZ_CHECK(j["attention_layer"] == opt.layer && j["attention_head"] == opt.head, "attention_layer/head");
    if (opt.scores) check_attention(j["scores"], cap.scores, L, H, T, opt.layer, opt.head, "scores");

    const float* last = cap.logits.data() + cap.logits.size() - V;
    check_floats(j["logits"], last, V, "logits");
    if (opt.logits_all) {
        FUZZ_CHECK(j["logits_all"].is_array() && j["logits_all"].size() == (size_t)T, "logits_all: %d rows", T);
        for (int t = 0; t < T; t++) check_floats(j["logits_all"][t], cap.logits.data() + (size_t)t * V, V, "logits_all");
    }
    if (opt.residuals) {
        const json& r = j["residuals"];
        FUZZ_CHECK(r.is_array() && r.size() == (size_t)L + 1, "residuals: %d layers + embedding", L);
        for (int l = 0; l <= L; l++) {
            FUZZ_CHECK(r[l].is_array() && r[l].size() == (size_t)T, "residuals[%d]: %d rows", l, T);
            const float* base = l == 0 ? cap.embed.data() : cap.resid_mlp.data() + (size_t)(l - 1) * T * C;
            for (int t = 0; t < T; t++) check_floats(r[l][t], base + (size_t)t * C, C, "residuals");
        }
    }
    check_top(j["top"], m, last, V, opt.top_k);
    if (opt.lens) {
        const int k = cap.lens_k;
        const json& lens = j["lens"];
        FUZZ_CHECK(lens.is_array() && lens.size() == (size_t)L, "lens: %d layers", L);
        for (int l = 0; l < L; l++) {
            FUZZ_CHECK(lens[l].is_array() && lens[l].size() == (size_t)T, "lens[%d]: %d positions", l, T);
            for (int t = 0; t < T; t++) {
                const json& e = lens[l][t];
                const size_t at = ((size_t)l * T + t) * k;
                FUZZ_CHECK(e.is_object() && e.size() == 2 && e.contains("ids") && e["ids"].is_array() &&
                               e["ids"].size() == (size_t)k,
                           "lens[%d][%d] is not {ids [%d], probs}", l, t, k);
                for (int i = 0; i < k; i++)
                    FUZZ_CHECK(e["ids"][i].is_number_integer() && e["ids"][i].get<long long>() == cap.lens_ids[at + i],
                               "lens[%d][%d].ids[%d]", l, t, i);
                check_floats(e["probs"], cap.lens_probs.data() + at, k, "lens probs");
            }
        }
    }
    if (opt.timing) {
        for (auto [key, v] : {std::pair<const char*, double>{"time_ms", opt.time_ms}, {"cpu_ms", opt.cpu_ms}}) {
            const json& e = j[key];
            if (!std::isfinite(v) || std::fabs(v) >= 1e15) {
                FUZZ_CHECK(e.is_null(), "%s %g is not null", key, v);
            } else {
                FUZZ_CHECK(e.is_number() && std::fabs(e.get<double>() - v) <= 5e-5 + 4.5e-16 * std::fabs(v), "%s %s for %.9g",
                           key, e.dump().c_str(), v);
            }
        }
    }
}
