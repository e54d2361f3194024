// viz views: scene builders (matrix, aggregates, head view, model view, bars, chips) and the two
// derived aggregates. See views.h. Reads Capture only; never includes anything that draws.
#include "viz/views.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "model/model.h"

// ---- helpers ---------------------------------------------------------------------------------------

static float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }
static int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Weights of every layer and head (accessors in model.h; they return nullptr for what is missing).
static bool capture_has_weights(const Capture& cap) { return cap.T > 0 && capture_head_weights(cap, 0, 0); }

static float text_w(const VizTheme& th, const char* s, int len, float size) {
    return th.text_width(s, len, size, th.text_width_user);
}

// Display label of token i into s.scratch (raw bytes → visible whitespace; "#i" if missing).
static std::string& token_label(VizScene& s, const std::vector<std::string>& tokens, int i) {
    s.scratch.clear();
    if (i >= 0 && i < (int)tokens.size()) {
        viz_token_label(tokens[i].data(), (int)tokens[i].size(), s.scratch);
    } else {
        char b[16];
        snprintf(b, sizeof(b), "#%d", i);
        s.scratch.append(b);
    }
    return s.scratch;
}

// Cuts str at a code point boundary so it (plus "…") fits max_w. Returns false if not even one code
// point fits, so the caller can skip the label instead of drawing a lone ellipsis.
static bool label_fit(std::string& str, float size, float max_w, const VizTheme& th) {
    // Half a pixel of slack: callers often pass exactly the measured width back (w + pad - pad).
    if (text_w(th, str.data(), (int)str.size(), size) <= max_w + 0.5f) return true;
    static const char ELL[] = "\xE2\x80\xA6";  // …
    float ell_w = text_w(th, ELL, 3, size);
    size_t cut = 0, i = 0;
    while (i < str.size()) {
        size_t j = i + 1;
        while (j < str.size() && ((unsigned char)str[j] & 0xC0) == 0x80) j++;  // labels are valid UTF-8
        if (text_w(th, str.data(), (int)j, size) + ell_w > max_w) break;
        cut = j;
        i = j;
    }
    if (cut == 0) return false;
    str.resize(cut);
    str.append(ELL, 3);
    return true;
}

static float max_label_width(VizScene& s, const std::vector<std::string>& tokens, int T, float size,
                             const VizTheme& th) {
    float w = 0;
    for (int i = 0; i < T; i++) {
        std::string& l = token_label(s, tokens, i);
        w = fmaxf(w, text_w(th, l.data(), (int)l.size(), size));
    }
    return w;
}

static void draw_message(VizScene& s, VizRect area, const VizTheme& th, const char* msg) {
    viz_text(s, area.x, area.y, msg, -1, th.font_size, th.fg_muted, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_TOP, VIZ_ROLE_TITLE);
}

// ---- top-k ----------------------------------------------------------------------------------------

int viz_top_k(const float* probs, int V, int k, int* out_ids, float* out_probs) {
    if (k > V) k = V;
    if (k <= 0) return 0;
    int n = 0;
    // Insertion into a sorted k-array: O(V·k) for k ≈ 10 beats a heap and never allocates.
    for (int id = 0; id < V; id++) {
        float p = probs[id];
        if (p != p) continue;
        if (n == k && p <= out_probs[n - 1]) continue;
        int pos = n < k ? n++ : k - 1;
        while (pos > 0 && out_probs[pos - 1] < p) {  // strict: equal probabilities keep lower id first
            out_probs[pos] = out_probs[pos - 1];
            out_ids[pos] = out_ids[pos - 1];
            pos--;
        }
        out_probs[pos] = p;
        out_ids[pos] = id;
    }
    return n;
}

// ---- rasters (big heatmaps as one texture) --------------------------------------------------------------

static uint64_t key_mix(uint64_t h, uint64_t v) {  // splitmix64-style: order matters, never 0 by chance
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return (h ^ (h >> 29)) | 1;
}

// Pools the [T, T] weights w into n × n texels at (tx, ty) of r: each texel the *maximum* of its block
// of queries × keys (a one-token-wide diagonal survives any downsampling; blocks as the rect path's,
// b·T/n). With causal, blocks wholly above the diagonal get the masked colour. O(T²/2) reads.
static void raster_tile(VizRaster& r, const float* w, int T, int n, bool causal, float vscale, const VizTheme& th,
                        int tx, int ty, std::vector<int>& block, std::vector<float>& m) {
    block.resize(T);
    for (int b = 0; b < n; b++)
        for (int t = b * T / n; t < (b + 1) * T / n; t++) block[t] = b;
    m.assign((size_t)n * n, -1.0f);  // -1: no unmasked entry in the block
    for (int q = 0; q < T; q++) {
        float* mrow = m.data() + (size_t)block[q] * n;
        const float* wrow = w + (size_t)q * T;
        const int kend = causal ? q + 1 : T;
        for (int k = 0; k < kend; k++) mrow[block[k]] = fmaxf(mrow[block[k]], wrow[k]);
    }
    for (int i = 0; i < n; i++) {
        uint8_t* px = r.rgba.data() + (((size_t)(ty + i)) * r.w + (size_t)tx) * 4;
        for (int j = 0; j < n; j++, px += 4) {
            float v = m[(size_t)i * n + j];
            VizColor c = v < 0 ? th.masked : viz_colormap(th, v * vscale);
            px[0] = c.r, px[1] = c.g, px[2] = c.b, px[3] = 255;
        }
    }
}

// Texels per tile: about one per device pixel of the drawn size, at most one per token, and an atlas
// of tiles_x × tiles_y tiles within any GL's texture size limit.
static int raster_texels(float units, float px_per_unit, int T, int tiles) {
    int n = (int)ceilf(units * fmaxf(px_per_unit, 1.0f));
    return clampi(clampi(n, 1, T), 1, 4096 / (tiles > 0 ? tiles : 1));
}

// ---- matrix heatmap --------------------------------------------------------------------------------

// The colour scale under a matrix's title: a strip of swatches with its ends labelled and what they mean.
static float matrix_legend(VizScene& s, const VizMatrixOpts& o, float dmax, float x, float y, float w, const VizTheme& th) {
    const float ss = th.small_size, h = ss * 1.1f, sw = fminf(160.0f, w * 0.3f);
    const int n = 16;
    char lo[32], hi[32], what[160];
    if (o.diverging) {
        snprintf(lo, sizeof lo, "%.2f", -dmax), snprintf(hi, sizeof hi, "+%.2f", dmax);
        snprintf(what, sizeof what, "%s: blue below 0, red above (scale: the largest |value| here)", o.value_name);
    } else {
        snprintf(lo, sizeof lo, "0"), snprintf(hi, sizeof hi, o.row_scale ? "row max" : "%.2g", o.vmax > 0 ? o.vmax : 1.0f);
        snprintf(what, sizeof what, "%s%s", o.value_name,
                 o.row_scale ? ", each row scaled to its own largest (compare within a row only)" : ", one scale for every cell");
    }
    const float lw = text_w(th, lo, (int)strlen(lo), ss) + 4;
    viz_text(s, x, y + h * 0.5f, lo, -1, ss, th.fg_muted, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_LABEL);
    for (int i = 0; i < n; i++) {
        const float t = (float)i / (n - 1);
        const VizColor c = o.diverging ? viz_diverging(th, 2 * t - 1) : viz_colormap(th, t);
        viz_rect_fill(s, {x + lw + sw * i / n, y, sw / n + 0.5f, h}, c, 0, VIZ_ROLE_LABEL, -1, i);
    }
    viz_rect_stroke(s, {x + lw, y, sw, h}, th.grid, 1, 0, VIZ_ROLE_LABEL);
    float tx = x + lw + sw + 4;
    viz_text(s, tx, y + h * 0.5f, hi, -1, ss, th.fg_muted, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_LABEL);
    tx += text_w(th, hi, (int)strlen(hi), ss) + 10;
    s.scratch.assign(what);
    if (label_fit(s.scratch, ss, x + w - tx, th))
        viz_text(s, tx, y + h * 0.5f, s.scratch.data(), (int)s.scratch.size(), ss, th.fg_muted,
                 VIZ_ANCHOR_LEFT | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_LABEL);
    return y + h + ss * 0.8f;
}

