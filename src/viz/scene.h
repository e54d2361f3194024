// viz: the renderer-independent layer. Capture (what the model computed) -> Scene (what to draw).
//
//   Capture ──viz_*_build()──▶ VizScene{prims, text arena, hit regions} ──▶ ImDrawList | SVG | JSON
//
// Rules (from the project's design brief, which lives outside this repository):
//   - viz never computes attention: it reads Capture through model.h's accessors. Quantities derived
//     from a capture (mean over heads, rollout, a query's steps, per-turn sums, cosines) are computed
//     in src/model (capture.cpp) and passed in; every scene that shows one labels it as derived.
//   - No ImGui/SDL/GL. Coordinates are logical units (CSS pixels), y down, origin top-left.
//   - A scene is reusable: viz_scene_clear() keeps every buffer's capacity, so rebuilding a scene
//     of the same size each frame does not allocate.
//   - Draw order is prim order (painter's algorithm), so one flat array serves both backends.
//
// Mapping to ImDrawList (o = window origin, c = viz_color_u32(p.col)):
//   VIZ_RECT_FILL   AddRectFilled(o+(x0,y0), o+(x1,y1), c, rounding)
//   VIZ_RECT_STROKE AddRect(o+(x0,y0), o+(x1,y1), c, rounding, 0, thickness)
//   VIZ_LINE        AddLine(o+(x0,y0), o+(x1,y1), c, thickness)
//   VIZ_TRIANGLE    AddTriangleFilled(o+(x0,y0), o+(x1,y1), o+(x2,y2), c)
//   VIZ_CIRCLE      AddCircleFilled(o+(x0,y0), radius = x1, c)
//   VIZ_TEXT        AddText(font, size = thickness, o + anchored position, c, viz_prim_text(s, p))
//                   anchor: shift left by 0/0.5/1 × text width, up by 0/0.5/1 × size (VIZ_ANCHOR_*)
//   VIZ_IMAGE       AddImage(texture of viz_prim_raster(s, p), o+(x0,y0), o+(x1,y1), uv of the texel rect
//                   (x2, y2, thickness × rounding)), nearest-neighbour sampling
#pragma once
#include <cstdint>
#include <string>
#include <vector>

struct Capture;  // src/model/model.h

// ---- primitives ------------------------------------------------------------------------------------

struct VizColor { uint8_t r, g, b, a; };
struct VizRect  { float x, y, w, h; };

enum VizPrimKind : uint8_t {
    VIZ_RECT_FILL = 0,
    VIZ_RECT_STROKE,
    VIZ_LINE,
    VIZ_TRIANGLE,
    VIZ_CIRCLE,
    VIZ_TEXT,
    VIZ_IMAGE,   // a block of a VizRaster (big heatmaps: one textured quad instead of T² rects)
};

// Text anchor: one horizontal | one vertical flag. The anchor point is (x0, y0).
enum VizAnchor : uint8_t {
    VIZ_ANCHOR_LEFT = 0, VIZ_ANCHOR_CENTER = 1, VIZ_ANCHOR_RIGHT = 2,   // horizontal
    VIZ_ANCHOR_TOP = 0,  VIZ_ANCHOR_MIDDLE = 4, VIZ_ANCHOR_BOTTOM = 8,  // vertical
    VIZ_ANCHOR_H_MASK = 3, VIZ_ANCHOR_V_MASK = 12,
};

