// viz views: scene builders and the derived aggregates, on hand-built captures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "viz/views.h"
#include "viz_test_util.h"

static const std::vector<std::string> TOKS4 = {"I", " have", " a", " dog"};

// ---- matrix ----------------------------------------------------------------------------------------

TEST(VizMatrix, CellsAndMaskedCellsForCausalHead) {
    Capture c = viz_test_capture_causal(4, 1, 1);
    VizTheme th = viz_theme_light();
    VizScene s;
    VizMatrixOpts o;
    viz_matrix_build(s, c, TOKS4, o, {0, 0, 600, 600}, th);
    // 4×4: 10 visible (key <= query) and 6 masked (key > query), each exactly once.
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_CELL, VIZ_RECT_FILL), 10);
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_MASKED, VIZ_RECT_FILL), 6);
    for (int q = 0; q < 4; q++)
        for (int k = 0; k < 4; k++) {
            if (k > q) {
                EXPECT_TRUE(viz_test_find(s, VIZ_ROLE_MASKED, q, k)) << q << "," << k;
                EXPECT_TRUE(viz_test_find(s, VIZ_ROLE_HATCH, q, k, VIZ_LINE)) << q << "," << k;
                EXPECT_FALSE(viz_test_find(s, VIZ_ROLE_CELL, q, k));
            } else {
                EXPECT_TRUE(viz_test_find(s, VIZ_ROLE_CELL, q, k)) << q << "," << k;
            }
        }
    // Masked cells look different from every real cell, including weight-0 ones.
    uint32_t masked = viz_color_u32(viz_test_find(s, VIZ_ROLE_MASKED, 0, 3)->col);
    for (const VizPrim& p : s.prims)
        if (p.role == VIZ_ROLE_CELL) {
            EXPECT_NE(viz_color_u32(p.col), masked);
        }
    EXPECT_NE(viz_color_u32(viz_colormap(th, 0)), masked);
}

TEST(VizMatrix, CellColourFollowsWeight) {
    // One row with increasing weights: cell darkness (light theme) must increase with weight.
    Capture c = viz_test_capture(5, 1, 1);
    viz_test_set_row(c, 0, 0, 4, {0.0f, 0.05f, 0.15f, 0.3f, 0.5f});
    for (int q = 0; q < 4; q++) viz_test_w(c, 0, 0, q, 0) = 1;
    for (int dark = 0; dark < 2; dark++) {
        VizTheme th = dark ? viz_theme_dark() : viz_theme_light();
        VizScene s;
        viz_matrix_build(s, c, {}, VizMatrixOpts(), {0, 0, 500, 500}, th);
        float prev = dark ? -1.0f : 2.0f;
        for (int k = 0; k < 5; k++) {
            const VizPrim* p = viz_test_find(s, VIZ_ROLE_CELL, 4, k, VIZ_RECT_FILL);
            ASSERT_TRUE(p);
            float lum = viz_color_luminance(p->col);
            if (dark) EXPECT_GT(lum, prev) << k;
            else EXPECT_LT(lum, prev) << k;
            prev = lum;
        }
    }
}

TEST(VizMatrix, NumbersOnlyWhenCellsAreBigEnough) {
    Capture c = viz_test_capture_causal(4, 1, 1);
    VizTheme th = viz_theme_dark();
    VizScene big, small;
    viz_matrix_build(big, c, TOKS4, VizMatrixOpts(), {0, 0, 600, 600}, th);
    EXPECT_EQ(viz_test_count(big, VIZ_ROLE_VALUE, VIZ_TEXT), 10);
    const VizPrim* v = viz_test_find(big, VIZ_ROLE_VALUE, 3, 1);
    ASSERT_TRUE(v);
    char want[16];
    snprintf(want, sizeof(want), "%.2f", viz_test_w(c, 0, 0, 3, 1));
    EXPECT_STREQ(viz_prim_text(big, *v), want);
    viz_matrix_build(small, c, TOKS4, VizMatrixOpts(), {0, 0, 100, 100}, th);
    EXPECT_EQ(viz_test_count(small, VIZ_ROLE_VALUE), 0);
    EXPECT_EQ(viz_test_count(small, VIZ_ROLE_CELL), 10);
}

TEST(VizMatrix, AxisLabelsAndHoverHighlight) {
    Capture c = viz_test_capture_causal(4, 1, 1);
    VizScene s;
    VizMatrixOpts o;
    o.hover_row = 2;
    o.hover_col = 1;
    viz_matrix_build(s, c, TOKS4, o, {0, 0, 600, 600}, viz_theme_light());
    const VizPrim* row_lab = viz_test_find(s, VIZ_ROLE_LABEL, 3, -1);
    ASSERT_TRUE(row_lab);
    EXPECT_STREQ(viz_prim_text(s, *row_lab), "\xC2\xB7" "dog");  // leading space made visible
    EXPECT_TRUE(viz_test_find(s, VIZ_ROLE_LABEL, -1, 0));
    EXPECT_TRUE(viz_test_find(s, VIZ_ROLE_HIGHLIGHT, 2, -1, VIZ_RECT_STROKE));
    EXPECT_TRUE(viz_test_find(s, VIZ_ROLE_HIGHLIGHT, -1, 1, VIZ_RECT_STROKE));
    // The hovered row label is drawn in the highlight colour.
    const VizPrim* hot = viz_test_find(s, VIZ_ROLE_LABEL, 2, -1);
    ASSERT_TRUE(hot);
    EXPECT_EQ(viz_color_u32(hot->col), viz_color_u32(viz_theme_light().highlight));
}

