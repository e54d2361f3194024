// attnlab run / attnlab generate: the model on the command line.
//
// ---- `attnlab run --model DIR [--ids 1,2,3 | TEXT] [--json] [--scores] [--lens K] [--logits-all] [--residuals]` -------
// Runs one forward pass. Without --json prints a short summary (tokens, top next tokens). --json prints
// one JSON object, written by src/model/capture_json.cpp (the page's JSON export writes the same
// schema). Numbers: float32 printed with 7 significant digits; NaN and +-inf are null. Strings are
// valid UTF-8 (invalid bytes become U+FFFD):
//   "model":       directory name
//   "config":      {"n_layer": L, "n_head": H, "n_embd": C, "n_positions": maxT, "vocab_size": V,
//                   "dtype": "F32" | "F16" | "BF16" (as stored in model.safetensors)}
//   "ids":         [T] token ids
//   "tokens":      [T] tokens spelled as in vocab.json (GPT-2 byte stand-ins, "\u0120the" = " the")
//   "token_text":  [T] the UTF-8 text of each token (a token that splits a character shows U+FFFD)
//   "attention":   [L][H][T][T] softmax weights, [layer][head][query][key]; rows sum to 1,
//                  keys after the query (causal mask) are exactly 0. (The page's export of one head
//                  writes [1][1][T][T] and "attention_layer", "attention_head".)
//   "scores":      (--scores) [L][H][T][T] q.k / sqrt(d_head) before the causal mask
//   "logits":      [V] logits of the last position (the next-token prediction)
//   "logits_all":  (--logits-all) [T][V] logits of every position
//   "top":         [10] {"id", "token", "prob"}: the most likely next tokens, softmax of "logits"
//   "residuals":   (--residuals) [L+1][T][C] the embedding (wte + wpe), then the residual stream
//                  after each layer (what the page's Embed and Compare views show)
//   "lens":        (--lens K) [L][T] {"ids": [K], "probs": [K]}: logit lens, ln_f + LM head applied
//                  to the residual stream after each layer
//   "time_ms", "cpu_ms": (--time N) mean wall / process CPU time of N forward passes with this capture
//   "interventions": (with --ablate / --knockout / --patch) the run's interventions, canonical:
//                  "ablate=zero:L.H,…;knockout=L.H:Q:K,…;patch=L.H,…" (src/model/intervene.h); every other
//                  field is the run with them applied
//
// An LSTM folder (config.json "model_type": "lstm", src/model/lstm.h) gives the same "model", "ids",
// "tokens", "token_text", "logits" (last position, [V]), "logits_all" (--logits-all) and "top", and
// instead of "attention" (--scores, --lens and --residuals are refused) its captures, with
// layer l (0 = bottom) and step t (token t of the text; every run starts from the zero state):
//   "config":      {"model_type": "lstm", "vocab_size": V, "embedding_size": E, "hidden_size": H,
//                   "num_layers": L, "tie_weights": bool, "dtype"}
//   "h":           [L][T][H] hidden state after step t
//   "c":           [L][T][H] cell state after step t
//   "gates":       {"i": [L][T][H], "f": [L][T][H], "g": [L][T][H], "o": [L][T][H]} gate activations
//                  (i, f, o after the sigmoid, g after tanh) at step t: c_t = f*c_{t-1} + i*g, h_t = o*tanh(c_t)
//   "c_norm":      [L][T] L2 norm of c after step t          (the "memory" size along the text)
//   "forget_mean": [L][T] mean of f at step t over the H units (1 = keep everything, 0 = forget)
//
// ---- `attnlab generate --model DIR [--seed S] [--temperature T] [--top-k K] [--top-p P] [--steps N]
//                       [--ids 1,2,3 | TEXT] [--json]` -----------------------------------------------
// Seeded sampling with a KV cache (defaults: seed 42, temperature 1, top-k 0 = off, top-p 1 = off,
// 20 steps; temperature 0 is greedy). Without --json prints prompt + continuation as text. --json:
//   "prompt_ids": [n], "ids": [steps] generated ids, "tokens": [steps] (vocab.json spelling),
//   "text": prompt + continuation (UTF-8), "steps": [steps] {"id", "prob" (of the drawn id),
//   "kept" (ids with nonzero probability after top-k/top-p), "top": [5] {"id", "token", "prob"}}
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "cli/command.h"
#include "model/capture_json.h"
#include "model/intervene.h"
#include "model/lstm.h"
#include "model/model.h"

// ----------------------------------------------------------------------------------------------------
// small helpers

