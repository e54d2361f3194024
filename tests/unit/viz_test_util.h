// Shared helpers for the viz unit tests: hand-built captures (no model, no GL).
#pragma once
#include <string>
#include <vector>

#include "model/model.h"
#include "viz/scene.h"

// Capture with T tokens, L layers, H heads; weights all zero (fill with viz_test_set_row).
inline Capture viz_test_capture(int T, int L, int H) {
    Capture c;
    c.T = T; c.L = L; c.H = H; c.C = 8 * H; c.D = 8; c.V = 100;
    c.ids.resize(T);
    for (int i = 0; i < T; i++) c.ids[i] = 10 + i;
    c.weights.assign((size_t)L * H * T * T, 0.0f);
    c.scores.assign((size_t)L * H * T * T, 0.0f);
    return c;
}

inline float& viz_test_w(Capture& c, int l, int h, int q, int k) {
    return c.weights[(((size_t)l * c.H + h) * c.T + q) * c.T + k];
}

inline void viz_test_set_row(Capture& c, int l, int h, int q, std::vector<float> row) {
    for (int k = 0; k < (int)row.size(); k++) viz_test_w(c, l, h, q, k) = row[k];
}

// A causal capture whose rows are a deterministic, distinct softmax-like pattern.
inline Capture viz_test_capture_causal(int T, int L, int H) {
    Capture c = viz_test_capture(T, L, H);
    for (int l = 0; l < L; l++)
        for (int h = 0; h < H; h++)
            for (int q = 0; q < T; q++) {
                float sum = 0;
                for (int k = 0; k <= q; k++) sum += (viz_test_w(c, l, h, q, k) = 1.0f + ((k * 7 + q * 3 + l * 5 + h) % 11));
                for (int k = 0; k <= q; k++) viz_test_w(c, l, h, q, k) /= sum;
            }
    return c;
}

inline int viz_test_count(const VizScene& s, VizRole role, int kind = -1) {
    int n = 0;
    for (const VizPrim& p : s.prims) n += (p.role == role && (kind < 0 || p.kind == kind)) ? 1 : 0;
    return n;
}

inline const VizPrim* viz_test_find(const VizScene& s, VizRole role, int tag0, int tag1, int kind = -1) {
    for (const VizPrim& p : s.prims)
        if (p.role == role && p.tag0 == tag0 && p.tag1 == tag1 && (kind < 0 || p.kind == kind)) return &p;
    return nullptr;
}