TEST(VizMatrix, HitTestMapsPointsToCellsAndLabels) {
    Capture c = viz_test_capture_causal(4, 2, 3);
    VizScene s;
    VizMatrixOpts o;
    o.layer = 1;
    o.head = 2;
    viz_matrix_build(s, c, TOKS4, o, {0, 0, 600, 600}, viz_theme_light());
    // Aim at the centre of each drawn cell rect and expect its (row, col) back.
    int checked = 0;
    for (const VizPrim& p : s.prims) {
        if (p.kind != VIZ_RECT_FILL || (p.role != VIZ_ROLE_CELL && p.role != VIZ_ROLE_MASKED)) continue;
        VizHit h;
        ASSERT_TRUE(viz_hit_test(s, (p.x0 + p.x1) * 0.5f, (p.y0 + p.y1) * 0.5f, h));
        EXPECT_EQ(h.kind, VIZ_HIT_CELL);
        EXPECT_EQ(h.row, p.tag0);
        EXPECT_EQ(h.col, p.tag1);
        EXPECT_EQ(h.layer, 1);
        EXPECT_EQ(h.head, 2);
        checked++;
    }
    EXPECT_EQ(checked, 16);
    // Row label → query row.
    const VizPrim* lab = viz_test_find(s, VIZ_ROLE_LABEL, 2, -1);
    ASSERT_TRUE(lab);
    VizHit h;
    ASSERT_TRUE(viz_hit_test(s, lab->x0 - 2, lab->y0, h));
    EXPECT_EQ(h.kind, VIZ_HIT_ROW_LABEL);
    EXPECT_EQ(h.row, 2);
    EXPECT_EQ(h.col, -1);
    // Far outside → nothing.
    EXPECT_FALSE(viz_hit_test(s, 5000, 5000, h));
}

TEST(VizMatrix, ClipEmitsOnlyVisibleCells) {
    Capture c = viz_test_capture_causal(100, 1, 1);
    VizScene s;
    VizMatrixOpts o;
    o.min_cell = o.max_cell = 10;
    viz_matrix_build(s, c, {}, o, {0, 0, 300, 300}, viz_theme_dark());
    int all = viz_test_count(s, VIZ_ROLE_CELL) + viz_test_count(s, VIZ_ROLE_MASKED, VIZ_RECT_FILL);
    EXPECT_EQ(all, 100 * 100);
    viz_scene_clear(s);
    s.clip = {0, 0, 300, 300};  // viewport shows the top-left ~25×27 cells
    viz_matrix_build(s, c, {}, o, {0, 0, 300, 300}, viz_theme_dark());
    int vis = viz_test_count(s, VIZ_ROLE_CELL) + viz_test_count(s, VIZ_ROLE_MASKED, VIZ_RECT_FILL);
    EXPECT_GT(vis, 0);
    EXPECT_LT(vis, 40 * 40);
    // Hit testing still covers the whole matrix (the app scrolls into it).
    VizHit h;
    ASSERT_TRUE(viz_hit_test(s, s.hits[0].rect.x + 995, s.hits[0].rect.y + 5, h));
    EXPECT_EQ(h.col, 99);
    EXPECT_EQ(h.row, 0);
}

TEST(VizMatrix, TooLongForMinCellFitsAsOnePooledImage) {
    const int T = 1000;
    Capture c = viz_test_capture(T, 1, 1);
    for (int q = 0; q < T; q++) viz_test_w(c, 0, 0, q, q) = 1;  // a one-token-wide diagonal
    VizTheme th = viz_theme_dark();
    VizRaster r;
    VizMatrixOpts o;
    o.raster = &r;
    o.raster_key = 7;
    VizScene s;
    VizRect used = viz_matrix_build(s, c, {}, o, {0, 0, 400, 400}, th);
    EXPECT_LE(used.w, 400.5f);  // fits instead of overflowing at min_cell × T = 6000
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_CELL, VIZ_RECT_FILL), 0);
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_MASKED), 0);
    ASSERT_EQ(viz_test_count(s, VIZ_ROLE_CELL, VIZ_IMAGE), 1);
    ASSERT_GT(r.w, 1);
    ASSERT_LT(r.w, T);  // pooled to about one texel per unit
    const uint32_t full = viz_color_u32(viz_colormap(th, 1)), masked = viz_color_u32(th.masked);
    for (int i = 0; i < r.w; i++) {
        const uint8_t* d = r.rgba.data() + ((size_t)i * r.w + i) * 4;
        EXPECT_EQ(viz_color_u32(VizColor{d[0], d[1], d[2], d[3]}), full) << i;  // the diagonal survives pooling
        if (i + 1 < r.w) {
            const uint8_t* u = d + 4;
            EXPECT_EQ(viz_color_u32(VizColor{u[0], u[1], u[2], u[3]}), masked) << i;
        }
    }
    // Hover still resolves to exact tokens.
    const VizPrim* img = nullptr;
    for (const VizPrim& p : s.prims)
        if (p.kind == VIZ_IMAGE) img = &p;
    float cell = (img->x1 - img->x0) / T;
    VizHit h;
    ASSERT_TRUE(viz_hit_test(s, img->x0 + (123 + 0.5f) * cell, img->y0 + (250 + 0.5f) * cell, h));
    EXPECT_EQ(h.kind, VIZ_HIT_CELL);
    EXPECT_EQ(h.row, 250);
    EXPECT_EQ(h.col, 123);
    // Without a raster the old behaviour: cells at min_cell, overflowing the area.
    viz_scene_clear(s);
    o.raster = nullptr;
    used = viz_matrix_build(s, c, {}, o, {0, 0, 400, 400}, th);
    EXPECT_GT(used.w, 1000);
}

