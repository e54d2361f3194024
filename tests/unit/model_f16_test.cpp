// Weights kept as F16 in memory (the opt-in for big models in the page): the F32 -> F16 rounding, the
// split layout, and the forward pass on F16 weights against the F32 path and the numpy reference.
#include "model/safetensors.h"
#include "model_fixtures.h"

static float bits_f(uint32_t b) {
    float f;
    std::memcpy(&f, &b, 4);
    return f;
}

TEST(ModelF16, RoundingIsNearestEvenOverEveryHalf) {
    // every finite half survives F16 -> F32 -> F16
    for (uint32_t h = 0; h < 0x10000; h++) {
        if ((h & 0x7c00) == 0x7c00) continue;  // inf / NaN
        ASSERT_EQ(f32_to_f16(f16_to_f32((uint16_t)h)), h) << std::hex << h;
    }
    // between two neighbouring positive halves: below the midpoint rounds down, above up, the midpoint
    // to the even one (midpoints have 12 significant bits: exact in F32)
    for (uint32_t h = 0; h < 0x7bff; h++) {
        double lo = f16_to_f32((uint16_t)h), hi = f16_to_f32((uint16_t)(h + 1)), mid = (lo + hi) / 2;
        float m = (float)mid;
        ASSERT_EQ((double)m, mid);
        ASSERT_EQ(f32_to_f16(m), (h & 1) ? h + 1 : h) << std::hex << h;
        ASSERT_EQ(f32_to_f16(std::nextafter(m, 0.0f)), h) << std::hex << h;
        ASSERT_EQ(f32_to_f16(std::nextafter(m, 1e9f)), h + 1) << std::hex << h;
        ASSERT_EQ(f32_to_f16(-m), 0x8000 | ((h & 1) ? h + 1 : h));
    }
    EXPECT_EQ(f32_to_f16(65504.0f), 0x7bff);
    EXPECT_EQ(f32_to_f16(65519.99f), 0x7bff);
    EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00);              // ties to even: past the largest half
    EXPECT_EQ(f32_to_f16(1e30f), 0x7c00);
    EXPECT_EQ(f32_to_f16(-1e30f), 0xfc00);
    EXPECT_EQ(f32_to_f16(bits_f(0x7fc00000)) & 0x7e00, 0x7e00);  // NaN stays NaN
    EXPECT_EQ(f32_to_f16(1e-10f), 0);                     // below half the smallest subnormal
    EXPECT_EQ(f32_to_f16(0x1p-25f), 0);                   // exactly half of it: ties to even (0)
    EXPECT_EQ(f32_to_f16(0x1.000002p-25f), 1);
}

TEST(ModelF16, F32FileKeptAsF16EqualsNumpysRounding) {
    // tiny_f32 and tiny_f16 hold the same random weights; the F16 file was rounded by numpy.
    Model a, b, full;
    std::string err;
    ASSERT_TRUE(model_load_dir(a, model_fixture("tiny_f32"), err, true)) << err;
    ASSERT_TRUE(model_load_dir(b, model_fixture("tiny_f16"), err, true)) << err;
    ASSERT_TRUE(model_load_dir(full, model_fixture("tiny_f32"), err)) << err;
    ASSERT_TRUE(a.weights_f16() && a.has_weights());
    EXPECT_EQ(a.params_f16, b.params_f16);
    size_t n_small, n_big;
    gpt2_split_counts(a.cfg, n_small, n_big);
    EXPECT_EQ(n_small + n_big, gpt2_num_params(a.cfg));
    EXPECT_EQ(a.weight_bytes(), n_small * 4 + n_big * 2);
    EXPECT_LT(a.weight_bytes(), full.weight_bytes() * 6 / 10);
    EXPECT_TRUE(a.w.wte == nullptr && a.w.wte_h != nullptr && a.w.lnfb != nullptr);
    EXPECT_EQ(a.w.lnfb[0], full.w.lnfb[0]);               // the small vectors stay exact F32
    std::vector<float> row(a.cfg.n_embd);
    model_token_embedding(a, 7, row.data());
    for (int c = 0; c < a.cfg.n_embd; c++)
        EXPECT_EQ(row[c], f16_to_f32(f32_to_f16(full.w.wte[7 * a.cfg.n_embd + c])));
}

