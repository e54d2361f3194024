// fuzz_svg: arbitrary token text (and attention numbers) through every view builder and the SVG writer.
//
// Input (FuzzedDataProvider): T, L, H, a weights mode, view options, then token byte strings.
//   mode 0: weights are real causal softmax rows (what the engine produces)
//   mode 1: weights are arbitrary floats (NaN, inf, negative, > 1): builders must still not crash
//   mode 2: a hand-made scene of arbitrary prims at arbitrary coordinates (svg.h takes any VizScene)
// The document must be well-formed XML with plain finite numbers and exactly one element per prim.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>

#include "fuzz_common.h"
#include "model/model.h"
#include "viz/svg.h"
#include "viz/views.h"

static float weight_arbitrary(FuzzedDataProvider& in) {
    static const float specials[] = {NAN, INFINITY, -INFINITY, -1.0f, 0.0f, 1.0f, 2.0f, 1e30f, -1e30f, 1e-40f};
    const uint8_t pick = in.ConsumeIntegral<uint8_t>();
    if (pick < 40) return specials[pick % 10];
    return in.ConsumeFloatingPointInRange(-2.0f, 2.0f);
}

// weights [L, H, T, T]: mode 0 causal softmax rows from fuzzed logits, mode 1 anything.
static void capture_fill(FuzzedDataProvider& in, Capture& cap, int mode) {
    const size_t n = (size_t)cap.L * cap.H * cap.T * cap.T;
    cap.weights.assign(n, 0.0f);
    cap.scores.assign(n, 0.0f);
    cap.ids.resize(cap.T);
    for (int t = 0; t < cap.T; t++) cap.ids[t] = in.ConsumeIntegralInRange(0, 50256);
    for (size_t row = 0; row < n / cap.T; row++) {
        float* w = &cap.weights[row * cap.T];
        const int q = (int)(row % cap.T);
        if (mode == 1) {
            for (int k = 0; k < cap.T; k++) w[k] = weight_arbitrary(in);
            continue;
        }
        float sum = 0;
        for (int k = 0; k <= q; k++) sum += (w[k] = std::exp(in.ConsumeFloatingPointInRange(-8.0f, 8.0f)));
        for (int k = 0; k <= q; k++) w[k] /= sum;
    }
}

static std::vector<std::string> tokens_take(FuzzedDataProvider& in, int T) {
    std::vector<std::string> tokens;
    const int n = in.ConsumeIntegralInRange(0, T);  // fewer labels than T: positions are used
    for (int t = 0; t < n; t++) tokens.push_back(in.ConsumeRandomLengthString(24));
    return tokens;
}

static void views_build(FuzzedDataProvider& in, VizScene& s, const VizTheme& th, int mode) {
    Capture cap;
    cap.T = in.ConsumeIntegralInRange(1, 12);
    cap.L = in.ConsumeIntegralInRange(1, 3);
    cap.H = in.ConsumeIntegralInRange(1, 4);
    cap.C = 8 * cap.H, cap.D = 8, cap.V = 50257;
    const int layer = in.ConsumeIntegralInRange(0, cap.L - 1), head = in.ConsumeIntegralInRange(0, cap.H - 1);
    const int pick = in.ConsumeIntegralInRange(-1, cap.T);  // hovered / focused token, may be out of range
    const float width = in.ConsumeFloatingPointInRange(1.0f, 1200.0f);
    capture_fill(in, cap, mode);
    std::vector<std::string> tokens = tokens_take(in, cap.T);

    VizMatrixOpts mo;
    mo.layer = layer, mo.head = head, mo.hover_row = pick, mo.hover_col = pick, mo.select_row = pick;
    VizRect r = viz_matrix_build(s, cap, tokens, mo, {0, 0, width, width}, th);
    VizWork work;
    r = viz_aggregate_build(s, cap, tokens, in.ConsumeBool() ? VIZ_AGG_ROLLOUT : VIZ_AGG_MEAN, mo,
                            {0, r.y + r.h + 10, width, width}, th, work);
    VizHeadViewOpts ho;
    ho.layer = layer, ho.focus = pick, ho.focus_is_key = in.ConsumeBool();
    r = viz_head_view_build(s, cap, tokens, ho, {0, r.y + r.h + 10, width, 300}, th);
    VizModelViewOpts vo;
    vo.sel_layer = layer, vo.sel_head = head, vo.max_cells = in.ConsumeIntegralInRange(1, 16);
    r = viz_model_view_build(s, cap, vo, {0, r.y + r.h + 10, width, 300}, th);
    r = viz_row_table_build(s, cap, tokens, layer, head, in.ConsumeIntegralInRange(0, cap.T - 1),
                            {0, r.y + r.h + 10, width, 300}, th);
    // probability bars: the vocabulary entries are the fuzzed token strings
    std::vector<int> ids(cap.T);
    std::vector<float> probs(cap.T);
    for (int t = 0; t < cap.T; t++) ids[t] = tokens.empty() ? 0 : t % (int)tokens.size();
    for (int t = 0; t < cap.T; t++) probs[t] = mode == 1 ? weight_arbitrary(in) : in.ConsumeProbability<float>();
    if (!tokens.empty()) r = viz_probs_build(s, ids.data(), probs.data(), cap.T, tokens, pick, {0, r.y + r.h + 10, width, 200}, th);
    VizChipsOpts co;
    co.selected = pick;
    r = viz_chips_build(s, tokens, cap.ids.data(), (int)tokens.size(), co, {0, r.y + r.h + 10, width, 200}, th);
    // the Memory view: both models' rows, the rollout, the LSTM's curves, by-distance means (arbitrary
    // values: NaN, inf, negative and huge included in mode 1), and, when taught, the before of predict bars
    if (tokens.empty()) return;
    const int T = (int)tokens.size(), P = in.ConsumeIntegralInRange(0, T - 1), layers = in.ConsumeIntegralInRange(0, 3);
    auto values = [&](size_t n) {
        std::vector<float> v(n);
        for (float& x : v) x = mode == 1 ? weight_arbitrary(in) : in.ConsumeProbability<float>() * 5;
        return v;
    };
    const std::vector<float> a = values(P + 1), b = values(P + 1), ro = values(P + 1), cn = values((size_t)layers * T),
                             fg = values((size_t)layers * T), da = values(T), db = values(T);
    VizMemoryData md;
    md.tokens = &tokens, md.T = T, md.position = P, md.hover = pick;
    if (in.ConsumeBool()) md.influence[0] = a.data(), md.influence[1] = b.data(), md.rollout = ro.data(),
                          md.by_distance[0] = da.data(), md.by_distance[1] = db.data();
    md.cell_norm = cn.data(), md.forget = fg.data(), md.lstm_layers = layers;
    r = viz_memory_build(s, md, {0, r.y + r.h + 10, width, 0}, th);
    const std::vector<float> before = values(cap.T);  // one "before" per bar
    viz_probs_build(s, ids.data(), probs.data(), cap.T, tokens, pick, {0, r.y + r.h + 10, width, 200}, th, before.data());
}