TEST(VizMatrix, BadLayerDrawsMessageNotCrash) {
    Capture c = viz_test_capture_causal(3, 1, 1);
    VizScene s;
    VizMatrixOpts o;
    o.layer = 5;
    viz_matrix_build(s, c, {}, o, {0, 0, 300, 300}, viz_theme_dark());
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_CELL), 0);
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_TITLE), 1);
    Capture empty;
    viz_scene_clear(s);
    viz_head_view_build(s, empty, {}, VizHeadViewOpts(), {0, 0, 300, 300}, viz_theme_dark());
    viz_model_view_build(s, empty, VizModelViewOpts(), {0, 0, 300, 300}, viz_theme_dark());
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_TITLE), 2);
}

// ---- head view -------------------------------------------------------------------------------------

TEST(VizHeadView, LineOpacityFollowsWeight) {
    Capture c = viz_test_capture(4, 1, 2);
    viz_test_set_row(c, 0, 0, 3, {0.1f, 0.2f, 0.3f, 0.4f});
    viz_test_set_row(c, 0, 1, 3, {0.7f, 0.0f, 0.0f, 0.3f});
    VizTheme th = viz_theme_dark();
    VizScene s;
    VizHeadViewOpts o;
    o.focus = 3;
    o.max_alpha = 1.0f;
    viz_head_view_build(s, c, TOKS4, o, {0, 0, 500, 400}, th);
    // 4 lines from head 0, 2 from head 1 (zero weights draw nothing).
    ASSERT_EQ(viz_test_count(s, VIZ_ROLE_LINK, VIZ_LINE), 6);
    for (const VizPrim& p : s.prims) {
        if (p.role != VIZ_ROLE_LINK) continue;
        EXPECT_EQ(p.tag0, 3);
        float w = viz_test_w(c, 0, p.aux, 3, p.tag1);
        EXPECT_NEAR(p.col.a, w * 255.0f, 0.51f) << "head " << (int)p.aux << " key " << p.tag1;
        VizColor hc = viz_head_color(th, p.aux, 2);
        EXPECT_EQ(p.col.r, hc.r);
        EXPECT_EQ(p.col.g, hc.g);
    }
    // Heavier weight → strictly more opaque.
    const VizPrim* l1 = viz_test_find(s, VIZ_ROLE_LINK, 3, 1);
    const VizPrim* l3 = viz_test_find(s, VIZ_ROLE_LINK, 3, 3);
    ASSERT_TRUE(l1 && l3);
    EXPECT_LT(l1->col.a, l3->col.a);
}

TEST(VizHeadView, DisabledHeadsDrawNoLinesAndLinesJoinTheRightTokens) {
    Capture c = viz_test_capture_causal(4, 1, 3);
    VizScene s;
    VizHeadViewOpts o;
    bool on[3] = {false, true, false};
    o.heads_on = on;
    o.locked = 2;
    viz_head_view_build(s, c, TOKS4, o, {0, 0, 500, 400}, viz_theme_light());
    ASSERT_EQ(viz_test_count(s, VIZ_ROLE_LINK), 3);  // query 2 sees keys 0..2
    for (const VizPrim& p : s.prims) {
        if (p.role != VIZ_ROLE_LINK) continue;
        EXPECT_EQ(p.aux, 1);
        // Left end at query 2's box, right end at key box tag1.
        const VizPrim* qb = viz_test_find(s, VIZ_ROLE_TOKEN, 2, 0);
        const VizPrim* kb = viz_test_find(s, VIZ_ROLE_TOKEN, p.tag1, 1);
        ASSERT_TRUE(qb && kb);
        EXPECT_GT(p.y0, qb->y0);
        EXPECT_LT(p.y0, qb->y1);
        EXPECT_GT(p.y1, kb->y0);
        EXPECT_LT(p.y1, kb->y1);
    }
    EXPECT_TRUE(viz_test_find(s, VIZ_ROLE_SELECTION, 2, 0, VIZ_RECT_STROKE));
}

TEST(VizHeadView, FocusOnKeyDrawsLinesFromEveryQuery) {
    Capture c = viz_test_capture_causal(5, 1, 1);
    VizScene s;
    VizHeadViewOpts o;
    o.focus = 1;
    o.focus_is_key = true;
    viz_head_view_build(s, c, {}, o, {0, 0, 500, 400}, viz_theme_light());
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_LINK), 4);  // queries 1..4 can see key 1
    for (const VizPrim& p : s.prims)
        if (p.role == VIZ_ROLE_LINK) {
            EXPECT_EQ(p.tag1, 1);
        }
}

TEST(VizHeadView, HitTestTokensAndHeadSwatches) {
    Capture c = viz_test_capture_causal(4, 1, 2);
    VizScene s;
    viz_head_view_build(s, c, TOKS4, VizHeadViewOpts(), {0, 0, 500, 400}, viz_theme_light());
    for (int side = 0; side < 2; side++)
        for (int i = 0; i < 4; i++) {
            const VizPrim* b = viz_test_find(s, VIZ_ROLE_TOKEN, i, side, VIZ_RECT_FILL);
            ASSERT_TRUE(b);
            VizHit h;
            ASSERT_TRUE(viz_hit_test(s, (b->x0 + b->x1) / 2, (b->y0 + b->y1) / 2, h));
            EXPECT_EQ(h.kind, side == 0 ? VIZ_HIT_QUERY : VIZ_HIT_KEY);
            EXPECT_EQ(side == 0 ? h.row : h.col, i);
        }
    VizHit h;
    ASSERT_TRUE(viz_hit_test(s, s.hits[1].rect.x + 1, s.hits[1].rect.y + 1, h));
    EXPECT_EQ(h.kind, VIZ_HIT_HEAD);
    EXPECT_EQ(h.head, 1);
}

// ---- model view ------------------------------------------------------------------------------------