VizRect viz_matrix_build_raw(VizScene& s, const float* w, int T, const std::vector<std::string>& tokens,
                             const char* title, const VizMatrixOpts& o, VizRect area, const VizTheme& th) {
    const float fs = th.font_size;
    float y = area.y;
    if (title && title[0]) {
        s.scratch.assign(title);
        if (label_fit(s.scratch, fs, area.w, th))
            viz_text(s, area.x, y, s.scratch.data(), (int)s.scratch.size(), fs, th.fg, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_TOP,
                     VIZ_ROLE_TITLE);
        y += fs * 1.6f;
    }
    if (!w || T <= 0) {
        draw_message(s, {area.x, y, area.w, area.h}, th, "No attention to show.");
        return {area.x, area.y, area.w, y - area.y + fs * 1.6f};
    }
    // signed values: the scale is the largest |value| the map shows (masked cells aside)
    float dmax = 0;
    if (o.diverging)
        for (int r = 0; r < T; r++)
            for (int c = 0; c <= (o.causal ? r : T - 1); c++) dmax = fmaxf(dmax, fabsf(w[(size_t)r * T + c]));
    dmax = fmaxf(dmax, 1e-6f);
    if (o.legend) y = matrix_legend(s, o, dmax, area.x, y, fminf(area.w, 560.0f), th);

    // Layout: [row labels | grid], column labels above the grid. Cells are square.
    const float pad = 6;
    float label_w = fminf(max_label_width(s, tokens, T, fs, th), area.w * 0.3f);
    const float col_lab_h = fs * 1.5f;
    const float gx = area.x + label_w + pad;
    const float gy = y + col_lab_h;
    const float fit = fminf((area.x + area.w - gx) / T, (area.y + area.h - gy) / T);
    // Too many tokens for min_cell: with a raster the whole matrix fits the area as one image
    // (max-pooled, so hover + the row table give the numbers); without one the grid overflows.
    const bool as_image = o.raster && fit < o.min_cell && fit > 0 && !o.row_scale && !o.diverging;
    const float cell = as_image ? fit : clampf(fit, o.min_cell, o.max_cell);
    const float gw = cell * T;
    const VizRect grid = {gx, gy, gw, gw};

    // Visible rows/columns (the app scrolls big matrices and sets s.clip to the viewport).
    int r0 = 0, r1 = T, c0 = 0, c1 = T;
    if (s.clip.w > 0) {
        r0 = clampi((int)floorf((s.clip.y - gy) / cell), 0, T);
        r1 = clampi((int)ceilf((s.clip.y + s.clip.h - gy) / cell), 0, T);
        c0 = clampi((int)floorf((s.clip.x - gx) / cell), 0, T);
        c1 = clampi((int)ceilf((s.clip.x + s.clip.w - gx) / cell), 0, T);
    }

    if (as_image) {
        const float vs = o.vmax > 0 ? 1.0f / o.vmax : 1.0f;
        const int n = raster_texels(gw, o.px_per_unit, T, 1);
        uint32_t vbits;
        memcpy(&vbits, &vs, 4);
        const uint64_t key = key_mix(key_mix(key_mix(key_mix(o.raster_key, (uint64_t)n * 65536 + T), vbits),
                                             o.causal ? 1 : 2), th.dark ? 1 : 2);
        VizRaster& r = *o.raster;
        if (r.key != key || r.w != n || r.h != n) {
            r.key = key, r.w = r.h = n, r.version++;
            r.rgba.resize((size_t)n * n * 4);
            std::vector<int> block;
            std::vector<float> m;
            raster_tile(r, w, T, n, o.causal, vs, th, 0, 0, block, m);
        }
        viz_image(s, grid, o.raster, 0, 0, (float)n, (float)n, VIZ_ROLE_CELL, -1, -1);
        r1 = r0, c1 = c0;  // no per-cell prims; labels below use the full range
    }
    const int lr0 = as_image ? 0 : r0, lr1 = as_image ? T : r1, lc0 = as_image ? 0 : c0, lc1 = as_image ? T : c1;

    // Cells. A 1-unit gap once cells are big enough makes the grid read as a table.
    const float gap = cell >= 12 ? 1.0f : 0.0f;
    const bool numbers = cell >= o.number_min_cell;
    const float num_size = fminf(fs, cell * 0.32f);
    const float vscale = o.vmax > 0 ? 1.0f / o.vmax : 1.0f;
    for (int r = r0; r < r1; r++) {
        float rmax = 0;  // the row's largest weight (row_scale)
        for (int c = 0; o.row_scale && c <= (o.causal ? r : T - 1); c++) rmax = fmaxf(rmax, w[(size_t)r * T + c]);
        const float rscale = rmax > 0 ? 1.0f / rmax : 1.0f;
        for (int c = c0; c < c1; c++) {
            VizRect cr = {gx + c * cell, gy + r * cell, cell - gap, cell - gap};
            if (o.causal && c > r) {
                viz_rect_fill(s, cr, th.masked, 0, VIZ_ROLE_MASKED, r, c);
                // One diagonal stroke: distinct from any weight colour even in greyscale print.
                if (cell >= 8)
                    viz_line(s, cr.x, cr.y + cr.h, cr.x + cr.w, cr.y, th.hatch, 1.0f, VIZ_ROLE_HATCH, r, c);
                continue;
            }
            float v = w[(size_t)r * T + c];
            VizColor col = o.diverging ? viz_diverging(th, v / dmax) : viz_colormap(th, v * (o.row_scale ? rscale : vscale));
            viz_rect_fill(s, cr, col, 0, VIZ_ROLE_CELL, r, c);
            if (numbers)
                viz_textf(s, cr.x + cr.w * 0.5f, cr.y + cr.h * 0.5f, num_size, viz_color_text_on(col),
                          VIZ_ANCHOR_CENTER | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_VALUE, r, c, "%.2f", v);
        }
    }

    // Row labels (queries). When rows are shorter than a line of text, label every step-th row.
    const float lab_size = fminf(fs, fmaxf(th.small_size, cell * 0.75f));
    const int step = (int)ceilf(lab_size * 1.15f / cell);
    for (int r = lr0; r < lr1; r++) {
        bool hot = r == o.hover_row || r == o.select_row;
        if (r % step != 0 && !hot) continue;
        std::string& l = token_label(s, tokens, r);
        if (!label_fit(l, lab_size, label_w, th)) continue;
        VizColor col = r == o.select_row ? th.select : (r == o.hover_row ? th.highlight : th.fg);
        viz_text(s, gx - pad, gy + (r + 0.5f) * cell, l.data(), (int)l.size(), lab_size, col,
                 VIZ_ANCHOR_RIGHT | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_LABEL, r, -1);
    }
    // Column labels (keys): horizontal text has only the cell width; the hovered one is drawn whole.
    for (int c = lc0; c < lc1; c++) {
        bool hot = c == o.hover_col;
        std::string& l = token_label(s, tokens, c);
        if (!hot && !label_fit(l, lab_size, cell - 2, th)) continue;
        viz_text(s, gx + (c + 0.5f) * cell, gy - 3, l.data(), (int)l.size(), lab_size, hot ? th.highlight : th.fg,
                 VIZ_ANCHOR_CENTER | VIZ_ANCHOR_BOTTOM, VIZ_ROLE_LABEL, -1, c);
    }

    // Hover / selection outlines over the cells.
    if (o.hover_row >= 0 && o.hover_row < T)
        viz_rect_stroke(s, {gx, gy + o.hover_row * cell, gw, cell}, th.highlight, 2, 0, VIZ_ROLE_HIGHLIGHT,
                        o.hover_row, -1);
    if (o.hover_col >= 0 && o.hover_col < T)
        viz_rect_stroke(s, {gx + o.hover_col * cell, gy, cell, gw}, th.highlight, 2, 0, VIZ_ROLE_HIGHLIGHT, -1,
                        o.hover_col);
    // Knocked-out cells: a cross in the highlight colour (their weight is already 0).
    for (int i = 0; i < o.n_knocked; i++) {
        const int r = o.knocked[2 * i], c = o.knocked[2 * i + 1];
        if (r < 0 || r >= T || c < 0 || c >= T) continue;
        const float x0 = gx + c * cell, y0 = gy + r * cell, in = cell * 0.18f, t = fmaxf(1.0f, cell * 0.08f);
        viz_line(s, x0 + in, y0 + in, x0 + cell - in, y0 + cell - in, th.highlight, t, VIZ_ROLE_HIGHLIGHT, r, c);
        viz_line(s, x0 + cell - in, y0 + in, x0 + in, y0 + cell - in, th.highlight, t, VIZ_ROLE_HIGHLIGHT, r, c);
    }
    if (o.select_row >= 0 && o.select_row < T)
        viz_rect_stroke(s, {gx, gy + o.select_row * cell, gw, cell}, th.select, 2, 0, VIZ_ROLE_SELECTION,
                        o.select_row, -1);

    // One grid region each for cells, row labels, column labels (row/col filled in by hit test).
    viz_hit_add(s, grid, {VIZ_HIT_CELL, o.layer, o.head, 0, 0}, T, T);
    viz_hit_add(s, {area.x, gy, gx - area.x, gw}, {VIZ_HIT_ROW_LABEL, o.layer, o.head, 0, -1}, 1, T);
    viz_hit_add(s, {gx, y, gw, col_lab_h}, {VIZ_HIT_COL_LABEL, o.layer, o.head, -1, 0}, T, 1);

    return {area.x, area.y, fmaxf(area.w, gx + gw - area.x), gy + gw - area.y};
}

VizRect viz_matrix_build(VizScene& s, const Capture& cap, const std::vector<std::string>& tokens,
                         const VizMatrixOpts& o, VizRect area, const VizTheme& th) {
    if (!capture_has_weights(cap) || o.layer < 0 || o.layer >= cap.L || o.head < 0 || o.head >= cap.H) {
        draw_message(s, area, th, "No attention captured for this layer/head.");
        return {area.x, area.y, area.w, th.font_size * 1.6f};
    }
    char title[64];
    snprintf(title, sizeof(title), "Layer %d \xC2\xB7 head %d", o.layer, o.head);
    return viz_matrix_build_raw(s, capture_head_weights(cap, o.layer, o.head), cap.T, tokens, title, o, area, th);
}

