// Trainer tests (native only): gradients against central finite differences for every parameter
// tensor, loss falls on a tiny dataset, checkpoint resume is bitwise identical, F16 export round trip.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "model/file.h"
#include "model/model.h"
#include "train/train.h"

static GPT2Config tiny_config() {
    GPT2Config c;
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 8;
    c.n_positions = 6;
    c.vocab_size = 11;
    return c;
}

static const char* TENSOR_NAMES[GPT2_NUM_TENSORS] = {"wte",     "wpe",      "ln1w",     "ln1b", "qkvw", "qkvb",
                                                     "attprojw", "attprojb", "ln2w",     "ln2b", "fcw",  "fcb",
                                                     "fcprojw",  "fcprojb",  "lnfw",     "lnfb"};

// Every tensor: backward's gradient vs central differences of the float forward, on a subset of
// elements (relative L2 error < 0.5 %; correct code gives <= 0.07 %, a 10 % error in dq gives 2-5 %). Large init (std 0.5) and perturbed layernorm/bias values make every nonlinearity matter.
TEST(TrainGrad, EveryTensorMatchesFiniteDifferences) {
    train_set_threads(1);  // ~200 tiny forwards: thread barriers would dominate on a shared box
    GPT2Config cfg = tiny_config();
    TrainModel m;
    std::string err;
    ASSERT_TRUE(train_model_init(m, cfg, 7, 0.5f, err)) << err;
    TrainRng r;
    train_rng_seed(r, 99);
    for (float& p : m.params) p += 0.1f * train_rng_normal(r);  // layernorm weights/biases away from 1/0
    const int B = 2, T = 5;
    std::vector<int> in(B * T), tg(B * T);
    for (int i = 0; i < B * T; i++) {
        in[i] = (int)(train_rng_u64(r) % cfg.vocab_size);
        tg[i] = (int)(train_rng_u64(r) % cfg.vocab_size);
    }
    in[3] = in[1];  // a repeated token exercises the wte scatter-add
    train_forward(m, in.data(), tg.data(), B, T);
    train_zero_grad(m);
    train_backward(m);
    std::vector<float> grads = m.grads;

    size_t sizes[GPT2_NUM_TENSORS];
    gpt2_tensor_sizes(cfg, sizes);
    size_t off = 0;
    const float h = 1e-2f;
    for (int t = 0; t < GPT2_NUM_TENSORS; t++) {
        size_t stride = sizes[t] > 24 ? sizes[t] / 24 : 1;
        double diff2 = 0.0, ref2 = 0.0;
        int checked = 0;
        for (size_t i = 0; i < sizes[t]; i += stride) {
            float& p = m.params[off + i];
            float orig = p;
            p = orig + h;
            double lp = train_forward(m, in.data(), tg.data(), B, T);
            p = orig - h;
            double lm = train_forward(m, in.data(), tg.data(), B, T);
            p = orig;
            double fd = (lp - lm) / (2.0 * h);
            double g = grads[off + i];
            diff2 += (g - fd) * (g - fd);
            ref2 += fd * fd;
            checked++;
        }
        double rel = std::sqrt(diff2) / (std::sqrt(ref2) + 1e-6);
        EXPECT_LT(rel, 5e-3) << TENSOR_NAMES[t] << ": relative L2 error " << rel << " over " << checked
                             << " elements, |fd| = " << std::sqrt(ref2);
        EXPECT_GT(std::sqrt(ref2), 1e-5) << TENSOR_NAMES[t] << ": gradient is ~0, the check would be vacuous";
        off += sizes[t];
    }
}

// A periodic sequence is learnable: loss must fall well below the uniform-distribution loss.
TEST(TrainLoop, LossFallsOnTinyDataset) {
    train_set_threads(1);  // 150 tiny steps: no thread hand-offs on a shared box
    GPT2Config cfg = tiny_config();
    cfg.vocab_size = 16;
    cfg.n_embd = 16;
    cfg.n_positions = 8;
    TrainModel m;
    std::string err;
    ASSERT_TRUE(train_model_init(m, cfg, 1, 0.02f, err)) << err;
    std::vector<uint16_t> toks;
    const int pattern[7] = {3, 1, 4, 1, 5, 9, 2};
    for (int i = 0; i < 2000; i++) toks.push_back((uint16_t)pattern[i % 7]);
    TrainOptions o;
    o.B = 4;
    o.T = 8;
    o.steps = 150;
    o.warmup = 10;
    o.lr = 1e-2f;
    o.threads = 1;
    TrainState st;
    train_rng_seed(st.rng, 5);
    double first = 0.0, last = 0.0;
    for (int i = 0; i < o.steps; i++) {
        StepStats s = train_step(m, st, o, toks);
        if (i == 0) first = s.loss;
        last = s.loss;
    }
    EXPECT_NEAR(first, std::log(16.0), 0.3);
    EXPECT_LT(last, 0.3) << "first loss " << first;
    EXPECT_EQ(st.step, o.steps);
}

