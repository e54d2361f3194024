// Incremental re-tokenization after an edit (the page's keystroke path) against the full tokenizer:
// random chains of edits built from the pieces that make GPT-2's pre-tokenizer look ahead (whitespace
// runs before words, newlines, apostrophes, digits, punctuation, multi-byte characters).
#include <gtest/gtest.h>

#include <random>

#include "../tokenizer/test_util.h"

static const char* UNITS[] = {" ", " ", "  ", "\n", "\n\n", "\t", "'", "'s", "re", "ll", "a", "the", "word", "I",
                              "7", "12", ".", "!", "?!", ",", "-", "\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80",
                              "\xC2\xA0", "\xCC\x81", "\xE2\x80\x8D", "\r\n"};
static const int N_UNITS = sizeof(UNITS) / sizeof(UNITS[0]);

static std::string join(const std::vector<int>& units) {
    std::string s;
    for (int u : units) s += UNITS[u];
    return s;
}

static void expect_same(const std::vector<TokenSpan>& got, const std::vector<TokenSpan>& want, const std::string& text) {
    ASSERT_EQ(got.size(), want.size()) << "text: [" << text << "]";
    for (size_t i = 0; i < got.size(); i++) {
        const TokenSpan &g = got[i], &w = want[i];
        ASSERT_TRUE(g.id == w.id && g.byte_begin == w.byte_begin && g.byte_end == w.byte_end &&
                    g.u16_begin == w.u16_begin && g.u16_end == w.u16_end && g.piece_begin == w.piece_begin)
            << "token " << i << " of [" << text << "]";
    }
}

TEST(TokenizerEdit, RandomEditChainsMatchFullEncode) {
    std::string load_err;
    Tokenizer* tok = test_gpt2(load_err);
    ASSERT_NE(tok, nullptr) << load_err;
    std::mt19937 rng(7);
    long kept_total = 0, tokens_total = 0;
    for (int chain = 0; chain < 1500; chain++) {  // 60,000 edits
        std::vector<int> units;
        std::string prev_text;
        std::vector<TokenSpan> prev = tokenizer_encode(*tok, prev_text);
        for (int step = 0; step < 40; step++) {
            int at = units.empty() ? 0 : (int)(rng() % (units.size() + 1));
            const int kind = rng() % 6;
            switch (kind) {
                case 0: case 1: case 2:  // type at the end (the common case)
                    units.push_back(rng() % N_UNITS);
                    break;
                case 3:  // backspace
                    if (!units.empty()) units.pop_back();
                    break;
                case 4:  // insert in the middle
                    units.insert(units.begin() + at, rng() % N_UNITS);
                    break;
                default:  // delete in the middle
                    if (at < (int)units.size()) units.erase(units.begin() + at);
                    break;
            }
            std::string text = join(units);
            int kept = -1;
            std::vector<TokenSpan> got = tokenizer_encode_edit(*tok, text, prev_text, prev, &kept);
            std::vector<TokenSpan> want = tokenizer_encode(*tok, text);
            expect_same(got, want, text);
            if (HasFatalFailure()) return;
            ASSERT_GE(kept, 0);
            ASSERT_LE(kept, (int)want.size());
            if (kind <= 2 && prev.size() >= 20) kept_total += kept, tokens_total += (long)prev.size();
            prev_text = text, prev = got;
        }
    }
    // The point of the exercise: typing at the end of a longer text re-uses most of its tokens.
    ASSERT_GT(tokens_total, 0);
    EXPECT_GT((double)kept_total / tokens_total, 0.8) << kept_total << " of " << tokens_total;
}

TEST(TokenizerEdit, AppendingKeepsAllButTheLastPieces) {
    std::string load_err;
    Tokenizer* tok = test_gpt2(load_err);
    ASSERT_NE(tok, nullptr) << load_err;
    std::string a = "The dog chased the cat because it was hungry";
    std::vector<TokenSpan> pa = tokenizer_encode(*tok, a);
    int kept = -1;
    std::vector<TokenSpan> pb = tokenizer_encode_edit(*tok, a + ".", a, pa, &kept);
    expect_same(pb, tokenizer_encode(*tok, a + "."), a + ".");
    EXPECT_EQ(kept, (int)pa.size() - 2);  // " was" and " hungry" are re-tokenized, the rest kept
    // Unchanged text: everything kept. Invalid UTF-8 or a foreign prev: a full (correct) encode.
    tokenizer_encode_edit(*tok, a, a, pa, &kept);
    EXPECT_EQ(kept, (int)pa.size());
    std::vector<TokenSpan> bad = tokenizer_encode_edit(*tok, a + "\xFF", a, pa, &kept);
    EXPECT_EQ(kept, 0);
    expect_same(bad, tokenizer_encode(*tok, a + "\xFF"), "invalid");
    std::vector<TokenSpan> other = tokenizer_encode_edit(*tok, a, "something else", pa, &kept);
    EXPECT_EQ(kept, 0);
    expect_same(other, pa, a);
}
