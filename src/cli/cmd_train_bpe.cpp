// attnlab train-bpe --vocab-size N --out DIR FILE...: learn a byte-level BPE vocabulary.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/command.h"
#include "tokenizer/bpe_train.h"

static int cmd_train_bpe(int argc, char** argv) {
    std::vector<char*> args(argv + 1, argv + argc);
    const char* vocab_size = cli_take_flag(args, "--vocab-size");
    const char* out_dir = cli_take_flag(args, "--out");
    const char* min_count = cli_take_flag(args, "--min-count");
    const char* threads = cli_take_flag(args, "--threads");
    bool verbose = cli_take_switch(args, "-v") || cli_take_switch(args, "--verbose");
    if (!vocab_size || !out_dir || args.empty()) {
        fprintf(stderr, "usage: attnlab train-bpe --vocab-size N --out DIR [--min-count 2] [--threads 2] [-v] FILE...\n"
                        "  Files are concatenated (a newline between); \"<|endoftext|>\" in them separates\n"
                        "  documents. Writes DIR/vocab.json and DIR/merges.txt (GPT-2 layout).\n");
        return 2;
    }
    BpeTrainOptions opt;
    opt.vocab_size = atoi(vocab_size);
    opt.verbose = verbose;
    if (min_count) opt.min_pair_count = atoi(min_count);
    if (threads) opt.n_threads = atoi(threads);
    if (opt.vocab_size < 257) {
        fprintf(stderr, "train-bpe: --vocab-size must be >= 257, got '%s'\n", vocab_size);
        return 2;
    }
    std::string corpus, text;
    for (char* path : args) {
        if (!cli_read_file(path, text)) {
            fprintf(stderr, "train-bpe: cannot read %s\n", path);
            return 1;
        }
        if (!corpus.empty() && corpus.back() != '\n') corpus += '\n';
        corpus += text;
    }
    auto t0 = std::chrono::steady_clock::now();
    std::string err;
    std::vector<std::string> tokens;
    std::vector<std::pair<int, int>> merges;
    if (!bpe_train_merges(corpus, opt, tokens, merges, err) || !bpe_write(out_dir, tokens, merges, err)) {
        fprintf(stderr, "train-bpe: %s\n", err.c_str());
        return 1;
    }
    double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fprintf(stderr, "train-bpe: %.1f MB, %zu merges, vocab %zu, %.2f s (%.1f MB/s) -> %s\n", corpus.size() / 1e6,
            merges.size(), tokens.size() + 1, sec, corpus.size() / 1e6 / sec, out_dir);
    return 0;
}

static CliCommand reg("train-bpe", "--vocab-size N --out DIR FILE...  learn a byte-level BPE vocabulary", cmd_train_bpe);