VizRect viz_aggregate_build(VizScene& s, const Capture& cap, const std::vector<std::string>& tokens,
                            VizAggregate kind, const VizMatrixOpts& o, VizRect area, const VizTheme& th,
                            VizWork& work) {
    if (!capture_has_weights(cap) || o.layer < 0 || o.layer >= cap.L) {
        draw_message(s, area, th, "No attention captured for this layer.");
        return {area.x, area.y, area.w, th.font_size * 1.6f};
    }
    char title[128];
    const uint64_t key = o.raster_key ? key_mix(key_mix(o.raster_key, (uint64_t)o.layer), (uint64_t)kind + 1) : 0;
    const bool fresh = key != 0 && key == work.key && work.a.size() == (size_t)cap.T * cap.T;
    work.key = key;
    if (kind == VIZ_AGG_ROLLOUT) {
        if (!fresh) attention_rollout(cap, o.layer, work.a, work.b);
        snprintf(title, sizeof(title),
                 "Attention rollout \xC2\xB7 layers 0\xE2\x80\x93%d (Abnar & Zuidema 2020, derived)", o.layer);
    } else {
        if (!fresh) attention_head_mean(cap, o.layer, work.a);
        snprintf(title, sizeof(title), "Mean over %d heads \xC2\xB7 layer %d (derived)", cap.H, o.layer);
    }
    VizMatrixOpts mo = o;
    mo.head = -1;  // hits report no head: this is not one head's map
    if (mo.raster) mo.raster_key = key_mix(key, 7);  // the pooled image follows the aggregate
    return viz_matrix_build_raw(s, work.a.data(), cap.T, tokens, title, mo, area, th);
}

// ---- head view -------------------------------------------------------------------------------------

VizRect viz_head_view_build(VizScene& s, const Capture& cap, const std::vector<std::string>& tokens,
                            const VizHeadViewOpts& o, VizRect area, const VizTheme& th) {
    if (!capture_has_weights(cap) || o.layer < 0 || o.layer >= cap.L) {
        draw_message(s, area, th, "No attention captured for this layer.");
        return {area.x, area.y, area.w, th.font_size * 1.6f};
    }
    const int T = cap.T, H = cap.H;
    const float fs = th.font_size;
    const float row_h = o.row_h > 0 ? o.row_h : fs * 1.6f;
    float y = area.y;

    int n_on = 0;
    for (int h = 0; h < H; h++) n_on += (!o.heads_on || o.heads_on[h]) ? 1 : 0;
    const bool nothing_selected = !(o.focus >= 0 && o.focus < T) && !(o.locked >= 0 && o.locked < T);
    const bool last_only = nothing_selected && (double)T * (T + 1) / 2 * n_on > o.all_max_lines;
    viz_textf(s, area.x, y, fs, th.fg, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_TOP, VIZ_ROLE_TITLE, -1, -1,
              last_only ? "Layer %d \xC2\xB7 %d of %d heads \xC2\xB7 lines from the last token (hover or click a token)"
                        : "Layer %d \xC2\xB7 %d of %d heads", o.layer, n_on, H);
    y += fs * 1.6f;

    // Legend: one swatch per head (click toggles); disabled heads are drawn hollow.
    const float sw = fminf(fs * 1.4f, (area.w - 2) / H);
    for (int h = 0; h < H; h++) {
        VizRect r = {area.x + h * sw, y, sw - 2, sw - 2};
        VizColor hc = viz_head_color(th, h, H);
        if (!o.heads_on || o.heads_on[h]) viz_rect_fill(s, r, hc, 2, VIZ_ROLE_NONE, h, -1);
        else viz_rect_stroke(s, r, hc, 1.5f, 2, VIZ_ROLE_NONE, h, -1);
        viz_hit_add(s, r, {VIZ_HIT_HEAD, o.layer, h, -1, -1});
    }
    y += sw + fs * 0.6f;

    // Two token columns with room for lines between them.
    float box_w = fminf(max_label_width(s, tokens, T, fs, th) + 12, area.w * 0.3f);
    const float lx = area.x, rx = area.x + area.w - box_w;
    const float ty = y;

    // Which lines: focused/locked query → all keys; focused key ← all queries; else everything.
    int q_sel = -1, k_sel = -1;
    if (o.focus >= 0 && o.focus < T) {
        if (o.focus_is_key) k_sel = o.focus;
        else q_sel = o.focus;
    } else if (o.locked >= 0 && o.locked < T) {
        q_sel = o.locked;
    } else if (last_only) {
        q_sel = T - 1;
    }

    // Token boxes; the opposite side of a selection is tinted by the mean weight over enabled heads.
    for (int side = 0; side < 2; side++) {
        const float x = side == 0 ? lx : rx;
        for (int i = 0; i < T; i++) {
            VizRect r = {x, ty + i * row_h, box_w, row_h - 2};
            if (s.clip.w > 0 && !viz_rect_overlaps(r, s.clip)) continue;
            viz_rect_fill(s, r, th.panel, 3, VIZ_ROLE_TOKEN, i, side);
            int q = side == 1 ? q_sel : i, k = side == 1 ? i : k_sel;
            if ((side == 1 && q_sel >= 0) || (side == 0 && k_sel >= 0)) {
                float m = 0;
                for (int h = 0; h < H; h++)
                    if (!o.heads_on || o.heads_on[h]) m += capture_head_weights(cap, o.layer, h)[(size_t)q * T + k];
                if (n_on > 0 && m > 0)
                    viz_rect_fill(s, r, viz_color_alpha(th.highlight, 0.6f * m / n_on), 3, VIZ_ROLE_TOKEN, i, side);
            }
            std::string& l = token_label(s, tokens, i);
            if (label_fit(l, fs, box_w - 8, th)) {
                if (side == 0)
                    viz_text(s, x + box_w - 4, r.y + r.h * 0.5f, l.data(), (int)l.size(), fs, th.fg,
                             VIZ_ANCHOR_RIGHT | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_LABEL, i, -1);
                else
                    viz_text(s, x + 4, r.y + r.h * 0.5f, l.data(), (int)l.size(), fs, th.fg,
                             VIZ_ANCHOR_LEFT | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_LABEL, -1, i);
            }
            viz_hit_add(s, r, {side == 0 ? VIZ_HIT_QUERY : VIZ_HIT_KEY, o.layer, -1, side == 0 ? i : -1,
                               side == 1 ? i : -1});
        }
    }

    // Lines: opacity = weight × max_alpha, so a 0.8 weight is twice as opaque as a 0.4 one.
    const float x0 = lx + box_w + 1, x1 = rx - 1;
    const float min_alpha = 0.5f / 255.0f;  // rounds to alpha 0: invisible, so not emitted
    // Without a selection every query's lines are drawn (T²·H of them); weights under
    // all_min_weight are left out so a long text stays cheap and legible.
    const float w_min = (q_sel < 0 && k_sel < 0) ? o.all_min_weight : 0.0f;
    const int qa = q_sel >= 0 ? q_sel : 0, qb = q_sel >= 0 ? q_sel + 1 : T;
    const int ka = k_sel >= 0 ? k_sel : 0, kb = k_sel >= 0 ? k_sel + 1 : T;
    for (int h = 0; h < H; h++) {
        if (o.heads_on && !o.heads_on[h]) continue;
        const float* w = capture_head_weights(cap, o.layer, h);
        VizColor hc = viz_head_color(th, h, H);
        for (int q = qa; q < qb; q++) {
            for (int k = ka; k < kb; k++) {
                const float wk = w[(size_t)q * T + k];
                const float a = wk * o.max_alpha;
                if (!(a >= min_alpha) || wk < w_min) continue;
                float ya = ty + (q + 0.5f) * row_h - 1, yb = ty + (k + 0.5f) * row_h - 1;
                if (s.clip.w > 0 && fmaxf(ya, yb) < s.clip.y) continue;
                if (s.clip.w > 0 && fminf(ya, yb) > s.clip.y + s.clip.h) continue;
                viz_line(s, x0, ya, x1, yb, viz_color_alpha(hc, a), o.line_width, VIZ_ROLE_LINK, q, k);
                s.prims.back().aux = (uint8_t)(h < 255 ? h : 255);
            }
        }
    }

    // Focus and lock outlines on top.
    if (o.locked >= 0 && o.locked < T)
        viz_rect_stroke(s, {lx, ty + o.locked * row_h, box_w, row_h - 2}, th.select, 2, 3, VIZ_ROLE_SELECTION,
                        o.locked, 0);
    if (o.focus >= 0 && o.focus < T)
        viz_rect_stroke(s, {o.focus_is_key ? rx : lx, ty + o.focus * row_h, box_w, row_h - 2}, th.highlight, 2, 3,
                        VIZ_ROLE_HIGHLIGHT, o.focus, o.focus_is_key ? 1 : 0);

    return {area.x, area.y, area.w, ty + T * row_h - area.y};
}

// ---- model view ------------------------------------------------------------------------------------

// raster = [L·n, H·n] atlas, tile (l, h) at texels (h·n, l·n).
static void model_view_rasterize(VizRaster& r, const Capture& cap, int n, const VizTheme& th, uint64_t caller_key) {
    const int T = cap.T, L = cap.L, H = cap.H;
    uint64_t key = key_mix(key_mix(key_mix(key_mix(caller_key, (uint64_t)n), (uint64_t)T), (uint64_t)L * 4096 + H),
                           th.dark ? 1 : 2);
    if (r.key == key && r.w == H * n && r.h == L * n) return;
    r.key = key, r.w = H * n, r.h = L * n, r.version++;
    r.rgba.resize((size_t)r.w * r.h * 4);
    std::vector<int> block;
    std::vector<float> m;
    for (int l = 0; l < L; l++)
        for (int h = 0; h < H; h++) raster_tile(r, capture_head_weights(cap, l, h), T, n, true, 1.0f, th, h * n, l * n, block, m);
}