// Training 2k steps straight must equal k steps + checkpoint + load into a fresh model + k steps.
TEST(TrainLoop, ResumeIsBitwiseIdentical) {
    train_set_threads(2);
    GPT2Config cfg = tiny_config();
    std::vector<uint16_t> toks;
    TrainRng r;
    train_rng_seed(r, 3);
    for (int i = 0; i < 500; i++) toks.push_back((uint16_t)(train_rng_u64(r) % cfg.vocab_size));
    TrainOptions o;
    o.B = 3;
    o.T = 6;
    o.steps = 20;
    o.warmup = 4;
    std::string err;

    TrainModel a;
    TrainState sa;
    ASSERT_TRUE(train_model_init(a, cfg, 11, 0.02f, err)) << err;
    train_rng_seed(sa.rng, 12);
    for (int i = 0; i < o.steps; i++) train_step(a, sa, o, toks);

    TrainModel b;
    TrainState sb;
    ASSERT_TRUE(train_model_init(b, cfg, 11, 0.02f, err)) << err;
    train_rng_seed(sb.rng, 12);
    for (int i = 0; i < o.steps / 2; i++) train_step(b, sb, o, toks);
    std::string path = testing::TempDir() + "attnlab_train_resume.ckpt";
    ASSERT_TRUE(checkpoint_save(b, sb, path, err)) << err;
    TrainModel c;
    TrainState sc;
    ASSERT_TRUE(checkpoint_load(c, sc, path, err)) << err;
    EXPECT_EQ(sc.step, o.steps / 2);
    for (int i = o.steps / 2; i < o.steps; i++) train_step(c, sc, o, toks);
    std::remove(path.c_str());

    ASSERT_EQ(a.params.size(), c.params.size());
    size_t mismatches = 0;
    for (size_t i = 0; i < a.params.size(); i++) mismatches += a.params[i] != c.params[i];
    EXPECT_EQ(mismatches, 0u);
    EXPECT_EQ(sa.rng.state, sc.rng.state);
    EXPECT_NE(a.params[0], b.params[0]) << "the two halves must have trained different amounts";
}

TEST(TrainCheckpoint, RejectsTruncatedAndForeignFiles) {
    std::string path = testing::TempDir() + "attnlab_train_bad.ckpt";
    {
        std::ofstream f(path, std::ios::binary);
        f << "not a checkpoint at all, just text";
    }
    TrainModel m;
    TrainState st;
    std::string err;
    EXPECT_FALSE(checkpoint_load(m, st, path, err));
    EXPECT_NE(err.find("not an attnlab"), std::string::npos) << err;
    TrainModel a;
    ASSERT_TRUE(train_model_init(a, tiny_config(), 1, 0.02f, err));
    ASSERT_TRUE(checkpoint_save(a, st, path, err)) << err;
    {
        std::string all;
        ASSERT_TRUE(file_read(path, all));
        std::ofstream g(path, std::ios::binary | std::ios::trunc);
        g.write(all.data(), all.size() / 2);
    }
    EXPECT_FALSE(checkpoint_load(m, st, path, err));
    EXPECT_NE(err.find("truncated"), std::string::npos) << err;
    std::remove(path.c_str());
}

TEST(TrainSchedule, WarmupThenCosineToMin) {
    TrainOptions o;
    o.lr = 1e-3f;
    o.warmup = 10;
    o.steps = 110;
    o.min_lr_frac = 0.1f;
    EXPECT_FLOAT_EQ(train_lr_at(o, 0), 1e-4f);
    EXPECT_FLOAT_EQ(train_lr_at(o, 9), 1e-3f);
    EXPECT_FLOAT_EQ(train_lr_at(o, 10), 1e-3f);
    EXPECT_NEAR(train_lr_at(o, 60), 0.55e-3f, 1e-7);  // halfway through the cosine
    EXPECT_NEAR(train_lr_at(o, 110), 1e-4f, 1e-9);
}

