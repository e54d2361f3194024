// attnlab influence --model DIR [--ids 1,2,3 | TEXT] --json [--position P] [--neutral ID]
//
// How much each token of the text affects the next-token prediction at position P (default: the last
// token), for GPT-2 and LSTM folders alike: occlusion, KL(p || p_j) with token j replaced by the neutral
// token (src/model/influence.h says which token and why). Prints one JSON object:
//   "model", "model_type" ("gpt2" | "lstm")
//   "ids", "tokens", "token_text": [T] as in `attnlab run --json` (the whole text, also after P)
//   "position":  P
//   "neutral":   {"id", "token"} the replacement token
//   "influence": [P+1] KL in nats; entry j is token j's influence (distance P - j; j = P is the current
//                token itself). Tokens after P cannot influence position P and are not listed.
//   "rollout":   (GPT only) [P+1] row P of the attention rollout through all layers
//                (src/model/model.h, attention_rollout): how much of position P's stream comes from
//                each earlier position by attention alone, ignoring what the MLPs and values do
// Without --json, prints one line per token: position, distance, token, influence (and rollout).
//
// attnlab influence --model DIR --all [--ids … | TEXT]: every position at once (the Memory view's
// computation, InfluenceJob): {"model", "model_type", "ids", "T", "matrix": [T][T] (row P: the influence
// of tokens 0..P on the prediction after P, 0 after P), "by_distance": [T] (mean over positions of the
// influence at distance d), "ms": the time it took}.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/command.h"
#include "model/capture_json.h"
#include "model/influence.h"
#include "model/lstm.h"
#include "model/model.h"
#include "viz/views.h"

static const char* INFLUENCE_USAGE =
    "usage: attnlab influence --model DIR [--ids 1,2,3 | TEXT] [--json] [--position P] [--neutral ID] [--all]\n"
    "  Occlusion influence of each token on the prediction at position P (default last), GPT or LSTM;\n"
    "  --all: at every position (JSON: the matrix, the mean by distance, the time).\n";

static std::string jstr(const std::string& s) {
    std::string out;
    json_append_string(out, s);
    return out;
}

