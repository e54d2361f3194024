// Loading HF GPT-2 directories: config parsing, safetensors validation, dtypes, prefixes, tied head,
// and a clear message (never a crash) for every kind of bad input.
#include "model/safetensors.h"
#include "model_fixtures.h"

namespace {

using json = nlohmann::json;

// ---- config.json ----------------------------------------------------------------------------------

const char* kConfig = R"({"model_type":"gpt2","n_layer":2,"n_head":4,"n_embd":64,"n_positions":128,
                          "vocab_size":500,"layer_norm_epsilon":1e-6,"activation_function":"gelu_new"})";

TEST(ModelConfig, ParsesGpt2Config) {
    GPT2Config c;
    std::string err;
    ASSERT_TRUE(gpt2_config_parse(kConfig, c, err)) << err;
    EXPECT_EQ(c.n_layer, 2);
    EXPECT_EQ(c.n_head, 4);
    EXPECT_EQ(c.n_embd, 64);
    EXPECT_EQ(c.n_positions, 128);
    EXPECT_EQ(c.vocab_size, 500);
    EXPECT_FLOAT_EQ(c.layer_norm_epsilon, 1e-6f);
    // older configs: n_ctx instead of n_positions, architectures instead of model_type
    ASSERT_TRUE(gpt2_config_parse(R"({"architectures":["GPT2LMHeadModel"],"n_layer":1,"n_head":1,"n_embd":8,
                                      "n_ctx":16,"vocab_size":10})", c, err)) << err;
    EXPECT_EQ(c.n_positions, 16);
    EXPECT_FLOAT_EQ(c.layer_norm_epsilon, 1e-5f);
}

TEST(ModelConfig, RejectsBadConfigs) {
    GPT2Config c;
    std::string err;
    auto with = [](const char* key, json value) {
        json j = json::parse(kConfig);
        if (value.is_discarded()) j.erase(key);
        else j[key] = value;
        return j.dump();
    };
    const json gone = json(json::value_t::discarded);
    EXPECT_ERR(gpt2_config_parse("{not json", c, err), err, "not a JSON object");
    EXPECT_ERR(gpt2_config_parse("[1,2]", c, err), err, "not a JSON object");
    EXPECT_ERR(gpt2_config_parse(with("model_type", "llama"), c, err), err, "unsupported model_type");
    EXPECT_ERR(gpt2_config_parse(with("n_layer", gone), c, err), err, "missing \"n_layer\"");
    EXPECT_ERR(gpt2_config_parse(with("n_embd", "64"), c, err), err, "must be an integer");
    EXPECT_ERR(gpt2_config_parse(with("n_embd", 66), c, err), err, "not divisible");
    EXPECT_ERR(gpt2_config_parse(with("n_head", 0), c, err), err, "outside");
    EXPECT_ERR(gpt2_config_parse(with("vocab_size", 1e12), c, err), err, "vocab_size");
    EXPECT_ERR(gpt2_config_parse(with("n_positions", -5), c, err), err, "outside");
    EXPECT_ERR(gpt2_config_parse(with("activation_function", "relu"), c, err), err, "activation_function");
    EXPECT_ERR(gpt2_config_parse(with("n_inner", 100), c, err), err, "n_inner");
    EXPECT_ERR(gpt2_config_parse(with("scale_attn_by_inverse_layer_idx", true), c, err), err, "attention variant");
    EXPECT_ERR(gpt2_config_parse(with("layer_norm_epsilon", -1), c, err), err, "layer_norm_epsilon");
    EXPECT_EQ(c.n_layer, 0);  // untouched on failure
}

// ---- dtypes ----------------------------------------------------------------------------------------

