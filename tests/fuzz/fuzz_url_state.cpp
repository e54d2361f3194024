// fuzz_url_state: arbitrary share-link fragments (anyone can send a link).
//
// url_state_parse must return a JSON object (never crash, never throw) whose strings are valid
// UTF-8 and whose numbers are in range; formatting that state and parsing it again must give the
// same values (links round-trip).
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
    for (auto& [key, v] : j.items()) {
        if (v.is_string()) require(tokenizer_is_valid_utf8(v.get<std::string>()), "a string value is not valid UTF-8");
        if (key == "layer" || key == "head") require(v.is_number_integer() && v.get<long long>() >= 0, "negative index");
        if (key == "temperature") require(v.get<double>() >= 0 && v.get<double>() <= 5, "temperature out of range");
        if (key == "top_p") require(v.get<double>() >= 0 && v.get<double>() <= 1, "top_p out of range");
    }
    // Round trip: a state built from the parsed values formats to a link that parses to the same values.
    nlohmann::json st = nlohmann::json::object();
    if (j.contains("text")) st["text"] = j["text"];
    if (j.contains("view")) st["view"] = j["view"];
    if (j.contains("layer")) st["layer"] = j["layer"];
    if (j.contains("head")) st["head"] = j["head"];
    if (j.contains("compare")) st["compare"] = j["compare"];
    std::string again_notice;
    nlohmann::json again = nlohmann::json::parse(url_state_parse(url_state_format(st.dump()), again_notice), nullptr, false);
    for (const char* k : {"text", "view", "layer", "head", "compare"}) {
        if (!st.contains(k)) continue;
        if (std::string(k) == "compare" && st[k] == "She donated to a good cause.") continue;  // the default is omitted
        require(again.contains(k) && again[k] == st[k], "format -> parse lost a value");
    }
    return 0;
}
