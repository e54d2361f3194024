// viz scene: primitives, colours, text helpers, hit regions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "viz/scene.h"

TEST(VizScene, ClearKeepsCapacityAndText) {
    VizScene s;
    for (int i = 0; i < 100; i++) {
        viz_rect_fill(s, {float(i), 0, 1, 1}, {1, 2, 3, 255});
        viz_text(s, 0, 0, "hello", -1, 12, {0, 0, 0, 255}, 0);
    }
    ASSERT_EQ(s.prims.size(), 200u);
    EXPECT_STREQ(viz_prim_text(s, s.prims[1]), "hello");
    EXPECT_EQ(s.prims[1].text_len, 5u);
    size_t cap_p = s.prims.capacity(), cap_t = s.text.capacity();
    const VizPrim* data = s.prims.data();
    viz_scene_clear(s);
    EXPECT_EQ(s.prims.size(), 0u);
    EXPECT_EQ(s.prims.capacity(), cap_p);
    EXPECT_EQ(s.text.capacity(), cap_t);
    // Rebuilding the same amount reuses the same buffer (no reallocation).
    for (int i = 0; i < 100; i++) {
        viz_rect_fill(s, {float(i), 0, 1, 1}, {1, 2, 3, 255});
        viz_text(s, 0, 0, "hello", -1, 12, {0, 0, 0, 255}, 0);
    }
    EXPECT_EQ(s.prims.data(), data);
}

TEST(VizScene, SizeGrowsToFitPrims) {
    VizScene s;
    viz_rect_fill(s, {10, 20, 30, 40}, {0, 0, 0, 255});
    viz_line(s, 0, 0, 100, 5, {0, 0, 0, 255}, 1);
    EXPECT_FLOAT_EQ(s.w, 100);
    EXPECT_FLOAT_EQ(s.h, 60);
}

TEST(VizScene, ColorU32MatchesImGuiLayout) {
    // IM_COL32(R,G,B,A) = (A<<24)|(B<<16)|(G<<8)|R
    EXPECT_EQ(viz_color_u32({0x11, 0x22, 0x33, 0x44}), 0x44332211u);
}

static void expect_colormap_monotonic(const VizTheme& th, bool increasing) {
    float prev = viz_color_luminance(viz_colormap(th, 0));
    for (int i = 1; i <= 100; i++) {
        float lum = viz_color_luminance(viz_colormap(th, i / 100.0f));
        if (increasing) EXPECT_GT(lum, prev) << "w=" << i / 100.0f;
        else EXPECT_LT(lum, prev) << "w=" << i / 100.0f;
        prev = lum;
    }
}

TEST(VizColor, ColormapLuminanceIsMonotonicInWeight) {
    expect_colormap_monotonic(viz_theme_dark(), true);    // viridis: dark → bright
    expect_colormap_monotonic(viz_theme_light(), false);  // YlGnBu: white → navy
}

TEST(VizColor, ColormapClampsAndMapsNaNToMasked) {
    VizTheme th = viz_theme_dark();
    VizColor lo = viz_colormap(th, -3), hi = viz_colormap(th, 7);
    EXPECT_EQ(viz_color_u32(lo), viz_color_u32(viz_colormap(th, 0)));
    EXPECT_EQ(viz_color_u32(hi), viz_color_u32(viz_colormap(th, 1)));
    EXPECT_EQ(viz_color_u32(viz_colormap(th, NAN)), viz_color_u32(th.masked));
}

static float rgb_dist(VizColor a, VizColor b) {
    float dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b;
    return sqrtf(dr * dr + dg * dg + db * db);
}

TEST(VizColor, HeadColorsDistinctUpTo24Heads) {
    for (int dark = 0; dark < 2; dark++) {
        VizTheme th = dark ? viz_theme_dark() : viz_theme_light();
        for (int n : {1, 4, 12, 16, 24}) {
            float min_d = 1e9f;
            for (int a = 0; a < n; a++)
                for (int b = a + 1; b < n; b++)
                    min_d = fminf(min_d, rgb_dist(viz_head_color(th, a, n), viz_head_color(th, b, n)));
            if (n > 1) {
                EXPECT_GT(min_d, 20.0f) << "n=" << n << " dark=" << dark;
            }
            // Lines must show against the background.
            for (int a = 0; a < n; a++) EXPECT_GT(rgb_dist(viz_head_color(th, a, n), th.bg), 80.0f);
        }
    }
}

