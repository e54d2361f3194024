// viz views: scene builders for the explorer: every view of the page has one, so each exports to SVG.
//
// Every builder is a plain function: (scene, capture or numbers, token strings, options, area, theme)
// -> appends prims + hit regions to the scene and returns the rectangle it actually used (which can
// be larger than `area` when T is large: the app scrolls it and sets VizScene::clip to the visible
// part so only visible cells are emitted).
//
// Dimension legend: T tokens, L layers, H heads. Capture::weights is [L, H, T, T] (query row, key
// column); entries with key > query are causally masked and exactly 0.
//
// `tokens` are raw token bytes (Tokenizer::id_to_bytes[id]); builders make whitespace visible.
// If tokens has fewer than T entries, the missing labels are the token positions.
#pragma once
#include <string>
#include <vector>

#include "viz/scene.h"

struct Capture;

// ---- top-k -----------------------------------------------------------------------------------------

// Top-k of a distribution (sorted by probability, ties by lower id). Returns how many were written
// (min(k, V)). For the probability bars; probs come from the engine's sampling_distribution().
int viz_top_k(const float* probs, int V, int k, int* out_ids, float* out_probs);

// ---- matrix heatmap (one layer/head, or an aggregate) ----------------------------------------------

struct VizMatrixOpts {
    int layer = 0, head = 0;
    int hover_row = -1, hover_col = -1;   // highlighted row (query) / column (key)
    int select_row = -1;                  // locked query row
    float min_cell = 6;                   // below this the grid overflows `area` (the app scrolls)
    float max_cell = 56;                  // a 4×4 table should not fill a 4K screen
    float number_min_cell = 30;           // print "0.41" in cells at least this wide
    float vmax = 1;                       // weight mapped to the top of the colormap
    bool causal = true;                   // key > query drawn as masked
    // With a raster (the app's matrix view), a matrix whose cells would be under min_cell fits the area
    // as one max-pooled image (about one texel per device pixel) instead of overflowing; re-rasterized
    // only when raster_key (the caller's name for the capture + layer/head) or the layout changes.
    VizRaster* raster = nullptr;
    uint64_t raster_key = 0;
    float px_per_unit = 1;
    // Honest colour: row_scale colours each row by its own largest weight (the legend says so);
    // diverging shows signed values (pre-softmax scores) blue < 0 < red, scaled by the largest |value|;
    // legend draws the scale under the title. Both scales draw cells (no pooled image).
    bool row_scale = false;
    bool diverging = false;
    bool legend = false;
    const char* value_name = "weight";     // the legend's name for the values
    // Knocked-out cells (query, key) of this head: drawn with a cross (the weight itself is already 0).
    const int* knocked = nullptr;          // pairs: query0, key0, query1, key1, ...
    int n_knocked = 0;
};

// Heatmap of cap.weights[o.layer, o.head] with title "Layer l · head h".
VizRect viz_matrix_build(VizScene& s, const Capture& cap, const std::vector<std::string>& tokens,
                         const VizMatrixOpts& o, VizRect area, const VizTheme& th);
// Same for any row-major [T, T] matrix of weights (aggregates use it), with the given title.
VizRect viz_matrix_build_raw(VizScene& s, const float* w, int T, const std::vector<std::string>& tokens,
                             const char* title, const VizMatrixOpts& o, VizRect area, const VizTheme& th);

// ---- aggregates view -------------------------------------------------------------------------------

enum VizAggregate { VIZ_AGG_MEAN = 0, VIZ_AGG_ROLLOUT = 1 };

// Buffers the aggregate view computes into; keep one across frames.
struct VizWork {
    std::vector<float> a, b;
    // If the caller names its capture (o.raster_key != 0, e.g. a hash of model + tokens), the aggregate
    // is recomputed only when that, the layer or the kind changes: a rollout at T = 1024 is ~10⁹
    // multiply-adds, far too many for every frame.
    uint64_t key = 0;
};

// Mean over heads of layer o.layer, or rollout through layer o.layer, drawn as a heatmap whose title
// says it is derived ("Mean over 12 heads · layer 3 (derived)", "Attention rollout · layers 0–3
// (Abnar & Zuidema 2020, derived)").
VizRect viz_aggregate_build(VizScene& s, const Capture& cap, const std::vector<std::string>& tokens,
                            VizAggregate kind, const VizMatrixOpts& o, VizRect area, const VizTheme& th,
                            VizWork& work);

// ---- head view (BertViz-like) ----------------------------------------------------------------------