TEST(TrainExport, HalfConversionRoundsToNearestEven) {
    EXPECT_EQ(float_to_half(1.0f), 0x3C00);
    EXPECT_EQ(float_to_half(-2.0f), 0xC000);
    EXPECT_EQ(float_to_half(65504.0f), 0x7BFF);
    EXPECT_EQ(float_to_half(1e6f), 0x7C00);
    EXPECT_EQ(float_to_half(5.960464477539063e-08f), 0x0001);  // smallest subnormal
    EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048.0f), 0x3C00);    // tie -> even
    EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048.0f), 0x3C02);    // tie -> even (up)
    TrainRng r;
    train_rng_seed(r, 1);
    for (int i = 0; i < 1000; i++) {
        float x = train_rng_normal(r) * 0.1f;
        float y = half_to_float(float_to_half(x));
        EXPECT_LE(std::fabs(x - y), std::fabs(x) * (1.0f / 2048.0f) + 1e-7f) << x;
    }
}

// Export writes the HF names and shapes; the F32 data equals the parameters exactly.
TEST(TrainExport, SafetensorsHasHfNamesAndData) {
    GPT2Config cfg = tiny_config();
    cfg.vocab_size = 3;
    TrainModel m;
    std::string err;
    ASSERT_TRUE(train_model_init(m, cfg, 2, 0.02f, err));
    std::string dir = testing::TempDir() + "attnlab_train_export";
    std::string tokdir = testing::TempDir() + "attnlab_train_tok";
    ASSERT_EQ(system(("mkdir -p " + tokdir).c_str()), 0);
    std::ofstream(tokdir + "/vocab.json") << "{\"a\": 0, \"b\": 1, \"<|endoftext|>\": 2}";
    std::ofstream(tokdir + "/merges.txt") << "#version: 0.2\n";
    ASSERT_TRUE(export_hf(m, tokdir, dir, false, err)) << err;
    std::ifstream f(dir + "/model.safetensors", std::ios::binary);
    uint64_t hlen = 0;
    f.read(reinterpret_cast<char*>(&hlen), 8);
    std::string header(hlen, '\0');
    f.read(&header[0], hlen);
    EXPECT_NE(header.find("\"h.1.attn.c_attn.weight\":{\"dtype\":\"F32\",\"shape\":[8,24]"), std::string::npos)
        << header;
    EXPECT_NE(header.find("\"h.0.mlp.c_proj.weight\":{\"dtype\":\"F32\",\"shape\":[32,8]"), std::string::npos);
    EXPECT_NE(header.find("\"ln_f.bias\""), std::string::npos);
    std::vector<float> wte(3 * 8);
    f.read(reinterpret_cast<char*>(wte.data()), wte.size() * 4);  // wte is the first tensor
    for (int i = 0; i < 24; i++) EXPECT_EQ(wte[i], m.w.wte[i]);
    std::string cj;
    ASSERT_TRUE(file_read(dir + "/config.json", cj));
    EXPECT_NE(cj.find("\"eos_token_id\": 2"), std::string::npos) << cj;
    EXPECT_NE(cj.find("GPT2LMHeadModel"), std::string::npos);
    // a vocabulary that disagrees with the model is refused
    std::ofstream(tokdir + "/vocab.json") << "{\"a\": 0}";
    EXPECT_FALSE(export_hf(m, tokdir, dir, true, err));
}

// Splitting the batch over two workers (the training path) gives the same loss and gradients as one
// worker, up to float summation order.
TEST(TrainGrad, ShardedBatchMatchesSingleWorker) {
    train_set_threads(2);
    GPT2Config cfg = tiny_config();
    TrainModel m;
    std::string err;
    ASSERT_TRUE(train_model_init(m, cfg, 5, 0.3f, err)) << err;
    const int B = 3, T = 6;
    std::vector<int> in(B * T), tg(B * T);
    for (int i = 0; i < B * T; i++) {
        in[i] = (i * 7 + 3) % cfg.vocab_size;
        tg[i] = (i * 5 + 1) % cfg.vocab_size;
    }
    double l1 = train_forward_backward(m, in.data(), tg.data(), B, T, 1);
    std::vector<float> g1 = m.grads;
    double l2 = train_forward_backward(m, in.data(), tg.data(), B, T, 2);
    EXPECT_NEAR(l1, l2, 1e-5);
    double diff2 = 0.0, ref2 = 0.0;
    for (size_t i = 0; i < g1.size(); i++) {
        diff2 += (g1[i] - m.grads[i]) * (double)(g1[i] - m.grads[i]);
        ref2 += g1[i] * (double)g1[i];
    }
    EXPECT_LT(std::sqrt(diff2), 1e-5 * std::sqrt(ref2));
    EXPECT_GT(ref2, 0.0);
}

