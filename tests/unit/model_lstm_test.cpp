// The LSTM engine against the independent numpy reference (tests/reference/lstm_numpy.py, torch
// semantics): logits, h, c and gates of every layer and step; occlusion influence of both architectures
// (LSTM and GPT-2, with the GPT's attention rollout) against the reference; and the loader's refusal of
// malformed LSTM folders with a message saying what is wrong. Fixtures: tests/fixtures.d/lstm.
#include "model_fixtures.h"

#include "model/influence.h"
#include "model/lstm.h"
#include "viz/views.h"

namespace {

std::string lstm_fixture(const std::string& name) { return std::string(ATTNLAB_FIXTURES) + "/lstm/" + name; }

bool lstm_ref(const std::string& name, RefCase& rc) { return ref_load(name, rc, lstm_fixture("")); }

class LstmOracle : public ::testing::TestWithParam<const char*> {};

TEST_P(LstmOracle, MatchesNumpyReference) {
    RefCase rc;
    ASSERT_TRUE(lstm_ref(GetParam(), rc)) << "missing fixture ref_" << GetParam() << " (run tests/make_fixtures.sh)";
    LSTMModel m;
    std::string err;
    ASSERT_TRUE(lstm_load_dir(m, lstm_fixture(rc.model), err)) << err;
    LSTMCapture cap;
    ASSERT_TRUE(lstm_forward(m, rc.ids, true, cap, err)) << err;
    const int T = (int)rc.ids.size();
    EXPECT_EQ(rc.shapes["h"], (std::vector<int64_t>{cap.L, T, cap.H}));
    EXPECT_EQ(rc.shapes["gates"], (std::vector<int64_t>{cap.L, T, 4 * cap.H}));
    EXPECT_EQ(rc.shapes["logits"], (std::vector<int64_t>{T, cap.V}));
    const double tol = 1e-4;
    EXPECT_TRUE(close_rel(cap.logits, rc.f32["logits"], tol)) << "logits";
    EXPECT_TRUE(close_rel(cap.h, rc.f32["h"], tol)) << "h";
    EXPECT_TRUE(close_rel(cap.c, rc.f32["c"], tol)) << "c";
    EXPECT_TRUE(close_rel(cap.gates, rc.f32["gates"], tol)) << "gates";

    // the last-position-only run gives the last row of the full one (one-row products sum in another order,
    // and round differently again where multiply-adds are fused: 3e-5 holds both WASM builds)
    const double same_build_tol = 3e-5;
    LSTMCapture last;
    ASSERT_TRUE(lstm_forward(m, rc.ids, false, last, err)) << err;
    ASSERT_EQ(last.logits.size(), (size_t)cap.V);
    EXPECT_TRUE(close_rel(last.logits, std::vector<float>(cap.logits.end() - cap.V, cap.logits.end()), same_build_tol));

    // continuing from the state after step k equals the full run
    const int k = T / 2;
    if (k >= 1) {
        std::vector<float> h((size_t)cap.L * cap.H), c((size_t)cap.L * cap.H), logits;
        for (int l = 0; l < cap.L; l++)
            for (int i = 0; i < cap.H; i++) {
                h[(size_t)l * cap.H + i] = lstm_capture_h(cap, l, k - 1)[i];
                c[(size_t)l * cap.H + i] = lstm_capture_c(cap, l, k - 1)[i];
            }
        ASSERT_TRUE(lstm_continue(m, h.data(), c.data(), rc.ids.data() + k, T - k, logits, err)) << err;
        EXPECT_TRUE(close_rel(logits, last.logits, same_build_tol)) << "lstm_continue";
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LstmOracle,
                         ::testing::Values("lstm_tied_f32_a", "lstm_tied_f32_one", "lstm_untied_f16_a"));

// Influence: KL values within 1e-3 relative of the float64 reference (KL differences of nearby
// distributions lose digits in float32 logits), the same neutral token the reference used (" the").
struct InfluenceCase {
    const char* ref;
    bool lstm;
};
class Influence : public ::testing::TestWithParam<InfluenceCase> {};

TEST_P(Influence, MatchesNumpyReference) {
    RefCase rc;
    ASSERT_TRUE(lstm_ref(GetParam().ref, rc)) << "missing fixture ref_" << GetParam().ref;
    const int position = rc.meta["position"].get<int>(), neutral = rc.meta["neutral"].get<int>();
    std::string err;
    std::vector<float> kl;
    if (GetParam().lstm) {
        LSTMModel m;
        ASSERT_TRUE(lstm_load_dir(m, lstm_fixture(rc.model), err)) << err;
        EXPECT_EQ(influence_neutral_id(m.tok, m.cfg.vocab_size), neutral) << "the neutral token is \" the\"";
        ASSERT_TRUE(influence_occlusion_lstm(m, rc.ids, position, neutral, kl, err)) << err;
    } else {
        Model m;
        ASSERT_TRUE(model_load_dir(m, lstm_fixture(rc.model), err)) << err;
        EXPECT_EQ(influence_neutral_id(m.tok, m.cfg.vocab_size), neutral);
        ASSERT_TRUE(influence_occlusion_gpt2(m, rc.ids, position, neutral, kl, err)) << err;
        // attention rollout row (the viz implementation) against the reference
        Capture cap;
        std::vector<int> prefix(rc.ids.begin(), rc.ids.begin() + position + 1);
        ASSERT_TRUE(model_forward(m, prefix, CaptureOptions(), cap, err)) << err;
        std::vector<float> full, scratch;
        attention_rollout(cap, cap.L - 1, full, scratch);
        std::vector<float> row(full.begin() + (size_t)position * cap.T, full.begin() + (size_t)(position + 1) * cap.T);
        EXPECT_TRUE(close_rel(row, rc.f32["rollout"], 1e-4)) << "rollout";
    }
    ASSERT_EQ(kl.size(), (size_t)position + 1);
    EXPECT_TRUE(close_rel(kl, rc.f32["influence"], 1e-3)) << "influence";
    // not a flat profile: some token matters an order of magnitude more than another
    const float mx = *std::max_element(kl.begin(), kl.end()), mn = *std::min_element(kl.begin(), kl.end());
    EXPECT_GT(mx, 1e-4f);
    EXPECT_GT(mx, 10 * mn);
    for (int j = 0; j <= position; j++) {
        if (rc.ids[j] != neutral) continue;
        EXPECT_LT(kl[j], 1e-9f) << "replacing \" the\" by itself changes nothing (j=" << j << ")";
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Influence,
                         ::testing::Values(InfluenceCase{"lstm_tied_f32_a", true}, InfluenceCase{"lstm_tied_f32_mid", true},
                                           InfluenceCase{"lstm_untied_f16_a", true}, InfluenceCase{"gpt_tiny_a", false},
                                           InfluenceCase{"gpt_tiny_mid", false}));

// The whole matrix (the Memory view's): row P equals the one-position computation (checked against the
// reference above) for every P, in the units a page spreads over frames; nothing above the diagonal;
// the by-distance means average the right pairs.
TEST(Influence, MatrixRowsAreTheOnePositionResults) {
    RefCase rc;
    ASSERT_TRUE(lstm_ref("lstm_tied_f32_a", rc));
    std::string err;
    LSTMModel lm;
    Model gm;
    ASSERT_TRUE(lstm_load_dir(lm, lstm_fixture("lstm_tied_f32"), err)) << err;
    ASSERT_TRUE(model_load_dir(gm, lstm_fixture("gpt_tiny"), err)) << err;
    const int T = (int)rc.ids.size(), neutral = rc.meta["neutral"].get<int>();
    for (bool lstm : {true, false}) {
        SCOPED_TRACE(lstm ? "lstm" : "gpt2");
        InfluenceJob job;
        ASSERT_TRUE(influence_job_start(job, lstm ? nullptr : &gm, lstm ? &lm : nullptr, rc.ids, neutral, false, err)) << err;
        int units = 0;
        while (!influence_job_done(job)) {
            ASSERT_TRUE(influence_job_step(job, err)) << err;
            units++;
        }
        EXPECT_EQ(units, T);
        ASSERT_EQ(job.kl.size(), (size_t)T * T);
        for (int p = 0; p < T; p++) {
            std::vector<float> one;
            ASSERT_TRUE(lstm ? influence_occlusion_lstm(lm, rc.ids, p, neutral, one, err)
                             : influence_occlusion_gpt2(gm, rc.ids, p, neutral, one, err)) << err;
            const std::vector<float> row(job.kl.begin() + (size_t)p * T, job.kl.begin() + (size_t)p * T + p + 1);
            EXPECT_TRUE(close_rel(row, one, 1e-4)) << "row " << p;
            for (int j = p + 1; j < T; j++) EXPECT_EQ(job.kl[(size_t)p * T + j], 0.0f);
        }
        std::vector<float> mean;
        influence_by_distance(job.kl, T, mean);
        ASSERT_EQ(mean.size(), (size_t)T);
        double d2 = 0;
        for (int p = 2; p < T; p++) d2 += job.kl[(size_t)p * T + p - 2];
        EXPECT_NEAR(mean[2], d2 / (T - 2), 1e-6);
        EXPECT_FLOAT_EQ(mean[T - 1], job.kl[(size_t)(T - 1) * T]);
    }
    InfluenceJob bad;
    EXPECT_FALSE(influence_job_start(bad, &gm, &lm, rc.ids, neutral, false, err));
    EXPECT_FALSE(influence_job_start(bad, nullptr, &lm, {1, 999}, neutral, false, err));
    EXPECT_NE(err.find("999"), std::string::npos) << err;
}

TEST(Influence, RejectsBadPositionAndNeutral) {
    LSTMModel m;
    std::string err;
    ASSERT_TRUE(lstm_load_dir(m, lstm_fixture("lstm_tied_f32"), err)) << err;
    std::vector<float> kl;
    EXPECT_FALSE(influence_occlusion_lstm(m, {1, 2, 3}, 3, 262, kl, err));
    EXPECT_NE(err.find("position 3"), std::string::npos) << err;
    EXPECT_FALSE(influence_occlusion_lstm(m, {1, 2, 3}, 2, 320, kl, err));
    EXPECT_NE(err.find("neutral"), std::string::npos) << err;
    EXPECT_FALSE(influence_occlusion_lstm(m, {1, 999, 3}, 2, 262, kl, err));
    EXPECT_NE(err.find("999"), std::string::npos) << err;
}

// ---- malformed folders ----------------------------------------------------------------------------------

struct LstmFiles {
    std::string config, st, vocab, merges;
    bool read(const std::string& name) {
        const std::string d = lstm_fixture(name) + "/";
        return model_file_read(d + "config.json", config) && model_file_read(d + "model.safetensors", st) &&
               model_file_read(d + "vocab.json", vocab) && model_file_read(d + "merges.txt", merges);
    }
    bool load(LSTMModel& m, std::string& err) const {
        return lstm_load_memory(m, config, (const uint8_t*)st.data(), st.size(), vocab, merges, err);
    }
    nlohmann::json header() const {
        uint64_t n = 0;
        std::memcpy(&n, st.data(), 8);
        return nlohmann::json::parse(st.substr(8, n));
    }
    void set_header(const nlohmann::json& h) {
        uint64_t n = 0;
        std::memcpy(&n, st.data(), 8);
        const std::string data = st.substr(8 + n), text = h.dump();
        const uint64_t m = text.size();
        st.assign((const char*)&m, 8);
        st += text + data;
    }
};

class LstmLoad : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(f.read("lstm_tied_f32")) << "missing fixtures"; }
    // Loading must fail with a message containing `want`, and leave the model as it was.
    void expect_error(const LstmFiles& g, const std::string& want) {
        LSTMModel m;
        std::string err;
        ASSERT_TRUE(f.load(m, err)) << err;
        const std::vector<float> before = m.params;
        EXPECT_FALSE(g.load(m, err)) << "loaded although: " << want;
        EXPECT_NE(err.find(want), std::string::npos) << "error was: " << err;
        EXPECT_EQ(m.params, before);
    }
    LstmFiles f;
};

TEST_F(LstmLoad, GoodFolderLoads) {
    LSTMModel m;
    std::string err;
    ASSERT_TRUE(f.load(m, err)) << err;
    EXPECT_EQ(m.cfg.num_layers, 2);
    EXPECT_TRUE(m.cfg.tie_weights);
    EXPECT_EQ(m.w.dec_w, m.w.encoder);
    EXPECT_EQ(m.params.size(), lstm_num_params(m.cfg));
    std::string type;
    ASSERT_TRUE(model_dir_type(lstm_fixture("lstm_tied_f32"), type, err));
    EXPECT_EQ(type, "lstm");
    ASSERT_TRUE(model_dir_type(lstm_fixture("gpt_tiny"), type, err));
    EXPECT_EQ(type, "gpt2");
    // and the GPT loader refuses an LSTM folder by name
    Model g;
    EXPECT_FALSE(model_load_dir(g, lstm_fixture("lstm_tied_f32"), err));
    EXPECT_NE(err.find("lstm"), std::string::npos) << err;
}

TEST_F(LstmLoad, BadConfigs) {
    struct C { const char* config; const char* want; } cases[] = {
        {"not json", "not a JSON object"},
        {R"({"model_type": "gpt2", "vocab_size": 320})", "model_type must be \"lstm\""},
        {R"({"model_type": "lstm", "embedding_size": 24, "hidden_size": 24, "num_layers": 2})", "missing \"vocab_size\""},
        {R"({"model_type": "lstm", "vocab_size": 320, "embedding_size": 24, "hidden_size": 0, "num_layers": 2})", "hidden_size"},
        {R"({"model_type": "lstm", "vocab_size": 320, "embedding_size": 24, "hidden_size": 24, "num_layers": 2.5})", "integer"},
        {R"({"model_type": "lstm", "vocab_size": 320, "embedding_size": 16, "hidden_size": 24, "num_layers": 2, "tie_weights": true})",
         "tie_weights needs embedding_size == hidden_size"},
        {R"({"model_type": "lstm", "vocab_size": 320, "embedding_size": 24, "hidden_size": 24, "num_layers": 2, "tie_weights": "yes"})",
         "tie_weights"},
        {R"({"model_type": "lstm", "vocab_size": 320, "embedding_size": 24, "hidden_size": 24, "num_layers": 3, "tie_weights": true})",
         "missing tensor 'rnn.weight_ih_l2'"},
        {R"({"model_type": "lstm", "vocab_size": 300, "embedding_size": 24, "hidden_size": 24, "num_layers": 2, "tie_weights": true})",
         "has shape [320, 24], expected [300, 24]"},
        {R"({"model_type": "lstm", "vocab_size": 320, "embedding_size": 24, "hidden_size": 24, "num_layers": 1, "tie_weights": true})",
         "unexpected tensor 'rnn."},
    };
    for (const C& c : cases) {
        LstmFiles g = f;
        g.config = c.config;
        expect_error(g, c.want);
    }
}

TEST_F(LstmLoad, BadTensors) {
    {  // missing tensor
        LstmFiles g = f;
        nlohmann::json h = g.header();
        h.erase("rnn.bias_hh_l1");
        g.set_header(h);
        expect_error(g, "missing tensor 'rnn.bias_hh_l1'");
    }
    {  // wrong dtype
        LstmFiles g = f;
        nlohmann::json h = g.header();
        h["rnn.bias_hh_l0"]["dtype"] = "I32";
        g.set_header(h);
        expect_error(g, "'rnn.bias_hh_l0' has dtype I32");
    }
    {  // transposed matrix (torch's [4H, in] vs [in, 4H])
        LstmFiles g = f;
        nlohmann::json h = g.header();
        h["rnn.weight_hh_l0"]["shape"] = {24, 96};
        g.set_header(h);
        expect_error(g, "'rnn.weight_hh_l0' has shape [24, 96], expected [96, 24]");
    }
    {  // a NaN weight
        LstmFiles g = f;
        nlohmann::json h = g.header();
        uint64_t n = 0;
        std::memcpy(&n, g.st.data(), 8);
        const size_t off = 8 + n + h["rnn.weight_hh_l1"]["data_offsets"][0].get<size_t>() + 4 * 5;
        const float nan = std::nanf("");
        std::memcpy(&g.st[off], &nan, 4);
        expect_error(g, "'rnn.weight_hh_l1' has a non-finite value at element 5");
    }
    {  // tied, but decoder.weight differs from encoder.weight
        LstmFiles g = f;
        nlohmann::json h = g.header();
        uint64_t n = 0;
        std::memcpy(&n, g.st.data(), 8);
        const size_t off = 8 + n + h["decoder.weight"]["data_offsets"][0].get<size_t>();
        g.st[off + 2] ^= 0x40;
        expect_error(g, "decoder.weight differs from encoder.weight");
    }
    {  // truncated file
        LstmFiles g = f;
        g.st.resize(g.st.size() - 100);
        expect_error(g, "safetensors: ");
    }
    {  // empty file and a header length beyond the file
        LstmFiles g = f;
        g.st = "";
        expect_error(g, "safetensors: ");
        g.st = std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + "{}";
        expect_error(g, "safetensors: ");
    }
    {  // vocabulary larger than the model's
        LstmFiles g = f;
        g.config = R"({"model_type": "lstm", "vocab_size": 320, "embedding_size": 24, "hidden_size": 24, "num_layers": 2, "tie_weights": true})";
        nlohmann::json v = nlohmann::json::parse(g.vocab);
        v["extra_token_beyond_v"] = 320;
        g.vocab = v.dump();
        expect_error(g, "vocab");
    }
}

TEST_F(LstmLoad, MissingFileNamesThePath) {
    LSTMModel m;
    std::string err;
    EXPECT_FALSE(lstm_load_dir(m, lstm_fixture("no_such_model"), err));
    EXPECT_NE(err.find("no_such_model/config.json"), std::string::npos) << err;
}

TEST(LstmForward, RejectsBadIds) {
    LSTMModel m;
    std::string err;
    ASSERT_TRUE(lstm_load_dir(m, lstm_fixture("lstm_tied_f32"), err)) << err;
    LSTMCapture cap;
    EXPECT_FALSE(lstm_forward(m, {}, false, cap, err));
    EXPECT_FALSE(lstm_forward(m, {1, -2}, false, cap, err));
    EXPECT_NE(err.find("-2"), std::string::npos) << err;
    EXPECT_FALSE(lstm_forward(m, {320}, false, cap, err));
    LSTMModel empty;
    EXPECT_FALSE(lstm_forward(empty, {1}, false, cap, err));
}

}  // namespace
