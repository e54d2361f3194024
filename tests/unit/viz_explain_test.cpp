// Scenes of the Math, Embed and Context views (src/viz/views.cpp): every number they print is the one
// handed in (from src/model's derived quantities), hits name the tokens, and each writes a well-formed
// SVG like the other views.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "model/model.h"
#include "viz/svg.h"
#include "viz/views.h"
#include "viz_test_util.h"

namespace {

static std::vector<std::string> texts(const VizScene& s, VizRole role, int tag0 = -2, int tag1 = -2) {
    std::vector<std::string> out;
    for (const VizPrim& p : s.prims)
        if (p.kind == VIZ_TEXT && p.role == role && (tag0 == -2 || p.tag0 == tag0) && (tag1 == -2 || p.tag1 == tag1))
            out.push_back(viz_prim_text(s, p));
    return out;
}

static bool has_text(const VizScene& s, const std::string& needle) {
    for (const VizPrim& p : s.prims)
        if (p.kind == VIZ_TEXT && std::string(viz_prim_text(s, p)).find(needle) != std::string::npos) return true;
    return false;
}

static int count_svg(const std::string& svg, const std::string& needle) {
    int n = 0;
    for (size_t i = svg.find(needle); i != std::string::npos; i = svg.find(needle, i + 1)) n++;
    return n;
}

// Query 2 of 4 tokens, D = 2: keys 0..2 visible, key 3 masked.
static AttentionSteps steps_q2() {
    AttentionSteps st;
    st.layer = 1, st.head = 0, st.q = 2, st.T = 4, st.D = 2;
    st.dot = {2.0f, -1.0f, 0.5f, 9.0f};
    st.scaled = {1.41421f, -0.70711f, 0.35355f, 6.36396f};
    st.weight = {0.6f, 0.1f, 0.3f, 0.0f};
    st.weighted_v = {0.6f, -0.06f, 0.01f, 0.02f, -0.3f, 0.15f, 0.0f, 0.0f};
    st.out = {0.31f, 0.11f};
    return st;
}

TEST(VizMath, RowPerKeyWithTheGivenNumbersAndTheMask) {
    VizScene s;
    const AttentionSteps st = steps_q2();
    VizRect used = viz_math_build(s, st, {"I", " have", " a", " dog"}, 2, -1, {0, 0, 700, 0}, viz_theme_light());
    EXPECT_GT(used.h, 4 * viz_theme_light().font_size);
    // One token hit per key, in order.
    int hits = 0;
    for (const VizHitRegion& r : s.hits) {
        if (r.hit.kind == VIZ_HIT_TOKEN) EXPECT_EQ(r.hit.row, hits++);
    }
    EXPECT_EQ(hits, 4);
    // The numbers of each key: Q·K, ÷√d, the softmax weight.
    EXPECT_EQ(texts(s, VIZ_ROLE_VALUE, 2, 0), (std::vector<std::string>{"2.000", "1.414", "0.6000"}));
    EXPECT_EQ(texts(s, VIZ_ROLE_VALUE, 2, 1), (std::vector<std::string>{"-1.000", "-0.707", "0.1000"}));
    // Key 3 is masked: one masked cell, −∞, weight 0, and no weight × V numbers.
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_MASKED), 1);
    ASSERT_NE(viz_test_find(s, VIZ_ROLE_MASKED, 2, 3), nullptr);
    EXPECT_EQ(texts(s, VIZ_ROLE_VALUE, 2, 3), (std::vector<std::string>{"9.000", "6.364", "\xE2\x88\x92\xE2\x88\x9E", "0.0000"}));
    EXPECT_TRUE(texts(s, VIZ_ROLE_VALUE, 3, 0).empty());
    // weight × V (first dims) of the visible keys only.
    EXPECT_EQ(texts(s, VIZ_ROLE_COMPONENT, 0, 0), (std::vector<std::string>{"+0.600"}));
    EXPECT_EQ(texts(s, VIZ_ROLE_COMPONENT, 2, 1), (std::vector<std::string>{"+0.150"}));
    EXPECT_EQ(texts(s, VIZ_ROLE_COMPONENT).size(), 6u);
    EXPECT_EQ(texts(s, VIZ_ROLE_VALUE, 2, -1), (std::vector<std::string>{"1.0000", "output (2 dims): +0.310 +0.110 "}));
    // The query's own row is marked; the labels carry the token positions.
    EXPECT_NE(viz_test_find(s, VIZ_ROLE_ROW, 2, -1), nullptr);
    EXPECT_TRUE(has_text(s, "3 \xC2\xB7" "dog"));
    std::string svg;
    viz_svg_write(s, svg);
    EXPECT_EQ(count_svg(svg, "class=\"masked\""), 1);
    EXPECT_EQ(svg.find("<svg"), 0u);
}

TEST(VizMath, ClippedRowsAreSkippedButTheLayoutKeepsItsHeight) {
    AttentionSteps st;
    const int T = 400;
    st.q = T - 1, st.T = T, st.D = 1;
    st.dot.assign(T, 1), st.scaled.assign(T, 1), st.weight.assign(T, 1.0f / T), st.weighted_v.assign(T, 0), st.out = {0};
    VizScene all, clipped;
    const VizTheme th = viz_theme_dark();
    VizRect a = viz_math_build(all, st, {}, 1, -1, {0, 0, 600, 0}, th);
    clipped.clip = {0, 0, 600, 200};
    VizRect b = viz_math_build(clipped, st, {}, 1, -1, {0, 0, 600, 0}, th);
    EXPECT_EQ(a.h, b.h);
    EXPECT_LT(clipped.prims.size() * 5, all.prims.size());
    EXPECT_GT(clipped.hits.size(), 0u);  // the visible rows can still be hovered
    EXPECT_LT(clipped.hits.size(), all.hits.size());
}