VizRect viz_model_view_build(VizScene& s, const Capture& cap, const VizModelViewOpts& o, VizRect area,
                             const VizTheme& th) {
    if (!capture_has_weights(cap)) {
        draw_message(s, area, th, "No attention captured.");
        return {area.x, area.y, area.w, th.font_size * 1.6f};
    }
    const int T = cap.T, L = cap.L, H = cap.H;
    const float fs = th.font_size, ss = th.small_size;
    float y = area.y;
    viz_textf(s, area.x, y, fs, th.fg, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_TOP, VIZ_ROLE_TITLE, -1, -1,
              "All %d layers \xC3\x97 %d heads", L, H);
    y += fs * 1.6f;

    const float left = text_w(th, "L00", 3, ss) + 6, top = ss * 1.6f, gap = 4;
    float pitch = fminf((area.w - left) / H, (area.h - (y - area.y) - top) / L);
    pitch = clampf(pitch, 10, 160);
    const float thumb = pitch - gap;
    const float gx = area.x + left, gy = y + top;

    for (int h = 0; h < H; h++)
        viz_textf(s, gx + h * pitch + thumb * 0.5f, gy - 2, ss, th.fg_muted, VIZ_ANCHOR_CENTER | VIZ_ANCHOR_BOTTOM,
                  VIZ_ROLE_LABEL, -1, h, "H%d", h);
    for (int l = 0; l < L; l++)
        viz_textf(s, gx - 4, gy + l * pitch + thumb * 0.5f, ss, th.fg_muted, VIZ_ANCHOR_RIGHT | VIZ_ANCHOR_MIDDLE,
                  VIZ_ROLE_LABEL, l, -1, "L%d", l);

    if (o.raster) {
        // One tile of n × n texels per head: about one texel per device pixel, at most one per token.
        const int n = raster_texels(thumb, o.px_per_unit, T, L > H ? L : H);
        model_view_rasterize(*o.raster, cap, n, th, o.raster_key);
        for (int l = 0; l < L; l++) {
            for (int h = 0; h < H; h++) {
                VizRect tr = {gx + h * pitch, gy + l * pitch, thumb, thumb};
                viz_hit_add(s, tr, {VIZ_HIT_THUMB, l, h, -1, -1});
                if (s.clip.w > 0 && !viz_rect_overlaps(tr, s.clip)) continue;
                viz_image(s, tr, o.raster, (float)(h * n), (float)(l * n), (float)n, (float)n, VIZ_ROLE_THUMB, l, h);
            }
        }
    } else {
        // Thumbnail resolution: never more cells than max_cells, never cells under one unit.
        int n = T < o.max_cells ? T : o.max_cells;
        if (n > (int)thumb) n = (int)thumb;
        if (n < 1) n = 1;
        const float cs = thumb / n;
        for (int l = 0; l < L; l++) {
            for (int h = 0; h < H; h++) {
                VizRect tr = {gx + h * pitch, gy + l * pitch, thumb, thumb};
                viz_hit_add(s, tr, {VIZ_HIT_THUMB, l, h, -1, -1});
                if (s.clip.w > 0 && !viz_rect_overlaps(tr, s.clip)) continue;
                // Background = masked colour; only blocks with some unmasked entry are drawn on top.
                viz_rect_fill(s, tr, th.masked, 0, VIZ_ROLE_THUMB, l, h);
                const float* w = capture_head_weights(cap, l, h);
                for (int bi = 0; bi < n; bi++) {
                    const int ra = bi * T / n, rb = (bi + 1) * T / n;
                    for (int bj = 0; bj < n; bj++) {
                        const int ca = bj * T / n, cb = (bj + 1) * T / n;
                        if (ca > rb - 1) break;  // wholly above the diagonal: causally masked
                        float m = 0;
                        for (int r = ra; r < rb; r++)
                            for (int c = ca; c < cb && c <= r; c++) m = fmaxf(m, w[(size_t)r * T + c]);
                        viz_rect_fill(s, {tr.x + bj * cs, tr.y + bi * cs, cs, cs}, viz_colormap(th, m), 0,
                                      VIZ_ROLE_THUMB, l, h);
                    }
                }
            }
        }
    }
    // Ablated heads: dimmed and crossed out; role badges on the lower edge.
    for (int l = 0; l < L; l++) {
        for (int h = 0; h < H; h++) {
            VizRect tr = {gx + h * pitch, gy + l * pitch, thumb, thumb};
            if (s.clip.w > 0 && !viz_rect_overlaps(tr, s.clip)) continue;
            if (o.crossed && o.crossed[l * H + h]) {
                viz_rect_fill(s, tr, viz_color_alpha(th.bg, 0.55f), 0, VIZ_ROLE_HIGHLIGHT, l, h);
                const float t = fmaxf(1.5f, thumb * 0.03f);
                viz_line(s, tr.x, tr.y, tr.x + thumb, tr.y + thumb, th.select, t, VIZ_ROLE_HIGHLIGHT, l, h);
                viz_line(s, tr.x + thumb, tr.y, tr.x, tr.y + thumb, th.select, t, VIZ_ROLE_HIGHLIGHT, l, h);
            }
            if (o.badges && !o.badges[l * H + h].empty() && thumb >= 36) {
                std::string b = o.badges[l * H + h];
                const float bs = fminf(ss, thumb * 0.2f);
                if (!label_fit(b, bs, thumb - 4, th)) continue;
                const float bw = text_w(th, b.data(), (int)b.size(), bs) + 4, bh = bs * 1.35f;
                viz_rect_fill(s, {tr.x, tr.y + thumb - bh, bw, bh}, viz_color_alpha(th.panel, 0.85f), 0, VIZ_ROLE_LABEL, l, h);
                viz_text(s, tr.x + 2, tr.y + thumb - bh * 0.5f, b.data(), (int)b.size(), bs, th.fg,
                         VIZ_ANCHOR_LEFT | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_LABEL, l, h);
            }
        }
    }
    // Outlines sit in the gap around the thumbnail (a stroke is centred on its rectangle): drawn over
    // it they hid the first key column and query row, where many heads put their weight.
    if (o.hover_layer >= 0 && o.hover_layer < L && o.hover_head >= 0 && o.hover_head < H)
        viz_rect_stroke(s, {gx + o.hover_head * pitch - 1.5f, gy + o.hover_layer * pitch - 1.5f, thumb + 3, thumb + 3},
                        th.highlight, 1.5f, 0, VIZ_ROLE_HIGHLIGHT, o.hover_layer, o.hover_head);
    if (o.sel_layer >= 0 && o.sel_layer < L && o.sel_head >= 0 && o.sel_head < H)
        viz_rect_stroke(s, {gx + o.sel_head * pitch - 2, gy + o.sel_layer * pitch - 2, thumb + 4, thumb + 4},
                        th.select, 2, 0, VIZ_ROLE_SELECTION, o.sel_layer, o.sel_head);

    return {area.x, area.y, fmaxf(area.w, left + H * pitch), gy + L * pitch - area.y};
}

// ---- head grid of numbers -----------------------------------------------------------------------------

VizRect viz_head_grid_build(VizScene& s, const float* values, int L, int H, int filled, float vmax, const char* title,
                            VizRect area, const VizTheme& th) {
    const float fs = th.font_size, ss = th.small_size;
    float y = area.y;
    viz_text(s, area.x, y, title, -1, fs, th.fg, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_TOP, VIZ_ROLE_TITLE);
    y += fs * 1.6f;
    if (!values || L <= 0 || H <= 0) return {area.x, area.y, area.w, y - area.y};
    if (vmax <= 0)
        for (int i = 0; i < L * H && i < filled; i++) vmax = fmaxf(vmax, fabsf(values[i]));
    vmax = fmaxf(vmax, 1e-6f);
    const float left = text_w(th, "L00", 3, ss) + 6, top = ss * 1.6f;
    const float pitch = clampf(fminf((area.w - left) / H, 64), 8, 64), cell = pitch - 2;
    const float gx = area.x + left, gy = y + top;
    for (int h = 0; h < H; h++)
        viz_textf(s, gx + h * pitch + cell * 0.5f, gy - 2, ss, th.fg_muted, VIZ_ANCHOR_CENTER | VIZ_ANCHOR_BOTTOM,
                  VIZ_ROLE_LABEL, -1, h, "H%d", h);
    const VizColor pos = {217, 64, 51, 255}, neg = {51, 115, 230, 255};
    for (int l = 0; l < L; l++) {
        viz_textf(s, gx - 4, gy + l * pitch + cell * 0.5f, ss, th.fg_muted, VIZ_ANCHOR_RIGHT | VIZ_ANCHOR_MIDDLE,
                  VIZ_ROLE_LABEL, l, -1, "L%d", l);
        for (int h = 0; h < H; h++) {
            const int i = l * H + h;
            VizRect r = {gx + h * pitch, gy + l * pitch, cell, cell};
            viz_hit_add(s, r, {VIZ_HIT_THUMB, l, h, -1, -1});
            if (i >= filled) {
                viz_rect_stroke(s, r, th.grid, 1, 0, VIZ_ROLE_THUMB, l, h);
                continue;
            }
            const float t = clampf(values[i] / vmax, -1, 1);
            viz_rect_fill(s, r, th.panel, 0, VIZ_ROLE_THUMB, l, h);
            viz_rect_fill(s, r, viz_color_alpha(t >= 0 ? pos : neg, fabsf(t)), 0, VIZ_ROLE_THUMB, l, h);
            if (cell >= 30) {
                char b[16];
                snprintf(b, sizeof b, "%.2f", values[i]);
                viz_text(s, r.x + cell * 0.5f, r.y + cell * 0.5f, b, -1, fminf(ss, cell * 0.3f),
                         fabsf(t) > 0.6f ? VizColor{255, 255, 255, 255} : th.fg, VIZ_ANCHOR_CENTER | VIZ_ANCHOR_MIDDLE,
                         VIZ_ROLE_VALUE, l, h);
            }
        }
    }
    return {area.x, area.y, fmaxf(area.w, left + H * pitch), gy + L * pitch - area.y};
}

