// BPE trainer: merges equal a naive from-scratch trainer (tests/tokenizer/make_reference.js), output
// loads with tokenizer_load and round-trips, training is deterministic.
#include <gtest/gtest.h>

#include <algorithm>

#include "../tokenizer/test_util.h"
#include "tokenizer/bpe_train.h"

using nlohmann::json;

static std::string bytes_of(const json& a) {
    std::string s;
    for (int b : test_json_ints(a)) s += (char)b;
    return s;
}

TEST(BpeTrain, MergesMatchNaiveReference) {
    std::string err;
    json ref = test_reference("reference.json", err);
    ASSERT_FALSE(ref.is_discarded()) << err;
    const json& bpe = ref["bpe"];
    ASSERT_TRUE(bpe["text"].is_string() && bpe["merges"].is_array());
    const json& want = bpe["merges"];
    ASSERT_EQ(want.size(), 300u);

    BpeTrainOptions opt;
    opt.vocab_size = 256 + 300 + 1;
    std::vector<std::string> tokens;
    std::vector<std::pair<int, int>> merges;
    ASSERT_TRUE(bpe_train_merges(bpe["text"].get<std::string>(), opt, tokens, merges, err)) << err;
    ASSERT_EQ(merges.size(), want.size());
    for (size_t r = 0; r < merges.size(); r++) {
        EXPECT_EQ(tokens[merges[r].first], bytes_of(want[r][0])) << "merge " << r;
        EXPECT_EQ(tokens[merges[r].second], bytes_of(want[r][1])) << "merge " << r;
        EXPECT_EQ(tokens[256 + r], bytes_of(want[r][0]) + bytes_of(want[r][1])) << "merge " << r;
    }
}

TEST(BpeTrain, ToyCorpusByHand) {
    std::string text = "low low low low low lower lower newest newest newest newest newest newest widest widest widest";
    BpeTrainOptions opt;
    opt.vocab_size = 256 + 4 + 1;
    std::vector<std::string> tokens;
    std::vector<std::pair<int, int>> merges;
    std::string err;
    ASSERT_TRUE(bpe_train_merges(text, opt, tokens, merges, err)) << err;
    ASSERT_EQ(merges.size(), 4u);
    // pieces: "low" x1, " low" x4, " lower" x2, " newest" x6, " widest" x3
    // counts: es 9, st 9, we 8, lo 7, ow 7, ...: "es" and "st" tie, ("e","s") sorts first
    EXPECT_EQ(tokens[256], "es");
    // then es+t 9 beats we (now 2: "newest" lost its "e")
    EXPECT_EQ(tokens[257], "est");
    // then lo 7 and ow 7 tie, ("l","o") sorts first; then lo+w 7
    EXPECT_EQ(tokens[258], "lo");
    EXPECT_EQ(tokens[259], "low");
}

TEST(BpeTrain, WritesLoadableVocabularyThatRoundTrips) {
    std::string corpus, err;
    ASSERT_TRUE(test_read_file(std::string(ATTNLAB_FIXTURES) + "/tokenizer/corpus.txt", corpus));
    corpus.resize(400000);  // may cut a code point: the trainer sanitizes like the encoder does
    corpus += "\xFF tail <|endoftext|> next document";
    BpeTrainOptions opt;
    opt.vocab_size = 1000;
    std::string dir = std::string(ATTNLAB_FIXTURES) + "/tokenizer/trained-1000";
    ASSERT_TRUE(bpe_train(corpus, opt, dir, err)) << err;
    Tokenizer tok;
    ASSERT_TRUE(tokenizer_load_dir(tok, dir, err)) << err;
    EXPECT_EQ(tokenizer_vocab_size(tok), 1000);
    EXPECT_EQ(tok.merge_result.size(), 1000u - 257u);
    EXPECT_EQ(tok.eot_id, 999);
    EXPECT_EQ(tokenizer_token_bytes(tok, 0), "!");  // GPT-2 byte order
    std::string clean = tokenizer_sanitize_utf8(corpus);
    std::vector<int> ids = tokenizer_encode_ids(tok, clean, true);
    EXPECT_EQ(tokenizer_decode(tok, ids), clean);
    EXPECT_LT(ids.size(), clean.size() / 2) << "1000 tokens should halve the length of the text they were learned on";
    EXPECT_EQ(std::count(ids.begin(), ids.end(), 999), 1) << "<|endoftext|> is the special token";
    // the most frequent English words became single tokens
    EXPECT_EQ(tokenizer_encode_ids(tok, " the").size(), 1u);
    EXPECT_EQ(tokenizer_encode_ids(tok, " and").size(), 1u);

    // deterministic: a second run writes identical files
    std::string dir2 = dir + "-again", a, b;
    ASSERT_TRUE(bpe_train(corpus, opt, dir2, err)) << err;
    for (const char* f : {"/vocab.json", "/merges.txt"}) {
        ASSERT_TRUE(test_read_file(dir + f, a) && test_read_file(dir2 + f, b));
        EXPECT_TRUE(a == b) << f << " differs between two runs";
    }
}

TEST(BpeTrain, BadInputFailsWithMessage) {
    std::string err;
    BpeTrainOptions opt;
    opt.vocab_size = 100;
    EXPECT_FALSE(bpe_train("some text", opt, std::string(ATTNLAB_FIXTURES) + "/tokenizer/never", err));
    EXPECT_NE(err.find("at least 257"), std::string::npos) << err;
    opt.vocab_size = 300;
    err.clear();
    EXPECT_FALSE(bpe_train("some text", opt, "/nonexistent-dir/sub/out", err));
    EXPECT_NE(err.find("/nonexistent-dir/sub/out"), std::string::npos) << err;
    // an empty corpus gives just the bytes and <|endoftext|>
    std::vector<std::string> tokens;
    std::vector<std::pair<int, int>> merges;
    EXPECT_TRUE(bpe_train_merges("", opt, tokens, merges, err));
    EXPECT_EQ(tokens.size(), 256u);
    EXPECT_TRUE(merges.empty());
}

// Corpora over 4 MB are counted in chunks on threads (native); the merges must not change.
TEST(BpeTrain, ThreadedCountingGivesTheSameMerges) {
    std::string corpus, err;
    ASSERT_TRUE(test_read_file(std::string(ATTNLAB_FIXTURES) + "/tokenizer/corpus.txt", corpus));
    std::string big = corpus + corpus + corpus;
    ASSERT_GT(big.size(), 4u << 20);
    BpeTrainOptions opt;
    opt.vocab_size = 256 + 150 + 1;
    std::vector<std::string> tokens1, tokens2;
    std::vector<std::pair<int, int>> merges1, merges2;
    opt.n_threads = 1;
    ASSERT_TRUE(bpe_train_merges(big, opt, tokens1, merges1, err)) << err;
    opt.n_threads = 2;
    ASSERT_TRUE(bpe_train_merges(big, opt, tokens2, merges2, err)) << err;
    EXPECT_EQ(merges1, merges2);
    EXPECT_EQ(tokens1, tokens2);
    EXPECT_EQ(merges1.size(), 150u);
}
