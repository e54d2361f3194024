// viz SVG backend: one element per prim, escaping, well-formedness basics.
#include <gtest/gtest.h>

#include <cstring>

#include "viz/svg.h"
#include "viz/views.h"
#include "viz_test_util.h"

static int count_substr(const std::string& s, const char* needle) {
    int n = 0;
    for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) n++;
    return n;
}

// Elements other than the root: every "<" that opens a tag (not "</", not "<svg").
static int count_elements(const std::string& s) {
    int n = 0;
    for (size_t i = 0; i + 1 < s.size(); i++)
        if (s[i] == '<' && s[i + 1] != '/' && s.compare(i, 4, "<svg") != 0) n++;
    return n;
}

TEST(VizSvg, OneElementPerPrimAcrossAllViews) {
    Capture c = viz_test_capture_causal(6, 2, 3);
    std::vector<std::string> toks = {"The", " cat", " sat", "\n", " on", " it"};
    VizTheme th = viz_theme_light();
    VizScene s;
    VizRect r = viz_matrix_build(s, c, toks, VizMatrixOpts(), {0, 0, 400, 400}, th);
    VizHeadViewOpts ho;
    ho.focus = 4;
    r = viz_head_view_build(s, c, toks, ho, {0, r.y + r.h + 20, 400, 300}, th);
    r = viz_model_view_build(s, c, VizModelViewOpts(), {0, r.y + r.h + 20, 400, 300}, th);
    r = viz_chips_build(s, toks, c.ids.data(), 6, VizChipsOpts(), {0, r.y + r.h + 20, 400, 100}, th);
    viz_triangle(s, 0, 0, 10, 0, 5, 8, th.fg);
    viz_circle(s, 20, 20, 4, th.fg);
    std::string svg;
    viz_svg_write(s, svg, &th.bg);
    EXPECT_EQ(count_elements(svg), (int)s.prims.size());
    int n_rect = 0, n_line = 0, n_text = 0;
    for (const VizPrim& p : s.prims) {
        n_rect += p.kind == VIZ_RECT_FILL || p.kind == VIZ_RECT_STROKE;
        n_line += p.kind == VIZ_LINE;
        n_text += p.kind == VIZ_TEXT;
    }
    EXPECT_EQ(count_substr(svg, "<rect "), n_rect);
    EXPECT_EQ(count_substr(svg, "<line "), n_line);
    EXPECT_EQ(count_substr(svg, "<text "), n_text);
    EXPECT_EQ(count_substr(svg, "</text>"), n_text);
    EXPECT_EQ(count_substr(svg, "<polygon "), 1);
    EXPECT_EQ(count_substr(svg, "<circle "), 1);
    EXPECT_EQ(count_substr(svg, "<svg "), 1);
    EXPECT_EQ(count_substr(svg, "</svg>"), 1);
    // Cells are findable in the export: 21 visible + 15 masked in the 6×6 causal matrix.
    EXPECT_EQ(count_substr(svg, "class=\"cell\""), 21);
    EXPECT_EQ(count_substr(svg, "class=\"masked\""), 15);
}

TEST(VizSvg, ViewBoxInLogicalUnits) {
    VizScene s;
    viz_rect_fill(s, {0, 0, 120.5f, 40}, {10, 20, 30, 255});
    std::string svg;
    viz_svg_write(s, svg);
    EXPECT_NE(svg.find("viewBox=\"0 0 120.5 40\""), std::string::npos) << svg;
    EXPECT_NE(svg.find("fill=\"#0a141e\""), std::string::npos) << svg;
    EXPECT_EQ(svg.find("fill-opacity"), std::string::npos);  // opaque: no opacity attribute
}

TEST(VizSvg, LineOpacityCarriedToStrokeOpacity) {
    VizScene s;
    viz_line(s, 0, 0, 10, 10, {255, 0, 0, 51}, 2, VIZ_ROLE_LINK, 3, 1);
    std::string svg;
    viz_svg_write(s, svg);
    EXPECT_NE(svg.find("stroke-opacity=\"0.2\""), std::string::npos) << svg;
    EXPECT_NE(svg.find("class=\"link\" data-i=\"3\" data-j=\"1\""), std::string::npos) << svg;
}