// ---- probability bars ------------------------------------------------------------------------------

VizRect viz_probs_build(VizScene& s, const int* ids, const float* probs, int k, const std::vector<std::string>& vocab,
                        int hover_rank, VizRect area, const VizTheme& th, const float* before) {
    const float fs = th.font_size, row_h = fs * 1.7f, pad = 6;
    float label_w = 0;
    for (int i = 0; i < k; i++) {
        std::string& l = token_label(s, vocab, ids[i]);
        label_w = fmaxf(label_w, text_w(th, l.data(), (int)l.size(), fs));
    }
    label_w = fminf(label_w, area.w * 0.35f);
    const float pct_w = text_w(th, before ? "100.0% (was 100.0%)" : "100.0%", before ? 19 : 6, fs) + pad;
    const float bx = area.x + label_w + pad;
    const float bar_max = fmaxf(area.w - label_w - pad - pct_w, 10.0f);
    const VizColor bar_col = viz_colormap(th, 0.75f);
    for (int i = 0; i < k; i++) {
        const float y = area.y + i * row_h;
        const VizRect row = {area.x, y, area.w, row_h};
        if (s.clip.w > 0 && !viz_rect_overlaps(row, s.clip)) continue;
        if (i == hover_rank) viz_rect_fill(s, row, viz_color_alpha(th.highlight, 0.18f), 3, VIZ_ROLE_HIGHLIGHT, i, ids[i]);
        std::string& l = token_label(s, vocab, ids[i]);
        if (label_fit(l, fs, label_w, th))
            viz_text(s, bx - pad, y + row_h * 0.5f, l.data(), (int)l.size(), fs, th.fg,
                     VIZ_ANCHOR_RIGHT | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_LABEL, i, ids[i]);
        float p = clampf(probs[i], 0, 1);
        // Bars keep a 1-unit minimum so a 0.1% token is still visibly present.
        viz_rect_fill(s, {bx, y + row_h * 0.15f, fmaxf(bar_max * p, 1.0f), row_h * 0.7f}, bar_col, 2, VIZ_ROLE_BAR, i,
                      ids[i]);
        if (before) {  // the probability before teaching: a tick on the bar's scale, and the number
            const float xb = bx + bar_max * clampf(before[i], 0, 1);
            viz_line(s, xb, y + row_h * 0.05f, xb, y + row_h * 0.95f, th.fg, 2, VIZ_ROLE_HIGHLIGHT, i, ids[i]);
            viz_textf(s, bx + bar_max * fmaxf(p, clampf(before[i], 0, 1)) + pad, y + row_h * 0.5f, fs, th.fg_muted,
                      VIZ_ANCHOR_LEFT | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_VALUE, i, ids[i], "%.1f%% (was %.1f%%)", 100.0f * probs[i],
                      100.0f * before[i]);
        } else {
            viz_textf(s, bx + bar_max * p + pad, y + row_h * 0.5f, fs, th.fg_muted, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_MIDDLE,
                      VIZ_ROLE_VALUE, i, ids[i], "%.1f%%", 100.0f * probs[i]);
        }
        viz_hit_add(s, row, {VIZ_HIT_BAR, -1, -1, i, ids[i]});
    }
    return {area.x, area.y, area.w, k * row_h};
}

// ---- token chips -----------------------------------------------------------------------------------

VizRect viz_chips_build(VizScene& s, const std::vector<std::string>& tokens, const int* ids, int T,
                        const VizChipsOpts& o, VizRect area, const VizTheme& th) {
    const float fs = th.font_size, ss = th.small_size, gap = 4, padx = 5;
    const bool with_ids = o.show_ids && ids;
    const float chip_h = fs * 1.5f + (with_ids ? ss * 1.3f : 0);
    float x = area.x, y = area.y;
    for (int i = 0; i < T; i++) {
        std::string& l = token_label(s, tokens, i);
        float w = text_w(th, l.data(), (int)l.size(), fs) + 2 * padx;
        if (with_ids) {
            char b[16];
            int n = snprintf(b, sizeof(b), "%d", ids[i]);
            w = fmaxf(w, text_w(th, b, n, ss) + 2 * padx);
        }
        w = fminf(w, area.w);
        if (x > area.x && x + w > area.x + area.w) {  // wrap
            x = area.x;
            y += chip_h + gap;
        }
        const VizRect r = {x, y, w, chip_h};
        x += w + gap;
        viz_hit_add(s, r, {VIZ_HIT_CHIP, -1, -1, i, -1});
        if (s.clip.w > 0 && !viz_rect_overlaps(r, s.clip)) continue;
        viz_rect_fill(s, r, viz_chip_color(th, i), 4, VIZ_ROLE_CHIP, i, ids ? ids[i] : -1);
        if (label_fit(l, fs, w - 2 * padx, th))
            viz_text(s, r.x + w * 0.5f, r.y + 3, l.data(), (int)l.size(), fs, th.fg, VIZ_ANCHOR_CENTER | VIZ_ANCHOR_TOP,
                     VIZ_ROLE_LABEL, i, -1);
        if (with_ids)
            viz_textf(s, r.x + w * 0.5f, r.y + chip_h - 2, ss, th.fg_muted, VIZ_ANCHOR_CENTER | VIZ_ANCHOR_BOTTOM,
                      VIZ_ROLE_VALUE, i, ids[i], "%d", ids[i]);
        if (i == o.hover) viz_rect_stroke(s, r, th.highlight, 2, 4, VIZ_ROLE_HIGHLIGHT, i, -1);
        if (i == o.selected) viz_rect_stroke(s, r, th.select, 2, 4, VIZ_ROLE_SELECTION, i, -1);
    }
    return {area.x, area.y, area.w, T > 0 ? y + chip_h - area.y : 0};
}

// ---- row table -------------------------------------------------------------------------------------

VizRect viz_row_table_build(VizScene& s, const Capture& cap, const std::vector<std::string>& tokens, int layer,
                            int head, int query, VizRect area, const VizTheme& th) {
    if (!capture_has_weights(cap) || layer < 0 || layer >= cap.L || head < 0 || head >= cap.H || query < 0 ||
        query >= cap.T) {
        draw_message(s, area, th, "Hover a row to see its weights.");
        return {area.x, area.y, area.w, th.font_size * 1.6f};
    }
    const int T = cap.T;
    const float* w = capture_weights_row(cap, layer, head, query);
    const float fs = th.font_size, row_h = fs * 1.6f, pad = 6;
    float y = area.y;
    std::string& q = token_label(s, tokens, query);
    q.insert(0, "Query \"");
    q.append("\" attends to:");
    if (label_fit(q, fs, area.w, th))
        viz_text(s, area.x, y, q.data(), (int)q.size(), fs, th.fg, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_TOP, VIZ_ROLE_TITLE,
                 query, -1);
    y += row_h;
    const float label_w = fminf(max_label_width(s, tokens, query + 1, fs, th), area.w * 0.4f);
    const float num_w = text_w(th, "0.000", 5, fs);
    const float bx = area.x + label_w + pad, bar_max = fmaxf(area.w - label_w - num_w - 3 * pad, 10.0f);
    float sum = 0;
    // Keys 0..query only: the rest are causally masked (weight exactly 0) and said so below.
    for (int k = 0; k <= query; k++) {
        sum += w[k];
        const VizRect row = {area.x, y, area.w, row_h};
        y += row_h;
        if (s.clip.w > 0 && !viz_rect_overlaps(row, s.clip)) continue;
        std::string& l = token_label(s, tokens, k);
        if (label_fit(l, fs, label_w, th))
            viz_text(s, bx - pad, row.y + row_h * 0.5f, l.data(), (int)l.size(), fs, th.fg,
                     VIZ_ANCHOR_RIGHT | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_LABEL, query, k);
        viz_rect_fill(s, {bx, row.y + row_h * 0.2f, fmaxf(bar_max * clampf(w[k], 0, 1), 1.0f), row_h * 0.6f},
                      viz_colormap(th, w[k]), 2, VIZ_ROLE_CELL, query, k);
        viz_textf(s, area.x + area.w, row.y + row_h * 0.5f, fs, th.fg, VIZ_ANCHOR_RIGHT | VIZ_ANCHOR_MIDDLE,
                  VIZ_ROLE_VALUE, query, k, "%.3f", w[k]);
        viz_hit_add(s, row, {VIZ_HIT_CELL, layer, head, query, k});
    }
    viz_line(s, area.x, y + 1, area.x + area.w, y + 1, th.grid, 1);
    viz_textf(s, area.x + area.w, y + 3, fs, th.fg, VIZ_ANCHOR_RIGHT | VIZ_ANCHOR_TOP, VIZ_ROLE_VALUE, query, -1,
              "sum %.3f", sum);
    if (query + 1 < T)
        viz_textf(s, area.x, y + 3, th.small_size, th.fg_muted, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_TOP, VIZ_ROLE_NONE, -1, -1,
                  "%d later token%s masked (weight 0)", T - query - 1, T - query - 1 == 1 ? "" : "s");
    y += row_h + 3;
    return {area.x, area.y, area.w, y - area.y};
}

// ---- math view -------------------------------------------------------------------------------------