TEST(VizModelView, ThumbnailsDownsampledAndSelectionOutlined) {
    const int T = 64, L = 3, H = 4;
    Capture c = viz_test_capture_causal(T, L, H);
    VizScene s;
    VizModelViewOpts o;
    o.sel_layer = 2;
    o.sel_head = 1;
    o.max_cells = 8;
    viz_model_view_build(s, c, o, {0, 0, 800, 600}, viz_theme_dark());
    // Per thumbnail: a background + the 8·9/2 blocks on or below the diagonal.
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_THUMB, VIZ_RECT_FILL), L * H * (1 + 8 * 9 / 2));
    EXPECT_TRUE(viz_test_find(s, VIZ_ROLE_SELECTION, 2, 1, VIZ_RECT_STROKE));
    // Each thumbnail is hit-testable.
    for (const VizHitRegion& r : s.hits) {
        VizHit h;
        ASSERT_TRUE(viz_hit_test(s, r.rect.x + r.rect.w / 2, r.rect.y + r.rect.h / 2, h));
        EXPECT_EQ(h.kind, VIZ_HIT_THUMB);
        EXPECT_EQ(h.layer, r.hit.layer);
        EXPECT_EQ(h.head, r.hit.head);
    }
    EXPECT_EQ((int)s.hits.size(), L * H);
}

TEST(VizModelView, DownsampledBlockShowsItsMaximum) {
    // A sharp previous-token head: the block max is 1 even though the block mean is small.
    const int T = 32;
    Capture c = viz_test_capture(T, 1, 1);
    viz_test_w(c, 0, 0, 0, 0) = 1;
    for (int q = 1; q < T; q++) viz_test_w(c, 0, 0, q, q - 1) = 1;
    VizScene s;
    VizModelViewOpts o;
    o.max_cells = 4;
    VizTheme th = viz_theme_dark();
    viz_model_view_build(s, c, o, {0, 0, 400, 400}, th);
    int full = 0;
    for (const VizPrim& p : s.prims)
        if (p.role == VIZ_ROLE_THUMB && viz_color_u32(p.col) == viz_color_u32(viz_colormap(th, 1))) full++;
    EXPECT_EQ(full, 4 + 3);  // diagonal blocks + the sub-diagonal blocks the shifted entries land in
}

TEST(VizModelView, RasterTilesPoolTheMaximumAndRebuildOnlyWhenTheKeyChanges) {
    // A previous-token head at T = 64 pooled to 8×8 texels: every diagonal block shows the maximum (1),
    // blocks wholly above the diagonal are masked, and one image prim is drawn per head.
    const int T = 64, L = 2, H = 3;
    Capture c = viz_test_capture(T, L, H);
    for (int l = 0; l < L; l++)
        for (int h = 0; h < H; h++) {
            viz_test_w(c, l, h, 0, 0) = 1;
            for (int q = 1; q < T; q++) viz_test_w(c, l, h, q, q - 1) = 1;
        }
    VizTheme th = viz_theme_dark();
    VizRaster r;
    VizModelViewOpts o;
    o.raster = &r;
    o.raster_key = 42;
    VizScene s;
    // Thumbnails of 8 units at 1 px/unit: 4 heads wide would make them larger, so squeeze the area.
    VizRect used = viz_model_view_build(s, c, o, {0, 0, 40, 200}, th);
    EXPECT_GT(used.h, 0);
    ASSERT_EQ(viz_test_count(s, VIZ_ROLE_THUMB, VIZ_IMAGE), L * H);
    ASSERT_EQ(s.rasters.size(), 1u);
    const int n = r.w / H;
    ASSERT_GT(n, 1);
    ASSERT_LT(n, T);
    ASSERT_EQ(r.h, L * n);
    auto px = [&](int l, int h, int i, int j) {
        const uint8_t* p = r.rgba.data() + (((size_t)(l * n + i)) * r.w + (size_t)h * n + j) * 4;
        return VizColor{p[0], p[1], p[2], p[3]};
    };
    const uint32_t full = viz_color_u32(viz_colormap(th, 1)), masked = viz_color_u32(th.masked);
    for (int l = 0; l < L; l++)
        for (int h = 0; h < H; h++)
            for (int i = 0; i < n; i++) {
                EXPECT_EQ(viz_color_u32(px(l, h, i, i)), full) << "diagonal block " << i;
                if (i + 1 < n) {
                    EXPECT_EQ(viz_color_u32(px(l, h, i, i + 1)), masked);
                }
                if (i > 1) {
                    EXPECT_EQ(viz_color_u32(px(l, h, i, 0)), viz_color_u32(viz_colormap(th, 0)));
                }
            }
    // Each image shows its own tile.
    const VizPrim* p = viz_test_find(s, VIZ_ROLE_THUMB, 1, 2, VIZ_IMAGE);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->x2, 2.0f * n);
    EXPECT_EQ(p->y2, 1.0f * n);
    EXPECT_EQ(p->thickness, (float)n);
    // Same key: no re-rasterization; a new key: one.
    uint32_t v = r.version;
    viz_scene_clear(s);
    viz_model_view_build(s, c, o, {0, 0, 40, 200}, th);
    EXPECT_EQ(r.version, v);
    o.raster_key = 43;
    viz_scene_clear(s);
    viz_model_view_build(s, c, o, {0, 0, 40, 200}, th);
    EXPECT_EQ(r.version, v + 1);
    // HiDPI: twice the texels per thumbnail (up to T).
    o.px_per_unit = 2;
    viz_scene_clear(s);
    viz_model_view_build(s, c, o, {0, 0, 40, 200}, th);
    EXPECT_EQ(r.w / H, std::min(T, 2 * n));
}

