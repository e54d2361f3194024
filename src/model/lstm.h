// LSTM language model in the layout of PyTorch's word_language_model example: weights, loading,
// forward pass with capture (h, c and the four gates at every step).
//
// Dimension legend:
//   V vocabulary   E embedding_size   H hidden_size   L num_layers   T tokens in the run
//   G = 4H gate rows, in torch's order i | f | g | o     in_k = E for layer 0, H above
//
// Layer k at step t (torch.nn.LSTM, h_{-1} = c_{-1} = 0 at the start of every run):
//   z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh                               [4H]
//   i = σ(z[0:H])   f = σ(z[H:2H])   g = tanh(z[2H:3H])   o = σ(z[3H:4H])
//   c_t = f ⊙ c_{t-1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
//   x_t of layer 0 = encoder.weight[id_t]; of layer k > 0, h_t of layer k-1
// logits_t = decoder.weight h_t(top layer) + decoder.bias; decoder.weight is encoder.weight when tied.
//
// Files (word_language_model's state_dict, in safetensors): encoder.weight [V, E],
// rnn.weight_ih_l{k} [4H, in_k], rnn.weight_hh_l{k} [4H, H], rnn.bias_ih_l{k} [4H], rnn.bias_hh_l{k} [4H],
// decoder.weight [V, H], decoder.bias [V]; config.json {"model_type": "lstm", "vocab_size",
// "embedding_size", "hidden_size", "num_layers", "tie_weights"}; vocab.json + merges.txt.
//
// Nothing here knows about ImGui, SDL or the browser.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

struct LSTMConfig {
    int vocab_size = 0;      // V
    int embedding_size = 0;  // E
    int hidden_size = 0;     // H
    int num_layers = 0;      // L
    bool tie_weights = false;  // decoder.weight is encoder.weight (needs E == H)
};

// Pointers into one parameter buffer (LSTMModel::params, or the trainer's params / grads).
struct LSTMWeights {
    float* encoder = nullptr;                    // [V, E]
    std::vector<float*> w_ih, w_hh, b_ih, b_hh;  // per layer: [4H, in_k], [4H, H], [4H], [4H]
    float* dec_w = nullptr;                      // [V, H]  (== encoder when tied)
    float* dec_b = nullptr;                      // [V]
};

// One tensor of the buffer: its file name, shape, and place in the buffer (floats).
struct LSTMTensorSpec {
    std::string name;
    std::vector<int64_t> shape;
    size_t offset = 0, size = 0;
};
// The buffer's tensors in order: encoder, per layer w_ih, w_hh, b_ih, b_hh, [decoder.weight unless tied],
// decoder.bias. (Export writes decoder.weight for tied models too, as torch's state_dict does.)
std::vector<LSTMTensorSpec> lstm_tensor_specs(const LSTMConfig& cfg);
size_t lstm_num_params(const LSTMConfig& cfg);
void lstm_weights_point(const LSTMConfig& cfg, float* params, LSTMWeights& w);
// Checks the sizes (positive, E == H when tied, V <= 2^24, sizes bounded); err says which.
bool lstm_config_check(const LSTMConfig& cfg, std::string& err);
// Parses config.json with model_type "lstm".
bool lstm_config_parse(const std::string& config_json, LSTMConfig& cfg, std::string& err);

// The architecture a config.json names: "lstm", "gpt2" (model_type "gpt2", or no model_type and a GPT-2
// class in "architectures"), else the model_type as written ("" when absent or not JSON). The loaders
// themselves give the precise error.
std::string model_config_type(const std::string& config_json);
// The same for DIR/config.json; false (err set) when it cannot be read.
bool model_dir_type(const std::string& dir, std::string& type, std::string& err);

struct LSTMModel {
    LSTMConfig cfg;
    std::vector<float> params;   // [lstm_num_params], F32
    LSTMWeights w;
    Tokenizer tok;
    std::string name;            // directory name
    std::string source_dtype;    // "F32", "F16", "BF16" as stored ("mixed" if they differ)

    LSTMModel() = default;
    LSTMModel(const LSTMModel& o) : cfg(o.cfg), params(o.params), tok(o.tok), name(o.name), source_dtype(o.source_dtype) {
        repoint();
    }
    LSTMModel& operator=(const LSTMModel& o) {
        if (this != &o) {
            cfg = o.cfg, params = o.params, tok = o.tok, name = o.name, source_dtype = o.source_dtype;
            repoint();
        }
        return *this;
    }
    LSTMModel(LSTMModel&&) = default;
    LSTMModel& operator=(LSTMModel&&) = default;
    void repoint() {
        if (cfg.num_layers > 0 && params.size() == lstm_num_params(cfg)) lstm_weights_point(cfg, params.data(), w);
        else w = LSTMWeights{};
    }
};

// ---- loading (strict: any problem gives false and a message naming the file and what is wrong) --------
bool lstm_load_memory(LSTMModel& m, const std::string& config_json, const uint8_t* safetensors, size_t safetensors_len,
                      const std::string& vocab_json, const std::string& merges_txt, std::string& err);
bool lstm_load_dir(LSTMModel& m, const std::string& dir, std::string& err);

// ---- forward with capture ------------------------------------------------------------------------------
struct LSTMCapture {
    int T = 0, L = 0, H = 0, E = 0, V = 0;
    bool logits_all = false;
    std::vector<int> ids;        // [T]
    std::vector<float> h;        // [L, T, H] hidden state after each step
    std::vector<float> c;        // [L, T, H] cell state after each step
    std::vector<float> gates;    // [L, T, 4H] activations i | f | g | o (after σ / tanh)
    std::vector<float> logits;   // [T, V] if logits_all, else [1, V] (last position)
};
// Accessors: pointers to the H (or 4H for gates) values of layer l at step t.
inline const float* lstm_capture_h(const LSTMCapture& c, int l, int t) { return c.h.data() + ((size_t)l * c.T + t) * c.H; }
inline const float* lstm_capture_c(const LSTMCapture& c, int l, int t) { return c.c.data() + ((size_t)l * c.T + t) * c.H; }
inline const float* lstm_capture_gates(const LSTMCapture& c, int l, int t) {
    return c.gates.data() + ((size_t)l * c.T + t) * 4 * c.H;
}

// What the state does along the text, per layer: c_norm[l * T + t] = ‖c_t‖ (L2), forget[l * T + t] = the
// mean of the forget gate f_t over the H units (1 keeps the cell, 0 erases it). Both [L, T].
void lstm_capture_curves(const LSTMCapture& c, std::vector<float>& c_norm, std::vector<float>& forget);

// Runs ids (T >= 1, each < V) from the zero state. Returns false with err on bad ids.
bool lstm_forward(const LSTMModel& m, const std::vector<int>& ids, bool logits_all, LSTMCapture& cap, std::string& err);
// Continues a run: state h, c [L, H] (updated in place) through ids; logits [V] of the last id.
// No capture: what occlusion and evaluation need. Returns false with err on bad ids.
bool lstm_continue(const LSTMModel& m, float* h, float* c, const int* ids, int n, std::vector<float>& logits,
                   std::string& err);