// What a prim means. Backends may ignore it; the SVG writer puts it in class="...", tests and the
// app's accessibility mirror use it to find things (e.g. every masked cell) without guessing.
enum VizRole : uint8_t {
    VIZ_ROLE_NONE = 0,
    VIZ_ROLE_BACKGROUND,
    VIZ_ROLE_TITLE,      // view title; derived aggregates say so here
    VIZ_ROLE_LABEL,      // axis / token label              tag0 = token index
    VIZ_ROLE_CELL,       // heatmap cell                    tag0 = query row, tag1 = key column
    VIZ_ROLE_MASKED,     // causally masked heatmap cell    tag0 = row, tag1 = column
    VIZ_ROLE_HATCH,      // hatch stroke over a masked cell tag0 = row, tag1 = column
    VIZ_ROLE_VALUE,      // number printed in a cell        tag0 = row, tag1 = column
    VIZ_ROLE_HIGHLIGHT,  // hovered row/column/token outline
    VIZ_ROLE_SELECTION,  // selected/locked outline
    VIZ_ROLE_TOKEN,      // head-view token box             tag0 = token, tag1 = 0 query side, 1 key side
    VIZ_ROLE_LINK,       // head-view line                  tag0 = query, tag1 = key, head in `aux`
    VIZ_ROLE_THUMB,      // model-view thumbnail cell       tag0 = layer, tag1 = head
    VIZ_ROLE_BAR,        // probability bar                 tag0 = rank, tag1 = token id
    VIZ_ROLE_CHIP,       // token chip                      tag0 = token index, tag1 = token id
    VIZ_ROLE_COMPONENT,  // one number of a vector strip    tag0 = strip, tag1 = dimension
    VIZ_ROLE_ROW,        // a row of a table of numbers     tag0 = row (token index where it is one)
    VIZ_ROLE_COUNT
};
const char* viz_role_name(VizRole r);

// One drawable. Plain data (56 bytes); fields by kind:
//   rects: (x0,y0) min, (x1,y1) max, rounding   lines: endpoints, thickness
//   triangle: three points   circle: centre (x0,y0), radius x1   text: anchor point (x0,y0), size
//   image: (x0,y0) min, (x1,y1) max; source texels (x2, y2) origin, thickness × rounding size;
//          text_off = index into VizScene::rasters
struct VizPrim {
    VizPrimKind kind;
    uint8_t     anchor;     // VizAnchor flags (text)
    VizRole     role;
    uint8_t     aux;        // role-specific small value (head index for links)
    VizColor    col;
    float x0, y0, x1, y1, x2, y2;
    float thickness;        // stroke width; font size for text
    float rounding;         // corner radius for rects
    uint32_t text_off;      // text: offset into VizScene::text (NUL-terminated)
    uint32_t text_len;      //       length in bytes, excluding the NUL
    int32_t tag0, tag1;     // role-specific indices (see VizRole), -1 if none
};

// ---- hit testing -----------------------------------------------------------------------------------

enum VizHitKind : uint8_t {
    VIZ_HIT_NONE = 0,
    VIZ_HIT_CELL,       // matrix cell: row = query, col = key
    VIZ_HIT_ROW_LABEL,  // matrix row label: row = query
    VIZ_HIT_COL_LABEL,  // matrix column label: col = key
    VIZ_HIT_QUERY,      // head view, left column: row = token
    VIZ_HIT_KEY,        // head view, right column: col = token
    VIZ_HIT_THUMB,      // model view: layer, head
    VIZ_HIT_BAR,        // probability bar: row = rank, col = token id
    VIZ_HIT_CHIP,       // token chip: row = token index
    VIZ_HIT_HEAD,       // head-view legend swatch (toggle a head): head
    VIZ_HIT_TOKEN,      // a token named in a table or list (math, context views): row = token
};

struct VizHit {
    VizHitKind kind;
    int layer, head;    // -1 when not applicable
    int row, col;       // see VizHitKind; -1 when not applicable
};

// A rectangle the app can point at. A grid region (nx, ny > 0) is split into nx × ny equal cells and
// the hit's col += cell x (if col >= 0), row += cell y (if row >= 0): one region covers a whole T × T heatmap, so hit testing a
// 1024-token matrix stays one division instead of a million rectangles.
struct VizHitRegion {
    VizRect rect;
    VizHit  hit;
    int nx, ny;
};

// ---- rasters ---------------------------------------------------------------------------------------

