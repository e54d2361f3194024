// Share-link fragment parsing and formatting (see url_state.h).
#include "app/url_state.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "tokenizer/tokenizer.h"

using nlohmann::json;

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool url_decode(const std::string& in, std::string& out) {
    out.clear();
    for (size_t i = 0; i < in.size(); i++) {
        if (in[i] == '%') {
            int hi = i + 1 < in.size() ? hex_value(in[i + 1]) : -1, lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
            if (hi < 0 || lo < 0) return false;
            out += (char)(hi * 16 + lo);
            i += 2;
        } else if (in[i] == '+') {
            out += ' ';  // form encoding, as some tools write links
        } else {
            out += in[i];
        }
    }
    return true;
}

std::string url_encode(const std::string& in) {
    static const char* HEX = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : in) {
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',' || c == ':' || c == '/' || c == '\'') {
            out += (char)c;
        } else {
            out += '%';
            out += HEX[c >> 4];
            out += HEX[c & 15];
        }
    }
    return out;
}

// Keys whose value is a whole number / a number / text, with their allowed range.
struct UrlKey {
    const char* name;
    char kind;  // 'i' integer, 'f' float, 's' string
    double lo, hi;
};
static const UrlKey URL_KEYS[] = {
    {"layer", 'i', 0, 1e6},       {"head", 'i', 0, 1e6},     {"token", 'i', -1, 1e7},   {"aggregate", 'i', 0, 1},
    {"top_k", 'i', 0, 1e7},       {"top_n", 'i', 1, 50},     {"seed", 'i', 0, 9007199254740991.0},
    {"compare_token", 'i', -1, 1e7}, {"temperature", 'f', 0, 5}, {"top_p", 'f', 0, 1},
    {"view", 's', 0, 0},          {"text", 's', 0, 0},       {"compare", 's', 0, 0},    {"model", 's', 0, 0},
    {"tour", 'i', 0, 9},          {"quiz", 's', 0, 0},       {"intervene", 'i', 0, 1},
    {"palette", 's', 0, 0},       {"scale", 's', 0, 0},      {"values", 's', 0, 0},     {"ablate", 's', 0, 0},     {"ablate_mode", 's', 0, 0}, {"knockout", 's', 0, 0},
    {"teach", 's', 0, 0},         {"steps", 'i', 1, 10000},  {"lr", 'f', 1e-6, 1},     {"part", 's', 0, 0},
};

static const UrlKey* url_key_find(const std::string& k) {
    for (const UrlKey& u : URL_KEYS)
        if (k == u.name) return &u;
    return nullptr;
}

static void notice_add(std::string& notice, const std::string& s) {
    if (!notice.empty()) notice += " ";
    notice += s;
}

// Strict number parsing: the whole value must be the number.
static bool parse_number(const std::string& v, bool integer, double& out) {
    if (v.empty() || v.size() > 32) return false;
    char* end = nullptr;
    out = integer ? (double)strtoll(v.c_str(), &end, 10) : strtod(v.c_str(), &end);
    return end && *end == 0 && std::isfinite(out);
}

