// Exactness against an independent oracle: js-tiktoken r50k_base ids (tests/tokenizer/make_reference.js)
// with the original GPT-2 vocab.json + merges.txt.
#include <gtest/gtest.h>

#include "../tokenizer/test_util.h"
#include "tokenizer/unicode_tables.h"

using nlohmann::json;

#define GPT2_OR_FAIL(tok)                            \
    std::string load_err_;                           \
    Tokenizer* tok = test_gpt2(load_err_);           \
    ASSERT_NE(tok, nullptr) << load_err_

#define REFERENCE_OR_FAIL(j, name)                   \
    std::string ref_err_;                            \
    json j = test_reference(name, ref_err_);         \
    ASSERT_FALSE(j.is_discarded()) << ref_err_

// Shows the first differing position with a little context instead of two 100k-element vectors.
static ::testing::AssertionResult ids_equal(const std::vector<int>& want, const std::vector<int>& got) {
    size_t n = std::min(want.size(), got.size()), i = 0;
    while (i < n && want[i] == got[i]) i++;
    if (i == n && want.size() == got.size()) return ::testing::AssertionSuccess();
    auto show = [&](const std::vector<int>& v) {
        std::string s;
        for (size_t k = i >= 3 ? i - 3 : 0; k < std::min(v.size(), i + 5); k++) s += std::to_string(v[k]) + " ";
        return s;
    };
    return ::testing::AssertionFailure() << "first difference at id " << i << " of " << want.size() << "/"
                                         << got.size() << ": want [" << show(want) << "] got [" << show(got) << "]";
}

TEST(TokenizerExact, Gpt2VocabularyShape) {
    GPT2_OR_FAIL(tok);
    EXPECT_EQ(tokenizer_vocab_size(*tok), 50257);
    EXPECT_EQ(tok->merge_result.size(), 50000u);
    EXPECT_EQ(tok->eot_id, 50256);
    EXPECT_EQ(tokenizer_token_bytes(*tok, 220), " ");
    EXPECT_EQ(tokenizer_token_bytes(*tok, 198), "\n");
    EXPECT_EQ(tokenizer_token_bytes(*tok, 50256), "<|endoftext|>");
}

TEST(TokenizerExact, BriefSentences) {
    GPT2_OR_FAIL(tok);
    EXPECT_EQ(tokenizer_encode_ids(*tok, "I stayed home cause it was raining."),
              (std::vector<int>{40, 9658, 1363, 2728, 340, 373, 43079, 13}));
    EXPECT_EQ(tokenizer_encode_ids(*tok, "I saw a dog and a cat. It was barking."),
              (std::vector<int>{40, 2497, 257, 3290, 290, 257, 3797, 13, 632, 373, 48961, 13}));
}

TEST(TokenizerExact, EdgeCasesMatchTiktoken) {
    GPT2_OR_FAIL(tok);
    REFERENCE_OR_FAIL(ref, "reference.json");
    ASSERT_TRUE(ref["cases"].is_array());
    ASSERT_GE(ref["cases"].size(), 40u);
    for (const json& c : ref["cases"]) {
        ASSERT_TRUE(c["text"].is_string() && c["name"].is_string());
        std::string text = c["text"].get<std::string>();
        std::vector<int> want = test_json_ints(c["ids"]);
        EXPECT_TRUE(ids_equal(want, tokenizer_encode_ids(*tok, text))) << "case " << c["name"].get<std::string>();
        EXPECT_EQ(tokenizer_decode(*tok, want), text) << "case " << c["name"].get<std::string>();
    }
}

TEST(TokenizerExact, EndOfTextSpecialToken) {
    GPT2_OR_FAIL(tok);
    REFERENCE_OR_FAIL(ref, "reference.json");
    ASSERT_TRUE(ref["special"].is_array());
    for (const json& c : ref["special"]) {
        std::string text = c["text"].get<std::string>();
        EXPECT_EQ(tokenizer_encode_ids(*tok, text, true), test_json_ints(c["ids"])) << text;
        EXPECT_EQ(tokenizer_decode(*tok, test_json_ints(c["ids"])), text);
    }
    // not allowed: ordinary text, never id 50256
    std::vector<int> plain = tokenizer_encode_ids(*tok, "<|endoftext|>", false);
    EXPECT_EQ(plain, (std::vector<int>{27, 91, 437, 1659, 5239, 91, 29}));
}