TEST(VizHeadView, LongTextsWithoutSelectionDrawOnlyTheLastTokensLines) {
    const int T = 40, H = 12;  // 820 pairs × 12 heads > all_max_lines
    Capture c = viz_test_capture_causal(T, 1, H);
    VizScene s;
    VizHeadViewOpts o;
    o.all_max_lines = 4096;
    viz_head_view_build(s, c, {}, o, {0, 0, 600, 2000}, viz_theme_dark());
    int links = 0;
    for (const VizPrim& p : s.prims)
        if (p.role == VIZ_ROLE_LINK) {
            links++;
            EXPECT_EQ(p.tag0, T - 1);
        }
    EXPECT_EQ(links, T * H);
    std::string title = viz_prim_text(s, s.prims[0]);
    EXPECT_NE(title.find("lines from the last token"), std::string::npos) << title;
    // Under the limit every line above the threshold is drawn, as before.
    o.all_max_lines = 1 << 20;
    viz_scene_clear(s);
    viz_head_view_build(s, c, {}, o, {0, 0, 600, 2000}, viz_theme_dark());
    EXPECT_GT(viz_test_count(s, VIZ_ROLE_LINK), T * H);
}

// ---- bars and chips --------------------------------------------------------------------------------

TEST(VizProbs, TopKSortedAndBarsProportional) {
    std::vector<float> p = {0.05f, 0.4f, 0.1f, 0.4f, 0.05f};
    int ids[3];
    float pr[3];
    ASSERT_EQ(viz_top_k(p.data(), 5, 3, ids, pr), 3);
    EXPECT_EQ(ids[0], 1);  // tie broken by lower id
    EXPECT_EQ(ids[1], 3);
    EXPECT_EQ(ids[2], 2);
    std::vector<std::string> vocab = {"a", " cat", "\n", "<b>", "z"};
    VizScene s;
    viz_probs_build(s, ids, pr, 3, vocab, 1, {0, 0, 400, 200}, viz_theme_light());
    ASSERT_EQ(viz_test_count(s, VIZ_ROLE_BAR), 3);
    const VizPrim* b0 = viz_test_find(s, VIZ_ROLE_BAR, 0, 1);
    const VizPrim* b2 = viz_test_find(s, VIZ_ROLE_BAR, 2, 2);
    ASSERT_TRUE(b0 && b2);
    EXPECT_NEAR((b0->x1 - b0->x0) / (b2->x1 - b2->x0), 4.0f, 1e-3f);
    const VizPrim* nl = viz_test_find(s, VIZ_ROLE_LABEL, 2, 2);
    ASSERT_TRUE(nl);
    EXPECT_STREQ(viz_prim_text(s, *nl), "\xE2\x86\xB5");
    VizHit h;
    ASSERT_TRUE(viz_hit_test(s, (b2->x0 + b2->x1) / 2, (b2->y0 + b2->y1) / 2, h));
    EXPECT_EQ(h.kind, VIZ_HIT_BAR);
    EXPECT_EQ(h.row, 2);
    EXPECT_EQ(h.col, 2);
}

TEST(VizChips, WrapShowWhitespaceAndHit) {
    std::vector<std::string> toks;
    std::vector<int> ids;
    for (int i = 0; i < 40; i++) {
        toks.push_back(i % 2 ? " word" : "\n");
        ids.push_back(1000 + i);
    }
    VizScene s;
    VizChipsOpts o;
    o.selected = 5;
    VizRect used = viz_chips_build(s, toks, ids.data(), 40, o, {0, 0, 300, 1000}, viz_theme_dark());
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_CHIP), 40);
    EXPECT_GT(used.h, 60.0f);  // wrapped onto several lines
    EXPECT_LE(s.w, 300.5f);
    const VizPrim* l0 = viz_test_find(s, VIZ_ROLE_LABEL, 0, -1);
    const VizPrim* l1 = viz_test_find(s, VIZ_ROLE_LABEL, 1, -1);
    ASSERT_TRUE(l0 && l1);
    EXPECT_STREQ(viz_prim_text(s, *l0), "\xE2\x86\xB5");
    EXPECT_STREQ(viz_prim_text(s, *l1), "\xC2\xB7word");
    // Adjacent chips have different colours.
    EXPECT_NE(viz_color_u32(viz_test_find(s, VIZ_ROLE_CHIP, 0, 1000)->col),
              viz_color_u32(viz_test_find(s, VIZ_ROLE_CHIP, 1, 1001)->col));
    EXPECT_TRUE(viz_test_find(s, VIZ_ROLE_SELECTION, 5, -1));
    const VizPrim* c7 = viz_test_find(s, VIZ_ROLE_CHIP, 37, 1037);
    VizHit h;
    ASSERT_TRUE(viz_hit_test(s, (c7->x0 + c7->x1) / 2, (c7->y0 + c7->y1) / 2, h));
    EXPECT_EQ(h.kind, VIZ_HIT_CHIP);
    EXPECT_EQ(h.row, 37);
}

// ---- aggregates ------------------------------------------------------------------------------------

