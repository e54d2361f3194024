// The run/export JSON writer (see capture_json.h). Written by hand, not with nlohmann::json: a GPT-2
// small capture is millions of numbers, and building a DOM of them first costs more than the run.
#include "model/capture_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

void json_append_string(std::string& out, std::string_view bytes) {
    std::string clean;
    if (!tokenizer_is_valid_utf8(bytes)) {
        clean = tokenizer_sanitize_utf8(bytes);
        bytes = clean;
    }
    static const char HEX[] = "0123456789abcdef";
    out += '"';
    for (char ch : bytes) {
        const unsigned char c = (unsigned char)ch;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += HEX[c >> 4];
                    out += HEX[c & 15];
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
}

void json_append_float(std::string& out, float x) {
    if (!std::isfinite(x)) {
        out += "null";
        return;
    }
    char buf[32];
    const int n = snprintf(buf, sizeof buf, "%.7g", (double)x);
    out.append(buf, n > 0 && n < (int)sizeof buf ? n : 0);
}

static void append_int(std::string& out, long long v) {
    char buf[24];
    const int n = snprintf(buf, sizeof buf, "%lld", v);
    out.append(buf, n);
}

static void append_floats(std::string& out, const float* x, size_t n) {
    out += '[';
    for (size_t i = 0; i < n; i++) {
        if (i) out += ',';
        json_append_float(out, x[i]);
    }
    out += ']';
}

std::vector<int> capture_top_ids(const std::vector<float>& probs, int n) {
    std::vector<int> idx(probs.size());
    for (size_t i = 0; i < idx.size(); i++) idx[i] = (int)i;
    n = std::clamp<int>(n, 0, (int)idx.size());
    // A strict weak order even with NaN (a plain '>' is not one, and partial_sort needs one).
    auto before = [&](int a, int b) {
        const bool na = std::isnan(probs[a]), nb = std::isnan(probs[b]);
        if (na != nb) return nb;
        if (!na && probs[a] != probs[b]) return probs[a] > probs[b];
        return a < b;
    };
    std::partial_sort(idx.begin(), idx.begin() + n, idx.end(), before);
    idx.resize(n);
    return idx;
}

void json_append_top(std::string& out, const Model& m, const std::vector<float>& probs, int n) {
    out += '[';
    const std::vector<int> top = capture_top_ids(probs, n);
    for (size_t i = 0; i < top.size(); i++) {
        out += i ? ",{\"id\":" : "{\"id\":";
        append_int(out, top[i]);
        out += ",\"token\":";
        json_append_string(out, tokenizer_bytes_to_unicode(tokenizer_token_bytes(m.tok, top[i])));
        out += ",\"prob\":";
        json_append_float(out, probs[top[i]]);
        out += '}';
    }
    out += ']';
}

// a * b * ... without overflow (false if it overflows or a factor is negative)
static bool size_product(std::initializer_list<long long> factors, size_t& out) {
    size_t p = 1;
    for (long long f : factors) {
        if (f < 0 || __builtin_mul_overflow(p, (size_t)f, &p)) return false;
    }
    out = p;
    return true;
}

static bool check_sizes(const Model& m, const Capture& cap, const std::vector<int>& ids, const CaptureJsonOptions& opt,
                        std::string& err) {
    const int T = cap.T, L = cap.L, H = cap.H, C = cap.C, V = cap.V;
    if (T < 1 || L < 1 || H < 1 || C < 1 || V < 1) return err = "empty capture", false;
    if (L != m.cfg.n_layer || H != m.cfg.n_head || C != m.cfg.n_embd || V != m.cfg.vocab_size)
        return err = "capture shape does not match the model's config", false;
    if (ids.size() != (size_t)T) return err = "ids and capture disagree on T", false;
    size_t lhtt, tv, tc, ltc;
    if (!size_product({L, H, T, T}, lhtt) || !size_product({T, V}, tv) || !size_product({T, C}, tc) ||
        !size_product({L, T, C}, ltc))
        return err = "capture too large", false;
    if (cap.weights.size() != lhtt) return err = "attention weights have the wrong size", false;
    if (cap.logits.size() != tv && cap.logits.size() != (size_t)V) return err = "logits have the wrong size", false;
    if (opt.logits_all && cap.logits.size() != tv) return err = "logits_all: the capture holds one position", false;
    if (opt.scores && cap.scores.size() != lhtt) return err = "scores: not captured", false;
    if (opt.residuals && (cap.embed.size() != tc || cap.resid_mlp.size() != ltc))
        return err = "residuals: not captured", false;
    if (opt.lens) {
        size_t ltk;
        if (cap.lens_k < 1 || !size_product({L, T, cap.lens_k}, ltk) || cap.lens_ids.size() != ltk ||
            cap.lens_probs.size() != ltk)
            return err = "lens: not captured", false;
    }
    if ((opt.layer >= 0 || opt.head >= 0) && (opt.layer < 0 || opt.layer >= L || opt.head < 0 || opt.head >= H))
        return err = "attention layer/head out of range", false;
    return true;
}

bool capture_json_write(const Model& m, const Capture& cap, const std::vector<int>& ids,
                        const CaptureJsonOptions& opt, std::string& out, std::string& err) {
    if (!check_sizes(m, cap, ids, opt, err)) return false;
    const int T = cap.T, L = cap.L, H = cap.H, C = cap.C, V = cap.V;
    const bool one_head = opt.layer >= 0;
    const float* last = cap.logits.data() + cap.logits.size() - V;  // [V] the last position
    std::vector<float> probs;
    SamplingParams plain;  // temperature 1, no filtering: the model's own distribution
    sampling_distribution(last, V, plain, probs);

    out.reserve(out.size() + (size_t)(one_head ? 1 : L * H) * T * T * 12 * (opt.scores ? 2 : 1) +
                (size_t)V * 14 * (opt.logits_all ? T + 1 : 1) + (opt.residuals ? (size_t)(L + 1) * T * C * 14 : 0) +
                (size_t)T * 64 + 4096);
    out += "{\"model\":";
    json_append_string(out, m.name);
    out += ",\"config\":{\"n_layer\":";
    append_int(out, L);
    out += ",\"n_head\":";
    append_int(out, H);
    out += ",\"n_embd\":";
    append_int(out, C);
    out += ",\"n_positions\":";
    append_int(out, m.cfg.n_positions);
    out += ",\"vocab_size\":";
    append_int(out, V);
    out += ",\"dtype\":";
    json_append_string(out, m.source_dtype);
    out += '}';
    if (!cap.interventions.empty()) {  // the run's interventions, canonical (model/intervene.h)
        out += ",\"interventions\":";
        json_append_string(out, cap.interventions);
    }
    out += ",\"ids\":[";
    for (int t = 0; t < T; t++) {
        if (t) out += ',';
        append_int(out, ids[t]);
    }
    out += "],\"tokens\":[";
    for (int t = 0; t < T; t++) {
        if (t) out += ',';
        json_append_string(out, tokenizer_bytes_to_unicode(tokenizer_token_bytes(m.tok, ids[t])));
    }
    out += "],\"token_text\":[";
    for (int t = 0; t < T; t++) {
        if (t) out += ',';
        json_append_string(out, tokenizer_token_bytes(m.tok, ids[t]));  // sanitized by the string writer
    }
    out += ']';
    for (int pass = 0; pass < (opt.scores ? 2 : 1); pass++) {
        const std::vector<float>& a = pass == 0 ? cap.weights : cap.scores;  // [L, H, T, T]
        out += pass == 0 ? ",\"attention\":[" : ",\"scores\":[";
        bool first_layer = true;
        for (int l = 0; l < L; l++) {
            if (one_head && l != opt.layer) continue;
            out += first_layer ? "[" : ",[";
            first_layer = false;
            bool first_head = true;
            for (int h = 0; h < H; h++) {
                if (one_head && h != opt.head) continue;
                out += first_head ? "[" : ",[";
                first_head = false;
                for (int i = 0; i < T; i++) {
                    if (i) out += ',';
                    append_floats(out, a.data() + (((size_t)l * H + h) * T + i) * T, T);
                }
                out += ']';
            }
            out += ']';
        }
        out += ']';
        if (pass == 0 && one_head) {
            out += ",\"attention_layer\":";
            append_int(out, opt.layer);
            out += ",\"attention_head\":";
            append_int(out, opt.head);
        }
    }
    out += ",\"logits\":";
    append_floats(out, last, V);
    if (opt.logits_all) {
        out += ",\"logits_all\":[";
        for (int t = 0; t < T; t++) {
            if (t) out += ',';
            append_floats(out, cap.logits.data() + (size_t)t * V, V);
        }
        out += ']';
    }
    if (opt.residuals) {  // [L+1][T][C]: the embedding (wte + wpe), then the stream after each layer
        out += ",\"residuals\":[";
        for (int l = -1; l < L; l++) {
            out += l < 0 ? "[" : ",[";
            const float* base = l < 0 ? cap.embed.data() : cap.resid_mlp.data() + (size_t)l * T * C;
            for (int t = 0; t < T; t++) {
                if (t) out += ',';
                append_floats(out, base + (size_t)t * C, C);
            }
            out += ']';
        }
        out += ']';
    }
    out += ",\"top\":";
    json_append_top(out, m, probs, std::min(opt.top_k, V));
    if (opt.lens) {
        const int k = cap.lens_k;
        out += ",\"lens\":[";
        for (int l = 0; l < L; l++) {
            out += l ? ",[" : "[";
            for (int t = 0; t < T; t++) {
                const size_t at = ((size_t)l * T + t) * k;
                out += t ? ",{\"ids\":[" : "{\"ids\":[";
                for (int j = 0; j < k; j++) {
                    if (j) out += ',';
                    append_int(out, cap.lens_ids[at + j]);
                }
                out += "],\"probs\":";
                append_floats(out, cap.lens_probs.data() + at, k);
                out += '}';
            }
            out += ']';
        }
        out += ']';
    }
    if (opt.timing) {
        // "%.4f" (what the bench scripts read); a time that is not finite or absurdly large is null
        auto num = [&](const char* key, double v) {
            char buf[48];
            out += key;
            if (std::isfinite(v) && std::fabs(v) < 1e15) out.append(buf, snprintf(buf, sizeof buf, "%.4f", v));
            else out += "null";
        };
        num(",\"time_ms\":", opt.time_ms);
        num(",\"cpu_ms\":", opt.cpu_ms);
    }
    out += "}\n";
    return true;
}