static std::string json_str(const std::string& s) {  // invalid UTF-8 becomes U+FFFD, never an error
    std::string out;
    json_append_string(out, s);
    return out;
}

static bool parse_float(const char* s, float& out) {
    if (!s || !*s) return false;
    char* end = nullptr;
    out = strtof(s, &end);
    return *end == 0 && std::isfinite(out);
}

// Loads the model and turns --ids or the remaining TEXT argument into ids. Prints its own errors.
static bool model_and_ids(const char* cmd, const char* dir, const char* ids_arg, std::vector<char*>& args, Model& m,
                          std::vector<int>& ids) {
    std::string err;
    if (!model_load_dir(m, dir, err)) {
        fprintf(stderr, "%s: %s\n", cmd, err.c_str());
        return false;
    }
    if (ids_arg) {
        if (!cli_parse_ids(ids_arg, ids)) {
            fprintf(stderr, "%s: --ids wants comma-separated non-negative integers, got '%s'\n", cmd, ids_arg);
            return false;
        }
    } else {
        ids = tokenizer_encode_ids(m.tok, args[0]);
        if (ids.empty()) {
            fprintf(stderr, "%s: the text has no tokens\n", cmd);
            return false;
        }
    }
    return true;
}

static std::string token_spelling(const Model& m, int id) {
    return tokenizer_bytes_to_unicode(tokenizer_token_bytes(m.tok, id));
}
static std::string token_spelling_lstm(const LSTMModel& m, int id) {
    return tokenizer_bytes_to_unicode(tokenizer_token_bytes(m.tok, id));
}

// ----------------------------------------------------------------------------------------------------
// run

static const char* RUN_USAGE =
    "usage: attnlab run --model DIR [--ids 1,2,3 | TEXT] [--json] [--scores] [--lens K] [--logits-all] [--time N]\n"
    "                   [--ablate L.H,...] [--ablate-mode zero|mean] [--knockout L.H:Q:K,...]\n"
    "                   [--patch L.H,... --patch-from TEXT]\n"
    "  One forward pass. --json prints ids, tokens, attention [layer][head][query][key], logits of the\n"
    "  last position, top next tokens (schema at the top of src/cli/cmd_run.cpp).\n"
    "  Interventions: --ablate replaces heads' outputs by zeros (or their mean over positions),\n"
    "  --knockout removes attention edges (query Q, key K: token indices) and renormalises the row,\n"
    "  --patch takes heads' outputs from a run of --patch-from (same number of tokens).\n";

// The LSTM branch of `run` (schema in the header comment).
static void json_rows(std::string& out, const float* data, int rows, int cols, int stride) {
    out += '[';
    for (int r = 0; r < rows; r++) {
        out += r ? ",[" : "[";
        for (int k = 0; k < cols; k++) {
            if (k) out += ',';
            json_append_float(out, data[(size_t)r * stride + k]);
        }
        out += ']';
    }
    out += ']';
}

static void json_vec(std::string& out, const float* data, int n) {
    out += '[';
    for (int k = 0; k < n; k++) {
        if (k) out += ',';
        json_append_float(out, data[k]);
    }
    out += ']';
}