struct VizHeadViewOpts {
    int layer = 0;
    const bool* heads_on = nullptr;  // [H] which heads are drawn; nullptr: all
    int focus = -1;                  // hovered token (-1: none)
    bool focus_is_key = false;       // focus on the right column: lines from every query into it
    int locked = -1;                 // clicked token, used when focus < 0 (query side)
    float max_alpha = 0.9f;          // line alpha = weight × max_alpha (opacity ∝ weight)
    float line_width = 2;
    float all_min_weight = 0.02f;    // with no focus/lock: lines for smaller weights are not drawn
    float row_h = 0;                 // 0: font_size × 1.6
    int all_max_lines = 16384;       // with no focus/lock and more (query, key ≤ query) pairs × heads
                                     // than this, only the last token's lines are drawn (and the title
                                     // says so): 12 heads × 64 tokens would be ~25k unreadable lines
};

// Tokens in two columns (queries left, keys right); a line per (enabled head, query, key) with
// opacity ∝ weight, coloured by head. With a focus/locked token only its lines are drawn; without,
// every query's lines with weight >= all_min_weight. Lines whose alpha rounds to 0 are skipped. Key boxes are tinted by the mean weight they receive from the focused query.
VizRect viz_head_view_build(VizScene& s, const Capture& cap, const std::vector<std::string>& tokens,
                            const VizHeadViewOpts& o, VizRect area, const VizTheme& th);

// ---- model view (L × H thumbnails) -----------------------------------------------------------------

struct VizModelViewOpts {
    int sel_layer = -1, sel_head = -1;      // outlined
    int hover_layer = -1, hover_head = -1;
    int max_cells = 16;                     // rect path: thumbnail resolution cap (T > max_cells is downsampled)
    // Raster path (the app; 12×12 heads at T = 1024): the thumbnails are tiles of one raster, pooled to
    // the thumbnail's device pixels (at most T), drawn as L·H images. Re-rasterized only when
    // raster_key (the caller's name for the capture + theme) or the layout changes.
    VizRaster* raster = nullptr;
    uint64_t raster_key = 0;
    float px_per_unit = 1;                  // device pixels per logical unit (HiDPI)
    // Interventions: crossed[l * H + h] != 0 draws that head crossed out (ablated); badges[l * H + h]
    // (UTF-8, may be empty) is a short label drawn on the thumbnail's lower edge (a head's role).
    const uint8_t* crossed = nullptr;
    const std::string* badges = nullptr;
};

// Grid of L rows × H columns of tiny heatmaps, layer/head captions. Downsampled cells show the
// block *maximum* (not the mean) so a single sharp weight — e.g. a previous-token head — survives.
// Rect path: O(L·H·T²) reads and at most L·H·max_cells² rects per build. Raster path: the reads
// only when the raster is stale, then L·H image prims.
VizRect viz_model_view_build(VizScene& s, const Capture& cap, const VizModelViewOpts& o, VizRect area,
                             const VizTheme& th);

// ---- head grid of numbers (activation patching) ------------------------------------------------------

// L rows × H columns of cells coloured by values[l * H + h] on a diverging scale (blue negative, red
// positive, |v| / vmax; vmax <= 0: the largest |v|), the value printed where a cell is wide enough,
// `title` above. Cells are VIZ_ROLE_THUMB and hit as VIZ_HIT_THUMB (layer, head); cells at or after
// `filled` (layer-major) are not computed yet and drawn empty.
VizRect viz_head_grid_build(VizScene& s, const float* values, int L, int H, int filled, float vmax, const char* title,
                            VizRect area, const VizTheme& th);

// ---- row table (the hovered matrix row, as numbers) ------------------------------------------------

// "Query 'it' attends to:" then one row per visible key (label, bar, weight to 3 decimals) and the
// row's sum (1.000 for a softmax row), plus how many later tokens are masked. Hits are CELLs.
VizRect viz_row_table_build(VizScene& s, const Capture& cap, const std::vector<std::string>& tokens, int layer,
                            int head, int query, VizRect area, const VizTheme& th);

// ---- probability bars and token chips ---------------------------------------------------------------

// One row per entry: token label, bar of length ∝ probability, "12.3%". vocab = id_to_bytes.
// before ([k], optional): the same tokens' probabilities before teaching, drawn as a tick and "(was …)".
VizRect viz_probs_build(VizScene& s, const int* ids, const float* probs, int k,
                        const std::vector<std::string>& vocab, int hover_rank, VizRect area, const VizTheme& th,
                        const float* before = nullptr);

struct VizChipsOpts {
    int selected = -1, hover = -1;
    bool show_ids = true;  // id under each chip
};
// Wrapping row of chips, one per token, whitespace visible (· ↵), colour per token.
VizRect viz_chips_build(VizScene& s, const std::vector<std::string>& tokens, const int* ids, int T,
                        const VizChipsOpts& o, VizRect area, const VizTheme& th);

