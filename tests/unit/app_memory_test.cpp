// The Memory view's computation (app/memory.h) on the fixture pair that shares a tokenizer (the tiny
// GPT-2 and LSTM of tests/fixtures.d/lstm): what state().memory reports is the engine's occlusion
// influence at the selected position for both models (checked against the numpy reference in
// model_lstm_test.cpp), the LSTM's curves are its capture's, and the view says why when it cannot run.
#include <cmath>

#include <nlohmann/json.hpp>

#include "app/memory.h"
#include "model_fixtures.h"

namespace {

std::string pair_fixture(const char* name) { return std::string(ATTNLAB_FIXTURES) + "/lstm/" + name; }

class AppMemoryTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string err;
        Model* m = new Model();
        ASSERT_TRUE(model_load_dir(*m, pair_fixture("gpt_tiny"), err)) << err;
        m->name = "gpt_tiny";
        app_add_model(app, m);
        LSTMModel* l = new LSTMModel();
        ASSERT_TRUE(lstm_load_dir(*l, pair_fixture("lstm_tied_f32"), err)) << err;
        l->name = "lstm_tied";
        app_set_lstm(app, l);
        app.view = VIEW_MEMORY;
        app_set_text(app, "the cat sat on the mat and the dog");
        ASSERT_GE(app.ids.size(), 6u);
    }
    void TearDown() override {
        for (Model* m : app.models) delete m;
    }
    nlohmann::json memory() { return nlohmann::json::parse(app_state_json(app))["memory"]; }
    void run_to_end() {
        int frames = 0;
        while (memory_step(app, 1e9)) ASSERT_LT(++frames, 1000);
    }
    App app;
};

TEST_F(AppMemoryTest, ReportsBothModelsInfluenceAtTheSelectedToken) {
    EXPECT_TRUE(memory_pair_ok(app));
    EXPECT_FALSE(memory()["done"].get<bool>());
    EXPECT_TRUE(memory_step(app, 0.0)) << "one unit a call at a zero budget: work is left";
    EXPECT_FALSE(memory()["done"].get<bool>());
    EXPECT_NE(app.memory.status.find("Computing influence"), std::string::npos) << app.memory.status;
    run_to_end();
    const int T = (int)app.ids.size();
    for (int position : {T - 1, 3}) {
        app.locked_token = position == T - 1 ? -1 : position;
        const nlohmann::json mem = memory();
        ASSERT_TRUE(mem["done"].get<bool>());
        EXPECT_EQ(mem["position"], position);
        EXPECT_EQ(mem["transformer_model"], "gpt_tiny");
        EXPECT_EQ(mem["lstm_model"], "lstm_tied");
        std::vector<float> want_gpt, want_lstm;
        std::string err;
        const int neutral = influence_neutral_id(app.models[0]->tok, app.models[0]->cfg.vocab_size);
        ASSERT_TRUE(influence_occlusion_gpt2(*app.models[0], app.ids, position, neutral, want_gpt, err)) << err;
        ASSERT_TRUE(influence_occlusion_lstm(*app.lstm, app.ids, position, neutral, want_lstm, err)) << err;
        const auto got_gpt = mem["transformer"].get<std::vector<float>>(), got_lstm = mem["lstm"].get<std::vector<float>>();
        ASSERT_EQ(got_gpt.size(), (size_t)position + 1);
        ASSERT_EQ(got_lstm.size(), (size_t)position + 1);
        for (int j = 0; j <= position; j++) {
            EXPECT_NEAR(got_gpt[j], want_gpt[j], 1e-4 * want_gpt[j] + 1e-7) << j;
            EXPECT_NEAR(got_lstm[j], want_lstm[j], 1e-4 * want_lstm[j] + 1e-7) << j;
        }
        const auto rollout = mem["rollout"].get<std::vector<float>>();
        ASSERT_EQ(rollout.size(), (size_t)position + 1);
        double sum = 0;
        for (float r : rollout) sum += r;
        EXPECT_NEAR(sum, 1.0, 1e-4) << "a rollout row is a distribution over the tokens so far";
    }
    const nlohmann::json mem = memory();
    EXPECT_EQ(mem["by_distance"]["transformer"].size(), (size_t)T);
    EXPECT_EQ(mem["by_distance"]["lstm"].size(), (size_t)T);
    // the LSTM's curves are its capture's: ‖c‖ of layer 1 at token 2, and forget gates strictly in (0, 1)
    LSTMCapture cap;
    std::string err;
    ASSERT_TRUE(lstm_forward(*app.lstm, app.ids, false, cap, err)) << err;
    double n2 = 0;
    for (int i = 0; i < cap.H; i++) n2 += (double)lstm_capture_c(cap, 1, 2)[i] * lstm_capture_c(cap, 1, 2)[i];
    ASSERT_EQ(mem["cell_norm"].size(), 2u);
    EXPECT_NEAR(mem["cell_norm"][1][2].get<double>(), std::sqrt(n2), 1e-5);
    for (const auto& layer : mem["forget"])
        for (const auto& f : layer) EXPECT_TRUE(f.get<double>() > 0 && f.get<double>() < 1);
}

TEST_F(AppMemoryTest, RestartsWhenTheTextChanges) {
    run_to_end();
    ASSERT_TRUE(memory()["done"].get<bool>());
    app_set_text(app, "the dog sat");
    EXPECT_FALSE(memory()["done"].get<bool>()) << "the old numbers are for another text";
    run_to_end();
    EXPECT_EQ(memory()["transformer"].size(), app.ids.size());
}

TEST_F(AppMemoryTest, SaysWhyItCannotRun) {
    app.lstm.reset();
    EXPECT_FALSE(memory_step(app, 1e9));
    EXPECT_NE(app.memory.status.find("No LSTM"), std::string::npos) << app.memory.status;
    // an LSTM whose vocabulary differs from the transformer's (in one token): tokens cannot be lined up
    std::string err;
    LSTMModel* l = new LSTMModel();
    ASSERT_TRUE(lstm_load_dir(*l, pair_fixture("lstm_tied_f32"), err)) << err;
    l->name = "lstm_tied";
    l->tok.id_to_bytes.back() += "x";
    app_set_lstm(app, l);
    ASSERT_FALSE(memory_pair_ok(app));
    EXPECT_FALSE(memory_step(app, 1e9));
    EXPECT_NE(app.memory.status.find("another vocabulary"), std::string::npos) << app.memory.status;
    EXPECT_FALSE(memory()["done"].get<bool>());
    EXPECT_TRUE(memory()["transformer"].empty());
}

}  // namespace
