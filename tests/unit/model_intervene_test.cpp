// Interventions (src/model/intervene.h) against the independent numpy reference: zero and mean
// ablation, knock-outs, patching and all together (fixtures ref_tiny_f32_iv_*, written by
// tests/reference/make_checkpoints.py); the reuse path under interventions; the list parsers.
#include "model_fixtures.h"

#include <random>

#include "model/intervene.h"

namespace {


std::vector<HeadRef> heads_of(const nlohmann::json& j) {
    std::vector<HeadRef> v;
    for (const auto& p : j) v.push_back({p[0].get<int>(), p[1].get<int>()});
    return v;
}

class ModelIntervene : public ::testing::TestWithParam<const char*> {};

TEST_P(ModelIntervene, MatchesNumpyReference) {
    RefCase rc;
    const std::string name = std::string("tiny_f32_") + GetParam();
    ASSERT_TRUE(ref_load(name, rc)) << "missing fixture ref_" << name << " (run tests/make_fixtures.sh)";
    std::string meta_text, err;
    ASSERT_TRUE(model_file_read(model_fixture("ref_" + name + ".json"), meta_text));
    const nlohmann::json meta = nlohmann::json::parse(meta_text)["interventions"];
    Model m;
    ASSERT_TRUE(model_load_fixture(m, rc.model, err)) << err;

    Interventions iv;
    Capture source;
    if (meta.contains("ablate")) {
        iv.ablate = heads_of(meta["ablate"]);
        iv.ablate_mean = meta["mode"] == "mean";
    }
    if (meta.contains("knockout"))
        for (const auto& e : meta["knockout"]) iv.knockout.push_back({e[0], e[1], e[2], e[3]});
    if (meta.contains("patch")) {
        iv.patch = heads_of(meta["patch"]);
        ASSERT_TRUE(model_forward(m, meta["patch_ids"].get<std::vector<int>>(), CaptureOptions(), source, err)) << err;
        iv.patch_source = &source;
    }
    Capture cap;
    ASSERT_TRUE(model_forward_iv(m, rc.ids, capture_everything(rc.lens_k), iv, cap, err)) << err;
    const double tol = 1e-4;
    EXPECT_TRUE(close_rel(cap.logits, rc.f32["logits"], tol)) << "logits";
    EXPECT_TRUE(close_rel(cap.weights, rc.f32["weights"], tol)) << "weights";
    EXPECT_TRUE(close_rel(cap.head_out, rc.f32["head_out"], tol)) << "head_out";
    EXPECT_TRUE(close_rel(cap.resid_attn, rc.f32["resid_attn"], tol)) << "resid_attn";
    EXPECT_TRUE(close_rel(cap.resid_mlp, rc.f32["resid_mlp"], tol)) << "resid_mlp";
    EXPECT_EQ(cap.lens_ids, rc.i32["lens_ids"]);
    EXPECT_EQ(cap.interventions, interventions_key(iv));

    // and the intervention changed something: the plain run differs from the reference's
    Capture plain;
    ASSERT_TRUE(model_forward(m, rc.ids, capture_everything(rc.lens_k), plain, err)) << err;
    EXPECT_FALSE(close_rel(plain.logits, rc.f32["logits"], 1e-3)) << "the intervention had no effect";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ModelIntervene,
                         ::testing::Values("iv_zero", "iv_mean", "iv_knockout", "iv_patch", "iv_all"));

class InterveneReuse : public ::testing::Test {
protected:
    void SetUp() override {
        std::string err;
        ASSERT_TRUE(model_load_fixture(m, "tiny_f32", err)) << err;
    }
    Model m;
};

// Growing and editing a text with zero ablation and knock-outs keeps the prefix (they act per position)
// and equals a full run; with a mean ablation the reuse path runs in full (reused = 0), equal too.
TEST_F(InterveneReuse, EditChainsEqualFullRuns) {
    std::mt19937 rng(5);
    for (bool mean : {false, true}) {
        Interventions iv;
        iv.ablate = {{0, 1}, {1, 0}};
        iv.ablate_mean = mean;
        iv.knockout = {{1, 1, 3, 1}, {0, 0, 6, 6}};
        CaptureOptions o;
        o.logits_all = true;
        Capture live, full;
        std::vector<int> ids = {5, 17, 42, 99, 7, 8, 300, 12};
        std::string err;
        ASSERT_TRUE(model_forward_iv(m, ids, o, iv, live, err)) << err;
        int total_reused = 0;
        for (int step = 0; step < 20; step++) {
            if (rng() % 3 == 0 && ids.size() > 8) ids.resize(ids.size() - 1 - rng() % 2);  // knock-outs need q >= 6
            else ids.push_back((int)(rng() % 320));
            if (ids.size() > 32) ids.resize(20);
            int reused = -1;
            ASSERT_TRUE(model_forward_reuse_iv(m, ids, o, iv, live, err, &reused)) << err;
            ASSERT_TRUE(model_forward_iv(m, ids, o, iv, full, err)) << err;
            total_reused += reused;
            if (mean) EXPECT_EQ(reused, 0) << "a mean ablation must not reuse the prefix";
            ASSERT_TRUE(close_rel(live.logits, full.logits, 1e-4)) << "step " << step;
            ASSERT_TRUE(close_rel(live.weights, full.weights, 1e-5)) << "step " << step;
            ASSERT_TRUE(close_rel(live.head_out, full.head_out, 1e-4)) << "step " << step;
        }
        if (!mean) EXPECT_GT(total_reused, 20 * 6) << "zero ablation and knock-outs should keep the prefix";
    }
    // a capture made without interventions is not reused for a run with them, and vice versa
    Capture cap;
    std::string err;
    CaptureOptions o;
    ASSERT_TRUE(model_forward(m, {5, 17, 42, 99, 7, 8, 300}, o, cap, err)) << err;
    Interventions iv;
    iv.ablate = {{1, 1}};
    int reused = -1;
    ASSERT_TRUE(model_forward_reuse_iv(m, {5, 17, 42, 99, 7, 8, 300, 4}, o, iv, cap, err, &reused)) << err;
    EXPECT_EQ(reused, 0);
    ASSERT_TRUE(model_forward_reuse(m, {5, 17, 42, 99, 7, 8, 300, 4, 9}, o, cap, err, &reused)) << err;
    EXPECT_EQ(reused, 0);
}

TEST_F(InterveneReuse, BadReferencesAreRefusedWithAMessage) {
    Capture cap, src;
    std::string err;
    const std::vector<int> ids = {5, 17, 42, 99};
    Interventions iv;
    iv.ablate = {{2, 0}};                                         // tiny_f32 has 2 layers x 2 heads
    EXPECT_FALSE(model_forward_iv(m, ids, CaptureOptions(), iv, cap, err));
    EXPECT_NE(err.find("outside the model's 2 layers x 2 heads"), std::string::npos) << err;
    iv = Interventions();
    iv.knockout = {{0, 0, 2, 3}};                                 // a key after the query
    EXPECT_FALSE(model_forward_iv(m, ids, CaptureOptions(), iv, cap, err));
    EXPECT_NE(err.find("key <= query"), std::string::npos) << err;
    iv.knockout = {{0, 0, 4, 0}};                                 // a query past the text
    EXPECT_FALSE(model_forward_iv(m, ids, CaptureOptions(), iv, cap, err));
    iv = Interventions();
    iv.patch = {{0, 0}};
    EXPECT_FALSE(model_forward_iv(m, ids, CaptureOptions(), iv, cap, err));
    EXPECT_NE(err.find("second text"), std::string::npos) << err;
    ASSERT_TRUE(model_forward(m, {1, 2, 3}, CaptureOptions(), src, err)) << err;
    iv.patch_source = &src;
    EXPECT_FALSE(model_forward_iv(m, ids, CaptureOptions(), iv, cap, err));
    EXPECT_NE(err.find("same number of tokens (4 and 3)"), std::string::npos) << err;
}

TEST(InterveneParse, ListsAndTheirErrors) {
    std::vector<HeadRef> heads;
    std::vector<AttentionEdge> edges;
    std::string err;
    ASSERT_TRUE(parse_heads("1.3,0.0,11.11", heads, err)) << err;
    ASSERT_EQ(heads.size(), 3u);
    EXPECT_EQ(heads[2].layer, 11);
    EXPECT_EQ(heads[2].head, 11);
    ASSERT_TRUE(parse_edges("1.3:7:2", edges, err)) << err;
    ASSERT_EQ(edges.size(), 1u);
    EXPECT_EQ(edges[0].query, 7);
    EXPECT_EQ(edges[0].key, 2);
    EXPECT_TRUE(parse_heads("", heads, err) && heads.empty());
    for (const char* bad : {"1", "1.", ".1", "1.3,", "a.b", "-1.2", "1.2.3", "1 .2", "9999999.1"}) {
        EXPECT_FALSE(parse_heads(bad, heads, err)) << bad;
        EXPECT_TRUE(heads.empty());
    }
    for (const char* bad : {"1.3:7", "1.3:7:", "1.3::2", "1:3:7.2", "1.3:7:2:1", "x"})
        EXPECT_FALSE(parse_edges(bad, edges, err)) << bad;
    EXPECT_NE(err.find("layer.head:query:key"), std::string::npos) << err;

    Interventions a, b;
    a.ablate = {{1, 1}, {0, 2}, {1, 1}};
    a.knockout = {{0, 1, 5, 2}};
    b.knockout = {{0, 1, 5, 2}};
    b.ablate = {{0, 2}, {1, 1}};
    EXPECT_EQ(interventions_key(a), interventions_key(b));
    EXPECT_EQ(interventions_key(a), "ablate=zero:0.2,1.1;knockout=0.1:5:2");
    b.ablate_mean = true;
    EXPECT_NE(interventions_key(a), interventions_key(b));
    EXPECT_EQ(interventions_key(Interventions()), "");
}

}  // namespace

