// attnlab tokenize --model DIR [--file F | TEXT]: ids and tokens of a text as JSON.
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "tokenizer/tokenizer.h"

static int cmd_tokenize(int argc, char** argv) {
    std::vector<char*> args(argv + 1, argv + argc);
    const char* model = cli_take_flag(args, "--model");
    const char* file = cli_take_flag(args, "--file");
    bool special = cli_take_switch(args, "--allow-special");
    bool spans = cli_take_switch(args, "--spans");
    if (!model || (file && !args.empty()) || (!file && args.size() != 1)) {
        fprintf(stderr, "usage: attnlab tokenize --model DIR [--allow-special] [--spans] [--file F | TEXT]\n"
                        "  DIR holds vocab.json + merges.txt. Prints {\"ids\":[...],\"tokens\":[...]}; tokens are\n"
                        "  spelled as in vocab.json (GPT-2 byte stand-ins, e.g. \"\\u0120the\" for \" the\").\n"
                        "  --spans adds [byte_begin, byte_end, utf16_begin, utf16_end] per token.\n");
        return 2;
    }
    std::string text, err;
    if (file) {
        if (!cli_read_file(file, text)) {
            fprintf(stderr, "tokenize: cannot read %s\n", file);
            return 1;
        }
    } else {
        text = args[0];
    }
    Tokenizer tok;
    if (!tokenizer_load_dir(tok, model, err)) {
        fprintf(stderr, "tokenize: %s\n", err.c_str());
        return 1;
    }
    std::vector<TokenSpan> result = tokenizer_encode(tok, text, special);
    nlohmann::json out;
    out["ids"] = nlohmann::json::array();
    out["tokens"] = nlohmann::json::array();
    for (const TokenSpan& t : result) {
        out["ids"].push_back(t.id);
        out["tokens"].push_back(tokenizer_bytes_to_unicode(tokenizer_token_bytes(tok, t.id)));
        if (spans) out["spans"].push_back({t.byte_begin, t.byte_end, t.u16_begin, t.u16_end});
    }
    printf("%s\n", out.dump().c_str());
    return 0;
}

static CliCommand reg("tokenize", "--model DIR [--file F | TEXT]  print {ids,tokens} JSON", cmd_tokenize);