TEST(ModelDtypes, HalfAndBfloatConversion) {
    EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
    EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
    EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
    EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));   // smallest subnormal
    EXPECT_EQ(f16_to_f32(0x03ff), std::ldexp(1023.0f, -24)); // largest subnormal
    EXPECT_EQ(f16_to_f32(0x0400), std::ldexp(1.0f, -14));   // smallest normal
    EXPECT_TRUE(std::isinf(f16_to_f32(0x7c00)) && f16_to_f32(0xfc00) < 0);
    EXPECT_TRUE(std::isnan(f16_to_f32(0x7e00)));
    EXPECT_TRUE(std::signbit(f16_to_f32(0x8000)) && f16_to_f32(0x8000) == 0.0f);
    EXPECT_EQ(f16_to_f32(0x3555), 0.333251953125f);
    EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
    EXPECT_EQ(bf16_to_f32(0xc0a0), -5.0f);
    EXPECT_EQ(bf16_to_f32(0x3eab), 0.333984375f);
}

TEST(ModelLoad, F16AndBf16MatchF32WithinTheirPrecision) {
    Model m32, m16, mb16;
    std::string err;
    ASSERT_TRUE(model_load_fixture(m32, "tiny_f32", err)) << err;
    ASSERT_TRUE(model_load_fixture(m16, "tiny_f16", err)) << err;
    ASSERT_TRUE(model_load_fixture(mb16, "tiny_bf16", err)) << err;
    EXPECT_EQ(m32.source_dtype, "F32");
    EXPECT_EQ(m16.source_dtype, "F16");
    EXPECT_EQ(mb16.source_dtype, "BF16");
    ASSERT_EQ(m32.params.size(), gpt2_num_params(m32.cfg));
    ASSERT_EQ(m16.params.size(), m32.params.size());
    ASSERT_EQ(mb16.params.size(), m32.params.size());
    size_t differ16 = 0;
    for (size_t i = 0; i < m32.params.size(); i++) {
        float a = m32.params[i];
        ASSERT_LE(std::fabs(m16.params[i] - a), std::fabs(a) * (1.0f / 2048) + 6e-8f) << i;  // f16: 11-bit mantissa
        ASSERT_LE(std::fabs(mb16.params[i] - a), std::fabs(a) * (1.0f / 256)) << i;          // bf16: 8-bit mantissa
        differ16 += m16.params[i] != a;
    }
    EXPECT_GT(differ16, m32.params.size() / 2);  // really converted from half precision
}

TEST(ModelLoad, LayoutAndPrefixAndTiedHead) {
    Model plain, prefixed;
    std::string err;
    ASSERT_TRUE(model_load_fixture(plain, "tiny_f32", err)) << err;
    ASSERT_TRUE(model_load_fixture(prefixed, "tiny_prefix", err)) << err;  // transformer.* + lm_head.weight
    EXPECT_EQ(plain.params, prefixed.params);
    EXPECT_EQ(plain.name, "tiny_f32");
    // the Conv1D layout is kept: params at w.qkvw of layer 1 row 3 = c_attn.weight[3, :] of h.1 in the file
    ModelFiles f;
    ASSERT_TRUE(f.read("tiny_f32"));
    json h = f.header();
    const int C = plain.cfg.n_embd;
    uint64_t off = h["h.1.attn.c_attn.weight"]["data_offsets"][0].get<uint64_t>();
    std::string d = f.data();
    std::vector<float> row(3 * C);
    std::memcpy(row.data(), d.data() + off + (size_t)3 * 3 * C * 4, 3 * C * 4);
    EXPECT_EQ(0, std::memcmp(row.data(), plain.w.qkvw + (size_t)C * 3 * C + 3 * 3 * C, 3 * C * 4));
    EXPECT_EQ(plain.w.lnfb + C, plain.params.data() + plain.params.size());
}

TEST(ModelLoad, Gpt2VocabularyModel) {
    Model m;
    std::string err;
    ASSERT_TRUE(model_load_fixture(m, "gpt2vocab_f16", err)) << err;
    EXPECT_EQ(m.cfg.vocab_size, 50257);
    EXPECT_EQ(tokenizer_vocab_size(m.tok), 50257);
    EXPECT_EQ(m.tok.eot_id, 50256);
}