TEST(TokenizerExact, InvalidUtf8AndSurrogatesBecomeReplacementChar) {
    GPT2_OR_FAIL(tok);
    REFERENCE_OR_FAIL(ref, "reference.json");
    ASSERT_TRUE(ref["invalid"].is_array());
    ASSERT_GE(ref["invalid"].size(), 10u);
    for (const json& c : ref["invalid"]) {
        std::string name = c["name"].get<std::string>(), bytes, sanitized;
        for (int b : test_json_ints(c["bytes"])) bytes += (char)b;
        for (int b : test_json_ints(c["sanitized"])) sanitized += (char)b;
        EXPECT_FALSE(tokenizer_is_valid_utf8(bytes)) << name;
        EXPECT_EQ(tokenizer_sanitize_utf8(bytes), sanitized) << name;
        EXPECT_EQ(tokenizer_encode_ids(*tok, bytes), test_json_ints(c["ids"])) << name;
        std::vector<TokenSpan> spans = tokenizer_encode(*tok, bytes);
        ASSERT_FALSE(spans.empty()) << name;
        EXPECT_EQ(spans.back().byte_end, (int)sanitized.size()) << name << ": spans refer to the sanitized text";
    }
    // a lone surrogate keeps its single UTF-16 code unit: "a\uD800b" -> 3 JS indices
    std::vector<TokenSpan> s = tokenizer_encode(*tok, "a\xED\xA0\x80" "b");
    ASSERT_FALSE(s.empty());
    EXPECT_EQ(s.back().u16_end, 3);
}

TEST(TokenizerExact, SpansMatchReference) {
    GPT2_OR_FAIL(tok);
    REFERENCE_OR_FAIL(ref, "reference.json");
    ASSERT_TRUE(ref["spans"].is_array());
    for (const json& c : ref["spans"]) {
        std::string text = c["text"].get<std::string>();
        std::vector<TokenSpan> got = tokenizer_encode(*tok, text);
        const json& want = c["spans"];
        ASSERT_EQ(got.size(), want.size()) << text;
        for (size_t k = 0; k < got.size(); k++) {
            std::vector<int> w = test_json_ints(want[k]);  // [id, byte_begin, byte_end, u16_begin, u16_end]
            std::vector<int> g = {got[k].id, got[k].byte_begin, got[k].byte_end, got[k].u16_begin, got[k].u16_end};
            EXPECT_EQ(g, w) << text << " token " << k;
        }
    }
}

TEST(TokenizerExact, SpansTileTheText) {
    GPT2_OR_FAIL(tok);
    // "😀" is F0 9F 98 80 (2 UTF-16 units); GPT-2 splits it across tokens, each covering the code point
    std::string text = "hi 😀 there\n";
    std::vector<TokenSpan> spans = tokenizer_encode(*tok, text);
    int b = 0;
    for (const TokenSpan& t : spans) {
        EXPECT_EQ(t.byte_begin, b);
        EXPECT_EQ(text.substr(t.byte_begin, t.byte_end - t.byte_begin), tokenizer_token_bytes(*tok, t.id));
        EXPECT_LT(t.u16_begin, t.u16_end);
        b = t.byte_end;
    }
    EXPECT_EQ(b, (int)text.size());
    EXPECT_EQ(spans.back().u16_end, 12);  // "hi " 3 + emoji 2 + " there\n" 7
}

TEST(TokenizerExact, OneMegabyteOfRealText) {
    GPT2_OR_FAIL(tok);
    std::string corpus, err;
    ASSERT_TRUE(test_read_file(std::string(ATTNLAB_FIXTURES) + "/tokenizer/corpus.txt", corpus))
        << "missing corpus fixture (run tests/make_fixtures.sh)";
    ASSERT_GE(corpus.size(), 1000000u);
    json want = test_reference("corpus_ids.json", err);
    ASSERT_FALSE(want.is_discarded()) << err;
    std::vector<int> want_ids = test_json_ints(want);
    EXPECT_TRUE(ids_equal(want_ids, tokenizer_encode_ids(*tok, corpus)));
    EXPECT_EQ(tokenizer_decode(*tok, want_ids), corpus);
    // the spans path yields the same ids
    std::vector<TokenSpan> spans = tokenizer_encode(*tok, corpus);
    std::vector<int> span_ids;
    for (const TokenSpan& t : spans) span_ids.push_back(t.id);
    EXPECT_TRUE(ids_equal(want_ids, span_ids));
}

