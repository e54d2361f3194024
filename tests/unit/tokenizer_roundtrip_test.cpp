// Round trip decode(encode(s)) == s over random valid UTF-8 (seeded), sanitizing, loader errors.
#include <gtest/gtest.h>

#include <random>

#include "../tokenizer/test_util.h"

#define GPT2_OR_FAIL(tok)                  \
    std::string load_err_;                 \
    Tokenizer* tok = test_gpt2(load_err_); \
    ASSERT_NE(tok, nullptr) << load_err_

static void utf8_put(std::string& s, uint32_t cp) {
    if (cp < 0x80) s += (char)cp;
    else if (cp < 0x800) { s += (char)(0xC0 | (cp >> 6)); s += (char)(0x80 | (cp & 63)); }
    else if (cp < 0x10000) { s += (char)(0xE0 | (cp >> 12)); s += (char)(0x80 | ((cp >> 6) & 63)); s += (char)(0x80 | (cp & 63)); }
    else {
        s += (char)(0xF0 | (cp >> 18)); s += (char)(0x80 | ((cp >> 12) & 63));
        s += (char)(0x80 | ((cp >> 6) & 63)); s += (char)(0x80 | (cp & 63));
    }
}

// A random valid UTF-8 string biased toward what breaks tokenizers: spaces, newlines, apostrophes,
// digits, letters, combining marks, emoji, CJK, and any scalar value at all.
static std::string random_utf8(std::mt19937& rng, int n_codepoints) {
    static const uint32_t specials[] = {' ', ' ', ' ', '\n', '\r', '\t', '\'', 's', 'e', 't', 'l', 'A', '0', '7',
                                        '.', ',', '!', 0xA0, 0x85, 0xFEFF, 0x3000, 0x2028, 0x301, 0x200D, 0xFE0F,
                                        0x1F600, 0x1F1FA, 0x4E2D, 0x5D0, 0x627, 0xE9, 0xFFFD, 0x10FFFF};
    std::string s;
    for (int i = 0; i < n_codepoints; i++) {
        uint32_t cp;
        switch (rng() % 4) {
            case 0: cp = specials[rng() % (sizeof(specials) / sizeof(specials[0]))]; break;
            case 1: cp = 0x20 + rng() % 0x5F; break;      // printable ASCII
            case 2: cp = 0x80 + rng() % 0x3000; break;    // Latin .. CJK punctuation
            default: cp = rng() % 0x110000; break;        // anything
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xE000;   // surrogates are not scalar values
        utf8_put(s, cp);
    }
    return s;
}

TEST(TokenizerRoundTrip, RandomValidUtf8) {
    GPT2_OR_FAIL(tok);
    std::mt19937 rng(20240531);
    for (int trial = 0; trial < 3000; trial++) {
        std::string s = random_utf8(rng, 1 + rng() % 60);
        ASSERT_TRUE(tokenizer_is_valid_utf8(s));
        std::vector<TokenSpan> spans = tokenizer_encode(*tok, s);
        std::vector<int> ids;
        for (const TokenSpan& t : spans) ids.push_back(t.id);
        ASSERT_EQ(tokenizer_decode(*tok, ids), s) << "trial " << trial;
        ASSERT_EQ(tokenizer_encode_ids(*tok, s), ids);
        // spans tile the text; pre-token pieces tile it too
        int b = 0;
        for (const TokenSpan& t : spans) {
            ASSERT_EQ(t.byte_begin, b);
            b = t.byte_end;
        }
        ASSERT_EQ(b, (int)s.size());
        int p = 0;
        for (auto r : tokenizer_pretokenize(s)) {
            ASSERT_EQ(r.first, p);
            ASSERT_GT(r.second, r.first);
            p = r.second;
        }
        ASSERT_EQ(p, (int)s.size());
    }
}

TEST(TokenizerRoundTrip, LongPiecesUseTheHeapPathCorrectly) {
    GPT2_OR_FAIL(tok);
    // > 256 bytes in one piece takes the O(P log P) path; it must agree with merging piece by piece
    std::mt19937 rng(7);
    for (int trial = 0; trial < 20; trial++) {
        std::string word;
        int len = 300 + rng() % 500;
        for (int i = 0; i < len; i++) word += (char)('a' + rng() % (trial % 3 == 0 ? 2 : 26));
        std::vector<int> ids = tokenizer_encode_ids(*tok, word);
        EXPECT_EQ(tokenizer_decode(*tok, ids), word);
        // every adjacent pair left must have no merge (BPE ran to completion)
        for (size_t i = 0; i + 1 < ids.size(); i++) {
            uint64_t k = ((uint64_t)ids[i] << 32) | (uint32_t)ids[i + 1];
            EXPECT_EQ(tok->merge_rank.count(k), 0u) << "trial " << trial << " pair " << i;
        }
    }
}

TEST(TokenizerRoundTrip, RandomBytesAreSanitizedNeverCrash) {
    GPT2_OR_FAIL(tok);
    std::mt19937 rng(99);
    for (int trial = 0; trial < 2000; trial++) {
        std::string s;
        int n = rng() % 40;
        for (int i = 0; i < n; i++) s += (char)(rng() % 3 == 0 ? 0x80 + rng() % 0x80 : rng() % 256);
        std::string clean = tokenizer_sanitize_utf8(s);
        ASSERT_TRUE(tokenizer_is_valid_utf8(clean));
        ASSERT_EQ(tokenizer_sanitize_utf8(clean), clean);
        std::vector<int> ids = tokenizer_encode_ids(*tok, s);
        ASSERT_EQ(tokenizer_decode(*tok, ids), clean);
        if (tokenizer_is_valid_utf8(s)) {
            ASSERT_EQ(clean, s);
        }
    }
    // pre-tokenizing unsanitized bytes still tiles the input
    std::string raw = "ab\xC3 \xFF\xFE  x\xE2\x82";
    int p = 0;
    for (auto r : tokenizer_pretokenize(raw)) { EXPECT_EQ(r.first, p); p = r.second; }
    EXPECT_EQ(p, (int)raw.size());
}

TEST(TokenizerRoundTrip, DecodeOutOfRangeIdsAreSkipped) {
    GPT2_OR_FAIL(tok);
    EXPECT_EQ(tokenizer_decode(*tok, {40, -1, 50257, 1000000, 13}), "I.");
    EXPECT_EQ(tokenizer_token_bytes(*tok, -5), "");
}

TEST(TokenizerLoad, BadFilesFailWithMessage) {
    Tokenizer tok;
    std::string err;
    EXPECT_FALSE(tokenizer_load(tok, "not json", "", err));
    EXPECT_NE(err.find("vocab.json"), std::string::npos) << err;
    EXPECT_FALSE(tokenizer_load(tok, "[1,2]", "", err));
    EXPECT_FALSE(tokenizer_load(tok, "{\"a\": \"x\"}", "", err));
    EXPECT_NE(err.find("\"a\""), std::string::npos) << err;
    // a vocabulary without all 256 byte tokens is not byte-level
    EXPECT_FALSE(tokenizer_load(tok, "{\"a\": 0, \"b\": 1}", "", err));
    EXPECT_NE(err.find("byte"), std::string::npos) << err;
    // a merges line naming unknown tokens, and a malformed line
    std::string vocab = "{";
    for (int b = 0; b < 256; b++) {
        std::string u = tokenizer_bytes_to_unicode(std::string(1, (char)b));
        vocab += (b ? ",\"" : "\"") + (u == "\"" ? "\\\"" : u == "\\" ? "\\\\" : u) + "\":" + std::to_string(b);
    }
    vocab += ",\"ab\":256}";
    EXPECT_TRUE(tokenizer_load(tok, vocab, "#version: 0.2\na b\n", err)) << err;
    EXPECT_EQ(tokenizer_encode_ids(tok, "abab"), (std::vector<int>{256, 256}));
    EXPECT_EQ(tok.eot_id, -1);
    EXPECT_EQ(tokenizer_encode_ids(tok, "<|endoftext|>", true).size(), 13u) << "no special token in this vocab";
    EXPECT_FALSE(tokenizer_load(tok, vocab, "a b\nb c\n", err));
    EXPECT_NE(err.find("line 2"), std::string::npos) << err;
    EXPECT_FALSE(tokenizer_load(tok, vocab, "a b c\n", err));
    EXPECT_NE(err.find("line 1"), std::string::npos) << err;
    EXPECT_FALSE(tokenizer_load_dir(tok, "/nonexistent", err));
    EXPECT_NE(err.find("/nonexistent/vocab.json"), std::string::npos) << err;
    // an unloaded tokenizer encodes nothing rather than crashing
    Tokenizer empty;
    EXPECT_TRUE(tokenizer_encode_ids(empty, "hello").empty());
}