// ---- bad input -------------------------------------------------------------------------------------

class ModelLoadErrors : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(f.read("tiny_f32")) << "missing fixtures"; }
    bool load_with(const json& h) {
        ModelFiles g = f;
        g.set_header(h);
        return g.load(m, err);
    }
    ModelFiles f;
    Model m;
    std::string err;
};

TEST_F(ModelLoadErrors, GoodFileLoads) { ASSERT_TRUE(f.load(m, err)) << err; }

TEST_F(ModelLoadErrors, TruncatedFiles) {
    ModelFiles g = f;
    g.st.resize(g.st.size() - 100);
    EXPECT_ERR(g.load(m, err), err, "outside the file");
    g.st.resize(5);
    EXPECT_ERR(g.load(m, err), err, "too short");
    g.st = f.st.substr(0, 40);  // size field intact, header cut
    EXPECT_ERR(g.load(m, err), err, "truncated");
    EXPECT_ERR(model_load_memory(m, f.config, nullptr, 0, f.vocab, f.merges, err), err, "too short");
    EXPECT_TRUE(m.params.empty());  // the model is untouched on failure
}

TEST_F(ModelLoadErrors, BadHeaders) {
    ModelFiles g = f;
    uint64_t huge = 200ull << 20;
    std::memcpy(&g.st[0], &huge, 8);
    EXPECT_ERR(g.load(m, err), err, "header too large");
    huge = ~0ull;
    std::memcpy(&g.st[0], &huge, 8);
    EXPECT_ERR(g.load(m, err), err, "header too large");
    g = f;
    g.st[8] = '[';  // not an object any more
    EXPECT_ERR(g.load(m, err), err, "not a JSON object");
    g = f;
    g.st[9] = '\x01';
    EXPECT_ERR(g.load(m, err), err, "not a JSON object");

    json h = f.header();
    h["wte.weight"].erase("dtype");
    EXPECT_ERR(load_with(h), err, "\"dtype\"");
    h = f.header();
    h["wte.weight"]["shape"] = "320x32";
    EXPECT_ERR(load_with(h), err, "\"shape\"");
    h = f.header();
    h["wte.weight"]["data_offsets"] = {100};
    EXPECT_ERR(load_with(h), err, "data_offsets");
    h = f.header();
    h["wte.weight"]["data_offsets"] = {100, 50};
    EXPECT_ERR(load_with(h), err, "begin <= end");
    h = f.header();
    h["wte.weight"]["data_offsets"] = {-4, 50};
    EXPECT_ERR(load_with(h), err, "data_offsets");
    h = f.header();
    h["wte.weight"]["data_offsets"][1] = 1ull << 62;
    EXPECT_ERR(load_with(h), err, "outside the file");
    h = f.header();
    h["wte.weight"]["shape"] = {1ull << 40, 1ull << 40};  // product overflows 64 bits
    EXPECT_ERR(load_with(h), err, "overflow");
    h = f.header();
    h["wte.weight"]["shape"] = {1ull << 31, 1ull << 31};  // x 4 bytes overflows
    EXPECT_ERR(load_with(h), err, "overflow");
    h = f.header();
    h["wte.weight"]["shape"] = {320, 31};  // byte size no longer matches the offsets
    EXPECT_ERR(load_with(h), err, "bytes but data_offsets span");
}

