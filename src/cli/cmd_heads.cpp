// attnlab heads --model DIR [--json] [TEXT]: each head's role scores (src/model/roles.h defines the
// probes and the scores). --json: {"model", "probes": {...}, "heads": [{"layer", "head",
// "previous_token", "duplicate_token", "induction", "first_token", "self", "local", "top_role"}, ...],
// "uniform": {the same six scores of a head attending evenly}}, one entry per head, layer-major;
// top_role is the role that stands out most over that baseline.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "model/capture_json.h"
#include "model/model.h"
#include "model/roles.h"

static int cmd_heads(int argc, char** argv) {
    std::vector<char*> args(argv + 1, argv + argc);
    const char* dir = cli_take_flag(args, "--model");
    const bool as_json = cli_take_switch(args, "--json");
    if (!dir || args.size() > 1) {
        fprintf(stderr, "usage: attnlab heads --model DIR [--json] [TEXT]\n"
                        "  role scores of every head on seeded repeated random sequences (and TEXT if given)\n");
        return 2;
    }
    Model m;
    std::string err;
    if (!model_load_dir(m, dir, err)) {
        fprintf(stderr, "heads: %s\n", err.c_str());
        return 1;
    }
    std::vector<int> text_ids;
    if (!args.empty()) {
        text_ids = tokenizer_encode_ids(m.tok, args[0]);
        if (text_ids.empty()) {
            fprintf(stderr, "heads: the text has no tokens\n");
            return 1;
        }
        if ((int)text_ids.size() > m.cfg.n_positions) text_ids.resize(m.cfg.n_positions);  // the window
    }
    std::vector<HeadRoles> roles;
    HeadRoles uniform;
    if (!head_roles(m, text_ids, roles, err, 4, 1, &uniform)) {
        fprintf(stderr, "heads: %s\n", err.c_str());
        return 1;
    }
    int n = 0;
    role_probes(m.cfg, 4, 1, n);
    if (as_json) {
        std::string out = "{\"model\":";
        json_append_string(out, m.name);
        out += ",\"probes\":{\"sequences\":4,\"seed\":1,\"repeated_length\":" + std::to_string(n) +
               ",\"text_tokens\":" + std::to_string(text_ids.size()) + "},\"heads\":[";
        for (size_t i = 0; i < roles.size(); i++) {
            const HeadRoles& r = roles[i];
            out += i ? ",{" : "{";
            out += "\"layer\":" + std::to_string(r.layer) + ",\"head\":" + std::to_string(r.head);
            const std::pair<const char*, float> fields[] = {
                {"previous_token", r.previous_token}, {"duplicate_token", r.duplicate_token},
                {"induction", r.induction}, {"first_token", r.first_token}, {"self", r.self}, {"local", r.local}};
            for (auto& f : fields) {
                out += ",\"" + std::string(f.first) + "\":";
                json_append_float(out, f.second);
            }
            out += ",\"top_role\":\"" + std::string(r.top_role(uniform)) + "\"}";
        }
        out += "],\"uniform\":{";
        const std::pair<const char*, float> base[] = {
            {"previous_token", uniform.previous_token}, {"duplicate_token", uniform.duplicate_token},
            {"induction", uniform.induction}, {"first_token", uniform.first_token}, {"self", uniform.self},
            {"local", uniform.local}};
        for (size_t i = 0; i < 6; i++) {
            out += std::string(i ? "," : "") + "\"" + base[i].first + "\":";
            json_append_float(out, base[i].second);
        }
        out += "}}\n";
        fwrite(out.data(), 1, out.size(), stdout);
        return 0;
    }
    printf("%s: %d probes of %d random tokens repeated twice%s\n", m.name.c_str(), 4, n,
           text_ids.empty() ? "" : ", plus the text");
    printf("head  previous duplicate induction  first   self  local  top\n");
    for (const HeadRoles& r : roles)
        printf("%2d.%-2d %8.3f %9.3f %9.3f %6.3f %6.3f %6.3f  %s\n", r.layer, r.head, r.previous_token,
               r.duplicate_token, r.induction, r.first_token, r.self, r.local, r.top_role(uniform));
    printf("even  %8.3f %9.3f %9.3f %6.3f %6.3f %6.3f  (a head that attends evenly: the baseline of each role)\n",
           uniform.previous_token, uniform.duplicate_token, uniform.induction, uniform.first_token, uniform.self,
           uniform.local);
    return 0;
}

static CliCommand reg("heads", "role scores of every head (previous-token, induction, ...)", cmd_heads);
