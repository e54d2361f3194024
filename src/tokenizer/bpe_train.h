// Byte-level BPE trainer (native only): learns merges on a corpus with the GPT-2 pre-tokenizer.
#pragma once
#include <string>
#include <string_view>
#include <vector>

struct BpeTrainOptions {
    int vocab_size = 4096;        // 256 byte tokens + merges + <|endoftext|>
    int min_pair_count = 2;       // stop early when no pair occurs this often
    bool verbose = false;
};

// Trains on the text; deterministic (ties broken by the smaller pair of token ids' bytes).
// Writes vocab.json and merges.txt into out_dir. Returns false and sets err on failure.
bool bpe_train(std::string_view corpus, const BpeTrainOptions& opt, const std::string& out_dir, std::string& err);