VizRect viz_math_build(VizScene& s, const AttentionSteps& st, const std::vector<std::string>& tokens, int show_d,
                       int hover, VizRect area, const VizTheme& th) {
    const int T = st.T, D = st.D;
    if (T <= 0 || (int)st.weight.size() < T) {
        draw_message(s, area, th, "Select a token.");
        return {area.x, area.y, area.w, th.font_size * 1.6f};
    }
    show_d = clampi(show_d, 0, D);
    const float fs = th.font_size, row_h = fs * 1.6f, pad = 12;
    // Columns: key | Q·K | ÷√d | mask | softmax (bar + number) | weight × V
    float key_w = 0;
    for (int k = 0; k < T; k++) {
        std::string& l = token_label(s, tokens, k);
        char b[16];
        int n = snprintf(b, sizeof b, "%d ", k);
        key_w = fmaxf(key_w, text_w(th, b, n, fs) + text_w(th, l.data(), (int)l.size(), fs));
    }
    key_w = fminf(key_w + pad, fmaxf(area.w * 0.25f, 60.0f));
    const float num_w = text_w(th, "-000.000", 8, fs) + pad;
    const float mask_w = text_w(th, "mask", 4, fs) + pad;
    const float bar_w = 60, soft_w = text_w(th, "0.0000", 6, fs) + bar_w + pad + 6;
    const float dim_w = text_w(th, "+0.000", 6, fs) + 6;
    const float x_dot = area.x + key_w, x_scaled = x_dot + num_w, x_mask = x_scaled + num_w;
    const float x_soft = x_mask + mask_w, x_wv = x_soft + soft_w;
    const float total_w = x_wv + show_d * dim_w - area.x;
    float y = area.y;
    const uint8_t left = VIZ_ANCHOR_LEFT | VIZ_ANCHOR_MIDDLE, right = VIZ_ANCHOR_RIGHT | VIZ_ANCHOR_MIDDLE;
    // Header.
    const float hy = y + row_h * 0.5f;
    viz_text(s, area.x, hy, "key", -1, fs, th.fg_muted, left, VIZ_ROLE_LABEL);
    viz_text(s, x_dot + num_w - pad, hy, "Q\xC2\xB7K", -1, fs, th.fg_muted, right, VIZ_ROLE_LABEL);
    viz_textf(s, x_scaled + num_w - pad, hy, fs, th.fg_muted, right, VIZ_ROLE_LABEL, -1, -1, "\xC3\xB7\xE2\x88\x9A%d", D);
    viz_text(s, x_mask, hy, "mask", -1, fs, th.fg_muted, left, VIZ_ROLE_LABEL);
    viz_text(s, x_soft, hy, "softmax", -1, fs, th.fg_muted, left, VIZ_ROLE_LABEL);
    if (show_d > 0)
        viz_textf(s, x_wv, hy, fs, th.fg_muted, left, VIZ_ROLE_LABEL, -1, -1, "weight \xC3\x97 V (first %d of %d dims)",
                  show_d, D);
    y += row_h;
    viz_line(s, area.x, y - 1, area.x + total_w, y - 1, th.grid, 1);
    double sum = 0;
    for (int k = 0; k < T; k++) {
        const VizRect row = {area.x, y, total_w, row_h};
        const float cy = y + row_h * 0.5f;
        y += row_h;
        sum += st.weight[k];
        if (s.clip.w > 0 && !viz_rect_overlaps(row, s.clip)) continue;
        const bool masked = k > st.q;
        if (k == st.q || k == hover)
            viz_rect_fill(s, row, viz_color_alpha(k == hover ? th.highlight : th.select, 0.15f), 2, VIZ_ROLE_ROW, k, -1);
        std::string& l = token_label(s, tokens, k);
        char b[16];
        snprintf(b, sizeof b, "%d ", k);
        l.insert(0, b);
        if (label_fit(l, fs, key_w - pad, th))
            viz_text(s, area.x, cy, l.data(), (int)l.size(), fs, th.fg, left, VIZ_ROLE_LABEL, k, -1);
        viz_textf(s, x_dot + num_w - pad, cy, fs, masked ? th.fg_muted : th.fg, right, VIZ_ROLE_VALUE, st.q, k, "%.3f",
                  st.dot[k]);
        viz_textf(s, x_scaled + num_w - pad, cy, fs, masked ? th.fg_muted : th.fg, right, VIZ_ROLE_VALUE, st.q, k,
                  "%.3f", st.scaled[k]);
        if (masked) {
            viz_rect_fill(s, {x_mask - 3, y - row_h + 2, mask_w - pad + 6, row_h - 4}, th.masked, 2, VIZ_ROLE_MASKED,
                          st.q, k);
            viz_text(s, x_mask, cy, "\xE2\x88\x92\xE2\x88\x9E", -1, fs, th.fg, left, VIZ_ROLE_VALUE, st.q, k);  // −∞
        }
        const float w = st.weight[k];
        viz_rect_fill(s, {x_soft, y - row_h * 0.8f, fmaxf(bar_w * clampf(w, 0, 1), 1.0f), row_h * 0.6f},
                      viz_colormap(th, w), 2, VIZ_ROLE_CELL, st.q, k);
        viz_textf(s, x_soft + bar_w + 6, cy, fs, th.fg, left, VIZ_ROLE_VALUE, st.q, k, "%.4f", w);
        if (!masked)
            for (int d = 0; d < show_d; d++)
                viz_textf(s, x_wv + (d + 1) * dim_w - 6, cy, fs, th.fg, right, VIZ_ROLE_COMPONENT, k, d, "%+.3f",
                          st.weighted_v[(size_t)k * D + d]);
        viz_hit_add(s, row, {VIZ_HIT_TOKEN, st.layer, st.head, k, -1});
    }
    viz_line(s, area.x, y + 1, area.x + total_w, y + 1, th.grid, 1);
    viz_text(s, area.x, y + row_h * 0.5f + 2, "sum", -1, fs, th.fg, left, VIZ_ROLE_LABEL);
    viz_textf(s, x_soft + bar_w + 6, y + row_h * 0.5f + 2, fs, th.fg, left, VIZ_ROLE_VALUE, st.q, -1, "%.4f", sum);
    y += row_h + 4;
    // The head's output: the sum of the weighted value vectors (the captured head_out row).
    std::string& o = s.scratch;
    o.clear();
    char b[32];
    snprintf(b, sizeof b, "output (%d dims): ", D);
    o += b;
    for (int d = 0; d < D && d < 12 && d < (int)st.out.size(); d++) snprintf(b, sizeof b, "%+.3f ", st.out[d]), o += b;
    if (D > 12) o += "\xE2\x80\xA6";
    viz_text(s, area.x, y, o.data(), (int)o.size(), fs, th.fg, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_TOP, VIZ_ROLE_VALUE, st.q, -1);
    y += row_h;
    return {area.x, area.y, fmaxf(area.w, total_w), y - area.y};
}

// ---- vectors and the embed view --------------------------------------------------------------------

void viz_vector_strip(VizScene& s, const float* v, int n, VizRect r, int strip, const VizTheme& th) {
    if (!v || n <= 0) return;
    if (s.clip.w > 0 && !viz_rect_overlaps(r, s.clip)) return;
    float maxabs = 1e-6f;
    for (int i = 0; i < n; i++) maxabs = fmaxf(maxabs, fabsf(v[i]));
    const VizColor pos = {217, 64, 51, 255}, neg = {51, 115, 230, 255};
    const float cw = r.w / n;
    for (int i = 0; i < n; i++) {
        const float t = v[i] / maxabs;
        viz_rect_fill(s, {r.x + i * cw, r.y, cw, r.h}, viz_color_alpha(t >= 0 ? pos : neg, fabsf(t)), 0,
                      VIZ_ROLE_COMPONENT, strip, i);
    }
    viz_rect_stroke(s, r, th.grid, 1);
}