// Three layers, three tokens, two heads. Per-layer head means M_l (written by hand):
//   M0 = [1 0 0; .5 .5 0; .2 .2 .6]   M1 = [1 0 0; 1 0 0; 0 1 0]   M2 = [1 0 0; 0 1 0; .6 .2 .2]
// A'_l = .5 M_l + .5 I:
//   A'0 = [1 0 0; .25 .75 0; .1 .1 .8]  A'1 = [1 0 0; .5 .5 0; 0 .5 .5]  A'2 = [1 0 0; 0 1 0; .3 .1 .6]
// R1 = A'1 A'0 = [1 0 0; .625 .375 0; .175 .425 .4]
// R2 = A'2 R1  = [1 0 0; .625 .375 0; .3 + .1·.625 + .6·.175, .1·.375 + .6·.425, .6·.4]
//              = [1 0 0; .625 .375 0; .4675 .2925 .24]
static Capture rollout_capture() {
    Capture c = viz_test_capture(3, 3, 2);
    for (int l = 0; l < 3; l++)
        for (int h = 0; h < 2; h++) viz_test_set_row(c, l, h, 0, {1, 0, 0});
    // layer 0: heads differ, mean is M0
    viz_test_set_row(c, 0, 0, 1, {0.9f, 0.1f, 0});
    viz_test_set_row(c, 0, 1, 1, {0.1f, 0.9f, 0});
    viz_test_set_row(c, 0, 0, 2, {0.4f, 0.0f, 0.6f});
    viz_test_set_row(c, 0, 1, 2, {0.0f, 0.4f, 0.6f});
    // layer 1
    viz_test_set_row(c, 1, 0, 1, {1, 0, 0});
    viz_test_set_row(c, 1, 1, 1, {1, 0, 0});
    viz_test_set_row(c, 1, 0, 2, {0, 1, 0});
    viz_test_set_row(c, 1, 1, 2, {0, 1, 0});
    // layer 2: heads differ, mean is M2
    viz_test_set_row(c, 2, 0, 1, {0, 1, 0});
    viz_test_set_row(c, 2, 1, 1, {0, 1, 0});
    viz_test_set_row(c, 2, 0, 2, {1.0f, 0.0f, 0.0f});
    viz_test_set_row(c, 2, 1, 2, {0.2f, 0.4f, 0.4f});
    return c;
}

static void expect_matrix(const std::vector<float>& got, const std::vector<float>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); i++) EXPECT_NEAR(got[i], want[i], 1e-6f) << "at " << i / 3 << "," << i % 3;
}

TEST(VizAggregate, MeanOverHeads) {
    Capture c = rollout_capture();
    std::vector<float> m;
    attention_head_mean(c, 0, m);
    expect_matrix(m, {1, 0, 0, 0.5f, 0.5f, 0, 0.2f, 0.2f, 0.6f});
    attention_head_mean(c, 2, m);
    expect_matrix(m, {1, 0, 0, 0, 1, 0, 0.6f, 0.2f, 0.2f});
    attention_head_mean(c, 3, m);  // out of range
    EXPECT_TRUE(m.empty());
}

TEST(VizAggregate, RolloutMatchesHandComputedThreeLayers) {
    Capture c = rollout_capture();
    std::vector<float> r, scratch;
    attention_rollout(c, 0, r, scratch);
    expect_matrix(r, {1, 0, 0, 0.25f, 0.75f, 0, 0.1f, 0.1f, 0.8f});
    attention_rollout(c, 1, r, scratch);
    expect_matrix(r, {1, 0, 0, 0.625f, 0.375f, 0, 0.175f, 0.425f, 0.4f});
    attention_rollout(c, 2, r, scratch);
    expect_matrix(r, {1, 0, 0, 0.625f, 0.375f, 0, 0.4675f, 0.2925f, 0.24f});
    // Beyond the last layer clamps to it.
    std::vector<float> r9;
    attention_rollout(c, 9, r9, scratch);
    expect_matrix(r9, r);
}

TEST(VizAggregate, NamedCaptureIsAggregatedOncePerLayerAndKind) {
    Capture c = viz_test_capture_causal(8, 2, 2);
    VizWork work;
    VizMatrixOpts o;
    o.layer = 1;
    o.raster_key = 99;  // the caller's name for this capture
    VizScene s;
    VizTheme th = viz_theme_dark();
    viz_aggregate_build(s, c, {}, VIZ_AGG_MEAN, o, {0, 0, 400, 400}, th, work);
    const std::vector<float> first = work.a;
    viz_test_w(c, 1, 0, 7, 0) += 0.5f;  // not a new capture by the caller's key: the cached mean stays
    viz_scene_clear(s);
    viz_aggregate_build(s, c, {}, VIZ_AGG_MEAN, o, {0, 0, 400, 400}, th, work);
    EXPECT_EQ(work.a, first);
    o.raster_key = 100;  // a new capture: recomputed
    viz_scene_clear(s);
    viz_aggregate_build(s, c, {}, VIZ_AGG_MEAN, o, {0, 0, 400, 400}, th, work);
    EXPECT_FLOAT_EQ(work.a[7 * 8 + 0], first[7 * 8 + 0] + 0.25f);
    viz_scene_clear(s);
    viz_aggregate_build(s, c, {}, VIZ_AGG_ROLLOUT, o, {0, 0, 400, 400}, th, work);  // another kind: recomputed
    std::vector<float> want, scratch;
    attention_rollout(c, 1, want, scratch);
    EXPECT_EQ(work.a, want);
}

TEST(VizAggregate, AggregateSceneIsLabelledDerived) {
    Capture c = rollout_capture();
    VizWork work;
    VizMatrixOpts o;
    o.layer = 2;
    for (int kind = 0; kind < 2; kind++) {
        VizScene s;
        viz_aggregate_build(s, c, {"a", "b", "c"}, (VizAggregate)kind, o, {0, 0, 600, 600}, viz_theme_light(), work);
        const VizPrim* t = nullptr;
        for (const VizPrim& p : s.prims)
            if (p.role == VIZ_ROLE_TITLE) t = &p;
        ASSERT_TRUE(t);
        std::string title = viz_prim_text(s, *t);
        EXPECT_NE(title.find("derived"), std::string::npos) << title;
        if (kind == VIZ_AGG_ROLLOUT) EXPECT_NE(title.find("rollout"), std::string::npos) << title;
        else EXPECT_NE(title.find("Mean over 2 heads"), std::string::npos) << title;
        // The numbers printed are the aggregate's.
        const VizPrim* v = viz_test_find(s, VIZ_ROLE_VALUE, 2, 0);
        ASSERT_TRUE(v);
        EXPECT_STREQ(viz_prim_text(s, *v), kind == VIZ_AGG_ROLLOUT ? "0.47" : "0.60");
    }
}