// U+0085 (NEL) is White_Space in Unicode (and so \s in tiktoken's Rust regex) but not \s in JS;
// U+FEFF is \s in JS only. js-tiktoken cannot be the oracle here, so these pin the tiktoken rule.
TEST(TokenizerExact, WhiteSpaceFollowsUnicodeNotJs) {
    EXPECT_STREQ(tokenizer_unicode_version(), "15.0.0");
    auto pieces = [](const std::string& s) {
        std::vector<std::string> out;
        for (auto r : tokenizer_pretokenize(s)) out.push_back(s.substr(r.first, r.second - r.first));
        return out;
    };
    // NEL is whitespace: "a", NEL run backtracks? single NEL before "b" -> \s+ alone
    EXPECT_EQ(pieces("a\xC2\x85" "b"), (std::vector<std::string>{"a", "\xC2\x85", "b"}));
    EXPECT_EQ(pieces("a\xC2\x85\xC2\x85 b"), (std::vector<std::string>{"a", "\xC2\x85\xC2\x85", " b"}));
    // BOM is not whitespace: it is punctuation-class and joins " ?[^\s\p{L}\p{N}]+"
    EXPECT_EQ(pieces(" \xEF\xBB\xBFx"), (std::vector<std::string>{" \xEF\xBB\xBF", "x"}));
    // the \s+(?!\S) backtrack is one code point, even a multi-byte one (U+3000 ideographic space)
    EXPECT_EQ(pieces("a \xE3\x80\x80z"), (std::vector<std::string>{"a", " ", "\xE3\x80\x80", "z"}));
    EXPECT_EQ(pieces("x   y  "), (std::vector<std::string>{"x", "  ", " y", "  "}));
    EXPECT_EQ(pieces("it's IT'S"), (std::vector<std::string>{"it", "'s", " IT", "'", "S"}));
}

// Every code point's class vs V8's RegExp \p{L} / \p{N} / \p{White_Space} (recorded by the fixture
// script). V8 may know a newer Unicode: a disagreement is allowed only for a code point that
// Unicode 15.0 (DerivedAge.txt of the same UCD) had not assigned yet, and which we call "other".
TEST(TokenizerExact, CodepointClassesMatchV8) {
    REFERENCE_OR_FAIL(ref, "reference.json");
    const json& runs = ref["unicode"]["runs"];
    ASSERT_TRUE(runs.is_array());
    ASSERT_GT(runs.size(), 1000u);
    std::string age_text;
    ASSERT_TRUE(test_read_file("/usr/share/unicode/DerivedAge.txt", age_text)) << "needs Debian unicode-data";
    std::vector<char> assigned(0x110000, 0);
    size_t pos = 0;
    while (pos < age_text.size()) {
        size_t eol = age_text.find('\n', pos);
        if (eol == std::string::npos) eol = age_text.size();
        std::string line = age_text.substr(pos, eol - pos);
        pos = eol + 1;
        if (line.empty() || line[0] == '#') continue;
        unsigned lo = 0, hi = 0;
        if (sscanf(line.c_str(), "%x..%x", &lo, &hi) == 2 || (sscanf(line.c_str(), "%x", &lo) == 1 && (hi = lo, true))) {
            for (unsigned c = lo; c <= hi && c < 0x110000; c++) assigned[c] = 1;
        }
    }
    int n_checked = 0, n_newer = 0;
    for (const json& r : runs) {
        std::vector<int> v = test_json_ints(r);  // [lo, hi, cls]
        ASSERT_EQ(v.size(), 3u);
        for (int cp = v[0]; cp <= v[1]; cp++) {
            int ours = tokenizer_codepoint_class((uint32_t)cp);
            n_checked++;
            if (ours == v[2]) continue;
            if (ours == 0 && !assigned[cp]) { n_newer++; continue; }
            ADD_FAILURE() << "U+" << std::hex << cp << ": ours " << ours << ", V8 " << v[2];
            return;
        }
    }
    EXPECT_EQ(n_checked, 0x110000 - 0x800);
    RecordProperty("assigned_after_15_0", n_newer);
}
