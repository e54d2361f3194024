// fuzz_json_export: arbitrary captures through capture_json_write (the `attnlab run --json` schema, also
// the page's JSON export).
//
// Input (FuzzedDataProvider): shapes (T <= 6, L <= 3, H <= 3, C <= 4, V <= 12), options, then a model
// name, dtype and token byte strings (any bytes), ids (some outside the vocabulary), and every float of
// the capture as raw bit patterns (NaN with payloads, +-inf, subnormals, -0). Some inputs break one
// size or ask for something the capture lacks: then the writer must refuse with a message and leave
// its output alone. Otherwise fuzz_check_capture_json (json_checks.cpp) parses the output with
// nlohmann::json and checks keys, shapes, values, UTF-8 and the top-k against its own softmax.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstring>

#include "fuzz_common.h"
#include "model/capture_json.h"
#include "model/model.h"

static float any_float(FuzzedDataProvider& in) {
    static const float specials[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1.0f, 1e-45f, 3.4028235e38f, 0.5f};
    const uint8_t pick = in.ConsumeIntegral<uint8_t>();
    if (pick < 32) return specials[pick % 10];
    if (pick < 128) return in.ConsumeFloatingPointInRange(-20.0f, 20.0f);  // logits and weights as they come
    const uint32_t bits = in.ConsumeIntegral<uint32_t>();
    float x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static void fill(FuzzedDataProvider& in, std::vector<float>& v, size_t n) {
    v.resize(n);
    for (float& x : v) x = any_float(in);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    Model m;
    Capture cap;
    cap.T = in.ConsumeIntegralInRange(1, 6);
    cap.L = m.cfg.n_layer = in.ConsumeIntegralInRange(1, 3);
    cap.H = m.cfg.n_head = in.ConsumeIntegralInRange(1, 3);
    cap.C = m.cfg.n_embd = in.ConsumeIntegralInRange(1, 4);
    cap.V = m.cfg.vocab_size = in.ConsumeIntegralInRange(1, 12);
    cap.D = 1;
    m.cfg.n_positions = in.ConsumeIntegralInRange(cap.T, 1 << 20);
    const int T = cap.T, L = cap.L, H = cap.H, C = cap.C, V = cap.V;

    CaptureJsonOptions opt;
    if (in.ConsumeBool()) opt.layer = in.ConsumeIntegralInRange(-1, L), opt.head = in.ConsumeIntegralInRange(-1, H);
    opt.scores = in.ConsumeBool();
    opt.logits_all = in.ConsumeBool();
    opt.residuals = in.ConsumeBool();
    opt.lens = in.ConsumeBool();
    opt.top_k = in.ConsumeIntegralInRange(-1, V + 2);
    opt.timing = in.ConsumeBool();
    if (opt.timing) {
        opt.time_ms = in.ConsumeBool() ? in.ConsumeFloatingPoint<double>() : in.ConsumeFloatingPointInRange(0.0, 1e4);
        opt.cpu_ms = in.ConsumeProbability<double>() * 100;
    }
    const bool full_logits = opt.logits_all || in.ConsumeBool();
    const int lens_k = in.ConsumeIntegralInRange(opt.lens ? 1 : 0, 4);
    // 0: consistent; 1..6: one size off or something missing (the writer must say no)
    const int broken = in.ConsumeIntegralInRange(0, 15) < 12 ? 0 : in.ConsumeIntegralInRange(1, 6);

    m.name = in.ConsumeRandomLengthString(24);
    m.source_dtype = in.ConsumeRandomLengthString(8);
    const int n_tok = in.ConsumeIntegralInRange(0, V);  // a tokenizer may be smaller than the model
    for (int i = 0; i < n_tok; i++) m.tok.id_to_bytes.push_back(in.ConsumeRandomLengthString(12));
    std::vector<int> ids(T);
    for (int& id : ids) id = in.ConsumeIntegralInRange(-1, V);  // -1 and V: outside, still written as given
    cap.ids = ids;

    const size_t lhtt = (size_t)L * H * T * T;
    fill(in, cap.weights, lhtt);
    fill(in, cap.scores, opt.scores || in.ConsumeBool() ? lhtt : 0);
    fill(in, cap.logits, full_logits ? (size_t)T * V : V);
    if (opt.residuals) {
        fill(in, cap.embed, (size_t)T * C);
        fill(in, cap.resid_mlp, (size_t)L * T * C);
    }
    cap.lens_k = lens_k;
    cap.lens_ids.resize((size_t)L * T * lens_k);
    for (int& id : cap.lens_ids) id = in.ConsumeIntegralInRange(-1, V - 1);
    fill(in, cap.lens_probs, (size_t)L * T * lens_k);

    switch (broken) {
        case 1: cap.weights.pop_back(); break;
        case 2: ids.push_back(0); break;
        case 3: cap.logits.resize((size_t)T * V + V + 1); break;  // neither [V] nor [T, V]
        case 4: m.cfg.n_head++; break;
        case 5:
            opt.scores = true;
            cap.scores.clear();
            break;
        case 6:
            opt.lens = true;
            cap.lens_k = 0;
            break;
    }
    const bool one_head = opt.layer >= 0 || opt.head >= 0;
    const bool options_ok = !one_head || (opt.layer >= 0 && opt.layer < L && opt.head >= 0 && opt.head < H);

    static std::string out;  // one buffer for all inputs, as in fuzz_svg
    out.assign("prefix:");
    std::string err;
    const bool ok = capture_json_write(m, cap, ids, opt, out, err);
    if (broken || !options_ok) {
        FUZZ_CHECK(!ok, "the writer accepted a broken capture (case %d) or layer %d head %d", broken, opt.layer,
                   opt.head);
        FUZZ_CHECK(!err.empty() && out == "prefix:", "a refusal must explain itself and write nothing");
        return 0;
    }
    FUZZ_CHECK(ok, "the writer refused a consistent capture: %s", err.c_str());
    FUZZ_CHECK(out.compare(0, 7, "prefix:") == 0, "the writer did not append");
    fuzz_check_capture_json(std::string_view(out).substr(7), m, cap, ids, opt);
    return 0;
}