TEST(VizColor, TextOnPicksReadableColor) {
    EXPECT_EQ(viz_color_text_on({255, 255, 255, 255}).r, 0);
    EXPECT_EQ(viz_color_text_on({0, 0, 0, 255}).r, 255);
}

TEST(VizText, TokenLabelMakesWhitespaceVisible) {
    std::string out;
    viz_token_label(" dog\n", -1, out);
    EXPECT_EQ(out, "\xC2\xB7" "dog\xE2\x86\xB5");
    out.clear();
    viz_token_label("\t\x01", 2, out);
    EXPECT_EQ(out, "\xE2\x86\x92\xE2\x90\x81");
}

TEST(VizText, TokenLabelShowsPartialUtf8AsHexBytes) {
    // Byte-level BPE can split "é" (C3 A9) across two tokens.
    std::string out;
    viz_token_label("a\xC3", 2, out);
    EXPECT_EQ(out, "a\\xC3");
    out.clear();
    viz_token_label("\xA9", 1, out);
    EXPECT_EQ(out, "\\xA9");
    out.clear();
    viz_token_label("caf\xC3\xA9", -1, out);  // whole code point passes through
    EXPECT_EQ(out, "caf\xC3\xA9");
}

TEST(VizText, XmlEscape) {
    std::string out;
    viz_xml_escape("<script>alert('x&y')</script>\"", -1, out);
    EXPECT_EQ(out, "&lt;script&gt;alert(&apos;x&amp;y&apos;)&lt;/script&gt;&quot;");
    out.clear();
    // Control chars forbidden by XML 1.0 and invalid UTF-8 become U+FFFD; tab/newline stay.
    viz_xml_escape("a\x01\tb\xFF", 5, out);
    EXPECT_EQ(out, "a\xEF\xBF\xBD\tb\xEF\xBF\xBD");
}

TEST(VizText, Utf8Count) {
    EXPECT_EQ(viz_utf8_count("abc", -1), 3);
    EXPECT_EQ(viz_utf8_count("\xC2\xB7\xE2\x86\xB5", -1), 2);
    EXPECT_EQ(viz_utf8_count("\xFF\xFE", 2), 2);
}

TEST(VizHit, GridRegionMapsPointsToCells) {
    VizScene s;
    viz_hit_add(s, {100, 50, 40, 40}, {VIZ_HIT_CELL, 2, 3, 0, 0}, 4, 4);  // 10-unit cells
    VizHit h;
    ASSERT_TRUE(viz_hit_test(s, 100.5f, 50.5f, h));
    EXPECT_EQ(h.kind, VIZ_HIT_CELL);
    EXPECT_EQ(h.row, 0);
    EXPECT_EQ(h.col, 0);
    ASSERT_TRUE(viz_hit_test(s, 125, 79, h));
    EXPECT_EQ(h.row, 2);
    EXPECT_EQ(h.col, 2);
    EXPECT_EQ(h.layer, 2);
    EXPECT_EQ(h.head, 3);
    ASSERT_TRUE(viz_hit_test(s, 139.99f, 89.99f, h));
    EXPECT_EQ(h.row, 3);
    EXPECT_EQ(h.col, 3);
    EXPECT_FALSE(viz_hit_test(s, 140, 60, h));
    EXPECT_EQ(h.kind, VIZ_HIT_NONE);
    EXPECT_FALSE(viz_hit_test(s, 99.9f, 60, h));
}

TEST(VizHit, LaterRegionsAreOnTop) {
    VizScene s;
    viz_hit_add(s, {0, 0, 100, 100}, {VIZ_HIT_CHIP, -1, -1, 1, -1});
    viz_hit_add(s, {10, 10, 10, 10}, {VIZ_HIT_CHIP, -1, -1, 2, -1});
    VizHit h;
    ASSERT_TRUE(viz_hit_test(s, 15, 15, h));
    EXPECT_EQ(h.row, 2);
    ASSERT_TRUE(viz_hit_test(s, 50, 50, h));
    EXPECT_EQ(h.row, 1);
}