// Pixels a builder rasterized (RGBA8, row-major, top row first). Owned by the caller and kept across
// frames: a builder given a raster re-rasterizes only when the caller's key changes (the key names
// what the pixels were made from, e.g. a hash of model + token ids + theme), so an idle frame costs
// no T² reads. Backends upload it once per `version` (ImGui: a GL texture; SVG: an embedded PNG).
struct VizRaster {
    uint64_t key = 0;           // 0: nothing rasterized yet
    int w = 0, h = 0;
    std::vector<uint8_t> rgba;  // [h, w, 4]
    uint32_t version = 0;       // bumped whenever the pixels change
};

// ---- scene -----------------------------------------------------------------------------------------

struct VizScene {
    std::vector<VizPrim>      prims;
    std::vector<char>         text;   // arena: every text prim's bytes, each NUL-terminated
    std::vector<VizHitRegion> hits;   // later regions are on top
    std::vector<const VizRaster*> rasters;  // what VIZ_IMAGE prims show (not owned)
    VizRect clip = {0, 0, 0, 0};      // if w > 0: builders skip what lies fully outside (scrolling)
    float w = 0, h = 0;               // logical size (SVG viewBox); builders grow it to fit
    std::string scratch;              // builders format labels here (reused: no per-frame allocation)
};

void viz_scene_clear(VizScene& s);     // empties; keeps capacity and clip
void viz_scene_reserve(VizScene& s, size_t prims, size_t text_bytes);

void viz_rect_fill  (VizScene& s, VizRect r, VizColor c, float rounding = 0, VizRole role = VIZ_ROLE_NONE, int tag0 = -1, int tag1 = -1);
void viz_rect_stroke(VizScene& s, VizRect r, VizColor c, float thickness, float rounding = 0, VizRole role = VIZ_ROLE_NONE, int tag0 = -1, int tag1 = -1);
void viz_line       (VizScene& s, float x0, float y0, float x1, float y1, VizColor c, float thickness, VizRole role = VIZ_ROLE_NONE, int tag0 = -1, int tag1 = -1);
void viz_triangle   (VizScene& s, float x0, float y0, float x1, float y1, float x2, float y2, VizColor c, VizRole role = VIZ_ROLE_NONE);
void viz_circle     (VizScene& s, float cx, float cy, float radius, VizColor c, VizRole role = VIZ_ROLE_NONE);
// Copies len bytes of str (len < 0: strlen) into the arena. Returns the prim index.
int  viz_text       (VizScene& s, float x, float y, const char* str, int len, float size, VizColor c, uint8_t anchor, VizRole role = VIZ_ROLE_NONE, int tag0 = -1, int tag1 = -1);
// printf into the arena (numbers in cells) without a temporary std::string.
int  viz_textf      (VizScene& s, float x, float y, float size, VizColor c, uint8_t anchor, VizRole role, int tag0, int tag1, const char* fmt, ...);
int  viz_hit_add    (VizScene& s, VizRect r, VizHit hit, int nx = 0, int ny = 0);
// Draws texels (sx, sy, sw × sh) of raster into r. The raster must outlive the scene's use.
void viz_image      (VizScene& s, VizRect r, const VizRaster* raster, float sx, float sy, float sw, float sh, VizRole role = VIZ_ROLE_NONE, int tag0 = -1, int tag1 = -1);

inline const char* viz_prim_text(const VizScene& s, const VizPrim& p) { return s.text.data() + p.text_off; }
inline const VizRaster* viz_prim_raster(const VizScene& s, const VizPrim& p) { return s.rasters[p.text_off]; }
bool viz_rect_contains(VizRect r, float x, float y);
bool viz_rect_overlaps(VizRect a, VizRect b);

// Topmost region under (x, y). Returns false (and out.kind = VIZ_HIT_NONE) if nothing is there.
bool viz_hit_test(const VizScene& s, float x, float y, VizHit& out);

// ---- colour ----------------------------------------------------------------------------------------

