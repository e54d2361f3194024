// Sampling and generation against the numpy reference sampler (same documented algorithm, written
// separately): distributions, draws, and whole seeded generations. This binary runs natively and in
// node (WASM): both must reproduce the same reference token sequences.
#include "model_fixtures.h"

namespace {

using json = nlohmann::json;

json json_fixture(const std::string& name) {
    std::string text;
    if (!model_file_read(model_fixture(name), text)) return json(json::value_t::discarded);
    return json::parse(text, nullptr, false);
}

TEST(ModelRng, Splitmix64Stream) {
    Rng r;
    rng_seed(r, 0);
    EXPECT_EQ(rng_u64(r), 0xE220A8397B1DCDAFull);  // published splitmix64 values for seed 0
    EXPECT_EQ(rng_u64(r), 0x6E789E6AA1B965F4ull);
    EXPECT_EQ(rng_u64(r), 0x06C45D188009454Full);
    json j = json_fixture("sampling.json");
    ASSERT_FALSE(j.is_discarded()) << "missing fixtures";
    rng_seed(r, j["rng_seed"].get<uint64_t>());
    for (const json& s : j["rng_u64"]) EXPECT_EQ(rng_u64(r), std::stoull(s.get<std::string>()));
    rng_seed(r, j["rng_seed"].get<uint64_t>());
    for (const json& u : j["rng_uniform"]) EXPECT_EQ(rng_uniform(r), u.get<float>());
    for (int i = 0; i < 10000; i++) {
        float u = rng_uniform(r);
        ASSERT_TRUE(u >= 0.0f && u < 1.0f);
    }
}

TEST(ModelSampling, DistributionsAndDrawsMatchReference) {
    json j = json_fixture("sampling.json");
    ASSERT_FALSE(j.is_discarded()) << "missing fixtures";
    std::vector<float> logits = j["logits"].get<std::vector<float>>();
    const int V = (int)logits.size();
    for (const json& c : j["cases"]) {
        SamplingParams sp;
        sp.temperature = c["temperature"].get<float>();
        sp.top_k = c["top_k"].get<int>();
        sp.top_p = c["top_p"].get<float>();
        SCOPED_TRACE("T=" + std::to_string(sp.temperature) + " k=" + std::to_string(sp.top_k) +
                     " p=" + std::to_string(sp.top_p));
        std::vector<float> probs;
        sampling_distribution(logits.data(), V, sp, probs);
        std::vector<double> want = c["probs"].get<std::vector<double>>();
        ASSERT_EQ(probs.size(), want.size());
        double sum = 0;
        for (int i = 0; i < V; i++) {
            EXPECT_EQ(probs[i] == 0.0f, want[i] == 0.0) << "kept set differs at id " << i;
            EXPECT_NEAR(probs[i], want[i], 1e-6) << i;
            sum += probs[i];
        }
        EXPECT_NEAR(sum, 1.0, 1e-6);
        Rng r;
        rng_seed(r, j["seed"].get<uint64_t>());
        for (const json& d : c["draws"]) EXPECT_EQ(sample_from(probs, r), d.get<int>());
    }
}

TEST(ModelSampling, EdgeCases) {
    std::vector<float> probs;
    SamplingParams sp;
    float flat[4] = {1, 1, 1, 1};
    sampling_distribution(flat, 4, sp, probs);
    for (float p : probs) EXPECT_FLOAT_EQ(p, 0.25f);
    sp.temperature = 0;
    sampling_distribution(flat, 4, sp, probs);
    EXPECT_EQ(probs, (std::vector<float>{1, 0, 0, 0}));  // greedy: first maximum
    float peaked[3] = {0, 100, 0};
    sp.temperature = 1;
    sp.top_k = 2;
    sampling_distribution(peaked, 3, sp, probs);
    EXPECT_EQ(probs[1], 1.0f);
    EXPECT_EQ(probs[2], 0.0f);  // top-2 tie-break keeps id 0, drops id 2
    Rng r;
    rng_seed(r, 1);
    for (int i = 0; i < 100; i++) EXPECT_EQ(sample_from(probs, r), 1);
    std::vector<float> zeros(5, 0.0f);
    EXPECT_EQ(sample_from(zeros, r), 0);  // nothing to draw: no crash
    sampling_distribution(peaked, 0, sp, probs);
    EXPECT_TRUE(probs.empty());
    // non-finite logits are never picked and never break the distribution
    float bad[4] = {NAN, 2.0f, INFINITY, 1.0f};
    for (float t : {0.0f, 1.0f}) {
        sp.temperature = t;
        sp.top_k = 1;
        sampling_distribution(bad, 4, sp, probs);
        EXPECT_EQ(probs, (std::vector<float>{0, 1, 0, 0}));
    }
    float all_bad[2] = {NAN, NAN};
    sampling_distribution(all_bad, 2, sp, probs);
    EXPECT_EQ(probs, (std::vector<float>{1, 0}));
}

TEST(ModelGenerate, SeededGenerationMatchesReference) {
    json j = json_fixture("generate_tiny_f32.json");
    ASSERT_FALSE(j.is_discarded()) << "missing fixtures";
    Model m;
    std::string err;
    ASSERT_TRUE(model_load_fixture(m, j["model"].get<std::string>(), err)) << err;
    for (const json& c : j["cases"]) {
        SamplingParams sp;
        sp.temperature = c["temperature"].get<float>();
        sp.top_k = c["top_k"].get<int>();
        sp.top_p = c["top_p"].get<float>();
        sp.seed = c["seed"].get<uint64_t>();
        std::vector<int> prompt = c["prompt"].get<std::vector<int>>();
        std::vector<GenerateStep> steps;
        ASSERT_TRUE(model_generate(m, prompt, c["steps"].get<int>(), sp, steps, err)) << err;
        std::vector<int> got;
        for (const GenerateStep& s : steps) {
            got.push_back(s.id);
            ASSERT_EQ(s.probs.size(), (size_t)m.cfg.vocab_size);
            EXPECT_GT(s.probs[s.id], 0.0f);  // drawn from the returned distribution
        }
        EXPECT_EQ(got, c["expected"].get<std::vector<int>>()) << "seed " << sp.seed;
    }
}

TEST(ModelGenerate, StepDistributionIsTheOneFromTheFullForward) {
    Model m;
    std::string err;
    ASSERT_TRUE(model_load_fixture(m, "tiny_f32", err)) << err;
    SamplingParams sp;
    sp.temperature = 0.9f;
    sp.top_p = 0.8f;
    sp.seed = 3;
    std::vector<int> ids = {10, 20, 30};
    std::vector<GenerateStep> steps;
    ASSERT_TRUE(model_generate(m, ids, 6, sp, steps, err)) << err;
    ASSERT_EQ(steps.size(), 6u);
    for (const GenerateStep& s : steps) {
        Capture cap;
        ASSERT_TRUE(model_forward(m, ids, CaptureOptions(), cap, err)) << err;
        std::vector<float> want;
        sampling_distribution(cap.logits.data(), m.cfg.vocab_size, sp, want);
        ASSERT_TRUE(close_rel(s.probs, want, 1e-4));
        ids.push_back(s.id);
    }
}

TEST(ModelGenerate, StopsAtTheContextAndRejectsBadPrompts) {
    Model m;
    std::string err;
    ASSERT_TRUE(model_load_fixture(m, "tiny_f32", err)) << err;
    const int maxT = m.cfg.n_positions;
    std::vector<GenerateStep> steps;
    SamplingParams sp;
    ASSERT_TRUE(model_generate(m, std::vector<int>(maxT - 3, 5), 10, sp, steps, err)) << err;
    EXPECT_EQ(steps.size(), 3u);  // prompt + generated never exceeds n_positions
    EXPECT_FALSE(model_generate(m, {}, 10, sp, steps, err));
    EXPECT_FALSE(model_generate(m, std::vector<int>(maxT + 1, 5), 10, sp, steps, err));
    EXPECT_FALSE(model_generate(m, {5, 99999}, 10, sp, steps, err));
    EXPECT_NE(err.find("outside the vocabulary"), std::string::npos) << err;
}

}  // namespace
