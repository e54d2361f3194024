// viz views: scene builders for the explorer (issue 6) and the derived attention aggregates.
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

// ---- derived aggregates (the only maths in viz; labelled "derived" wherever drawn) -----------------

// out[T, T] = mean over heads of cap.weights[layer]. Rows still sum to 1.
void viz_attention_mean(const Capture& cap, int layer, std::vector<float>& out);
// Attention rollout (Abnar & Zuidema 2020) through layers 0..last_layer:
//   A'_l = rownorm(0.5 · mean_heads(A_l) + 0.5 · I)      (the 0.5·I accounts for the residual path)
//   R_0 = A'_0,  R_l = A'_l · R_{l-1}
// out[T, T]: row q = how much each input position flows into position q's stream after last_layer.
// scratch is resized as needed (keep it across frames to avoid allocation).
void viz_attention_rollout(const Capture& cap, int last_layer, std::vector<float>& out, std::vector<float>& scratch);

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
};

// Grid of L rows × H columns of tiny heatmaps, layer/head captions. Downsampled cells show the
// block *maximum* (not the mean) so a single sharp weight — e.g. a previous-token head — survives.
// Rect path: O(L·H·T²) reads and at most L·H·max_cells² rects per build. Raster path: the reads
// only when the raster is stale, then L·H image prims.
VizRect viz_model_view_build(VizScene& s, const Capture& cap, const VizModelViewOpts& o, VizRect area,
                             const VizTheme& th);

// ---- row table (the hovered matrix row, as numbers) ------------------------------------------------

// "Query 'it' attends to:" then one row per visible key (label, bar, weight to 3 decimals) and the
// row's sum (1.000 for a softmax row), plus how many later tokens are masked. Hits are CELLs.
VizRect viz_row_table_build(VizScene& s, const Capture& cap, const std::vector<std::string>& tokens, int layer,
                            int head, int query, VizRect area, const VizTheme& th);

// ---- probability bars and token chips ---------------------------------------------------------------

// One row per entry: token label, bar of length ∝ probability, "12.3%". vocab = id_to_bytes.
VizRect viz_probs_build(VizScene& s, const int* ids, const float* probs, int k,
                        const std::vector<std::string>& vocab, int hover_rank, VizRect area, const VizTheme& th);

struct VizChipsOpts {
    int selected = -1, hover = -1;
    bool show_ids = true;  // id under each chip
};
// Wrapping row of chips, one per token, whitespace visible (· ↵), colour per token.
VizRect viz_chips_build(VizScene& s, const std::vector<std::string>& tokens, const int* ids, int T,
                        const VizChipsOpts& o, VizRect area, const VizTheme& th);
