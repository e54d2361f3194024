// model_forward_reuse (the keystroke path) against model_forward: after every edit of a chain of
// edits, the re-used capture equals a fresh full run in every field, and only the changed tail was
// computed. The numpy reference closes the chain.
#include <random>

#include "model_fixtures.h"

static void expect_same_capture(const Capture& got, const Capture& want, const std::string& where) {
    EXPECT_EQ(got.T, want.T) << where;
    EXPECT_EQ(got.ids, want.ids) << where;
    // Same code on fewer rows: the GEMM's blocking differs, so equal up to float rounding (as the KV step).
    const double tol = 1e-4;
    EXPECT_TRUE(close_rel(got.scores, want.scores, tol)) << where << " scores";
    EXPECT_TRUE(close_rel(got.weights, want.weights, tol)) << where << " weights";
    EXPECT_TRUE(close_rel(got.q, want.q, tol)) << where << " q";
    EXPECT_TRUE(close_rel(got.k, want.k, tol)) << where << " k";
    EXPECT_TRUE(close_rel(got.v, want.v, tol)) << where << " v";
    EXPECT_TRUE(close_rel(got.head_out, want.head_out, tol)) << where << " head_out";
    EXPECT_TRUE(close_rel(got.embed, want.embed, tol)) << where << " embed";
    EXPECT_TRUE(close_rel(got.resid_attn, want.resid_attn, tol)) << where << " resid_attn";
    EXPECT_TRUE(close_rel(got.resid_mlp, want.resid_mlp, tol)) << where << " resid_mlp";
    EXPECT_TRUE(close_rel(got.logits, want.logits, tol)) << where << " logits";
    EXPECT_EQ(got.lens_ids, want.lens_ids) << where;
    EXPECT_TRUE(close_rel(got.lens_probs, want.lens_probs, tol)) << where << " lens";
    for (size_t i = 0; i < got.weights.size(); i++)  // masked entries stay exactly 0
        if (want.weights[i] == 0.0f) ASSERT_EQ(got.weights[i], 0.0f) << where << " at " << i;
}

class ModelReuse : public ::testing::Test {
protected:
    void SetUp() override {
        std::string err;
        ASSERT_TRUE(ref_load("tiny_f32_a", rc)) << "missing fixtures";
        ASSERT_TRUE(model_load_fixture(m, "tiny_f32", err)) << err;
    }
    RefCase rc;
    Model m;
};

// lens_mode 0: lens at every position; 1: at the last (as the app does for longer texts); 2: alternate;
// 3: the lens switched on and off between runs (the app computes it only for the Predict view).
static void run_chain(const Model& m, CaptureOptions o, int lens_mode, uint32_t seed, int* reused_total) {
    std::mt19937 rng(seed);
    const int V = m.cfg.vocab_size, maxT = m.cfg.n_positions;
    std::vector<int> ids = {1, 2, 3};
    std::vector<int> prev;                                       // the ids cap holds (none yet)
    Capture cap, full;
    std::string err;
    for (int step = 0; step < 60; step++) {
        switch (rng() % 5) {
            case 0: case 1:                                      // type: one or two tokens at the end
                for (int i = 0, n = 1 + rng() % 2; i < n && (int)ids.size() < maxT; i++) ids.push_back(rng() % V);
                break;
            case 2:                                              // the last token changes (a word grows)
                ids.back() = rng() % V;
                break;
            case 3:                                              // backspace over a token
                if (ids.size() > 1) ids.pop_back();
                break;
            default:                                             // an edit in the middle
                ids[rng() % ids.size()] = rng() % V;
                break;
        }
        if (lens_mode == 1) o.lens_pos = (int)ids.size() - 1;
        if (lens_mode == 2) o.lens_pos = step % 2 ? (int)ids.size() - 1 : -1;
        if (lens_mode == 3) o.lens_top_k = step % 3 == 0 ? 0 : step % 3 == 1 ? 3 : 2;  // the lens comes and goes
        int reused = -1;
        ASSERT_TRUE(model_forward_reuse(m, ids, o, cap, err, &reused)) << err;
        ASSERT_TRUE(model_forward(m, ids, o, full, err)) << err;
        size_t common = 0;
        while (common < ids.size() && common < prev.size() && ids[common] == prev[common]) common++;
        EXPECT_EQ(reused, (int)std::min(common, ids.size() - 1)) << "step " << step;
        *reused_total += reused;
        prev = ids;
        expect_same_capture(cap, full, "step " + std::to_string(step));
        if (::testing::Test::HasFailure()) return;
    }
}

TEST_F(ModelReuse, EditChainsMatchTheFullForward) {
    CaptureOptions o;                                            // everything the app captures
    o.lens_top_k = 3;
    o.logits_all = true;
    for (int mode = 0; mode < 4; mode++) {
        int reused = 0;
        run_chain(m, o, mode, 11 + mode, &reused);
        EXPECT_GT(reused, 60 * 5) << "mode " << mode;             // most tokens were not recomputed
    }
    o.logits_all = false;                                        // last-position logits, weights only
    o.scores = false;
    int reused = 0;
    run_chain(m, o, 1, 5, &reused);
    EXPECT_GT(reused, 60 * 5) << "without scores and logits_all the prefix is still reused";
}

TEST_F(ModelReuse, WithoutEveryHeadsKeysItIsAFullRun) {
    CaptureOptions o;
    o.qkv_layer = 1, o.qkv_head = 0;                             // one head's K/V only: nothing to reuse
    Capture cap, full;
    std::string err;
    int reused = -1;
    std::vector<int> ids = {5, 6, 7, 8};
    ASSERT_TRUE(model_forward_reuse(m, ids, o, cap, err, &reused)) << err;
    ids.push_back(9);
    ASSERT_TRUE(model_forward_reuse(m, ids, o, cap, err, &reused)) << err;
    EXPECT_EQ(reused, 0);
    ASSERT_TRUE(model_forward(m, ids, o, full, err)) << err;
    expect_same_capture(cap, full, "one head");
    CaptureOptions all;                                          // other options than the capture: full run
    ASSERT_TRUE(model_forward_reuse(m, ids, all, cap, err, &reused)) << err;
    EXPECT_EQ(reused, 0);
    EXPECT_FALSE(model_forward_reuse(m, {1, m.cfg.vocab_size}, all, cap, err, &reused));  // bad ids still refused
}

TEST_F(ModelReuse, GrownTokenByTokenEqualsTheNumpyReference) {
    CaptureOptions o;
    o.lens_top_k = rc.lens_k;
    o.logits_all = true;
    Capture cap;
    std::string err;
    for (size_t t = 1; t <= rc.ids.size(); t++) {
        int reused = -1;
        ASSERT_TRUE(model_forward_reuse(m, std::vector<int>(rc.ids.begin(), rc.ids.begin() + t), o, cap, err, &reused));
        EXPECT_EQ(reused, (int)t - 1);
    }
    EXPECT_TRUE(close_rel(cap.weights, rc.f32["weights"], 1e-4));
    EXPECT_TRUE(close_rel(cap.scores, rc.f32["scores"], 1e-4));
    EXPECT_TRUE(close_rel(cap.logits, rc.f32["logits"], 1e-4));
    EXPECT_TRUE(close_rel(cap.resid_mlp, rc.f32["resid_mlp"], 1e-4));
    EXPECT_TRUE(close_rel(cap.q, rc.f32["q"], 1e-4));
    EXPECT_TRUE(close_rel(cap.lens_probs, rc.f32["lens_probs"], 1e-4));
    EXPECT_EQ(cap.lens_ids, rc.i32["lens_ids"]);
}