// Both layouts hold the same values for an F16 file: the products convert them in the same order, so
// every captured number is identical.
static void expect_same_run(const Model& x, const Model& y, const std::vector<int>& ids) {
    CaptureOptions o;
    o.logits_all = true;
    o.lens_top_k = 3;
    Capture cx, cy;
    std::string err;
    ASSERT_TRUE(model_forward(x, ids, o, cx, err)) << err;
    ASSERT_TRUE(model_forward(y, ids, o, cy, err)) << err;
    EXPECT_EQ(cx.weights, cy.weights);
    EXPECT_EQ(cx.scores, cy.scores);
    EXPECT_EQ(cx.resid_mlp, cy.resid_mlp);
    EXPECT_EQ(cx.logits, cy.logits);
    EXPECT_EQ(cx.lens_ids, cy.lens_ids);
    // the KV-cache step (the few-rows kernels) too
    KVCache kx, ky;
    kvcache_init(x, kx);
    kvcache_init(y, ky);
    std::vector<float> lx, ly;
    for (int id : ids) {
        ASSERT_TRUE(model_step(x, kx, {id}, lx, err)) << err;
        ASSERT_TRUE(model_step(y, ky, {id}, ly, err)) << err;
        ASSERT_EQ(lx, ly);
    }
}

TEST(ModelF16, F16FileRunsIdenticallyInEitherLayout) {
    for (const char* name : {"tiny_f16", "gpt2vocab_f16"}) {
        Model f32, f16;
        std::string err;
        ASSERT_TRUE(model_load_dir(f32, model_fixture(name), err)) << err;
        ASSERT_TRUE(model_load_dir(f16, model_fixture(name), err, true)) << err;
        RefCase rc;
        ASSERT_TRUE(ref_load(std::string(name) + "_a", rc));
        expect_same_run(f32, f16, rc.ids);
        Model copy = f16;                                  // a copy points into its own buffers
        f16 = Model();
        expect_same_run(f32, copy, rc.ids);
        Capture cap;
        CaptureOptions o;
        o.logits_all = true;
        ASSERT_TRUE(model_forward(copy, rc.ids, o, cap, err)) << err;
        EXPECT_TRUE(close_rel(cap.logits, rc.f32["logits"], 1e-4)) << name;  // and the numpy reference
        EXPECT_TRUE(close_rel(cap.weights, rc.f32["weights"], 1e-4)) << name;
    }
}

TEST(ModelF16, F32FileKeptAsF16StaysCloseToTheReference) {
    Model m;
    std::string err;
    ASSERT_TRUE(model_load_dir(m, model_fixture("tiny_f32"), err, true)) << err;
    RefCase rc;
    ASSERT_TRUE(ref_load("tiny_f32_b", rc));
    CaptureOptions o;
    o.logits_all = true;
    Capture cap;
    ASSERT_TRUE(model_forward(m, rc.ids, o, cap, err)) << err;
    // F16 weights (11-bit significands) through two layers: within 0.5 % of the largest value (0.07 % seen)
    auto max_rel = [](const std::vector<float>& got, const std::vector<float>& want) {
        double d = 0, mx = 0;
        for (size_t i = 0; i < got.size(); i++) d = std::max(d, (double)std::fabs(got[i] - want[i]));
        for (float w : want) mx = std::max(mx, (double)std::fabs(w));
        return d / mx;
    };
    double logits = max_rel(cap.logits, rc.f32["logits"]), weights = max_rel(cap.weights, rc.f32["weights"]);
    EXPECT_LT(logits, 5e-3);
    EXPECT_LT(weights, 5e-3);
    EXPECT_GT(logits, 1e-6);                               // and really rounded
    std::printf("F32 file kept as F16: logits within %.2g, attention within %.2g of the largest value\n", logits, weights);
}

TEST(ModelF16, ValuesBeyondF16AreRefusedWithAMessage) {
    ModelFiles files;
    ASSERT_TRUE(files.read("tiny_f32"));
    nlohmann::json h = files.header();
    size_t at = 8 + files.st.size() - files.data().size() - 8 + h["h.0.mlp.c_fc.weight"]["data_offsets"][0].get<size_t>();
    float big = 1e6f;
    std::memcpy(&files.st[at], &big, 4);
    Model m;
    std::string err;
    EXPECT_TRUE(files.load(m, err)) << err;              // fine as F32
    Model m16;
    m16.name = "kept";
    std::string config = files.config;
    EXPECT_FALSE(model_load_memory(m16, files.config, (const uint8_t*)files.st.data(), files.st.size(), files.vocab,
                                   files.merges, err, true));
    EXPECT_NE(err.find("F16 cannot hold"), std::string::npos) << err;
    EXPECT_NE(err.find("h.0.mlp.c_fc.weight"), std::string::npos) << err;
    EXPECT_FALSE(m16.has_weights());                      // untouched
}
