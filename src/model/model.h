// GPT-2 architecture: weights, loading (Hugging Face layout), forward pass with capture, generation.
//
// Dimension legend (as in llm.c):
//   V vocabulary size   maxT n_positions   T tokens in the run   L layers   H heads
//   C n_embd (d_model)  D = C / H (d_head) 4C MLP width
//
// Nothing here knows about ImGui, SDL or the browser.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

struct GPT2Config {
    int n_layer = 0;      // L
    int n_head = 0;       // H
    int n_embd = 0;       // C
    int n_positions = 0;  // maxT
    int vocab_size = 0;   // V
    float layer_norm_epsilon = 1e-5f;
};

// All parameters live in one contiguous buffer (Model::params); these point into it.
// Per-layer tensors are stacked over layers. Matrices use the HF Conv1D layout [in, out]:
// y = x @ W + b.
struct GPT2Weights {
    float* wte;        // [V, C]     token embedding, also the (tied) LM head
    float* wpe;        // [maxT, C]  position embedding
    float* ln1w;       // [L, C]
    float* ln1b;       // [L, C]
    float* qkvw;       // [L, C, 3C] attn.c_attn.weight; output columns are q | k | v, head-major
    float* qkvb;       // [L, 3C]
    float* attprojw;   // [L, C, C]  attn.c_proj.weight
    float* attprojb;   // [L, C]
    float* ln2w;       // [L, C]
    float* ln2b;       // [L, C]
    float* fcw;        // [L, C, 4C] mlp.c_fc.weight
    float* fcb;        // [L, 4C]
    float* fcprojw;    // [L, 4C, C] mlp.c_proj.weight
    float* fcprojb;    // [L, C]
    float* lnfw;       // [C]
    float* lnfb;       // [C]
    // With the F16 opt-in (Model::params_f16) the six matrices are here as F16 and null above.
    const uint16_t* wte_h = nullptr;
    const uint16_t* wpe_h = nullptr;
    const uint16_t* qkvw_h = nullptr;
    const uint16_t* attprojw_h = nullptr;
    const uint16_t* fcw_h = nullptr;
    const uint16_t* fcprojw_h = nullptr;
    // F32 weights packed at load for the matrix kernel (Model::packed; ops.h pack_weights), null if not:
    // each layer's matrix at l * packed_floats(K, N); wte as the LM head's wte^T.
    const float* qkvw_p = nullptr;
    const float* attprojw_p = nullptr;
    const float* fcw_p = nullptr;
    const float* fcprojw_p = nullptr;
    const float* wte_p = nullptr;
};
constexpr int GPT2_NUM_TENSORS = 16;

// Sizes (in floats) of the 16 tensors above, in that order.
void gpt2_tensor_sizes(const GPT2Config& cfg, size_t sizes[GPT2_NUM_TENSORS]);
// Points w's members into params (which must hold the sum of the sizes).
void gpt2_weights_point(const GPT2Config& cfg, float* params, GPT2Weights& w);
size_t gpt2_num_params(const GPT2Config& cfg);
// The F16 layout: the six matrices (wte, wpe, c_attn, attn c_proj, c_fc, mlp c_proj) in `big`, the
// rest (layer norms, biases) as F32 in `small`, each in the order above.
bool gpt2_tensor_is_matrix(int i);
void gpt2_split_counts(const GPT2Config& cfg, size_t& n_small, size_t& n_big);
void gpt2_weights_point_f16(const GPT2Config& cfg, float* small, uint16_t* big, GPT2Weights& w);
// Floats of the packed copy of the five matrices the products read (c_attn, attn c_proj, c_fc, mlp c_proj,
// the LM head): 0 if the build does not pack, or if the copy would exceed GPT2_PACK_MAX_BYTES. It costs
// about the F32 weights once more and saves the products their per-call packing (~15 % of a forward).
constexpr size_t GPT2_PACK_MAX_BYTES = size_t(1) << 30;
size_t gpt2_packed_floats(const GPT2Config& cfg);
// Bytes a loaded model keeps: its weights (F16: the matrices as F16) and, for F32, the packed copy.
double gpt2_memory_bytes(const GPT2Config& cfg, bool f16);

struct Model {
    GPT2Config cfg;
    std::vector<float> params;        // all weights, F32 (with F16 weights: only the small vectors)
    std::vector<uint16_t> params_f16; // the six matrices as F16 when loaded with keep_f16, else empty
    std::vector<float> packed;        // F32 weights: the matrices packed for the products (model_pack_weights)
    GPT2Weights w{};
    Tokenizer tok;
    std::string name;           // directory name or user-given label
    std::string source_dtype;   // "F32", "F16" or "BF16" as stored in the file ("mixed" if they differ)