static int run_lstm(const char* dir, const char* ids_arg, std::vector<char*>& args, bool as_json, bool logits_all) {
    LSTMModel m;
    std::string err;
    if (!lstm_load_dir(m, dir, err)) {
        fprintf(stderr, "run: %s\n", err.c_str());
        return 1;
    }
    std::vector<int> ids;
    if (ids_arg) {
        if (!cli_parse_ids(ids_arg, ids)) {
            fprintf(stderr, "run: --ids wants comma-separated non-negative integers, got '%s'\n", ids_arg);
            return 1;
        }
    } else {
        ids = tokenizer_encode_ids(m.tok, args[0]);
        if (ids.empty()) {
            fprintf(stderr, "run: the text has no tokens\n");
            return 1;
        }
    }
    LSTMCapture cap;
    if (!lstm_forward(m, ids, logits_all, cap, err)) {
        fprintf(stderr, "run: %s\n", err.c_str());
        return 1;
    }
    const int T = cap.T, L = cap.L, H = cap.H, V = cap.V;
    const float* last = cap.logits.data() + (logits_all ? (size_t)(T - 1) * V : 0);
    std::vector<float> probs;
    SamplingParams plain;
    sampling_distribution(last, V, plain, probs);
    if (!as_json) {
        printf("model %s: LSTM, %d layers, hidden %d, embedding %d, vocab %d%s (%s)\n", m.name.c_str(), L, H, cap.E, V,
               m.cfg.tie_weights ? ", tied" : "", m.source_dtype.c_str());
        printf("%d tokens:", T);
        for (int id : ids) printf(" %d:%s", id, json_str(tokenizer_token_bytes(m.tok, id)).c_str());
        printf("\nnext token:\n");
        for (int id : capture_top_ids(probs, 10))
            printf("  %6d %-20s %.4f\n", id, json_str(tokenizer_token_bytes(m.tok, id)).c_str(), probs[id]);
        return 0;
    }
    std::string out = "{\"model\":" + json_str(m.name);
    char buf[256];
    snprintf(buf, sizeof buf,
             ",\"config\":{\"model_type\":\"lstm\",\"vocab_size\":%d,\"embedding_size\":%d,\"hidden_size\":%d,"
             "\"num_layers\":%d,\"tie_weights\":%s,\"dtype\":",
             V, cap.E, H, L, m.cfg.tie_weights ? "true" : "false");
    out += buf + json_str(m.source_dtype) + "},\"ids\":[";
    for (int t = 0; t < T; t++) out += (t ? "," : "") + std::to_string(ids[t]);
    out += "],\"tokens\":[";
    for (int t = 0; t < T; t++) out += (t ? "," : "") + json_str(token_spelling_lstm(m, ids[t]));
    out += "],\"token_text\":[";
    for (int t = 0; t < T; t++) out += (t ? "," : "") + json_str(tokenizer_token_bytes(m.tok, ids[t]));
    out += "],\"logits\":";
    json_vec(out, last, V);
    if (logits_all) {
        out += ",\"logits_all\":";
        json_rows(out, cap.logits.data(), T, V, V);
    }
    out += ",\"top\":[";
    int n = 0;
    for (int id : capture_top_ids(probs, std::min(10, V))) {
        out += (n++ ? ",{\"id\":" : "{\"id\":") + std::to_string(id) + ",\"token\":" + json_str(token_spelling_lstm(m, id)) +
               ",\"prob\":";
        json_append_float(out, probs[id]);
        out += '}';
    }
    out += "],\"h\":[";
    for (int l = 0; l < L; l++) {
        if (l) out += ',';
        json_rows(out, lstm_capture_h(cap, l, 0), T, H, H);
    }
    out += "],\"c\":[";
    for (int l = 0; l < L; l++) {
        if (l) out += ',';
        json_rows(out, lstm_capture_c(cap, l, 0), T, H, H);
    }
    out += "],\"gates\":{";
    const char* gate_names[4] = {"i", "f", "g", "o"};
    for (int g = 0; g < 4; g++) {
        out += std::string(g ? ",\"" : "\"") + gate_names[g] + "\":[";
        for (int l = 0; l < L; l++) {
            if (l) out += ',';
            json_rows(out, lstm_capture_gates(cap, l, 0) + g * H, T, H, 4 * H);
        }
        out += ']';
    }
    std::vector<float> c_norm, forget;
    lstm_capture_curves(cap, c_norm, forget);
    out += "},\"c_norm\":[";
    for (int l = 0; l < L; l++) {
        if (l) out += ',';
        json_vec(out, c_norm.data() + (size_t)l * T, T);
    }
    out += "],\"forget_mean\":[";
    for (int l = 0; l < L; l++) {
        if (l) out += ',';
        json_vec(out, forget.data() + (size_t)l * T, T);
    }
    out += "]}\n";
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

static int cmd_run(int argc, char** argv) {
    std::vector<char*> args(argv + 1, argv + argc);
    const char* dir = cli_take_flag(args, "--model");
    const char* ids_arg = cli_take_flag(args, "--ids");
    const char* lens_arg = cli_take_flag(args, "--lens");
    const char* time_arg = cli_take_flag(args, "--time");
    bool as_json = cli_take_switch(args, "--json");
    bool scores = cli_take_switch(args, "--scores");
    bool logits_all = cli_take_switch(args, "--logits-all");
    bool residuals = cli_take_switch(args, "--residuals");
    const char* ablate_arg = cli_take_flag(args, "--ablate");
    const char* ablate_mode = cli_take_flag(args, "--ablate-mode");
    const char* knockout_arg = cli_take_flag(args, "--knockout");
    const char* patch_arg = cli_take_flag(args, "--patch");
    const char* patch_from = cli_take_flag(args, "--patch-from");
    long lens_k = 0, repeat = 0;
    if (!dir || (ids_arg ? !args.empty() : args.size() != 1) || (lens_arg && !cli_parse_long(lens_arg, 1, 100, lens_k)) ||
        (time_arg && !cli_parse_long(time_arg, 1, 1000000, repeat))) {
        fputs(RUN_USAGE, stderr);
        return 2;
    }
    std::string type, terr;
    if (!model_dir_type(dir, type, terr)) {
        fprintf(stderr, "run: %s\n", terr.c_str());
        return 1;
    }
    if (type == "lstm") {
        if (scores || residuals || lens_k > 0 || repeat > 0) {
            fputs("run: --scores, --residuals, --lens and --time are for GPT models; an LSTM has none of them\n", stderr);
            return 2;
        }
        return run_lstm(dir, ids_arg, args, as_json, logits_all);
    }
    Model m;
    std::vector<int> ids;
    if (!model_and_ids("run", dir, ids_arg, args, m, ids)) return 1;
    Interventions iv;
    Capture patch_source;
    std::string err;
    if ((ablate_arg && !parse_heads(ablate_arg, iv.ablate, err)) ||
        (knockout_arg && !parse_edges(knockout_arg, iv.knockout, err)) ||
        (patch_arg && !parse_heads(patch_arg, iv.patch, err))) {
        fprintf(stderr, "run: %s\n", err.c_str());
        return 2;
    }
    if (ablate_mode && strcmp(ablate_mode, "zero") != 0 && strcmp(ablate_mode, "mean") != 0) {
        fprintf(stderr, "run: --ablate-mode is zero or mean, not '%s'\n", ablate_mode);
        return 2;
    }
    iv.ablate_mean = ablate_mode && strcmp(ablate_mode, "mean") == 0;
    if (!patch_arg != !patch_from) {
        fprintf(stderr, "run: --patch and --patch-from go together\n");
        return 2;
    }
    if (patch_from) {
        CaptureOptions po;
        po.attention = po.residuals = false;
        if (!model_forward(m, tokenizer_encode_ids(m.tok, patch_from), po, patch_source, err)) {
            fprintf(stderr, "run: --patch-from: %s\n", err.c_str());
            return 1;
        }
        iv.patch_source = &patch_source;
    }

    CaptureOptions opt;
    opt.attention = as_json || repeat > 0;
    opt.qkv = false;
    opt.residuals = residuals;
    opt.logits_all = logits_all;
    opt.lens_top_k = (int)lens_k;
    Capture cap;
    if (!model_forward_iv(m, ids, opt, iv, cap, err)) {
        fprintf(stderr, "run: %s\n", err.c_str());
        return 1;
    }
    double time_ms = 0, cpu_ms = 0;  // wall and process CPU time (CPU time is steadier on a busy machine)
    if (repeat > 0) {
        auto t0 = std::chrono::steady_clock::now();
        std::clock_t c0 = std::clock();
        for (long r = 0; r < repeat; r++) model_forward_iv(m, ids, opt, iv, cap, err);
        time_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / repeat;
        cpu_ms = 1000.0 * (double)(std::clock() - c0) / CLOCKS_PER_SEC / repeat;
    }
    if (!as_json) {
        const int T = cap.T, L = cap.L, H = cap.H, V = cap.V;
        const float* last = cap.logits.data() + (logits_all ? (size_t)(T - 1) * V : 0);  // [V]
        std::vector<float> probs;
        SamplingParams plain;  // temperature 1, no filtering: the model's own distribution
        sampling_distribution(last, V, plain, probs);
        printf("model %s: %d layers, %d heads, d_model %d, vocab %d, context %d (%s)\n", m.name.c_str(), L, H, cap.C, V,
               m.cfg.n_positions, m.source_dtype.c_str());
        printf("%d tokens:", T);
        for (int id : ids) printf(" %d:%s", id, json_str(tokenizer_token_bytes(m.tok, id)).c_str());
        printf("\nnext token:\n");
        for (int id : capture_top_ids(probs, 10))
            printf("  %6d %-20s %.4f\n", id, json_str(tokenizer_token_bytes(m.tok, id)).c_str(), probs[id]);
        if (repeat > 0) printf("forward: %.3f ms wall, %.3f ms CPU (mean of %ld)\n", time_ms, cpu_ms, repeat);
        return 0;
    }

    // the schema is written by src/model/capture_json.cpp, shared with the page's JSON export
    CaptureJsonOptions jo;
    jo.scores = scores;
    jo.logits_all = logits_all;
    jo.residuals = residuals;
    jo.lens = cap.lens_k > 0;
    jo.top_k = 10;
    jo.timing = repeat > 0;
    jo.time_ms = time_ms, jo.cpu_ms = cpu_ms;
    std::string out;
    if (!capture_json_write(m, cap, ids, jo, out, err)) {
        fprintf(stderr, "run: %s\n", err.c_str());
        return 1;
    }
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

// ----------------------------------------------------------------------------------------------------
// generate

static const char* GENERATE_USAGE =
    "usage: attnlab generate --model DIR [--seed S] [--temperature T] [--top-k K] [--top-p P] [--steps N]\n"
    "                        [--ids 1,2,3 | TEXT] [--json]\n"
    "  Seeded sampling with a KV cache (defaults: seed 42, temperature 1, top-k 0 = off, top-p 1 = off,\n"
    "  20 steps; temperature 0 = greedy). Stops when the context (n_positions) is full.\n";

static int cmd_generate(int argc, char** argv) {
    std::vector<char*> args(argv + 1, argv + argc);
    const char* dir = cli_take_flag(args, "--model");
    const char* ids_arg = cli_take_flag(args, "--ids");
    const char* seed_arg = cli_take_flag(args, "--seed");
    const char* temp_arg = cli_take_flag(args, "--temperature");
    const char* topk_arg = cli_take_flag(args, "--top-k");
    const char* topp_arg = cli_take_flag(args, "--top-p");
    const char* steps_arg = cli_take_flag(args, "--steps");
    bool as_json = cli_take_switch(args, "--json");
    SamplingParams sp;
    long seed = 42, top_k = 0, steps = 20;
    bool ok = dir && (ids_arg ? args.empty() : args.size() == 1);
    ok = ok && (!seed_arg || cli_parse_long(seed_arg, 0, 0x7fffffffffffffffL, seed));
    ok = ok && (!temp_arg || (parse_float(temp_arg, sp.temperature) && sp.temperature >= 0));
    ok = ok && (!topk_arg || cli_parse_long(topk_arg, 0, 1 << 30, top_k));
    ok = ok && (!topp_arg || (parse_float(topp_arg, sp.top_p) && sp.top_p > 0 && sp.top_p <= 1));
    ok = ok && (!steps_arg || cli_parse_long(steps_arg, 0, 1 << 20, steps));
    if (!ok) {
        fputs(GENERATE_USAGE, stderr);
        return 2;
    }
    sp.seed = (uint64_t)seed;
    sp.top_k = (int)top_k;
    Model m;
    std::vector<int> prompt;
    if (!model_and_ids("generate", dir, ids_arg, args, m, prompt)) return 1;
    std::vector<GenerateStep> gen;
    std::string err;
    if (!model_generate(m, prompt, (int)steps, sp, gen, err)) {
        fprintf(stderr, "generate: %s\n", err.c_str());
        return 1;
    }
    std::vector<int> all = prompt;
    for (const GenerateStep& s : gen) all.push_back(s.id);
    std::string text = tokenizer_decode(m.tok, all);
    if (!as_json) {
        fwrite(text.data(), 1, text.size(), stdout);
        fputc('\n', stdout);
        return 0;
    }
    std::string out = "{\"prompt_ids\":[";
    char buf[64];
    for (size_t i = 0; i < prompt.size(); i++) out += (i ? "," : "") + std::to_string(prompt[i]);
    out += "],\"ids\":[";
    for (size_t i = 0; i < gen.size(); i++) out += (i ? "," : "") + std::to_string(gen[i].id);
    out += "],\"tokens\":[";
    for (size_t i = 0; i < gen.size(); i++) out += (i ? "," : "") + json_str(token_spelling(m, gen[i].id));
    out += "],\"text\":" + json_str(text) + ",\"steps\":[";
    for (size_t i = 0; i < gen.size(); i++) {
        int kept = 0;
        for (float p : gen[i].probs) kept += p > 0;
        snprintf(buf, sizeof buf, "%s{\"id\":%d,\"prob\":", i ? "," : "", gen[i].id);
        out += buf;
        json_append_float(out, gen[i].probs[gen[i].id]);
        snprintf(buf, sizeof buf, ",\"kept\":%d,\"top\":", kept);
        out += buf;
        json_append_top(out, m, gen[i].probs, 5);
        out += '}';
    }
    out += "]}\n";
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

static CliCommand reg_run("run", "--model DIR [--ids 1,2,3 | TEXT] [--json]  forward pass: attention, logits",
                          cmd_run);
static CliCommand reg_generate("generate", "--model DIR [--seed S --temperature T --top-k K --top-p P --steps N] TEXT",
                               cmd_generate);