// Arbitrary prims straight into the scene API (not only what builders make). Coordinates stay within
// +-1e6. The writer once overflowed a stack buffer beyond ~1e29 (tests/fuzz/crashes/svg_num_append_overflow.cpp);
// it now clamps to +-1e9, so widening this range to every float (NaN and inf included) is the next step.
static void prims_build(FuzzedDataProvider& in, VizScene& s) {
    auto coord = [&] { return in.ConsumeFloatingPointInRange(-1e6f, 1e6f); };
    s.w = coord(), s.h = coord();
    while (in.remaining_bytes() > 0 && s.prims.size() < 64) {
        const VizColor col = {in.ConsumeIntegral<uint8_t>(), in.ConsumeIntegral<uint8_t>(), in.ConsumeIntegral<uint8_t>(),
                              in.ConsumeIntegral<uint8_t>()};
        const VizRole role = (VizRole)in.ConsumeIntegralInRange<int>(0, VIZ_ROLE_COUNT - 1);
        const int tag = in.ConsumeIntegralInRange(-2, 1 << 20);
        switch (in.ConsumeIntegralInRange(0, 5)) {
            case 0: viz_rect_fill(s, {coord(), coord(), coord(), coord()}, col, coord(), role, tag, tag); break;
            case 1: viz_rect_stroke(s, {coord(), coord(), coord(), coord()}, col, coord(), coord(), role, tag); break;
            case 2: viz_line(s, coord(), coord(), coord(), coord(), col, coord(), role, tag, tag); break;
            case 3: viz_triangle(s, coord(), coord(), coord(), coord(), coord(), coord(), col, role); break;
            case 4: viz_circle(s, coord(), coord(), coord(), col, role); break;
            default: {
                std::string text = in.ConsumeRandomLengthString(40);
                viz_text(s, coord(), coord(), text.data(), (int)text.size(), coord(), col,
                         in.ConsumeIntegral<uint8_t>(), role, tag, tag);
            }
        }
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    const int mode = in.ConsumeIntegralInRange(0, 2);
    const VizTheme th = in.ConsumeBool() ? viz_theme_dark() : viz_theme_light();
    VizScene s;
    if (mode == 2) prims_build(in, s);
    else views_build(in, s, th, mode);

    // One buffer for all inputs (viz_svg_write appends): growing a fresh string to a few hundred KB
    // for every input cost a tenth of the run time in page faults (ASan's quarantine hands out new pages).
    static std::string svg;
    svg.clear();
    viz_svg_write(s, svg, in.ConsumeBool() ? &th.bg : nullptr);
    size_t n_elements = 0;
    const std::string bad = xml_check_document(svg, n_elements);
    FUZZ_CHECK(bad.empty(), "SVG not well-formed: %s\n%.4000s", bad.c_str(), svg.c_str());
    FUZZ_CHECK(n_elements == 1 + s.prims.size(), "%zu elements for %zu prims", n_elements, s.prims.size());
    return 0;
}