    // A copy points w into its own params (the implicit copy would point into the original's).
    Model() = default;
    Model(const Model& o) : Model(o, true) {}
    // A copy of the weights without their packed copy (its products pack per call, to the same results):
    // Teach's copy for Reset, which would otherwise hold the weights a third time.
    static Model without_packed(const Model& o) { return Model(o, false); }
    Model& operator=(const Model& o) {
        if (this != &o) {
            cfg = o.cfg, params = o.params, params_f16 = o.params_f16, packed = o.packed, tok = o.tok, name = o.name,
            source_dtype = o.source_dtype;
            weights_repoint();
        }
        return *this;
    }
    Model(Model&&) = default;             // moving a vector keeps its buffer: w stays valid
    Model& operator=(Model&&) = default;
    bool weights_f16() const { return !params_f16.empty(); }
    // The weights are all there, in one of the two layouts.
    bool has_weights() const {
        if (cfg.n_layer <= 0) return false;
        if (!weights_f16()) return params.size() == gpt2_num_params(cfg);
        size_t n_small, n_big;
        gpt2_split_counts(cfg, n_small, n_big);
        return params.size() == n_small && params_f16.size() == n_big;
    }
    size_t weight_bytes() const {
        return (params.size() + packed.size()) * sizeof(float) + params_f16.size() * sizeof(uint16_t);
    }
    void weights_repoint();  // points w into params / params_f16 / packed (weights.cpp)

private:
    Model(const Model& o, bool with_packed)
        : cfg(o.cfg), params(o.params), params_f16(o.params_f16), packed(with_packed ? o.packed : std::vector<float>()),
          tok(o.tok), name(o.name), source_dtype(o.source_dtype) {
        weights_repoint();
    }
};

// After loading, or after params changed (teaching): rebuilds Model::packed from the F32 weights (when
// gpt2_packed_floats allows) and re-points w. Products then read the packed copy. `only` re-packs just the
// matrices that changed: layer `only`'s four (only >= 0) or wte's (MODEL_PACK_WTE); a model without its
// packed copy yet is packed whole.
enum { MODEL_PACK_ALL = -1, MODEL_PACK_WTE = -2 };
void model_pack_weights(Model& m, int only = MODEL_PACK_ALL);

// Row `id` of the token embedding wte as F32 (either layout): out[C].
void model_token_embedding(const Model& m, int id, float* out);

// ---- loading -------------------------------------------------------------------------------------
// From the contents of the four files. Strict: on any problem returns false with a clear message.
// keep_f16: keep the six weight matrices as F16 in memory (half the memory of F32; an F16 file's
// values stay exact, an F32 file's are rounded to F16). The default converts everything to F32.
bool model_load_memory(Model& m, const std::string& config_json, const uint8_t* safetensors, size_t safetensors_len,
                       const std::string& vocab_json, const std::string& merges_txt, std::string& err,
                       bool keep_f16 = false);
bool model_load_dir(Model& m, const std::string& dir, std::string& err, bool keep_f16 = false);
// Parses config.json (model_type "gpt2" / architectures GPT2LMHeadModel|GPT2Model).
bool gpt2_config_parse(const std::string& config_json, GPT2Config& cfg, std::string& err);

// ---- capture -------------------------------------------------------------------------------------
struct CaptureOptions {
    bool attention = true;     // scores + weights for all layers and heads
    bool scores = true;        // with attention: also keep the pre-mask scores (false halves the memory)
    bool qkv = true;           // q, k, v, head outputs (all layers/heads, or only qkv_layer/qkv_head)
    int qkv_layer = -1;        // -1: all layers
    int qkv_head = -1;         // -1: all heads
    bool residuals = true;     // embed, resid_attn, resid_mlp
    bool logits_all = false;   // logits at every position (else only the last)
    int lens_top_k = 0;        // logit lens: top-k per layer and position (0: off). Costs L x T LM-head
                               // rows (L*T*V*C multiply-adds: more than the forward itself for small models)
    int lens_pos = -1;         // -1: lens at every position; else only this one (other rows: id -1, prob 0)
};

