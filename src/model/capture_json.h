// The JSON of one forward pass: the schema of `attnlab run --json` (documented at the top of
// src/cli/cmd_run.cpp), written by the CLI and by the page's JSON export (app_export_json), so the two
// cannot drift apart and the writer can be fuzzed natively (tests/fuzz/fuzz_json_export.cpp).
//
// Always valid JSON, whatever the capture holds:
//   - numbers: float32 with 7 significant digits ("%.7g"); NaN and +-inf are written as null
//     (JSON has no such numbers; a consumer sees a missing value, not a wrong one);
//   - strings: UTF-8; invalid UTF-8 (e.g. token_text of a token that splits a character) is replaced
//     as tokenizer_sanitize_utf8 does (one U+FFFD per maximal invalid subpart); '"', '\' and control
//     characters are escaped as nlohmann::json::dump does (\n, \t, ..., \u001f), all else is raw.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "model/model.h"

struct CaptureJsonOptions {
    int layer = -1, head = -1;  // both >= 0: "attention" is [1][1][T][T] for that head, plus "attention_layer"
                                // and "attention_head"; else all layers and heads [L][H][T][T]
    bool scores = false;        // "scores" [L][H][T][T] (needs cap.scores)
    bool logits_all = false;    // "logits_all" [T][V] (needs logits of every position)
    bool residuals = false;     // "residuals" [L+1][T][C] (needs cap.embed and cap.resid_mlp)
    bool lens = false;          // "lens" [L][T] {"ids", "probs"} (needs cap.lens_k > 0)
    int top_k = 10;             // "top": the top_k most likely next tokens (at most V)
    bool timing = false;        // "time_ms", "cpu_ms" ("%.4f")
    double time_ms = 0, cpu_ms = 0;
};

// Appends one JSON object and a newline to out. ids are the run's token ids (ids.size() == cap.T).
// Returns false (out unchanged, err set) if the capture's sizes do not match m.cfg and T, if an
// option asks for something the capture does not hold, or if opt.layer/opt.head are out of range.
bool capture_json_write(const Model& m, const Capture& cap, const std::vector<int>& ids,
                        const CaptureJsonOptions& opt, std::string& out, std::string& err);

// Building blocks (also used by `attnlab generate --json`).
void json_append_string(std::string& out, std::string_view bytes);  // quoted, escaped, valid UTF-8
void json_append_float(std::string& out, float x);                  // "%.7g", or null if not finite
// The n most likely ids of probs [V], best first; ties (and NaN, which ranks last) by lower id.
std::vector<int> capture_top_ids(const std::vector<float>& probs, int n);
// [{"id", "token" (vocab.json spelling), "prob"}, ...] of the n most likely ids.
void json_append_top(std::string& out, const Model& m, const std::vector<float>& probs, int n);