// --all: the whole matrix through the page's InfluenceJob, timed.
static int influence_all(const std::string& name, const Model* gpt, const LSTMModel* lstm, const std::vector<int>& ids,
                         int neutral) {
    std::string err;
    const double t0 = cli_now_seconds();
    InfluenceJob job;
    bool ok = influence_job_start(job, gpt, lstm, ids, neutral, false, err);
    while (ok && !influence_job_done(job)) ok = influence_job_step(job, err);
    if (!ok) {
        fprintf(stderr, "influence: %s\n", err.c_str());
        return 1;
    }
    const double ms = (cli_now_seconds() - t0) * 1000;
    const int T = job.T;
    std::vector<float> by_distance;
    influence_by_distance(job.kl, T, by_distance);
    auto floats = [](std::string& out, const float* v, int n) {
        out += '[';
        for (int i = 0; i < n; i++) {
            if (i) out += ',';
            json_append_float(out, v[i]);
        }
        out += ']';
    };
    std::string out = "{\"model\":" + jstr(name) + ",\"model_type\":" + jstr(lstm ? "lstm" : "gpt2") + ",\"ids\":[";
    for (int t = 0; t < T; t++) out += (t ? "," : "") + std::to_string(ids[t]);
    out += "],\"T\":" + std::to_string(T) + ",\"matrix\":[";
    for (int p = 0; p < T; p++) {
        if (p) out += ',';
        floats(out, job.kl.data() + (size_t)p * T, T);
    }
    out += "],\"by_distance\":";
    floats(out, by_distance.data(), T);
    out += ",\"ms\":";
    json_append_float(out, (float)ms);
    out += "}\n";
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

static int cmd_influence(int argc, char** argv) {
    std::vector<char*> args(argv + 1, argv + argc);
    const char* dir = cli_take_flag(args, "--model");
    const char* ids_arg = cli_take_flag(args, "--ids");
    const char* pos_arg = cli_take_flag(args, "--position");
    const char* neutral_arg = cli_take_flag(args, "--neutral");
    const bool as_json = cli_take_switch(args, "--json");
    const bool all = cli_take_switch(args, "--all");
    if (!dir || (ids_arg ? !args.empty() : args.size() != 1)) {
        fputs(INFLUENCE_USAGE, stderr);
        return 2;
    }
    std::string type, err;
    if (!model_dir_type(dir, type, err)) {
        fprintf(stderr, "influence: %s\n", err.c_str());
        return 1;
    }
    const bool is_lstm = type == "lstm";
    Model m;
    LSTMModel lm;
    if (!(is_lstm ? lstm_load_dir(lm, dir, err) : model_load_dir(m, dir, err))) {
        fprintf(stderr, "influence: %s\n", err.c_str());
        return 1;
    }
    Tokenizer& tok = is_lstm ? lm.tok : m.tok;
    const int V = is_lstm ? lm.cfg.vocab_size : m.cfg.vocab_size;
    std::vector<int> ids;
    if (ids_arg ? !cli_parse_ids(ids_arg, ids) : (ids = tokenizer_encode_ids(tok, args[0])).empty()) {
        fprintf(stderr, "influence: %s\n", ids_arg ? "--ids wants comma-separated non-negative integers" : "the text has no tokens");
        return 1;
    }
    const int T = (int)ids.size();
    long position = T - 1, neutral = influence_neutral_id(tok, V);
    if (all) return influence_all(is_lstm ? lm.name : m.name, is_lstm ? nullptr : &m, is_lstm ? &lm : nullptr, ids, (int)neutral);
    if ((pos_arg && !cli_parse_long(pos_arg, 0, T - 1, position)) || (neutral_arg && !cli_parse_long(neutral_arg, 0, V - 1, neutral))) {
        fprintf(stderr, "influence: --position must be in [0, %d] and --neutral in [0, %d]\n", T - 1, V - 1);
        return 2;
    }
    std::vector<float> kl, rollout;
    const bool ok = is_lstm ? influence_occlusion_lstm(lm, ids, (int)position, (int)neutral, kl, err)
                            : influence_occlusion_gpt2(m, ids, (int)position, (int)neutral, kl, err);
    if (!ok) {
        fprintf(stderr, "influence: %s\n", err.c_str());
        return 1;
    }
    if (!is_lstm) {  // rollout of the prefix that position P sees (causal: later tokens change nothing)
        CaptureOptions opt;
        opt.scores = opt.qkv = opt.residuals = false;
        Capture cap;
        std::vector<int> prefix(ids.begin(), ids.begin() + position + 1);
        std::vector<float> full, scratch;
        if (!model_forward(m, prefix, opt, cap, err)) {
            fprintf(stderr, "influence: %s\n", err.c_str());
            return 1;
        }
        attention_rollout(cap, cap.L - 1, full, scratch);
        rollout.assign(full.begin() + (size_t)position * cap.T, full.begin() + (size_t)position * cap.T + position + 1);
    }
    auto spell = [&](int id) { return tokenizer_bytes_to_unicode(tokenizer_token_bytes(tok, id)); };
    if (!as_json) {
        printf("influence on the prediction after token %ld (%s), neutral token %ld %s\n", position,
               jstr(tokenizer_token_bytes(tok, ids[position])).c_str(), neutral, jstr(spell((int)neutral)).c_str());
        for (int j = 0; j <= position; j++) {
            printf("  %4d  d=%-4ld %-20s KL %.5f", j, position - j, jstr(tokenizer_token_bytes(tok, ids[j])).c_str(), kl[j]);
            if (!rollout.empty()) printf("  rollout %.4f", rollout[j]);
            printf("\n");
        }
        return 0;
    }
    std::string out = "{\"model\":" + jstr(is_lstm ? lm.name : m.name) + ",\"model_type\":" + jstr(is_lstm ? "lstm" : "gpt2");
    out += ",\"ids\":[";
    for (int t = 0; t < T; t++) out += (t ? "," : "") + std::to_string(ids[t]);
    out += "],\"tokens\":[";
    for (int t = 0; t < T; t++) out += (t ? "," : "") + jstr(spell(ids[t]));
    out += "],\"token_text\":[";
    for (int t = 0; t < T; t++) out += (t ? "," : "") + jstr(tokenizer_token_bytes(tok, ids[t]));
    out += "],\"position\":" + std::to_string(position) + ",\"neutral\":{\"id\":" + std::to_string(neutral) +
           ",\"token\":" + jstr(spell((int)neutral)) + "},\"influence\":[";
    for (size_t j = 0; j < kl.size(); j++) {
        if (j) out += ',';
        json_append_float(out, kl[j]);
    }
    out += ']';
    if (!is_lstm) {
        out += ",\"rollout\":[";
        for (size_t j = 0; j < rollout.size(); j++) {
            if (j) out += ',';
            json_append_float(out, rollout[j]);
        }
        out += ']';
    }
    out += "}\n";
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

static CliCommand reg("influence", "--model DIR [--position P] TEXT  occlusion influence of each token (GPT or LSTM)",
                      cmd_influence);
