// fuzz_url_state: arbitrary share-link fragments (anyone can send a link).
//
// url_state_parse must return a JSON object (never crash, never throw) with only known keys, whose
// strings are valid UTF-8 and whose numbers have their type and range (every numeric key: layer, head,
// token, top_k, top_n, seed, aggregate, compare_token, temperature, top_p); formatting that state and
// parsing it again must give the same values (links round-trip, token / top_k / seed included).
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "app/url_state.h"
#include "tokenizer/tokenizer.h"

static void require(bool ok, const char* what) {
    if (!ok) {
        fprintf(stderr, "fuzz_url_state: %s\n", what);
        abort();
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string fragment((const char*)data, size), notice;
    std::string parsed = url_state_parse(fragment, notice);
    nlohmann::json j = nlohmann::json::parse(parsed, nullptr, false);
    require(!j.is_discarded() && j.is_object(), "parse did not give a JSON object");
    require(tokenizer_is_valid_utf8(notice), "notice is not valid UTF-8");
    // Every key the parser may return, with its type and range (README "Share links"; the app clamps
    // layer/head/token to the model and the text after this).
    struct Range { const char* key; char kind; double lo, hi; };  // kind: 'i' integer, 'f' number, 's' string
    static const Range ranges[] = {
        {"layer", 'i', 0, 1e6}, {"head", 'i', 0, 1e6}, {"token", 'i', -1, 1e7}, {"compare_token", 'i', -1, 1e7},
        {"top_k", 'i', 0, 1e7}, {"top_n", 'i', 1, 50}, {"seed", 'i', 0, 9007199254740991.0},  // 2^53 - 1: exact in JS
        {"aggregate", 'i', 0, 1}, {"temperature", 'f', 0, 5}, {"top_p", 'f', 0, 1},
        {"text", 's', 0, 0}, {"view", 's', 0, 0}, {"compare", 's', 0, 0}, {"model", 's', 0, 0},
        {"tour", 'i', 0, 9}, {"quiz", 's', 0, 0}, {"intervene", 'i', 0, 1},
        {"palette", 's', 0, 0}, {"scale", 's', 0, 0}, {"values", 's', 0, 0}, {"ablate", 's', 0, 0}, {"ablate_mode", 's', 0, 0}, {"knockout", 's', 0, 0},
        {"teach", 's', 0, 0}, {"steps", 'i', 1, 10000}, {"lr", 'f', 1e-6, 1}, {"part", 's', 0, 0},
    };
    for (auto& [key, v] : j.items()) {
        const Range* r = nullptr;
        for (const Range& c : ranges)
            if (key == c.key) r = &c;
        require(r != nullptr, "a key the parser should not return");
        if (r->kind == 's') {
            require(v.is_string() && tokenizer_is_valid_utf8(v.get<std::string>()), "a string value is not valid UTF-8");
            continue;
        }
        require(r->kind == 'i' ? v.is_number_integer() : v.is_number(), "a number has the wrong type");
        // integers compared as integers: a double would round 2^53 + 1 down into range
        bool in_range = r->kind == 'i' ? v.get<long long>() >= (long long)r->lo && v.get<long long>() <= (long long)r->hi
                                       : v.get<double>() >= r->lo && v.get<double>() <= r->hi;
        require(in_range, "a number out of range");
    }
    // Round trip: a state built from the parsed values formats to a link that parses to the same values.
    nlohmann::json st = nlohmann::json::object();
    if (j.contains("text")) st["text"] = j["text"];
    if (j.contains("view")) st["view"] = j["view"];
    if (j.contains("layer")) st["layer"] = j["layer"];
    if (j.contains("head")) st["head"] = j["head"];
    if (j.contains("compare")) st["compare"] = j["compare"];
    if (j.contains("ablate")) st["ablate"] = j["ablate"];      // interventions: lists as text (the app checks them)
    if (j.contains("knockout")) st["knockout"] = j["knockout"];
    if (j.contains("intervene")) st["intervene"] = j["intervene"] == 1;
    // token, top_k and seed are written from the app's state names (locked, sampling.*)
    if (j.contains("token")) st["locked"] = j["token"];
    if (j.contains("top_k")) st["sampling"]["top_k"] = j["top_k"];
    if (j.contains("seed")) st["sampling"]["seed"] = j["seed"].get<uint64_t>();
    // a taught model's state (state().modified, state().teach: the steps done)
    if (j.contains("teach"))
        st["modified"] = true, st["teach"] = {{"text", j["teach"]}, {"done", j.value("steps", 30)},
                                              {"lr", j.value("lr", 1e-4)}, {"part", j.value("part", "all")}};
    std::string again_notice;
    nlohmann::json again = nlohmann::json::parse(url_state_parse(url_state_format(st.dump()), again_notice), nullptr, false);
    for (const char* k : {"text", "view", "layer", "head", "compare", "ablate", "knockout"}) {
        if (!st.contains(k)) continue;
        if ((std::string(k) == "ablate" || std::string(k) == "knockout") && st[k] == "") continue;  // empty: omitted
        if (std::string(k) == "compare" && st[k] == "She donated to a good cause.") continue;  // the default is omitted
        require(again.contains(k) && again[k] == st[k], "format -> parse lost a value");
    }
    if (j.contains("intervene")) require(again.value("intervene", 0) == j["intervene"], "format -> parse lost intervene");
    if (j.contains("teach")) {  // the teaching comes back, its learning rate as the same float (the same training)
        const nlohmann::json& t = st["teach"];
        require(again.value("teach", std::string()) == t["text"] && again.value("steps", 0) == t["done"] &&
                    (float)again.value("lr", 0.0) == (float)t["lr"].get<double>() &&
                    again.value("part", std::string("all")) == t["part"],
                "format -> parse lost the teaching");
    }
    // defaults are omitted from links: no token (-1), top_k 0 (off), seed 42
    for (auto [k, omitted] : {std::pair<const char*, long long>{"token", -1}, {"top_k", 0}, {"seed", 42}}) {
        if (!j.contains(k) || j[k].get<long long>() == omitted) continue;
        require(again.contains(k) && again[k].get<long long>() == j[k].get<long long>(), "format -> parse lost token, top_k or seed");
    }
    return 0;
}