// ---- row table and unfocused head view ---------------------------------------------------------------

TEST(VizRowTable, ShowsEachVisibleKeyAndTheRowSum) {
    Capture c = viz_test_capture(4, 1, 1);
    viz_test_set_row(c, 0, 0, 2, {0.125f, 0.5f, 0.375f, 0});
    VizScene s;
    viz_row_table_build(s, c, TOKS4, 0, 0, 2, {0, 0, 300, 300}, viz_theme_light());
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_CELL, VIZ_RECT_FILL), 3);  // keys 0..2; key 3 is masked
    const VizPrim* v1 = viz_test_find(s, VIZ_ROLE_VALUE, 2, 1);
    ASSERT_TRUE(v1);
    EXPECT_STREQ(viz_prim_text(s, *v1), "0.500");
    const VizPrim* sum = viz_test_find(s, VIZ_ROLE_VALUE, 2, -1);
    ASSERT_TRUE(sum);
    EXPECT_STREQ(viz_prim_text(s, *sum), "sum 1.000");
    // Bars are proportional to weight.
    const VizPrim* b0 = viz_test_find(s, VIZ_ROLE_CELL, 2, 0);
    const VizPrim* b1 = viz_test_find(s, VIZ_ROLE_CELL, 2, 1);
    EXPECT_NEAR((b1->x1 - b1->x0) / (b0->x1 - b0->x0), 4.0f, 1e-3f);
    VizHit h;
    ASSERT_TRUE(viz_hit_test(s, b1->x0 + 1, (b1->y0 + b1->y1) / 2, h));
    EXPECT_EQ(h.kind, VIZ_HIT_CELL);
    EXPECT_EQ(h.row, 2);
    EXPECT_EQ(h.col, 1);
}

TEST(VizHeadView, UnfocusedDrawsEveryLineAboveThreshold) {
    Capture c = viz_test_capture_causal(6, 1, 2);
    viz_test_set_row(c, 0, 1, 5, {0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.95f});  // 5 lines below 0.02
    int want = 0;
    for (int h = 0; h < 2; h++)
        for (int q = 0; q < 6; q++)
            for (int k = 0; k <= q; k++) want += viz_test_w(c, 0, h, q, k) >= 0.02f;
    VizScene s;
    viz_head_view_build(s, c, {}, VizHeadViewOpts(), {0, 0, 500, 400}, viz_theme_dark());
    EXPECT_EQ(viz_test_count(s, VIZ_ROLE_LINK), want);
    EXPECT_EQ(want, 6 * 7 / 2 * 2 - 5);
}

TEST(VizScene, RebuildingAFrameReusesEveryBuffer) {
    // The app rebuilds the scene every frame: after the first frame, no buffer may grow.
    Capture c = viz_test_capture_causal(12, 2, 4);
    std::vector<std::string> toks(12, " token");
    VizTheme th = viz_theme_dark();
    VizScene s;
    VizWork work;
    auto frame = [&]() {
        viz_scene_clear(s);
        VizMatrixOpts mo;
        mo.hover_row = 3;
        viz_matrix_build(s, c, toks, mo, {0, 0, 400, 400}, th);
        VizHeadViewOpts ho;
        ho.focus = 5;
        viz_head_view_build(s, c, toks, ho, {400, 0, 300, 400}, th);
        viz_model_view_build(s, c, VizModelViewOpts(), {0, 400, 400, 300}, th);
        viz_aggregate_build(s, c, toks, VIZ_AGG_ROLLOUT, VizMatrixOpts(), {400, 400, 300, 300}, th, work);
    };
    frame();
    const void* p = s.prims.data();
    const void* t = s.text.data();
    const void* h = s.hits.data();
    const void* w = work.a.data();
    size_t n = s.prims.size();
    frame();
    EXPECT_EQ(s.prims.size(), n);  // deterministic
    EXPECT_EQ((const void*)s.prims.data(), p);
    EXPECT_EQ((const void*)s.text.data(), t);
    EXPECT_EQ((const void*)s.hits.data(), h);
    EXPECT_EQ((const void*)work.a.data(), w);
}

// Intervene mode: an ablated head is crossed out (two lines over its thumbnail), a badge labels each head.
TEST(VizModelView, AblatedHeadsCrossedAndRoleBadges) {
    const int T = 8, L = 2, H = 2;
    Capture c = viz_test_capture_causal(T, L, H);
    std::vector<uint8_t> crossed = {0, 0, 0, 1};  // head 1.1
    std::vector<std::string> badges = {"prev 0.91", "", "induct 0.40", "self 0.12"};
    VizModelViewOpts o;
    o.crossed = crossed.data(), o.badges = badges.data();
    VizScene s;
    viz_model_view_build(s, c, o, {0, 0, 600, 600}, viz_theme_dark());
    int lines = 0, badge_texts = 0;
    for (const VizPrim& p : s.prims) {
        if (p.kind == VIZ_LINE && p.role == VIZ_ROLE_HIGHLIGHT) {
            EXPECT_EQ(p.tag0, 1);
            EXPECT_EQ(p.tag1, 1);
            lines++;
        }
        if (p.kind == VIZ_TEXT && p.role == VIZ_ROLE_LABEL && p.tag0 >= 0 && p.tag1 >= 0) badge_texts++;
    }
    EXPECT_EQ(lines, 2);
    EXPECT_EQ(badge_texts, 3);  // the empty badge draws nothing
}