// The exported directory loads in the inference engine (model_load_dir), and its forward pass gives
// the trainer's logits: same layout, names and shapes end to end (F32 exactly up to summation order,
// F16 within half-precision rounding of the weights).
TEST(TrainExport, EngineLoadsExportAndMatchesTrainerLogits) {
    train_set_threads(2);
    GPT2Config cfg = tiny_config();
    cfg.vocab_size = 258;  // 256 bytes + 1 merge + <|endoftext|>
    TrainModel m;
    std::string err;
    ASSERT_TRUE(train_model_init(m, cfg, 21, 0.3f, err)) << err;
    std::string tokdir = testing::TempDir() + "attnlab_train_tok258";
    ASSERT_EQ(system(("mkdir -p " + tokdir).c_str()), 0);
    {
        // GPT-2 byte stand-ins: printable ASCII maps to itself, the rest to U+0100.. in byte order
        std::vector<int> bs;
        for (int b = '!'; b <= '~'; b++) bs.push_back(b);
        for (int b = 0xA1; b <= 0xAC; b++) bs.push_back(b);
        for (int b = 0xAE; b <= 0xFF; b++) bs.push_back(b);
        std::vector<int> cp(256, -1);
        for (int b : bs) cp[b] = b;
        int n = 0;
        for (int b = 0; b < 256; b++)
            if (cp[b] < 0) cp[b] = 256 + n++;
        nlohmann::json v;
        for (int b = 0; b < 256; b++) {
            std::string u;
            int c = cp[b];
            if (c < 0x80) u += (char)c;
            else {
                u += (char)(0xC0 | (c >> 6));
                u += (char)(0x80 | (c & 0x3F));
            }
            v[u] = b;
        }
        v["th"] = 256;
        v["<|endoftext|>"] = 257;
        std::ofstream(tokdir + "/vocab.json") << v.dump();
        std::ofstream(tokdir + "/merges.txt") << "#version: 0.2\nt h\n";
    }
    const int T = 6;
    std::vector<int> ids = {116, 256, 101, 32, 100, 257};
    train_forward(m, ids.data(), nullptr, 1, T);
    const float* probs = m.workers[0].acts.probs.data() + (size_t)(T - 1) * cfg.vocab_size;  // last position
    for (bool f16 : {false, true}) {
        std::string dir = testing::TempDir() + (f16 ? "attnlab_train_engine16" : "attnlab_train_engine32");
        ASSERT_TRUE(export_hf(m, tokdir, dir, f16, err)) << err;
        Model em;
        ASSERT_TRUE(model_load_dir(em, dir, err)) << err;
        ASSERT_EQ(em.cfg.vocab_size, cfg.vocab_size);
        ASSERT_EQ(em.cfg.n_layer, cfg.n_layer);
        CaptureOptions opt;
        opt.attention = opt.qkv = opt.residuals = false;
        Capture cap;
        ASSERT_TRUE(model_forward(em, ids, opt, cap, err)) << err;
        ASSERT_EQ((int)cap.logits.size(), cfg.vocab_size);
        // compare distributions (the trainer keeps probabilities, the engine logits)
        float mx = *std::max_element(cap.logits.begin(), cap.logits.end());
        double z = 0.0;
        for (float l : cap.logits) z += std::exp((double)l - mx);
        double max_diff = 0.0;
        for (int i = 0; i < cfg.vocab_size; i++) {
            double p = std::exp((double)cap.logits[i] - mx) / z;
            max_diff = std::max(max_diff, std::fabs(p - probs[i]));
        }
        EXPECT_LT(max_diff, f16 ? 2e-3 : 1e-5) << (f16 ? "F16" : "F32");
    }
}

// A token stream without natural repeats (ids 0, 1, 2, ...): any repetition in a window is a copying window's.
static std::vector<uint16_t> climbing_tokens(size_t n) {
    std::vector<uint16_t> toks(n);
    for (size_t i = 0; i < n; i++) toks[i] = (uint16_t)i;
    return toks;
}