std::string url_state_parse(const std::string& fragment, std::string& notice) {
    json out = json::object();
    size_t start = !fragment.empty() && fragment[0] == '#' ? 1 : 0;
    bool versioned = false;
    while (start <= fragment.size()) {
        size_t amp = fragment.find('&', start);
        if (amp == std::string::npos) amp = fragment.size();
        std::string pair = fragment.substr(start, amp - start);
        start = amp + 1;
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        std::string key = pair.substr(0, eq), raw = eq == std::string::npos ? "" : pair.substr(eq + 1), value;
        if (key == "v") {
            versioned = true;
            if (raw != "1") notice_add(notice, "This link is from a newer version (v=" + tokenizer_sanitize_utf8(raw.substr(0, 8)) + "); reading it as v=1.");
            continue;
        }
        const UrlKey* k = url_key_find(key);
        if (!k) continue;  // unknown keys are ignored (newer links, trackers)
        if (!url_decode(raw, value)) {
            notice_add(notice, "The link's " + key + " is not valid percent-encoding; using the default.");
            continue;
        }
        if (k->kind == 's') {
            std::string clean = tokenizer_sanitize_utf8(value);
            if (clean != value) notice_add(notice, "The link's " + key + " had invalid UTF-8, replaced by \xEF\xBF\xBD.");
            out[key] = clean;
            continue;
        }
        double x;
        if (!parse_number(value, k->kind == 'i', x) || x < k->lo || x > k->hi) {
            notice_add(notice, "The link's " + key + "=" + tokenizer_sanitize_utf8(value.substr(0, 24)) + " is out of range; using the default.");
            continue;
        }
        if (k->kind == 'i') out[key] = (long long)x;
        else out[key] = x;
    }
    (void)versioned;
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string url_state_format(const std::string& state_json) {
    json st = json::parse(state_json, nullptr, false);
    if (st.is_discarded() || !st.is_object()) return "#v=1";
    std::string f = "#v=1";
    auto put = [&](const char* key, const std::string& v) { f += std::string("&") + key + "=" + url_encode(v); };
    auto num = [](double x) {
        char b[32];
        snprintf(b, sizeof b, "%.6g", x);
        return std::string(b);
    };
    if (st.contains("text") && st["text"].is_string()) put("text", st["text"].get<std::string>());
    if (st.contains("view") && st["view"].is_string()) put("view", st["view"].get<std::string>());
    for (const char* k : {"layer", "head"})
        if (st.contains(k) && st[k].is_number_integer()) put(k, std::to_string(st[k].get<long long>()));
    if (st.contains("locked") && st["locked"].is_number_integer() && st["locked"].get<long long>() >= 0)
        put("token", std::to_string(st["locked"].get<long long>()));
    if (st.contains("aggregate") && st["aggregate"] == "rollout") put("aggregate", "1");
    if (st.contains("sampling") && st["sampling"].is_object()) {
        const json& s = st["sampling"];
        if (s.contains("temperature") && s["temperature"].is_number() && s["temperature"].get<double>() != 1.0)
            put("temperature", num(s["temperature"].get<double>()));
        if (s.contains("top_k") && s["top_k"].is_number_integer() && s["top_k"].get<long long>() != 0)
            put("top_k", std::to_string(s["top_k"].get<long long>()));
        if (s.contains("top_p") && s["top_p"].is_number() && s["top_p"].get<double>() < 1.0)
            put("top_p", num(s["top_p"].get<double>()));
        if (s.contains("seed") && s["seed"].is_number_unsigned() && s["seed"].get<uint64_t>() != 42)
            put("seed", std::to_string(s["seed"].get<uint64_t>()));
    }
    if (st.contains("compare") && st["compare"].is_string() && st["compare"].get<std::string>() != "She donated to a good cause.")
        put("compare", st["compare"].get<std::string>());
    if (st.contains("compare_token") && st["compare_token"].is_number_integer() && st["compare_token"].get<long long>() >= 0)
        put("compare_token", std::to_string(st["compare_token"].get<long long>()));
    for (auto [k, dflt] : {std::pair<const char*, const char*>{"palette", "default"}, {"scale", "global"}, {"values", "weights"}})
        if (st.contains(k) && st[k].is_string() && st[k] != dflt) put(k, st[k].get<std::string>());
    if (st.contains("quiz") && st["quiz"].is_object() && st["quiz"].contains("kind") && st["quiz"]["kind"].is_string())
        put("quiz", st["quiz"]["kind"].get<std::string>());  // the question only: the answer is never in a link
    if (st.contains("tour") && st["tour"].is_number_integer() && st["tour"].get<long long>() > 0)
        put("tour", std::to_string(st["tour"].get<long long>()));
    // interventions: the lists as the engine formats them (model/intervene.h), checked again on the way in
    if (st.contains("intervene") && st["intervene"] == true) put("intervene", "1");
    for (const char* k : {"ablate", "knockout"})
        if (st.contains(k) && st[k].is_string() && !st[k].get<std::string>().empty()) put(k, st[k].get<std::string>());
    if (st.contains("ablate_mode") && st["ablate_mode"] == "mean") put("ablate_mode", "mean");
    // a taught model: the teaching that made it (the page re-runs it: the same steps give the same weights)
    if (st.contains("modified") && st["modified"] == true && st.contains("teach") && st["teach"].is_object()) {
        const json& t = st["teach"];
        if (t.contains("text") && t["text"].is_string()) put("teach", t["text"].get<std::string>());
        if (t.contains("done") && t["done"].is_number_integer()) put("steps", std::to_string(t["done"].get<long long>()));
        if (t.contains("lr") && t["lr"].is_number()) {  // the float teaching uses, in 9 digits: the same float back
            char b[32];                                    // (9 digits of the double could round to its neighbour)
            snprintf(b, sizeof b, "%.9g", (double)(float)t["lr"].get<double>());
            put("lr", b);
        }
        if (t.contains("part") && t["part"].is_string() && t["part"] != "all") put("part", t["part"].get<std::string>());
    }
    if (st.contains("model_url") && st["model_url"].is_string() && !st["model_url"].get<std::string>().empty())
        put("model", st["model_url"].get<std::string>());
    return f;
}
