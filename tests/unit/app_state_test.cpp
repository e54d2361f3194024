// The page's state layer (src/app/app.cpp), natively: the capture policy, text -> tokens -> capture,
// the keystroke path, the state JSON's selected row, partial updates with notices, seeded steps.
#include <cmath>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/url_state.h"
#include "app_fixture.h"

namespace {

class AppState : public AppWithModel {};

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

// ---- interventions ----------------------------------------------------------------------------------

namespace {

TEST_F(AppState, AblationRunsTheEngineWithItAndTheEffectsCompareWithThePlainRun) {
    app_set_text(app, "The cat sat on the mat because it was tired");
    const Capture plain = app.cap;
    std::string err;
    app_toggle_ablation(app, 0, 1);
    EXPECT_TRUE(app_ablated(app, 0, 1));
    EXPECT_EQ(app.cap.interventions, "ablate=zero:0.1");
    Interventions iv;
    iv.ablate = {{0, 1}};
    Capture ref;
    ASSERT_TRUE(model_forward_iv(*app.models[0], app.ids, app.cap_opt, iv, ref, err)) << err;
    EXPECT_EQ(app.cap.logits, ref.logits);  // the app runs exactly the engine's intervention
    // "before" is the plain run; the loss is the engine's over the whole text
    ASSERT_EQ(app.base_cap.T, plain.T);
    const float* b = app.base_cap.logits.data() + app.base_cap.logits.size() - plain.V;
    EXPECT_TRUE(close_rel(std::vector<float>(b, b + plain.V), plain.logits, 1e-5));  // all positions' head: GEMM
    EXPECT_FLOAT_EQ(app.effects.loss_before, capture_text_loss(app.base_cap));
    EXPECT_FLOAT_EQ(app.effects.loss_after, capture_text_loss(app.cap));
    EXPECT_NE(app.effects.loss_before, app.effects.loss_after);
    ASSERT_EQ(app.effects.changes.size(), 8u);
    for (size_t i = 1; i < app.effects.changes.size(); i++)  // largest move first
        EXPECT_GE(std::fabs(app.effects.changes[i - 1].after - app.effects.changes[i - 1].before),
                  std::fabs(app.effects.changes[i].after - app.effects.changes[i].before));
    // head 0.1 keeps its own map; the heads of layer 1 read its output, so theirs move
    for (const MapChange& c : app.effects.maps) EXPECT_GE(c.layer, 1);
    EXPECT_FALSE(app.effects.maps.empty());
    // toggling again restores the plain run exactly and drops the "before"
    app_toggle_ablation(app, 0, 1);
    EXPECT_TRUE(app.iv.empty());
    EXPECT_EQ(app.cap.logits, plain.logits);
    EXPECT_EQ(app.base_cap.T, 0);
}

TEST_F(AppState, KnockOutChangesItsOwnRowAndSurvivesTyping) {
    app_set_text(app, "I have a dog");
    const int T = app.cap.T;
    app_toggle_knockout(app, 1, 0, T - 1, 0);
    ASSERT_TRUE(app_knocked_out(app, 1, 0, T - 1, 0));
    EXPECT_EQ(capture_weights_row(app.cap, 1, 0, T - 1)[0], 0.0f);
    ASSERT_FALSE(app.effects.maps.empty());
    EXPECT_EQ(app.effects.maps[0].layer, 1);
    app_toggle_knockout(app, 1, 0, 0, 1);  // a masked cell: nothing to knock out
    EXPECT_EQ(app.iv.knockout.size(), 1u);
    // typing keeps the knock-out; the reuse path equals a fresh run with it
    app_set_text(app, "I have a dog and");
    Capture fresh;
    std::string err;
    Interventions iv = app.iv;
    ASSERT_TRUE(model_forward_iv(*app.models[0], app.ids, app.cap_opt, iv, fresh, err)) << err;
    EXPECT_GT(app.tokens_reused, 0);  // the keystroke path stays on under a knock-out
    EXPECT_TRUE(close_rel(app.cap.weights, fresh.weights, 1e-5));
    EXPECT_TRUE(close_rel(app.cap.logits, fresh.logits, 1e-4));
    // a shorter text cannot hold it: kept for later, not run, and the notice says so
    app_set_text(app, "I");
    EXPECT_EQ(app.iv.knockout.size(), 1u);
    EXPECT_EQ(app.cap.interventions, "");
    EXPECT_NE(app.notice.find("not applied"), std::string::npos) << app.notice;
    app_set_text(app, "I have a dog");
    EXPECT_EQ(app.cap.interventions, interventions_key(app.iv));
}

TEST_F(AppState, InterventionsRoundTripThroughJsonAndShareLinks) {
    app_set_text(app, "I have a dog");
    std::string notice = app_apply_json(app, R"({"intervene":1,"ablate":"1.1,0.1,1.1","ablate_mode":"mean","knockout":"1.0:3:1"})");
    EXPECT_EQ(notice, "");
    EXPECT_TRUE(app.intervene);
    EXPECT_EQ(app.cap.interventions, "ablate=mean:0.1,1.1;knockout=1.0:3:1");
    const std::string frag = url_state_format(app_state_json(app));
    EXPECT_NE(frag.find("&intervene=1&ablate=0.1,1.1&knockout=1.0:3:1&ablate_mode=mean"), std::string::npos) << frag;
    // a fresh page restores the same experiment from the link
    App other;
    Model* m = new Model();
    std::string err;
    ASSERT_TRUE(model_load_fixture(*m, "tiny_f32", err)) << err;
    app_add_model(other, m);
    nlohmann::json parsed = nlohmann::json::parse(url_state_parse(frag, notice));
    EXPECT_EQ(notice, "");
    app_set_text(other, parsed["text"].get<std::string>());
    parsed.erase("text");
    EXPECT_EQ(app_apply_json(other, parsed.dump()), "");
    EXPECT_EQ(other.cap.interventions, app.cap.interventions);
    EXPECT_EQ(other.cap.logits, app.cap.logits);
    EXPECT_EQ(url_state_format(app_state_json(other)), frag);
    delete m;
    // "" clears a list
    app_apply_json(app, R"({"ablate":"","knockout":""})");
    EXPECT_TRUE(app.iv.empty());
    EXPECT_EQ(app.cap.interventions, "");
}

TEST_F(AppState, MalformedInterventionsAreIgnoredWithANotice) {
    app_set_text(app, "I have a dog");
    app_apply_json(app, R"({"ablate":"0.1"})");
    const std::string before = app.cap.interventions;
    for (const char* bad : {R"({"ablate":"9.9"})", R"({"ablate":"1.x"})", R"({"ablate":7})", R"({"knockout":"1.0:1:3"})",
                            R"({"knockout":"1.0:99:0"})", R"({"knockout":"1.0:3"})", R"({"ablate_mode":"half"})",
                            R"({"intervene":"yes"})", R"({"ablate":"-1.0"})", R"({"ablate":"0.1,,"})"}) {
        std::string notice = app_apply_json(app, bad);
        EXPECT_NE(notice.find("ignored"), std::string::npos) << bad;
        EXPECT_EQ(app.cap.interventions, before) << bad;
    }
    std::string notice;
    url_state_parse("#v=1&intervene=2&ablate=%zz", notice);
    EXPECT_NE(notice.find("intervene"), std::string::npos) << notice;
    EXPECT_NE(notice.find("ablate"), std::string::npos) << notice;
}

TEST_F(AppState, PatchingScansEveryHeadInStepsAndEqualsTheEngine) {
    app_set_text(app, "I have a dog");
    app_set_compare(app, "I have a dog and a cat");
    EXPECT_FALSE(app_patch_start(app, 5, 6));  // token counts differ
    EXPECT_NE(app.patch.status.find("as many tokens"), std::string::npos) << app.patch.status;
    for (const char* c : {"I have a cat", "I had a dog", "I have a hog", "We have a dog", "I have the dog"}) {
        app_set_compare(app, c);
        if (app.compare_spans.size() == app.ids.size() && app.compare_text != app.text) break;
    }
    ASSERT_EQ(app.compare_spans.size(), app.ids.size());
    EXPECT_FALSE(app_patch_start(app, 5, 5));
    ASSERT_TRUE(app_patch_start(app, 5, 6)) << app.patch.status;
    int steps = 0;
    while (app_patch_step(app, 0.0)) steps++;  // a zero budget: one head per step
    const int LH = app.cap.L * app.cap.H;
    EXPECT_EQ(steps, LH - 1);
    EXPECT_EQ(app.patch.next, LH);
    std::vector<float> ref;
    std::string err;
    ASSERT_TRUE(patch_scan(*app.models[0], app.ids, app.patch.source, 5, 6, 0, LH, ref, err)) << err;
    EXPECT_EQ(app.patch.diffs, ref);
    // the clean score is the text's own logit difference
    const float* z = app.cap.logits.data() + app.cap.logits.size() - app.cap.V;
    EXPECT_NEAR(app.patch.clean, z[5] - z[6], 1e-5);
    // cancelling mid-way, and a text change, stop it
    ASSERT_TRUE(app_patch_start(app, 5, 6));
    app_patch_step(app, 0.0);
    app_patch_cancel(app);
    EXPECT_EQ(app.patch.next, -1);
    EXPECT_NE(app.patch.status.find("Cancelled after 1 of"), std::string::npos) << app.patch.status;
    ASSERT_TRUE(app_patch_start(app, 5, 6));
    app_set_text(app, "I have a dog.");
    EXPECT_FALSE(app_patch_step(app, 10.0));
    EXPECT_NE(app.patch.status.find("changed"), std::string::npos);
}

TEST_F(AppState, RolesAreComputedOncePerModel) {
    const std::vector<HeadRoles>& r = app_roles(app);
    ASSERT_EQ((int)r.size(), app.models[0]->cfg.n_layer * app.models[0]->cfg.n_head);
    std::vector<HeadRoles> ref;
    std::string err;
    ASSERT_TRUE(head_roles(*app.models[0], {}, ref, err)) << err;
    EXPECT_EQ(r[3].previous_token, ref[3].previous_token);
    EXPECT_EQ(&app_roles(app), &r);
}

}  // namespace

namespace {

// A first visit shows the head that links the default sentence's "It" to an earlier word, locked on "It".
TEST(AppFirstVisit, SelectsThePronounsStrongestLink) {
    App app;  // the shipped default model: its tokenizer has " It" as one token
    Model* m = new Model();
    std::string err;
    ASSERT_TRUE(model_load_dir(*m, std::string(ATTNLAB_ROOT) + "/models/tiny-en-1m", err)) << err;
    app_add_model(app, m);
    app_set_text(app, "I saw a dog and a cat. It was barking.");
    app_first_visit(app);
    ASSERT_GE(app.locked_token, 2);
    std::string it = app.token_bytes[app.locked_token];
    EXPECT_EQ(it.substr(it.find_first_not_of(' ')), "It");
    EXPECT_EQ(app.view, VIEW_MATRIX);
    const int q = app.locked_token;
    std::vector<int> words;  // "saw", "dog", "and", "cat": 3+ letters, before the token just before "It"
    for (int k = 1; k + 1 < q; k++) {
        std::string t = app.token_bytes[k];
        t = t.substr(t.find_first_not_of(' '));
        if (t.size() >= 3 && std::all_of(t.begin(), t.end(), [](char ch) { return isalpha((unsigned char)ch); })) words.push_back(k);
    }
    ASSERT_EQ(words.size(), 4u);
    float chosen = 0;
    for (int k : words) chosen = std::max(chosen, capture_weights_row(app.cap, app.layer, app.head, q)[k]);
    for (int l = 0; l < app.cap.L; l++)
        for (int h = 0; h < app.cap.H; h++)
            for (int k : words) EXPECT_LE(capture_weights_row(app.cap, l, h, q)[k], chosen);
    EXPECT_FALSE(app.hint.empty());
    // the next edit ends the first visit: hint gone, the token unlocked
    app_set_text(app, "Something else entirely");
    EXPECT_TRUE(app.hint.empty());
    EXPECT_EQ(app.locked_token, -1);
    // a text without "It" keeps the defaults
    App other;
    other.models = app.models, other.model_index = 0;
    app_set_text(other, "No pronoun here");
    app_first_visit(other);
    EXPECT_EQ(other.locked_token, -1);
    EXPECT_TRUE(other.hint.empty());
    other.models.clear();
    delete m;
}

}  // namespace

namespace {

TEST_F(AppState, ColourChoicesRoundTripAndBadOnesGetANotice) {
    app_set_text(app, "I have a dog");
    EXPECT_EQ(app_apply_json(app, R"({"palette":"cividis","scale":"row","values":"scores"})"), "");
    EXPECT_EQ(app.palette, 1);
    EXPECT_EQ(app.color_scale, 1);
    EXPECT_EQ(app.matrix_values, 1);
    const std::string frag = url_state_format(app_state_json(app));
    EXPECT_NE(frag.find("&palette=cividis&scale=row&values=scores"), std::string::npos) << frag;
    std::string notice;
    nlohmann::json back = nlohmann::json::parse(url_state_parse(frag, notice));
    App other;
    other.models = app.models, other.model_index = 0;
    back.erase("text");
    EXPECT_EQ(app_apply_json(other, back.dump()), "");
    EXPECT_NE(url_state_format(app_state_json(other)).find("&palette=cividis&scale=row&values=scores"), std::string::npos);
    other.models.clear();
    for (const char* bad : {R"({"palette":"rainbow"})", R"({"scale":"log"})", R"({"values":3})"})
        EXPECT_NE(app_apply_json(app, bad).find("ignored"), std::string::npos) << bad;
    EXPECT_EQ(app.palette, 1);
}

}  // namespace