namespace {

// patch_scan equals one model_forward_iv per head, in slices or all at once; patching every head of the
// last layer from a run of the same text changes nothing.
TEST_F(InterveneReuse, PatchScanEqualsSingleHeadRuns) {
    std::string err;
    const std::vector<int> clean = {40, 257, 90, 290, 257, 37, 13, 63}, corrupt = {41, 258, 91, 291, 258, 38, 14, 64};
    Capture source, same;
    ASSERT_TRUE(model_forward(m, corrupt, CaptureOptions(), source, err)) << err;
    ASSERT_TRUE(model_forward(m, clean, CaptureOptions(), same, err)) << err;
    std::vector<float> all, sliced;
    ASSERT_TRUE(patch_scan(m, clean, source, 5, 9, 0, 4, all, err)) << err;
    ASSERT_TRUE(patch_scan(m, clean, source, 5, 9, 0, 1, sliced, err)) << err;
    ASSERT_TRUE(patch_scan(m, clean, source, 5, 9, 1, 4, sliced, err)) << err;
    EXPECT_EQ(all, sliced);
    // a caller's clean run (computed once for a sliced scan) gives the same scores; another text's is refused
    Capture clean_run, other_run;
    ASSERT_TRUE(patch_clean_run(m, clean, clean_run, err)) << err;
    std::vector<float> given;
    for (int i = 0; i < 4; i++) ASSERT_TRUE(patch_scan(m, clean, source, 5, 9, i, i + 1, given, err, &clean_run)) << err;
    EXPECT_EQ(all, given);
    ASSERT_TRUE(patch_clean_run(m, corrupt, other_run, err)) << err;
    EXPECT_FALSE(patch_scan(m, clean, source, 5, 9, 0, 4, given, err, &other_run));
    bool any_change = false;
    Capture plain;
    ASSERT_TRUE(model_forward(m, clean, CaptureOptions(), plain, err)) << err;
    for (int i = 0; i < 4; i++) {
        Interventions iv;
        iv.patch = {{i / 2, i % 2}};
        iv.patch_source = &source;
        Capture cap;
        ASSERT_TRUE(model_forward_iv(m, clean, CaptureOptions(), iv, cap, err)) << err;
        EXPECT_FLOAT_EQ(all[i], cap.logits[5] - cap.logits[9]) << "head " << i;
        any_change |= std::fabs(all[i] - (plain.logits[5] - plain.logits[9])) > 1e-4f;
    }
    EXPECT_TRUE(any_change);
    std::vector<float> self;
    ASSERT_TRUE(patch_scan(m, clean, same, 5, 9, 0, 4, self, err)) << err;
    for (float d : self) EXPECT_NEAR(d, plain.logits[5] - plain.logits[9], 1e-4f);
    EXPECT_FALSE(patch_scan(m, clean, source, 5, 320, 0, 4, all, err));
    EXPECT_FALSE(patch_scan(m, clean, source, 5, 9, 0, 5, all, err));
}

}  // namespace