struct Capture {
    int T = 0, L = 0, H = 0, C = 0, D = 0, V = 0;
    CaptureOptions opt;              // what this capture holds (as requested)
    std::string interventions;       // interventions_key of the run's interventions ("" for none: intervene.h)
    std::vector<int> ids;            // [T]
    std::vector<float> scores;       // [L, H, T, T] q.k / sqrt(D), before the causal mask (empty unless opt.scores)
    std::vector<float> weights;      // [L, H, T, T] softmax rows; masked (key > query) entries are exactly 0
    int qkv_layer = -1, qkv_head = -1;  // what q/k/v/head_out hold (-1: all)
    std::vector<float> q, k, v;      // [Lq, Hq, T, D]  Lq = L or 1, Hq = H or 1
    std::vector<float> head_out;     // [Lq, Hq, T, D]  weights @ v, before c_proj
    std::vector<float> embed;        // [T, C]   wte + wpe (the residual stream entering layer 0)
    std::vector<float> resid_attn;   // [L, T, C] residual after the attention add
    std::vector<float> resid_mlp;    // [L, T, C] residual after the MLP add (= input of layer l+1)
    std::vector<float> logits;       // [T, V] if logits_all, else [1, V] (last position)
    int lens_k = 0;
    std::vector<int> lens_ids;       // [L, T, k]  top-k ids of ln_f + LM head on resid_mlp[l]
    std::vector<float> lens_probs;   // [L, T, k]  their softmax probabilities
};

// Runs the model on ids (1 <= T <= n_positions) and fills cap. Returns false with err on bad ids.
bool model_forward(const Model& m, const std::vector<int>& ids, const CaptureOptions& opt, Capture& cap,
                   std::string& err);
// model_forward for ids that share a prefix with cap.ids, where cap is an earlier capture of the same
// model: causal attention leaves the keys, values and every per-position result of the common prefix
// unchanged, so only the tokens after it are computed (a keystroke at the end of a 100-token text
// computes one or two rows instead of 100). Re-use needs the earlier run's K/V of every layer and head
// and its residuals (opt.qkv for all heads, opt.residuals) and equal options except the lens (which is
// recomputed from the residuals when lens_top_k or lens_pos change); otherwise,
// or without a common prefix, this is a full model_forward. `reused` receives the tokens not recomputed.
bool model_forward_reuse(const Model& m, const std::vector<int>& ids, const CaptureOptions& opt, Capture& cap,
                         std::string& err, int* reused = nullptr);
// Bytes a Capture of T tokens will hold with these options (to pick options before a long run).
size_t capture_bytes(const GPT2Config& cfg, int T, const CaptureOptions& opt);
// model_forward / model_step keep their activation scratch between calls (per thread) so a repeated
// run does not allocate; this frees it (e.g. after a long run with a large model).
void model_scratch_release();

// ---- reading a Capture -----------------------------------------------------------------------------
// Index a capture through these, never by hand. Each returns nullptr when the capture does not hold
// the part asked for (not captured, or an index out of range), so a caller checks once.

// [T, T] attention weights of (layer, head): row = query, column = key; masked entries are 0.
const float* capture_head_weights(const Capture& cap, int layer, int head);
// [T] row q of them: how much query q takes from each key.
const float* capture_weights_row(const Capture& cap, int layer, int head, int q);
// [T] q.k / sqrt(D) of query q before the mask (only when the capture kept scores).
const float* capture_scores_row(const Capture& cap, int layer, int head, int q);
// [T, D] Q, K, V and the head's output (weights @ V) of (layer, head), if captured for that head.
const float* capture_q(const Capture& cap, int layer, int head);
const float* capture_k(const Capture& cap, int layer, int head);
const float* capture_v(const Capture& cap, int layer, int head);
const float* capture_head_out(const Capture& cap, int layer, int head);
// [C] token t's residual stream: layer -1 = the input (wte + wpe), else after layer `layer`'s MLP add.
const float* capture_stream(const Capture& cap, int layer, int t);
// [lens_k] the logit lens at (layer, t): top ids (-1 where not computed) and their probabilities.
const int* capture_lens_ids(const Capture& cap, int layer, int t);
const float* capture_lens_probs(const Capture& cap, int layer, int t);

// ---- derived from a Capture (what the views show besides the captured numbers) ----------------------

// One query's attention in one head, step by step (the Math view): every number of
// softmax(q.k / sqrt(D), masked) @ V for query q.
struct AttentionSteps {
    int layer = 0, head = 0, q = 0, T = 0, D = 0;
    std::vector<float> dot;         // [T] q.k
    std::vector<float> scaled;      // [T] q.k / sqrt(D), before the mask (keys > q are masked)
    std::vector<float> weight;      // [T] the captured softmax row (masked keys exactly 0)
    std::vector<float> weighted_v;  // [T, D] weight[k] * v[k]
    std::vector<float> out;         // [D] the captured head output (= the sum of weighted_v)
};
// From the captured scores, or recomputed from Q and K when a big capture dropped the scores (the
// page keeps Q/K/V of the selected head only, and no scores, above 96 MB). False when the capture
// has no Q/K/V for this head or an index is out of range.
bool attention_steps(const Capture& cap, int layer, int head, int q, AttentionSteps& out);