// The patching heat map: one cell per head, signed colours, only the computed heads filled.
TEST(VizHeadGrid, CellsPerHeadSignedColoursAndProgress) {
    const float v[6] = {1.0f, -1.0f, 0.0f, 0.5f, 0, 0};
    VizScene s;
    viz_head_grid_build(s, v, 2, 3, 4, 1.0f, "patch", {0, 0, 400, 400}, viz_theme_light());
    EXPECT_EQ((int)s.hits.size(), 6);
    const VizPrim* pos = nullptr;
    const VizPrim* neg = nullptr;
    int empty = 0;
    for (const VizPrim& p : s.prims) {
        if (p.role != VIZ_ROLE_THUMB) continue;
        if (p.kind == VIZ_RECT_STROKE) empty++;
        if (p.kind == VIZ_RECT_FILL && p.tag0 == 0 && p.tag1 == 0) pos = &p;
        if (p.kind == VIZ_RECT_FILL && p.tag0 == 0 && p.tag1 == 1) neg = &p;
    }
    EXPECT_EQ(empty, 2);  // heads 4 and 5 are not computed yet
    ASSERT_TRUE(pos && neg);
    EXPECT_GT(pos->col.r, pos->col.b);  // positive: red
    EXPECT_GT(neg->col.b, neg->col.r);  // negative: blue
    VizHit h;
    ASSERT_TRUE(viz_hit_test(s, s.hits[5].rect.x + 2, s.hits[5].rect.y + 2, h));
    EXPECT_EQ(h.kind, VIZ_HIT_THUMB);
    EXPECT_EQ(h.layer, 1);
    EXPECT_EQ(h.head, 2);
}

// Honest colour: one scale vs per row, signed scores on a diverging map, the legend, the palettes.
TEST(VizMatrix, RowScaleDivergingLegendAndPalettes) {
    Capture c = viz_test_capture(3, 1, 1);
    viz_test_set_row(c, 0, 0, 0, {1.0f});
    viz_test_set_row(c, 0, 0, 1, {0.5f, 0.5f});
    viz_test_set_row(c, 0, 0, 2, {0.2f, 0.2f, 0.6f});
    VizTheme th = viz_theme_light();
    auto cell_colour = [&](const VizScene& s, int r, int col) {
        for (const VizPrim& p : s.prims)
            if (p.kind == VIZ_RECT_FILL && p.role == VIZ_ROLE_CELL && p.tag0 == r && p.tag1 == col) return viz_color_u32(p.col);
        return 0u;
    };
    VizMatrixOpts o;
    VizScene global, row;
    viz_matrix_build(global, c, {}, o, {0, 0, 400, 400}, th);
    o.row_scale = true, o.legend = true;
    viz_matrix_build(row, c, {}, o, {0, 0, 400, 400}, th);
    EXPECT_EQ(cell_colour(global, 1, 0), viz_color_u32(viz_colormap(th, 0.5f)));
    EXPECT_EQ(cell_colour(row, 1, 0), viz_color_u32(viz_colormap(th, 1.0f))) << "0.5 is row 1's largest";
    EXPECT_EQ(cell_colour(row, 2, 0), viz_color_u32(viz_colormap(th, 0.2f / 0.6f)));
    int swatches = 0;
    bool says_row = false;
    for (const VizPrim& p : row.prims) {
        swatches += p.kind == VIZ_RECT_FILL && p.role == VIZ_ROLE_LABEL;
        if (p.kind == VIZ_TEXT && std::string(viz_prim_text(row, p)).find("each row scaled") != std::string::npos) says_row = true;
    }
    EXPECT_EQ(swatches, 16);
    EXPECT_TRUE(says_row) << "the legend states the per-row scale";
    // signed values: blue below 0, red above, the largest |value| at full colour
    const float s[9] = {-2, 0, 0, 1, 0, 0, 0.5f, -1, 2};
    VizScene d;
    VizMatrixOpts od;
    od.diverging = true;
    viz_matrix_build_raw(d, s, 3, {}, "scores", od, {0, 0, 400, 400}, th);
    EXPECT_EQ(cell_colour(d, 0, 0), viz_color_u32(viz_diverging(th, -1.0f)));
    EXPECT_EQ(cell_colour(d, 2, 2), viz_color_u32(viz_diverging(th, 1.0f)));
    EXPECT_EQ(cell_colour(d, 1, 0), viz_color_u32(viz_diverging(th, 0.5f)));
    const VizColor neg = viz_diverging(th, -1), pos = viz_diverging(th, 1), zero = viz_diverging(th, 0);
    EXPECT_GT(neg.b, neg.r);
    EXPECT_GT(pos.r, pos.b);
    EXPECT_EQ(viz_color_u32(zero), viz_color_u32(th.bg));
    // palettes: cividis and grey replace the sequential map; grey is lightness only
    EXPECT_EQ(viz_palette_from_name("cividis"), VIZ_PALETTE_CIVIDIS);
    EXPECT_EQ(viz_palette_from_name("rainbow"), -1);
    VizTheme g = viz_theme_light();
    viz_theme_palette(g, VIZ_PALETTE_GRAY);
    const VizColor mid = viz_colormap(g, 0.5f);
    EXPECT_TRUE(mid.r == mid.g && mid.g == mid.b);
    VizTheme cv = viz_theme_dark();
    viz_theme_palette(cv, VIZ_PALETTE_CIVIDIS);
    EXPECT_LT(viz_colormap(cv, 0.0f).r + viz_colormap(cv, 0.0f).g, viz_colormap(cv, 1.0f).r + viz_colormap(cv, 1.0f).g);
}