// Copying windows: with copy_frac = 1 every window repeats one of its own spans (T/16..T/4 tokens) later
// in the window; on a token stream without repeats, that is the only repetition there is.
TEST(TrainData, CopyWindowsRepeatASpanLaterInTheWindow) {
    const std::vector<uint16_t> toks = climbing_tokens(5000);
    const int B = 64, T = 64;
    std::vector<int> in(B * T), tg(B * T);
    TrainRng r;
    train_rng_seed(r, 3);
    CopyWindows copy;
    copy.frac = 1.0f;
    batch_sample(toks, B, T, r, in.data(), tg.data(), copy);
    for (int b = 0; b < B; b++) {
        std::vector<int> win(in.begin() + b * T, in.begin() + (b + 1) * T);
        win.push_back(tg[b * T + T - 1]);
        // the repeated span: the longest run where win[j + i] == win[k + i] for j < k
        int best = 0;
        for (int j = 0; j <= T; j++)
            for (int k = j + 1; k <= T; k++) {
                int n = 0;
                while (k + n <= T && win[j + n] == win[k + n]) n++;
                best = std::max(best, n);
            }
        EXPECT_GE(best, T / 16) << "window " << b;
        EXPECT_LE(best, T / 4) << "window " << b;
        for (int t = 0; t < T; t++) ASSERT_EQ(tg[b * T + t], win[t + 1]);  // targets stay the next tokens
    }
    // copy_frac = 0 draws no extra numbers: the plain windows of the same seed
    train_rng_seed(r, 3);
    batch_sample(toks, B, T, r, in.data(), tg.data(), CopyWindows());
    for (int b = 0; b < B; b++)
        for (int t = 1; t < T; t++) ASSERT_EQ(in[b * T + t], in[b * T + t - 1] + 1);
    // random spans: ids from [lo, hi), the same ids again later, up to max_frac T long
    copy.random = 1.0f;
    copy.max_frac = 0.5f;
    copy.random_lo = 6000;
    copy.random_hi = 6100;
    train_rng_seed(r, 4);
    batch_sample(toks, B, T, r, in.data(), tg.data(), copy);
    int longest = 0;
    for (int b = 0; b < B; b++) {
        std::vector<int> rnd;                             // the window's random ids, inputs and the last target
        for (int t = 0; t <= T; t++) {
            const int id = t < T ? in[b * T + t] : tg[b * T + T - 1];
            if (id >= 6000) rnd.push_back(id);
        }
        ASSERT_GE(rnd.size(), 2u * (T / 16)) << "window " << b;
        ASSERT_EQ(rnd.size() % 2, 0u) << "window " << b;  // two copies
        const size_t L = rnd.size() / 2;
        for (size_t i = 0; i < L; i++) ASSERT_EQ(rnd[i], rnd[i + L]) << "window " << b;
        longest = std::max(longest, (int)L);
    }
    EXPECT_GT(longest, T / 4);
    EXPECT_LE(longest, T / 2);
}

// Periodic copying windows: the span repeats itself from its first copy to the end of the window, so
// every later token equals the one a period back; spans T/32..max_frac T; random spans too.
TEST(TrainData, PeriodicCopyWindowsRepeatTheSpanToTheEnd) {
    const std::vector<uint16_t> toks = climbing_tokens(5000);
    const int B = 64, T = 64;
    std::vector<int> in(B * T), tg(B * T);
    TrainRng r;
    train_rng_seed(r, 5);
    CopyWindows copy;
    copy.frac = 1.0f, copy.periodic = true, copy.random = 0.5f, copy.random_lo = 6000, copy.random_hi = 6100;
    batch_sample(toks, B, T, r, in.data(), tg.data(), copy);
    int random_windows = 0, shortest = T, longest = 0;
    for (int b = 0; b < B; b++) {
        std::vector<int> win(in.begin() + b * T, in.begin() + (b + 1) * T);
        win.push_back(tg[b * T + T - 1]);
        // the period: the smallest P whose repeating tail (win[t] == win[t - P] up to the end) holds at
        // least one whole copy; natural ids never repeat, so nothing else can make such a tail
        int P = 1, tail = 0;
        for (; P <= T; P++) {
            tail = 0;
            while (T - tail - P >= 0 && win[T - tail] == win[T - tail - P]) tail++;
            if (tail >= P) break;
        }
        if (win[T] >= 6000) random_windows++;  // the last token is in a copy of the span
        ASSERT_LE(P, T / 4) << "window " << b;
        EXPECT_GE(P, T / 32) << "window " << b;
        shortest = std::min(shortest, P), longest = std::max(longest, P);
        for (int t = 0; t < T; t++) ASSERT_EQ(tg[b * T + t], win[t + 1]);
    }
    EXPECT_GT(random_windows, B / 4);
    EXPECT_LT(random_windows, 3 * B / 4);
    EXPECT_LT(shortest, longest);
}

