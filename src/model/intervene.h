// Interventions on the forward pass: the experiments behind a causal claim about a head.
//
//   ablate     heads whose output z (their D columns of the concatenated heads, before attn.c_proj) is
//              replaced by zeros, or by its mean over the text's positions ("mean" ablation)
//   knockout   attention edges (layer, head, query, key): the weight is set to 0 and the query's row is
//              renormalised over the keys it still sees (a row with no key left is all zeros: z = 0)
//   patch      heads whose z is taken, position by position, from a second text's run (same length)
//
// Zero ablation, knock-outs and patching act on each position alone, so a capture's prefix stays valid
// when text is appended (model_forward_reuse keeps it); a mean ablation mixes every position, so the
// reuse path runs in full while one is active.
#pragma once
#include <string>
#include <vector>

#include "model/model.h"

struct HeadRef {
    int layer = 0, head = 0;
};

struct AttentionEdge {
    int layer = 0, head = 0, query = 0, key = 0;
};

struct Interventions {
    std::vector<HeadRef> ablate;
    bool ablate_mean = false;               // false: zero ablation
    std::vector<AttentionEdge> knockout;
    std::vector<HeadRef> patch;
    const Capture* patch_source = nullptr;  // the second text's run: head_out of every layer and head
    bool empty() const { return ablate.empty() && knockout.empty() && patch.empty(); }
};

// Checks every reference against the model's shape and T tokens (and the patch source); false + err.
bool interventions_check(const Interventions& iv, const GPT2Config& cfg, int T, std::string& err);
// A canonical text of the interventions (sorted, duplicates merged), e.g. "ablate=zero:0.1,1.3;knockout=1.1:5:2":
// equal for equal experiments; what a capture records and the reuse path compares.
std::string interventions_key(const Interventions& iv);
// The lists in that form, sorted with duplicates merged: "0.1,1.3" and "1.1:5:2,2.0:3:3" (what parse_* read).
std::string format_heads(const std::vector<HeadRef>& heads);
std::string format_edges(const std::vector<AttentionEdge>& edges);
// Parsers for the CLI and share links: "L.H,L.H" and "L.H:Q:K,..." (false + err on anything else).
bool parse_heads(const std::string& s, std::vector<HeadRef>& out, std::string& err);
bool parse_edges(const std::string& s, std::vector<AttentionEdge>& out, std::string& err);

// model_forward / model_forward_reuse with interventions (iv may be empty: then exactly the plain run).
bool model_forward_iv(const Model& m, const std::vector<int>& ids, const CaptureOptions& opt, const Interventions& iv,
                      Capture& cap, std::string& err);
bool model_forward_reuse_iv(const Model& m, const std::vector<int>& ids, const CaptureOptions& opt,
                            const Interventions& iv, Capture& cap, std::string& err, int* reused = nullptr);

// Layers [start, L) of the forward pass of ids with interventions, starting from the residual stream
// entering layer `start` (x_in [T, C], e.g. a capture's resid_mlp of layer start-1): the last position's
// logits. Layers before `start` are what an intervention there cannot change (patch_scan's shortcut).
bool model_forward_tail_logits(const Model& m, const std::vector<int>& ids, int start, const float* x_in,
                               const Interventions& iv, std::vector<float>& logits, std::string& err);

// Activation patching over every head: for heads [begin, end) (layer-major index layer * H + head),
// the run of ids with that one head's z taken from `source` (same length; head_out of every layer and
// head), scored as logit[tok_a] - logit[tok_b] at the last position. diffs[i] receives head i's score
// (diffs is sized L * H; entries outside [begin, end) are left alone), so a caller can scan in slices
// and show progress. Each head's run starts at its own layer from the clean run's residual stream there
// (the layers before it are the clean run's); a caller scanning in slices passes that run (`clean`: ids'
// capture with residuals) so it is computed once. Returns false + err on bad arguments.
// The clean run patch_scan starts from: ids' capture with residuals (and the last position's logits).
bool patch_clean_run(const Model& m, const std::vector<int>& ids, Capture& clean, std::string& err);
bool patch_scan(const Model& m, const std::vector<int>& ids, const Capture& source, int tok_a, int tok_b, int begin,
                int end, std::vector<float>& diffs, std::string& err, const Capture* clean = nullptr);

// What an intervention changed: the text's run without it (`before`) against the run with it (`after`),
// same model and tokens.
//   loss       mean next-token loss over the text in nats, -log p(ids[t+1] | ids[..t]) for t < T-1; NaN
//              unless both captures hold every position's logits (CaptureOptions::logits_all) and T >= 2
//   changes    the next tokens (after the last position) whose probability moved most, largest |Δp| first
//   maps       every head whose attention weights moved by more than `map_eps` somewhere, largest first
//              (an ablated head keeps its own map: the maps that change are those of later layers that
//              read its output; a knock-out changes its own head's row)
struct TokenChange {
    int id = 0;
    float before = 0, after = 0;
};
struct MapChange {
    int layer = 0, head = 0;
    float max_diff = 0;  // largest |w_after - w_before| over the head's [T, T] weights
};
struct InterventionEffects {
    float loss_before = 0, loss_after = 0;
    std::vector<TokenChange> changes;
    std::vector<MapChange> maps;
};
constexpr float EFFECT_MAP_EPS = 1e-4f;
// False + err when the captures do not belong to one text and model (T, shape, ids).
bool intervention_effects(const Capture& before, const Capture& after, int n_changes, InterventionEffects& out,
                          std::string& err);
// Mean next-token loss of a capture's text (as above); NaN without every position's logits or with T < 2.
float capture_text_loss(const Capture& cap);
