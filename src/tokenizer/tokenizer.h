// Byte-level BPE tokenizer, exactly GPT-2 compatible (vocab.json + merges.txt, Hugging Face layout).
//
//   text (UTF-8) --sanitize--> valid UTF-8 --pretokenize (GPT-2 regex)--> pieces
//        --bytes->unicode--> BPE merges by rank --> ids
//
// Invalid UTF-8 (and encoded surrogates) are replaced by U+FFFD before tokenizing; byte and UTF-16
// ranges then refer to the sanitized text, which tokenizer_sanitize_utf8() returns. For text that
// came from a JS string (stringToUTF8) the UTF-16 ranges are indices into that JS string, lone
// surrogates included.
//
// BPE as tiktoken does it: a piece that is itself a token is that token; otherwise the adjacent pair
// with the lowest merges.txt rank is merged first (leftmost on ties) until no pair has a rank.
// Encoding fills tok.cache (piece -> ids), so a Tokenizer must not be shared between threads.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct TokenSpan {
    int id;
    int byte_begin, byte_end;  // [begin, end) into the sanitized UTF-8 input
    int u16_begin, u16_end;    // [begin, end) in UTF-16 code units (JS string indices); a token that
                               // ends inside a code point covers that whole code point
    bool piece_begin = false;  // the token starts a pre-token piece (BPE never merges across these)
};

struct Tokenizer {
    std::vector<std::string> id_to_bytes;                  // [V] raw bytes of each token
    std::unordered_map<std::string, int> bytes_to_id;      // raw bytes -> id
    std::unordered_map<uint64_t, int> merge_rank;          // (left id << 32 | right id) -> rank
    std::vector<int> merge_result;                         // [n_merges] rank -> id of the merged token
    int byte_id[256] = {};                                 // raw byte -> id of its single-byte token
    std::unordered_map<std::string, std::vector<int>> cache;  // pre-token piece -> ids
    int eot_id = -1;                                       // "<|endoftext|>" if in the vocabulary
    size_t cache_max = 1 << 17;                            // cache is cleared when it grows past this
};

// Loads from the text of vocab.json and merges.txt. Returns false and sets err on bad input.
bool tokenizer_load(Tokenizer& tok, std::string_view vocab_json, std::string_view merges_txt, std::string& err);
bool tokenizer_load_dir(Tokenizer& tok, const std::string& dir, std::string& err);
// A model's tokenizer: tokenizer_load, then every id must fit the model's vocab_size (the GPT-2 and
// LSTM loaders' check, with their messages: "tokenizer (vocab.json / merges.txt): …", "vocab.json has …").
bool tokenizer_load_for_model(Tokenizer& tok, std::string_view vocab_json, std::string_view merges_txt,
                              int64_t vocab_size, std::string& err);

// Replaces invalid UTF-8 sequences (and UTF-8-encoded surrogates) by U+FFFD:
//  - each maximal invalid subpart becomes one U+FFFD (the WHATWG / JS TextDecoder rule), e.g.
//    "a\xC3(" -> "a\uFFFD(", "\xF0\x9F\x98" (truncated emoji) -> one U+FFFD, "\xFF\xFE" -> two;
//  - one well-formed 3-byte encoded surrogate (ED A0..BF xx, as emscripten's stringToUTF8 writes an
//    unpaired JS surrogate) becomes ONE U+FFFD, as TextEncoder does for the JS string. So a JS string
//    with lone surrogates keeps its length and UTF-16 indices.
// Valid UTF-8 comes back unchanged.
std::string tokenizer_sanitize_utf8(std::string_view text);
bool tokenizer_is_valid_utf8(std::string_view text);

// Encodes UTF-8 text (sanitized first). "<|endoftext|>" in the text is the special token when
// allow_special is true (as tiktoken's allowed_special="all"), otherwise it is ordinary text.
std::vector<TokenSpan> tokenizer_encode(Tokenizer& tok, std::string_view text, bool allow_special = false);
std::vector<int> tokenizer_encode_ids(Tokenizer& tok, std::string_view text, bool allow_special = false);
// The same tokens as tokenizer_encode(tok, text) (no special tokens), re-using `prev`, the tokens of
// `prev_text` (both valid UTF-8), before the first changed byte: only the end is re-tokenized.
// Why that is exact: pre-tokens are matched left to right, none looks behind its start, and a piece's
// extent depends on the text up to at most the first character of the piece after the next one (a
// whitespace run before "\nx" ends where the 'x' is). So with the last unchanged byte in piece k,
// pieces 0 .. k-2 stay and tokenizing restarts at piece k-1. `kept` receives the tokens taken from prev.
std::vector<TokenSpan> tokenizer_encode_edit(Tokenizer& tok, std::string_view text, std::string_view prev_text,
                                             const std::vector<TokenSpan>& prev, int* kept = nullptr);

// Decodes ids to raw bytes (may be invalid UTF-8 if ids split a code point); out-of-range ids are
// skipped. decode(encode(s)) == s for every valid UTF-8 s.
std::string tokenizer_decode(const Tokenizer& tok, const std::vector<int>& ids);
// The raw bytes of one token ("" for an out-of-range id).
const std::string& tokenizer_token_bytes(const Tokenizer& tok, int id);
int tokenizer_vocab_size(const Tokenizer& tok);

// GPT-2's printable stand-ins for raw bytes, as vocab.json and merges.txt spell tokens:
// bytes -> that UTF-8 string ("\x20hi" -> "Ġhi"), and back (false if a char is not a stand-in).
std::string tokenizer_bytes_to_unicode(std::string_view bytes);
bool tokenizer_unicode_to_bytes(std::string_view text, std::string& bytes);
// The 256 byte values in GPT-2's vocabulary order (printable ASCII/Latin-1 first, then the rest).
void tokenizer_byte_order(int order[256]);
const char* tokenizer_unicode_version();  // Unicode version of the L / N / White_Space tables
// 0 other, 1 letter (\p{L}), 2 number (\p{N}), 3 White_Space: the classes the pre-tokenizer uses.
int tokenizer_codepoint_class(uint32_t cp);

// The GPT-2 pre-tokenizer: splits text into [begin, end) byte ranges.
// \p{L} = general category L*, \p{N} = N*, \s = Unicode White_Space (tiktoken's Rust regex).
// Note: JS RegExp \s (js-tiktoken, gpt-tokenizer) differs on U+0085 (not \s in JS) and U+FEFF
// (\s in JS only); we follow tiktoken/Unicode there.
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
std::vector<std::pair<int, int>> tokenizer_pretokenize(std::string_view utf8);