// Sinusoidal position embeddings: the requested root-mean-square, and the product of two positions a
// function of their offset only (sin a sin b + cos a cos b = cos(a - b)): "one back" is the same linear
// relation at every position, which a query/key pair can pick up.
TEST(TrainInit, SinusoidalPositionEmbeddings) {
    GPT2Config c;
    c.n_layer = 1, c.n_head = 2, c.n_embd = 16, c.n_positions = 32, c.vocab_size = 40;
    TrainModel m;
    std::string err;
    ASSERT_TRUE(train_model_init(m, c, 1, 0.02f, err)) << err;
    train_wpe_sinusoid(m, 0.1f);
    double ss = 0.0;
    for (int i = 0; i < 32 * 16; i++) ss += (double)m.w.wpe[i] * m.w.wpe[i];
    EXPECT_NEAR(std::sqrt(ss / (32 * 16)), 0.1, 0.01);
    EXPECT_NEAR(m.w.wpe[0 * 16 + 1], 0.1f * std::sqrt(2.0f), 1e-6);  // cos(0) at full amplitude
    EXPECT_NEAR(m.w.wpe[1 * 16 + 0], 0.1f * std::sqrt(2.0f) * std::sin(1.0f), 1e-6);
    auto dot = [&](int a, int b) {
        double d = 0;
        for (int i = 0; i < 16; i++) d += (double)m.w.wpe[a * 16 + i] * m.w.wpe[b * 16 + i];
        return d;
    };
    for (int k : {1, 3})
        for (int p = 0; p + k < 32; p++) EXPECT_NEAR(dot(p, p + k), dot(0, k), 1e-6) << "offset " << k << " at " << p;
    EXPECT_GT(dot(0, 0) - dot(0, 1), 1e-3);  // and a neighbour is not the same vector
}

// Shards are handed to threads dynamically and summed in shard order: 1 and 2 threads give bitwise the
// same gradients for the same shard count.
TEST(TrainGrad, ShardResultsDoNotDependOnThreadCount) {
    GPT2Config cfg = tiny_config();
    TrainModel m;
    std::string err;
    ASSERT_TRUE(train_model_init(m, cfg, 8, 0.3f, err)) << err;
    const int B = 4, T = 6;
    std::vector<int> in(B * T), tg(B * T);
    for (int i = 0; i < B * T; i++) {
        in[i] = (i * 7 + 2) % cfg.vocab_size;
        tg[i] = (i * 3 + 5) % cfg.vocab_size;
    }
    train_set_threads(1);
    double l1 = train_forward_backward(m, in.data(), tg.data(), B, T, 4);
    std::vector<float> g1 = m.grads;
    train_set_threads(2);
    double l2 = train_forward_backward(m, in.data(), tg.data(), B, T, 4);
    EXPECT_EQ(l1, l2);
    EXPECT_EQ(0, std::memcmp(g1.data(), m.grads.data(), g1.size() * sizeof(float)));
}

