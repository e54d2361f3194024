// fuzz_vocab_merges: arbitrary vocab.json + merges.txt (+ a text to encode) through tokenizer_load.
//
// Input: vocab.json FUZZ_SEP merges.txt FUZZ_SEP text. A bad pair of files must give false and a
// message; a pair that loads must tokenize any text with every invariant of fuzz_check_encode, and the
// byte stand-in mapping must round-trip.
#include "fuzz_common.h"

static void check_loaded(Tokenizer& tok, const std::string& text) {
    const int V = tokenizer_vocab_size(tok);
    FUZZ_CHECK(V >= 256, "a loaded byte-level vocabulary has %d ids", V);
    for (int b = 0; b < 256; b++) {
        const int id = tok.byte_id[b];
        FUZZ_CHECK(id >= 0 && id < V && tokenizer_token_bytes(tok, id) == std::string(1, (char)b),
                   "byte 0x%02X maps to id %d", b, id);
    }
    for (size_t r = 0; r < tok.merge_result.size(); r++)
        FUZZ_CHECK(tok.merge_result[r] >= 0 && tok.merge_result[r] < V, "merge %zu gives id %d", r, tok.merge_result[r]);
    fuzz_check_encode(tok, text, false);
    fuzz_check_encode(tok, text, true);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> parts = fuzz_split(data, size, 3);
    Tokenizer tok;
    std::string err;
    if (!tokenizer_load(tok, parts[0], parts[1], err)) {
        FUZZ_CHECK(!err.empty(), "tokenizer_load failed without a message");
        return 0;
    }
    check_loaded(tok, parts[2]);

    // bytes -> GPT-2 stand-ins -> bytes is the identity for any bytes
    std::string back;
    FUZZ_CHECK(tokenizer_unicode_to_bytes(tokenizer_bytes_to_unicode(parts[2]), back) && back == parts[2],
               "byte stand-ins do not round-trip");
    return 0;
}