TEST(VizMath, NothingSelectedSaysSo) {
    VizScene s;
    viz_math_build(s, AttentionSteps(), {}, 4, -1, {0, 0, 300, 0}, viz_theme_light());
    EXPECT_TRUE(has_text(s, "Select a token"));
}

TEST(VizVector, StripHasACellPerComponentSignedColours) {
    VizScene s;
    const float v[4] = {1.0f, -0.5f, 0.0f, -1.0f};
    viz_vector_strip(s, v, 4, {0, 0, 40, 10}, 7, viz_theme_light());
    ASSERT_EQ(viz_test_count(s, VIZ_ROLE_COMPONENT), 4);
    const VizPrim* p0 = viz_test_find(s, VIZ_ROLE_COMPONENT, 7, 0);
    const VizPrim* p1 = viz_test_find(s, VIZ_ROLE_COMPONENT, 7, 1);
    const VizPrim* p3 = viz_test_find(s, VIZ_ROLE_COMPONENT, 7, 3);
    ASSERT_TRUE(p0 && p1 && p3);
    EXPECT_GT(p0->col.r, p0->col.b);  // positive: red
    EXPECT_GT(p3->col.b, p3->col.r);  // negative: blue
    EXPECT_EQ(p0->col.a, 255);        // opacity ∝ |v| / max |v|
    EXPECT_NEAR(p1->col.a, 128, 1);
    EXPECT_EQ(viz_test_find(s, VIZ_ROLE_COMPONENT, 7, 2)->col.a, 0);
    EXPECT_FLOAT_EQ(p1->x0, 10.0f);
}

TEST(VizEmbed, StripsForTheEmbeddingAndEveryLayerWithNearestTokens) {
    Capture c = viz_test_capture(3, 2, 1);
    c.C = 4;
    c.embed.assign(3 * 4, 0.5f);
    c.resid_mlp.assign(2 * 3 * 4, -0.25f);
    const float e[4] = {1, 2, 3, 4}, drift[2] = {0.9f, 0.5f}, sims[2] = {1.0f, 0.75f};
    const int near[2] = {1, 2};
    const std::vector<std::string> vocab = {"x", " dog", " cat"};
    VizEmbedData d;
    d.embedding = e, d.C = 4, d.nearest_ids = near, d.nearest_sims = sims, d.n_nearest = 2, d.vocab = &vocab;
    d.cap = &c, d.token = 1, d.drift = drift;
    VizScene s;
    viz_embed_build(s, d, {0, 0, 500, 0}, viz_theme_dark());
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_COMPONENT), 4 * (2 + 2));  // embedding, input stream, 2 layers
    EXPECT_EQ(texts(s, VIZ_ROLE_VALUE, 1, 2), (std::vector<std::string>{"\xE2\x80\x9C\xC2\xB7" "cat\xE2\x80\x9D 0.75"}));
    EXPECT_TRUE(has_text(s, "after layer 1  (cosine to the input 0.50, derived)"));
    EXPECT_TRUE(has_text(s, "(derived)"));
    std::string svg;
    viz_svg_write(s, svg);
    EXPECT_EQ(count_svg(svg, "class=\"component\""), 16);
}

TEST(VizContext, TurnBarsAndRepeatsFromTheGivenSums) {
    TurnAttention ta;
    ta.turn = {0, 0, 1, 1, 1};
    ta.n_turns = 2, ta.n_queries = 3;
    ta.into_head = {0.5f, 0.5f};
    ta.into_mean = {0.25f, 0.75f};
    ta.repeats = {{3, 1, 0.5f}};
    VizScene s;
    viz_context_build(s, ta, {"a", "\n\n", "b", "a", "c"}, 5, 32, 1, 0, {0, 0, 700, 0}, viz_theme_light());
    EXPECT_TRUE(has_text(s, "5 / 32 tokens"));
    EXPECT_EQ(texts(s, VIZ_ROLE_VALUE, 1, 1), (std::vector<std::string>{"0.750"}));
    EXPECT_EQ(texts(s, VIZ_ROLE_VALUE, 0, 0), (std::vector<std::string>{"0.500"}));
    ASSERT_NE(viz_test_find(s, VIZ_ROLE_BAR, 1, 1), nullptr);
    EXPECT_TRUE(has_text(s, "2 (last)"));
    EXPECT_TRUE(has_text(s, "\xE2\x80\x9C" "a\xE2\x80\x9D (token 3) seen 1 time before: 0.50 of its attention (layer 1 head 0)"));
    int token_hits = 0;
    for (const VizHitRegion& r : s.hits) token_hits += r.hit.kind == VIZ_HIT_TOKEN && r.hit.row == 3;
    EXPECT_EQ(token_hits, 1);
    ta.repeats.clear();
    viz_scene_clear(s);
    viz_context_build(s, ta, {}, 5, 32, 1, 0, {0, 0, 700, 0}, viz_theme_light());
    EXPECT_TRUE(has_text(s, "(none: repeat a word from an earlier turn)"));
}

}  // namespace
