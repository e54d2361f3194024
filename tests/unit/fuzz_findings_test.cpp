// One test per fixed fuzz finding (tests/fuzz/README.md, "Findings and reproducers"), at the boundary
// the fix drew, so a regression fails here in every build (native, WASM, sanitizers) and not only when
// the fuzzer happens to get there. The reproducers themselves are replayed by scripts/test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/model.h"
#include "model/safetensors.h"
#include "tokenizer/tokenizer.h"
#include "viz/svg.h"

namespace {

using json = nlohmann::json;

// ---- fuzz_model_load-epsilon-underflow.bin ---------------------------------------------------------
// layer_norm_epsilon 1e-55 parsed fine and became 0.0f, so LayerNorm of a constant row divided by 0.
// Fix (cf55016, src/model/load.cpp): epsilon must be in [1e-12, 1).

std::string config_with_epsilon(double eps) {
    json j = {{"model_type", "gpt2"}, {"n_layer", 1}, {"n_head", 1}, {"n_embd", 4},
              {"n_positions", 8}, {"vocab_size", 257}, {"layer_norm_epsilon", eps}};
    return j.dump();
}

TEST(FuzzFinding, EpsilonThatUnderflowsFloat32IsRefused) {
    GPT2Config c;
    std::string err;
    ASSERT_EQ((float)1e-55, 0.0f) << "the finding: this epsilon is 0 in float32";
    EXPECT_FALSE(gpt2_config_parse(config_with_epsilon(1e-55), c, err));
    EXPECT_NE(err.find("layer_norm_epsilon"), std::string::npos) << err;
    EXPECT_EQ(c.n_layer, 0) << "a refused config leaves the output untouched";
    err.clear();
    EXPECT_FALSE(gpt2_config_parse(config_with_epsilon(9.9e-13), c, err)) << "just under the bound";
    EXPECT_FALSE(gpt2_config_parse(config_with_epsilon(0), c, err));
    EXPECT_FALSE(gpt2_config_parse(config_with_epsilon(1), c, err));
    ASSERT_TRUE(gpt2_config_parse(config_with_epsilon(1e-12), c, err)) << err;
    EXPECT_GT(c.layer_norm_epsilon, 0.0f) << "the smallest accepted epsilon is still positive in float32";
    EXPECT_FLOAT_EQ(c.layer_norm_epsilon, 1e-12f);
}

// ---- fuzz_vocab_merges-huge-vocab-id.bin -----------------------------------------------------------
// tokenizer_load sized id_to_bytes by the largest id: one id 16777215 in a 3 KB vocab.json allocated
// 512 MB. Fix (d6890f8, src/tokenizer/tokenizer.cpp): ids must be 0..N-1 for N entries.

// vocab.json with the 256 byte tokens (ids 0..255) and one more token "ab" with the given id.
std::string byte_vocab_plus(int64_t extra_id) {
    json j = json::object();
    for (int b = 0; b < 256; b++) j[tokenizer_bytes_to_unicode(std::string(1, (char)b))] = b;
    j["ab"] = extra_id;
    return j.dump();
}

TEST(FuzzFinding, HugeVocabularyIdIsRefusedBeforeAllocating) {
    Tokenizer tok;
    std::string err;
    EXPECT_FALSE(tokenizer_load(tok, byte_vocab_plus(16777215), "", err));
    EXPECT_NE(err.find("ids must be 0..N-1"), std::string::npos) << err;
    EXPECT_TRUE(tok.id_to_bytes.empty()) << "nothing sized by the bad id";
    EXPECT_FALSE(tokenizer_load(tok, byte_vocab_plus(257), "", err)) << "N = 257 entries: 257 is one past the end";
    EXPECT_FALSE(tokenizer_load(tok, byte_vocab_plus(-1), "", err));
    ASSERT_TRUE(tokenizer_load(tok, byte_vocab_plus(256), "a b\n", err)) << err;
    EXPECT_EQ(tok.id_to_bytes.size(), 257u);
    EXPECT_EQ(tokenizer_encode_ids(tok, "ab"), std::vector<int>{256});
}

// ---- fuzz_model_load-overlapping-tensors.bin (tests/fuzz/crashes/make_overlapping_tensors.py) -----
// safetensors_parse let every tensor point at the same bytes, so a 0.44 MB file made the loader
// allocate 317 MB. Fix (ca72d0a, src/model/safetensors.cpp): the tensors together may claim at most
// twice the data section (+ 4096 bytes); a tied head viewing wte's bytes stays legal.

// A safetensors file whose data section is `data_len` bytes and whose `n` F32 tensors all span it.
std::vector<uint8_t> shared_tensors_file(int n, uint64_t data_len) {
    json header = json::object();
    for (int i = 0; i < n; i++)
        header["t" + std::to_string(i)] = {{"dtype", "F32"}, {"shape", {data_len / 4}}, {"data_offsets", {0, data_len}}};
    std::string text = header.dump();
    std::vector<uint8_t> file(8 + text.size() + data_len, 0);
    uint64_t len = text.size();
    for (int b = 0; b < 8; b++) file[b] = (uint8_t)(len >> (8 * b));
    std::memcpy(file.data() + 8, text.data(), text.size());
    return file;
}

TEST(FuzzFinding, OverlappingTensorsCannotClaimMoreThanTwiceTheData) {
    std::string err;
    SafeTensorsFile f;
    // 4096 data bytes: the bound is 2 * 4096 + 4096 = 12288 claimed bytes, i.e. three full views.
    std::vector<uint8_t> tied = shared_tensors_file(2, 4096);
    EXPECT_TRUE(safetensors_parse(tied.data(), tied.size(), f, err)) << "a tied head is legal: " << err;
    std::vector<uint8_t> three = shared_tensors_file(3, 4096);
    EXPECT_TRUE(safetensors_parse(three.data(), three.size(), f, err)) << "exactly at the bound: " << err;
    std::vector<uint8_t> four = shared_tensors_file(4, 4096);
    EXPECT_FALSE(safetensors_parse(four.data(), four.size(), f, err));
    EXPECT_NE(err.find("tensors overlap"), std::string::npos) << err;
    // The finding's shape: hundreds of layers on one set of bytes.
    std::vector<uint8_t> many = shared_tensors_file(3072, 4096);
    EXPECT_FALSE(safetensors_parse(many.data(), many.size(), f, err));
    EXPECT_NE(err.find("tensors overlap"), std::string::npos) << err;
}

TEST(FuzzFinding, OverlappingTensorsRefusedByTheModelLoader) {
    // A whole checkpoint whose tensors all share offset 0, as in make_overlapping_tensors.py but small:
    // the loader must refuse it with the overlap message and keep the model it had.
    const int L = 64, C = 16, V = 257, T = 1;
    std::vector<std::pair<std::string, std::vector<int64_t>>> shapes = {
        {"wte.weight", {V, C}}, {"wpe.weight", {T, C}}, {"ln_f.weight", {C}}, {"ln_f.bias", {C}}};
    for (int i = 0; i < L; i++) {
        std::string p = "h." + std::to_string(i) + ".";
        for (auto& [k, s] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
                 {"ln_1.weight", {C}}, {"ln_1.bias", {C}}, {"attn.c_attn.weight", {C, 3 * C}},
                 {"attn.c_attn.bias", {3 * C}}, {"attn.c_proj.weight", {C, C}}, {"attn.c_proj.bias", {C}},
                 {"ln_2.weight", {C}}, {"ln_2.bias", {C}}, {"mlp.c_fc.weight", {C, 4 * C}},
                 {"mlp.c_fc.bias", {4 * C}}, {"mlp.c_proj.weight", {4 * C, C}}, {"mlp.c_proj.bias", {C}}})
            shapes.push_back({p + k, s});
    }
    json header = json::object();
    uint64_t data_len = 0;
    for (auto& [name, shape] : shapes) {
        uint64_t n = 1;
        for (int64_t d : shape) n *= (uint64_t)d;
        header[name] = {{"dtype", "F16"}, {"shape", shape}, {"data_offsets", {0, 2 * n}}};
        data_len = std::max(data_len, 2 * n);
    }
    std::string text = header.dump();
    std::vector<uint8_t> st(8 + text.size() + data_len, 0);
    for (int b = 0; b < 8; b++) st[b] = (uint8_t)((uint64_t)text.size() >> (8 * b));
    std::memcpy(st.data() + 8, text.data(), text.size());
    json cfg = {{"model_type", "gpt2"}, {"n_layer", L}, {"n_head", 1}, {"n_embd", C}, {"n_positions", T}, {"vocab_size", V}};
    Model m;
    std::string err;
    EXPECT_FALSE(model_load_memory(m, cfg.dump(), st.data(), st.size(), byte_vocab_plus(256), "a b\n", err));
    EXPECT_NE(err.find("tensors overlap"), std::string::npos) << err;
    EXPECT_FALSE(m.has_weights());
}

