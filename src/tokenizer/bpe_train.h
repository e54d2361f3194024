// Byte-level BPE trainer (native only): learns merges on a corpus with the GPT-2 pre-tokenizer.
//
//   corpus --split at "<|endoftext|>"--> documents --pretokenize--> unique words with counts
//     --repeat: merge the most frequent adjacent pair (counts updated incrementally)--> merges
//
// Output is the Hugging Face / GPT-2 layout, loadable by tokenizer_load(): ids 0..255 are the
// byte tokens in GPT-2's byte order, then one id per merge, then "<|endoftext|>" last.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct BpeTrainOptions {
    int vocab_size = 4096;        // 256 byte tokens + merges + <|endoftext|>
    int min_pair_count = 2;       // stop early when no pair occurs this often
    bool verbose = false;
    int n_threads = 2;            // pre-tokenizing and counting words (native builds)
};

// Trains on the text; deterministic (ties broken by the smaller pair of token ids' bytes).
// Writes vocab.json and merges.txt into out_dir. Returns false and sets err on failure.
bool bpe_train(std::string_view corpus, const BpeTrainOptions& opt, const std::string& out_dir, std::string& err);

// The same, in memory: token_bytes[V] raw bytes of each id (without "<|endoftext|>"), and merges
// (left id, right id) in rank order; merge r makes id 256 + r.
// Ties between equally frequent pairs go to the pair whose (left bytes, right bytes) sorts first.
bool bpe_train_merges(std::string_view corpus, const BpeTrainOptions& opt, std::vector<std::string>& token_bytes,
                      std::vector<std::pair<int, int>>& merges, std::string& err);

// Writes vocab.json (with "<|endoftext|>" appended as the last id) and merges.txt into out_dir
// (created if missing).
bool bpe_write(const std::string& out_dir, const std::vector<std::string>& token_bytes,
               const std::vector<std::pair<int, int>>& merges, std::string& err);
