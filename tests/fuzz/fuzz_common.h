// Shared helpers for the libFuzzer targets in tests/fuzz (see README.md there).
//
// An input that carries several files (vocab + merges + text, config + safetensors + ...) is split on
// FUZZ_SEP. The separator is four bytes that never occur in valid UTF-8, so text parts can hold any
// valid text and the fuzzer still mutates each part independently.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

static const char FUZZ_SEP[] = "\xFE\xFE\xFE\n";
static const size_t FUZZ_SEP_LEN = 4;

// A violated invariant: print why, then abort so libFuzzer records the input as a crash.
#define FUZZ_CHECK(cond, ...)                                                          \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                              \
            fprintf(stderr, "\n");                                                     \
            abort();                                                                   \
        }                                                                              \
    } while (0)

// Splits data on FUZZ_SEP into at most max_parts parts (the last part keeps any further separators).
// Missing parts come back empty.
static inline std::vector<std::string> fuzz_split(const uint8_t* data, size_t size, size_t max_parts) {
    std::vector<std::string> parts;
    std::string_view rest((const char*)data, size);
    while (parts.size() + 1 < max_parts) {
        size_t at = rest.find(std::string_view(FUZZ_SEP, FUZZ_SEP_LEN));
        if (at == std::string_view::npos) break;
        parts.emplace_back(rest.substr(0, at));
        rest.remove_prefix(at + FUZZ_SEP_LEN);
    }
    parts.emplace_back(rest);
    parts.resize(max_parts);
    return parts;
}

// ---- checkers (checks.cpp) -------------------------------------------------------------------------------
// They live in their own file, compiled without -fsanitize=fuzzer: the fuzzer should steer by the
// code under test, and coverage hooks on every comparison in the checkers cost most of the run time.

// Encodes text and checks everything the tokenizer promises about its output (see checks.cpp).
void fuzz_check_encode(Tokenizer& tok, std::string_view text, bool allow_special);
// UTF-8 decoding written independently of the tokenizer: length of the well-formed sequence at
// p[i] (code point in cp), or 0; and whether all of s is well-formed.
int fuzz_utf8_decode(const uint8_t* p, size_t n, size_t i, uint32_t& cp);
bool fuzz_utf8_valid(std::string_view s);
// Parses json (one capture_json_write output) with nlohmann::json and checks it against what was written
// (json_checks.cpp); aborts with FUZZ_CHECK on the first difference.
struct Model;
struct Capture;
struct CaptureJsonOptions;
void fuzz_check_capture_json(std::string_view json, const Model& m, const Capture& cap, const std::vector<int>& ids,
                             const CaptureJsonOptions& opt);
// "" if doc is well-formed XML with plain numbers (see checks.cpp); counts its elements.
std::string xml_check_document(std::string_view doc, size_t& n_elements);
