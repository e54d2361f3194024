// The forward pass against the independent numpy reference (tests/reference/gpt2_numpy.py):
// logits, attention scores/weights, Q/K/V, head outputs, residuals and logit lens within 1e-4 relative.
#include "model/ops.h"  // packed_floats, matmul_backend
#include "model_fixtures.h"

namespace {



class ModelOracle : public ::testing::TestWithParam<const char*> {};

TEST_P(ModelOracle, MatchesNumpyReference) {
    RefCase rc;
    ASSERT_TRUE(ref_load(GetParam(), rc)) << "missing fixture ref_" << GetParam() << " (run tests/make_fixtures.sh)";
    Model m;
    std::string err;
    ASSERT_TRUE(model_load_fixture(m, rc.model, err)) << err;
    Capture cap;
    ASSERT_TRUE(model_forward(m, rc.ids, capture_everything(rc.lens_k), cap, err)) << err;
    const int T = (int)rc.ids.size();
    EXPECT_EQ(cap.T, T);
    EXPECT_EQ(cap.ids, rc.ids);
    EXPECT_EQ(rc.shapes["scores"], (std::vector<int64_t>{cap.L, cap.H, T, T}));
    EXPECT_EQ(rc.shapes["q"], (std::vector<int64_t>{cap.L, cap.H, T, cap.D}));
    EXPECT_EQ(rc.shapes["resid_mlp"], (std::vector<int64_t>{cap.L, T, cap.C}));
    EXPECT_EQ(rc.shapes["logits"], (std::vector<int64_t>{T, cap.V}));

    const double tol = 1e-4;
    EXPECT_TRUE(close_rel(cap.logits, rc.f32["logits"], tol)) << "logits";
    EXPECT_TRUE(close_rel(cap.embed, rc.f32["embed"], tol)) << "embed";
    EXPECT_TRUE(close_rel(cap.scores, rc.f32["scores"], tol)) << "scores";
    EXPECT_TRUE(close_rel(cap.weights, rc.f32["weights"], tol)) << "weights";
    EXPECT_TRUE(close_rel(cap.q, rc.f32["q"], tol)) << "q";
    EXPECT_TRUE(close_rel(cap.k, rc.f32["k"], tol)) << "k";
    EXPECT_TRUE(close_rel(cap.v, rc.f32["v"], tol)) << "v";
    EXPECT_TRUE(close_rel(cap.head_out, rc.f32["head_out"], tol)) << "head_out";
    EXPECT_TRUE(close_rel(cap.resid_attn, rc.f32["resid_attn"], tol)) << "resid_attn";
    EXPECT_TRUE(close_rel(cap.resid_mlp, rc.f32["resid_mlp"], tol)) << "resid_mlp";
    EXPECT_EQ(cap.lens_k, rc.lens_k);
    EXPECT_EQ(cap.lens_ids, rc.i32["lens_ids"]);
    EXPECT_TRUE(close_rel(cap.lens_probs, rc.f32["lens_probs"], tol)) << "lens_probs";

    // attention rows: sum to 1, masked (key > query) entries exactly 0, visible ones positive
    for (int lh = 0; lh < cap.L * cap.H; lh++) {
        for (int i = 0; i < T; i++) {
            const float* row = cap.weights.data() + ((size_t)lh * T + i) * T;
            double sum = 0;
            for (int j = 0; j < T; j++) {
                sum += row[j];
                if (j > i) ASSERT_EQ(row[j], 0.0f) << "layer*head " << lh << " query " << i << " key " << j;
                else ASSERT_GT(row[j], 0.0f);
            }
            ASSERT_NEAR(sum, 1.0, 1e-6);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ModelOracle,
                         ::testing::Values("tiny_f32_a", "tiny_f32_b", "tiny_f32_one", "tiny_f16_a", "tiny_bf16_a",
                                           "tiny_prefix_a", "gpt2vocab_f16_a"));

class ModelForward : public ::testing::Test {
protected:
    void SetUp() override {
        std::string err;
        ASSERT_TRUE(ref_load("tiny_f32_b", rc)) << "missing fixtures";
        ASSERT_TRUE(model_load_fixture(m, "tiny_f32", err)) << err;
    }
    RefCase rc;
    Model m;
};

TEST_F(ModelForward, SelectedHeadQkvIsTheSliceOfTheFullCapture) {
    std::string err;
    Capture all, one;
    CaptureOptions o;
    ASSERT_TRUE(model_forward(m, rc.ids, o, all, err)) << err;
    o.qkv_layer = 1;
    o.qkv_head = 0;
    o.attention = false;
    ASSERT_TRUE(model_forward(m, rc.ids, o, one, err)) << err;
    const size_t TD = (size_t)all.T * all.D, at = ((size_t)1 * all.H + 0) * TD;
    EXPECT_EQ(one.qkv_layer, 1);
    EXPECT_EQ(one.qkv_head, 0);
    ASSERT_EQ(one.q.size(), TD);
    EXPECT_TRUE(one.scores.empty() && one.weights.empty());
    EXPECT_EQ(one.q, std::vector<float>(all.q.begin() + at, all.q.begin() + at + TD));
    EXPECT_EQ(one.k, std::vector<float>(all.k.begin() + at, all.k.begin() + at + TD));
    EXPECT_EQ(one.v, std::vector<float>(all.v.begin() + at, all.v.begin() + at + TD));
    EXPECT_EQ(one.head_out, std::vector<float>(all.head_out.begin() + at, all.head_out.begin() + at + TD));
    o.attention = true;
    o.scores = false;  // weights only
    ASSERT_TRUE(model_forward(m, rc.ids, o, one, err)) << err;
    EXPECT_TRUE(one.scores.empty());
    EXPECT_EQ(one.weights, all.weights);
    EXPECT_EQ(capture_bytes(m.cfg, one.T, o), 4 * (one.weights.size() + 4 * one.q.size() + one.embed.size() +
                                                   one.resid_attn.size() + one.resid_mlp.size() + one.logits.size() +
                                                   one.ids.size()));
    o.qkv_head = -1;  // one layer, all heads
    ASSERT_TRUE(model_forward(m, rc.ids, o, one, err)) << err;
    const size_t lat = (size_t)1 * all.H * TD;
    EXPECT_EQ(one.k, std::vector<float>(all.k.begin() + lat, all.k.begin() + lat + all.H * TD));
}

TEST_F(ModelForward, LensAtOnePosition) {
    std::string err;
    Capture all, one;
    CaptureOptions o = capture_everything(rc.lens_k);
    ASSERT_TRUE(model_forward(m, rc.ids, o, all, err)) << err;
    o.lens_pos = 7;
    ASSERT_TRUE(model_forward(m, rc.ids, o, one, err)) << err;
    const int T = all.T, k = all.lens_k;
    ASSERT_EQ(one.lens_ids.size(), all.lens_ids.size());
    for (int l = 0; l < all.L; l++)
        for (int t = 0; t < T; t++)
            for (int j = 0; j < k; j++) {
                size_t at = ((size_t)l * T + t) * k + j;
                if (t == 7) {
                    EXPECT_EQ(one.lens_ids[at], all.lens_ids[at]);
                    EXPECT_NEAR(one.lens_probs[at], all.lens_probs[at], 1e-6);  // every layer at t in one GEMM vs 32 rows of one layer
                } else {
                    EXPECT_EQ(one.lens_ids[at], -1);
                    EXPECT_EQ(one.lens_probs[at], 0.0f);
                }
            }
    o.lens_pos = T;
    EXPECT_FALSE(model_forward(m, rc.ids, o, one, err));
}

TEST_F(ModelForward, NothingCapturedStillGivesTheLastLogits) {
    std::string err;
    Capture cap;
    CaptureOptions o;
    o.attention = o.qkv = o.residuals = false;
    ASSERT_TRUE(model_forward(m, rc.ids, o, cap, err)) << err;
    EXPECT_TRUE(cap.scores.empty() && cap.q.empty() && cap.resid_mlp.empty() && cap.lens_ids.empty());
    ASSERT_EQ(cap.logits.size(), (size_t)cap.V);
    const std::vector<float>& all = rc.f32["logits"];
    EXPECT_TRUE(close_rel(cap.logits, std::vector<float>(all.end() - cap.V, all.end()), 1e-4));
    EXPECT_LE(capture_bytes(m.cfg, cap.T, o), (size_t)(cap.V + 64) * 4);
}

TEST_F(ModelForward, ReusedCaptureAcrossLengthsMatchesReference) {
    std::string err;
    Capture cap;
    RefCase a;
    ASSERT_TRUE(ref_load("tiny_f32_a", a));
    CaptureOptions o = capture_everything(a.lens_k);
    ASSERT_TRUE(model_forward(m, rc.ids, o, cap, err)) << err;  // T = 32 first, then T = 12
    ASSERT_TRUE(model_forward(m, a.ids, o, cap, err)) << err;
    EXPECT_TRUE(close_rel(cap.weights, a.f32["weights"], 1e-4));
    model_scratch_release();                                     // and again from empty scratch
    ASSERT_TRUE(model_forward(m, a.ids, o, cap, err)) << err;
    EXPECT_TRUE(close_rel(cap.weights, a.f32["weights"], 1e-4));
    EXPECT_TRUE(close_rel(cap.logits, a.f32["logits"], 1e-4));
    EXPECT_TRUE(close_rel(cap.resid_mlp, a.f32["resid_mlp"], 1e-4));
    EXPECT_EQ(capture_bytes(m.cfg, cap.T, o),
              4 * (cap.scores.size() + cap.weights.size() + cap.q.size() * 4 + cap.embed.size() + cap.resid_attn.size() +
                   cap.resid_mlp.size() + cap.logits.size() + cap.lens_ids.size() + cap.lens_probs.size() + cap.ids.size()));
}

TEST_F(ModelForward, KvCacheStepsMatchTheFullForward) {
    std::string err;
    KVCache kv;
    kvcache_init(m, kv);
    const std::vector<float>& want = rc.f32["logits"];  // [T, V]
    const int V = m.cfg.vocab_size;
    std::vector<float> logits;
    // a 5-token prompt, then one token at a time
    ASSERT_TRUE(model_step(m, kv, std::vector<int>(rc.ids.begin(), rc.ids.begin() + 5), logits, err)) << err;
    EXPECT_EQ(kv.T, 5);
    EXPECT_TRUE(close_rel(logits, std::vector<float>(want.begin() + 4 * V, want.begin() + 5 * V), 1e-4));
    Capture full;
    CaptureOptions o;
    o.logits_all = true;
    ASSERT_TRUE(model_forward(m, rc.ids, o, full, err)) << err;
    for (size_t t = 5; t < rc.ids.size(); t++) {
        ASSERT_TRUE(model_step(m, kv, {rc.ids[t]}, logits, err)) << err;
        std::vector<float> row(full.logits.begin() + t * V, full.logits.begin() + (t + 1) * V);
        ASSERT_TRUE(close_rel(logits, row, 1e-4)) << "position " << t;  // same code, other GEMM shapes: not bitwise
        ASSERT_TRUE(close_rel(logits, std::vector<float>(want.begin() + t * V, want.begin() + (t + 1) * V), 1e-4));
    }
    EXPECT_EQ(kv.T, (int)rc.ids.size());
    EXPECT_FALSE(model_step(m, kv, {1}, logits, err));  // context full
    EXPECT_NE(err.find("context"), std::string::npos) << err;
}

TEST_F(ModelForward, BadIdsAreRejected) {
    std::string err;
    Capture cap;
    CaptureOptions o;
    EXPECT_FALSE(model_forward(m, {}, o, cap, err));
    EXPECT_FALSE(model_forward(m, {1, m.cfg.vocab_size}, o, cap, err));
    EXPECT_NE(err.find("outside the vocabulary"), std::string::npos) << err;
    EXPECT_FALSE(model_forward(m, {1, -3}, o, cap, err));
    EXPECT_FALSE(model_forward(m, std::vector<int>(m.cfg.n_positions + 1, 1), o, cap, err));
    EXPECT_NE(err.find("context"), std::string::npos) << err;
    o.qkv_layer = m.cfg.n_layer;
    EXPECT_FALSE(model_forward(m, {1, 2}, o, cap, err));
    Model empty;
    KVCache kv;
    std::vector<float> logits;
    EXPECT_FALSE(model_forward(empty, {1}, CaptureOptions(), cap, err));
    EXPECT_FALSE(model_step(m, kv, {1}, logits, err));  // cache not initialised
    EXPECT_NE(err.find("kvcache_init"), std::string::npos) << err;
}

TEST_F(ModelForward, CopiedModelRunsTheSame) {
    std::string err;
    Model copy = m;  // the copy owns its params and its w points into them
    Capture a, b;
    CaptureOptions o;
    ASSERT_TRUE(model_forward(m, rc.ids, o, a, err));
    m = Model();      // free the original
    ASSERT_TRUE(model_forward(copy, rc.ids, o, b, err)) << err;
    EXPECT_EQ(a.logits, b.logits);
    EXPECT_EQ(copy.w.wte, copy.params.data());
    EXPECT_EQ(copy.w.lnfb + copy.cfg.n_embd, copy.params.data() + copy.params.size());
    if (packed_floats(8, 8)) EXPECT_EQ(copy.w.qkvw_p, copy.packed.data());
}

// A loaded F32 model's products read its packed copy (model_pack_weights); the same model without it
// (the products packing per call) runs the same to rounding: the packed path changes speed, not results.
TEST_F(ModelForward, PackedWeightsRunAsTheWeights) {
    if (packed_floats(8, 8) == 0) GTEST_SKIP() << "this build (" << matmul_backend() << ") does not pack";
    ASSERT_EQ(m.packed.size(), gpt2_packed_floats(m.cfg));
    ASSERT_NE(m.w.wte_p, nullptr);
    Model plain = m;
    plain.packed.clear();
    plain.weights_repoint();
    ASSERT_EQ(plain.w.wte_p, nullptr);
    std::string err;
    CaptureOptions o;
    o.logits_all = true;
    o.lens_top_k = 3;
    Capture a, b;
    ASSERT_TRUE(model_forward(m, rc.ids, o, a, err)) << err;
    ASSERT_TRUE(model_forward(plain, rc.ids, o, b, err)) << err;
    ASSERT_EQ(a.logits.size(), b.logits.size());
    for (size_t i = 0; i < a.logits.size(); i++) ASSERT_NEAR(a.logits[i], b.logits[i], 1e-5 * (1 + std::fabs(b.logits[i])));
    for (size_t i = 0; i < a.weights.size(); i++) ASSERT_NEAR(a.weights[i], b.weights[i], 1e-6);
    EXPECT_EQ(a.lens_ids, b.lens_ids);
    // an F16 model keeps no packed copy (it would undo the memory saved), and says so in its size
    Model half;
    ASSERT_TRUE(model_load_dir(half, model_fixture("tiny_f32"), err, true)) << err;
    EXPECT_TRUE(half.packed.empty());
    EXPECT_EQ(half.w.wte_p, nullptr);
    EXPECT_EQ(m.weight_bytes(), (m.params.size() + m.packed.size()) * sizeof(float));
    EXPECT_EQ(gpt2_memory_bytes(m.cfg, false), (double)m.weight_bytes());
    EXPECT_EQ(gpt2_memory_bytes(half.cfg, true), (double)half.weight_bytes());
}

TEST(ModelText, RunTextOnTheGpt2Vocabulary) {
    Model m;
    std::string err;
    ASSERT_TRUE(model_load_fixture(m, "gpt2vocab_f16", err)) << err;
    RefCase rc;
    ASSERT_TRUE(ref_load("gpt2vocab_f16_a", rc));
    Capture cap;
    CaptureOptions o;
    // The text path the page and the CLI take: the model's own tokenizer, then the forward pass.
    ASSERT_TRUE(model_forward(m, tokenizer_encode_ids(m.tok, "I saw a dog and a cat. It was barking."), o, cap, err))
        << err;
    EXPECT_EQ(cap.ids, rc.ids);  // the ids the reference used (js-tiktoken's encoding of this sentence)
    const std::vector<float>& all = rc.f32["logits"];
    EXPECT_TRUE(close_rel(cap.logits, std::vector<float>(all.end() - cap.V, all.end()), 1e-4));
    EXPECT_FALSE(model_forward(m, tokenizer_encode_ids(m.tok, ""), o, cap, err));  // no tokens: an error, not a crash
}

}  // namespace