// Returns the colour packed as Dear ImGui's IM_COL32(r, g, b, a) (ABGR in memory order).
inline uint32_t viz_color_u32(VizColor c) {
    return (uint32_t)c.r | ((uint32_t)c.g << 8) | ((uint32_t)c.b << 16) | ((uint32_t)c.a << 24);
}
VizColor viz_color_alpha(VizColor c, float alpha);        // same rgb, alpha in [0, 1]
VizColor viz_color_lerp(VizColor a, VizColor b, float t);  // in sRGB, t clamped to [0, 1]
float    viz_color_luminance(VizColor c);                  // WCAG relative luminance, 0..1
// Black or white, whichever reads better on bg (numbers printed on heatmap cells).
VizColor viz_color_text_on(VizColor bg);

// Measures text for layout. The app sets VizTheme::text_width to ImGui's CalcTextSize so labels fit
// exactly; without it, an estimate for a monospace font (0.6 em per code point) is used.
typedef float (*viz_text_width_fn)(const char* str, int len, float size, void* user);
float viz_text_width_estimate(const char* str, int len, float size, void* user);

struct VizTheme {
    bool dark;
    VizColor bg, panel, fg, fg_muted, grid;
    VizColor masked, hatch;        // causally masked cells: flat grey + diagonal hatch
    VizColor highlight;            // hover
    VizColor select;               // selection / locked token
    const VizColor* cmap;          // sequential colormap anchors, weight 0 → 1 (perceptual)
    int cmap_n;
    float font_size;               // labels
    float small_size;              // numbers in cells, thumbnail captions
    viz_text_width_fn text_width;  // never null after viz_theme_*()
    void* text_width_user;
};
// Light: ColorBrewer YlGnBu (white → dark blue; 0 blends into the page). Dark: viridis (dark → yellow).
// Both are monotonic in lightness, which is what makes "more weight" read as "more ink".
VizTheme viz_theme_light();
VizTheme viz_theme_dark();

VizColor viz_colormap(const VizTheme& th, float w);  // w clamped to [0, 1]; NaN gives th.masked
// Sequential palettes for weights (share links: palette=default|cividis|gray): the theme's own (light:
// YlGnBu, dark: viridis), cividis (the same to readers with red-green colour-vision deficiency) and grey.
enum VizPalette { VIZ_PALETTE_DEFAULT = 0, VIZ_PALETTE_CIVIDIS, VIZ_PALETTE_GRAY, VIZ_PALETTE_COUNT };
const char* viz_palette_name(int palette);
int viz_palette_from_name(const std::string& name);  // -1 if unknown
void viz_theme_palette(VizTheme& t, int palette);     // switches t's colormap (default: leaves it)
// Diverging map for signed values (pre-softmax scores): t in [-1, 1], blue below 0, the background at 0,
// red above; NaN gives th.masked.
VizColor viz_diverging(const VizTheme& th, float t);
// One colour per head, distinct for any n_heads (evenly spaced OKLCH hues; above 8 heads
// neighbouring hues also alternate lightness so adjacent heads never look alike).
VizColor viz_head_color(const VizTheme& th, int head, int n_heads);
// Chip background for token i: a few soft hues cycled, so adjacent tokens always differ.
VizColor viz_chip_color(const VizTheme& th, int i);

// ---- text ------------------------------------------------------------------------------------------

// Appends raw token bytes as display text: ' ' → '·', '\n' → '↵', '\t' → '→', '\r' → '␍', other
// control bytes → U+2400 pictures, and bytes that are not valid UTF-8 (a byte-level BPE token can
// end mid code point) → "\xNN". The result is always valid UTF-8.
void viz_token_label(const char* bytes, int len, std::string& out);
// Appends text escaped for XML/SVG (&<>"'), with chars XML 1.0 forbids and invalid UTF-8 replaced
// by U+FFFD, so any token text gives a well-formed document and never markup.
void viz_xml_escape(const char* str, int len, std::string& out);
int  viz_utf8_count(const char* str, int len);  // code points (invalid bytes count as one)