TEST_F(ModelLoadErrors, WrongTensors) {
    json h = f.header();
    h.erase("ln_f.bias");
    EXPECT_ERR(load_with(h), err, "missing tensor 'ln_f.bias'");
    h = f.header();
    h.erase("h.1.mlp.c_proj.weight");
    EXPECT_ERR(load_with(h), err, "missing tensor 'h.1.mlp.c_proj.weight'");
    h = f.header();
    h["h.0.attn.c_attn.weight"]["shape"] = {96, 32};  // transposed (same byte size)
    EXPECT_ERR(load_with(h), err, "'h.0.attn.c_attn.weight' has shape [96, 32], expected [32, 96]");
    h = f.header();
    h["wte.weight"]["dtype"] = "I32";  // same element size
    EXPECT_ERR(load_with(h), err, "dtype I32");
    h = f.header();
    h["ln_f.bias"]["dtype"] = "F64";
    h["ln_f.bias"]["shape"] = {16};  // 16 x 8 bytes = the same 128 bytes
    EXPECT_ERR(load_with(h), err, "dtype F64");
    h = f.header();
    h["h.0.ln_1.weight"]["dtype"] = "F16";  // element size changes: offsets no longer match
    EXPECT_ERR(load_with(h), err, "bytes but data_offsets span");
    h = f.header();
    h["extra.weight"] = h["ln_f.bias"];
    EXPECT_ERR(load_with(h), err, "unexpected tensor 'extra.weight'");
    h = f.header();
    h["lm_head.weight"] = h["wpe.weight"];  // wrong shape for the head
    EXPECT_ERR(load_with(h), err, "lm_head.weight");
    h = f.header();
    json head = h["wte.weight"];
    head["data_offsets"][0] = head["data_offsets"][0].get<uint64_t>() + 4;  // shifted: same shape, other values
    head["data_offsets"][1] = head["data_offsets"][1].get<uint64_t>() + 4;
    h["lm_head.weight"] = head;
    EXPECT_ERR(load_with(h), err, "untied");
}

TEST_F(ModelLoadErrors, NonFiniteWeights) {
    json h = f.header();
    uint64_t data_at = f.st.size() - f.data().size();
    uint64_t off = h["h.1.ln_2.bias"]["data_offsets"][0].get<uint64_t>();
    ModelFiles g = f;
    const float nan = NAN;
    std::memcpy(&g.st[data_at + off + 4 * 5], &nan, 4);
    EXPECT_ERR(g.load(m, err), err, "'h.1.ln_2.bias' has a non-finite value");
    EXPECT_NE(err.find("element 5"), std::string::npos) << err;
}

TEST_F(ModelLoadErrors, ConfigAndVocabularyMismatch) {
    ModelFiles g = f;
    json c = json::parse(f.config);
    c["n_embd"] = 64;
    c["n_head"] = 2;
    g.config = c.dump();
    EXPECT_ERR(g.load(m, err), err, "has shape");
    c = json::parse(f.config);
    c["vocab_size"] = 100;  // vocab.json has 320 tokens
    g = f;
    g.config = c.dump();
    EXPECT_ERR(g.load(m, err), err, "wte.weight");
    g = f;
    g.vocab = "{";
    EXPECT_ERR(g.load(m, err), err, "tokenizer");
    EXPECT_ERR(model_load_dir(m, model_fixture("no_such_model"), err), err, "cannot read");
}

TEST(ModelLoadFuzz, RandomCorruptionNeverCrashes) {
    ModelFiles f;
    ASSERT_TRUE(f.read("tiny_f32"));
    uint64_t hlen = 0;
    std::memcpy(&hlen, f.st.data(), 8);
    Rng r;
    rng_seed(r, 5);
    int ok = 0;
    for (int it = 0; it < 300; it++) {
        ModelFiles g = f;
        int flips = 1 + (int)(rng_uniform(r) * 4);
        for (int j = 0; j < flips; j++) {
            size_t at = (size_t)(rng_uniform(r) * (8 + hlen));  // corrupt the size field or the header
            g.st[at] = (char)(rng_u64(r) & 0xff);
        }
        if (rng_uniform(r) < 0.3f) g.st.resize((size_t)(rng_uniform(r) * g.st.size()));
        Model m;
        std::string err;
        if (g.load(m, err)) ok++;
        else EXPECT_FALSE(err.empty());
    }
    EXPECT_LT(ok, 300);
}

}  // namespace