// out[T, T] = mean over heads of layer `layer`'s weights (rows still sum to 1); empty if out of range.
void attention_head_mean(const Capture& cap, int layer, std::vector<float>& out);
// Attention rollout (Abnar & Zuidema 2020) through layers 0..last_layer (clamped to L - 1):
//   A'_l = rownorm(0.5 * mean_heads(A_l) + 0.5 * I)      (the 0.5 * I accounts for the residual path)
//   R_0 = A'_0,  R_l = A'_l @ R_{l-1}
// out[T, T]: row q = how much each input position flows into position q's stream after last_layer.
// scratch is resized as needed (keep it across frames to avoid allocation).
void attention_rollout(const Capture& cap, int last_layer, std::vector<float>& out, std::vector<float>& scratch);

// Conversation mode: a blank line ends a turn (its newlines may be separate tokens); the last turn's
// queries and how much attention they pay to each turn and to earlier copies of themselves.
struct TurnAttention {
    std::vector<int> turn;         // [T] turn index of each token
    int n_turns = 0;               // the last turn is n_turns - 1
    int n_queries = 0;             // tokens in the last turn
    std::vector<float> into_head;  // [n_turns] attention from the last turn into each turn, per query (layer, head)
    std::vector<float> into_mean;  // [n_turns] the same for the mean of the layer's heads
    struct Repeat {
        int token;                 // a token of the last turn whose id occurred before
        int seen;                  // how many times before
        float back;                // its attention (layer, head) to those earlier occurrences
    };
    std::vector<Repeat> repeats;
};
// token_bytes[T]: each token's raw bytes (where the blank lines are).
void attention_turns(const Capture& cap, const std::vector<std::string>& token_bytes, int layer, int head,
                     TurnAttention& out);

// Cosine similarity of two vectors of n floats (0 if either is all zero); accumulated in double.
float vec_cosine(const float* a, const float* b, int n);
// out[L]: cosine of token t's stream after each layer to its input (embedding + position).
void capture_stream_drift(const Capture& cap, int t, std::vector<float>& out);
// out[L + 1]: cosine between token ta of a and token tb of b at the input, then after each layer.
void capture_stream_similarity(const Capture& a, int ta, const Capture& b, int tb, std::vector<float>& out);
// The k tokens whose input embeddings (wte rows) are nearest to token id's by cosine, best first (ties:
// lower id; id itself is first at 1.0). V x C multiply-adds. Returns how many were written (min(k, V)).
int model_nearest_tokens(const Model& m, int id, int k, int* out_ids, float* out_sims);

// ---- generation ----------------------------------------------------------------------------------
struct SamplingParams {
    float temperature = 1.0f;  // 0: greedy
    int top_k = 0;             // 0: off
    float top_p = 1.0f;        // 1: off
    uint64_t seed = 42;
};

// Deterministic RNG (splitmix64 -> float in [0,1)), identical in native and WASM builds.
// splitmix64_next is the one generator step (the sampler here, the trainer's TrainRng).
uint64_t splitmix64_next(uint64_t& state);
struct Rng { uint64_t state; };
void rng_seed(Rng& r, uint64_t seed);
float rng_uniform(Rng& r);
uint64_t rng_u64(Rng& r);  // the raw splitmix64 output (rng_uniform uses its top 24 bits)

// Applies temperature, top-k, top-p to logits [V] and returns the distribution actually sampled from
// (zeros outside the kept set). Greedy (temperature 0) gives a one-hot on the argmax.
void sampling_distribution(const float* logits, int V, const SamplingParams& sp, std::vector<float>& probs);
int sample_from(const std::vector<float>& probs, Rng& rng);

// Incremental decoding with a KV cache.
struct KVCache {
    int T = 0;                   // tokens cached
    std::vector<float> k, v;     // [L, H, maxT, D]
};
void kvcache_init(const Model& m, KVCache& kv);
// Appends ids to the cache and returns the logits [V] of the last appended token.
bool model_step(const Model& m, KVCache& kv, const std::vector<int>& ids, std::vector<float>& logits,
                std::string& err);

struct GenerateStep {
    int id;
    std::vector<float> probs;  // [V] the distribution sampled from
};
// Generates `steps` tokens after prompt ids, stopping early when prompt + generated reaches n_positions.
bool model_generate(const Model& m, const std::vector<int>& prompt, int steps, const SamplingParams& sp,
                    std::vector<GenerateStep>& out, std::string& err);
