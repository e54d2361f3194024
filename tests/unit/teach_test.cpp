// Teach (train/teach.h, app/teach.h): teaching a text lowers its loss, moves only the chosen weights
// (the others stay bit for bit), is deterministic, refuses what it cannot do with a message, Reset
// restores the weights exactly, and the taught model's safetensors load back to the same weights.
// The same file runs in node (the WASM build); tests/e2e/teach.test.mjs compares the page's losses
// with `attnlab teach` on the built-in model.
#include <cstring>

#include "app/teach.h"
#include "app/url_state.h"
#include "app_fixture.h"

namespace {

const char* TEXT = "The blicket is on the table. I put the blicket in the box.";

std::vector<int> ids_of(Model& m, const char* text) { return tokenizer_encode_ids(m.tok, text); }

// Parameter indices whose value changed.
size_t changed(const std::vector<float>& a, const std::vector<float>& b, size_t begin, size_t end) {
    size_t n = 0;
    for (size_t i = begin; i < end; i++) n += std::memcmp(&a[i], &b[i], sizeof(float)) != 0;
    return n;
}

TEST(Teach, LowersTheLossAndMovesOnlyThePartTaught) {
    Model m;
    std::string err;
    ASSERT_TRUE(model_load_fixture(m, "tiny_f32", err)) << err;
    const std::vector<float> before = m.params;
    const std::vector<int> ids = ids_of(m, TEXT);
    const size_t wte = m.w.wte - m.params.data(), wpe_end = m.w.wpe - m.params.data() + (size_t)m.cfg.n_positions * m.cfg.n_embd;
    for (int part : {TEACH_ALL, TEACH_EMBEDDINGS, TEACH_LAYER}) {
        SCOPED_TRACE(teach_part_name(part));
        m.params = before;
        model_pack_weights(m);
        TeachSession s;
        TeachOptions o;
        o.steps = 20, o.lr = 3e-3f, o.part = part, o.layer = 1;
        ASSERT_TRUE(teach_start(s, m, ids, o, err)) << err;
        while (!teach_done(s)) teach_step(s, m);
        ASSERT_EQ(s.losses.size(), 20u);
        EXPECT_LT(s.losses.back(), 0.8f * s.losses.front()) << "the text got likelier";
        const size_t P = m.params.size(), C = m.cfg.n_embd;
        if (part == TEACH_ALL) {
            EXPECT_GT(changed(before, m.params, 0, P), P / 2);
        }
        if (part == TEACH_EMBEDDINGS) {
            EXPECT_GT(changed(before, m.params, wte, wpe_end), 0u);
            EXPECT_EQ(changed(before, m.params, 0, wte) + changed(before, m.params, wpe_end, P), 0u) << "only wte and wpe move";
        }
        if (part == TEACH_LAYER) {  // layer 1's slice of qkvw moves, layer 0's and the embeddings do not
            const size_t q0 = m.w.qkvw - m.params.data(), per = C * 3 * C;
            EXPECT_GT(changed(before, m.params, q0 + per, q0 + 2 * per), 0u);
            EXPECT_EQ(changed(before, m.params, q0, q0 + per), 0u);
            EXPECT_EQ(changed(before, m.params, wte, wpe_end), 0u);
        }
        Model whole = m;
        model_pack_weights(whole);
        EXPECT_EQ(whole.packed, m.packed) << "the part re-packed after each step = the whole model packed again";
    }
}

TEST(Teach, IsDeterministicAndSavesLoadableWeights) {
    Model a, b;
    std::string err;
    ASSERT_TRUE(model_load_fixture(a, "tiny_f32", err)) << err;
    b = a;
    TeachOptions o;
    o.steps = 5;
    TeachSession sa, sb;
    ASSERT_TRUE(teach_start(sa, a, ids_of(a, TEXT), o, err)) << err;
    ASSERT_TRUE(teach_start(sb, b, ids_of(b, TEXT), o, err)) << err;
    while (!teach_done(sa)) teach_step(sa, a), teach_step(sb, b);
    EXPECT_EQ(sa.losses, sb.losses);
    EXPECT_EQ(a.params, b.params);
    // the taught weights are the ones the products read: packed again after each step
    Model repacked = a;
    model_pack_weights(repacked);
    EXPECT_EQ(a.packed, repacked.packed);
    // the taught weights as HF safetensors (F32) load back exactly
    std::string config, vocab, merges;
    ASSERT_TRUE(model_file_read(model_fixture("tiny_f32") + "/config.json", config));
    ASSERT_TRUE(model_file_read(model_fixture("tiny_f32") + "/vocab.json", vocab));
    ASSERT_TRUE(model_file_read(model_fixture("tiny_f32") + "/merges.txt", merges));
    const std::string st = gpt2_safetensors_bytes(a.cfg, a.params.data(), false);
    Model back;
    ASSERT_TRUE(model_load_memory(back, config, (const uint8_t*)st.data(), st.size(), vocab, merges, err)) << err;
    EXPECT_EQ(back.params, a.params);
}

TEST(Teach, SaysWhatItCannotDo) {
    Model m;
    std::string err;
    ASSERT_TRUE(model_load_fixture(m, "tiny_f32", err)) << err;
    TeachSession s;
    EXPECT_FALSE(teach_start(s, m, ids_of(m, "a"), TeachOptions(), err));
    EXPECT_NE(err.find("two tokens"), std::string::npos) << err;
    TeachOptions bad;
    bad.part = TEACH_LAYER, bad.layer = m.cfg.n_layer;
    EXPECT_FALSE(teach_start(s, m, ids_of(m, TEXT), bad, err));
    EXPECT_NE(err.find("layer"), std::string::npos) << err;
    bad = TeachOptions(), bad.lr = 0;
    EXPECT_FALSE(teach_start(s, m, ids_of(m, TEXT), bad, err));
    Model f16;
    ASSERT_TRUE(model_load_dir(f16, model_fixture("tiny_f32"), err, true)) << err;
    EXPECT_FALSE(teach_start(s, f16, ids_of(f16, TEXT), TeachOptions(), err));
    EXPECT_NE(err.find("F32"), std::string::npos) << err;
    EXPECT_GT(teach_memory_bytes(m.cfg, 10), 5 * m.params.size() * sizeof(float));
    TeachOptions small;  // a model too big for the memory left: a message, nothing allocated
    const std::vector<int> few = ids_of(m, "The blicket is");
    small.memory_limit = teach_memory_bytes(m.cfg, (int)few.size()) - 1;
    m.name = "tiny";
    EXPECT_FALSE(teach_start(s, m, few, small, err));
    EXPECT_NE(err.find("teaching tiny needs about"), std::string::npos) << err;
    EXPECT_NE(err.find("MB are left"), std::string::npos) << err;
    EXPECT_TRUE(s.tm.params.empty());
}

// The page's path: a few steps a frame, the views re-run on the taught weights, Reset restores them
// bit for bit.
TEST_F(AppWithText, TeachThenResetRestoresTheWeightsExactly) {
    const std::vector<float> before = app.models[0]->params;
    const std::vector<float> logits_before = app.cap.logits;
    const uint64_t version = app.weights_version;
    TeachOptions o;
    o.steps = 12;
    ASSERT_TRUE(app_teach_start(app, TEXT, o)) << app.teach.status;
    EXPECT_FALSE(app_model_modified(app)) << "nothing changed before the first step";
    int frames = 0;
    while (app_teach_step(app, 0.0)) frames++;
    EXPECT_EQ(frames, 11) << "one step a frame at a zero budget";
    EXPECT_TRUE(app_model_modified(app));
    EXPECT_GT(app.weights_version, version);
    EXPECT_EQ(app.teach.losses.size(), 12u);
    EXPECT_TRUE(app.teach.session.tm.adam_m.empty()) << "AdamW state freed at the end";
    EXPECT_NE(app.cap.logits, logits_before) << "the views re-ran on the taught weights";
    ASSERT_NE(app_teach_original(app), nullptr);
    EXPECT_EQ(app_teach_original(app)->params, before);
    EXPECT_TRUE(app_teach_original(app)->packed.empty()) << "Reset's copy keeps the weights only";
    app_teach_reset(app);
    EXPECT_FALSE(app_model_modified(app));
    EXPECT_EQ(std::memcmp(app.models[0]->params.data(), before.data(), before.size() * sizeof(float)), 0);
    EXPECT_EQ(app.models[0]->packed.size(), gpt2_packed_floats(app.models[0]->cfg)) << "packed again";
    EXPECT_EQ(app.cap.logits, logits_before);
    // Stop keeps what was taught so far
    ASSERT_TRUE(app_teach_start(app, TEXT, o));
    app_teach_step(app, 0.0);
    app_teach_stop(app);
    EXPECT_EQ(app.teach.losses.size(), 1u);
    EXPECT_FALSE(app.teach.running);
    EXPECT_TRUE(app_model_modified(app));
    EXPECT_FALSE(app_teach_start(app, "", o));
    EXPECT_NE(app.teach.status.find("two tokens"), std::string::npos) << app.teach.status;
}

// A share link carries the teaching (teach, steps, lr, part, seed); opening it teaches the same weights.
TEST_F(AppWithText, ShareLinkReproducesTheTaughtWeights) {
    const std::string notice = app_apply_json(app, R"({"teach": "The blicket is on the table.", "steps": 6, "lr": 0.0025,
                                                      "seed": 7, "part": "layer:1"})");
    EXPECT_EQ(notice, "");
    EXPECT_TRUE(app.teach_open);
    while (app_teach_step(app, 1e9)) {}
    const std::string link = url_state_format(app_state_json(app));
    for (const char* want : {"&teach=The%20blicket", "&steps=6", "&lr=0.00249999994", "&part=layer:1", "&seed=7"})
        EXPECT_NE(link.find(want), std::string::npos) << want << " in " << link;

    App other;
    Model* m = new Model();
    std::string err, parse_notice;
    ASSERT_TRUE(model_load_fixture(*m, "tiny_f32", err)) << err;
    app_add_model(other, m);
    nlohmann::json st = nlohmann::json::parse(url_state_parse(link, parse_notice));
    EXPECT_EQ(parse_notice, "");
    app_set_text(other, st["text"].get<std::string>());
    st.erase("text");
    EXPECT_EQ(app_apply_json(other, st.dump()), "");
    while (app_teach_step(other, 1e9)) {}
    EXPECT_EQ(other.teach.losses, app.teach.losses);
    EXPECT_EQ(other.models[0]->params, app.models[0]->params);
    delete m;
    // bad values are named, and nothing is taught
    EXPECT_NE(app_apply_json(app, R"({"teach": "x y z", "part": "layer:99"})").find("ignored teach"), std::string::npos);
    EXPECT_NE(app_apply_json(app, R"({"teach": 3})").find("ignored teach"), std::string::npos);
}

}  // namespace