// ---- svg_num_append_overflow.cpp ---------------------------------------------------------------------
// num_append formatted "%.2f" into char[32]: 1e30 needs 34 characters, and out.append read past the
// buffer (ASan: stack-buffer-overflow); inf printed "inf", not an SVG number. Fix (ca72d0a,
// src/viz/svg.cpp): NaN -> 0, and every number is clamped to +-1e9 before formatting. fuzz_svg keeps
// coordinates within +-1e6, so only this test reaches the clamp.

std::string attr(const std::string& svg, const std::string& name) {
    size_t p = svg.find(" " + name + "=\"");
    if (p == std::string::npos) return "(missing)";
    p += name.size() + 3;
    return svg.substr(p, svg.find('"', p) - p);
}

TEST(FuzzFinding, SvgNumbersClampToPlusMinusOneBillion) {
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    struct Case { float v; const char* want; };
    const Case cases[] = {
        {1e30f, "1000000000"}, {-1e30f, "-1000000000"}, {3.4e38f, "1000000000"}, {inf, "1000000000"},
        {-inf, "-1000000000"}, {nan, "0"}, {2e9f, "1000000000"}, {1e9f, "1000000000"},
        {-1e9f, "-1000000000"}, {999999936.0f, "999999936"}, {12.25f, "12.25"}, {-0.0f, "0"},
    };
    for (const Case& c : cases) {
        VizScene s;
        viz_line(s, c.v, 1, 2, 3, {0, 0, 0, 255}, 1);
        std::string svg;
        viz_svg_write(s, svg);
        EXPECT_EQ(attr(svg, "x1"), c.want) << "x1 = " << c.v;
        EXPECT_EQ(svg.find("inf"), std::string::npos) << svg;
        EXPECT_EQ(svg.find("nan"), std::string::npos) << svg;
    }
    // Every attribute goes through the clamp, not only x: the reproducer's rect and a huge width.
    VizScene s;
    viz_rect_fill(s, {1e30f, -1e30f, 10, 10}, {0, 0, 0, 255});
    viz_line(s, 0, 0, -inf, nan, {0, 0, 0, 255}, inf);
    std::string svg;
    viz_svg_write(s, svg);
    EXPECT_EQ(attr(svg, "x"), "1000000000");
    EXPECT_EQ(attr(svg, "y"), "-1000000000");
    EXPECT_EQ(attr(svg, "x2"), "-1000000000");
    EXPECT_EQ(attr(svg, "y2"), "0");
    EXPECT_EQ(attr(svg, "stroke-width"), "1000000000");
    EXPECT_EQ(svg.find("inf"), std::string::npos) << svg;
}

}  // namespace
