// attnlab teach --model DIR [--steps 30] [--lr 0.001] [--seed 42] [--part all|embeddings|layer:N]
//               [--out DIR] [--json] TEXT
//
// Teaches the model TEXT: the page's Teach (src/train/teach.h), the same steps natively, so the page's
// losses can be checked against these (tests/e2e/teach.test.mjs) and the lessons can quote them.
// --out writes the taught model as a folder that loads again (model.safetensors with the F32 weights,
// and the model's config.json, vocab.json, merges.txt). Prints one JSON object (or one line per step):
//   {"model", "ids", "steps", "lr", "seed", "part", "losses": [one per step], "ms", "tokens_per_s"}
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "model/capture_json.h"
#include "model/model.h"
#include "train/teach.h"

static int cmd_teach(int argc, char** argv) {
    std::vector<char*> args(argv + 1, argv + argc);
    const char* dir = cli_take_flag(args, "--model");
    const char* out = cli_take_flag(args, "--out");
    const char* steps = cli_take_flag(args, "--steps");
    const char* lr = cli_take_flag(args, "--lr");
    const char* seed = cli_take_flag(args, "--seed");
    const char* part = cli_take_flag(args, "--part");
    const bool as_json = cli_take_switch(args, "--json");
    TeachOptions o;
    o.seed = 42;  // the page's default seed
    long seed_v = 42;
    if (!dir || args.size() != 1 || !cli_opt_int(steps, o.steps) || !cli_opt_float(lr, o.lr) ||
        (seed && !cli_parse_long(seed, 0, 0x7fffffffffffffffL, seed_v)) || (part && !teach_part_parse(part, o))) {
        fprintf(stderr, "usage: attnlab teach --model DIR [--steps N] [--lr X] [--seed S] [--part all|embeddings|layer:N] "
                        "[--out DIR] [--json] TEXT\n");
        return 2;
    }
    o.seed = (uint64_t)seed_v;
    Model m;
    std::string err;
    if (!model_load_dir(m, dir, err)) {
        fprintf(stderr, "teach: %s\n", err.c_str());
        return 1;
    }
    const std::vector<int> ids = tokenizer_encode_ids(m.tok, args[0]);
    TeachSession s;
    if (!teach_start(s, m, ids, o, err)) {
        fprintf(stderr, "teach: %s\n", err.c_str());
        return 1;
    }
    const double t0 = cli_now_seconds();
    while (!teach_done(s)) teach_step(s, m);
    const double ms = (cli_now_seconds() - t0) * 1000;
    const int tokens = std::min((int)ids.size() - 1, m.cfg.n_positions);
    if (out) {
        const std::string st = gpt2_safetensors_bytes(m.cfg, m.params.data(), false);
        std::string small;
        bool ok = true;
        for (const char* f : {"config.json", "vocab.json", "merges.txt"})
            ok = ok && cli_read_file((std::string(dir) + "/" + f).c_str(), small) &&
                 (bool)std::ofstream(std::string(out) + "/" + f, std::ios::binary).write(small.data(), small.size());
        ok = ok && (bool)std::ofstream(std::string(out) + "/model.safetensors", std::ios::binary).write(st.data(), st.size());
        if (!ok) {
            fprintf(stderr, "teach: cannot write the taught model into %s (it must exist)\n", out);
            return 1;
        }
    }
    if (!as_json) {
        for (size_t i = 0; i < s.losses.size(); i++) printf("step %zu loss %.5f\n", i + 1, s.losses[i]);
        printf("%.0f ms, %.0f tokens/s\n", ms, tokens * (double)o.steps / (ms / 1000));
        return 0;
    }
    std::string j = "{\"model\":";
    json_append_string(j, m.name);
    j += ",\"ids\":[";
    for (size_t i = 0; i < ids.size(); i++) j += (i ? "," : "") + std::to_string(ids[i]);
    j += "],\"steps\":" + std::to_string(o.steps) + ",\"lr\":";
    json_append_float(j, o.lr);
    j += ",\"seed\":" + std::to_string(o.seed) + ",\"part\":";
    json_append_string(j, teach_part_text(o));
    j += ",\"losses\":[";
    for (size_t i = 0; i < s.losses.size(); i++) {
        if (i) j += ',';
        json_append_float(j, s.losses[i]);
    }
    j += "],\"ms\":";
    json_append_float(j, (float)ms);
    j += ",\"tokens_per_s\":";
    json_append_float(j, (float)(tokens * (double)o.steps / (ms / 1000)));
    j += "}\n";
    fwrite(j.data(), 1, j.size(), stdout);
    return 0;
}

static CliCommand reg("teach", "--model DIR [--steps N] [--lr X] [--seed S] [--part P] [--out DIR] TEXT  teach the model a text",
                      cmd_teach);
