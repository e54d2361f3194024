// Capture accessors and the quantities derived from a capture (src/model/capture.cpp), against the
// numpy reference's arrays (indexed here by their own [L, H, T, T] / [L, H, T, D] shapes) and hand
// computations.
#include <algorithm>

#include "model_fixtures.h"

namespace {

// The reference array `name` at [l, h, i, j] of shape [L, H, A, B].
static float ref_at(RefCase& rc, const char* name, int l, int h, int i, int j) {
    const std::vector<int64_t>& s = rc.shapes[name];
    return rc.f32[name][(((size_t)l * s[1] + h) * s[2] + i) * s[3] + j];
}

class CaptureRef : public ::testing::Test {
protected:
    void SetUp() override {
        std::string err;
        ASSERT_TRUE(ref_load("tiny_f32_a", rc)) << "missing fixtures";
        ASSERT_TRUE(model_load_fixture(m, "tiny_f32", err)) << err;
        ASSERT_TRUE(model_forward(m, rc.ids, CaptureOptions(), cap, err)) << err;
    }
    RefCase rc;
    Model m;
    Capture cap;
};

TEST_F(CaptureRef, AccessorsIndexLikeTheReference) {
    const int T = cap.T, D = cap.D;
    for (int l = 0; l < cap.L; l++)
        for (int h = 0; h < cap.H; h++)
            for (int q = 0; q < T; q++) {
                const float* w = capture_weights_row(cap, l, h, q);
                const float* s = capture_scores_row(cap, l, h, q);
                ASSERT_TRUE(w && s);
                EXPECT_EQ(w, capture_head_weights(cap, l, h) + (size_t)q * T);
                for (int k = 0; k < T; k++) {
                    EXPECT_NEAR(w[k], ref_at(rc, "weights", l, h, q, k), 1e-5) << l << h << q << k;
                    EXPECT_NEAR(s[k], ref_at(rc, "scores", l, h, q, k), 1e-4) << l << h << q << k;
                }
                for (int d = 0; d < D; d++) {
                    EXPECT_NEAR(capture_q(cap, l, h)[(size_t)q * D + d], ref_at(rc, "q", l, h, q, d), 1e-4);
                    EXPECT_NEAR(capture_v(cap, l, h)[(size_t)q * D + d], ref_at(rc, "v", l, h, q, d), 1e-4);
                    EXPECT_NEAR(capture_head_out(cap, l, h)[(size_t)q * D + d], ref_at(rc, "head_out", l, h, q, d), 1e-4);
                }
            }
    // Streams: [T, C] embed and [L, T, C] residuals.
    const std::vector<float>& resid = rc.f32["resid_mlp"];
    for (int l = 0; l < cap.L; l++)
        for (int t = 0; t < T; t++)
            EXPECT_NEAR(capture_stream(cap, l, t)[3], resid[((size_t)l * T + t) * cap.C + 3], 1e-4);
    EXPECT_NEAR(capture_stream(cap, -1, T - 1)[5], rc.f32["embed"][(size_t)(T - 1) * cap.C + 5], 1e-5);
}

TEST_F(CaptureRef, AccessorsSayWhatIsMissing) {
    EXPECT_EQ(capture_head_weights(cap, cap.L, 0), nullptr);
    EXPECT_EQ(capture_head_weights(cap, 0, -1), nullptr);
    EXPECT_EQ(capture_weights_row(cap, 0, 0, cap.T), nullptr);
    EXPECT_EQ(capture_stream(cap, -2, 0), nullptr);
    EXPECT_EQ(capture_stream(cap, 0, cap.T), nullptr);
    EXPECT_EQ(capture_lens_ids(cap, 0, 0), nullptr);  // no lens requested
    // A big-capture layout: Q/K/V of one head only, no scores.
    CaptureOptions o;
    o.scores = false, o.qkv_layer = 1, o.qkv_head = 0;
    Capture one;
    std::string err;
    ASSERT_TRUE(model_forward(m, rc.ids, o, one, err)) << err;
    EXPECT_EQ(capture_scores_row(one, 1, 0, 0), nullptr);
    EXPECT_EQ(capture_q(one, 0, 0), nullptr);
    EXPECT_EQ(capture_k(one, 1, 1), nullptr);
    ASSERT_NE(capture_k(one, 1, 0), nullptr);
    EXPECT_NEAR(capture_k(one, 1, 0)[2 * one.D + 1], ref_at(rc, "k", 1, 0, 2, 1), 1e-4);
}

TEST_F(CaptureRef, LensAccessorMatchesTheReference) {
    CaptureOptions o;
    o.lens_top_k = rc.lens_k;
    Capture c;
    std::string err;
    ASSERT_TRUE(model_forward(m, rc.ids, o, c, err)) << err;
    const std::vector<int64_t>& s = rc.shapes["lens_ids"];
    ASSERT_EQ(s.size(), 3u);
    for (int l = 0; l < c.L; l++)
        for (int t = 0; t < c.T; t++) {
            ASSERT_NE(capture_lens_ids(c, l, t), nullptr);
            EXPECT_EQ(capture_lens_ids(c, l, t)[0], rc.i32["lens_ids"][((size_t)l * s[1] + t) * s[2]]) << l << "," << t;
            EXPECT_NEAR(capture_lens_probs(c, l, t)[0], rc.f32["lens_probs"][((size_t)l * s[1] + t) * s[2]], 1e-4);
        }
}

// Every number of the Math view: the reference's scores, weights and head output; weight × V sums to
// the output; the recomputed q.k/sqrt(D) of a capture without scores equals the captured one.
TEST_F(CaptureRef, AttentionStepsMatchTheReferenceWithAndWithoutScores) {
    CaptureOptions o;
    o.scores = false, o.qkv_layer = 1, o.qkv_head = 1;
    Capture big;
    std::string err;
    ASSERT_TRUE(model_forward(m, rc.ids, o, big, err)) << err;
    const int l = 1, h = 1, D = cap.D;
    for (int q : {0, 3, cap.T - 1}) {
        AttentionSteps a, b;
        ASSERT_TRUE(attention_steps(cap, l, h, q, a));
        ASSERT_TRUE(attention_steps(big, l, h, q, b));  // recomputed from Q and K
        for (int k = 0; k < cap.T; k++) {
            const float want = ref_at(rc, "scores", l, h, q, k);
            EXPECT_NEAR(a.scaled[k], want, 1e-4);
            EXPECT_NEAR(b.scaled[k], want, 1e-4);
            EXPECT_NEAR(b.dot[k], want * sqrtf((float)D), 1e-3);
            EXPECT_NEAR(a.weight[k], ref_at(rc, "weights", l, h, q, k), 1e-5);
            if (k > q) EXPECT_EQ(a.weight[k], 0.0f);
        }
        for (int d = 0; d < D; d++) {
            double sum = 0;
            for (int k = 0; k < cap.T; k++) sum += a.weighted_v[(size_t)k * D + d];
            EXPECT_NEAR(sum, ref_at(rc, "head_out", l, h, q, d), 1e-4);
            EXPECT_NEAR(a.out[d], ref_at(rc, "head_out", l, h, q, d), 1e-4);
        }
    }
    AttentionSteps none;
    EXPECT_FALSE(attention_steps(big, 0, 0, 0, none));  // that head's Q/K/V were not kept
    EXPECT_FALSE(attention_steps(cap, 0, 0, cap.T, none));
}

TEST(Vectors, CosineOfKnownVectors) {
    const float a[3] = {1, 0, 0}, b[3] = {0, 2, 0}, c[3] = {3, 0, 0}, z[3] = {0, 0, 0}, n[3] = {-1, 0, 0};
    EXPECT_FLOAT_EQ(vec_cosine(a, b, 3), 0.0f);
    EXPECT_FLOAT_EQ(vec_cosine(a, c, 3), 1.0f);
    EXPECT_FLOAT_EQ(vec_cosine(a, n, 3), -1.0f);
    EXPECT_FLOAT_EQ(vec_cosine(a, z, 3), 0.0f);
    const float d[2] = {1, 1}, e[2] = {1, 0};
    EXPECT_NEAR(vec_cosine(d, e, 2), 1 / sqrt(2.0), 1e-7);
}

TEST_F(CaptureRef, StreamDriftAndSimilarity) {
    std::vector<float> drift, same, other;
    capture_stream_drift(cap, 2, drift);
    ASSERT_EQ((int)drift.size(), cap.L);
    const std::vector<float>& resid = rc.f32["resid_mlp"];
    const float* in = rc.f32["embed"].data() + 2 * cap.C;
    for (int l = 0; l < cap.L; l++)
        EXPECT_NEAR(drift[l], vec_cosine(resid.data() + ((size_t)l * cap.T + 2) * cap.C, in, cap.C), 1e-5);
    capture_stream_similarity(cap, 4, cap, 4, same);
    ASSERT_EQ((int)same.size(), cap.L + 1);
    for (float s : same) EXPECT_NEAR(s, 1.0f, 1e-6);
    // ids_a has token 257 at positions 1 and 4: the same input embedding up to position, different contexts.
    capture_stream_similarity(cap, 1, cap, 4, other);
    ASSERT_EQ((int)other.size(), cap.L + 1);
    EXPECT_NEAR(other[0], vec_cosine(rc.f32["embed"].data() + cap.C, rc.f32["embed"].data() + 4 * cap.C, cap.C), 1e-6);
}

TEST_F(CaptureRef, NearestTokensAreTheBruteForceRanking) {
    const int id = rc.ids[2], k = 7;
    int ids[k];
    float sims[k];
    ASSERT_EQ(model_nearest_tokens(m, id, k, ids, sims), k);
    EXPECT_EQ(ids[0], id);
    EXPECT_NEAR(sims[0], 1.0f, 1e-6);
    // Independent ranking: every token's cosine to the wte row, from the weights themselves.
    const int C = m.cfg.n_embd, V = m.cfg.vocab_size;
    std::vector<std::pair<double, int>> all;
    for (int t = 0; t < V; t++) {
        double ab = 0, aa = 0, bb = 0;
        for (int c = 0; c < C; c++) {
            double x = m.w.wte[(size_t)id * C + c], y = m.w.wte[(size_t)t * C + c];
            ab += x * y, aa += x * x, bb += y * y;
        }
        all.push_back({-ab / sqrt(aa * bb), t});
    }
    std::sort(all.begin(), all.end());
    for (int i = 0; i < k; i++) {
        EXPECT_EQ(ids[i], all[i].second) << i;
        EXPECT_NEAR(sims[i], -all[i].first, 1e-5) << i;
    }
    EXPECT_EQ(model_nearest_tokens(m, V, k, ids, sims), 0);  // out of range: nothing
}

// ---- hand-built captures -----------------------------------------------------------------------------

static Capture hand_capture(int T, int L, int H) {
    Capture c;
    c.T = T, c.L = L, c.H = H, c.C = 4 * H, c.D = 4, c.V = 10;
    c.ids.assign(T, 0);
    c.weights.assign((size_t)L * H * T * T, 0.0f);
    return c;
}
static void set_row(Capture& c, int l, int h, int q, std::vector<float> row) {
    for (int k = 0; k < (int)row.size(); k++) c.weights[(((size_t)l * c.H + h) * c.T + q) * c.T + k] = row[k];
}

TEST(AttentionHeadMean, MeanOverHeadsRowsSumToOne) {
    Capture c = hand_capture(2, 1, 2);
    set_row(c, 0, 0, 0, {1, 0});
    set_row(c, 0, 1, 0, {1, 0});
    set_row(c, 0, 0, 1, {0.2f, 0.8f});
    set_row(c, 0, 1, 1, {0.6f, 0.4f});
    std::vector<float> mean;
    attention_head_mean(c, 0, mean);
    ASSERT_EQ(mean.size(), 4u);
    EXPECT_FLOAT_EQ(mean[0], 1.0f);
    EXPECT_FLOAT_EQ(mean[1], 0.0f);
    EXPECT_FLOAT_EQ(mean[2], 0.4f);
    EXPECT_FLOAT_EQ(mean[3], 0.6f);
    attention_head_mean(c, 1, mean);
    EXPECT_TRUE(mean.empty());
}

// Turns: "a", "\n\n" | "b", "a", "c": the last turn is tokens 2..4; token 3 repeats token 0's id.
TEST(AttentionTurns, SumsPerTurnAndRepeatedTokens) {
    Capture c = hand_capture(5, 1, 2);
    c.ids = {7, 1, 8, 7, 9};
    const std::vector<std::string> bytes = {"a", "\n\n", "b", "a", "c"};
    for (int h = 0; h < 2; h++) {
        set_row(c, 0, h, 0, {1});
        set_row(c, 0, h, 1, {0.5f, 0.5f});
    }
    // head 0: the last turn's queries look back into turn 1 with 0.5, 0.75, 0.25 of their weight.
    set_row(c, 0, 0, 2, {0.25f, 0.25f, 0.5f});
    set_row(c, 0, 0, 3, {0.5f, 0.25f, 0.0f, 0.25f});
    set_row(c, 0, 0, 4, {0.0f, 0.25f, 0.25f, 0.25f, 0.25f});
    // head 1: every query attends only to itself.
    set_row(c, 0, 1, 2, {0, 0, 1});
    set_row(c, 0, 1, 3, {0, 0, 0, 1});
    set_row(c, 0, 1, 4, {0, 0, 0, 0, 1});
    TurnAttention ta;
    attention_turns(c, bytes, 0, 0, ta);
    EXPECT_EQ(ta.turn, (std::vector<int>{0, 0, 1, 1, 1}));
    ASSERT_EQ(ta.n_turns, 2);
    EXPECT_EQ(ta.n_queries, 3);
    EXPECT_NEAR(ta.into_head[0], (0.5 + 0.75 + 0.25) / 3, 1e-6);
    EXPECT_NEAR(ta.into_head[1], (0.5 + 0.25 + 0.75) / 3, 1e-6);
    EXPECT_NEAR(ta.into_mean[0], (0.5 + 0.75 + 0.25) / 6, 1e-6);  // head 1 puts nothing there
    EXPECT_NEAR(ta.into_mean[1], (1.5 + 3.0) / 6, 1e-6);
    ASSERT_EQ(ta.repeats.size(), 1u);
    EXPECT_EQ(ta.repeats[0].token, 3);
    EXPECT_EQ(ta.repeats[0].seen, 1);
    EXPECT_FLOAT_EQ(ta.repeats[0].back, 0.5f);
    // A blank line in the last token does not open an empty turn.
    TurnAttention one;
    attention_turns(c, {"a", "b", "c", "d", "\n\n"}, 0, 1, one);
    EXPECT_EQ(one.n_turns, 1);
    EXPECT_EQ(one.n_queries, 5);
    // GPT-2's BPE makes "\n\n" two "\n" tokens (id 198 each); spaces on the blank line do not matter.
    attention_turns(c, {"a", "\n", " \n", "b", "c"}, 0, 1, one);
    EXPECT_EQ(one.turn, (std::vector<int>{0, 0, 0, 1, 1}));
    // One newline is not a blank line; text between newlines is not either.
    attention_turns(c, {"a", "\n", "b", "\n", "c"}, 0, 1, one);
    EXPECT_EQ(one.n_turns, 1);
}

}  // namespace