// ---- math view (one query's attention, step by step) -----------------------------------------------

struct AttentionSteps;  // model.h: attention_steps()
struct TurnAttention;   // model.h: attention_turns()

// The learner's "because" table for one query in one head: a row per key with its label, Q·K, ÷√d,
// the causal mask, the softmax weight (bar and number) and weight × V (the first show_d dimensions);
// then the weights' sum and the head's output (first 12 dimensions). Every number comes from
// attention_steps(). Numbers are VIZ_ROLE_VALUE (tag0 = query, tag1 = key; the sum and output: key
// -1), weight × V is VIZ_ROLE_COMPONENT (tag0 = key, tag1 = dimension). The query's and the hovered
// row are VIZ_ROLE_ROW (tag0 = key); VIZ_HIT_TOKEN hits (row = key). Rows outside s.clip are skipped.
VizRect viz_math_build(VizScene& s, const AttentionSteps& st, const std::vector<std::string>& tokens, int show_d,
                       int hover, VizRect area, const VizTheme& th);

// ---- vectors and the embed view --------------------------------------------------------------------

// n numbers as a row of cells in r: diverging colours (blue negative, red positive), opacity
// |v| / max |v|, outlined. Cells are VIZ_ROLE_COMPONENT with tag0 = strip, tag1 = dimension.
void viz_vector_strip(VizScene& s, const float* v, int n, VizRect r, int strip, const VizTheme& th);

struct VizEmbedData {
    const float* embedding = nullptr;   // [C] the token's row of wte (no position)
    int C = 0;
    const int* nearest_ids = nullptr;   // [n_nearest] model_nearest_tokens(), best first
    const float* nearest_sims = nullptr;
    int n_nearest = 0;
    const std::vector<std::string>* vocab = nullptr;  // id_to_bytes: labels of the nearest tokens
    const Capture* cap = nullptr;       // the token's stream (capture_stream) at the input and after each layer
    int token = -1;
    const float* drift = nullptr;       // [L] capture_stream_drift(): cosine of each layer's stream to the input
    // A taught model: the same row and nearest tokens before teaching (strip 1000; nearest values tag0 1000 + i).
    const float* embedding_before = nullptr;
    const int* nearest_before_ids = nullptr;
    const float* nearest_before_sims = nullptr;
    int n_nearest_before = 0;
};
// The embedding as a strip (strip 0), the nearest tokens with their cosines, then the token's stream at
// the input (strip 1) and after each layer l (strip 2 + l) with the drift, labelled derived.
VizRect viz_embed_build(VizScene& s, const VizEmbedData& d, VizRect area, const VizTheme& th);

// ---- context view (conversation turns) -------------------------------------------------------------

// The context window's fill (T of n_positions) as a bar; a row per turn with the last turn's mean
// attention into it in (layer, head) and for the mean of the layer's heads (bars and numbers,
// labelled derived); then the last turn's repeated tokens with the attention they pay back
// (VIZ_HIT_TOKEN, row = token). Numbers from attention_turns().
VizRect viz_context_build(VizScene& s, const TurnAttention& ta, const std::vector<std::string>& tokens, int T,
                          int n_positions, int layer, int head, VizRect area, const VizTheme& th);

// ---- memory view (a transformer beside an LSTM) ----------------------------------------------------

struct VizMemoryData {
    const std::vector<std::string>* tokens = nullptr;  // [T] raw bytes
    int T = 0;
    int position = -1;                  // the prediction explained: the one after this token
    int hover = -1;                     // hovered token (its numbers are printed)
    const char* names[2] = {"transformer", "LSTM"};
    const float* influence[2] = {};     // [position + 1] occlusion KL (nats) of each model; null while computing
    const float* rollout = nullptr;     // [position + 1] the transformer's attention rollout row (derived)
    const float* cell_norm = nullptr;   // [lstm_layers, T] ‖c_t‖
    const float* forget = nullptr;      // [lstm_layers, T] mean forget gate
    int lstm_layers = 0;
    const float* by_distance[2] = {};   // [T] mean influence at distance d over the text (null while computing)
};
// Columns aligned under the tokens: each model's influence on the prediction after `position` as bars
// (one scale for both, so they compare), the rollout row, the LSTM's cell-state norm and forget gate as
// lines per layer; then influence against distance (log axis) for both models. Column hits are
// VIZ_HIT_TOKEN (row = token); bars are VIZ_ROLE_BAR (tag0 = token, tag1 = 0 transformer, 1 LSTM,
// 2 rollout); values are VIZ_ROLE_VALUE with the same tags.
VizRect viz_memory_build(VizScene& s, const VizMemoryData& d, VizRect area, const VizTheme& th);