TEST(VizSvg, TokenTextIsEscapedNeverMarkup) {
    Capture c = viz_test_capture_causal(3, 1, 1);
    std::vector<std::string> toks = {"<script>alert(1)</script>", " & ", "\"q\"\x01\xFF"};
    VizScene s;
    VizMatrixOpts o;
    o.max_cell = 200;  // wide cells so column labels are not truncated
    viz_matrix_build(s, c, toks, o, {0, 0, 2000, 800}, viz_theme_dark());
    viz_chips_build(s, toks, c.ids.data(), 3, VizChipsOpts(), {0, 820, 2000, 100}, viz_theme_dark());
    std::string svg;
    viz_svg_write(s, svg);
    EXPECT_EQ(svg.find("<script"), std::string::npos);
    EXPECT_EQ(svg.find("</script"), std::string::npos);
    EXPECT_NE(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(svg.find("\xC2\xB7&amp;\xC2\xB7"), std::string::npos);  // " & " with visible spaces
    EXPECT_NE(svg.find("&quot;q&quot;"), std::string::npos);
    // The control byte became a control picture and the stray byte its hex, so no raw bytes remain.
    EXPECT_EQ(svg.find('\x01'), std::string::npos);
    EXPECT_EQ(svg.find('\xFF'), std::string::npos);
    EXPECT_EQ(count_elements(svg), (int)s.prims.size());
}

TEST(VizSvg, ImagesEmbedAPngOfTheirTexels) {
    VizRaster r;
    r.w = 3, r.h = 2, r.key = 1;
    r.rgba = {255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255};
    VizScene s;
    viz_image(s, {10, 20, 30, 20}, &r, 1, 0, 2, 2, VIZ_ROLE_THUMB, 0, 1);
    std::string svg;
    viz_svg_write(s, svg, nullptr);
    EXPECT_EQ(count_elements(svg), 1);
    EXPECT_NE(svg.find("<image x=\"10\" y=\"20\" width=\"30\" height=\"20\""), std::string::npos) << svg;
    EXPECT_NE(svg.find("href=\"data:image/png;base64,iVBORw0KGgo"), std::string::npos) << svg;  // the PNG signature
    EXPECT_NE(svg.find("class=\"thumb\" data-i=\"0\" data-j=\"1\""), std::string::npos) << svg;
    // Decode: base64 -> PNG -> IHDR size and the stored (uncompressed) rows hold texels x 1..2.
    size_t b = svg.find("base64,") + 7, e = svg.find('"', b);
    std::string png;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = b; i < e && svg[i] != '='; i++) {
        const char* A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        acc = acc << 6 | (uint32_t)(strchr(A, svg[i]) - A), bits += 6;
        if (bits >= 8) bits -= 8, png += (char)((acc >> bits) & 0xFF);
    }
    auto be32 = [&](size_t at) {
        return (uint32_t)(uint8_t)png[at] << 24 | (uint32_t)(uint8_t)png[at + 1] << 16 | (uint32_t)(uint8_t)png[at + 2] << 8 |
               (uint8_t)png[at + 3];
    };
    ASSERT_GT(png.size(), 60u);
    EXPECT_EQ(png.substr(12, 4), "IHDR");
    EXPECT_EQ(be32(16), 2u);  // width
    EXPECT_EQ(be32(20), 2u);  // height
    size_t idat = png.find("IDAT");
    ASSERT_NE(idat, std::string::npos);
    const std::string rows = png.substr(idat + 4 + 2 + 5, 2 * (1 + 2 * 4));  // zlib header, stored block header
    const unsigned char want[] = {0, 0, 255, 0, 255, 0, 0, 255, 255, 0, 4, 5, 6, 255, 7, 8, 9, 255};
    ASSERT_EQ(rows.size(), sizeof want);
    for (size_t i = 0; i < sizeof want; i++) EXPECT_EQ((unsigned char)rows[i], want[i]) << i;
    // A texel rect outside the raster is skipped, not read out of bounds.
    viz_scene_clear(s);
    viz_image(s, {0, 0, 5, 5}, &r, 2, 0, 2, 2);
    svg.clear();
    viz_svg_write(s, svg, nullptr);
    EXPECT_EQ(svg.find("<image"), std::string::npos);
}
