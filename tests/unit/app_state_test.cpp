// The page's state layer (src/app/app.cpp), natively: the capture policy, text -> tokens -> capture,
// the keystroke path, the state JSON's selected row, partial updates with notices, seeded steps.
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "model_fixtures.h"

namespace {

class AppState : public ::testing::Test {
protected:
    void SetUp() override {
        Model* m = new Model();
        std::string err;
        ASSERT_TRUE(model_load_fixture(*m, "tiny_f32", err)) << err;
        m->name = "tiny";
        app_add_model(app, m);
    }
    void TearDown() override {
        for (Model* m : app.models) delete m;
    }
    App app;
};

TEST(AppCaptureOptions, SmallCapturesKeepEverythingBigOnesTheSelectedHead) {
    GPT2Config tiny;
    tiny.n_layer = 4, tiny.n_head = 4, tiny.n_embd = 128, tiny.n_positions = 128, tiny.vocab_size = 4096;
    CaptureOptions o = app_capture_options(tiny, 128, VIEW_MATRIX, 1, 2);
    EXPECT_TRUE(o.attention && o.scores && o.qkv && o.residuals);
    EXPECT_EQ(o.qkv_layer, -1);
    EXPECT_EQ(o.qkv_head, -1);
    EXPECT_EQ(o.lens_top_k, 0);  // the lens only for the Predict view
    o = app_capture_options(tiny, 8, VIEW_PREDICT, 1, 2);
    EXPECT_EQ(o.lens_top_k, 3);
    EXPECT_EQ(o.lens_pos, -1);   // L·T·V·C = 16.8M multiply-adds: the lens at every position
    o = app_capture_options(tiny, 16, VIEW_PREDICT, 1, 2);
    EXPECT_EQ(o.lens_pos, 15);   // 33.6M > 32M: the last position only
    GPT2Config small;            // GPT-2 small
    small.n_layer = 12, small.n_head = 12, small.n_embd = 768, small.n_positions = 1024, small.vocab_size = 50257;
    o = app_capture_options(small, 1024, VIEW_PREDICT, 3, 5);
    EXPECT_GT(capture_bytes(small, 1024, app_capture_options(small, 1024, VIEW_MATRIX, 0, 0)), 0u);
    EXPECT_FALSE(o.scores);
    EXPECT_EQ(o.qkv_layer, 3);
    EXPECT_EQ(o.qkv_head, 5);
    EXPECT_EQ(o.lens_pos, 1023);
    EXPECT_LE(capture_bytes(small, 1024, o), (size_t)1300 << 20);
    o = app_capture_options(small, 8, VIEW_MATRIX, 3, 5);  // a short text stays small: everything
    EXPECT_TRUE(o.scores);
    EXPECT_EQ(o.qkv_layer, -1);
}

TEST_F(AppState, TextRunsTheModelAndTheStateNamesTheSelectedRow) {
    app_set_text(app, "I have a dog");
    ASSERT_GT(app.cap.T, 0);
    EXPECT_EQ(app.cap.ids, app.ids);
    EXPECT_EQ(app.ids, tokenizer_encode_ids(app.models[0]->tok, "I have a dog"));
    EXPECT_EQ(app_selected_token(app), app.cap.T - 1);  // nothing hovered or locked: the last token
    app.layer = 1, app.head = 1, app.locked_token = 2;
    nlohmann::json st = nlohmann::json::parse(app_state_json(app));
    EXPECT_EQ(st["token"], 2);
    std::vector<float> row = st["row"].get<std::vector<float>>();
    const float* want = capture_weights_row(app.cap, 1, 1, 2);
    ASSERT_EQ((int)row.size(), app.cap.T);
    double sum = 0;
    for (int k = 0; k < app.cap.T; k++) {
        EXPECT_FLOAT_EQ(row[k], want[k]);
        sum += row[k];
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
    EXPECT_EQ(row[3], 0.0f);  // masked
    EXPECT_NE(app_describe(app).find("Layer 1, head 1"), std::string::npos);
    EXPECT_EQ(st["model"]["params"], gpt2_num_params(app.models[0]->cfg));
}

TEST_F(AppState, TypingAtTheEndReusesTheCaptureAndEqualsAFreshRun) {
    app_set_text(app, "I have a dog and a cat");
    const int T0 = app.cap.T;
    app_set_text(app, "I have a dog and a cat.");
    EXPECT_GT(app.tokens_reused, 0);
    EXPECT_LT(app.tokens_reused, app.cap.T);
    EXPECT_GE(app.cap.T, T0);
    Capture fresh;
    std::string err;
    ASSERT_TRUE(model_forward(*app.models[0], app.ids, app.cap_opt, fresh, err)) << err;
    EXPECT_TRUE(close_rel(app.cap.weights, fresh.weights, 1e-4));
    EXPECT_TRUE(close_rel(app.cap.logits, fresh.logits, 1e-4));
}

TEST_F(AppState, ApplyJsonTakesValidValuesAndNamesTheRest) {
    app_set_text(app, "one two three");
    std::string notice = app_apply_json(app, R"({"view":"heads","layer":1,"head":0,"temperature":0.5,"top_k":5})");
    EXPECT_EQ(notice, "");
    EXPECT_EQ(app.view, VIEW_HEADS);
    EXPECT_EQ(app.layer, 1);
    EXPECT_FLOAT_EQ(app.sampling.temperature, 0.5f);
    EXPECT_EQ(app.sampling.top_k, 5);
    int kept = 0;
    for (float p : app.probs) kept += p > 0;
    EXPECT_EQ(kept, 5);  // the distribution was re-shaped
    notice = app_apply_json(app, R"({"view":"nope","layer":7,"token":"x","seed":-1})");
    EXPECT_NE(notice.find("ignored view"), std::string::npos);
    EXPECT_NE(notice.find("ignored layer"), std::string::npos);
    EXPECT_NE(notice.find("ignored token"), std::string::npos);
    EXPECT_NE(notice.find("ignored seed"), std::string::npos);
    EXPECT_EQ(app.view, VIEW_HEADS);
    EXPECT_EQ(app.layer, 1);
    EXPECT_EQ(app_apply_json(app, "[1]"), "ignored: not a JSON object. ");
}

TEST_F(AppState, StepsAreSeededAndEntriesThePredictViewCapturesTheLens) {
    app_set_text(app, "one two");
    EXPECT_EQ(app.cap.lens_k, 0);
    app.view = VIEW_PREDICT;
    app_rerun(app);
    EXPECT_EQ(app.cap.lens_k, 3);
    ASSERT_NE(capture_lens_ids(app.cap, 0, app.cap.T - 1), nullptr);
    app.sampling.seed = 7;
    app_step(app);
    app_step(app);
    const std::string a = app.text;
    app.generated = 0;
    app_set_text(app, "one two");
    app_step(app);
    app_step(app);
    EXPECT_EQ(app.text, a);
    EXPECT_EQ(app.generated, 2);
}

TEST_F(AppState, EmptyTextAndNoModelLeaveANoticeNotACrash) {
    app_set_text(app, "");
    EXPECT_EQ(app.cap.T, 0);
    EXPECT_NE(app.notice.find("Type a sentence"), std::string::npos);
    EXPECT_EQ(app_state_json(app).find("\"row\""), std::string::npos);
    App none;
    app_set_text(none, "text");
    EXPECT_EQ(none.cap.T, 0);
    EXPECT_EQ(app_describe(none), "Loading the model.");
    EXPECT_EQ(app_export_json(none, true), "{}");
}

}  // namespace