// Reversed copying windows: from the window's start, pairs of a span and the same span backwards (spans
// T/16..max_frac T, one length per window), so the token after a repeated token is the one before its
// earlier copy, and no pair of consecutive tokens comes twice; never periodic; with reverse = 0.5 both
// kinds occur.
TEST(TrainData, ReversedCopyWindowsRepeatTheSpanBackwards) {
    const std::vector<uint16_t> toks = climbing_tokens(5000);
    const int B = 64, T = 128;  // periodic spans >= T/32 = 4: no descending step in them
    std::vector<int> in(B * T), tg(B * T);
    TrainRng r;
    train_rng_seed(r, 6);
    CopyWindows copy;
    copy.frac = 1.0f, copy.periodic = true, copy.reverse = 0.5f;
    batch_sample(toks, B, T, r, in.data(), tg.data(), copy);
    int reversed = 0;
    for (int b = 0; b < B; b++) {
        std::vector<int> win(in.begin() + b * T, in.begin() + (b + 1) * T);
        win.push_back(tg[b * T + T - 1]);
        for (int t = 0; t < T; t++) ASSERT_EQ(tg[b * T + t], win[t + 1]);
        bool descends = false;  // natural ids only climb: a step down by one is a backwards copy
        for (int i = 0; i < T; i++) descends = descends || win[i + 1] == win[i] - 1;
        if (!descends) continue;  // a forward (periodic) copying window
        reversed++;
        int L = 1;  // the first span climbs from the window's start
        while (win[L] == win[L - 1] + 1) L++;
        ASSERT_GE(L, T / 16) << "window " << b;
        ASSERT_LE(L, T / 4) << "window " << b;
        int pairs = 0;
        for (int i = 0; i + 2 * L <= T + 1; i += 2 * L, pairs++) {
            for (int j = 1; j < L; j++) ASSERT_EQ(win[i + j], win[i + j - 1] + 1) << "window " << b << ": a span climbs";
            for (int j = 0; j < L; j++) ASSERT_EQ(win[i + L + j], win[i + L - 1 - j]) << "window " << b << ": then runs backwards";
            if (i > 0) ASSERT_GT(win[i], win[i - 2 * L + L - 1]) << "window " << b << ": each span is fresh text";
        }
        EXPECT_GE(pairs, 2) << "window " << b;
        std::set<std::pair<int, int>> seen;  // no pair of consecutive tokens twice
        for (int i = 0; i < 2 * L * pairs - 1; i++) ASSERT_TRUE(seen.insert({win[i], win[i + 1]}).second) << "window " << b << " at " << i;
    }
    EXPECT_GT(reversed, B / 4);
    EXPECT_LT(reversed, 3 * B / 4);
}

// Repeat-marked windows: the marker first, then the text (or random ids) with the marker after every token
// that already occurred in the window, and nowhere else; with mark = 0 the windows are the plain copying ones.
TEST(TrainData, MarkedWindowsMarkEveryRepeatedToken) {
    std::vector<uint16_t> toks(5000);
    for (size_t i = 0; i < toks.size(); i++) toks[i] = (uint16_t)(300 + (i * i) % 97);  // repeats, irregularly
    const int B = 64, T = 64, mark = 218;
    for (const float random : {0.0f, 1.0f}) {
        std::vector<int> in(B * T), tg(B * T);
        TrainRng r;
        train_rng_seed(r, 7);
        CopyWindows copy;
        copy.frac = 1.0f, copy.mark = 1.0f, copy.mark_token = mark, copy.random = random;
        copy.random_lo = 256, copy.random_hi = 3583;
        batch_sample(toks, B, T, r, in.data(), tg.data(), copy);
        int repeats = 0, content_total = 0;
        for (int b = 0; b < B; b++) {
            std::vector<int> win(in.begin() + b * T, in.begin() + (b + 1) * T);
            win.push_back(tg[b * T + T - 1]);
            for (int t = 0; t < T; t++) ASSERT_EQ(tg[b * T + t], win[t + 1]);
            ASSERT_EQ(win[0], mark) << "window " << b << " starts with the marker";
            std::vector<int> content;
            for (int t = 1; t <= T; t++) {
                if (win[t] == mark) continue;
                const bool repeated = std::count(content.begin(), content.end(), win[t]) > 0;
                content.push_back(win[t]);
                if (t < T) ASSERT_EQ(win[t + 1] == mark, repeated) << "window " << b << " position " << t;
                repeats += repeated;
            }
            content_total += (int)content.size();
            if (random == 0.0f) {  // the text, in order, from one place
                size_t s = 0;
                while (s + 1 < toks.size() && !(toks[s] == content[0] && std::equal(content.begin(), content.end(), toks.begin() + s)))
                    s++;
                ASSERT_TRUE(std::equal(content.begin(), content.end(), toks.begin() + s)) << "window " << b;
            } else {
                for (int id : content) ASSERT_TRUE(id >= 256 && id < 3583) << id;
            }
        }
        if (random == 1.0f) {  // about half the random ids repeat an earlier one
            EXPECT_GT(repeats, content_total * 4 / 10);
            EXPECT_LT(repeats, content_total * 7 / 10);
        }
    }
}
