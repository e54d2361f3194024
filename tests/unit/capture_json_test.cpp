// The run/export JSON writer (src/model/capture_json.cpp): exact bytes for a tiny capture, null for
// NaN/inf, sanitized strings, one-head exports, refusals. tests/fuzz/fuzz_json_export.cpp fuzzes it.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "model/capture_json.h"

using nlohmann::json;

// L = 1, H = 2, C = 1, V = 3, T = 2; tokens 0 "a", 1 "\"\n", 2 an invalid byte.
static void tiny(Model& m, Capture& cap, std::vector<int>& ids) {
    m.cfg.n_layer = 1, m.cfg.n_head = 2, m.cfg.n_embd = 1, m.cfg.n_positions = 8, m.cfg.vocab_size = 3;
    m.name = "tiny";
    m.source_dtype = "F32";
    m.tok.id_to_bytes = {"a", "\"\n", "\xFF"};
    cap.T = 2, cap.L = 1, cap.H = 2, cap.C = 1, cap.D = 1, cap.V = 3;
    ids = cap.ids = {2, 1};
    cap.weights = {1, 0, 0.25f, 0.75f, 1, 0, NAN, INFINITY};
    cap.logits = {0, 1, -INFINITY};
}

TEST(CaptureJson, ExactBytesForATinyCapture) {
    Model m;
    Capture cap;
    std::vector<int> ids;
    tiny(m, cap, ids);
    std::string out, err;
    ASSERT_TRUE(capture_json_write(m, cap, ids, CaptureJsonOptions(), out, err)) << err;
    // tokens: GPT-2 stand-ins (0xFF -> U+00FF, '\n' -> U+010A); token_text: the bytes, 0xFF -> U+FFFD
    EXPECT_EQ(out,
              "{\"model\":\"tiny\",\"config\":{\"n_layer\":1,\"n_head\":2,\"n_embd\":1,\"n_positions\":8,\"vocab_size\":3,"
              "\"dtype\":\"F32\"},\"ids\":[2,1],\"tokens\":[\"\xC3\xBF\",\"\\\"\xC4\x8A\"],"
              "\"token_text\":[\"\xEF\xBF\xBD\",\"\\\"\\n\"],"
              "\"attention\":[[[[1,0],[0.25,0.75]],[[1,0],[null,null]]]],\"logits\":[0,1,null],"
              "\"top\":[{\"id\":1,\"token\":\"\\\"\xC4\x8A\",\"prob\":0.7310586},{\"id\":0,\"token\":\"a\",\"prob\":0.2689414},"
              "{\"id\":2,\"token\":\"\xC3\xBF\",\"prob\":0}]}\n");
    EXPECT_EQ(out.back(), '\n');
    json j = json::parse(out);
    ASSERT_EQ(j["top"].size(), 3u);
    EXPECT_EQ(j["top"][0]["id"], 1);
    EXPECT_NEAR(j["top"][0]["prob"].get<double>(), 0.7310586, 1e-7);
    EXPECT_EQ(j["top"][2]["prob"], 0);  // -inf logit: probability 0, still a number
}

TEST(CaptureJson, OneHeadAndOptions) {
    Model m;
    Capture cap;
    std::vector<int> ids;
    tiny(m, cap, ids);
    CaptureJsonOptions opt;
    opt.layer = 0, opt.head = 1, opt.top_k = 1, opt.timing = true, opt.time_ms = 1.5, opt.cpu_ms = NAN;
    std::string out, err;
    ASSERT_TRUE(capture_json_write(m, cap, ids, opt, out, err)) << err;
    json j = json::parse(out);
    EXPECT_EQ(j["attention"].dump(), "[[[[1,0],[null,null]]]]");  // layer 0, head 1 only
    EXPECT_EQ(j["attention_layer"], 0);
    EXPECT_EQ(j["attention_head"], 1);
    EXPECT_EQ(j["top"].size(), 1u);
    EXPECT_EQ(j["time_ms"], 1.5);
    EXPECT_TRUE(j["cpu_ms"].is_null());
}

TEST(CaptureJson, RefusesWhatItCannotWrite) {
    Model m;
    Capture cap;
    std::vector<int> ids;
    tiny(m, cap, ids);
    std::string out = "kept", err;
    CaptureJsonOptions opt;
    opt.scores = true;  // not captured
    EXPECT_FALSE(capture_json_write(m, cap, ids, opt, out, err));
    EXPECT_NE(err, "");
    opt = CaptureJsonOptions();
    opt.layer = 1, opt.head = 0;  // one layer only
    EXPECT_FALSE(capture_json_write(m, cap, ids, opt, out, err));
    cap.weights.pop_back();
    EXPECT_FALSE(capture_json_write(m, cap, ids, CaptureJsonOptions(), out, err));
    EXPECT_EQ(out, "kept");
}

TEST(CaptureJson, StringsAreEscapedLikeNlohmann) {
    const std::string s = std::string("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f caf\xC3\xA9 \xF0\x9F\x90\xB6") + std::string(1, '\0');
    std::string out;
    json_append_string(out, s);
    EXPECT_EQ(out, json(s).dump());
    out.clear();
    json_append_string(out, "a\xC3(\xED\xA0\x80z");  // cut sequence, encoded surrogate
    EXPECT_EQ(out, "\"a\xEF\xBF\xBD(\xEF\xBF\xBDz\"");
}
