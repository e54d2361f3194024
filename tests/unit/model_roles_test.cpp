// Head roles (src/model/roles.h) on a checkpoint with planted heads (tests/reference/make_checkpoints.py,
// write_planted): head 0.0 is an exact previous-token head and head 1.0 an exact induction head; the
// scores must find them, and the two uniform heads must not look like either.
#include "model_fixtures.h"

#include "model/roles.h"

namespace {

TEST(ModelRoles, PlantedHeadsAreFound) {
    Model m;
    std::string err;
    ASSERT_TRUE(model_load_fixture(m, "planted", err)) << err;
    std::vector<HeadRoles> roles;
    HeadRoles even;
    ASSERT_TRUE(head_roles(m, {}, roles, err, 4, 1, &even)) << err;
    ASSERT_EQ(roles.size(), 4u);
    const HeadRoles &prev = roles[0], &uniform0 = roles[1], &ind = roles[2], &uniform1 = roles[3];
    EXPECT_EQ(prev.layer, 0);
    EXPECT_EQ(ind.layer, 1);
    EXPECT_EQ(ind.head, 0);
    EXPECT_GT(prev.previous_token, 0.95f);
    EXPECT_GT(ind.induction, 0.95f);
    EXPECT_STREQ(prev.top_role(even), "previous_token");
    EXPECT_STREQ(ind.top_role(even), "induction");
    // the two heads of the planted model that attend evenly score the baseline exactly
    EXPECT_NEAR(uniform0.previous_token, even.previous_token, 1e-5);
    EXPECT_NEAR(uniform1.local, even.local, 1e-5);
    EXPECT_NEAR(uniform0.induction, even.induction, 1e-5);
    for (const HeadRoles* u : {&uniform0, &uniform1}) {
        EXPECT_LT(u->previous_token, 0.2f);
        EXPECT_LT(u->induction, 0.1f);
        EXPECT_LT(u->duplicate_token, 0.1f);
    }
    EXPECT_LT(prev.induction, 0.05f);       // the previous-token head is not an induction head
    EXPECT_LT(ind.previous_token, 0.2f);    // and vice versa
    EXPECT_LT(ind.duplicate_token, 0.05f);  // it looks one after the earlier copy, not at it
}

TEST(ModelRoles, ProbesAreSeededRepeatsAndTextCounts) {
    Model m;
    std::string err;
    ASSERT_TRUE(model_load_fixture(m, "planted", err)) << err;
    int n = 0, n2 = 0;
    auto a = role_probes(m.cfg, 4, 1, n), b = role_probes(m.cfg, 4, 1, n2), c = role_probes(m.cfg, 4, 2, n2);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_EQ(n, 15);  // (32 - 1) / 2
    for (const auto& ids : a) {
        ASSERT_EQ((int)ids.size(), 1 + 2 * n);
        EXPECT_EQ(ids[0], m.cfg.vocab_size - 1);
        for (int i = 1; i <= n; i++) EXPECT_EQ(ids[i], ids[i + n]);
    }
    // a text without repeats changes the text-based scores but not the repeat-based ones
    std::vector<HeadRoles> plain, with_text;
    ASSERT_TRUE(head_roles(m, {}, plain, err)) << err;
    ASSERT_TRUE(head_roles(m, {3, 44, 105, 7, 260, 81, 12, 19, 200, 301}, with_text, err)) << err;
    EXPECT_EQ(plain[2].induction, with_text[2].induction);
    EXPECT_NE(plain[1].first_token, with_text[1].first_token);
    EXPECT_GT(with_text[0].previous_token, 0.95f);
}

}  // namespace

// "Heads like this one": cosine similarity of [T, T] patterns, worked by hand on three 2-token heads.
TEST(ModelRoles, HeadsLikeRanksByPatternSimilarity) {
    Capture cap;
    cap.T = 2, cap.L = 1, cap.H = 3;
    cap.weights = {1, 0, 0, 1,   // head 0: each token attends to itself
                   1, 0, 1, 0,   // head 1: everything to the first token; cos with head 0 = 1 / (√2 √2) = 0.5
                   1, 0, 0, 1};  // head 2: like head 0
    std::vector<HeadSimilarity> like = heads_like(cap, 0, 0);
    ASSERT_EQ(like.size(), 2u);
    EXPECT_EQ(like[0].head, 2);
    EXPECT_FLOAT_EQ(like[0].similarity, 1.0f);
    EXPECT_EQ(like[1].head, 1);
    EXPECT_FLOAT_EQ(like[1].similarity, 0.5f);
    EXPECT_TRUE(heads_like(cap, 0, 3).empty());
    EXPECT_TRUE(heads_like(Capture(), 0, 0).empty());
}