VizRect viz_embed_build(VizScene& s, const VizEmbedData& d, VizRect area, const VizTheme& th) {
    const float fs = th.font_size, line_h = fs * 1.6f;
    float y = area.y;
    const uint8_t top_left = VIZ_ANCHOR_LEFT | VIZ_ANCHOR_TOP;
    if (!d.embedding || d.C <= 0) {
        draw_message(s, area, th, "Select a token.");
        return {area.x, area.y, area.w, line_h};
    }
    viz_vector_strip(s, d.embedding, d.C, {area.x, y, area.w, 28}, 0, th);
    y += 28 + fs * 0.8f;
    if (d.embedding_before) {  // taught: the same row before teaching, the same width
        double d2 = 0, n2 = 0;
        for (int i = 0; i < d.C; i++)
            d2 += (double)(d.embedding[i] - d.embedding_before[i]) * (d.embedding[i] - d.embedding_before[i]),
                n2 += (double)d.embedding_before[i] * d.embedding_before[i];
        char line[160];  // two short lines: narrow views (the Teach panel beside it, phones) must not scroll sideways
        snprintf(line, sizeof line, "before teaching: the same %d numbers (the width never changes);", d.C);
        s.scratch = line;
        if (label_fit(s.scratch, fs, area.w, th)) viz_text(s, area.x, y, s.scratch.data(), (int)s.scratch.size(), fs, th.fg, top_left, VIZ_ROLE_LABEL);
        y += line_h;
        snprintf(line, sizeof line, "the values moved by %.4f (L2, %.1f%% of the row's length)", std::sqrt(d2),
                 n2 > 0 ? 100.0 * std::sqrt(d2 / n2) : 0.0);
        s.scratch = line;
        if (label_fit(s.scratch, fs, area.w, th)) viz_text(s, area.x, y, s.scratch.data(), (int)s.scratch.size(), fs, th.fg, top_left, VIZ_ROLE_LABEL);
        y += line_h;
        viz_vector_strip(s, d.embedding_before, d.C, {area.x, y, area.w, 28}, 1000, th);
        y += 28 + fs * 0.8f;
    }
    // Nearest tokens: a wrapping row of "label" 0.93 items.
    // Nearest tokens: a wrapping row of "label" 0.93 items (and, when taught, the same list before).
    auto nearest = [&](const char* title, const int* ids, const float* sims, int n, int tag) {
        viz_text(s, area.x, y, title, -1, fs, th.fg, top_left, VIZ_ROLE_TITLE);
        y += line_h;
        float x = area.x;
        for (int i = 0; i < n; i++) {
            static const std::vector<std::string> none;
            std::string& l = token_label(s, d.vocab ? *d.vocab : none, ids[i]);
            l.insert(0, "\xE2\x80\x9C");
            l.append("\xE2\x80\x9D");
            char b[16];
            int nb = snprintf(b, sizeof b, " %.2f", sims[i]);
            l.append(b, nb);
            const float w = text_w(th, l.data(), (int)l.size(), fs) + 16;
            if (x > area.x && x + w > area.x + area.w) x = area.x, y += line_h;
            viz_text(s, x, y, l.data(), (int)l.size(), fs, th.fg, top_left, VIZ_ROLE_VALUE, i + tag, ids[i]);
            x += w;
        }
        y += line_h * 1.5f;
    };
    nearest("Nearest tokens by cosine similarity of their embeddings (derived):", d.nearest_ids, d.nearest_sims, d.n_nearest, 0);
    if (d.nearest_before_ids)
        nearest("Nearest tokens before teaching (derived):", d.nearest_before_ids, d.nearest_before_sims, d.n_nearest_before, 1000);
    // The same token in context: its stream at the input and after each layer.
    const Capture* c = d.cap;
    const float* in = c ? capture_stream(*c, -1, d.token) : nullptr;
    if (!in) return {area.x, area.y, area.w, y - area.y};
    viz_text(s, area.x, y, "embedding + position", -1, fs, th.fg, top_left, VIZ_ROLE_LABEL, d.token, -1);
    y += line_h;
    viz_vector_strip(s, in, c->C, {area.x, y, area.w, 16}, 1, th);
    y += 16 + fs * 0.6f;
    for (int l = 0; l < c->L; l++) {
        const float* r = capture_stream(*c, l, d.token);
        if (!r) break;
        if (d.drift)
            viz_textf(s, area.x, y, fs, th.fg, top_left, VIZ_ROLE_LABEL, d.token, l,
                      "after layer %d  (cosine to the input %.2f, derived)", l, d.drift[l]);
        else
            viz_textf(s, area.x, y, fs, th.fg, top_left, VIZ_ROLE_LABEL, d.token, l, "after layer %d", l);
        y += line_h;
        viz_vector_strip(s, r, c->C, {area.x, y, area.w, 16}, 2 + l, th);
        y += 16 + fs * 0.6f;
    }
    return {area.x, area.y, area.w, y - area.y};
}

// ---- context view ----------------------------------------------------------------------------------

VizRect viz_context_build(VizScene& s, const TurnAttention& ta, const std::vector<std::string>& tokens, int T,
                          int n_positions, int layer, int head, VizRect area, const VizTheme& th) {
    const float fs = th.font_size, line_h = fs * 1.7f, pad = 10;
    const uint8_t top_left = VIZ_ANCHOR_LEFT | VIZ_ANCHOR_TOP, mid_left = VIZ_ANCHOR_LEFT | VIZ_ANCHOR_MIDDLE;
    float y = area.y;
    // The window: T of n_positions tokens used.
    const float win_w = fminf(area.w, 600.0f);
    const float fill = n_positions > 0 ? clampf((float)T / n_positions, 0, 1) : 0;
    viz_rect_fill(s, {area.x, y, win_w, line_h}, th.panel, 3);
    viz_rect_fill(s, {area.x, y, fmaxf(win_w * fill, 1.0f), line_h}, viz_colormap(th, 0.75f), 3, VIZ_ROLE_BAR, 0, T);
    viz_textf(s, area.x + win_w * 0.5f, y + line_h * 0.5f, fs, th.fg, VIZ_ANCHOR_CENTER | VIZ_ANCHOR_MIDDLE,
              VIZ_ROLE_VALUE, -1, -1, "%d / %d tokens", T, n_positions);
    y += line_h + fs;
    if (ta.n_turns <= 0) return {area.x, area.y, area.w, y - area.y};
    viz_textf(s, area.x, y, fs, th.fg, top_left, VIZ_ROLE_TITLE, -1, -1,
              "Attention from the last turn's %d tokens into each turn (layer %d; average per query token; derived sums):",
              ta.n_queries, layer);
    y += line_h;
    // Table: turn | this head | mean of heads.
    const float turn_w = text_w(th, "00 (last)", 9, fs) + pad, bar_w = 160, num_w = text_w(th, "0.000", 5, fs) + pad;
    const float x_head = area.x + turn_w, x_mean = x_head + bar_w + num_w + pad;
    viz_text(s, area.x, y + line_h * 0.5f, "turn", -1, fs, th.fg_muted, mid_left, VIZ_ROLE_LABEL);
    viz_textf(s, x_head, y + line_h * 0.5f, fs, th.fg_muted, mid_left, VIZ_ROLE_LABEL, -1, -1, "this head (%d)", head);
    viz_text(s, x_mean, y + line_h * 0.5f, "mean of heads", -1, fs, th.fg_muted, mid_left, VIZ_ROLE_LABEL);
    y += line_h;
    for (int t = 0; t < ta.n_turns; t++) {
        const float cy = y + line_h * 0.5f;
        viz_textf(s, area.x, cy, fs, th.fg, mid_left, VIZ_ROLE_LABEL, t, -1, "%d%s", t + 1,
                  t == ta.n_turns - 1 ? " (last)" : "");
        const float v[2] = {ta.into_head[t], ta.into_mean[t]};
        const float xs[2] = {x_head, x_mean};
        for (int i = 0; i < 2; i++) {
            viz_rect_fill(s, {xs[i], y + line_h * 0.2f, bar_w, line_h * 0.6f}, th.panel, 2);
            viz_rect_fill(s, {xs[i], y + line_h * 0.2f, fmaxf(bar_w * clampf(v[i], 0, 1), 1.0f), line_h * 0.6f},
                          viz_colormap(th, v[i]), 2, VIZ_ROLE_BAR, t, i);
            viz_textf(s, xs[i] + bar_w + 6, cy, fs, th.fg, mid_left, VIZ_ROLE_VALUE, t, i, "%.3f", v[i]);
        }
        y += line_h;
    }
    y += fs * 0.6f;
    viz_text(s, area.x, y, "Repeated tokens in the last turn and the attention they pay to their earlier occurrences:", -1,
             fs, th.fg, top_left, VIZ_ROLE_TITLE);
    y += line_h;
    if (ta.repeats.empty()) {
        viz_text(s, area.x, y, "(none: repeat a word from an earlier turn)", -1, fs, th.fg_muted, top_left);
        y += line_h;
    }
    for (const TurnAttention::Repeat& r : ta.repeats) {
        std::string& l = token_label(s, tokens, r.token);
        char b[160];
        snprintf(b, sizeof b, "\xE2\x80\x9D (token %d) seen %d time%s before: %.2f of its attention (layer %d head %d)",
                 r.token, r.seen, r.seen == 1 ? "" : "s", r.back, layer, head);
        l.insert(0, "\xE2\x80\xA2 \xE2\x80\x9C");
        l.append(b);
        const VizRect row = {area.x, y, area.w, line_h};
        if (label_fit(l, fs, area.w, th))
            viz_text(s, area.x, y + line_h * 0.5f, l.data(), (int)l.size(), fs, th.fg, mid_left, VIZ_ROLE_ROW, r.token, -1);
        viz_hit_add(s, row, {VIZ_HIT_TOKEN, layer, head, r.token, -1});
        y += line_h;
    }
    return {area.x, area.y, area.w, y - area.y};
}

// ---- memory view ------------------------------------------------------------------------------------

// A polyline through n values in r (x at column centres of width col_w, y scaled to [0, vmax]).
static void memory_line(VizScene& s, const float* v, int n, float col_w, VizRect r, float vmax, VizColor c) {
    for (int t = 1; t < n; t++) {
        const float x0 = r.x + (t - 0.5f) * col_w, x1 = r.x + (t + 0.5f) * col_w;
        if (s.clip.w > 0 && (x1 < s.clip.x || x0 > s.clip.x + s.clip.w)) continue;
        viz_line(s, x0, r.y + r.h * (1 - clampf(v[t - 1] / vmax, 0, 1)), x1, r.y + r.h * (1 - clampf(v[t] / vmax, 0, 1)), c,
                 1.5f, VIZ_ROLE_LINK, t, -1);
    }
}

