// LSTM forward pass with capture (see lstm.h for the equations and the dimension legend).
//
// Where the time goes, and how it is spent: every product goes through ops.h's matmul kernels (the
// same f32x4 GEMM as the GPT forward, SSE natively, simd128 in WASM). Per layer, the input projection
// of all T steps is one GEMM, Z[T, 4H] = X[T, in] @ W_ih^T + (b_ih + b_hh); only the recurrent
// h_{t-1} @ W_hh^T is sequential (a row times a matrix per step), and the decoder is one GEMM over the
// captured top-layer states. The gate nonlinearities are O(4H) per step next to O(4H·H) multiply-adds
// of the recurrent product; they are ops.h's lstm_cell_rows (f32x4 exp, as the GPT's GELU and softmax).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "model/lstm.h"
#include "model/ops.h"

static bool ids_check(const LSTMModel& m, const int* ids, int n, std::string& err) {
    if (n < 1) {
        err = "no tokens to run";
        return false;
    }
    for (int t = 0; t < n; t++)
        if (ids[t] < 0 || ids[t] >= m.cfg.vocab_size) {
            err = "token id " + std::to_string(ids[t]) + " at position " + std::to_string(t) + " is outside the vocabulary (" +
                  std::to_string(m.cfg.vocab_size) + ")";
            return false;
        }
    return true;
}

static void decode(const LSTMModel& m, const float* h, int rows, float* logits) {
    const int V = m.cfg.vocab_size, H = m.cfg.hidden_size;
    // logits[rows, V] = h[rows, H] @ dec_w[V, H]^T + dec_b
    matmul_bt(logits, V, h, H, m.w.dec_w, H, 1.0f, rows, H, V);
    for (int r = 0; r < rows; r++)
        for (int v = 0; v < V; v++) logits[(size_t)r * V + v] += m.w.dec_b[v];
}

bool lstm_forward(const LSTMModel& m, const std::vector<int>& ids, bool logits_all, LSTMCapture& cap, std::string& err) {
    const int T = (int)ids.size();
    if (m.params.size() != lstm_num_params(m.cfg) || m.cfg.num_layers < 1) {
        err = "no LSTM model loaded";
        return false;
    }
    if (!ids_check(m, ids.data(), T, err)) return false;
    const int L = m.cfg.num_layers, H = m.cfg.hidden_size, E = m.cfg.embedding_size, V = m.cfg.vocab_size;
    const int G = 4 * H;
    cap.T = T, cap.L = L, cap.H = H, cap.E = E, cap.V = V;
    cap.logits_all = logits_all;
    cap.ids = ids;
    cap.h.assign((size_t)L * T * H, 0.0f);
    cap.c.assign((size_t)L * T * H, 0.0f);
    cap.gates.assign((size_t)L * T * G, 0.0f);

    std::vector<float> x((size_t)T * E);                          // [T, E] embeddings
    for (int t = 0; t < T; t++) memcpy(x.data() + (size_t)t * E, m.w.encoder + (size_t)ids[t] * E, E * sizeof(float));
    std::vector<float> bias(G), hprev(H), cprev(H);
    for (int k = 0; k < L; k++) {
        const int in = k == 0 ? E : H;
        const float* X = k == 0 ? x.data() : cap.h.data() + (size_t)(k - 1) * T * H;  // [T, in]
        float* Z = cap.gates.data() + (size_t)k * T * G;                               // [T, 4H]
        float* Hk = cap.h.data() + (size_t)k * T * H;                                  // [T, H]
        float* Ck = cap.c.data() + (size_t)k * T * H;                                  // [T, H]
        for (int j = 0; j < G; j++) bias[j] = m.w.b_ih[k][j] + m.w.b_hh[k][j];
        // all steps' input projections at once: Z = X @ W_ih^T, then + b_ih + b_hh
        matmul_bt(Z, G, X, in, m.w.w_ih[k], in, 1.0f, T, in, G);
        std::vector<float> rec(G);
        std::fill(hprev.begin(), hprev.end(), 0.0f);
        std::fill(cprev.begin(), cprev.end(), 0.0f);
        for (int t = 0; t < T; t++) {
            float* z = Z + (size_t)t * G;
            if (t > 0) {
                matmul_bt(rec.data(), G, hprev.data(), H, m.w.w_hh[k], H, 1.0f, 1, H, G);  // h_{t-1} @ W_hh^T
                for (int j = 0; j < G; j++) z[j] += bias[j] + rec[j];
            } else {
                for (int j = 0; j < G; j++) z[j] += bias[j];
            }
            lstm_cell_rows(z, cprev.data(), hprev.data(), 1, H);
            memcpy(Hk + (size_t)t * H, hprev.data(), H * sizeof(float));
            memcpy(Ck + (size_t)t * H, cprev.data(), H * sizeof(float));
        }
    }
    const float* top = cap.h.data() + (size_t)(L - 1) * T * H;
    if (logits_all) {
        cap.logits.assign((size_t)T * V, 0.0f);
        decode(m, top, T, cap.logits.data());
    } else {
        cap.logits.assign(V, 0.0f);
        decode(m, top + (size_t)(T - 1) * H, 1, cap.logits.data());
    }
    return true;
}

bool lstm_continue(const LSTMModel& m, float* h, float* c, const int* ids, int n, std::vector<float>& logits,
                   std::string& err) {
    if (m.params.size() != lstm_num_params(m.cfg) || m.cfg.num_layers < 1) {
        err = "no LSTM model loaded";
        return false;
    }
    if (!ids_check(m, ids, n, err)) return false;
    const int L = m.cfg.num_layers, H = m.cfg.hidden_size, E = m.cfg.embedding_size, V = m.cfg.vocab_size;
    const int G = 4 * H;
    std::vector<float> z(G), rec(G), x(std::max(E, H));
    for (int t = 0; t < n; t++) {
        memcpy(x.data(), m.w.encoder + (size_t)ids[t] * E, E * sizeof(float));
        for (int k = 0; k < L; k++) {
            const int in = k == 0 ? E : H;
            float* hk = h + (size_t)k * H;
            float* ck = c + (size_t)k * H;
            matmul_bt(z.data(), G, x.data(), in, m.w.w_ih[k], in, 1.0f, 1, in, G);
            matmul_bt(rec.data(), G, hk, H, m.w.w_hh[k], H, 1.0f, 1, H, G);
            for (int j = 0; j < G; j++) z[j] += m.w.b_ih[k][j] + m.w.b_hh[k][j] + rec[j];
            lstm_cell_rows(z.data(), ck, hk, 1, H);
            memcpy(x.data(), hk, H * sizeof(float));
        }
    }
    logits.assign(V, 0.0f);
    decode(m, h + (size_t)(L - 1) * H, 1, logits.data());
    return true;
}

void lstm_capture_curves(const LSTMCapture& c, std::vector<float>& c_norm, std::vector<float>& forget) {
    c_norm.assign((size_t)c.L * c.T, 0.0f), forget.assign((size_t)c.L * c.T, 0.0f);
    for (int l = 0; l < c.L; l++)
        for (int t = 0; t < c.T; t++) {
            const float* cell = lstm_capture_c(c, l, t);
            const float* f = lstm_capture_gates(c, l, t) + c.H;  // i | f | g | o
            double n2 = 0, fs = 0;
            for (int i = 0; i < c.H; i++) n2 += (double)cell[i] * cell[i], fs += f[i];
            c_norm[(size_t)l * c.T + t] = (float)std::sqrt(n2);
            forget[(size_t)l * c.T + t] = (float)(fs / c.H);
        }
}