VizRect viz_memory_build(VizScene& s, const VizMemoryData& d, VizRect area, const VizTheme& th) {
    const float fs = th.font_size, small = th.small_size, line_h = fs * 1.6f, pad = 8;
    const uint8_t top_left = VIZ_ANCHOR_LEFT | VIZ_ANCHOR_TOP;
    const int T = d.T, P = d.position;
    if (T <= 0 || !d.tokens) return {area.x, area.y, area.w, 0};
    const float col_w = fmaxf(area.w / T, 16.0f), width = col_w * T;
    const VizColor model_col[2] = {viz_head_color(th, 0, 3), viz_head_color(th, 1, 3)};
    auto visible = [&](int t) {
        const float x = area.x + t * col_w;
        return s.clip.w <= 0 || (x + col_w >= s.clip.x && x <= s.clip.x + s.clip.w);
    };
    float y = area.y;
    // tokens
    const float tok_y = y;
    for (int t = 0; t < T; t++) {
        if (!visible(t)) continue;
        const VizRect cell = {area.x + t * col_w + 1, y, col_w - 2, line_h};
        viz_rect_fill(s, cell, t == P ? th.select : viz_chip_color(th, t), 3, VIZ_ROLE_CHIP, t, -1);
        std::string& l = token_label(s, *d.tokens, t);
        if (label_fit(l, small, col_w - 4, th))
            viz_text(s, cell.x + cell.w * 0.5f, y + line_h * 0.5f, l.data(), (int)l.size(), small,
                     t == P ? viz_color_text_on(th.select) : th.fg, VIZ_ANCHOR_CENTER | VIZ_ANCHOR_MIDDLE, VIZ_ROLE_LABEL, t, -1);
    }
    y += line_h + pad;
    // influence bars: one scale for both models, set by the earlier tokens (the current token itself
    // usually matters far more; its bar is cut at the top and says so)
    float vmax = 1e-6f;
    for (int m = 0; m < 2; m++)
        for (int j = 0; d.influence[m] && j < P; j++) vmax = fmaxf(vmax, d.influence[m][j]);
    if (P == 0)
        for (int m = 0; m < 2; m++) vmax = fmaxf(vmax, d.influence[m] ? d.influence[m][0] : 0.0f);
    const float bar_h = 56;
    auto strip = [&](const float* v, float scale, int tag, VizColor c, const char* title) {
        viz_text(s, area.x, y, title, -1, fs, th.fg, top_left, VIZ_ROLE_TITLE);
        y += line_h;
        viz_rect_fill(s, {area.x, y, width, bar_h}, th.panel, 0);
        for (int t = 0; t < T; t++) {
            if (!visible(t)) continue;
            const float x = area.x + t * col_w;
            if (t > P) {  // after the prediction: cannot influence it
                viz_rect_fill(s, {x + 1, y, col_w - 2, bar_h}, th.masked, 0, VIZ_ROLE_MASKED, t, tag);
                continue;
            }
            if (!v) continue;
            const float h = (bar_h - small - 2) * clampf(v[t] / scale, 0, 1);  // room for the number above
            const bool cut = v[t] > scale * 1.001f;
            viz_rect_fill(s, {x + 2, y + bar_h - fmaxf(h, 1.0f), col_w - 4, fmaxf(h, 1.0f)}, c, 0, VIZ_ROLE_BAR, t, tag);
            const float top = y + bar_h - h;
            if (cut)  // off the scale: a notch in the bar's top, the number inside it
                viz_triangle(s, x + col_w * 0.5f - 4, top, x + col_w * 0.5f + 4, top, x + col_w * 0.5f, top + 5, th.panel);
            if (col_w >= 34 || t == d.hover || cut)
                viz_textf(s, x + col_w * 0.5f, cut ? top + 6 : top - 2, small, cut ? viz_color_text_on(c) : th.fg,
                          VIZ_ANCHOR_CENTER | (cut ? VIZ_ANCHOR_TOP : VIZ_ANCHOR_BOTTOM), VIZ_ROLE_VALUE, t, tag,
                          v[t] >= 0.01f ? "%.2f" : "%.3f", v[t]);
        }
        if (!v) viz_text(s, area.x + pad, y + bar_h * 0.5f, "computing…", -1, fs, th.fg_muted, VIZ_ANCHOR_LEFT | VIZ_ANCHOR_MIDDLE);
        y += bar_h + pad;
    };
    char title[256];
    for (int m = 0; m < 2; m++) {
        snprintf(title, sizeof title, "%s %s: influence on the next token after token %d (KL, nats; bar top = %.3f%s)",
                 m == 0 ? "Transformer" : "LSTM", d.names[m], P, vmax, P > 0 ? ", set by the earlier tokens" : "");
        strip(d.influence[m], vmax, m, model_col[m], title);
    }
    float rmax = 1e-6f;
    for (int j = 0; d.rollout && j <= P; j++) rmax = fmaxf(rmax, d.rollout[j]);
    snprintf(title, sizeof title, "Transformer: attention rollout of that position (derived: attention alone; bar top = %.3f)", rmax);
    strip(d.rollout, rmax, 2, viz_color_alpha(model_col[0], 0.55f), title);
    // the LSTM's state along the text: a line per layer, in the LSTM's colour, deeper layers more opaque
    const float line_box = 48;
    auto layer_col = [&](int l) { return viz_color_alpha(model_col[1], 0.35f + 0.65f * (l + 1) / d.lstm_layers); };
    auto curves = [&](const float* v, float top, const char* what) {
        viz_textf(s, area.x, y, fs, th.fg, top_left, VIZ_ROLE_TITLE, -1, -1, "LSTM %s: %s, per layer (top = %.2f)", d.names[1],
                  what, top);
        y += line_h;
        viz_rect_fill(s, {area.x, y, width, line_box}, th.panel, 0);
        for (int l = 0; v && l < d.lstm_layers; l++)
            memory_line(s, v + (size_t)l * T, T, col_w, {area.x, y, width, line_box}, top, layer_col(l));
        y += line_box + pad;
    };
    float cmax = 1e-6f;
    for (int i = 0; d.cell_norm && i < d.lstm_layers * T; i++) cmax = fmaxf(cmax, d.cell_norm[i]);
    curves(d.cell_norm, cmax, "cell-state norm \xE2\x80\x96" "c\xE2\x80\x96 after each token");
    curves(d.forget, 1.0f, "mean forget gate (1 keeps the cell, 0 erases it)");
    for (int l = 0; l < d.lstm_layers; l++) {
        const float x = area.x + l * 90;
        viz_line(s, x, y + fs * 0.5f, x + 18, y + fs * 0.5f, layer_col(l), 2);
        viz_textf(s, x + 22, y, small, th.fg_muted, top_left, VIZ_ROLE_LABEL, -1, -1, "layer %d", l + 1);
    }
    y += line_h;
    // columns: hover / click a token
    for (int t = 0; t < T; t++)
        if (visible(t)) viz_hit_add(s, {area.x + t * col_w, tok_y, col_w, y - tok_y}, {VIZ_HIT_TOKEN, -1, -1, t, -1});
    if (d.hover >= 0 && d.hover < T)
        viz_rect_stroke(s, {area.x + d.hover * col_w, tok_y, col_w, y - tok_y}, th.highlight, 1.5f, 2, VIZ_ROLE_HIGHLIGHT, d.hover, -1);
    y += pad;
    // influence against distance
    const float chart_w = fminf(fmaxf(area.w, 320.0f), 640.0f), chart_h = 160, axis_w = 54;
    viz_text(s, area.x, y, "Influence against distance (tokens back), averaged over every position of the text", -1, fs,
             th.fg, top_left, VIZ_ROLE_TITLE);
    y += line_h;
    const VizRect plot = {area.x + axis_w, y, chart_w - axis_w, chart_h};
    viz_rect_fill(s, plot, th.panel, 0);
    float dmax = 1e-6f;
    for (int m = 0; m < 2; m++)
        for (int k = 1; d.by_distance[m] && k < T; k++) dmax = fmaxf(dmax, d.by_distance[m][k]);
    const float lmax = log2f((float)T);  // x = log2(distance), distances 1 .. T-1
    auto px = [&](int dist) { return plot.x + (lmax > 0 ? plot.w * log2f((float)dist) / lmax : 0); };
    for (int dist = 1; dist < T; dist *= 4) {
        viz_line(s, px(dist), plot.y, px(dist), plot.y + plot.h, th.grid, 1);
        viz_textf(s, px(dist), plot.y + plot.h + 2, small, th.fg_muted, VIZ_ANCHOR_CENTER | VIZ_ANCHOR_TOP, VIZ_ROLE_LABEL, -1,
                  -1, "%d", dist);
    }
    viz_textf(s, plot.x - 4, plot.y, small, th.fg_muted, VIZ_ANCHOR_RIGHT | VIZ_ANCHOR_TOP, VIZ_ROLE_LABEL, -1, -1, "%.3f", dmax);
    viz_text(s, plot.x - 4, plot.y + plot.h, "0", -1, small, th.fg_muted, VIZ_ANCHOR_RIGHT | VIZ_ANCHOR_BOTTOM, VIZ_ROLE_LABEL);
    for (int m = 0; m < 2; m++) {
        const float* v = d.by_distance[m];
        for (int k = 2; v && k < T; k++)
            viz_line(s, px(k - 1), plot.y + plot.h * (1 - clampf(v[k - 1] / dmax, 0, 1)), px(k),
                     plot.y + plot.h * (1 - clampf(v[k] / dmax, 0, 1)), model_col[m], 2, VIZ_ROLE_LINK, k, m);
        if (T == 2 && v) viz_circle(s, px(1), plot.y + plot.h * (1 - clampf(v[1] / dmax, 0, 1)), 3, model_col[m]);
        const float ly = plot.y + plot.h + line_h + m * line_h;
        viz_line(s, plot.x, ly + fs * 0.5f, plot.x + 18, ly + fs * 0.5f, model_col[m], 2);
        viz_textf(s, plot.x + 24, ly, small, th.fg, top_left, VIZ_ROLE_LABEL, -1, m, "%s %s%s", m == 0 ? "Transformer" : "LSTM",
                  d.names[m], v ? "" : " (computing…)");
    }
    if (T < 2) viz_text(s, plot.x + pad, plot.y + pad, "(needs two tokens or more)", -1, fs, th.fg_muted, top_left);
    y = plot.y + plot.h + 3 * line_h + pad;
    return {area.x, area.y, fmaxf(width, chart_w), y - area.y};
}
